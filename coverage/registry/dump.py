"""Export the whole registry to a file, and restore it into an empty registry, exactly.

Accounts are not exported (they belong to an installation, and their password hashes stay in
it); the audit trail is.

``export(registry, "F.gpkg")`` writes a GeoPackage: the layer ``stations`` (each station's state
today, points in WGS 84, for GIS) and the tables ``versions``, ``stations_index``, ``submissions``
(with each submitted file, base64), ``submission_rows`` and ``decisions`` - every row of every
table.  ``F.xlsx`` holds the same tables as sheets (a submitted file larger than a cell is split
over several rows of the ``files`` sheet).  :func:`restore` reads either back into an empty
registry: ids, times (to the microsecond), dates and numbers come back unchanged.
"""

from __future__ import annotations

import base64
import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from coverage._errors import InputError
from coverage.registry import schema
from coverage.registry.store import Registry, reading

#: Tables in the order a restore inserts them (foreign keys first).
TABLES = ("stations", "submissions", "versions", "submission_rows", "decisions", "audit")
#: Tables an export may lack (exports written before the audit trail existed).
OPTIONAL = {"audit"}
_CHUNK = 30_000  # characters of base64 per XLSX cell (Excel's limit is 32,767)


def _table(registry: Registry, name: str) -> pd.DataFrame:
    table = schema.metadata.tables[name]
    with reading(registry.engine) as conn:
        result = conn.execute(sa.select(table).order_by(*table.primary_key.columns))
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _to_text(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Columns as exact text where a file format would round them (times, dates, bytes)."""
    out = frame.copy()
    for col in schema.metadata.tables[name].columns:
        if col.name not in out:
            continue
        kind = col.type
        if isinstance(kind, (sa.DateTime, sa.Date)):
            out[col.name] = [v.isoformat() if v is not None and not pd.isna(v) else None for v in out[col.name]]
        elif isinstance(kind, sa.LargeBinary):
            out[col.name] = [base64.b64encode(bytes(v)).decode("ascii") for v in out[col.name]]
    return out


def _from_text(frame: pd.DataFrame, name: str) -> list[dict]:
    """Rows ready to insert: text back to times, dates, bytes; missing values to None; whole numbers to int."""
    rows = []
    columns = schema.metadata.tables[name].columns
    for record in frame.to_dict(orient="records"):
        row: dict[str, Any] = {}
        for col in columns:
            value = record.get(col.name)
            if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
                row[col.name] = None
            elif isinstance(col.type, sa.DateTime):
                row[col.name] = dt.datetime.fromisoformat(str(value))
            elif isinstance(col.type, sa.Date):
                row[col.name] = dt.date.fromisoformat(str(value)[:10])
            elif isinstance(col.type, sa.LargeBinary):
                row[col.name] = base64.b64decode(str(value))
            elif isinstance(col.type, sa.Integer):
                row[col.name] = int(value)
            elif isinstance(col.type, sa.Float):
                row[col.name] = float(value)
            else:
                row[col.name] = str(value)
        rows.append(row)
    return rows


def tables(registry: Registry) -> dict[str, pd.DataFrame]:
    """Every table of the registry as exact text-safe frames (see the module docstring)."""
    out = {name: _to_text(_table(registry, name), name) for name in TABLES}
    out["stations_index"] = out.pop("stations")
    return out


def export(registry: Registry, path: str | Path) -> Path:
    """Write the whole registry to ``path`` (``.gpkg`` or ``.xlsx``)."""
    import geopandas as gpd

    from coverage import settings
    from coverage.data.io import write_layers, write_sheets

    path = Path(path)
    frames = tables(registry)
    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        current = pd.concat(
            [registry.current(str(p)) for p in sorted(set(frames["stations_index"]["province_code"]))]
            or [pd.DataFrame()]
        )
        current = _to_text(current, "versions") if len(current) else current
        layer = gpd.GeoDataFrame(
            current,
            geometry=gpd.points_from_xy(current.get("lon", []), current.get("lat", [])),
            crs=settings.WORK_CRS,
        )
        write_layers({"stations": layer, **frames}, path)
    elif suffix == ".xlsx":
        subs = frames["submissions"]
        files = [
            {"submission_id": sid, "part": i, "content": text[k : k + _CHUNK]}
            for sid, text in zip(subs["submission_id"], subs["content"], strict=True)
            for i, k in enumerate(range(0, max(len(text), 1), _CHUNK))
        ]
        frames["submissions"] = subs.drop(columns="content")
        frames["files"] = pd.DataFrame(files, columns=["submission_id", "part", "content"])
        write_sheets(frames, path)
    else:
        msg = f"export to .gpkg (GIS and exact restore) or .xlsx (for people), not {path.suffix or 'no suffix'}"
        raise InputError(msg)
    return path


def read_dump(path: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of an export file, as :func:`tables` returns them."""
    path = Path(path)
    if not path.exists():
        msg = f"file not found: {path}"
        raise InputError(msg)
    names = {"stations_index", "submissions", "versions", "submission_rows", "decisions"}
    try:
        return _read_dump(path, names)
    except InputError:
        raise
    except (
        OSError,
        ValueError,
        RuntimeError,
        KeyError,
        zipfile.BadZipFile,
    ) as exc:  # pyogrio's, openpyxl's "not this format"
        msg = f"{path.name} cannot be read as a registry export ({exc}); give a .gpkg or .xlsx written by `registry export`"
        raise InputError(msg) from None


def _read_dump(path: Path, names: set[str]) -> dict[str, pd.DataFrame]:
    if path.suffix.lower() == ".gpkg":
        import pyogrio

        layers = {name for name, _ in pyogrio.list_layers(path)}
        if not names <= layers:
            msg = f"{path.name} is not a registry export (missing {sorted(names - layers)})"
            raise InputError(msg)
        present = names | (OPTIONAL & layers)
        return {n: pd.DataFrame(pyogrio.read_dataframe(path, layer=n, read_geometry=False)) for n in present}
    if path.suffix.lower() == ".xlsx":
        sheets = pd.read_excel(path, sheet_name=None, dtype=object)
        if not (names | {"files"}) <= set(sheets):
            msg = f"{path.name} is not a registry export (missing {sorted((names | {'files'}) - set(sheets))})"
            raise InputError(msg)
        files = sheets["files"].sort_values(["submission_id", "part"])
        joined = files.groupby("submission_id")["content"].apply(
            lambda parts: "".join(str(p) for p in parts if isinstance(p, str))
        )
        subs = sheets["submissions"].copy()
        subs["content"] = [joined.get(sid, "") for sid in subs["submission_id"]]
        present = names | (OPTIONAL & set(sheets))
        return {n: (subs if n == "submissions" else sheets[n]) for n in present}
    msg = f"restore from a .gpkg or .xlsx export, not {path.suffix or 'no suffix'}"
    raise InputError(msg)


def restore(registry: Registry, path: str | Path) -> dict[str, int]:
    """Load an export into an empty registry (one transaction); return the rows per table."""
    if not registry.is_empty():
        msg = "restore needs an empty registry; give --db a new database (nothing was changed)"
        raise InputError(msg)
    frames = read_dump(path)
    frames["stations"] = frames.pop("stations_index")
    counts = {}
    with registry.engine.begin() as conn:
        for name in TABLES:
            rows = _from_text(frames[name], name) if name in frames else []
            if name == "stations":  # heads point at versions: set them once the versions are in
                heads = {r["station_id"]: r["head_version_id"] for r in rows}
                rows = [dict(r, head_version_id=None) for r in rows]
            if rows:
                conn.execute(schema.metadata.tables[name].insert(), rows)
            counts[name] = len(rows)
        s = schema.stations
        for station_id, head in heads.items():
            conn.execute(s.update().where(s.c.station_id == station_id).values(head_version_id=head))
        _continue_numbering(conn)
    return counts


def _continue_numbering(conn: sa.Connection) -> None:
    """After rows were inserted with their own ids, new rows must number on from the largest.

    SQLite does this by itself; PostgreSQL's sequences are moved past the largest id (the one
    place the registry needs to know the backend).
    """
    if conn.dialect.name != "postgresql":
        return
    for name in TABLES:
        table = schema.metadata.tables[name]
        key = next(iter(table.primary_key.columns))
        if isinstance(key.type, sa.Integer):
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', '{key.name}'), "
                    f"COALESCE((SELECT MAX({key.name}) FROM {name}), 0) + 1, false)"
                )
            )
