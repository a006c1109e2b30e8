"""Replace approximate township cells by official township polygons: one documented step.

``python -m coverage data replace-townships --province 45 --file 乡镇界.shp``
(optionally ``--code-col XZQDM --name-col XZQMC``) reads the file, matches each
feature to a township by its 9-digit code or, failing that, by its name (with
the county, if a county column is given), and writes the province's
GeoPackage again with those townships' polygons replaced and marked
``boundary_quality="official"``.  Townships the file does not cover keep
their approximate cells, trimmed so they do not overlap the official ones.
The row-by-row report says which feature went where.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from coverage import settings
from coverage._errors import InputError
from coverage.data.io import read_layer, write_layers
from coverage.data.names import TownshipMatcher
from coverage.data.provinces import load_province
from coverage.data.stations import township_code_in

CODE_HINTS = ("xzqdm", "code", "adcode", "乡镇代码", "区划代码", "行政区划代码", "dm", "bm", "township_code")
NAME_HINTS = ("xzqmc", "name", "乡镇名称", "名称", "乡镇", "mc", "township", "街道")


@dataclass
class ReplaceResult:
    """What replacing township polygons did."""

    path: Path
    report: pd.DataFrame
    replaced: int
    kept_approximate: int

    def to_json(self) -> dict:
        counts = self.report["status"].value_counts()
        return {
            "path": str(self.path),
            "summary": {
                "replaced": self.replaced,
                "kept_approximate": self.kept_approximate,
                "unmatched_features": int(counts.get("unmatched", 0) + counts.get("ambiguous", 0)),
                "rejected_features": int(counts.get("rejected", 0)),
            },
            "rows": self.report.to_dict(orient="records"),
        }


def guess_column(frame: pd.DataFrame, hints: tuple[str, ...], test) -> str | None:
    """The column named like one of ``hints``, else the one whose values best pass ``test``."""
    columns = [c for c in frame.columns if c != "geometry"]
    for hint in hints:
        for c in columns:
            if str(c).strip().lower() == hint:
                return c
    best, best_share = None, 0.5
    for c in columns:
        values = frame[c].dropna().astype(str).head(200)
        if len(values):
            share = sum(bool(test(v)) for v in values) / len(values)
            if share > best_share:
                best, best_share = c, share
    return best


def replace_townships(
    province: str,
    file: str | Path | bytes,
    code_col: str | None = None,
    name_col: str | None = None,
    county_col: str | None = None,
    layer: str | None = None,
    crs: str | None = None,
    out: str | Path | None = None,
    filename: str | None = None,
) -> ReplaceResult:
    """Replace township cells of ``province`` by the polygons in ``file``; write the GeoPackage.

    ``out`` defaults to the province's own GeoPackage (rewritten atomically).
    """
    prov = load_province(province)
    label = filename or (Path(file).name if isinstance(file, (str, Path)) else "upload")
    read = read_layer(file, filename=filename, layer=layer, crs=crs)
    features = read.frame.reset_index(drop=True)
    for given, role in ((code_col, "code"), (name_col, "name"), (county_col, "county")):
        if given and given not in features.columns:
            msg = f"column {given!r} ({role}) not in {label}; columns: {', '.join(map(str, features.columns))}"
            raise InputError(msg)
    matcher = TownshipMatcher(prov.code)
    known = set(prov.townships["code"])
    code_col = code_col or guess_column(features, CODE_HINTS, lambda v: township_code_in(v) in known)
    name_col = name_col or guess_column(features, NAME_HINTS, lambda v: matcher.match(v).code is not None)
    if code_col is None and name_col is None:
        msg = (
            f"{label}: no column of township codes or names found; columns: "
            f"{', '.join(map(str, features.columns))} - pass --code-col or --name-col"
        )
        raise InputError(msg)

    rows: list[dict] = []
    assigned: dict[str, tuple[int, Any]] = {}
    for i, feature in features.iterrows():
        code = township_code_in(feature[code_col]) if code_col else None
        how, status, message = "", "", ""
        if code is not None and code in known:
            how, status = "code", "matched"
        else:
            code = None
            text = str(feature[name_col]) if name_col else ""
            county = str(feature[county_col]) if county_col else ""
            result = matcher.match(text, county=county) if text.strip() else None
            if result is not None and result.code:
                code, how, status, message = result.code, result.how, result.status, result.message
            elif result is not None:
                status, message = result.status, result.message
            else:
                status, message = "unmatched", "no township code or name in this feature"
        if code is not None:
            if code in assigned:
                message = (
                    message + "; " if message else ""
                ) + f"joined with feature {assigned[code][0] + 1} (same township)"
                assigned[code] = (assigned[code][0], shapely.union(assigned[code][1], feature.geometry))
            else:
                assigned[code] = (i, feature.geometry)
        rows.append(
            {
                "row": i + 1,
                "status": status,
                "township_code": code or "",
                "township": matcher.label(code) if code else "",
                "how": how,
                "message": message,
            }
        )
    report = pd.DataFrame(rows)
    # the layer reader's own row report (repaired/rejected geometries) comes first
    layer_report = read.report[read.report["status"] != "accepted"]
    if not layer_report.empty:
        extra = layer_report.assign(township_code="", township="", how="")[report.columns]
        report = pd.concat([report, extra], ignore_index=True)

    towns = prov.townships.copy()
    official = {code: geom for code, (_, geom) in assigned.items()}
    replaced = towns["code"].isin(official)
    towns.loc[replaced, "geometry"] = [official[c] for c in towns.loc[replaced, "code"]]
    towns.loc[replaced, "boundary_quality"] = "official"
    if replaced.any() and (~replaced).any():
        cover = shapely.union_all(list(official.values()))
        trimmed = shapely.difference(towns.loc[~replaced, "geometry"].values, cover)
        keep = ~shapely.is_empty(trimmed)
        index = towns.index[~replaced]
        towns.loc[index[keep], "geometry"] = trimmed[keep]
    points = shapely.point_on_surface(towns.loc[replaced, "geometry"].values)
    towns.loc[replaced, "lon"] = shapely.get_x(points).round(6)
    towns.loc[replaced, "lat"] = shapely.get_y(points).round(6)
    if "point_source" in towns:  # a point inside an official polygon is no longer an estimate
        towns.loc[replaced, "point_source"] = "official polygon"
    towns["area_km2"] = (towns.to_crs(settings.EQUAL_AREA_CRS).area / 1e6).round(3)
    towns = towns.to_crs(settings.STORAGE_CRS)

    provenance = prov.provenance.copy()
    note = f"{int(replaced.sum())} townships replaced by official polygons from {label} (source CRS {read.source_crs})"
    provenance.loc[provenance["layer"] == "townships", "approximate"] = (
        provenance.loc[provenance["layer"] == "townships", "approximate"] + "; " + note
    )
    path = Path(out) if out else prov.path
    layers = {
        "province": prov.province.to_crs(settings.STORAGE_CRS),
        "cities": prov.cities.to_crs(settings.STORAGE_CRS),
        "counties": prov.counties.to_crs(settings.STORAGE_CRS),
        "townships": gpd.GeoDataFrame(towns, geometry="geometry"),
        "provenance": provenance,
        "build_report": prov.build_report,
    }
    write_layers(layers, path)
    return ReplaceResult(
        path=path, report=report, replaced=int(replaced.sum()), kept_approximate=int((~replaced).sum())
    )
