"""Import station lists: whatever a civil-affairs bureau has, turned into stations and a report.

A station file is CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX, with
Chinese or English headers.  Each row is placed in a township by its 9-digit
code, by its administrative name ("肇庆市德庆县九市镇社工站"), or by its
coordinates (point in township polygon).  Coordinates may be in WGS 84,
CGCS2000, GCJ-02 (Amap, Tencent) or BD-09 (Baidu); they are converted to
WGS 84.

Every input row gets one line in the report, with a status:

* ``matched``   placed in a township as given (``how`` says by what);
* ``repaired``  placed after a fix the message names (lat/lon swapped, old
  township name, town that became a street, point just off the coastline,
  unreadable date dropped ...);
* ``ambiguous`` the name fits several townships; the candidates are listed;
* ``unmatched`` no township found; the closest names are listed;
* ``rejected``  unusable (outside China, outside the province, duplicate id or
  location, nothing to place it by) - the message says why and what to do.

Matched and repaired rows become stations; the report keeps every input
column of every row, so nothing the user gave is lost.  The input file is
only read.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage import coords, settings
from coverage._errors import InputError
from coverage.data.columns import COLUMN_ALIASES
from coverage.data.io import RawTable, read_table, shown
from coverage.data.names import TownshipMatcher, fold, looks_like_place, matcher_for
from coverage.data.national import province_at, provinces_at
from coverage.data.register import load_register
from coverage.data.schema import STATUSES


def header_key(text: str) -> str:
    """Comparable form of a header: :func:`~coverage.data.names.fold` (NFKC, no invisible characters,
    simplified characters), lower case, no brackets' content, spaces, ``_`` or ``-``."""
    text = fold(text).lower()
    text = re.sub(r"[(\[（【].*?[)\]）】]", "", text)
    return re.sub(r"[\s_\-:：./]", "", text)


_ALIAS_INDEX = {header_key(a): role for role, names in COLUMN_ALIASES.items() for a in names}
_KNOWN_HEADERS = tuple(a for names in COLUMN_ALIASES.values() for a in names)


def detect_columns(header: list[str], overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Map roles (lon, lat, name ...) to the file's column names.

    ``overrides`` maps a role to a header of the file and wins over detection;
    naming a header that is not in the file raises :class:`InputError`.
    """
    found: dict[str, str] = {}
    names = list(header)
    for name in names:
        role = _ALIAS_INDEX.get(header_key(name))
        if role and role not in found:
            found[role] = name
    for role, name in (overrides or {}).items():
        if not name:
            continue
        if role not in COLUMN_ALIASES:
            msg = f"unknown column role {role!r}; roles: {', '.join(COLUMN_ALIASES)}"
            raise InputError(msg)
        if name not in names:
            msg = f"column {name!r} (given for {role}) is not in the file; found: {', '.join(names)}"
            raise InputError(msg)
        found[role] = name
    return found


# --------------------------------------------------------------------------- value parsing
_DMS_RE = re.compile(
    r"^([NSEW东西南北])?\s*(-?\d+(?:\.\d+)?)\s*(?:°|度)?\s*"
    r"(?:(\d+(?:\.\d+)?)\s*(?:'|′|分))?\s*(?:(\d+(?:\.\d+)?)\s*(?:\"|″|''|秒))?\s*([NSEW东西南北])?$",
    re.IGNORECASE,
)


def parse_degrees(text: str) -> float | None:
    """Degrees from "108.32", "108.32°", "E108.32", "108°19'12\"", "北纬22度49分" ...; None if unreadable."""
    t = unicodedata.normalize("NFKC", str(text or "")).strip().replace("东经", "E").replace("北纬", "N")
    if not t:
        return None
    try:
        value = float(t)
    except ValueError:
        match = _DMS_RE.match(t)
        if not match:
            return None
        hemi_a, deg, minutes, seconds, hemi_b = match.groups()
        value = float(deg) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
        hemi = (hemi_a or hemi_b or "").upper()
        if hemi in ("S", "W", "西", "南"):
            value = -value
    if not np.isfinite(value):
        return None
    return value


_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$"), 3),
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"), 2),
    (re.compile(r"^(\d{4})年?$"), 1),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), 3),
)


def parse_date(text: str) -> tuple[dt.date | None, str]:
    """A date from "2021-03-15", "2021/3/15", "2021年3月", "2021.3", "2021", or an Excel serial number.

    Partial dates take the first day of the month or year.  Returns
    ``(date or None, note)``; the note is non-empty when the text was
    unreadable or partial.
    """
    t = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not t:
        return None, ""
    for pattern, parts in _DATE_PATTERNS:
        match = pattern.match(t)
        if match:
            numbers = [int(g) for g in match.groups()[:parts]] + [1] * (3 - parts)
            try:
                date = dt.date(*numbers)
            except ValueError:
                return None, f"date '{shown(t)}' does not exist"
            if not 1949 <= date.year <= 2100:
                return None, f"date '{shown(t)}' is out of range"
            return date, "" if parts == 3 else f"partial date '{shown(t)}' read as {date.isoformat()}"
    try:
        serial = float(t)
    except ValueError:
        return None, f"date '{shown(t)}' unreadable (use YYYY-MM-DD)"
    if 18000 < serial < 80000:  # Excel day number (1949 .. 2119)
        date = dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))
        return date, f"Excel day number {shown(t)} read as {date.isoformat()}"
    return None, f"date '{shown(t)}' unreadable (use YYYY-MM-DD)"


def township_code_in(text: str) -> str | None:
    """A 9-digit township code in the text (12-digit village codes give their first 9)."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", str(text or "")))
    if len(digits) in (9, 12) or (len(digits) == 15 and digits.endswith("000")):
        return digits[:9]
    return None


