"""Command line: ``python -m coverage <command>``.

Every command prints a short human summary, or with ``--json`` one JSON
document on standard output.  Exit code 0 on success, 2 on bad input (the
reason on standard error).  Progress of long runs goes to standard error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from coverage._errors import CoverageError


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m coverage`` parser: one sub-command group per module of this package."""
    from coverage.cli import accounts, analysis, data, field, optimise, registry, roads, stations

    parser = argparse.ArgumentParser(
        prog="python -m coverage",
        description="Coverage planning for township social-work stations (社工站).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (data, analysis, optimise, field, stations, registry, accounts, roads):
        group.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0, or 2 for bad input with the reason on stderr).

    Each argument is checked as it is read (argparse types, :mod:`coverage.cli.common`); a
    command's rules between arguments (``args.check``) run before the command does.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a refused argument (2, usage and reason printed)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        check = getattr(args, "check", None)
        if check is not None:
            check(args)
        return int(args.func(args) or 0)
    except CoverageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: file not found: {exc.filename}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a file that cannot be read or written (permissions, a full disk, a bad raster ...)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}; check the file, its path and its permissions", file=sys.stderr)
        return 2
