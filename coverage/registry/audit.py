"""The audit trail: every write and every refusal, with who, when, what, before and after.

Rows are only inserted, inside the transaction of the write they describe (a refusal in a
transaction of its own, so it stays although the write does not happen).  The database itself
refuses to change or delete them (triggers of migration 0004), and the library offers no way to.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import sqlalchemy as sa

from coverage.checks import as_date
from coverage.registry import schema

#: Columns of :func:`trail`.
COLUMNS = (
    "id",
    "at",
    "actor",
    "role",
    "action",
    "outcome",
    "target",
    "station_id",
    "scope",
    "before",
    "after",
    "detail",
)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def record(
    conn: sa.Connection,
    at: dt.datetime,
    actor: str,
    role: str | None,
    action: str,
    outcome: str,
    target: str | None = None,
    station_id: str | None = None,
    scope: str | None = None,
    before: Any = None,
    after: Any = None,
    detail: str | None = None,
) -> None:
    """Add one row to the trail, in the caller's transaction."""
    conn.execute(
        schema.audit.insert().values(
            at=at,
            actor=str(actor)[:100],
            role=role,
            action=action,
            outcome=outcome,
            target=None if target is None else str(target)[:100],
            station_id=station_id,
            scope=None if scope is None else str(scope)[:9],
            before_json=_json(before),
            after_json=_json(after),
            detail=detail,
        )
    )


def trail(
    registry: Any,
    user: str | None = None,
    since: dt.date | str | None = None,
    station: str | None = None,
) -> pd.DataFrame:
    """The trail, oldest first: every row, or those of one user (name or ``display (username)``), from a day
    on (``since``, China time), or about one station.  ``before``/``after`` are JSON text."""
    from coverage.registry.store import end_of_day_utc, reading

    a = schema.audit
    query = sa.select(a).order_by(a.c.id)
    if user:
        query = query.where(sa.or_(a.c.actor == user, a.c.actor.like(f"% ({user})"), a.c.target == user))
    if since is not None:
        query = query.where(a.c.at >= end_of_day_utc(as_date(since) - dt.timedelta(days=1)))
    if station:
        query = query.where(a.c.station_id == station)
    with reading(registry.engine) as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in a.columns])
    return frame.rename(columns={"before_json": "before", "after_json": "after"})[list(COLUMNS)]