def report_json_rows(report: pd.DataFrame, with_province: bool = False) -> list[dict]:
    """The row-by-row report as the ``--json`` documents print it: row, status, township, message.

    ``with_province`` adds each row's province (files that may mix provinces).
    """
    return [
        {
            "row": int(r["row"]),
            "status": r["status"],
            "township_code": r["township_code"] or None,
            **({"province": r["province"] or None} if with_province else {}),
            "message": r["message"],
        }
        for r in report.to_dict(orient="records")
    ]


# --------------------------------------------------------------------------- result
@dataclass
class StationImport:
    """Stations placed in townships, and the row-by-row report of how."""

    stations: gpd.GeoDataFrame
    report: pd.DataFrame
    province: str
    crs: str
    columns: dict[str, str]
    table: RawTable
    notes: list[str] = field(default_factory=list)
    #: True when the province was inferred from the rows (no ``province`` given): the JSON rows then
    #: carry each row's province too, as a file may mix provinces.
    province_inferred: bool = False

    @property
    def summary(self) -> dict[str, int]:
        """Rows per status (every status present, zero included), and the total."""
        counts = Counter(self.report["status"])
        out = {status: int(counts.get(status, 0)) for status in STATUSES}
        out["total"] = len(self.report)
        return out

    def to_json(self) -> dict:
        """The document ``python -m coverage stations check --json`` prints."""
        rows = report_json_rows(self.report, with_province=self.province_inferred)
        return {
            "province": self.province,
            "crs": self.crs,
            "encoding": self.table.encoding,
            "header_row": self.table.header_row,
            "columns": self.columns,
            "notes": self.notes,
            "summary": self.summary,
            "rows": rows,
        }


# --------------------------------------------------------------------------- import
def read_stations(
    source: str | Path | bytes,
    filename: str | None = None,
    province: str | None = None,
    crs: str | None = None,
    columns: dict[str, str] | None = None,
    sheet: str | int | None = None,
    fix_swapped: bool = True,
    townships: gpd.GeoDataFrame | None = None,
    snap_tolerance_m: float = settings.SNAP_TOLERANCE_M,
) -> StationImport:
    """Read a station file and place every row in a township.

    Parameters
    ----------
    source : path, or the file's bytes (an upload; give ``filename`` then).
    province : code or name; default: inferred from the rows (names, codes, coordinates), each
        row's province reported; rows of other provinces than the inferred one are rejected.
    crs : coordinate system of the file's coordinates: ``wgs84`` (default),
        ``cgcs2000``, ``gcj02`` (Amap/Tencent) or ``bd09`` (Baidu).  A ``坐标系``
        column overrides it per row.
    columns : role -> header overrides, e.g. ``{"lon": "东经", "lat": "北纬"}``.
    fix_swapped : swap latitude/longitude when only the swapped pair lies in China.
    townships : township polygons to place coordinates in (default: the
        embedded province's approximate cells).
    snap_tolerance_m : a point outside every township but this close to one is assigned to it.

    A file of one column whose first row is a name (not a header) is a list
    of names; files are read up to :data:`settings.MAX_STATION_ROWS` rows and
    :data:`settings.MAX_STATION_FILE_MB` megabytes.  See
    :func:`read_station_list` for a path *or* names typed inline.

    Raises
    ------
    InputError
        for problems of the whole file (empty, unreadable, too large, no usable columns).
    """
    coords.normalise_crs_name(crs)  # a wrong name fails before the file is read
    table = read_table(
        source,
        filename=filename,
        known_headers=_KNOWN_HEADERS,
        sheet=sheet,
        max_rows=settings.MAX_STATION_ROWS,
        max_mb=settings.MAX_STATION_FILE_MB,
        header_key=header_key,
    )
    name = filename or (Path(source).name if isinstance(source, (str, Path)) else "upload")
    return import_table(table, name, province, crs, columns, fix_swapped, townships, snap_tolerance_m)


