"""Travel models: how far (metres) or how long (minutes) from demand to stations.

Everything here works on projected coordinates in metres (never degrees) or
on a user's matrix; no geometry objects.  The straight-line model turns a
distance into minutes with a circuity factor and an average speed
(:data:`settings.CIRCUITY_FACTOR`, :data:`settings.AVERAGE_SPEED_KMH`); a
:class:`MatrixTravel` holds road-network times or distances from any source
(OSRM, a GIS) and can replace it wherever only costs are needed.

Examples
--------
>>> model = StraightLine(circuity=1.3, speed_kmh=40)
>>> round(float(model.minutes(10_000)), 1)   # 10 km straight = 13 km of road at 40 km/h
19.5
>>> round(model.metres_for_minutes(19.5))
10000
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from coverage import settings
from coverage._errors import InputError
from coverage.checks import CIRCUITY, SPEED_KMH


@dataclass(frozen=True)
class StraightLine:
    """Straight-line distance in a projected CRS; minutes = distance x circuity / speed."""

    circuity: float = settings.CIRCUITY_FACTOR
    speed_kmh: float = settings.AVERAGE_SPEED_KMH

    def __post_init__(self) -> None:
        CIRCUITY(self.circuity)
        SPEED_KMH(self.speed_kmh)

    def minutes(self, distance_m: ArrayLike) -> NDArray:
        """Travel minutes for straight-line metres."""
        return np.asarray(distance_m, dtype=float) * self.circuity / (self.speed_kmh * 1000.0 / 60.0)

    def metres_for_minutes(self, minutes: float) -> float:
        """The straight-line radius (metres) reached in ``minutes``."""
        return float(minutes) * self.speed_kmh * 1000.0 / 60.0 / self.circuity

    def nearest(self, from_xy: NDArray, to_xy: NDArray) -> tuple[NDArray, NDArray]:
        """Distance (metres) from each ``from_xy`` point to its nearest ``to_xy`` point, and that point's index.

        With no ``to_xy`` points the distances are infinite and the indices -1.
        """
        from scipy.spatial import cKDTree

        from_xy = np.asarray(from_xy, dtype=float).reshape(-1, 2)
        to_xy = np.asarray(to_xy, dtype=float).reshape(-1, 2)
        if len(to_xy) == 0:
            return np.full(len(from_xy), np.inf), np.full(len(from_xy), -1)
        if len(from_xy) == 0:
            return np.empty(0), np.empty(0, dtype=int)
        dist, idx = cKDTree(to_xy).query(from_xy, k=1, workers=-1)
        return dist, idx

    def matrix(self, from_xy: NDArray, to_xy: NDArray) -> NDArray:
        """Dense matrix of straight-line metres (rows ``from_xy``, columns ``to_xy``)."""
        from_xy = np.asarray(from_xy, dtype=float).reshape(-1, 2)
        to_xy = np.asarray(to_xy, dtype=float).reshape(-1, 2)
        return np.hypot(from_xy[:, None, 0] - to_xy[None, :, 0], from_xy[:, None, 1] - to_xy[None, :, 1])


@dataclass(frozen=True)
class MatrixTravel:
    """Costs (minutes or metres, as the user's source gave them) between named places.

    ``costs`` has one row per demand id and one column per station/candidate id.
    """

    costs: pd.DataFrame
    unit: str = "min"

    def nearest_by_id(self, demand_ids, station_ids) -> tuple[NDArray, NDArray]:
        """Cheapest cost from each demand id to any of ``station_ids``, and the column position."""
        missing_rows = set(demand_ids) - set(self.costs.index)
        missing_cols = set(station_ids) - set(self.costs.columns)
        if missing_rows or missing_cols:
            msg = (
                f"the cost matrix lacks {len(missing_rows)} demand ids and {len(missing_cols)} station ids "
                f"(e.g. {sorted(missing_rows | missing_cols)[:3]}); give a matrix covering all of them"
            )
            raise InputError(msg)
        sub = self.costs.loc[list(demand_ids), list(station_ids)].to_numpy(dtype=float)
        if sub.shape[1] == 0:
            return np.full(sub.shape[0], np.inf), np.full(sub.shape[0], -1)
        return sub.min(axis=1), sub.argmin(axis=1)


# --------------------------------------------------------------------------- between places (trips)
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


def straight_line_matrices(
    lon: ArrayLike,
    lat: ArrayLike,
    circuity: float = settings.CIRCUITY_FACTOR,
    speed_kmh: float = settings.AVERAGE_SPEED_KMH,
    long_kmh: float | None = None,
    local_km: float = settings.LOCAL_ROAD_KM,
) -> tuple[NDArray, NDArray]:
    """Travel minutes and road km between points (WGS 84 degrees in, straight line x circuity).

    Distances are measured in the CGCS2000 Gauss-Krüger zone nearest the points' centre.
    Minutes: :func:`two_speed_minutes` (one speed unless ``long_kmh`` is given).

    >>> minutes, km = straight_line_matrices([113.0, 113.1], [23.0, 23.0])
    >>> round(float(km[0, 1]), 1), round(float(minutes[0, 1]), 1)   # 10.2 km straight
    (13.3, 20.0)
    """
    from pyproj import Transformer

    from coverage.coords import gauss_kruger_crs

    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if len(lon) == 0:
        return np.zeros((0, 0)), np.zeros((0, 0))
    crs = gauss_kruger_crs(float((lon.min() + lon.max()) / 2))
    x, y = Transformer.from_crs(settings.WORK_CRS, crs, always_xy=True).transform(lon, lat)
    xy = np.column_stack([x, y])
    metres = StraightLine(circuity, speed_kmh).matrix(xy, xy)
    km = metres * circuity / 1000.0
    return two_speed_minutes(km, speed_kmh, long_kmh, local_km), km


def matrix_for_places(table: pd.DataFrame, keys: list[list[str]], what: str = "matrix") -> NDArray:
    """Pick a square matrix for places out of a user's table (index and columns are place ids).

    Each place has several keys (code, name); the first one found in the table is used.
    """
    index = {str(k).strip(): i for i, k in enumerate(table.index)}
    columns = {str(k).strip(): i for i, k in enumerate(table.columns)}
    rows, cols, missing = [], [], []
    for place in keys:
        r = next((index[k] for k in place if k in index), None)
        c = next((columns[k] for k in place if k in columns), None)
        if r is None or c is None:
            missing.append(place[0] if place else "?")
        rows.append(r), cols.append(c)
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


def osrm_table(url: str, lon: ArrayLike, lat: ArrayLike, timeout_s: float = 30.0) -> tuple[NDArray, NDArray]:
    """Minutes and km between points from an OSRM-compatible ``/table`` service at ``url``.

    Only called when the user gives a URL (e.g. ``http://localhost:5000``); the request is
    ``{url}/table/v1/driving/lon,lat;...?annotations=duration,distance``.
    """
    import json
    import urllib.error
    import urllib.request

    coords = ";".join(
        f"{x:.6f},{y:.6f}" for x, y in zip(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), strict=True)
    )
    full = f"{url.rstrip('/')}/table/v1/driving/{coords}?annotations=duration,distance"
    try:
        with urllib.request.urlopen(full, timeout=timeout_s) as response:  # noqa: S310 - the user's own URL
            document = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        msg = f"the routing service at {url} did not answer ({exc}); check the URL and that the server runs, or leave out --osrm to use straight lines"
        raise InputError(msg) from exc
    if document.get("code") != "Ok" or "durations" not in document:
        msg = (
            f"the routing service at {url} answered {document.get('code')!r}: {document.get('message', 'no durations')}"
        )
        raise InputError(msg)
    durations = np.array(document["durations"], dtype=float) / 60.0
    if np.isnan(durations).any():
        msg = f"the routing service at {url} found no road between some places; move them onto the road network"
        raise InputError(msg)
    distances = document.get("distances")
    km = np.array(distances, dtype=float) / 1000.0 if distances else durations * settings.AVERAGE_SPEED_KMH / 60.0
    return durations, km
