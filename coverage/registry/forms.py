"""The registry as a person edits it: what a form shows, what it changes, who is acting, and whether
the registry has changed since a figure was computed.

A front end (the app's Data page) builds its station form from :data:`EDITABLE`, loads it from one
version of the station and writes only :func:`changes` - the fields the person altered - based on
that version: :meth:`~coverage.registry.store.Registry.change` refuses the write with a
:class:`~coverage.registry.store.ConflictError` when someone else recorded a newer version
meanwhile (optimistic locking), so nobody overwrites an edit they never saw.

Examples
--------
>>> changes({"name": "城厢镇社工站", "social_workers": 3, "notes": None},
...         {"name": "城厢镇社工站", "social_workers": 4, "notes": ""})
{'social_workers': 4}
>>> last_complete_month(dt.date(2024, 11, 30)), last_complete_month(dt.date(2024, 12, 5))
('2024-11', '2024-11')
"""

from __future__ import annotations

import datetime as dt
import getpass
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from coverage.checks import as_date

if TYPE_CHECKING:  # the database modules load when a registry is read, not when the command line starts
    from coverage.registry.store import Registry

#: Station attributes a person edits in a form, in the order the form shows them (a station's
#: place - township and coordinates - is changed by moving it, its closing by closing it).
EDITABLE = (
    "name",
    "status",
    "opened",
    "host",
    "operator",
    "funding_yuan",
    "social_workers",
    "certified_workers",
    "households_served",
    "people_served",
    "case_files",
    "contact",
    "notes",
)


def _blank(value: Any) -> bool:
    import pandas as pd  # here, not at the top: the command line's parser imports this module for --help

    return (
        value is None
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def _same(a: Any, b: Any) -> bool:
    if _blank(a) or _blank(b):
        return _blank(a) and _blank(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, dt.date) or isinstance(b, dt.date):
        return as_date(a) == as_date(b)
    return str(a).strip() == str(b).strip()


def changes(loaded: Mapping[str, Any], edited: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``edited`` whose value differs from ``loaded`` (an empty text, None and NaN are
    all "no value"; text is compared without surrounding spaces), with the edited values, in the order
    of :data:`EDITABLE` (other fields after them)."""
    out = {}
    order = sorted(edited, key=lambda name: EDITABLE.index(name) if name in EDITABLE else len(EDITABLE))
    for name in order:
        value = edited[name]
        if not _same(loaded.get(name), value):
            out[name] = value.strip() if isinstance(value, str) else value
    return out


def revision(registry: Registry) -> tuple[int, int, int]:
    """The newest version, submission and decision ids: they change with every write to the registry
    (versions and decisions are only ever added), so a figure computed for one revision is stale
    once it differs.  One short query."""
    import sqlalchemy as sa

    from coverage.registry import schema
    from coverage.registry.store import reading

    query = sa.select(
        sa.select(sa.func.coalesce(sa.func.max(schema.versions.c.version_id), 0)).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.max(schema.submissions.c.submission_id), 0)).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.max(schema.decisions.c.id), 0)).scalar_subquery(),
    )
    with reading(registry.engine) as conn:
        row = conn.execute(query).one()
    return int(row[0]), int(row[1]), int(row[2])


def suggest_station_id(registry: Registry, township_code: str) -> str:
    """An id for a new station of a township that no station has: ``<township code>-<n>``, the lowest
    ``n`` from 1 not taken (``450110102-1``)."""
    import sqlalchemy as sa

    from coverage.registry import schema
    from coverage.registry.store import reading

    prefix = f"{township_code}-"
    s = schema.stations
    with reading(registry.engine) as conn:
        taken = set(conn.execute(sa.select(s.c.station_id).where(s.c.station_id.like(f"{prefix}%"))).scalars())
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def default_person() -> str:
    """Who is recorded when nobody says: the operating-system user (``unknown`` when there is none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return "unknown"


def last_complete_month(day: dt.date | str | None = None) -> str:
    """The latest month (``YYYY-MM``) that has ended by ``day`` (default today): the month of ``day`` when
    it is the month's last day, else the month before - the month whose ledger a bureau is asking about."""
    d = as_date(day)
    if (d + dt.timedelta(days=1)).month != d.month:
        return d.strftime("%Y-%m")
    return (d.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
