"""Need: which townships without a station need one most (need scores), and how much need each
township has (need measures, issue 15).

A **need measure** (:func:`township_need`) is each township's need as the capacity models count it:
a need table's weighted sum (:mod:`coverage.data.need_table`; weights in need units per person,
:data:`settings.NEED_TABLE_WEIGHTS`), or, without a table, a proxy that is always named as one
(villages and communities, or area).

Need scores:

For every counted township without an open station, components:

* ``villages`` - its villages and communities (村/居委会), the people a station visits;
* ``demand_beyond`` - demand of the township beyond the service radius of every
  station (km² of its 1-km grid cells, or the demand given);
* ``distance`` - km from its representative point to the nearest open station;
* ``area`` - km²;
* any user columns (people on minimum-income support, elderly living alone,
  left-behind children, people with disabilities ...), joined by township code.

Each component is scaled to 0-1 by its largest value among the candidates; the
score is the weighted mean of the scaled components, times 100 (weights in
:data:`settings.NEED_WEIGHTS`, user columns weight 1 unless given).  The ranked
table shows every raw and scaled component, so a score can always be explained.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from coverage import settings
from coverage._errors import InputError
from coverage.analysis.admin import covered_codes
from coverage.analysis.gaps import GapResult, gap_analysis
from coverage.checks import NEED_WEIGHT
from coverage.data.schema import open_on


def need_scores(
    townships: pd.DataFrame,
    stations: pd.DataFrame | None,
    as_of: dt.date | str | None = None,
    radius_m: float = settings.DEFAULT_RADIUS_KM * 1000.0,
    extra: pd.DataFrame | None = None,
    weights: dict[str, float] | None = None,
    gaps: GapResult | None = None,
) -> pd.DataFrame:
    """Ranked need scores of the counted townships without a station on ``as_of``.

    ``extra``: a table with a ``code`` column and numeric columns to add as
    components.  ``gaps``: a gap analysis of the same stations and radius, to
    reuse.
    """
    weights = {**settings.NEED_WEIGHTS, **(weights or {})}
    open_now = stations[open_on(stations, as_of)] if stations is not None and len(stations) else stations
    if gaps is None:
        import geopandas as gpd

        points = None
        if open_now is not None and len(open_now):
            points = gpd.GeoDataFrame(
                open_now, geometry=gpd.points_from_xy(open_now["lon"], open_now["lat"]), crs=settings.WORK_CRS
            )
        gaps = gap_analysis(townships, points, radius_m=radius_m)
    g = gaps.townships.set_index("code")
    covered = covered_codes(stations, as_of) if stations is not None else set()
    cand = townships[townships["counted"].astype(bool) & ~townships["code"].astype(str).isin(covered)]
    table = pd.DataFrame(
        {
            "code": cand["code"].astype(str).to_numpy(),
            "name": cand["name"].to_numpy(),
            "county_code": cand["county_code"].astype(str).to_numpy(),
            "county_name": cand["county_name"].to_numpy() if "county_name" in cand else "",
            "kind": cand["kind"].to_numpy(),
        }
    )
    codes = table["code"]
    table["villages"] = (cand["n_villages"].fillna(0) + cand["n_communities"].fillna(0)).to_numpy(dtype=float)
    table["demand_beyond"] = (g["demand"] - g["demand_within"]).reindex(codes).to_numpy()
    dist = g["point_distance_m"].reindex(codes).to_numpy() / 1000.0
    table["distance"] = np.where(np.isfinite(dist), dist, np.nan)
    table["area"] = g["area_km2"].reindex(codes).to_numpy()
    components = ["villages", "demand_beyond", "distance", "area"]
    if extra is not None and len(extra):
        if "code" not in extra.columns:
            msg = f"the need table needs a 'code' column of 9-digit township codes; columns: {', '.join(extra.columns)}"
            raise InputError(msg)
        user = extra.set_index(extra["code"].astype(str)).drop(columns=["code"])
        if not user.index.isin(townships["code"].astype(str)).any():
            msg = (
                f"none of the {len(user)} codes of the need table is a township code of the province "
                f"(e.g. {', '.join(user.index[:3])}); its first column must hold 9-digit township codes"
            )
            raise InputError(msg)
        for col in user.columns:
            values = pd.to_numeric(user[col], errors="coerce")
            if values.notna().any():
                table[col] = values.reindex(codes).to_numpy()
                components.append(col)
                weights.setdefault(col, 1.0)
    _check_weights(weights, components)
    total_w = sum(weights.get(c, 0.0) for c in components)
    if total_w <= 0:
        msg = "the need weights add up to zero; give at least one positive weight"
        raise InputError(msg)
    score = np.zeros(len(table))
    for c in components:
        values = table[c].astype(float).fillna(table[c].max() if c == "distance" else 0.0)
        top = values.max()
        scaled = values / top if top and np.isfinite(top) and top > 0 else values * 0.0
        table[f"{c}_scaled"] = scaled.round(4)
        score += weights.get(c, 0.0) * scaled.to_numpy()
    table["score"] = (100.0 * score / total_w).round(2)
    table = table.sort_values(["score", "code"], ascending=[False, True]).reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table.attrs["weights"] = {c: weights.get(c, 0.0) for c in components}
    return table


def _check_weights(weights: dict[str, float], components: list[str]) -> None:
    """Every weight names a component and is a number of 0 or more."""
    unknown = [name for name in weights if name not in components]
    if unknown:
        msg = f"need weights for unknown components {', '.join(unknown)}; the components are {', '.join(components)}"
        raise InputError(msg)
    for name, value in weights.items():
        weights[name] = replace(NEED_WEIGHT, what=f"need weight of {name}")(value)


# --------------------------------------------------------------------------- need (issue 15)
#: What a need measure counts, by source: the unit of its values.
NEED_UNITS = {"table": "need units", "villages": "villages and communities", "area": "km²"}


@dataclass(frozen=True)
class NeedMeasure:
    """Each township's need (``values``, indexed by 9-digit code) and what it is.

    ``source`` is ``"table"`` (a weighted sum of a need table's columns, ``weights`` per column)
    or a proxy of :data:`settings.NEED_PROXIES` (``"villages"``: villages and communities;
    ``"area"``: km²).  A proxy is always labelled as one (:attr:`label`).  ``missing``: counted
    townships the table has no row for (their need is 0).
    """

    values: pd.Series
    source: str
    weights: dict[str, float]
    missing: tuple[str, ...] = ()

    @property
    def is_proxy(self) -> bool:
        return self.source != "table"

    @property
    def unit(self) -> str:
        """What one unit of :attr:`values` is (need units, villages and communities, km²)."""
        return NEED_UNITS[self.source]

    @property
    def caseload_key(self) -> str:
        """The key of :data:`settings.CASELOAD_PER_WORKER` for this measure's unit."""
        return "need" if self.source == "table" else self.source

    @property
    def label(self) -> str:
        """How results name the measure: ``"need table: 低保 x 1 + 特困 x 2"`` or ``"proxy: villages and communities"``."""
        if self.is_proxy:
            return f"proxy: {self.unit}"
        terms = " + ".join(f"{col} x {w:g}" for col, w in self.weights.items())
        return f"need table: {terms}"

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "proxy": self.is_proxy,
            "unit": self.unit,
            "label": self.label,
            "weights": self.weights,
            "total": round(float(self.values.sum()), 6),
            "townships_without_a_row": len(self.missing),
        }


