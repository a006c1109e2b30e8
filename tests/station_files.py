"""Station files as bureaus produce them, good and damaged, made in memory for the importer's tests."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl


def xlsx_bytes(sheets: dict[str, list[list]], merge: dict[str, list[str]] | None = None) -> bytes:
    """A workbook with the given sheets (name -> rows), optionally with merged ranges per sheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for ref in (merge or {}).get(name, []):
            sheet.merge_cells(ref)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_parts(data: bytes, change) -> bytes:
    """The workbook with each part's bytes replaced by ``change(name, bytes)`` (None drops the part)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = change(info.filename, src.read(info))
            if new is not None:
                dst.writestr(info.filename, new)
    return out.getvalue()


def stale_dimension(data: bytes, ref: str) -> bytes:
    """Every sheet's ``<dimension ref=...>`` set to ``ref`` (programs write stale ones)."""

    def change(name: str, part: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            return re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), part)
        return part

    return rewrite_parts(data, change)


def cut_sheet_xml(data: bytes, keep: float = 0.6) -> bytes:
    """The first sheet's XML cut off after ``keep`` of its bytes (the zip itself is intact)."""

    def change(name: str, part: bytes) -> bytes:
        return part[: int(len(part) * keep)] if name == "xl/worksheets/sheet1.xml" else part

    return rewrite_parts(data, change)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode() for i in range(1, 10)
    )
    + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


def entity_bomb(data: bytes) -> bytes:
    """The first sheet replaced by a "billion laughs" document (nested entity declarations)."""
    return rewrite_parts(data, lambda name, part: BILLION_LAUGHS if name == "xl/worksheets/sheet1.xml" else part)


def bad_zlib(data: bytes) -> bytes:
    """The workbook with the compressed bytes of its first sheet overwritten (the zip directory intact)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(data)
    for k in range(start + 2, start + min(info.compress_size, 60)):
        damaged[k] = (damaged[k] * 7 + 13) % 256
    return bytes(damaged)


def without_sheets(data: bytes) -> bytes:
    """The workbook with its worksheet parts removed (and the workbook naming none)."""

    def change(name: str, part: bytes) -> bytes | None:
        if name.startswith("xl/worksheets/"):
            return None
        if name == "xl/workbook.xml":
            return re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", part, flags=re.S)
        return part

    return rewrite_parts(data, change)


def plain_zip() -> bytes:
    """A zip archive that is not a workbook (two text files)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "站点名单见附件")
        z.writestr("stations.csv", "站点名称\n九市镇\n")
    return out.getvalue()
