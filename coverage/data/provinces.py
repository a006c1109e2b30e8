"""The embedded data: which provinces are available, and loading one.

A province is one GeoPackage (``data/boundaries/45_guangxi.gpkg``) with the
layers ``province``, ``cities``, ``counties``, ``townships``, ``provenance``
and ``build_report``, plus its default station list in ``data/stations/``.
Layers are stored in CGCS2000 (EPSG:4490) and handed out in WGS 84
(EPSG:4326); the two agree to centimetres.

Examples
--------
>>> gx = load_province("45")
>>> gx.name, len(gx.townships), int(gx.townships["counted"].sum())
('广西壮族自治区', 1284, 1253)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from coverage import settings
from coverage._errors import DataError, InputError
from coverage.data.register import province_code


@dataclass(frozen=True)
class Province:
    """One province's layers (WGS 84) and where they came from.

    The townships are read when the province is loaded; the other layers (``province``, ``cities``,
    ``counties``, ``provenance``, ``build_report``) when first used, from the same file: a command
    that needs only the townships (``gaps``) starts sooner (issue 17).
    """

    code: str
    name: str
    path: Path
    townships: gpd.GeoDataFrame
    #: The file's modification time when loaded: a layer read later must come from the same file.
    mtime: float = field(default=0.0, compare=False, repr=False)
    layers: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def _layer(self, name: str) -> pd.DataFrame:
        if self.path.stat().st_mtime != self.mtime:
            msg = f"{self.path.name} has changed since it was loaded; load the province again (load_province)"
            raise DataError(msg)
        return _read(self.path, name)

    @functools.cached_property
    def province(self) -> gpd.GeoDataFrame:
        """The province's outline, code and name."""
        return self._layer("province")

    @functools.cached_property
    def cities(self) -> gpd.GeoDataFrame:
        return self._layer("cities")

    @functools.cached_property
    def counties(self) -> gpd.GeoDataFrame:
        return self._layer("counties")

    @functools.cached_property
    def provenance(self) -> pd.DataFrame:
        """Where each layer came from (empty when the file has no ``provenance`` layer)."""
        return pd.DataFrame(self._layer("provenance")) if "provenance" in self.layers else pd.DataFrame()

    @functools.cached_property
    def build_report(self) -> pd.DataFrame:
        """What the build did (empty when the file has no ``build_report`` layer)."""
        return pd.DataFrame(self._layer("build_report")) if "build_report" in self.layers else pd.DataFrame()

    @property
    def approximate(self) -> bool:
        """True when any township polygon is approximate."""
        return bool((self.townships["boundary_quality"] == "approximate").any())

    @property
    def estimated_points_share(self) -> float:
        """Share (0-1) of townships whose point is an estimate (neither a published position nor a county seat).

        Without a ``point_source`` column (a layer built elsewhere): the share of approximate polygons.
        """
        t = self.townships
        if "point_source" in t:
            return float((t["point_source"] == "estimated").mean()) if len(t) else 0.0
        return float((t["boundary_quality"] == "approximate").mean()) if len(t) else 0.0


def province_files() -> dict[str, Path]:
    """Available province GeoPackages by 2-digit code: embedded ones, then built ones."""
    found: dict[str, Path] = {}
    for folder in (settings.BOUNDARIES_DIR, settings.BUILD_DIR):
        if folder.exists():
            for path in sorted(folder.glob("[0-9][0-9]_*.gpkg")):
                found.setdefault(path.name[:2], path)
    return found


def _read(path: Path, layer: str) -> gpd.GeoDataFrame:
    frame = pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
    for column in frame.columns:
        if column == "code" or column.endswith("_code"):
            frame[column] = frame[column].astype(str).replace({"None": "", "nan": ""})
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
        frame = _to_work_crs(frame)
    return frame


def _to_work_crs(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` in :data:`settings.WORK_CRS`.  A layer in the storage CRS (CGCS2000) is relabelled, not
    transformed: PROJ's CGCS2000 -> WGS 84 transformation is the identity (no datum shift; the
    coordinates come out bit for bit the same, ``tests/test_startup.py``), and setting it up
    costs a tenth of a second of every command's start."""
    if frame.crs.to_epsg() == int(settings.STORAGE_CRS.split(":")[1]):
        return frame.set_crs(settings.WORK_CRS, allow_override=True)
    return frame.to_crs(settings.WORK_CRS)


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Province:
    p = Path(path)
    layers = {name for name, _ in pyogrio.list_layers(p)}
    missing = {"province", "cities", "counties", "townships"} - layers
    if missing:
        msg = f"{p.name} lacks the layers {sorted(missing)}; rebuild it with `python -m coverage data build --province {p.name[:2]}`"
        raise DataError(msg)
    townships = _read(p, "townships")
    named = pyogrio.read_dataframe(p, layer="province", columns=["code", "name"], read_geometry=False)
    return Province(
        code=str(named["code"].iloc[0]),
        name=str(named["name"].iloc[0]),
        path=p,
        townships=townships,
        mtime=mtime,
        layers=frozenset(layers),
    )


def load_province(province: str = settings.DEFAULT_PROVINCE, path: str | Path | None = None) -> Province:
    """Load a province by code or name (``"45"``, ``"广西"``), or from a GeoPackage ``path``.

    Cached per file and modification time, so a rebuilt file is read again.
    """
    if path is None:
        code = province_code(province)
        files = province_files()
        if code not in files:
            msg = (
                f"no data for province {code}; build it with `python -m coverage data build --province {code}` "
                f"(available: {', '.join(sorted(files)) or 'none'})"
            )
            raise InputError(msg)
        path = files[code]
    path = Path(path)
    if not path.exists():
        msg = f"file not found: {path}"
        raise InputError(msg)
    return _load(str(path.resolve()), path.stat().st_mtime)


def default_stations_path(province: str) -> Path | None:
    """The committed station list of a province, if there is one."""
    code = province_code(province)
    matches = sorted(settings.STATIONS_DIR.glob(f"{code}_*.csv"))
    return matches[0] if matches else None
