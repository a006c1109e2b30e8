"""Seeded fuzz of the station importer: 600 damaged station files, every input row answered.

Each file is a small station table as bureaus make them (Chinese, traditional or
English headers; real, bracketed, traditional, other-province and unknown names;
codes; coordinates inside Guangxi, swapped, outside China or in metres; dates),
then damaged one way: truncated, random bytes inserted, an unclosed quote,
mixed or wrong encodings, empty, a huge cell, binary garbage, blank lines, a
missing column, UTF-16, other delimiters and line ends; as XLSX: a stale
``<dimension>``, cut off, random bytes, cut sheet XML, an entity bomb, damaged
compressed data, no sheets, a plain zip, an instructions sheet first, merged cells.

The importer must answer each with either a report of exactly one row per
input row (every line with content below the header in one row's span, CSV;
every non-empty row below the header of the sheet read, XLSX) and a known
status per row, or the documented :class:`InputError` for the whole file - and
every message it writes, row or file, must have a Chinese template.
"""

from __future__ import annotations

import random
import re

import openpyxl
import pytest

from coverage._errors import InputError
from coverage.data.io import decode_text
from coverage.data.stations import STATUSES, read_stations
from coverage.present.i18n.messages import untranslated_parts
from tests import station_files as sf
from tests.conftest import csv_bytes

N_FILES = 600

HEADERS = {
    "name": ["站点名称", "名称", "站點名稱", "station", "社工站名称"],
    "township": ["乡镇", "所在乡镇", "鄉鎮"],
    "county": ["县", "区县"],
    "code": ["乡镇代码", "区划代码"],
    "lon": ["经度", "lon", "經度", "东经"],
    "lat": ["纬度", "lat", "緯度", "北纬"],
    "opened": ["建站时间", "成立日期"],
    "id": ["编号", "序号"],
    "other": ["备注", "负责人", "联系电话"],
}
NAMES = [
    "南宁市兴宁区民生街道社工站",
    "横县百合镇",
    "兴宁区民生街道（社工站）",
    "橫縣百合鎮",
    "百合\u200b镇",
    "\ufeff兴宁区\u00a0民生街道",
    "城东街道",
    "肇庆市德庆县九市镇",
    "贺州市八步区城东街道",
    "火星镇",
    "某某乡社会工作服务站",
    "",
    "荔浦县荔城镇",
    "１２３",
]
CODES = ["450102001", "450181101", "441226114", "450102001001", "999999999", "abc", ""]
LONLAT = [
    ("108.3446", "22.8249"),
    ("22.8249", "108.3446"),
    ("2.35", "48.85"),
    ("500000", "2500000"),
    ("E108°20'", "N22°49'"),
    ("x", "y"),
    ("", ""),
    ("109.41", "24.33"),
    ("112.98", "28.19"),
]
DATES = ["2021-03-15", "2021年3月", "44270", "去年", "", "2030-02-30"]


def _table(rng: random.Random) -> list[list[str]]:
    roles = rng.sample(list(HEADERS), rng.randint(1, 5))
    if rng.random() < 0.7 and "name" not in roles:
        roles.append("name")
    if ("lon" in roles) != ("lat" in roles):
        roles.append("lat" if "lon" in roles else "lon")
    header = [rng.choice(HEADERS[r]) for r in roles]
    rows = [header]
    for i in range(rng.randint(0, 10)):
        ll = rng.choice(LONLAT)
        cell = {
            "name": lambda: rng.choice(NAMES),
            "township": lambda: rng.choice(NAMES),
            "county": lambda: rng.choice(["兴宁区", "横州市", "德庆县", ""]),
            "code": lambda: rng.choice(CODES),
            "lon": lambda ll=ll: ll[0],
            "lat": lambda ll=ll: ll[1],
            "opened": lambda: rng.choice(DATES),
            "id": lambda i=i: f"S{i % 4}",
            "other": lambda: rng.choice(["张三", "0771-1234567", "备注，含逗号", 'a "quoted" word']),
        }
        rows.append([cell[r]() for r in roles])
    return rows


