"""All reading and writing of files: tables, layers, and atomic outputs.

Analysis functions never touch files; they take and return frames.  Readers
here turn whatever a user has (CSV in any common Chinese encoding, XLSX,
GeoPackage, GeoJSON, Shapefile - zipped too -, GeoParquet) into frames and say
exactly what they did.  Writers never leave a half-written file: they write a
temporary file beside the target and rename it.  Input files are only read.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import os
import re
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from coverage import settings
from coverage._errors import CRSError, InputError

#: Encodings tried, in order, for text tables.  GB18030 is a superset of GBK and GB2312.
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
#: Rows searched for the header of a table (titles often sit above it).
HEADER_SEARCH_ROWS = 20
_DELIMITERS = ",\t;|，"
#: A line break in any convention (Windows, Unix, old Mac); other separators (\x0b, \x1c, U+2028 ...) stay in cells.
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_LINE_BREAK_RE_BYTES = re.compile(rb"\r\n|\r|\n")


# --------------------------------------------------------------------------- writing
def atomic_write(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
    return path


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it to ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


# --------------------------------------------------------------------------- kept between commands
#: Environment variable naming another folder for what commands keep (default :data:`settings.CACHE_DIR`).
CACHE_DIR_ENV = "COVERAGE_CACHE_DIR"


def cache_dir() -> Path:
    """Where commands keep what they would otherwise compute at every start: ``$COVERAGE_CACHE_DIR``,
    else :data:`settings.CACHE_DIR`."""
    given = os.environ.get(CACHE_DIR_ENV)
    return Path(given) if given else settings.CACHE_DIR


def read_kept(name: str) -> bytes | None:
    """The bytes kept under ``name`` (:func:`keep`), or None when there are none or they cannot be read."""
    try:
        return (cache_dir() / name).read_bytes()
    except OSError:
        return None


def keep(name: str, data: bytes) -> None:
    """Keep ``data`` under ``name`` for later commands, whole or not at all (several commands may write it
    at once); a folder that cannot be written only means nothing is kept."""
    with contextlib.suppress(OSError):
        atomic_write(cache_dir() / name, data)


def table_bytes(frame: pd.DataFrame, fmt: str, sheet: str = "report") -> bytes:
    """Serialise a table as ``csv`` (UTF-8 with BOM, so Excel shows Chinese), ``xlsx`` or ``json``."""
    fmt = fmt.lower().lstrip(".")
    if fmt == "csv":
        return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            frame.to_excel(writer, sheet_name=sheet[:31], index=False)
        return buffer.getvalue()
    if fmt == "json":
        return frame.to_json(orient="records", force_ascii=False, indent=1).encode("utf-8")
    msg = f"cannot write a table as {fmt!r}; use a file name ending in .csv, .xlsx or .json"
    raise InputError(msg)


def write_table(frame: pd.DataFrame, path: str | Path, sheet: str = "report") -> Path:
    """Write a table to ``path``; the format follows the suffix (.csv, .xlsx, .json)."""
    path = Path(path)
    return atomic_write(path, table_bytes(frame, path.suffix, sheet=sheet))


def sheets_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    """Several tables as one XLSX workbook (one sheet each; names cut to Excel's 31 characters)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


def write_sheets(frames: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write several tables into one XLSX (see :func:`sheets_bytes`)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        msg = f"several tables go into an .xlsx file, not {path.name}"
        raise InputError(msg)
    return atomic_write(path, sheets_bytes(frames))


def write_layers(layers: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write named layers into one GeoPackage (tables without geometry become attribute tables).

    A ``.geojson`` path takes exactly one layer.
    """
    import pyogrio

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".geojson" and len(layers) != 1:
        msg = "a GeoJSON file holds one layer; write a .gpkg to keep several"
        raise InputError(msg)
    if suffix not in (".gpkg", ".geojson"):
        msg = f"cannot write layers to {path.name}; use .gpkg or .geojson"
        raise InputError(msg)
    with atomic_output(path) as tmp:
        for name, frame in layers.items():
            kwargs = {"driver": "GPKG", "layer": name} if suffix == ".gpkg" else {"driver": "GeoJSON"}
            pyogrio.write_dataframe(frame, tmp, append=tmp.exists(), **kwargs)
    return path


# --------------------------------------------------------------------------- text tables
@dataclass
class RawTable:
    """Cells of a user's table as text, with what was detected while reading it.

    ``rows`` are the data rows below the header; ``row_numbers`` gives, for
    each, its 1-based line (CSV) or row (XLSX) number in the file, so reports
    point at what the user sees in their editor, and ``row_ends`` its last
    line (a quoted CSV cell may hold line breaks, as Excel writes them).  Every
    line below the header is a row here, a blank one aside: a line the reader
    cannot split into cells is kept too, its number in ``rejected`` with the
    reason (which quotes the line).  ``header_row`` is 0 for a list without a
    header row (``headerless``).
    """

    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int = 1
    notes: list[str] = field(default_factory=list)
    row_ends: list[int] = field(default_factory=list)
    rejected: dict[int, str] = field(default_factory=dict)
    headerless: bool = False

    def frame(self) -> pd.DataFrame:
        """The cells as a frame of text, one column per header cell (names made unique)."""
        width = len(self.header)
        data = [(r + [""] * width)[:width] if len(r) != width else r for r in self.rows]
        return pd.DataFrame(data, columns=_unique(self.header), dtype="object")


def _unique(names: Iterable[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name.strip() or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` for UTF-16 text without a byte-order mark, else None.

    Such text has NUL bytes (the high byte of ASCII characters) and decodes to
    printable characters; binary data with NUL bytes does not.
    """
    if b"\x00" not in data[:4000] or len(data) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            sample = data[:4000].decode(encoding)
        except UnicodeDecodeError:
            continue
        readable = sum(1 for ch in sample if ch.isprintable() or ch in "\r\n\t")
        if "\x00" not in sample and readable >= 0.95 * len(sample):
            return encoding
    return None


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of a text table; return ``(text, encoding)``.

    UTF-16 with a byte-order mark (Excel's "Unicode text") or recognisably
    without one, then UTF-8 (with or without BOM), then GB18030 (which covers
    GBK and GB2312); raises :class:`InputError` when none fits.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16 (BOM)"
        except UnicodeDecodeError:
            pass
    elif (wide := _utf16_without_bom(data)) is not None:
        try:
            return data.decode(wide), wide
        except UnicodeDecodeError:
            pass
    for encoding in TEXT_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig":
            encoding = "utf-8 (BOM)" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        return text, encoding
    msg = (
        "the file is not text in UTF-8, GBK or GB18030; if it is a spreadsheet, save it "
        "as .xlsx or as CSV (UTF-8) and load it again"
    )
    raise InputError(msg)


def _text_lines(data: bytes, filename: str) -> tuple[list[str], str, dict[int, str], list[str]]:
    """The file's physical lines, its encoding, the lines that are not text (number -> reason), and notes.

    A file that is UTF-16 or UTF-8 throughout decodes whole.  Otherwise each
    line is read on its own: as UTF-8 when it is valid UTF-8 (Chinese text in
    GBK almost never is), else as GB18030 - so a GBK file with a few lines
    pasted in as UTF-8 reads right, and a note says which lines were which.
    A line that is neither, or holds NUL bytes, is reported (not guessed);
    more than half the lines so refuses the whole file.
    """
    bad: dict[int, str] = {}
    notes: list[str] = []
    try:
        text, encoding = decode_text(data)
        whole = encoding.startswith(("utf-16", "utf-8"))
    except InputError:
        whole = False
    if whole:
        lines = _LINE_BREAK_RE.split(text)
    else:
        raw = _LINE_BREAK_RE_BYTES.split(data)
        raw[0] = raw[0].removeprefix(codecs.BOM_UTF8)
        lines, utf8 = [], []
        for i, line in enumerate(raw):
            if line.isascii():
                lines.append(line.decode("ascii"))
            elif _decodes(line, "utf-8"):
                lines.append(line.decode("utf-8"))
                utf8.append(i + 1)
            elif _decodes(line, "gb18030"):
                lines.append(line.decode("gb18030"))
            else:
                lines.append(line.decode("gb18030", errors="replace"))
                bad[i + 1] = f"line {i + 1} is not text in UTF-8, GBK or GB18030"
        wide = sum(1 for line in raw if not line.isascii())
        encoding = "gb18030"
        if utf8 and len(utf8) < wide - len(bad):
            encoding = "gb18030 and utf-8"
            shown_lines = ", ".join(map(str, utf8[:10])) + (" ..." if len(utf8) > 10 else "")
            notes.append(f"lines {shown_lines} are UTF-8, the rest GB18030: each line was read in its own encoding")
        elif utf8:
            encoding = "utf-8"
    for i, line in enumerate(lines):
        if "\x00" in line:
            bad[i + 1] = f"line {i + 1} holds binary data (NUL bytes)"
    if lines and lines[-1] == "":
        lines.pop()  # the final line break ends the last line, it does not start a new one
    filled = sum(1 for line in lines if line.strip())
    if bad and len(bad) > filled / 2:
        msg = f"{filename} holds binary data (NUL bytes), not a text table; export it again as CSV or XLSX"
        if not any("NUL" in reason for reason in bad.values()):
            msg = (
                "the file is not text in UTF-8, GBK or GB18030; if it is a spreadsheet, save it "
                "as .xlsx or as CSV (UTF-8) and load it again"
            )
        raise InputError(msg)
    return lines, encoding, bad, notes


def _decodes(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _sniff_delimiter(lines: list[str]) -> str:
    sample = "\n".join(line for line in lines[:50] if line.strip())
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _quote_left_open(text: str, delimiter: str) -> bool:
    """Does a quote that opens a cell in ``text`` stay open at its end? (CSV rules: ``""`` is a quote inside quotes.)"""
    if '"' not in text:
        return False
    in_quotes, at_start, i, n = False, True, 0, len(text)
    while i < n:
        c = text[i]
        if in_quotes:
            if c == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 1
                else:
                    in_quotes = False
        elif c == delimiter:
            at_start = True
        elif c == '"' and at_start:
            in_quotes, at_start = True, False
        else:
            at_start = False
        i += 1
    return in_quotes


def _cells(text: str, delimiter: str) -> list[str]:
    """Cells of one record (quotes closed), stripped."""
    row = next(csv.reader([text], delimiter=delimiter), [])
    return [c.strip() for c in row]


def _literal_cells(text: str, delimiter: str) -> list[str]:
    """Cells of a line split at every delimiter, quotes taken as plain characters."""
    return [c.strip() for c in text.split(delimiter)]


def _record_end(lines: list[str], i: int, delimiter: str, width: int) -> int | None:
    """Index of the line that closes the quoted cell opened on line ``i``, or None.

    A quoted cell may hold line breaks (Excel writes them for Alt+Enter), so
    the record goes on over the next lines - but only while none of them is a
    record of its own (as many cells as the header), within
    :data:`settings.CSV_MAX_LINES_PER_RECORD` lines, and only if the record
    then has exactly the header's cells.  Anything else is a stray quote.
    """
    if width < 2:
        return None
    for j in range(i + 1, min(len(lines), i + settings.CSV_MAX_LINES_PER_RECORD)):
        if len(_literal_cells(lines[j], delimiter)) >= width:
            return None
        joined = "\n".join(lines[i : j + 1])
        if not _quote_left_open(joined, delimiter):
            return j if len(_cells(joined, delimiter)) == width else None
    return None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def header_text(cell: str) -> str:
    """Default comparable form of a header cell: lower case, no spaces or underscores."""
    return cell.strip().lower().replace(" ", "").replace("_", "")


def _header_score(row: list[str], known: set[str], key: Callable[[str], str]) -> int:
    """Number of cells of ``row`` that are known column names."""
    return sum(1 for c in row if c.strip() and key(c) in known)


def _find_header(rows: list[list[str]], known: set[str], key: Callable[[str], str] = header_text) -> int:
    """Index of the header row: the first with a known column name, else the first non-empty one."""
    first_filled = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not any(c.strip() for c in row):
            continue
        if first_filled is None:
            first_filled = i
        if known and _header_score(row, known, key):
            return i
    if first_filled is None:
        msg = "the file has no rows with content; it is empty"
        raise InputError(msg)
    return first_filled


def _too_many_rows(filename: str, max_rows: int) -> InputError:
    msg = (
        f"{filename} has more than {max_rows:,} rows; a station file is read up to "
        f"{max_rows:,} rows (a province has a few thousand townships) - split it, e.g. by city, and load each part"
    )
    return InputError(msg)


def read_table(
    source: str | Path | bytes,
    filename: str | None = None,
    known_headers: Iterable[str] = (),
    sheet: str | int | None = None,
    max_rows: int | None = None,
    max_mb: float | None = None,
    header_key: Callable[[str], str] = header_text,
) -> RawTable:
    """Read a CSV/TXT or XLSX table into text cells, detecting encoding, delimiter and header row.

    Parameters
    ----------
    source : path of the file, or its bytes (an upload).
    filename : name used for messages and to tell the format when ``source`` is bytes.
    known_headers : column names that mark the header row (compared through ``header_key``).
        An XLSX file without ``sheet`` is read from its first sheet that has such a header.
    sheet : XLSX sheet name or 0-based index (default: the first sheet with a known header).
    max_rows : refuse a file with more data rows than this (:class:`InputError`).
    max_mb : refuse a file larger than this many megabytes before reading it.
    header_key : comparable form of a header cell.

    Every line below the header becomes a row (blank ones aside): a line that
    cannot be split into cells is kept and listed in :attr:`RawTable.rejected`.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            exists = path.is_file()
        except (OSError, ValueError):
            exists = False
        if not exists:
            msg = f"file not found: {path}"
            raise InputError(msg)
        filename = filename or path.name
        _check_size(path.stat().st_size, filename, max_mb)
        data = path.read_bytes()
    else:
        data = bytes(source)
    filename = filename or "upload"
    _check_size(len(data), filename, max_mb)
    if not data.strip():
        msg = f"{filename} is empty; export the station list again with its header row"
        raise InputError(msg)
    known = {header_key(k) for k in known_headers}
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        table = _read_xlsx(data, filename, sheet, known, header_key, max_rows)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if "EncryptedPackage".encode("utf-16-le") in data:
            msg = (
                f"{filename} cannot be read as an Excel workbook: it is protected by a password; "
                "save it again from Excel/WPS as .xlsx, or export it as CSV (UTF-8)"
            )
            raise InputError(msg)
        msg = f"{filename} is an old Excel .xls file; save it as .xlsx (or CSV UTF-8) and load it again"
        raise InputError(msg)
    else:
        _refuse_markup(data, filename)
        table = _read_csv(data, filename, known, header_key, max_rows)
    return table


def _check_size(size_bytes: int, filename: str, max_mb: float | None) -> None:
    if max_mb is not None and size_bytes > max_mb * 1e6:
        msg = (
            f"{filename} is {size_bytes / 1e6:.1f} MB, more than the {max_mb:g} MB a station file may have; "
            "delete columns that are not needed or split it, e.g. by city"
        )
        raise InputError(msg)


def _refuse_markup(data: bytes, filename: str) -> None:
    """Refuse a web page or an Excel 2003 XML file saved under a table's name (systems export ".xls" so)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    kind = None
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<body")):
        kind = "a web page (HTML)"
    elif head.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        kind = "an Excel 2003 XML spreadsheet"
    if kind:
        msg = (
            f"{filename} cannot be read as a table: it is {kind}; "
            "open it in Excel/WPS and save it as .xlsx, or export it as CSV (UTF-8)"
        )
        raise InputError(msg)


def _read_csv(
    data: bytes, filename: str, known: set[str], header_key: Callable[[str], str], max_rows: int | None
) -> RawTable:
    lines, encoding, bad, encoding_notes = _text_lines(data, filename)
    delimiter = _sniff_delimiter(lines)
    # the header: among the first lines, each read on its own
    head_index = [i for i in range(len(lines)) if i + 1 not in bad][:HEADER_SEARCH_ROWS]
    head_rows = [
        _literal_cells(lines[i], delimiter) if _quote_left_open(lines[i], delimiter) else _cells(lines[i], delimiter)
        for i in head_index
    ]
    h = head_index[_find_header(head_rows, known, header_key)]
    header = head_rows[head_index.index(h)]
    table = RawTable(header=header, rows=[], row_numbers=[], encoding=encoding, delimiter=delimiter, header_row=h + 1)
    table.notes.extend(encoding_notes)
    if h > 0:
        table.notes.append(f"header found on row {h + 1}; rows above it were skipped")
    width = len(header)
    i, blank = h + 1, 0
    while i < len(lines):
        line, number = lines[i], i + 1
        if number in bad:
            cells, end = _literal_cells(line, delimiter), i
            table.rejected[number] = f"{bad[number]}; its text: {_quoted(line)}"
        elif not _quote_left_open(line, delimiter):
            cells, end = _cells(line, delimiter), i
        else:
            closing = _record_end(lines, i, delimiter, width)
            if closing is not None:
                cells, end = _cells("\n".join(lines[i : closing + 1]), delimiter), closing
            else:
                cells, end = _literal_cells(line, delimiter), i
                table.rejected[number] = (
                    f'line {number} cannot be split into cells: a quote (") opened in it is never closed; '
                    f"its text: {_quoted(line)}; remove or close the quote"
                )
        i = end + 1
        if number not in table.rejected and not any(cells):
            blank += 1
            continue
        table.rows.append(cells)
        table.row_numbers.append(number)
        table.row_ends.append(end + 1)
        if max_rows is not None and len(table.rows) > max_rows:
            raise _too_many_rows(filename, max_rows)
    if blank:
        table.notes.append(f"{blank} empty rows skipped")
    _widen(table)
    return table


def shown(text: str, limit: int = 200) -> str:
    """A user's text as a message quotes it: cut at ``limit`` characters, and without ``"; "``,
    the separator of a message's parts (translated part by part, see coverage.present.i18n.messages)."""
    text = str(text)
    text = text if len(text) <= limit else text[:limit] + "…"
    return text.replace("; ", ";")


def _quoted(line: str) -> str:
    """A line quoted for a message."""
    return "'" + shown(line) + "'"


def _widen(table: RawTable) -> None:
    """Rows with more cells than the header keep them: the header grows by ``column_N`` names."""
    width = len(table.header)
    for row in table.rows:
        while len(row) > width and not row[-1]:
            row.pop()
    longest = max((len(r) for r in table.rows), default=0)
    if longest > width:
        n = sum(1 for r in table.rows if len(r) > width and any(r[width:]))
        table.header = table.header + [""] * (longest - width)
        if n:
            table.notes.append(
                f"{n} rows have more cells than the header ({width} columns); the extra cells are kept as column_{width + 1} ..."
            )


# --------------------------------------------------------------------------- workbooks
#: Sheet names that hold instructions, not the table (a workbook's first sheet is often 填表说明).
_INSTRUCTION_SHEETS = ("说明", "填表", "须知", "填报", "示例", "instruction", "readme", "notes", "example")
_ENTITY_MARKS = (b"<!DOCTYPE", b"<!ENTITY")
_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]{1,3}[0-9]+:[A-Z]{1,3}[0-9]+)\"")
_XLSX_ACTION = "save it again from Excel/WPS as .xlsx, or export it as CSV (UTF-8)"


def _workbook_error(filename: str, what: str) -> InputError:
    return InputError(f"{filename} cannot be read as an Excel workbook: {what}; {_XLSX_ACTION}")


def _check_workbook(data: bytes, filename: str) -> dict[str, list[str]]:
    """Check a workbook's zip container before any XML is parsed; return merged ranges per sheet part.

    Every part is decompressed once, in chunks: a cut-off archive, damaged
    compressed data, a zip that is no workbook, a workbook without sheets,
    parts expanding beyond :data:`settings.MAX_XLSX_EXPANDED_MB`, and XML
    declaring a DTD or entities (entity-expansion bombs; workbooks never do)
    are all refused here with an :class:`InputError` saying so.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _workbook_error(filename, "the file is cut off or damaged (not a complete zip archive)") from exc
    names = [i.filename for i in infos]
    if "mimetype" in names and any("opendocument" in n or n == "content.xml" for n in names):
        raise _workbook_error(filename, "it is an OpenDocument spreadsheet (.ods)")
    if not any(n.endswith("workbook.xml") for n in names):
        if any(n.endswith("workbook.bin") for n in names):
            raise _workbook_error(filename, "it is a binary workbook (.xlsb)")
        raise _workbook_error(filename, "it is a zip archive but not an Excel workbook")
    if not any("worksheets/" in n and n.endswith(".xml") for n in names):
        raise _workbook_error(filename, "the workbook has no sheets")
    expanded = sum(i.file_size for i in infos)
    limit = settings.MAX_XLSX_EXPANDED_MB * 1e6
    if expanded > limit:
        raise _workbook_error(
            filename, f"it expands to {expanded / 1e6:,.0f} MB, more than {settings.MAX_XLSX_EXPANDED_MB:,} MB"
        )
    merged: dict[str, list[str]] = {}
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")):
            continue
        ranges: list[str] = []
        total, tail = 0, b""
        try:
            with archive.open(info) as part:
                while chunk := part.read(1 << 20):
                    total += len(chunk)
                    if total > limit:
                        raise _workbook_error(filename, f"it expands to more than {settings.MAX_XLSX_EXPANDED_MB:,} MB")
                    window = tail + chunk
                    if any(mark in window for mark in _ENTITY_MARKS):
                        raise _workbook_error(
                            filename, "its XML declares entities (an entity-expansion bomb), which is refused"
                        )
                    if "worksheets/" in info.filename:
                        ranges.extend(m.decode() for m in _MERGE_RE.findall(window))
                    tail = window[-200:]
        except InputError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise _workbook_error(filename, "its compressed data is damaged") from exc
        except (NotImplementedError, RuntimeError) as exc:  # unsupported compression, encryption
            raise _workbook_error(
                filename, f"it is compressed or encrypted in a way this tool cannot read ({exc})"
            ) from exc
        if ranges:
            merged[info.filename] = sorted(set(ranges))
    return merged


def _sheet_rows(
    sheet, max_rows: int | None, filename: str, limit: int | None = None
) -> tuple[list[list[str]], list[int], int]:
    """Non-empty rows of a read-only sheet, their row numbers, and how many were cut at the column limit.

    The sheet's ``<dimension>`` is not trusted (programs write stale ones; openpyxl's
    read-only mode would stop there): rows are read to the end of the sheet data.
    """
    sheet.reset_dimensions()
    rows, numbers = [], []
    wide = 0
    source = sheet.iter_rows(values_only=True)
    try:
        for number, values in enumerate(source, start=1):
            if limit is not None and number > limit:
                break
            cells = [_cell_text(v) for v in values]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue
            if len(cells) > settings.MAX_TABLE_COLUMNS:
                cells = cells[: settings.MAX_TABLE_COLUMNS]
                wide += 1
            rows.append(cells)
            numbers.append(number)
            if max_rows is not None and len(rows) > max_rows + HEADER_SEARCH_ROWS:
                raise _too_many_rows(filename, max_rows)
    finally:
        if hasattr(source, "close"):
            source.close()
    return rows, numbers, wide


def _choose_sheet(
    book, names: list[str], known: set[str], key: Callable[[str], str], filename: str
) -> tuple[str, str | None]:
    """The first of ``names`` with a recognisable header (instruction sheets last), and a note when it is not the first."""
    order = sorted(range(len(names)), key=lambda i: (any(w in names[i].lower() for w in _INSTRUCTION_SHEETS), i))
    best: tuple[int, int] | None = None  # (-score, sheet index)
    first_filled = None
    for i in order:
        rows, _, _ = _sheet_rows(book[names[i]], None, filename, limit=HEADER_SEARCH_ROWS)
        if rows and first_filled is None:
            first_filled = i
        score = max((_header_score(r, known, key) for r in rows), default=0)
        if score >= 2:
            best = (-score, i)
            break
        if score and (best is None or -score < best[0]):
            best = (-score, i)
    chosen = best[1] if best is not None else (first_filled if first_filled is not None else 0)
    note = None
    if chosen != 0:
        note = f"read sheet {names[chosen]!r}: the first sheet {names[0]!r} has no station table"
    return names[chosen], note


def _fill_merged(rows: list[list[str]], numbers: list[int], ranges: list[str], header_row: int) -> int:
    """Fill cells below the top of each vertically merged block (a city over several rows) with its value."""
    from openpyxl.utils.cell import range_boundaries

    at = {n: i for i, n in enumerate(numbers)}
    filled = 0
    columns = set()
    for ref in ranges:
        min_col, min_row, _, max_row = range_boundaries(ref)
        if max_row <= min_row or min_row <= header_row or min_row not in at:
            continue
        top = rows[at[min_row]]
        value = top[min_col - 1] if len(top) >= min_col else ""
        if not value:
            continue
        for r in range(min_row + 1, max_row + 1):
            if r not in at:
                continue
            row = rows[at[r]]
            if len(row) < min_col:
                row.extend([""] * (min_col - len(row)))
            if not row[min_col - 1]:
                row[min_col - 1] = value
                filled += 1
                columns.add(min_col)
    return filled


def _read_xlsx(
    data: bytes,
    filename: str,
    sheet: str | int | None,
    known: set[str],
    header_key: Callable[[str], str],
    max_rows: int | None,
) -> RawTable:
    import openpyxl

    merged = _check_workbook(data, filename)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises whatever its parsers meet; each is a damaged file here
        raise _workbook_error(filename, _damage(exc)) from exc
    try:
        names = [n for n in book.sheetnames if hasattr(book[n], "iter_rows")]  # chart sheets hold no cells
        if not names:
            raise _workbook_error(filename, "the workbook has no sheets")
        notes = []
        if sheet is None:
            chosen, note = _choose_sheet(book, names, known, header_key, filename)
            if note:
                notes.append(note)
        elif isinstance(sheet, int) and 0 <= sheet < len(names):
            chosen = names[sheet]
        elif str(sheet) in names:
            chosen = str(sheet)
        else:
            msg = f"sheet {sheet!r} not found in {filename}; sheets: {', '.join(names)}"
            raise InputError(msg)
        if len(names) > 1 and not notes:
            notes.append(f"read sheet {chosen!r} (the file has {len(names)} sheets)")
        ws = book[chosen]
        rows, numbers, wide = _sheet_rows(ws, max_rows, filename)
        part = getattr(ws, "_worksheet_path", None)  # openpyxl's read-only sheet: its part in the zip
    except InputError:
        raise
    except Exception as exc:
        raise _workbook_error(filename, _damage(exc)) from exc
    finally:
        book.close()
    if wide:
        notes.append(f"cells beyond column {settings.MAX_TABLE_COLUMNS} ignored in {wide} rows")
    if not rows:
        msg = "the file has no rows with content; it is empty"
        raise InputError(msg)
    h = _find_header(rows, known, header_key)
    table = RawTable(header=rows[h], rows=[], row_numbers=[], sheet=chosen, header_row=numbers[h], notes=notes)
    if h > 0:
        table.notes.append(f"header found on row {numbers[h]}; rows above it were skipped")
    ranges = merged.get(str(part).lstrip("/"), []) if part else []
    filled = _fill_merged(rows, numbers, ranges, numbers[h]) if ranges else 0
    if filled:
        table.notes.append(f"{filled} cells of merged blocks filled with the value at the top of their block")
    table.rows = rows[h + 1 :]
    table.row_numbers = numbers[h + 1 :]
    table.row_ends = list(table.row_numbers)
    if max_rows is not None and len(table.rows) > max_rows:
        raise _too_many_rows(filename, max_rows)
    _widen(table)
    return table


def _damage(exc: Exception) -> str:
    """What is wrong with a workbook, from the error its reader raised."""
    from xml.etree.ElementTree import ParseError

    name = type(exc).__name__
    if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"):
        return "its XML declares entities (an entity-expansion bomb), which is refused"
    if isinstance(exc, ParseError) or "ParseError" in name or "XMLSyntaxError" in name:
        return "a sheet's XML is cut off or damaged"
    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)):
        return "its compressed data is damaged"
    if isinstance(exc, (KeyError, IndexError)):
        return "a part the workbook refers to is missing"
    return f"unexpected content ({name})"


# --------------------------------------------------------------------------- layers
@dataclass
class LayerRead:
    """A layer read from a user's file, in WGS 84, with a row-by-row report."""

    frame: object  # GeoDataFrame
    report: pd.DataFrame
    source_crs: str
    notes: list[str]


def list_layers(path: str | Path) -> list[str]:
    """Layer names of a vector file."""
    import pyogrio

    return [str(name) for name, _ in pyogrio.list_layers(_vector_path(Path(path)))]


def _vector_path(path: Path) -> str:
    if path.suffix.lower() == ".zip":
        return f"/vsizip/{path}"
    return str(path)


def read_layer(
    source: str | Path | bytes,
    filename: str | None = None,
    layer: str | None = None,
    crs: str | None = None,
):
    """Read a polygon layer (GeoPackage, GeoJSON, Shapefile or zipped Shapefile, GeoParquet).

    The result is reprojected to WGS 84 (:data:`settings.WORK_CRS`); invalid
    geometries are repaired (and reported); empty geometries are rejected (and
    reported, the row kept in the report).  A file without a CRS needs
    ``crs``: an EPSG code, ``"cgcs2000"``/``"wgs84"``, or ``"gcj02"``/``"bd09"``
    for polygons digitised on Amap/Tencent or Baidu.
    """
    import geopandas as gpd
    import shapely

    from coverage.coords import normalise_crs_name, shift_geometry

    with _local_file(source, filename) as path:
        suffix = path.suffix.lower()
        try:
            if suffix in (".parquet", ".geoparquet"):
                gdf = gpd.read_parquet(path)
            else:
                gdf = gpd.read_file(_vector_path(path), layer=layer, engine="pyogrio")
        except InputError:
            raise
        except Exception as exc:  # GDAL's errors are many; say what was tried
            msg = (
                f"cannot read {path.name} as a boundary layer ({exc}); use a GeoPackage, "
                "GeoJSON, Shapefile (.shp with .dbf/.shx/.prj, or all of them zipped) or GeoParquet"
            )
            raise InputError(msg) from exc
    name = filename or (Path(source).name if isinstance(source, (str, Path)) else "upload")
    if gdf.empty:
        msg = f"{name} holds no features"
        raise InputError(msg)
    notes: list[str] = []
    declared = None
    if crs is not None:
        try:
            declared = normalise_crs_name(crs)
        except InputError:
            declared = str(crs)
    if gdf.crs is None:
        if declared is None:
            msg = (
                f"{name} has no coordinate system (for a Shapefile: the .prj file is missing). "
                "If its coordinates are longitude/latitude degrees, declare crs='EPSG:4490' (CGCS2000) "
                "or 'EPSG:4326'; if they were digitised on Amap/Tencent use crs='gcj02', on Baidu "
                "'bd09' (command line: --crs)"
            )
            raise CRSError(msg)
        if declared in ("wgs84", "cgcs2000", "gcj02", "bd09"):
            gdf = gdf.set_crs(settings.WORK_CRS)
        else:
            gdf = gdf.set_crs(declared)
        notes.append(f"coordinate system declared by the user: {crs}")
    source_crs = gdf.crs.to_string()
    if gdf.crs.is_geographic:
        bounds = gdf.total_bounds
        if bounds[0] < -180 or bounds[2] > 180 or bounds[1] < -90 or bounds[3] > 90:
            msg = (
                f"{name} says it is in degrees ({source_crs}) but holds values like "
                f"{bounds[0]:.0f}, {bounds[1]:.0f}: the .prj or declared CRS is wrong; declare the "
                "projected CRS the file was made in"
            )
            raise CRSError(msg)
    gdf = gdf.to_crs(settings.WORK_CRS)
    if declared in ("gcj02", "bd09"):
        gdf["geometry"] = shift_geometry(gdf.geometry.values, declared)
        notes.append(f"vertices converted from {declared} to WGS 84")
        source_crs = declared

    statuses, messages = [], []
    geoms = gdf.geometry.values
    valid = shapely.is_valid(geoms)
    empty = shapely.is_empty(geoms) | pd.isna(geoms)
    for i in range(len(gdf)):
        if empty[i]:
            statuses.append("rejected")
            messages.append("empty geometry")
        elif not valid[i]:
            statuses.append("repaired")
            messages.append(f"invalid geometry repaired ({shapely.is_valid_reason(geoms[i])})")
        else:
            statuses.append("accepted")
            messages.append("")
    if (~valid & ~empty).any():
        repaired = shapely.make_valid(geoms[~valid & ~empty])
        # keep only the polygonal part of what make_valid returns
        gdf.loc[~valid & ~empty, "geometry"] = [_polygonal(g) for g in repaired]
        n = int((~valid & ~empty).sum())
        warnings.warn(f"{n} invalid geometries in {name} were repaired", stacklevel=2)
    report = pd.DataFrame({"row": range(1, len(gdf) + 1), "status": statuses, "message": messages})
    kept = gdf[~empty].copy()
    return LayerRead(frame=kept, report=report, source_crs=source_crs, notes=notes)


def _polygonal(geom):
    import shapely

    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else geom


@contextlib.contextmanager
def _local_file(source: str | Path | bytes, filename: str | None) -> Iterator[Path]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            msg = f"file not found: {path}"
            raise InputError(msg)
        yield path
        return
    suffix = Path(filename or "upload.gpkg").suffix or ".gpkg"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(bytes(source))
        yield path
