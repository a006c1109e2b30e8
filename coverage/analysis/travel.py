"""Travel: how long (minutes) and how far (road km) between places, in one abstraction.

Every part of the tool that needs a time or a distance between places - service radii in
minutes, trips, supervision - asks a :class:`Travel` model for
``matrices(places) -> (minutes, road km)``.  Three models:

* :class:`StraightLine` (the default): road km = straight-line km x circuity
  (:data:`settings.CIRCUITY_FACTOR`); minutes by :func:`two_speed_minutes`, the one rule for
  turning road km into minutes (the first ``local_km`` of a leg at ``speed_kmh``, the rest at
  ``long_kmh``; one speed when ``long_kmh`` is None).  Distances are measured in a projected
  CRS (metres), never in degrees.  It also turns a radius in minutes into metres for the
  geometric gap analysis.
* :class:`MatrixTravel`: the user's own table of minutes (and optionally km) between places,
  keyed by township code or name.
* :class:`OsrmTravel`: an OSRM-compatible server the user runs (its ``/table`` service).

Examples
--------
>>> model = StraightLine(circuity=1.3, speed_kmh=40)
>>> round(float(model.minutes(10_000)), 1)   # 10 km straight = 13 km of road at 40 km/h
19.5
>>> round(model.metres_for_minutes(19.5))
10000
>>> trip = StraightLine.for_trips()          # 40 km/h for 30 road km, then 80 km/h
>>> round(trip.metres_for_minutes(120) / 1000 * trip.circuity)   # 30 km in 45 min + 100 km in 75 min
130
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from coverage import checks, settings
from coverage._errors import InputError

if TYPE_CHECKING:
    from coverage.analysis.roads import RoadTravel


@dataclass(frozen=True)
class Place:
    """A named point (WGS 84 degrees): a station's township, a county seat, a city, or coordinates."""

    name: str
    code: str
    lon: float
    lat: float
    kind: str = "place"


def places_of(frame: pd.DataFrame, kind: str) -> list[Place]:
    """One :class:`Place` of ``kind`` per row of a frame with ``name``, ``code``, ``lon`` and ``lat``.

    >>> places_of(pd.DataFrame({"name": ["A"], "code": [1], "lon": ["113.5"], "lat": [23.0]}), "station")
    [Place(name='A', code='1', lon=113.5, lat=23.0, kind='station')]
    """
    lon = frame["lon"].to_numpy(dtype=float)
    lat = frame["lat"].to_numpy(dtype=float)
    return [
        Place(str(name), str(code), float(x), float(y), kind)
        for name, code, x, y in zip(frame["name"], frame["code"], lon, lat, strict=True)
    ]


class Travel:
    """A travel model: minutes and road km between places."""

    #: How outputs name the model.
    name = "travel"

    def matrices(self, places: Sequence[Place]) -> tuple[NDArray, NDArray]:
        """(minutes, road km) between every pair of ``places``, rows from, columns to."""
        raise NotImplementedError

    def describe(self) -> str:
        """One line for outputs saying which model made a figure."""
        return self.name


# --------------------------------------------------------------------------- the one rule
def two_speed_minutes(
    road_km: ArrayLike, speed_kmh: float, long_kmh: float | None = None, local_km: float = settings.LOCAL_ROAD_KM
) -> NDArray:
    """Minutes for road km: the first ``local_km`` of a leg at ``speed_kmh``, the rest at ``long_kmh``.

    With ``long_kmh`` None (or not faster) every km is at ``speed_kmh``.  Minutes stay a metric
    (a concave function of distance), so detours never pay.

    >>> two_speed_minutes([20.0, 130.0], 40, 80).tolist()   # 30 min; 45 + 75 min
    [30.0, 120.0]
    """
    road_km = np.asarray(road_km, dtype=float)
    if not long_kmh or long_kmh <= speed_kmh:
        return road_km * 60.0 / speed_kmh
    local = np.minimum(road_km, local_km)
    return local * 60.0 / speed_kmh + (road_km - local) * 60.0 / long_kmh