def need_weights(columns: dict[str, str], given: dict[str, float] | None = None) -> dict[str, float]:
    """The weight of each need-table column (``columns``: column -> category): the settings'
    (:data:`settings.NEED_TABLE_WEIGHTS`, :data:`settings.NEED_OTHER_WEIGHT`) unless ``given``.

    >>> need_weights({"低保": "dibao", "特困": "tekun"}, {"特困": 3})
    {'低保': 1.0, '特困': 3.0}
    """
    out = {
        col: settings.NEED_TABLE_WEIGHTS.get(category, settings.NEED_OTHER_WEIGHT) for col, category in columns.items()
    }
    unknown = [name for name in (given or {}) if name not in out]
    if unknown:
        msg = f"need weights for unknown columns {', '.join(unknown)}; the need table's columns are {', '.join(out)}"
        raise InputError(msg)
    for name, value in (given or {}).items():
        out[name] = replace(NEED_WEIGHT, what=f"need weight of {name}")(value)
    if out and sum(out.values()) <= 0:
        msg = "the need weights add up to zero; give at least one positive weight"
        raise InputError(msg)
    return out


def township_need(
    townships: pd.DataFrame,
    table: pd.DataFrame | None = None,
    columns: dict[str, str] | None = None,
    weights: dict[str, float] | None = None,
    proxy: str = "villages",
) -> NeedMeasure:
    """Need per township: a need table's weighted sum, or a proxy when there is no table.

    Parameters
    ----------
    townships : the province's townships (``code``, ``counted``, ``n_villages``, ``n_communities``,
        ``area_km2`` for the area proxy).
    table : counts per township (``code`` and the ``columns``), e.g. :attr:`coverage.data.need_table.NeedTable.values`.
    columns : need column -> category (:attr:`~coverage.data.need_table.NeedTable.columns`).
    weights : need units per person of each column (default: the settings', :func:`need_weights`).
    proxy : without a table, ``"villages"`` (villages + communities, at least 1, as the siting
        models have always weighed townships) or ``"area"`` (km²).

    The need of a township with a table is ``sum(weight[c] x count[c])``; townships the table has
    no row for get 0 and are listed in ``missing``.
    """
    codes = townships["code"].astype(str)
    if table is not None:
        cols = columns or {c: "other" for c in table.columns if c != "code"}
        w = need_weights(cols, weights)
        counts = table.set_index(table["code"].astype(str))[list(cols)].astype(float)
        values = (counts * pd.Series(w)).sum(axis=1).reindex(codes.to_numpy()).fillna(0.0)
        counted = codes[townships["counted"].astype(bool)] if "counted" in townships else codes
        missing = tuple(sorted(set(counted) - set(counts.index)))
        return NeedMeasure(pd.Series(values.to_numpy(), index=codes.to_numpy()), "table", w, missing)
    if proxy == "villages":
        villages = (townships["n_villages"].fillna(0) + townships["n_communities"].fillna(0)).clip(lower=1)
        return NeedMeasure(pd.Series(villages.to_numpy(dtype=float), index=codes.to_numpy()), "villages", {})
    if proxy == "area":
        return NeedMeasure(pd.Series(townships["area_km2"].to_numpy(dtype=float), index=codes.to_numpy()), "area", {})
    msg = f"need proxy {proxy!r} unknown; choose one of {', '.join(settings.NEED_PROXIES)}"
    raise InputError(msg)
