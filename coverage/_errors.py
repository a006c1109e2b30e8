"""Exceptions a person can act on.

Every message says what was wrong *and* what to do about it.  The command line
turns these into exit code 2 with the message; the app shows the message.
"""

from __future__ import annotations


class CoverageError(ValueError):
    """Base class of every error this package raises on purpose."""


class InputError(CoverageError):
    """A file or an argument the user gave cannot be used as it is."""


class CRSError(InputError):
    """A layer has no coordinate system, or one that cannot be used here."""


class DataError(CoverageError):
    """The embedded data is missing or inconsistent (rebuild it)."""
