"""All reading and writing of files: tables, layers, and atomic outputs.

Analysis functions never touch files; they take and return frames.  Readers
here turn whatever a user has (CSV in any common Chinese encoding, XLSX,
GeoPackage, GeoJSON, Shapefile - zipped too -, GeoParquet) into frames and say
exactly what they did.  Writers never leave a half-written file: they write a
temporary file beside the target and rename it.  Input files are only read.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Iterator
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
    point at what the user sees in their editor.
    """

    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int = 1
    notes: list[str] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        width = len(self.header)
        data = [(r + [""] * width)[:width] for r in self.rows]
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


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of a text table; return ``(text, encoding)``.

    Tries UTF-8 (with or without BOM), then GB18030 (which covers GBK and
    GB2312); raises :class:`InputError` when none fits.
    """
    for encoding in TEXT_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig":
            encoding = "utf-8 (BOM)" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        return text, encoding
    msg = (
        "the file is not text in UTF-8, GBK or GB18030; if it is a spreadsheet, save it "
        "as .xlsx or as CSV (UTF-8) and load it again"
    )
    raise InputError(msg)


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _cell_text(value) -> str:
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


def _find_header(rows: list[list[str]], known: set[str]) -> int:
    """Index of the header row: the first with a known column name, else the first non-empty one."""

    def norm(cell: str) -> str:
        return cell.strip().lower().replace(" ", "").replace("_", "")

    first_filled = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        filled = [c for c in row if c.strip()]
        if not filled:
            continue
        if first_filled is None:
            first_filled = i
        if known and any(norm(c) in known for c in filled):
            return i
    if first_filled is None:
        msg = "the file has no rows with content; it is empty"
        raise InputError(msg)
    return first_filled


def read_table(
    source: str | Path | bytes,
    filename: str | None = None,
    known_headers: Iterable[str] = (),
    sheet: str | int | None = None,
) -> RawTable:
    """Read a CSV/TXT or XLSX table into text cells, detecting encoding, delimiter and header row.

    Parameters
    ----------
    source : path of the file, or its bytes (an upload).
    filename : name used for messages and to tell the format when ``source`` is bytes.
    known_headers : column names (lower case, no spaces/underscores) that mark the header row.
    sheet : XLSX sheet name or 0-based index (default: the first sheet).
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            msg = f"file not found: {path}"
            raise InputError(msg)
        data = path.read_bytes()
        filename = filename or path.name
    else:
        data = bytes(source)
    filename = filename or "upload"
    if not data.strip():
        msg = f"{filename} is empty; export the station list again with its header row"
        raise InputError(msg)
    known = {k.lower().replace(" ", "").replace("_", "") for k in known_headers}
    if data[:4] == b"PK\x03\x04":
        table = _read_xlsx(data, filename, sheet)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        msg = f"{filename} is an old Excel .xls file; save it as .xlsx (or CSV UTF-8) and load it again"
        raise InputError(msg)
    else:
        table = _read_csv(data, filename)
    raw_rows, numbers = table.rows, table.row_numbers
    h = _find_header(raw_rows, known)
    if h > 0:
        table.notes.append(f"header found on row {numbers[h]}; rows above it were skipped")
    table.header = raw_rows[h]
    table.header_row = numbers[h]
    body = [(r, n) for r, n in zip(raw_rows[h + 1 :], numbers[h + 1 :], strict=True) if any(c.strip() for c in r)]
    table.rows = [r for r, _ in body]
    table.row_numbers = [n for _, n in body]
    return table


def _read_csv(data: bytes, filename: str) -> RawTable:
    text, encoding = decode_text(data)
    if "\x00" in text:
        msg = f"{filename} holds binary data (NUL bytes), not a text table; export it again as CSV or XLSX"
        raise InputError(msg)
    delimiter = _sniff_delimiter(text)
    rows, numbers = [], []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for row in reader:
            rows.append([c.strip() for c in row])
            numbers.append(reader.line_num)
    except csv.Error as exc:
        msg = f"{filename}: cannot be read as a table ({exc}); check quotes and save it again as CSV"
        raise InputError(msg) from exc
    return RawTable(header=[], rows=rows, row_numbers=numbers, encoding=encoding, delimiter=delimiter)


def _read_xlsx(data: bytes, filename: str, sheet: str | int | None) -> RawTable:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        msg = f"{filename} looks like a spreadsheet but cannot be opened ({exc}); save it again as .xlsx"
        raise InputError(msg) from exc
    names = book.sheetnames
    if sheet is None:
        chosen = names[0]
    elif isinstance(sheet, int) and 0 <= sheet < len(names):
        chosen = names[sheet]
    elif sheet in names:
        chosen = str(sheet)
    else:
        msg = f"sheet {sheet!r} not found in {filename}; sheets: {', '.join(names)}"
        raise InputError(msg)
    rows, numbers = [], []
    for number, values in enumerate(book[chosen].iter_rows(values_only=True), start=1):
        rows.append([_cell_text(v) for v in values])
        numbers.append(number)
    book.close()
    notes = [f"read sheet {chosen!r} (the file has {len(names)} sheets)"] if len(names) > 1 else []
    return RawTable(header=[], rows=rows, row_numbers=numbers, sheet=chosen, notes=notes)


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
