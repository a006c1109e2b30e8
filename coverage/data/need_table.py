"""Need tables: how many people in need each township has, imported like a station list.

A civil-affairs bureau keeps counts per township: elderly people (60+), people on minimum-income
support (低保), extremely poor people (特困), orphans and children without de-facto carers,
people left behind, people with disabilities - whatever columns it has.  A need table is CSV
(any Chinese encoding) or XLSX with one row per township, keyed by its 9-digit code or its name
("德庆县九市镇", or a name with county and city columns).

Rows are placed in townships by the station importer (:func:`coverage.data.stations.import_table`:
codes of earlier registers, names with or without suffix, former names, county prefixes), so
every row gets one line in the same row-by-row report, with the same statuses - ``matched``,
``repaired``, ``ambiguous``, ``unmatched``, ``rejected`` - and messages.  On top of that:

* a row naming a township an earlier row already gave is ``rejected`` (one row per township);
* a count that is not a number, or negative, is left out of that row's need and the row is
  ``repaired`` (the message names the column and the cell); an empty cell counts 0 (a note
  says how many);
* the need columns are the recognised ones (:data:`NEED_ALIASES`, by header) plus any other
  column holding numbers that names no place (codes, years and dates are not need); pass
  ``need_columns`` to choose them yourself.

Need itself (a weighted sum of the columns, weights from :data:`coverage.settings.NEED_TABLE_WEIGHTS`
or the user) is computed by :func:`coverage.analysis.need.township_need`.

>>> table = read_need_table("乡镇代码,低保人数,特困人员\\n450102001,120,8\\n".encode(), "need.csv", province="45")
>>> table.values.to_dict(orient="records"), table.columns
([{'code': '450102001', '低保人数': 120.0, '特困人员': 8.0}], {'低保人数': 'dibao', '特困人员': 'tekun'})
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from coverage import settings
from coverage._errors import InputError
from coverage.data.io import read_table, shown
from coverage.data.schema import STATUSES
from coverage.data.stations import COLUMN_ALIASES, detect_columns, header_key, import_table, report_json_rows

#: Header names recognised for each need category (compared after :func:`header_key`; a header
#: containing one of them counts, the longest match wins, see ``_PRIORITY`` for ties).  The weights are
#: :data:`coverage.settings.NEED_TABLE_WEIGHTS`.
NEED_ALIASES: dict[str, tuple[str, ...]] = {
    "elderly": ("60岁以上", "60岁及以上", "老年人", "老年人口", "老人", "elderly", "aged60", "over60"),
    "dibao": ("低保", "最低生活保障", "dibao", "minimumincome"),
    "tekun": ("特困", "特困供养", "五保", "tekun", "extremelypoor"),
    "children": ("孤儿", "事实无人抚养", "困境儿童", "orphan", "childrenwithoutcarers"),
    "left_behind": ("留守", "leftbehind"),
    "disabled": ("残疾", "disabled", "disabilit"),
}
#: Category of a need column the tool does not recognise (weight :data:`settings.NEED_OTHER_WEIGHT`).
OTHER = "other"
#: Header words of columns that hold numbers but no need (years, codes, phone numbers ...).
NOT_NEED_WORDS = ("年份", "年度", "year", "日期", "date", "代码", "编码", "code", "电话", "phone", "邮编", "序号")
#: A column not recognised by its header is a need column when at least this share of its
#: non-empty cells are numbers.
NUMERIC_SHARE = 0.8
#: On a tie in length the more specific category wins ("留守老人" is left behind, not elderly).
_PRIORITY = ("left_behind", "children", "tekun", "dibao", "disabled", "elderly")
_ALIAS_KEYS = sorted(
    ((header_key(alias), category) for category, names in NEED_ALIASES.items() for alias in names),
    key=lambda item: (-len(item[0]), _PRIORITY.index(item[1])),
)
_UNIT_SUFFIX = re.compile(r"(人|户|名|个|人次)$")


def need_category(header: str) -> str | None:
    """The need category a column header names (``"低保人数"`` -> ``"dibao"``), or None.

    >>> need_category("60岁以上老年人数（人）"), need_category("留守儿童"), need_category("备注")
    ('elderly', 'left_behind', None)
    """
    key = header_key(header)
    return next((category for alias, category in _ALIAS_KEYS if alias and alias in key), None)


def parse_count(text: object) -> tuple[float | None, str]:
    """A number of people from a cell: ``"1,234"``, ``"56人"``, ``"12.0"``; (None, why) when it is not one.

    An empty cell is 0 with no complaint.

    >>> parse_count("1,234人"), parse_count(""), parse_count("约50")
    ((1234.0, ''), (0.0, ''), (None, "'约50' is not a number"))
    """
    raw = unicodedata.normalize("NFKC", str(text if text is not None else "")).strip()
    if not raw or raw.lower() in ("nan", "none"):
        return 0.0, ""
    cleaned = _UNIT_SUFFIX.sub("", raw.replace(",", "").replace(" ", "")).strip()
    try:
        value = float(cleaned)
    except ValueError:
        return None, f"'{shown(raw)}' is not a number"
    if not math.isfinite(value):
        return None, f"'{shown(raw)}' is not a number"
    if value < 0:
        return None, f"'{shown(raw)}' is negative"
    return value, ""


@dataclass
class NeedTable:
    """Counts per township (``values``: ``code`` then one float column per need column) and the report."""

    values: pd.DataFrame
    #: need column -> category (a key of :data:`NEED_ALIASES`, or :data:`OTHER`)
    columns: dict[str, str]
    report: pd.DataFrame
    province: str
    filename: str
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        """Rows per status (every status present, zero included), and the total."""
        counts = Counter(self.report["status"])
        out = {status: int(counts.get(status, 0)) for status in STATUSES}
        out["total"] = len(self.report)
        return out

    def default_weights(self) -> dict[str, float]:
        """The settings' weight of each need column (need units per person)."""
        return {
            col: settings.NEED_TABLE_WEIGHTS.get(category, settings.NEED_OTHER_WEIGHT)
            for col, category in self.columns.items()
        }

    def to_json(self) -> dict:
        """The document ``python -m coverage need import --json`` prints."""
        return {
            "file": self.filename,
            "province": self.province,
            "columns": self.columns,
            "default_weights": self.default_weights(),
            "townships": len(self.values),
            "notes": self.notes,
            "summary": self.summary,
            "rows": report_json_rows(self.report),
        }