def _road_km_for_minutes(minutes: float, speed_kmh: float, long_kmh: float | None, local_km: float) -> float:
    """The inverse of :func:`two_speed_minutes`: road km driven in ``minutes``."""
    if not long_kmh or long_kmh <= speed_kmh:
        return minutes * speed_kmh / 60.0
    local_min = local_km * 60.0 / speed_kmh
    if minutes <= local_min:
        return minutes * speed_kmh / 60.0
    return local_km + (minutes - local_min) * long_kmh / 60.0


# --------------------------------------------------------------------------- straight line
@dataclass(frozen=True)
class StraightLine(Travel):
    """Straight line in a projected CRS x ``circuity``; minutes by :func:`two_speed_minutes`.

    The default (one speed, ``long_kmh`` None) is the service-radius model; trips and supervision
    use :meth:`for_trips` (expressways between cities).
    """

    circuity: float = settings.CIRCUITY_FACTOR
    speed_kmh: float = settings.AVERAGE_SPEED_KMH
    long_kmh: float | None = None
    local_km: float = settings.LOCAL_ROAD_KM

    def __post_init__(self) -> None:
        checks.CIRCUITY(self.circuity)
        checks.SPEED_KMH(self.speed_kmh)
        checks.long_speed(self.long_kmh)
        checks.LOCAL_KM(self.local_km)

    @classmethod
    def for_trips(cls, **changes: float | None) -> StraightLine:
        """The trips' default: :data:`settings.LONG_SPEED_KMH` beyond the first :data:`settings.LOCAL_ROAD_KM`."""
        values: dict = {"long_kmh": settings.LONG_SPEED_KMH, **changes}
        return cls(**values)

    name = "straight line"

    def describe(self) -> str:
        speeds = f"{self.speed_kmh:g} km/h"
        if self.long_kmh and self.long_kmh > self.speed_kmh:
            speeds += f" for the first {self.local_km:g} km of a leg, then {self.long_kmh:g} km/h"
        return f"straight line x {self.circuity:g}, {speeds}"

    def minutes(self, distance_m: ArrayLike) -> NDArray:
        """Travel minutes for straight-line metres."""
        road_km = np.asarray(distance_m, dtype=float) * self.circuity / 1000.0
        return two_speed_minutes(road_km, self.speed_kmh, self.long_kmh, self.local_km)

    def metres_for_minutes(self, minutes: float) -> float:
        """The straight-line radius (metres) reached in ``minutes``."""
        road_km = _road_km_for_minutes(float(minutes), self.speed_kmh, self.long_kmh, self.local_km)
        return road_km * 1000.0 / self.circuity

    def nearest(self, from_xy: NDArray, to_xy: NDArray) -> tuple[NDArray, NDArray]:
        """Distance (metres) from each ``from_xy`` point to its nearest ``to_xy`` point, and that point's index.

        With no ``to_xy`` points the distances are infinite and the indices -1.  Of points at the
        same distance, any one may be named.  The KD-tree is pykdtree's (the same distances as
        SciPy's ``cKDTree``, bit for bit: a test compares them): importing ``scipy.spatial`` would
        cost a command 0.3-0.4 s of start-up.
        """
        from pykdtree.kdtree import KDTree

        from_xy = np.ascontiguousarray(np.asarray(from_xy, dtype=float).reshape(-1, 2))
        to_xy = np.ascontiguousarray(np.asarray(to_xy, dtype=float).reshape(-1, 2))
        if len(to_xy) == 0:
            return np.full(len(from_xy), np.inf), np.full(len(from_xy), -1)
        if len(from_xy) == 0:
            return np.empty(0), np.empty(0, dtype=int)
        dist, idx = KDTree(to_xy).query(from_xy, k=1)
        return dist, idx.astype(np.int64)

    def matrix(self, from_xy: NDArray, to_xy: NDArray) -> NDArray:
        """Dense matrix of straight-line metres (rows ``from_xy``, columns ``to_xy``)."""
        from_xy = np.asarray(from_xy, dtype=float).reshape(-1, 2)
        to_xy = np.asarray(to_xy, dtype=float).reshape(-1, 2)
        return np.hypot(from_xy[:, None, 0] - to_xy[None, :, 0], from_xy[:, None, 1] - to_xy[None, :, 1])

    def matrices(self, places: Sequence[Place]) -> tuple[NDArray, NDArray]:
        """Minutes and road km between places, measured in the Gauss-Krüger zone nearest their centre.

        >>> a, b = Place("a", "a", 113.0, 23.0), Place("b", "b", 113.1, 23.0)   # 10.2 km apart
        >>> minutes, km = StraightLine().matrices([a, b])
        >>> round(float(km[0, 1]), 1), round(float(minutes[0, 1]), 1)
        (13.3, 20.0)
        """
        from pyproj import Transformer

        from coverage.coords import gauss_kruger_crs

        lon = np.array([p.lon for p in places], dtype=float)
        lat = np.array([p.lat for p in places], dtype=float)
        if len(lon) == 0:
            return np.zeros((0, 0)), np.zeros((0, 0))
        crs = gauss_kruger_crs(float((lon.min() + lon.max()) / 2))
        x, y = Transformer.from_crs(settings.WORK_CRS, crs, always_xy=True).transform(lon, lat)
        xy = np.column_stack([x, y])
        metres = self.matrix(xy, xy)
        return self.minutes(metres), metres * self.circuity / 1000.0


