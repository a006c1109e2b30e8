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
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from coverage import settings
from coverage._errors import InputError

T = TypeVar("T")

__all__ = [
    "CAPACITY",
    "CASELOAD",
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
    "MONEY_YUAN",
    "NEED_WEIGHT",
    "NEW_STATIONS",
    "PER_DAY",
    "RADIUS_KM",
    "RADIUS_MIN",
    "SAMPLE_PER",
    "SEED",
    "SHARE",
    "SPEED_KMH",
    "STATION_WORKERS",
    "SUPERVISION_HOURS",
    "SUPERVISORS",
    "TIME_LIMIT_S",
    "TRIP_DAYS",
    "VISIT_HOURS",
    "YEARLY_WORKERS",
    "Count",
    "Number",
    "as_date",
    "clock_minutes",
    "clock_text",
    "long_speed",
    "parse_date",
    "parse_menu",
    "parse_month",
    "parse_yearly",
    "parse_yuan",
    "yuan_text",
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
CASELOAD = Number("caseload per worker", above=0, example=f"{settings.CASELOAD_PER_WORKER['need']:g}")
CAPACITY = Number("capacity", at_least=0, example="16")
STATION_WORKERS = Count("workers per station", at_least=1, at_most=settings.MAX_STATION_WORKERS, example="4")
YEARLY_WORKERS = Count("new certified workers", at_least=0, at_most=settings.MAX_YEARLY_WORKERS, example="120")
MONEY_YUAN = Number("amount in yuan", at_least=0, at_most=settings.MAX_BUDGET_YUAN, example="30000000")
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


# --------------------------------------------------------------------------- money and yearly lists
_MONEY = re.compile(
    r"\s*([+-]?(?:[0-9]{1,3}(?:[,，][0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|[+-]?\.[0-9]+)\s*(万元|亿元|万|亿|元|w|W)?\s*"
)
_MONEY_UNITS = {None: 1.0, "元": 1.0, "万": 1e4, "万元": 1e4, "w": 1e4, "W": 1e4, "亿": 1e8, "亿元": 1e8}


def parse_yuan(value: object, what: str = "amount") -> float:
    """Yuan from ``3000万``, ``1.1亿``, ``300000``, ``30万元``, ``2,500,000`` or a number; checked as
    :data:`MONEY_YUAN` (0 or more, at most :data:`settings.MAX_BUDGET_YUAN`).

    >>> parse_yuan("3000万"), parse_yuan("1.1亿"), parse_yuan(150000)
    (30000000.0, 110000000.0, 150000.0)
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return MONEY_YUAN(value)
    m = _MONEY.fullmatch(str(value))
    if m is None:
        msg = f"{what} {str(value)!r} not understood; write yuan, 万 or 亿, e.g. 3000万 or 1.1亿"
        raise InputError(msg)
    number = float(m.group(1).replace(",", "").replace("，", "")) * _MONEY_UNITS[m.group(2)]
    return MONEY_YUAN(round(number, 2))


def yuan_text(yuan: float) -> str:
    """Yuan as a planner writes them: ``3000万``, ``1.1亿``, ``8500`` (the inverse of :func:`parse_yuan`).

    >>> yuan_text(30_000_000), yuan_text(110_000_000), yuan_text(8_500)
    ('3000万', '1.1亿', '8500')
    """
    if abs(yuan) >= 1e8:
        return f"{yuan / 1e8:.4g}亿"
    if abs(yuan) >= 1e4:
        return f"{yuan / 1e4:.6g}万"
    return f"{yuan:.6g}"


#: Pairs are separated by commas or semicolons followed by the next key (so "2024:2,500,000" is one pair).
_PAIR_SEPARATORS = re.compile(r"\s*[,，;；]+\s*(?=\d+\s*[:：=])")
_PAIR = re.compile(r"\s*(\d+)\s*[:：=]\s*(.*?)\s*", re.DOTALL)


def _pairs(value: object, what: str, key: str, example: str) -> list[tuple[int, str]]:
    """``KEY:VALUE`` pairs of whole-number keys separated by commas or semicolons, each key once."""
    out: dict[int, str] = {}
    for item in _PAIR_SEPARATORS.split(str(value).strip(" \t\r\n,，;；")):
        if not item.strip():
            continue
        m = _PAIR.fullmatch(item)
        if m is None:
            msg = f"{what}: {item.strip()!r} is not {key}:VALUE; write e.g. {example}"
            raise InputError(msg)
        if int(m.group(1)) in out:
            msg = f"{what}: {key.lower()} {int(m.group(1))} is given twice; give each once"
            raise InputError(msg)
        out[int(m.group(1))] = m.group(2)
    if not out:
        msg = f"{what}: nothing given; write {key}:VALUE pairs, e.g. {example}"
        raise InputError(msg)
    return sorted(out.items())


def _pair_value(rule: Callable[[str], T], text: str, what: str, key: int) -> T:
    try:
        return rule(text)
    except InputError as exc:
        msg = f"{what}, {key}: {exc}"
        raise InputError(msg) from None


def parse_yearly(value: object, rule: Callable[[str], T], what: str, example: str) -> dict[int, T]:
    """``YEAR:VALUE`` pairs separated by commas (``2024:3000万,2025:3000万``), each value read by ``rule``.

    Years are four digits from :data:`settings.EARLIEST_DATE` to :data:`settings.LATEST_DATE`,
    each once; the pairs come back in year order.

    >>> parse_yearly("2025:120, 2024:100", YEARLY_WORKERS, "workers", "2024:120")
    {2024: 100, 2025: 120}
    >>> parse_yearly("2024:2,500,000；2025:1.1亿", parse_yuan, "budget", "2024:3000万")
    {2024: 2500000.0, 2025: 110000000.0}
    """
    first, last = int(settings.EARLIEST_DATE[:4]), int(settings.LATEST_DATE[:4])
    out: dict[int, T] = {}
    for year, text in _pairs(value, what, "YEAR", example):
        if not first <= year <= last:
            msg = f"{what}: year {year} is out of range; give a year from {first} to {last}"
            raise InputError(msg)
        out[year] = _pair_value(rule, text, what, year)
    return out


def parse_menu(value: object, what: str = "capacity menu") -> tuple[tuple[int, float], ...]:
    """Station sizes ``WORKERS:BUILD_COST`` (``2:10万,4:15万,6:20万``): workers as :data:`STATION_WORKERS`,
    one-off build cost as :func:`parse_yuan`; at most :data:`settings.MAX_MENU_SIZES` sizes, by workers.

    >>> parse_menu("4:15万, 2:10万")
    ((2, 100000.0), (4, 150000.0))
    """
    example = "2:10万,4:15万,6:20万"
    pairs = _pairs(value, what, "WORKERS", example)
    if len(pairs) > settings.MAX_MENU_SIZES:
        msg = f"{what}: {len(pairs)} sizes; give at most {settings.MAX_MENU_SIZES}"
        raise InputError(msg)
    return tuple(
        (_pair_value(STATION_WORKERS, str(workers), what, workers), _pair_value(parse_yuan, text, what, workers))
        for workers, text in pairs
    )