def _insert_bytes(rng: random.Random, data: bytes, pool: bytes | None = None) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randint(0, len(out))
        chunk = bytes(rng.choice(pool) for _ in range(rng.randint(1, 4))) if pool else rng.randbytes(rng.randint(1, 4))
        out[at:at] = chunk
    return bytes(out)


def _csv_case(rng: random.Random, kind: str) -> tuple[bytes, str]:
    rows = _table(rng)
    text_rows = [tuple(r) for r in rows]
    data = csv_bytes(text_rows, rng.choice(["utf-8", "utf-8-sig", "gb18030"]))
    if kind == "truncated":
        data = data[: rng.randint(0, len(data))]
    elif kind == "inserted":
        data = _insert_bytes(rng, data)
    elif kind == "inserted_text":
        data = _insert_bytes(rng, data, pool=b',;"\r\n\t ')
    elif kind == "unclosed_quote":
        lines = data.split(b"\n")
        k = rng.randrange(len(lines))
        lines[k] = b'"' + lines[k]
        data = b"\n".join(lines)
    elif kind == "mixed_encoding":
        lines = [",".join(r) for r in text_rows]
        data = b"\n".join(
            line.encode(rng.choice(["gb18030", "utf-8"]), errors="replace") if i else line.encode("gb18030")
            for i, line in enumerate(lines)
        )
    elif kind == "latin":
        data = "\n".join(",".join(r) for r in text_rows).encode("big5", errors="replace")
    elif kind == "empty":
        data = rng.choice([b"", b"   \n\n", b"\xef\xbb\xbf", b",,,\n,,"])
    elif kind == "huge_cell":
        lines = data.split(b"\n")
        k = rng.randrange(len(lines))
        lines[k] = lines[k] + b"," + ("九" * rng.randint(2_000, 20_000)).encode()
        data = b"\n".join(lines)
    elif kind == "garbage":
        data = rng.randbytes(rng.randint(1, 600))
    elif kind == "blank_lines":
        lines = data.split(b"\n")
        for _ in range(rng.randint(1, 4)):
            lines.insert(rng.randint(0, len(lines)), rng.choice([b"", b"  ", b",,,", b"\t"]))
        data = b"\n".join(lines)
    elif kind == "missing_column":
        kept = [r[1:] for r in text_rows] if len(text_rows[0]) > 1 else text_rows
        data = csv_bytes(kept)
    elif kind == "utf16":
        data = "\n".join("\t".join(r) for r in text_rows).encode(rng.choice(["utf-16", "utf-16-le"]))
    elif kind == "delimiters":
        delimiter = rng.choice(["\t", ";", "|"])
        ending = rng.choice(["\n", "\r\n", "\r"])
        data = ending.join(delimiter.join(r) for r in text_rows).encode()
    elif kind == "headerless":
        data = "\n".join(rng.choice(NAMES[:10]) for _ in range(rng.randint(1, 8))).encode()
    return data, f"{kind}.csv"


def _xlsx_case(rng: random.Random, kind: str) -> tuple[bytes, str]:
    rows = _table(rng)
    if kind == "x_instructions":
        data = sf.xlsx_bytes({"填表说明": [["填表说明"], ["请填写站点名称"]], "站点": rows})
    elif kind == "x_merged" and len(rows) > 3:
        rows = [["市", "县", "乡镇"]] + [
            ["南宁市" if i == 0 else None, "兴宁区", n] for i, n in enumerate(["民生街道", "朝阳街道", "火星镇"])
        ]
        data = sf.xlsx_bytes({"Sheet1": rows}, merge={"Sheet1": ["A2:A4"]})
    else:
        data = sf.xlsx_bytes({"Sheet1": rows})
    if kind == "x_stale":
        data = sf.stale_dimension(data, rng.choice(["A1:B2", "A1", "A1:Z9"]))
    elif kind == "x_truncated":
        data = data[: rng.randint(4, len(data) - 1)]
    elif kind == "x_flipped":
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(30, len(out))] = rng.randrange(256)
        data = bytes(out)
    elif kind == "x_cut_xml":
        data = sf.cut_sheet_xml(data, rng.uniform(0.1, 0.95))
    elif kind == "x_bomb":
        data = sf.entity_bomb(data)
    elif kind == "x_zlib":
        data = sf.bad_zlib(data)
    elif kind == "x_no_sheets":
        data = sf.without_sheets(data)
    elif kind == "x_plain_zip":
        data = sf.plain_zip()
    return data, f"{kind}.xlsx"


