"""Files bureaus really produce, each answered: the exact cases of issue 11 ("every bad input answered")."""

from __future__ import annotations

import argparse
import io
import tomllib
from pathlib import Path

import openpyxl
import pytest

from coverage import settings
from coverage._errors import InputError
from coverage.cli.common import province_and_stations, station_table_from_args
from coverage.data.stations import is_station_file, read_station_list, read_stations
from coverage.present.i18n.messages import untranslated_parts
from tests import station_files as sf

ROOT = Path(__file__).resolve().parent.parent
#: Ten Guangdong townships typed in full (360 bytes in UTF-8: too long for a file name).
TEN = {
    "广东省肇庆市德庆县九市镇": "441226114",
    "广东省肇庆市德庆县德城街道": "441226001",
    "广东省清远市连州市大路边镇": "441882102",
    "广东省清远市连山壮族瑶族自治县福堂镇": "441825108",
    "广东省汕尾市陆丰市东海街道": "441581001",
    "广东省阳江市江城区城东街道": "441702006",
    "广东省河源市和平县大坝镇": "441624101",
    "广东省揭阳市普宁市大坝镇": "445281103",
    "广东省肇庆市德庆县官圩镇": "441226103",
    "广东省肇庆市德庆县马圩镇": "441226105",
}
INLINE = ",".join(TEN)


def _error(call) -> str:
    with pytest.raises(InputError) as err:
        call()
    text = str(err.value)
    assert untranslated_parts(text) == [], text  # the app shows it in Chinese
    return text


# --------------------------------------------------------------------------- inline lists and paths
def test_an_inline_list_of_ten_names_is_read_not_probed_as_a_path():
    assert len(INLINE.encode()) > 255  # longer than a file name may be (the OSError of the issue)
    assert not is_station_file(INLINE)
    imported = read_station_list(INLINE, province="44")
    assert imported.report["township_code"].tolist() == list(TEN.values())
    assert imported.report["row"].tolist() == list(range(1, 11))
    assert imported.summary["matched"] == 10
    assert imported.notes[0].startswith("10 names given inline")


def test_every_station_argument_of_the_command_line_takes_the_inline_list():
    trip, described = station_table_from_args(argparse.Namespace(stations=INLINE), "44")
    assert sorted(trip["code"]) == sorted(TEN.values())
    _, stations, described = province_and_stations(argparse.Namespace(province="44", stations=Path(INLINE), crs=None))
    assert sorted(stations["township_code"]) == sorted(TEN.values())
    assert described is not None and described.nature == "uploaded" and described.name == "names given"
    text = _error(lambda: station_table_from_args(argparse.Namespace(stations="德庆县九市镇,火星镇"), "44"))
    assert text.startswith("1 station names not recognised") and "火星镇" in text


def test_long_or_odd_strings_never_crash_the_path_check(tmp_path):
    assert not is_station_file("九" * 5000)
    assert not is_station_file("a\x00b")
    one = read_station_list("九" * 5000, province="44")
    assert one.report["status"].tolist() == ["unmatched"]
    path = tmp_path / "名单"  # a file without a suffix is still a file
    path.write_text("站点名称\n德庆县九市镇\n", encoding="utf-8")
    assert is_station_file(str(path))
    assert read_station_list(str(path), province="44").report["township_code"].tolist() == ["441226114"]
    assert "file not found" in _error(lambda: read_station_list(str(tmp_path / "missing.csv"), province="44"))


# --------------------------------------------------------------------------- lists without a header
def test_a_plain_list_of_names_without_a_header_is_accepted():
    data = "德庆县九市镇\n连州市大路边镇\n\n连山县福堂镇\n".encode()
    imported = read_stations(data, filename="名单.txt")
    assert imported.report["row"].tolist() == [1, 2, 4]
    assert imported.report["township_code"].tolist() == ["441226114", "441882102", "441825108"]
    assert imported.table.headerless and imported.table.header_row == 0
    assert (
        "no header row: the first row, '德庆县九市镇', is a name, so the file is read as a list of names, one per row"
        in imported.notes
    )
    assert "1 empty rows skipped" in imported.notes
    assert imported.province == "44"


