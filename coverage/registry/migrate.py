"""The registry's schema history: Alembic migrations in ``migrations/``, applied on connect.

``python -m coverage registry init`` (or any command that opens the registry) brings the
database to the newest revision; nothing else ever changes the schema.  Opening a registry
that is already at :data:`HEAD` reads one row of ``alembic_version`` and does not load Alembic
(a command that only reads starts faster).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # naming HEAD (coverage.registry.reader) loads no SQLAlchemy
    import sqlalchemy as sa

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest revision in ``migrations/versions`` (a test checks it against Alembic's own view).
HEAD = "0004"


def alembic_config(connection: sa.Connection | None = None) -> Any:
    """An Alembic configuration for the registry's migrations (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration's revision id, as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _revision(conn: sa.Connection) -> str | None:
    import sqlalchemy as sa

    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    from coverage.registry.store import reading

    with reading(engine) as conn:
        return _revision(conn)


def upgrade(engine: sa.Engine) -> str | None:
    """Bring the database to the newest revision (a no-op when it is there already); return the
    revision it was at before (None: a new, empty database).

    Several processes opening a new registry at once: one migrates, the others wait for it and
    find the schema done (:func:`~coverage.registry.store.exclusive`).
    """
    before = current_revision(engine)
    if before == HEAD:
        return before
    from alembic import command

    from coverage.registry.store import exclusive

    with engine.begin() as conn:
        exclusive(conn)
        if _revision(conn) != HEAD:
            command.upgrade(alembic_config(conn), "head")
    return before