CSV_KINDS = [
    "plain",
    "truncated",
    "inserted",
    "inserted_text",
    "unclosed_quote",
    "mixed_encoding",
    "latin",
    "empty",
    "huge_cell",
    "garbage",
    "blank_lines",
    "missing_column",
    "utf16",
    "delimiters",
    "headerless",
]
XLSX_KINDS = [
    "x_plain",
    "x_stale",
    "x_truncated",
    "x_flipped",
    "x_cut_xml",
    "x_bomb",
    "x_zlib",
    "x_no_sheets",
    "x_plain_zip",
    "x_instructions",
    "x_merged",
]
KINDS = CSV_KINDS + XLSX_KINDS


def _case(seed: int) -> tuple[bytes, str]:
    rng = random.Random(seed)
    kind = KINDS[seed % len(KINDS)]
    return _xlsx_case(rng, kind) if kind.startswith("x_") else _csv_case(rng, kind)


def _content(line: str) -> bool:
    return bool(re.sub(r'[\s,;|\t，"]', "", line))


def _csv_lines(data: bytes) -> list[str]:
    """The file's physical lines, decoded (line by line when the encodings are mixed)."""
    try:
        text, _ = decode_text(data)
        lines = re.split(r"\r\n|\r|\n", text)
    except InputError:
        lines = [line.decode("gb18030", errors="replace") for line in re.split(rb"\r\n|\r|\n", data)]
    return lines


def _xlsx_rows_below(data: bytes, sheet: str, header_row: int) -> int:
    book = openpyxl.load_workbook(__import__("io").BytesIO(data), data_only=True)  # full mode: no dimension trusted
    rows = book[sheet].iter_rows(min_row=header_row + 1, values_only=True)
    return sum(1 for r in rows if any(v is not None and str(v).strip() for v in r))


@pytest.mark.parametrize("seed", range(N_FILES))
def test_every_damaged_file_gets_a_row_per_input_row_or_an_input_error(seed):
    data, filename = _case(seed)
    province = "45" if seed % 3 else None
    try:
        result = read_stations(data, filename=filename, province=province)
    except InputError as exc:
        assert str(exc) and untranslated_parts(str(exc)) == [], str(exc)
        return
    report, table = result.report, result.table
    assert len(report) == len(table.rows) == len(table.row_numbers) == len(table.row_ends)
    assert set(report["status"]) <= set(STATUSES)
    assert len(result.stations) == report["status"].isin(["matched", "repaired"]).sum()
    assert report["row"].tolist() == table.row_numbers
    for message in list(report["message"]) + result.notes:
        assert untranslated_parts(message) == [], message
    if filename.endswith(".xlsx"):
        below = _xlsx_rows_below(data, table.sheet, table.header_row)
        assert len(report) == below  # header_row is 0 for a list without a header
        return
    # CSV: every line with content below the header lies in exactly one row's span
    lines = _csv_lines(data)
    covered = [0] * (len(lines) + 1)
    for start, end in zip(table.row_numbers, table.row_ends, strict=True):
        assert table.header_row < start <= end
        for n in range(start, end + 1):
            covered[n] += 1
    for n, line in enumerate(lines, start=1):
        if n > table.header_row:
            assert covered[n] == (1 if _content(line) else covered[n]) and covered[n] <= 1, (n, line)
    rejected = report.loc[report["status"] == "rejected", "row"].tolist()
    assert set(table.rejected) <= set(rejected)