def read_station_list(
    given: str | Path | bytes,
    filename: str | None = None,
    province: str | None = None,
    crs: str | None = None,
    columns: dict[str, str] | None = None,
    sheet: str | int | None = None,
    fix_swapped: bool = True,
    townships: gpd.GeoDataFrame | None = None,
    snap_tolerance_m: float = settings.SNAP_TOLERANCE_M,
) -> StationImport:
    """Stations from a file path, a file's bytes, or names typed inline - whichever ``given`` is.

    The one entry point wherever a station list is accepted (``stations
    check``, ``--stations`` of every command, ``site --candidates``, the
    app's upload).  A string is a path when a file of that name exists or
    it ends like one (.csv, .txt, .tsv, .xlsx, .xls); otherwise it is a list
    of names separated by commas, 、, semicolons or line breaks
    ("德庆县九市镇,连州市大路边镇"), read as a headerless one-column file.  A
    long string is never probed as a path beyond that.  The other
    parameters are those of :func:`read_stations` (``sheet`` only for files).

    >>> imported = read_station_list("德庆县九市镇,连州市大路边镇", province="44")
    >>> imported.report["township_code"].tolist(), imported.report["row"].tolist()
    (['441226114', '441882102'], [1, 2])
    """
    options: dict[str, Any] = {"province": province, "crs": crs, "columns": columns, "fix_swapped": fix_swapped}
    options |= {"townships": townships, "snap_tolerance_m": snap_tolerance_m}
    if isinstance(given, (bytes, bytearray)):
        return read_stations(bytes(given), filename=filename, sheet=sheet, **options)
    text = str(given)
    if is_station_file(text):
        return read_stations(Path(text), filename=filename, sheet=sheet, **options)
    names = inline_names(text)
    if not names:
        msg = "no station names given; give a file or names separated by commas"
        raise InputError(msg)
    if len(names) > settings.MAX_STATION_ROWS:
        msg = f"{len(names):,} names given inline; give at most {settings.MAX_STATION_ROWS:,}, or a file"
        raise InputError(msg)
    numbers = list(range(1, len(names) + 1))
    table = RawTable(
        header=["名称"],
        rows=[[n] for n in names],
        row_numbers=numbers,
        row_ends=list(numbers),
        header_row=0,
        headerless=True,
        notes=[f"{len(names)} names given inline (not a file); row numbers are their positions in the list"],
    )
    return import_table(table, filename or "inline list", **options)


def inline_names(text: str) -> list[str]:
    """Names typed in one string, separated by commas (half- or full-width), 、, semicolons or line breaks."""
    return [t.strip() for t in _INLINE_SEPARATORS.split(text) if t.strip()]


def _as_name_list(table: RawTable) -> dict[str, str]:
    """Roles of a one-column table whose header is not a known column name: a list of names (or codes).

    When its first row reads as a place name or a code rather than a header
    ("德庆县九市镇", "441226114") the table has no header row at all: that row
    is data, like the rest.  Otherwise (a header such as "单位") the column is
    read as the names.  Either way a note says so.  Tables of several columns
    are left alone (an empty mapping is returned).
    """
    used = [i for i, c in enumerate(table.header) if c.strip()]
    if len(used) != 1 or any(any(c.strip() for j, c in enumerate(r) if j != used[0]) for r in table.rows):
        return {}
    col = used[0]
    first = shown(table.header[col])
    values = [first] + [r[col] if len(r) > col else "" for r in table.rows[:200]]
    codes = sum(1 for v in values if township_code_in(v)) > len(values) / 2
    if codes or looks_like_place(first):
        label = "乡镇代码" if codes else "名称"
        table.rows.insert(0, list(table.header))
        table.row_numbers.insert(0, table.header_row)
        table.row_ends.insert(0, table.header_row)
        table.header = [""] * col + [label]
        table.header_row = 0  # no header row
        table.headerless = True
        table.notes = [n for n in table.notes if not n.startswith("header found on row")]
        table.notes.append(
            f"no header row: the first row, '{first}', is a {'code' if codes else 'name'}, "
            f"so the file is read as a list of {'codes' if codes else 'names'}, one per row"
        )
        return {"township_code" if codes else "name": label}
    table.notes.append(f"the only column, '{first}', is read as the station names")
    return {"name": first}


_INLINE_SEPARATORS = re.compile(r"[,，、;；\r\n]+")
#: File name endings that make a ``--stations`` argument a path (a missing file is then "file not found").
STATION_FILE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".et")


def is_station_file(text: str) -> bool:
    """Is ``text`` (a ``--stations`` argument) a file path rather than names? Never raises on long text."""
    text = text.strip()
    if not text or "\n" in text:
        return False
    if text.lower().endswith(STATION_FILE_SUFFIXES):
        return True
    try:
        return os.path.isfile(text)
    except (OSError, ValueError):
        return False