def read_need_table(
    source: str | Path | bytes,
    filename: str | None = None,
    province: str | None = None,
    columns: dict[str, str] | None = None,
    need_columns: list[str] | None = None,
    sheet: str | int | None = None,
) -> NeedTable:
    """Read a need table and place every row in a township (see the module docstring).

    Parameters
    ----------
    source : path, or the file's bytes (an upload; give ``filename`` then).
    province : code or name; default: inferred from the rows, as for station lists.
    columns : role -> header overrides for the place columns (``{"township_code": "区划"}``),
        as :func:`coverage.data.stations.read_stations` takes them.
    need_columns : the headers holding counts of people (default: recognised and numeric columns).
    sheet : XLSX sheet name or 0-based index.

    Raises
    ------
    InputError
        for problems of the whole file: unreadable, no township column, no need column.
    """
    name = filename or (Path(source).name if isinstance(source, (str, Path)) else "upload")
    known = [a for names in COLUMN_ALIASES.values() for a in names]
    known += [a for names in NEED_ALIASES.values() for a in names]
    table = read_table(
        source,
        filename=name,
        known_headers=known,
        sheet=sheet,
        max_rows=settings.MAX_STATION_ROWS,
        max_mb=settings.MAX_STATION_FILE_MB,
        header_key=header_key,
    )
    roles = detect_columns(table.header, columns)
    if not ({"township_code", "township", "name"} & set(roles)):
        msg = (
            f"{name}: no township code or name column found; found: {shown(', '.join(table.header))} - "
            "name the column 乡镇代码 or 乡镇 (command line: --township-code-col or --township-col)"
        )
        raise InputError(msg)
    frame = table.frame()
    role_headers = {frame.columns[table.header.index(h)] for h in roles.values()}
    need = _need_columns(frame, role_headers, need_columns, name)
    place_only = {role: h for role, h in roles.items() if role not in ("lon", "lat", "lonlat", "opened", "closed")}
    imported = import_table(table, name, province, columns=place_only)
    report = imported.report.drop(columns=["lon_wgs84", "lat_wgs84"], errors="ignore").copy()
    values, notes = _read_counts(frame, need, report)
    return NeedTable(values, need, report, imported.province, name, [*imported.notes, *notes])


def _need_columns(frame: pd.DataFrame, roles: set[str], chosen: list[str] | None, name: str) -> dict[str, str]:
    """Need column -> category: the chosen headers, else recognised headers and numeric columns naming no place."""
    if chosen:
        missing = [c for c in chosen if c not in frame.columns]
        if missing:
            msg = f"{name}: column {', '.join(missing)} not found; found: {shown(', '.join(frame.columns))}"
            raise InputError(msg)
        return {c: need_category(c) or OTHER for c in chosen}
    out: dict[str, str] = {}
    for col in frame.columns:
        if col in roles:
            continue
        category = need_category(col)
        if category is None:
            key = header_key(col)
            if any(header_key(word) in key for word in NOT_NEED_WORDS):
                continue
            cells = [c for c in frame[col].tolist() if str(c).strip()]
            numbers = sum(parse_count(c)[0] is not None for c in cells)
            if not cells or numbers < NUMERIC_SHARE * len(cells):
                continue
        out[col] = category or OTHER
    if not out:
        msg = (
            f"{name}: no column of counts found; found: {shown(', '.join(frame.columns))} - give columns such as "
            "60岁以上老人, 低保, 特困, 孤儿, 留守, 残疾人 with numbers of people (command line: --columns)"
        )
        raise InputError(msg)
    return out


def _read_counts(frame: pd.DataFrame, need: dict[str, str], report: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Counts of the placed rows (one row per township), with the report's rows updated in place."""
    placed = report["status"].isin(["matched", "repaired"]).to_numpy()
    numbers = report["row"].to_numpy(dtype=int)
    first_row: dict[str, int] = {}
    records = []
    empty: Counter[str] = Counter()
    for i in range(len(report)):
        if not placed[i]:
            continue
        code = str(report.at[i, "township_code"])
        messages = [m for m in [str(report.at[i, "message"] or "")] if m]
        if code in first_row:
            report.at[i, "status"] = "rejected"
            messages.append(
                f"township {code} is already given on row {first_row[code]}; give one row per township (add them up)"
            )
            report.at[i, "message"] = "; ".join(messages)
            continue
        first_row[code] = int(numbers[i])
        record: dict[str, object] = {"code": code}
        for col in need:
            value, problem = parse_count(frame.at[i, col])
            if problem:
                messages.append(f"{col}: {problem}; left out")
                report.at[i, "status"] = "repaired"
            elif not str(frame.at[i, col]).strip():
                empty[col] += 1
            record[col] = 0.0 if value is None else value
        report.at[i, "message"] = "; ".join(messages)
        records.append(record)
    values = pd.DataFrame(records, columns=["code", *need])
    for col in need:
        values[col] = values[col].astype(float)
    notes = [f"{n} empty cells of {col} counted as 0" for col, n in empty.items()]
    return values, notes
