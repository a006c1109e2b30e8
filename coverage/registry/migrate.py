"""The registry's schema history: Alembic migrations in ``migrations/``, applied on connect.

``python -m coverage registry init`` (or any command that opens the registry) brings the
database to the newest revision; nothing else ever changes the schema.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration for the registry's migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    from coverage.registry.store import reading

    with reading(engine) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine) -> None:
    """Bring the database to the newest revision (a no-op when it is there already).

    Several processes opening a new registry at once: one migrates, the others wait for it and
    find the schema done (:func:`~coverage.registry.store.exclusive`).
    """
    from coverage.registry.store import exclusive

    head = head_revision()
    if current_revision(engine) == head:
        return
    with engine.begin() as conn:
        exclusive(conn)
        if MigrationContext.configure(conn).get_current_revision() != head:
            command.upgrade(alembic_config(conn), "head")