def import_table(
    table: RawTable,
    name: str,
    province: str | None,
    crs: str | None = None,
    columns: dict[str, str] | None = None,
    fix_swapped: bool = True,
    townships: gpd.GeoDataFrame | None = None,
    snap_tolerance_m: float = settings.SNAP_TOLERANCE_M,
) -> StationImport:
    """Place the rows of a table read by :func:`coverage.data.io.read_table` (see :func:`read_stations`)."""
    from coverage.data.provinces import load_province

    file_crs = coords.normalise_crs_name(crs)
    cols = detect_columns(table.header, columns)
    if not cols and not columns:
        cols = _as_name_list(table)
    if not table.rows:
        msg = f"{name} has a header row ({shown(', '.join(table.header))}) but no data rows below it"
        raise InputError(msg)
    has_xy = ("lon" in cols and "lat" in cols) or "lonlat" in cols
    text_roles = [r for r in ("township", "name", "address") if r in cols]
    if ("lon" in cols) != ("lat" in cols) and "lonlat" not in cols:
        have, lack = ("lon", "lat") if "lon" in cols else ("lat", "lon")
        msg = (
            f"{name}: found a {have} column ({cols[have]!r}) but no {lack} column; found: "
            f"{shown(', '.join(table.header))} - pass --{lack}-col"
        )
        raise InputError(msg)
    if not has_xy and "township_code" not in cols and not text_roles:
        msg = (
            f"{name}: no coordinate columns and no station/township name or code column found; "
            f"found: {shown(', '.join(table.header))} - name them with --lon-col/--lat-col or --name-col "
            "(in Python: columns={'lon': '...', 'lat': '...'} or columns={'name': '...'})"
        )
        raise InputError(msg)
    frame = table.frame()
    header = frame.columns.tolist()
    # the frame's columns were made unique; map roles to the unique names
    cols = {role: header[table.header.index(col)] for role, col in cols.items()}
    notes = list(table.notes)
    if crs is None and has_xy and "crs" not in cols:
        notes.append("coordinates assumed WGS 84; if they were copied from Amap/Tencent declare gcj02, from Baidu bd09")

    # the cells of each role as lists of text (row i of the table is index i)
    cells = {role: frame[col].tolist() for role, col in cols.items()}
    texts = _place_texts(cells, len(frame))
    rows = [_RowResult(number) for number in table.row_numbers]
    for r in rows:
        reason = table.rejected.get(r.row)
        if reason:
            r.status = "rejected"
            r.note(reason)
    _read_coordinates(cells, cols, file_crs, fix_swapped, rows)
    national = _national_provinces(cells, cols, texts, rows) if province is None else None
    prov_code = _choose_province(province, national, rows, notes)
    matcher = matcher_for(prov_code)
    if townships is None:
        townships = load_province(prov_code).townships
    prov_name = str(matcher.register.provinces.loc[prov_code, "name"])

    _place_by_location(townships, rows, snap_tolerance_m, prov_name)
    _place_by_name(cells, cols, texts, matcher, rows)
    _read_dates(cells, cols, rows)
    _check_duplicates(cells, cols, rows)
    _other_provinces(cells, cols, texts, rows, national, prov_code, matcher)
    swapped = sum(r.swapped for r in rows)
    if swapped and swapped >= 0.5 * len(rows):
        notes.append(f"latitude and longitude look swapped in {swapped} of {len(rows)} rows: check the column names")

    report = _report(frame, cols, rows, matcher, with_province=province is None)
    del frame
    stations = _stations(cells, cols, rows, townships, matcher)
    return StationImport(
        stations=stations,
        report=report,
        province=prov_code,
        crs=file_crs,
        columns=cols,
        table=table,
        notes=notes,
        province_inferred=province is None,
    )


@dataclass(slots=True)
class _RowResult:
    row: int
    status: str = ""
    code: str | None = None
    how: str = ""
    messages: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    lon: float | None = None
    lat: float | None = None
    location_code: str | None = None
    location_note: str = ""
    location_rejected: str = ""
    swapped: bool = False
    repaired: bool = False
    opened: dt.date | None = None
    closed: dt.date | None = None
    province: str = ""
    elsewhere: str | None = None  # the township found when the row is read against all of China

    def note(self, message: str, repaired: bool = False) -> None:
        if message:
            self.messages.append(message)
        self.repaired = self.repaired or repaired


def _place_texts(cells: dict[str, list[str]], n: int) -> list[str]:
    """The text naming each row's township: township (+county, city) columns, else the name, else the address."""
    out = []
    for i in range(n):
        main = next((cells[r][i] for r in ("township", "name", "address") if r in cells and cells[r][i].strip()), "")
        prefix = "".join(cells[r][i] for r in ("city", "county") if r in cells)
        out.append(prefix + main if main else "")
    return out


def _national_provinces(
    cells, cols, texts: list[str], rows: list[_RowResult], only: list[int] | None = None
) -> list[str]:
    """Each row's province (2-digit code, "" when unknown) read against all of China.

    From the row's township code, else its name (matched nationally, without
    suggestions: one lookup per row), else its coordinates (province polygons).
    The township found is kept on the row (``r.elsewhere``) for messages.
    ``only`` limits the work to those row indices.
    """
    reg = load_register()
    national = matcher_for(None)
    out = [""] * len(rows)
    by_point: list[tuple[int, float, float]] = []
    for i in range(len(rows)) if only is None else only:
        r = rows[i]
        if r.status == "rejected":
            continue
        code = township_code_in(cells["township_code"][i]) if "township_code" in cols else None
        if code is not None and code in reg.townships.index:
            out[i], r.elsewhere = code[:2], code
            continue
        if texts[i]:
            found = national.match(texts[i], suggest=False)
            if found.code:
                out[i], r.elsewhere = found.code[:2], found.code
                continue
            provinces = {c[:2] for c, _ in candidate_codes({"candidates": "; ".join(found.candidates)})}
            if len(provinces) == 1:
                out[i] = provinces.pop()
                continue
        if r.lon is not None and r.lat is not None:
            by_point.append((i, r.lon, r.lat))
    if by_point:
        in_polygon = provinces_at([lon for _, lon, _ in by_point], [lat for _, _, lat in by_point])
        for (i, _, _), code in zip(by_point, in_polygon, strict=True):
            out[i] = code
    return out


