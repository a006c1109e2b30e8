"""Alembic environment: migrations run on the connection :mod:`coverage.registry.migrate` passes."""

from alembic import context

from coverage.registry.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the registry always passes its connection
    msg = "run the registry's migrations through coverage.registry.migrate.upgrade"
    raise RuntimeError(msg)
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