def test_one_name_alone_and_a_list_of_codes():
    assert read_stations("连州市大路边镇\n".encode(), filename="one.csv").report["township_code"].tolist() == [
        "441882102"
    ]
    codes = read_stations(b"441226114\n441882102\n", filename="codes.csv", province="44")
    assert codes.report["township_code"].tolist() == ["441226114", "441882102"]
    assert codes.columns == {"township_code": "乡镇代码"}


def test_a_single_column_with_an_unknown_header_is_read_as_names():
    imported = read_stations("单位\n德庆县九市镇\n".encode(), filename="u.csv", province="44")
    assert imported.report["row"].tolist() == [2]
    assert imported.report["township_code"].tolist() == ["441226114"]
    assert "the only column, '单位', is read as the station names" in imported.notes


# --------------------------------------------------------------------------- how names are written
@pytest.mark.parametrize(
    "text",
    [
        "廣東省肇慶市德慶縣九市鎮",
        "德慶縣九市鎮社工站",
        "德庆县九市镇（社工站）",
        "德庆县九市镇(社工站)",
        "【试点】德庆县九市镇",
        "九市镇社工站（德庆县）",
        "德庆县 九市镇",
        "德庆县\u3000九市镇",
        "德庆县\u00a0九市镇",
        "德庆县九市\u200b镇",
        "\ufeff德庆县九市镇",
        "德庆县九市镇\u200d社工站",
    ],
)
def test_traditional_bracketed_spaced_and_invisible_characters_match(text):
    row = read_station_list(text, province="44").report.iloc[0]
    assert (row["status"], row["township_code"]) == ("matched", "441226114")


def test_traditional_headers_and_guangxi_names():
    data = "站點名稱,經度,緯度\n廣西壯族自治區南寧市興寧區民生街道,,\n".encode()
    imported = read_stations(data, filename="t.csv", province="45")
    assert imported.columns["name"] == "站點名稱" and imported.columns["lon"] == "經度"
    assert imported.report["township_code"].tolist() == ["450102001"]


# --------------------------------------------------------------------------- provinces
MIXED = "名称\n德庆县九市镇\n连州市大路边镇\n连山县福堂镇\n贺州市八步区城东街道\n南宁市兴宁区民生街道\n"


def test_a_file_mixing_provinces_is_reported_row_by_row():
    imported = read_stations(MIXED.encode(), filename="mixed.csv")
    report = imported.report
    assert imported.province == "44"
    assert report["province"].tolist() == ["44", "44", "44", "45", "45"]
    assert report["status"].tolist() == ["matched"] * 3 + ["rejected"] * 2
    # the Guangxi 城东街道 is not placed in one of Guangdong's three 城东街道
    assert report["township_code"].tolist()[3:] == ["", ""]
    assert report.iloc[3]["message"].startswith("a township of 广西壮族自治区 (45): 贺州市八步区城东街道 (451102002)")
    assert any(
        n.startswith("the file mixes provinces (rows per province: 广东省 (44): 3, 广西壮族自治区 (45): 2)")
        for n in imported.notes
    )
    assert [r["province"] for r in imported.to_json()["rows"]] == ["44", "44", "44", "45", "45"]
    for message in list(report["message"]) + imported.notes:
        assert untranslated_parts(message) == [], message


def test_a_county_of_another_province_rules_out_same_named_streets():
    report = read_station_list("广西贺州市八步区城东街道,城东街道", province="44").report
    assert report["status"].tolist() == ["unmatched", "ambiguous"]
    assert report.iloc[0]["township_code"] == "" and report.iloc[0]["candidates"] == ""
    assert "names 广西壮族自治区贺州市八步区 (451102), outside 广东省" in report.iloc[0]["message"]