def _choose_province(province: str | None, national: list[str] | None, rows: list[_RowResult], notes: list[str]) -> str:
    """The province the file is read in: the one given, else the one most rows are in (with data available)."""
    from coverage.data.provinces import province_files

    reg = load_register()
    if province is not None:
        return reg.province_code(province)
    votes = Counter(p for p in national or [] if p)
    available = province_files()
    names = reg.provinces["name"]
    for code, _ in votes.most_common():
        if code in available:
            notes.append(f"province not given; {names[code]} ({code}) inferred from the names")
            if len(votes) > 1:
                counts = ", ".join(f"{names[c]} ({c}): {n}" for c, n in votes.most_common())
                notes.append(
                    f"the file mixes provinces (rows per province: {counts}); rows of other provinces than {names[code]} are rejected "
                    "- load each province's rows separately, or pass --province"
                )
            return str(code)
    code = settings.DEFAULT_PROVINCE
    notes.append(f"province not given and not inferred from the names; assumed {names[code]} ({code})")
    return code


def _other_provinces(cells, cols, texts, rows, national: list[str] | None, prov_code: str, matcher) -> None:
    """Give every row its province, and say so for unplaced rows that are townships of another province.

    With the province inferred (``national`` given) such rows are rejected:
    they are outside the province of the import.  With the province given by
    the user an unmatched row stays unmatched, its message naming the
    township of the other province.
    """
    inferred = national is not None
    unplaced = [
        i for i, r in enumerate(rows) if r.status in (("unmatched", "ambiguous") if inferred else ("unmatched",))
    ]
    if national is None:
        national = [""] * len(rows)
        if unplaced:
            found = _national_provinces(cells, cols, texts, rows, only=unplaced)
            for i in unplaced:
                national[i] = found[i]
    names = matcher.register.provinces["name"]
    wanted = set(unplaced)
    for i, r in enumerate(rows):
        if r.code:
            r.province = r.code[:2]
            continue
        r.province = national[i]
        if i not in wanted or not r.province or r.province == prov_code:
            continue
        where = f"{names[r.province]} ({r.province})"
        label = matcher_for(None).label(r.elsewhere) if r.elsewhere else ""
        if inferred:
            r.status, r.how, r.candidates = "rejected", "other province", []
            r.messages = [
                f"a township of {where}{': ' + label if label else ''}, not of {names[prov_code]} ({prov_code}), "
                "the province of this import; load it with the rows of its province (--province)"
            ]
        elif label:
            r.note(f"it is a township of {where}: {label}")


def _read_coordinates(cells, cols, file_crs, fix_swapped, rows) -> None:
    if not (("lon" in cols and "lat" in cols) or "lonlat" in cols):
        return
    for i, r in enumerate(rows):
        if r.status == "rejected":
            continue
        if "lon" in cols and "lat" in cols:
            raw_lon, raw_lat = str(cells["lon"][i]), str(cells["lat"][i])
        else:  # one column holding "lon,lat"
            pair = re.split(r"[,，;；\s]+", str(cells["lonlat"][i]).strip())
            raw_lon, raw_lat = (pair + ["", ""])[:2]
        if not raw_lon.strip() and not raw_lat.strip():
            continue
        raw_lon, raw_lat = shown(raw_lon), shown(raw_lat)  # as quoted in messages; parsed below
        lon, lat = parse_degrees(raw_lon), parse_degrees(raw_lat)
        if lon is None or lat is None:
            r.location_rejected = (
                f"coordinates '{raw_lon}', '{raw_lat}' unreadable (use decimal degrees such as 108.32, 22.81)"
            )
            continue
        row_crs = file_crs
        if "crs" in cols and str(cells["crs"][i]).strip():
            try:
                row_crs = coords.normalise_crs_name(cells["crs"][i])
            except InputError as exc:
                r.location_rejected = str(exc)
                continue
        if (abs(lon) > 180 or abs(lat) > 90) and (abs(lon) > 1000 or abs(lat) > 1000):
            r.location_rejected = (
                f"coordinates {raw_lon}, {raw_lat} look like metres of a projected system, not degrees; "
                "convert them to longitude/latitude degrees"
            )
            continue
        inside = bool(coords.in_china_bbox(lon, lat))
        if not inside and bool(coords.in_china_bbox(lat, lon)):
            r.swapped = True
            if fix_swapped:
                lon, lat = lat, lon
                r.note(
                    f"latitude and longitude were swapped ({raw_lon}, {raw_lat}); read as lon {lon}, lat {lat}",
                    repaired=True,
                )
                inside = True
            else:
                r.location_rejected = (
                    f"latitude and longitude look swapped ({raw_lon}, {raw_lat}); swap the columns or allow the fix"
                )
                continue
        if not inside:
            r.location_rejected = (
                f"outside China (lon {lon}, lat {lat}); check the coordinates and which column is which"
            )
            continue
        wlon, wlat = coords.to_wgs84(lon, lat, row_crs)
        r.lon, r.lat = round(float(wlon), 7), round(float(wlat), 7)
        if row_crs in ("gcj02", "bd09"):
            r.note(f"converted from {row_crs} to WGS 84")


