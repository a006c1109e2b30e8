"""Dates and months as users type them: one parser for every command, page and file.

Examples
--------
>>> as_date("2021-12-31"), as_date("2023"), as_date(None, default=dt.date(2024, 1, 2))
(datetime.date(2021, 12, 31), datetime.date(2023, 12, 31), datetime.date(2024, 1, 2))
>>> first_of_month("2024-11")
datetime.date(2024, 11, 1)
>>> as_date("2021-13-45")
Traceback (most recent call last):
...
coverage._errors.InputError: date '2021-13-45' not understood; use YYYY-MM-DD (or a year, meaning its 31 December)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from coverage._errors import InputError


def as_date(value: Any, default: dt.date | None = None) -> dt.date:
    """A date from a ``date``/``datetime``/Timestamp or text ``YYYY-MM-DD``; a bare year means its 31 December.

    ``None`` (or empty text) gives ``default``, else today.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return default if default is not None else dt.date.today()
    if isinstance(value, dt.datetime):  # also pandas.Timestamp
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if len(text) == 4 and text.isdigit():
        return dt.date(int(text), 12, 31)
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        msg = f"date {value!r} not understood; use YYYY-MM-DD (or a year, meaning its 31 December)"
        raise InputError(msg) from exc


def first_of_month(value: Any) -> dt.date:
    """The first day of a month given as ``YYYY-MM`` (or any date in it)."""
    if isinstance(value, dt.date):
        return (value.date() if isinstance(value, dt.datetime) else value).replace(day=1)
    text = str(value).strip()
    try:
        year, month = text[:7].split("-")
        if len(year) != 4 or len(month) != 2 or len(text) not in (7, 10):
            raise ValueError(text)
        first = dt.date(int(year), int(month), 1)
        if len(text) == 10:
            dt.date.fromisoformat(text)
    except ValueError as exc:
        msg = f"month {value!r} not understood; use YYYY-MM, e.g. 2024-11"
        raise InputError(msg) from exc
    return first