def test_guessing_the_province_asks_for_no_suggestions(monkeypatch):
    import coverage.data.names as names

    calls = []
    original = names.difflib.get_close_matches
    monkeypatch.setattr(names.difflib, "get_close_matches", lambda *a, **k: calls.append(a[0]) or original(*a, **k))
    unknown = [f"{a}{b}{c}镇社工站" for a in "山水田林木" for b in "云风花草" for c in "安平宁和兴盛泰康福寿"]
    imported = read_stations(("站点名称\n" + "\n".join(unknown)).encode(), filename="u.csv")
    assert len(imported.report) == 200
    unplaced = (~imported.report["status"].isin(["matched", "repaired"])).sum()
    assert len(calls) <= unplaced  # suggestions once per unplaced row, never for the national guess


# --------------------------------------------------------------------------- rows never lost
def test_a_stale_xlsx_dimension_loses_no_row():
    rows = [["编号", "站点名称"]] + [[f"S{i}", "德庆县九市镇"] for i in range(30)]
    data = sf.stale_dimension(sf.xlsx_bytes({"名单": rows}), "A1:B9")
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert sum(1 for _ in book.active.iter_rows()) == 9  # the trap: openpyxl trusts the tag
    report = read_stations(data, filename="s.xlsx", province="44").report
    assert report["row"].tolist() == list(range(2, 32))


def test_an_unclosed_quote_rejects_its_line_and_nothing_else():
    lines = ["站点名称,备注"] + [f"德庆县九市镇,{i}" for i in range(10)]
    lines[3] = '"德庆县九市镇,2'
    report = read_stations("\n".join(lines).encode(), filename="q.csv", province="44").report
    assert len(report) == 10 and report["row"].tolist() == list(range(2, 12))
    assert report["status"].tolist() == ["matched"] * 2 + ["rejected"] + ["matched"] * 7
    assert report.iloc[2]["message"].startswith(
        "line 4 cannot be split into cells: a quote (\") opened in it is never closed; its text: '\"德庆县九市镇,2'"
    )


def test_a_quoted_cell_with_a_line_break_stays_one_row():
    data = '编号,站点名称,地址\n1,德庆县九市镇,"九市镇\n人民路1号"\n2,连州市大路边镇,x\n'.encode()
    imported = read_stations(data, filename="m.csv", province="44")
    assert imported.report["row"].tolist() == [2, 4]
    assert imported.table.row_ends == [3, 4]
    assert imported.report["input: 地址"].tolist() == ["九市镇\n人民路1号", "x"]


def test_utf16_unicode_text_from_excel_is_read():
    data = "站点名称\t经度\t纬度\n德庆县九市镇\t\t\n連州市大路邊鎮\t\t\n".encode("utf-16")
    imported = read_stations(data, filename="Unicode文本.txt", province="44")
    assert imported.table.encoding == "utf-16 (BOM)" and imported.table.delimiter == "\t"
    assert imported.report["township_code"].tolist() == ["441226114", "441882102"]


def test_a_gbk_file_with_a_line_pasted_in_utf8_reads_every_line():
    data = "站点名称\n德庆县九市镇\n".encode("gbk") + "连州市大路边镇\n".encode() + "连山县福堂镇\n".encode("gbk")
    imported = read_stations(data, filename="mixed.csv", province="44")
    assert imported.report["township_code"].tolist() == ["441226114", "441882102", "441825108"]
    assert "lines 3 are UTF-8, the rest GB18030: each line was read in its own encoding" in imported.notes


def test_an_instructions_sheet_first_is_passed_over():
    data = sf.xlsx_bytes(
        {"填表说明": [["填表说明"], ["1. 站点名称填写全称"]], "站点": [["序号", "站点名称"], [1, "德庆县九市镇"]]}
    )
    imported = read_stations(data, filename="w.xlsx", province="44")
    assert imported.table.sheet == "站点"
    assert imported.notes[0] == "read sheet '站点': the first sheet '填表说明' has no station table"
    assert imported.report["township_code"].tolist() == ["441226114"]