def _place_by_location(townships, rows, tolerance_m, prov_name) -> None:
    located = [r for r in rows if r.lon is not None]
    if not located or townships is None or townships.empty:
        return
    geoms = townships.geometry.values
    points = shapely.points([r.lon for r in located], [r.lat for r in located])
    tree = shapely.STRtree(geoms)
    pairs = tree.query(points, predicate="within")
    first: dict[int, int] = {}
    for p, t in zip(*pairs, strict=True):
        first.setdefault(int(p), int(t))
    codes = townships["code"].to_numpy()
    names = townships["name"].to_numpy()
    missing = [i for i in range(len(located)) if i not in first]
    if missing:
        # distance to the nearest township, in metres (projected CRS of the province)
        from coverage.coords import projected_crs_for

        crs = projected_crs_for(townships)
        pts = gpd.GeoSeries(points[missing], crs=settings.WORK_CRS).to_crs(crs)
        proj = gpd.GeoSeries(geoms, crs=townships.crs).to_crs(crs)
        near_idx, dist = shapely.STRtree(proj.values).query_nearest(pts.values, return_distance=True, all_matches=False)
        for k, t, d in zip(near_idx[0], near_idx[1], dist, strict=True):
            r = located[missing[k]]
            if d <= tolerance_m:
                first[missing[k]] = int(t)
                r.location_note = f"{d:.0f} m outside the township polygons (generalised coast or border); assigned to the nearest, {names[t]}"
            else:
                elsewhere = province_at(r.lon, r.lat)
                where = f"it lies in {elsewhere}" if elsewhere else f"nearest: {names[t]}, {d / 1000:.1f} km away"
                r.location_rejected = (
                    f"outside every township of {prov_name} ({where}); "
                    "check the coordinates, their coordinate system, or the province"
                )
    for i, r in enumerate(located):
        if i in first:
            r.location_code = str(codes[first[i]])


def _place_by_name(cells, cols, texts, matcher: TownshipMatcher, rows) -> None:
    reg = matcher.register
    for i, r in enumerate(rows):
        if r.status == "rejected":
            continue
        code_text = str(cells["township_code"][i]) if "township_code" in cols else ""
        given_code = township_code_in(code_text) if code_text.strip() else None
        text = texts[i]
        name_result = matcher.match(text) if text else None
        if code_text.strip() and given_code is None:
            r.note(f"township code '{shown(code_text)}' is not a 9-digit code; ignored")
        if given_code is not None and given_code not in reg.townships.index:
            former = reg.former_townships[reg.former_townships["old_code"] == given_code]
            if len(former) and former.iloc[-1]["new_code"]:
                new = former.iloc[-1]["new_code"]
                r.note(
                    f"code {given_code} ({former.iloc[-1]['old_name']}) is from the {former.iloc[-1]['last_year']} register; now {matcher.label(new)}",
                    repaired=True,
                )
                given_code = new
            else:
                r.note(f"code {given_code} is not in the {settings.REGISTER_YEAR} register; ignored")
                given_code = None
        if given_code is not None and matcher.province_code and not given_code.startswith(matcher.province_code):
            r.note(f"code {given_code} belongs to another province; ignored")
            given_code = None
        if r.location_rejected:
            if given_code is None and not (name_result and name_result.code):
                r.status = "rejected"
                r.note(r.location_rejected)
                continue
            r.note(r.location_rejected + "; placed by its township instead", repaired=True)
            r.lon = r.lat = None
            r.location_code = None
        if given_code is not None:
            r.code, r.how = given_code, "code"
            if len(code_text.strip()) > 9:
                r.note(f"'{shown(code_text)}' shortened to the 9-digit township code {given_code}", repaired=True)
            if name_result and name_result.code and name_result.code != given_code:
                r.note(
                    f"name '{shown(text)}' points to {matcher.label(name_result.code)}, the code to {matcher.label(given_code)}; the code is used"
                )
        elif name_result is not None and name_result.code:
            r.code, r.how = name_result.code, name_result.how
            r.note(name_result.message, repaired=name_result.status == "repaired")
        elif name_result is not None and r.location_code is None:
            r.status = name_result.status
            r.how = name_result.how
            r.candidates = name_result.candidates
            r.note(name_result.message)
            continue
        if r.location_code is not None:
            if r.code is None:
                r.code, r.how = r.location_code, "location"
                if name_result is not None and name_result.candidates:
                    if any(r.location_code in c for c in name_result.candidates):
                        r.how = "name and location"  # the location picks one of the candidates
                    elif "township" in cols:
                        r.note(f"township column: {name_result.message}")
            elif r.location_code != r.code:
                r.note(
                    f"its coordinates fall in {matcher.label(r.location_code)} (township boundaries are approximate); "
                    f"the {'code' if r.how == 'code' else 'name'} is used"
                )
            if r.location_note:
                r.note(r.location_note, repaired=True)
        if r.code is None:
            r.status = "rejected"
            r.note("no coordinates, township code or township name to place it by; add one")
            continue
        r.status = "repaired" if r.repaired else "matched"


