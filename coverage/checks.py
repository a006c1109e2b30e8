"""Checks of single values a person gives: numbers within bounds, dates, months, times of day.

Each rule lives here once.  Library functions check their arguments with it, and the
command line turns the same rules into argparse types (:mod:`coverage.cli.common`), so the
app and the command line refuse the same values with the same message: what was given,
what is accepted, and an example.  The bounds are read from :mod:`coverage.settings`.

Examples
--------
>>> RADIUS_KM("12.5")
12.5
>>> RADIUS_KM("nan")
Traceback (most recent call last):
...
coverage._errors.InputError: service radius in km: nan is not a finite number; give a number above 0 and at most 100, e.g. 10
>>> PER_DAY("2.5")
Traceback (most recent call last):
...
coverage._errors.InputError: visits a day: 2.5 is not a whole number; give a whole number from 1 to 6, e.g. 2
>>> parse_date("2021-02-30")
Traceback (most recent call last):
...
coverage._errors.InputError: date '2021-02-30' is not a day of the calendar (day is out of range for month); use YYYY-MM-DD, e.g. 2024-11-04
>>> parse_month("2024-11"), clock_minutes("08:30")
(datetime.date(2024, 11, 1), 510)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from coverage import settings
from coverage._errors import InputError

__all__ = [
    "CIRCUITY",
    "COST_RADIUS",
    "COUNTY_MAX",
    "COUNTY_MIN",
    "DAY_HOURS",
    "EVENING_MIN",
    "GRID_KM",
    "LOAD",
    "LOCAL_KM",
    "LUNCH_MIN",
    "NEED_WEIGHT",
    "NEW_STATIONS",
    "PER_DAY",
    "RADIUS_KM",
    "RADIUS_MIN",
    "SAMPLE_PER",
    "SEED",
    "SHARE",
    "SPEED_KMH",
    "SUPERVISION_HOURS",
    "SUPERVISORS",
    "TIME_LIMIT_S",
    "TRIP_DAYS",
    "VISIT_HOURS",
    "Count",
    "Number",
    "as_date",
    "clock_minutes",
    "clock_text",
    "long_speed",
    "parse_date",
    "parse_month",
]


# --------------------------------------------------------------------------- numbers
def _show(value: float) -> str:
    """A number as a person would write it (``5``, ``0.25``, ``nan``, ``1e+308``)."""
    return f"{value:g}"


def _lead(what: str) -> str:
    """The start of a message about ``what`` (nothing when the caller names the value itself)."""
    return f"{what}: " if what else ""


def _as_float(value: object, what: str, accepted: str) -> float:
    """``value`` as a float (text, int, float, numpy number), or InputError saying it is not a number."""
    try:
        if isinstance(value, bool):
            raise TypeError
        number = float(value.strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        msg = f"{_lead(what)}{value!r} is not a number; give {accepted}"
        raise InputError(msg) from None
    if not math.isfinite(number):
        msg = f"{_lead(what)}{_show(number)} is not a finite number; give {accepted}"
        raise InputError(msg)
    return number


@dataclass(frozen=True)
class Number:
    """A finite number within bounds: ``above`` (excluded), ``at_least``, ``at_most`` (included).

    Calling it with a value (text or number) returns the float, or raises :class:`InputError`.

    >>> Number("share", above=0, at_most=1)("0.5")
    0.5
    """

    what: str
    above: float | None = None
    at_least: float | None = None
    at_most: float | None = None
    example: str = ""

    def accepted(self, kind: str = "a number") -> str:
        """The accepted values in words: ``a number from 1 to 3, e.g. 1.3``."""
        if self.at_least is not None and self.at_most is not None:
            text = f"{kind} from {_show(self.at_least)} to {_show(self.at_most)}"
        elif self.at_least is not None:
            text = f"{kind} of {_show(self.at_least)} or more"
        elif self.above is not None and self.at_most is not None:
            text = f"{kind} above {_show(self.above)} and at most {_show(self.at_most)}"
        elif self.above is not None:
            text = f"{kind} above {_show(self.above)}"
        elif self.at_most is not None:
            text = f"{kind} of at most {_show(self.at_most)}"
        else:
            text = kind
        return f"{text}, e.g. {self.example}" if self.example else text

    def _bounded(self, number: float, accepted: str) -> None:
        low = (self.above is not None and number <= self.above) or (
            self.at_least is not None and number < self.at_least
        )
        if low:
            msg = f"{_lead(self.what)}{_show(number)} is too small; give {accepted}"
            raise InputError(msg)
        if self.at_most is not None and number > self.at_most:
            msg = f"{_lead(self.what)}{_show(number)} is too large; give {accepted}"
            raise InputError(msg)

    def __call__(self, value: object) -> float:
        accepted = self.accepted()
        number = _as_float(value, self.what, accepted)
        self._bounded(number, accepted)
        return number


@dataclass(frozen=True)
class Count(Number):
    """A whole number within bounds (``"3"``, ``3`` or ``3.0``; not ``"2.5"``).

    >>> Count("visits a day", at_least=1)(3.0)
    3
    """

    def __call__(self, value: object) -> int:
        accepted = self.accepted("a whole number")
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            number = float(int(value))
        else:
            number = _as_float(value, self.what, accepted)
            if number != int(number):
                msg = f"{_lead(self.what)}{_show(number)} is not a whole number; give {accepted}"
                raise InputError(msg)
        self._bounded(number, accepted)
        return int(number)


# Rules for the quantities people type.  The command line uses these as argparse types, the
# library functions taking the same quantity call them on their arguments.
RADIUS_KM = Number("service radius in km", above=0, at_most=settings.MAX_RADIUS_KM, example="10")
RADIUS_MIN = Number("service radius in minutes", above=0, at_most=settings.MAX_RADIUS_MIN, example="30")
COST_RADIUS = Number("radius in the cost matrix's units", above=0, example="30")
GRID_KM = Number("grid cell size in km", at_least=settings.MIN_GRID_KM, at_most=settings.MAX_GRID_KM, example="1")
SHARE = Number("share of demand", above=0, at_most=1, example="0.9")
TIME_LIMIT_S = Number("time limit in seconds", above=0, at_most=settings.MAX_TIME_LIMIT_S, example="60")
SPEED_KMH = Number(
    "speed in km/h",
    at_least=settings.MIN_SPEED_KMH,
    at_most=settings.MAX_SPEED_KMH,
    example=f"{settings.AVERAGE_SPEED_KMH:g}",
)
LONG_SPEED_KMH = Number(
    "long-distance speed in km/h (0 turns it off)",
    at_least=settings.MIN_SPEED_KMH,
    at_most=settings.MAX_SPEED_KMH,
    example=f"{settings.LONG_SPEED_KMH:g}",
)
LOCAL_KM = Number("road km of a leg at the local speed", at_least=0, example=f"{settings.LOCAL_ROAD_KM:g}")
CIRCUITY = Number(
    "circuity (road km per straight km)",
    at_least=1,
    at_most=settings.MAX_CIRCUITY,
    example=f"{settings.CIRCUITY_FACTOR:g}",
)
VISIT_HOURS = Number("hours per visit", above=0, at_most=24, example=f"{settings.TRIP_VISIT_HOURS:g}")
LUNCH_MIN = Number("lunch break in minutes", at_least=0, example=f"{settings.TRIP_LUNCH_MIN:g}")
EVENING_MIN = Number(
    "evening transfer in minutes",
    at_least=0,
    at_most=settings.TRIP_MAX_EVENING_MIN,
    example=f"{settings.TRIP_EVENING_OPTION_MIN:g}",
)
SUPERVISION_HOURS = Number(
    "hours per station per month",
    above=0,
    at_most=settings.SUPERVISION_MAX_HOURS,
    example=f"{settings.SUPERVISION_HOURS:g}",
)
DAY_HOURS = Number("hours on site a day", above=0, at_most=24, example=f"{settings.SUPERVISION_DAY_HOURS:g}")
NEED_WEIGHT = Number("need weight", at_least=0, example="1")
TRIP_DAYS = Count("working days", at_least=1, at_most=settings.TRIP_MAX_DAYS, example="5")
PER_DAY = Count("visits a day", at_least=1, at_most=settings.TRIP_MAX_PER_DAY, example=f"{settings.TRIP_PER_DAY}")
NEW_STATIONS = Count("number of new stations", at_least=1, example="10")
COUNTY_MIN = Count("new stations per county, at least", at_least=0, example="1")
COUNTY_MAX = Count("new stations per county, at most", at_least=1, example="3")
SUPERVISORS = Count("number of supervisors", at_least=1, example="3")
LOAD = Count("stations per supervisor", at_least=1, example=f"{settings.SUPERVISOR_MIN_STATIONS}")
SEED = Count("seed", at_least=0, example="0")
SAMPLE_PER = Count("stations sampled per city or county", at_least=1, example="2")


def long_speed(value: object) -> float | None:
    """The long-distance speed: ``None`` (or 0) turns it off, else a speed as :data:`SPEED_KMH`.

    >>> long_speed("0") is None, long_speed(80)
    (True, 80.0)
    """
    if value is None:
        return None
    try:
        if float(str(value).strip()) == 0:
            return None
    except ValueError:
        pass  # not a number: the rule below says so
    return LONG_SPEED_KMH(value)


# --------------------------------------------------------------------------- dates and times
_DATE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*")
_MONTH = re.compile(r"\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*")
_CLOCK = re.compile(r"\s*(\d{1,2})[:：](\d{2})\s*")


def _in_range(day: dt.date, what: str) -> dt.date:
    first, last = dt.date.fromisoformat(settings.EARLIEST_DATE), dt.date.fromisoformat(settings.LATEST_DATE)
    if not first <= day <= last:
        msg = f"{what} {day.isoformat()} is out of range; give a date from {first.isoformat()} to {last.isoformat()}"
        raise InputError(msg)
    return day


def parse_date(value: object, what: str = "date", *, year_means_end: bool = False, bounded: bool = True) -> dt.date:
    """A day from ``YYYY-MM-DD`` text (or a date); ``year_means_end``: a bare year is its 31 December.

    ``bounded``: the day must lie between :data:`settings.EARLIEST_DATE` and :data:`settings.LATEST_DATE`.
    """
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        m = _DATE.fullmatch(text)
        if year_means_end and re.fullmatch(r"\d{4}", text):
            day = dt.date(int(text), 12, 31)
        elif m is None:
            hint = (
                "YYYY-MM-DD (or a year, meaning its 31 December)" if year_means_end else "YYYY-MM-DD, e.g. 2024-11-04"
            )
            msg = f"{what} {value!r} not understood; use {hint}"
            raise InputError(msg)
        else:
            try:
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError as exc:
                msg = f"{what} {value!r} is not a day of the calendar ({exc}); use YYYY-MM-DD, e.g. 2024-11-04"
                raise InputError(msg) from None
    return _in_range(day, what) if bounded else day


def as_date(value: object, default: dt.date | None = None) -> dt.date:
    """A date as the library takes it: a ``date``/``datetime``/Timestamp, ``YYYY-MM-DD`` text or a bare year
    (its 31 December), without the bounds of typed input; ``None`` or empty text gives ``default``, else today.

    >>> as_date("2023"), as_date(None, default=dt.date(2024, 1, 2))
    (datetime.date(2023, 12, 31), datetime.date(2024, 1, 2))
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return default if default is not None else dt.date.today()
    return parse_date(value, year_means_end=True, bounded=False)


