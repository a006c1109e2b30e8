"""The user's other tables: cost and travel matrices, weights, supervisors, township columns.

Every reader goes through :func:`coverage.data.io.read_table` (CSV in any Chinese encoding or
XLSX, header row found under titles) and returns plain frames with checked types; the commands
and pages never parse files themselves.  Station lists have their own importer
(:mod:`coverage.data.stations`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coverage._errors import InputError
from coverage.data.io import read_table

PathLike = str | Path


def read_matrix(path: PathLike) -> pd.DataFrame:
    """A matrix file: first column row ids, header row column ids, every other cell a number.

    Returns a float frame indexed by the row ids (strings), columns the column ids (strings).
    Empty cells become NaN ("no connection").
    """
    table = read_table(path).frame()
    if table.shape[1] < 2:
        msg = f"{Path(path).name}: a matrix needs ids in the first column and one column per place; found {table.shape[1]} column(s)"
        raise InputError(msg)
    ids = table.iloc[:, 0].astype(str).str.strip()
    body = table.iloc[:, 1:].apply(lambda c: c.astype(str).str.strip())
    numbers = body.apply(pd.to_numeric, errors="coerce")
    bad = numbers.isna() & body.ne("") & body.ne("nan")
    if bad.to_numpy().any():
        r, c = np.argwhere(bad.to_numpy())[0]
        msg = (
            f"{Path(path).name}: cell at row {ids.iloc[r]!r}, column {body.columns[c]!r} is {body.iat[r, c]!r}, "
            "not a number; every cell after the first column must be a number (or empty for no connection)"
        )
        raise InputError(msg)
    out = numbers.astype(float).set_axis(ids.to_numpy())
    out.columns = [str(c).strip() for c in out.columns]
    return out


def read_weights(path: PathLike, ids: list[str]) -> list[float]:
    """Weights for ``ids`` from a two-column file ``id, weight``; every id must have a number ≥ 0."""
    table = read_table(path, known_headers=["id", "weight"]).frame()
    if table.shape[1] < 2:
        msg = f"{Path(path).name}: give two columns, id and weight"
        raise InputError(msg)
    values = pd.to_numeric(table.iloc[:, 1], errors="coerce")
    weights = dict(zip(table.iloc[:, 0].astype(str).str.strip(), values, strict=True))
    missing = [i for i in ids if i not in weights or pd.isna(weights[i])]
    if missing:
        msg = f"{len(missing)} ids have no numeric weight in {Path(path).name} (e.g. {missing[:3]}); add them"
        raise InputError(msg)
    out = [float(weights[i]) for i in ids]
    if any(w < 0 for w in out):
        msg = f"{Path(path).name}: weights must not be negative"
        raise InputError(msg)
    return out


def read_code_table(path: PathLike) -> pd.DataFrame:
    """A table keyed by township code in its first column (renamed ``code``), other columns as given."""
    table = read_table(path, known_headers=["code", "township_code", "乡镇代码"]).frame()
    if table.shape[1] < 2:
        msg = f"{Path(path).name}: give the township code in the first column and at least one value column"
        raise InputError(msg)
    return table.rename(columns={table.columns[0]: "code"})


def read_supervisor_bases(path: PathLike) -> pd.DataFrame:
    """Supervisors and where they are based: ``name`` and ``lon``/``lat`` (WGS 84), or ``place`` (a township
    or county name to look up).  Returns ``name``, ``lon``, ``lat``, ``place`` (NaN/'' where not given)."""
    table = read_table(path, known_headers=["name", "lon", "lat", "姓名", "驻地", "base"]).frame()
    table.columns = [str(c).strip().lower() for c in table.columns]
    name_col = next((c for c in ("name", "姓名", "supervisor", "督导") if c in table.columns), table.columns[0])
    names = table[name_col].astype(str).str.strip()
    if {"lon", "lat"} <= set(table.columns):
        lon = pd.to_numeric(table["lon"], errors="coerce")
        lat = pd.to_numeric(table["lat"], errors="coerce")
        if lon.isna().any() or lat.isna().any():
            rows = ", ".join(str(i + 2) for i in np.flatnonzero(lon.isna() | lat.isna())[:5])
            msg = f"{Path(path).name}: lon/lat are not numbers on rows {rows}; fix them"
            raise InputError(msg)
        return pd.DataFrame({"name": names, "lon": lon, "lat": lat, "place": ""})
    where = next((c for c in ("base", "驻地", "place", "所在地") if c in table.columns), None)
    if where is None:
        msg = (
            f"{Path(path).name}: give lon and lat columns, or a base column naming a township/county; "
            f"found {', '.join(table.columns)}"
        )
        raise InputError(msg)
    return pd.DataFrame({"name": names, "lon": np.nan, "lat": np.nan, "place": table[where].astype(str).str.strip()})


#: Header names of a capacity file's value columns (compared in lower case, without spaces).
CAPACITY_HEADERS = ("capacity", "容量", "服务容量", "服务能力")
WORKER_HEADERS = ("workers", "社工人数", "社工数", "人数", "持证社工", "社工")


def read_capacities(path: PathLike) -> pd.DataFrame:
    """A capacity file: ids (candidate sites or stations) in the first column, then a ``capacity``
    column (demand units) or a ``workers`` column (certified workers), or both.

    Returns ``id`` (text), ``capacity`` and ``workers`` (float, NaN where not given); every id once.
    """
    name = Path(path).name
    table = read_table(path, known_headers=["id", *CAPACITY_HEADERS, *WORKER_HEADERS]).frame()
    keys = {str(c).strip().lower().replace(" ", ""): c for c in table.columns[1:]}
    cap_col = next((keys[h] for h in CAPACITY_HEADERS if h in keys), None)
    work_col = next((keys[h] for h in WORKER_HEADERS if h in keys), None)
    if table.shape[1] < 2 or (cap_col is None and work_col is None):
        msg = (
            f"{name}: give the ids in the first column and a capacity or workers column; "
            f"found {', '.join(map(str, table.columns))}"
        )
        raise InputError(msg)
    ids = table.iloc[:, 0].astype(str).str.strip()
    repeated = ids[ids.duplicated()].unique().tolist()
    if repeated:
        msg = f"{name}: ids {', '.join(repeated[:3])} are given twice; give each site once"
        raise InputError(msg)
    out = pd.DataFrame({"id": ids.to_numpy()})
    for role, col in (("capacity", cap_col), ("workers", work_col)):
        if col is None:
            out[role] = np.nan
            continue
        text = table[col].astype(str).str.strip()
        values = pd.to_numeric(text, errors="coerce")
        bad = (values.isna() & text.ne("")) | (values < 0) | ~np.isfinite(values.fillna(0))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            msg = f"{name}: {role} of {ids.iloc[i]!r} is {text.iloc[i]!r}; give a number of 0 or more"
            raise InputError(msg)
        out[role] = values.to_numpy(dtype=float)
    empty = out["capacity"].isna() & out["workers"].isna()
    if empty.any():
        msg = f"{name}: {', '.join(out.loc[empty, 'id'].head(3))} have neither capacity nor workers; give one"
        raise InputError(msg)
    return out