def _read_dates(cells, cols, rows) -> None:
    for role in ("opened", "closed"):
        if role not in cols:
            continue
        for i, r in enumerate(rows):
            if r.status == "rejected":
                continue
            date, note = parse_date(cells[role][i])
            setattr(r, role, date)
            if note:
                r.note(f"{role}: {note}", repaired=date is None)
                if r.status == "matched" and date is None:
                    r.status = "repaired"
    for r in rows:
        if r.opened and r.closed and r.closed < r.opened:
            r.note(f"closed {r.closed} before opened {r.opened}; closing date dropped", repaired=True)
            r.closed = None
            if r.status == "matched":
                r.status = "repaired"


def _check_duplicates(cells, cols, rows) -> None:
    """Reject a row repeating an earlier row's station id, or lying within
    :data:`settings.DUPLICATE_DISTANCE_M` of an earlier placed row (measured in metres)."""
    seen_ids: dict[str, int] = {}
    for i, r in enumerate(rows):
        if r.status not in ("matched", "repaired") or "station_id" not in cols:
            continue
        sid = str(cells["station_id"][i]).strip()
        if not sid:
            continue
        if sid in seen_ids:
            r.status = "rejected"
            r.note(f"station id '{shown(sid)}' already used by row {seen_ids[sid]}; give each station its own id")
            continue
        seen_ids[sid] = r.row
    placed = [r for r in rows if r.status in ("matched", "repaired") and r.lon is not None]
    if len(placed) < 2:
        return
    from pyproj import Transformer
    from scipy.spatial import cKDTree

    lon = np.array([r.lon for r in placed], dtype=float)
    lat = np.array([r.lat for r in placed], dtype=float)
    crs = coords.gauss_kruger_crs(float((lon.min() + lon.max()) / 2))
    x, y = Transformer.from_crs(settings.WORK_CRS, crs, always_xy=True).transform(lon, lat)
    tree = cKDTree(np.column_stack([x, y]))
    kept = np.ones(len(placed), dtype=bool)
    for k, near in enumerate(tree.query_ball_point(np.column_stack([x, y]), r=settings.DUPLICATE_DISTANCE_M)):
        earlier = [j for j in near if j < k and kept[j]]
        if earlier:
            kept[k] = False
            placed[k].status = "rejected"
            placed[k].note(
                f"same location as row {placed[min(earlier)].row}; if these are two stations check the coordinates, "
                "otherwise delete the repeated row"
            )


def _report(frame, cols, rows, matcher: TownshipMatcher, with_province: bool = False) -> pd.DataFrame:
    reg = matcher.register
    towns = reg.townships

    def label(code):
        return matcher.label(code) if code and code in towns.index else ""

    report = pd.DataFrame(
        {
            "row": [r.row for r in rows],
            "status": [r.status for r in rows],
            "township_code": [r.code or "" for r in rows],
            "township": [label(r.code) for r in rows],
            "how": [r.how for r in rows],
            "message": ["; ".join(m for m in r.messages if m) for r in rows],
            "candidates": ["; ".join(r.candidates) for r in rows],
            "lon_wgs84": [r.lon for r in rows],
            "lat_wgs84": [r.lat for r in rows],
        }
    )
    if with_province:  # the file may mix provinces: say each row's
        report["province"] = [r.province for r in rows]
    original = frame.set_axis([f"input: {c}" for c in frame.columns], axis=1).reset_index(drop=True)
    return pd.concat([report, original], axis=1)


def _stations(cells, cols, rows, townships, matcher: TownshipMatcher) -> gpd.GeoDataFrame:
    reg = matcher.register
    points = {}
    if townships is not None and not townships.empty:
        points = dict(zip(townships["code"], zip(townships["lon"], townships["lat"], strict=True), strict=True))

    def value(role: str, i: int) -> str:
        return cells[role][i].strip() if role in cells else ""

    # built column by column (a dict per row costs ten times the data)
    placed = [i for i, r in enumerate(rows) if r.status in ("matched", "repaired")]
    lons, lats, wheres = [], [], []
    for i in placed:
        r = rows[i]
        if r.lon is None:
            lon, lat = points.get(r.code, (np.nan, np.nan))
            lons.append(lon)
            lats.append(lat)
            wheres.append("township point (approximate)")
        else:
            lons.append(r.lon)
            lats.append(r.lat)
            wheres.append("input")
    out = pd.DataFrame(
        {
            "station_id": [value("station_id", i) or f"row-{rows[i].row}" for i in placed],
            "name": [value("name", i) or value("township", i) for i in placed],
            "township_code": [rows[i].code for i in placed],
            "lon": pd.array(lons, dtype="float64"),
            "lat": pd.array(lats, dtype="float64"),
            "location_source": wheres,
            "opened": pd.Series([rows[i].opened for i in placed], dtype="object"),
            "closed": pd.Series([rows[i].closed for i in placed], dtype="object"),
            "source": [value("source", i) for i in placed],
            "notes": [value("notes", i) for i in placed],
            "row": pd.array([rows[i].row for i in placed], dtype="int64"),
            "status": [rows[i].status for i in placed],
        }
    )
    town = reg.townships.reindex(out["township_code"])
    out.insert(3, "township_name", town["name"].to_numpy())
    out.insert(4, "county_code", town["county_code"].to_numpy())
    out.insert(5, "county_name", town["county_code"].map(reg.counties["name"]).to_numpy())
    out.insert(6, "city_code", town["city_code"].to_numpy())
    out.insert(7, "city_name", town["city_code"].map(reg.cities["name"]).to_numpy())
    out.insert(8, "kind", town["kind"].to_numpy())
    out["name"] = out["name"].where(out["name"] != "", out["township_name"])
    return gpd.GeoDataFrame(
        out, geometry=gpd.points_from_xy(out["lon"].astype(float), out["lat"].astype(float)), crs=settings.WORK_CRS
    )


