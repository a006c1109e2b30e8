"""Coordinate systems: Chinese web-map offsets and the projected CRS for metres.

* GCJ-02 (Amap, Tencent) and BD-09 (Baidu) are obfuscated versions of WGS 84
  that web maps in China use; a coordinate copied from those maps is hundreds of
  metres off.  The forward formulas are public; the inverse here iterates the
  forward formula to a fixed point (error well below 1 mm), vectorised with numpy.
* Distances and areas are computed in a projected CRS: the CGCS2000 3-degree
  Gauss-Krüger zone (EPSG:4534-4554, central meridians 75°E-135°E) whose central
  meridian is nearest the centre of the area, the projection of China's official
  maps.  Across a province (±4° from the central meridian) the scale error stays
  below 0.3 %.

Examples
--------
>>> lon, lat = gcj02_to_wgs84(116.487585177952, 39.991754014757)
>>> round(float(lon), 6), round(float(lat), 6)
(116.481499, 39.990475)
>>> gauss_kruger_crs(108.3)
'EPSG:4545'
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage import settings
from coverage._errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd

#: A GeoDataFrame or a GeoSeries.
GeoFrame = TypeVar("GeoFrame", "gpd.GeoDataFrame", "gpd.GeoSeries")

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
_GCJ_A_M = 6378245.0
_GCJ_EE = 0.00669342162296594323
# BD-09 constants.
_BD_X_PI = np.pi * 3000.0 / 180.0
_BD_DLON = 0.0065
_BD_DLAT = 0.006

#: Names a user may give for each supported coordinate system.
CRS_ALIASES = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "wgs 84": "wgs84",
    "epsg:4326": "wgs84",
    "4326": "wgs84",
    "gps": "wgs84",
    "cgcs2000": "cgcs2000",
    "epsg:4490": "cgcs2000",
    "4490": "cgcs2000",
    "天地图": "cgcs2000",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "gcj": "gcj02",
    "amap": "gcj02",
    "高德": "gcj02",
    "腾讯": "gcj02",
    "tencent": "gcj02",
    "火星坐标": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "baidu": "bd09",
    "百度": "bd09",
}


def normalise_crs_name(name: str | None) -> str:
    """Return ``"wgs84"``, ``"cgcs2000"``, ``"gcj02"`` or ``"bd09"`` for a user's name.

    ``None`` means WGS 84.  An unknown name raises :class:`InputError` listing
    the names understood.
    """
    if name is None:
        return "wgs84"
    key = str(name).strip().lower().replace("_", "")
    if key in CRS_ALIASES:
        return CRS_ALIASES[key]
    msg = (
        f"unknown coordinate system {name!r}; use one of "
        f"{', '.join(settings.STATION_CRS_CHOICES)} (Amap/Tencent = gcj02, Baidu = bd09)"
    )
    raise InputError(msg)


def _gcj_offset_deg(lon: NDArray, lat: NDArray) -> tuple[NDArray, NDArray]:
    """GCJ-02 offset (dlon, dlat) in degrees at WGS 84 position (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    dlat_m = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * sqrt_abs_x
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon_m = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * sqrt_abs_x
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    rad_lat = np.radians(lat)
    magic = 1.0 - _GCJ_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat_m * 180.0) / ((_GCJ_A_M * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon_m * 180.0) / (_GCJ_A_M / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")


def in_china_bbox(lon: ArrayLike, lat: ArrayLike) -> NDArray:
    """True where (lon, lat) in degrees lies inside China's bounding box."""
    lon, lat = _as_arrays(lon, lat)
    lon_min, lat_min, lon_max, lat_max = settings.CHINA_BBOX
    return (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Shift WGS 84 degrees to GCJ-02 degrees (outside China: unchanged)."""
    lon, lat = _as_arrays(lon, lat)
    dlon, dlat = _gcj_offset_deg(lon, lat)
    inside = in_china_bbox(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Undo the GCJ-02 shift: GCJ-02 degrees to WGS 84 degrees.

    Fixed-point iteration of the forward formula; converges to < 1e-9 degrees
    (0.1 mm) in a few steps.
    """
    lon, lat = _as_arrays(lon, lat)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        err_lon, err_lat = glon - lon, glat - lat
        wlon = wlon - err_lon
        wlat = wlat - err_lat
        if np.all(np.abs(err_lon) < 1e-10) and np.all(np.abs(err_lat) < 1e-10):
            break
    return wlon, wlat


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """GCJ-02 degrees to BD-09 degrees."""
    lon, lat = _as_arrays(lon, lat)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _BD_X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _BD_X_PI)
    return z * np.cos(theta) + _BD_DLON, z * np.sin(theta) + _BD_DLAT


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """BD-09 degrees to GCJ-02 degrees (fixed-point inverse of :func:`gcj02_to_bd09`)."""
    lon, lat = _as_arrays(lon, lat)
    x, y = lon - _BD_DLON, lat - _BD_DLAT
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_X_PI)
    glon, glat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(30):
        blon, blat = gcj02_to_bd09(glon, glat)
        err_lon, err_lat = blon - lon, blat - lat
        glon, glat = glon - err_lon, glat - err_lat
        if np.all(np.abs(err_lon) < 1e-10) and np.all(np.abs(err_lat) < 1e-10):
            break
    return glon, glat


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """BD-09 degrees to WGS 84 degrees."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """WGS 84 degrees to BD-09 degrees."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def to_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str | None) -> tuple[NDArray, NDArray]:
    """Convert degrees in ``crs`` (any name :func:`normalise_crs_name` accepts) to WGS 84."""
    name = normalise_crs_name(crs)
    if name == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if name == "bd09":
        return bd09_to_wgs84(lon, lat)
    return _as_arrays(lon, lat)  # WGS 84 and CGCS2000 agree to centimetres


def from_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str | None) -> tuple[NDArray, NDArray]:
    """Convert WGS 84 degrees to ``crs`` (inverse of :func:`to_wgs84`)."""
    name = normalise_crs_name(crs)
    if name == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    if name == "bd09":
        return wgs84_to_bd09(lon, lat)
    return _as_arrays(lon, lat)


