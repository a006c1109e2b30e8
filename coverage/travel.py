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

from . import settings
from ._errors import InputError


@dataclass(frozen=True)
class StraightLine:
    """Straight-line distance in a projected CRS; minutes = distance x circuity / speed."""

    circuity: float = settings.CIRCUITY_FACTOR
    speed_kmh: float = settings.AVERAGE_SPEED_KMH

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
