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
    from coverage.cli import analysis, data, field, optimise, stations

    parser = argparse.ArgumentParser(
        prog="python -m coverage",
        description="Coverage planning for township social-work stations (社工站).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (data, analysis, optimise, field, stations):
        group.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
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