# --------------------------------------------------------------------------- the user's matrix
@dataclass(frozen=True)
class MatrixTravel(Travel):
    """Minutes (and optionally road km) from the user's tables, indexed by place id (code or name).

    Without a km table, km = minutes x ``speed_kmh`` / 60.
    """

    minutes_table: pd.DataFrame
    km_table: pd.DataFrame | None = None
    speed_kmh: float = settings.AVERAGE_SPEED_KMH

    name = "matrix"

    def describe(self) -> str:
        return "the user's travel-time matrix"

    def nearest_by_id(self, demand_ids: Sequence[str], station_ids: Sequence[str]) -> tuple[NDArray, NDArray]:
        """Cheapest minutes from each demand id to any of ``station_ids``, and the column position."""
        costs = self.minutes_table
        missing_rows = set(demand_ids) - set(costs.index)
        missing_cols = set(station_ids) - set(costs.columns)
        if missing_rows or missing_cols:
            msg = (
                f"the cost matrix lacks {len(missing_rows)} demand ids and {len(missing_cols)} station ids "
                f"(e.g. {sorted(missing_rows | missing_cols)[:3]}); give a matrix covering all of them"
            )
            raise InputError(msg)
        sub = costs.loc[list(demand_ids), list(station_ids)].to_numpy(dtype=float)
        if sub.shape[1] == 0:
            return np.full(sub.shape[0], np.inf), np.full(sub.shape[0], -1)
        return sub.min(axis=1), sub.argmin(axis=1)

    def matrices(self, places: Sequence[Place]) -> tuple[NDArray, NDArray]:
        keys = [[p.code, p.name] for p in places]
        minutes = _pick(self.minutes_table, keys, "matrix of minutes")
        km = (
            _pick(self.km_table, keys, "matrix of km") if self.km_table is not None else minutes * self.speed_kmh / 60.0
        )
        return minutes, km


