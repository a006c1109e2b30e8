"""A new registry's first versions: the embedded station lists of ``data/stations``.

Each list is read by the same importer as any user file; every placed station becomes a station
with one version valid from its opening date (or :data:`settings.UNKNOWN_OPENING` when the list
gives none) and, if it closed, a second version valid from its closing date.  Coordinates are
kept only where the list gives them; a station placed by name alone takes its township's point
when analyses read it (:func:`coverage.registry.store.Registry.station_table` leaves it empty).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa

from coverage import settings
from coverage.registry import schema
from coverage.registry.store import Checked, Registry, exclusive

#: Who the seeded versions are recorded by: the system, checked as a whole by this function.
SEED_USER = Checked("system")


def station_fields(row: Any) -> dict[str, Any]:
    """Registry attributes of one imported station row (a row of ``StationImport.stations``)."""
    given = getattr(row, "location_source", "input") == "input"
    return {
        "name": row.name,
        "township_code": row.township_code,
        "county_code": row.county_code,
        "lon": float(row.lon) if given and pd.notna(row.lon) else None,
        "lat": float(row.lat) if given and pd.notna(row.lat) else None,
        "status": "open",
        "opened": row.opened if pd.notna(row.opened) else None,
        "notes": row.notes if isinstance(row.notes, str) and row.notes else None,
    }


def seed_embedded(registry: Registry) -> int:
    """Load every embedded province's station list into an empty registry; return the stations added.

    A registry that is no longer empty once this transaction holds the lock (another process seeded
    it meanwhile), or that has accounts (a bureau's own registry: its stations come from its ledgers,
    not from the embedded demo), is left as it is: 0 is returned.
    """

    from coverage.data.provinces import default_stations_path
    from coverage.data.stations import read_stations

    added = 0
    with registry.engine.begin() as conn:
        exclusive(conn)
        if conn.execute(sa.select(schema.stations.c.station_id).limit(1)).first() is not None:
            return 0
        if conn.execute(sa.select(schema.accounts.c.username).limit(1)).first() is not None:
            return 0
        for code in settings.EMBEDDED_PROVINCES:
            path = default_stations_path(code)
            if path is None:
                continue
            stations = read_stations(path, province=code).stations
            source = f"embedded list {path.name}"
            for row in stations.itertuples(index=False):
                fields = station_fields(row)
                opened = fields["opened"] or dt.date.fromisoformat(settings.UNKNOWN_OPENING)
                written = registry.add(str(row.station_id), code, fields, opened, SEED_USER, source, conn=conn)
                if pd.notna(row.closed):
                    registry.change(
                        written.station_id,
                        written.version_id,
                        {"status": "closed", "closed": row.closed},
                        row.closed,
                        SEED_USER,
                        source,
                        action="close",
                        conn=conn,
                    )
                added += 1
    return added