def test_merged_city_and_county_cells_are_filled_down():
    rows = [
        ["序号", "市", "县", "乡镇"],
        [1, "肇庆市", "德庆县", "九市镇"],
        [2, None, None, "官圩镇"],
        [3, None, None, "马圩镇"],
        [4, "清远市", "连州市", "大路边镇"],
    ]
    data = sf.xlsx_bytes({"站点": rows}, merge={"站点": ["B2:B4", "C2:C4"]})
    imported = read_stations(data, filename="m.xlsx", province="44")
    assert imported.report["township_code"].tolist() == ["441226114", "441226103", "441226105", "441882102"]
    assert imported.report["input: 县"].tolist() == ["德庆县", "德庆县", "德庆县", "连州市"]
    assert "4 cells of merged blocks filled with the value at the top of their block" in imported.notes


# --------------------------------------------------------------------------- damaged workbooks
GOOD = sf.xlsx_bytes({"站点": [["站点名称"], ["德庆县九市镇"]]})


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (sf.cut_sheet_xml(GOOD), "a sheet's XML is cut off or damaged"),
        (sf.entity_bomb(GOOD), "its XML declares entities (an entity-expansion bomb), which is refused"),
        (sf.bad_zlib(GOOD), "its compressed data is damaged"),
        (sf.without_sheets(GOOD), "the workbook has no sheets"),
        (sf.plain_zip(), "it is a zip archive but not an Excel workbook"),
        (GOOD[: len(GOOD) // 2], "the file is cut off or damaged (not a complete zip archive)"),
    ],
    ids=["cut-xml", "entity-bomb", "bad-zlib", "no-sheets", "not-a-workbook", "truncated"],
)
def test_damaged_workbooks_are_refused_saying_what_is_wrong_and_what_to_do(data, what):
    text = _error(lambda: read_stations(data, filename="坏表.xlsx", province="44"))
    assert text == (
        f"坏表.xlsx cannot be read as an Excel workbook: {what}; "
        "save it again from Excel/WPS as .xlsx, or export it as CSV (UTF-8)"
    )


def test_openpyxl_parses_through_defusedxml():
    from defusedxml import EntitiesForbidden

    assert openpyxl.DEFUSEDXML is True
    with pytest.raises(Exception) as err:  # noqa: B017 - openpyxl wraps the parser's error
        openpyxl.load_workbook(io.BytesIO(sf.entity_bomb(GOOD)))
    chain, exc = [], err.value
    while exc is not None:
        chain.append(type(exc))
        exc = exc.__cause__ or exc.__context__
    assert EntitiesForbidden in chain


def test_a_web_page_saved_as_xls_is_refused():
    data = "<html><body><table><tr><td>站点名称</td></tr></table></body></html>".encode()
    assert _error(lambda: read_stations(data, filename="导出.xls", province="44")).startswith(
        "导出.xls cannot be read as a table: it is a web page (HTML)"
    )


# --------------------------------------------------------------------------- limits
def test_the_app_upload_limit_is_the_settings_one():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == settings.MAX_UPLOAD_MB
    assert settings.MAX_STATION_FILE_MB <= settings.MAX_UPLOAD_MB
    assert "max_upload_size=settings.MAX_STATION_FILE_MB" in (ROOT / "app_pages" / "data.py").read_text(
        encoding="utf-8"
    )


def test_files_beyond_the_row_and_size_limits_are_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "MAX_STATION_ROWS", 5)
    rows = "站点名称\n" + "德庆县九市镇\n" * 30
    text = _error(lambda: read_stations(rows.encode(), filename="big.csv", province="44"))
    assert text.startswith("big.csv has more than 5 rows; a station file is read up to 5 rows")
    book = sf.xlsx_bytes({"站点": [["站点名称"]] + [["德庆县九市镇"]] * 30})
    assert "has more than 5 rows" in _error(lambda: read_stations(book, filename="big.xlsx", province="44"))
    assert (
        len(read_stations(("站点名称\n" + "德庆县九市镇\n" * 5).encode(), filename="ok.csv", province="44").report) == 5
    )
    monkeypatch.setattr(settings, "MAX_STATION_FILE_MB", 0.0001)
    path = tmp_path / "s.csv"
    path.write_text(rows, encoding="utf-8")
    assert "MB, more than the 0.0001 MB a station file may have" in _error(lambda: read_stations(path, province="44"))