def _pick(table: pd.DataFrame, keys: list[list[str]], what: str) -> NDArray:
    """A square matrix for places out of a user's table (index and columns are place ids).

    Each place has several keys (code, name); the first one found in the table is used.
    """
    index = {str(k).strip(): i for i, k in enumerate(table.index)}
    columns = {str(k).strip(): i for i, k in enumerate(table.columns)}
    rows: list[int] = []
    cols: list[int] = []
    missing: list[str] = []
    for place in keys:
        r = next((index[k] for k in place if k in index), None)
        c = next((columns[k] for k in place if k in columns), None)
        if r is None or c is None:
            missing.append(place[0] if place else "?")
        else:
            rows.append(r)
            cols.append(c)
    if missing:
        msg = (
            f"the {what} lacks {len(missing)} places (e.g. {', '.join(missing[:5])}); give a matrix whose first column "
            "and header row hold the township codes or names of every station, the start, the end and the overnight towns"
        )
        raise InputError(msg)
    values = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    out = values[np.ix_(rows, cols)]
    if np.isnan(out).any():
        msg = f"the {what} has empty or non-numeric cells between the places needed; fill them in"
        raise InputError(msg)
    return out


# --------------------------------------------------------------------------- a routing server
@dataclass(frozen=True)
class OsrmTravel(Travel):
    """Minutes and km from an OSRM-compatible ``/table`` service at ``url`` (the user's own server)."""

    url: str
    timeout_s: float = 30.0

    name = "OSRM"

    def describe(self) -> str:
        return f"road network (OSRM at {self.url})"

    def matrices(self, places: Sequence[Place]) -> tuple[NDArray, NDArray]:
        """Only called when the user gives a URL (e.g. ``http://localhost:5000``); the request is
        ``{url}/table/v1/driving/lon,lat;...?annotations=duration,distance``."""
        import json
        import urllib.error
        import urllib.request

        coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in places)
        full = f"{self.url.rstrip('/')}/table/v1/driving/{coords}?annotations=duration,distance"
        try:
            with urllib.request.urlopen(full, timeout=self.timeout_s) as response:  # noqa: S310 - the user's own URL
                document = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            msg = (
                f"the routing service at {self.url} did not answer ({exc}); check the URL and that the server runs, "
                "or leave out --osrm to use straight lines"
            )
            raise InputError(msg) from exc
        if document.get("code") != "Ok" or "durations" not in document:
            msg = f"the routing service at {self.url} answered {document.get('code')!r}: {document.get('message', 'no durations')}"
            raise InputError(msg)
        durations = np.array(document["durations"], dtype=float) / 60.0
        if np.isnan(durations).any():
            msg = (
                f"the routing service at {self.url} found no road between some places; move them onto the road network"
            )
            raise InputError(msg)
        distances = document.get("distances")
        km = np.array(distances, dtype=float) / 1000.0 if distances else durations * settings.AVERAGE_SPEED_KMH / 60.0
        return durations, km


def service_reach(radius_km: float | None, radius_min: float | None, road: RoadTravel | None = None) -> dict[str, Any]:
    """A service radius and the model that measures it (siting and rollout; the CLI and the app).

    A radius in km (``radius_min`` None) is a straight line; a radius in minutes is by ``road``
    when given, else the straight line at the settings' speed (:class:`StraightLine`).  Returns
    ``road`` (None unless the minutes are by road), ``radius_m`` (straight-line metres; by road the
    line equivalent of the minutes), ``radius_min`` and ``travel`` (the model's name for outputs).

    >>> reach = service_reach(None, 19.5)
    >>> round(reach["radius_m"]), reach["travel"]
    (10000, 'straight line x 1.3, 40 km/h')
    >>> service_reach(12, None)["radius_m"]
    12000.0
    """
    if radius_min is None:
        km = float(radius_km if radius_km is not None else settings.DEFAULT_RADIUS_KM)
        return {"road": None, "radius_m": km * 1000.0, "radius_min": None, "travel": StraightLine.name}
    line = StraightLine()
    return {
        "road": road,
        "radius_m": line.metres_for_minutes(radius_min),
        "radius_min": float(radius_min),
        "travel": road.describe() if road is not None else line.describe(),
    }
