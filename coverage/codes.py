"""Administrative division codes: what level a code is, and the units it lies in.

The national statistical division codes (NBS) nest by prefix: 2 digits for a
province, 4 for a city (prefecture), 6 for a county, 9 for a township; the
last three digits of a township code give its kind (see
:func:`coverage.data.register.kind_of`).  This module is the one place that
knows those lengths: everything else asks it instead of slicing strings.

Examples
--------
>>> level_of("441226114"), level_of("4412")
('township', 'city')
>>> unit_of("441226114", "county"), unit_of("441226114", "province")
('441226', '44')
>>> contains("4412", "441226114"), contains("45", "441226114")
(True, False)
>>> import pandas as pd
>>> units_of(pd.Series(["441226114", "450305004"]), "city").tolist()
['4412', '4503']
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from coverage._errors import InputError

Level = Literal["province", "city", "county", "township"]

#: Digits of a code at each level.
DIGITS: dict[Level, int] = {"province": 2, "city": 4, "county": 6, "township": 9}
#: Levels from the top down.
LEVELS: tuple[Level, ...] = ("province", "city", "county", "township")
_LEVEL_OF_DIGITS = {n: level for level, n in DIGITS.items()}


def level_of(code: str) -> Level:
    """The level of a 2-, 4-, 6- or 9-digit code; anything else is refused."""
    text = str(code).strip()
    level = _LEVEL_OF_DIGITS.get(len(text))
    if level is None or not text.isdigit():
        msg = (
            f"{code!r} is not an administrative code; give 2 digits for a province, 4 for a city, "
            "6 for a county or 9 for a township (e.g. 45, 4501, 450127, 450127100)"
        )
        raise InputError(msg)
    return level


def unit_of(code: str, level: Level) -> str:
    """The code of the unit at ``level`` that ``code`` lies in (``code`` itself at its own level)."""
    text = str(code).strip()
    n = DIGITS[level]
    if len(text) < n:
        msg = f"code {text!r} ({level_of(text)}) does not lie in a single {level}"
        raise InputError(msg)
    return text[:n]


def parent_of(code: str) -> str:
    """The code of the unit one level up ('' for a province)."""
    level = level_of(code)
    index = LEVELS.index(level)
    return "" if index == 0 else unit_of(code, LEVELS[index - 1])


def contains(region: str, code: str) -> bool:
    """True when ``code`` lies in ``region`` (a unit at any level; '' is the whole country)."""
    return str(code).startswith(str(region))


def units_of(codes: pd.Series, level: Level) -> pd.Series:
    """Vectorised :func:`unit_of`: the codes of the units at ``level`` (strings)."""
    return codes.astype(str).str[: DIGITS[level]]


def in_region(codes: pd.Series, region: str) -> pd.Series:
    """Vectorised :func:`contains`: which ``codes`` lie in ``region`` ('' selects all)."""
    return codes.astype(str).str.startswith(str(region))


def township_number(code: str) -> int:
    """The 3-digit township part of a 9-digit code (001-099 street, 100-199 town, ...)."""
    text = str(code).strip()
    if level_of(text) != "township":
        msg = f"{text!r} is not a 9-digit township code"
        raise InputError(msg)
    return int(text[DIGITS["county"] :])