def candidate_codes(report_row) -> list[tuple[str, str]]:
    """(code, label) of the candidates listed in a report row (``"贺州市八步区城东街道 (451102002); ..."``).

    A successor of an abolished township keeps its share in the label:
    ``"桂林市雁山区某镇 (450311102) (60% of its villages/communities)"`` gives
    ``("450311102", "桂林市雁山区某镇 (60% of its villages/communities)")``.
    """
    out = []
    for part in str(report_row.get("candidates", "") or "").split(";"):
        found = re.search(r"^(.*?)\s*\((\d{9})\)\s*(.*)$", part.strip())
        if found:
            out.append((found.group(2), " ".join(x for x in (found.group(1).strip(), found.group(3).strip()) if x)))
    return out


def resolve(
    imported: StationImport, choices: dict[int, str], townships: gpd.GeoDataFrame | None = None
) -> StationImport:
    """Place ambiguous or unmatched rows in the townships the user chose: ``{row number: township code}``.

    The rows become *repaired* (the message says the user chose), and become
    stations at their input coordinates or, without them, the township's point.
    """
    if not choices:
        return imported
    report = imported.report.copy()
    matcher = matcher_for(imported.province)
    towns = matcher.register.townships
    points = {}
    if townships is not None and not townships.empty:
        points = dict(zip(townships["code"], zip(townships["lon"], townships["lat"], strict=True), strict=True))
    cols = imported.columns
    new = []
    for row, code in choices.items():
        hit = report.index[report["row"] == int(row)]
        if len(hit) == 0 or code not in towns.index:
            msg = f"row {row} or township code {code} not found; choose among the candidates listed in the report"
            raise InputError(msg)
        i = hit[0]
        if report.at[i, "status"] in ("matched", "repaired"):
            continue
        report.at[i, "status"] = "repaired"
        report.at[i, "township_code"] = code
        report.at[i, "township"] = matcher.label(code)
        report.at[i, "how"] = "chosen by the user"
        report.at[i, "message"] = f"{report.at[i, 'message']!s}; resolved by the user: {matcher.label(code)}".lstrip(
            "; "
        )

        def cell(role: str, i: int = i) -> str:
            header = cols.get(role)
            value: Any = report.at[i, f"input: {header}"] if header and f"input: {header}" in report.columns else ""
            return "" if pd.isna(value) else str(value).strip()

        lon: Any = report.at[i, "lon_wgs84"]
        lat: Any = report.at[i, "lat_wgs84"]
        where = "input"
        if lon is None or pd.isna(lon):
            lon, lat = points.get(code, (np.nan, np.nan))
            where = "township point (approximate)"
        town = towns.loc[code]
        county_code, city_code = str(town["county_code"]), str(town["city_code"])
        new.append(
            {
                "station_id": cell("station_id") or f"row-{row}",
                "name": cell("name") or cell("township") or town["name"],
                "township_code": code,
                "township_name": town["name"],
                "county_code": county_code,
                "county_name": matcher.register.counties["name"].get(county_code, ""),
                "city_code": city_code,
                "city_name": matcher.register.cities["name"].get(city_code, ""),
                "kind": town["kind"],
                "lon": float(lon),
                "lat": float(lat),
                "location_source": where,
                "opened": parse_date(cell("opened"))[0],
                "closed": parse_date(cell("closed"))[0],
                "source": cell("source"),
                "notes": cell("notes"),
                "row": int(row),
                "status": "repaired",
            }
        )
    added = pd.DataFrame(new, columns=[c for c in imported.stations.columns if c != "geometry"])
    table = pd.concat([pd.DataFrame(imported.stations.drop(columns="geometry")), added], ignore_index=True)
    table = table.sort_values("row", kind="stable").reset_index(drop=True)
    stations = gpd.GeoDataFrame(
        table,
        geometry=gpd.points_from_xy(table["lon"].astype(float), table["lat"].astype(float)),
        crs=settings.WORK_CRS,
    )
    return replace(imported, stations=stations, report=report)
