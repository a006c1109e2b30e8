"""Reading tables in Chinese encodings and writing files atomically."""

import datetime as dt

import openpyxl
import pytest

from coverage._errors import InputError
from coverage.data.io import atomic_output, atomic_write, decode_text, read_table, write_table

ROWS = [("站点名称", "经度", "纬度"), ("九市镇社工站", "112.13", "23.43"), ("𠙶镇", "1", "2")]


@pytest.mark.parametrize(
    ("encoding", "detected"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8 (BOM)"), ("gb18030", "gb18030")]
)
def test_encodings_are_detected(encoding, detected):
    data = "\n".join(",".join(r) for r in ROWS).encode(encoding)
    text, found = decode_text(data)
    assert found == detected
    assert text.splitlines()[1].startswith("九市镇社工站")


def test_gbk_file_reads(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("站点名称,经度,纬度\n九市镇社工站,112.13,23.43\n".encode("gbk"))
    table = read_table(path, known_headers=["站点名称"])
    assert table.encoding == "gb18030"
    assert table.header == ["站点名称", "经度", "纬度"]
    assert table.rows == [["九市镇社工站", "112.13", "23.43"]]
    assert table.row_numbers == [2]


def test_title_rows_above_the_header_are_skipped(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("德庆县社工站名单\n\n站点名称,经度\n九市,112.1\n", encoding="utf-8")
    table = read_table(path, known_headers=["经度"])
    assert table.header == ["站点名称", "经度"]
    assert table.header_row == 3
    assert table.row_numbers == [4]


def test_semicolon_and_tab_delimiters(tmp_path):
    for delimiter in (";", "\t"):
        path = tmp_path / "d.csv"
        path.write_text(f"name{delimiter}lon\nA{delimiter}1\n", encoding="utf-8")
        assert read_table(path, known_headers=["lon"]).header == ["name", "lon"]


def test_xlsx_with_title_and_dates(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2021年社工站"])
    sheet.append(["编号", "站点名称", "建站时间", "代码"])
    sheet.append(["A1", "九市镇社工站", dt.datetime(2021, 3, 15), 441226114])
    path = tmp_path / "s.xlsx"
    book.save(path)
    table = read_table(path, known_headers=["站点名称"])
    assert table.header_row == 2
    assert table.rows == [["A1", "九市镇社工站", "2021-03-15", "441226114"]]


def test_empty_and_binary_files_are_refused(tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"  \n")
    with pytest.raises(InputError, match="empty"):
        read_table(empty)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(InputError, match="save it as .xlsx"):
        read_table(xls)


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    atomic_write(target, "done")
    assert target.read_text() == "done"


def test_write_table_formats(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"乡镇": ["九市镇"], "n": [1]})
    csv_path = write_table(frame, tmp_path / "r.csv")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to show Chinese
    xlsx_path = write_table(frame, tmp_path / "r.xlsx")
    assert openpyxl.load_workbook(xlsx_path).active["A2"].value == "九市镇"
    with pytest.raises(InputError, match=".csv, .xlsx or .json"):
        write_table(frame, tmp_path / "r.txt")