def shift_geometry(geometry: NDArray[np.object_], crs: str) -> NDArray[np.object_]:
    """Return shapely geometry (array) with every vertex converted from ``crs`` to WGS 84.

    Used to bring polygons digitised on Amap/Baidu (GCJ-02/BD-09) onto WGS 84.
    """
    import shapely

    def _convert(xy: NDArray) -> NDArray:
        lon, lat = to_wgs84(xy[:, 0], xy[:, 1], crs)
        return np.column_stack([lon, lat])

    return shapely.transform(geometry, _convert)


def gauss_kruger_crs(lon_center: float) -> str:
    """EPSG code of the CGCS2000 3-degree Gauss-Krüger zone nearest ``lon_center`` (degrees)."""
    central = min(max(round(lon_center / 3.0) * 3, 75), 135)
    return f"EPSG:{4534 + (central - 75) // 3}"


def projected_crs_for(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> str:
    """Projected CRS (metres) for a GeoDataFrame in geographic coordinates.

    Raises :class:`InputError` if the frame has no CRS, so a distance is never
    computed in degrees by accident.
    """
    if gdf.crs is None:
        msg = "layer has no coordinate system; declare it, e.g. gdf.set_crs('EPSG:4326')"
        raise InputError(msg)
    if not gdf.crs.is_geographic:
        return gdf.crs.to_string()
    xmin, _, xmax, _ = gdf.total_bounds
    return gauss_kruger_crs((xmin + xmax) / 2.0)


@functools.lru_cache(maxsize=32)
def transformer(source: Any, target: Any) -> Any:
    """pyproj's always-xy transformer from ``source`` to ``target`` (CRS objects or text), the one
    ``Transformer.from_crs`` chooses; one per pair and process, as geopandas keeps them.

    Choosing it is a search of PROJ's database that takes 0.05-0.1 s for every pair in every process
    (the largest part of projecting a province).  The chosen pipeline is kept between commands
    (:func:`coverage.data.io.keep`, keyed by the PROJ and pyproj versions and the pair) and built again
    from its definition in a tenth of a millisecond.  It is kept only when it is one operation (not
    a choice PROJ makes point by point) and, rebuilt, gives the very same coordinates on a grid of
    points over the target's area of use.
    """
    import hashlib

    import pyproj

    from coverage.data.io import keep, read_kept

    src, dst = pyproj.CRS.from_user_input(source), pyproj.CRS.from_user_input(target)
    key = f"{pyproj.__version__}|{pyproj.proj_version_str}|{src.to_wkt()}|{dst.to_wkt()}"
    name = f"proj_{hashlib.sha256(key.encode()).hexdigest()[:32]}.txt"
    kept = read_kept(name)
    if kept is not None:
        try:
            return pyproj.Transformer.from_pipeline(kept.decode())
        except (pyproj.exceptions.ProjError, UnicodeDecodeError):
            pass
    chosen = pyproj.Transformer.from_crs(src, dst, always_xy=True)
    if src.is_geographic and _rebuilds_the_same(chosen, dst):
        keep(name, chosen.definition.encode())
    return chosen


def _rebuilds_the_same(chosen: Any, target: Any) -> bool:
    """Whether ``chosen``'s definition builds a transformer giving its very coordinates (lon/lat in)."""
    import pyproj

    area = target.area_of_use
    if area is None or chosen.definition.startswith("unavailable"):  # several operations, chosen per point
        return False
    try:
        rebuilt = pyproj.Transformer.from_pipeline(chosen.definition)
    except pyproj.exceptions.ProjError:
        return False
    lon, lat = np.meshgrid(np.linspace(area.west, area.east, 25), np.linspace(area.south, area.north, 25))
    expected, got = chosen.transform(lon.ravel(), lat.ravel()), rebuilt.transform(lon.ravel(), lat.ravel())
    return all(np.array_equal(a, b, equal_nan=True) for a, b in zip(expected, got, strict=True))


def to_crs(frame: GeoFrame, crs: str) -> GeoFrame:
    """``frame.to_crs(crs)`` - the same frame and coordinates, bit for bit - through :func:`transformer`."""
    import geopandas as gpd
    import pyproj
    import shapely

    if frame.crs is None or frame.crs.is_exact_same(pyproj.CRS.from_user_input(crs)):
        return frame.to_crs(crs)  # geopandas' own answer: refused, or a copy
    move = transformer(frame.crs, crs)
    moved = shapely.transform(np.asarray(frame.geometry.values), lambda x, y: move.transform(x, y), interleaved=False)
    geometry = gpd.GeoSeries(moved, index=frame.index, crs=crs, name=frame.geometry.name)
    if isinstance(frame, gpd.GeoSeries):
        return geometry
    out = frame.copy()
    out[frame.geometry.name] = geometry
    return out