def parse_month(value: object, what: str = "month") -> dt.date:
    """The first day of a month given as ``YYYY-MM`` (or a day of it, or a date)."""
    if isinstance(value, dt.date):
        first = (value.date() if isinstance(value, dt.datetime) else value).replace(day=1)
    else:
        m = _MONTH.fullmatch(str(value))
        if m is None:
            msg = f"{what} {value!r} not understood; use YYYY-MM, e.g. 2024-11"
            raise InputError(msg)
        try:
            first = dt.date(int(m.group(1)), int(m.group(2)), 1)
            if m.group(3) is not None:
                dt.date(first.year, first.month, int(m.group(3)))
        except ValueError as exc:
            msg = f"{what} {value!r} is not a month of the calendar ({exc}); use YYYY-MM, e.g. 2024-11"
            raise InputError(msg) from None
    earliest, latest = settings.EARLIEST_DATE[:7], settings.LATEST_DATE[:7]
    if not earliest <= first.strftime("%Y-%m") <= latest:
        msg = f"{what} {first.strftime('%Y-%m')} is out of range; give a month from {earliest} to {latest}"
        raise InputError(msg)
    return first


def clock_minutes(value: object) -> int:
    """Minutes from midnight of a time of day ``"08:30"`` (00:00 to 24:00), or of a number of minutes."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not (math.isfinite(value) and 0 <= value <= 24 * 60):
            msg = f"time {value!r} unreadable; write it as HH:MM, e.g. 08:30"
            raise InputError(msg)
        return int(value)
    m = _CLOCK.fullmatch(str(value))
    if m is None or int(m.group(2)) > 59 or int(m.group(1)) * 60 + int(m.group(2)) > 24 * 60:
        msg = f"time {value!r} unreadable; write it as HH:MM, e.g. 08:30"
        raise InputError(msg)
    return int(m.group(1)) * 60 + int(m.group(2))


def clock_text(value: object) -> str:
    """A time of day as ``HH:MM`` (``"8:30"`` -> ``"08:30"``), checked as :func:`clock_minutes`."""
    minutes = clock_minutes(value)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
