"""stations_layer: the stations as a PostGIS point layer QGIS opens directly (PostgreSQL only)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

The view shows each station's state today as known now (the newest valid version), with a
``geom`` column of type geometry(Point, 4326) built from ``lon``/``lat`` (WGS 84).  On SQLite
there is no such layer: export one with ``python -m coverage registry export --out F.gpkg``.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LAYER = """
CREATE VIEW stations_layer AS
SELECT DISTINCT ON (v.station_id)
    v.station_id, v.name, v.township_code, v.county_code, v.status, v.opened, v.closed, v.host, v.operator,
    v.social_workers, v.certified_workers, v.households_served, v.people_served, v.case_files,
    v.valid_from, v.recorded_at, v.recorded_by, v.source,
    CASE WHEN v.lon IS NULL THEN NULL
         ELSE ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326)::geometry(Point, 4326) END AS geom
FROM versions v
WHERE v.valid_from <= CURRENT_DATE
ORDER BY v.station_id, v.valid_from DESC, v.recorded_at DESC, v.version_id DESC
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute(LAYER)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP VIEW IF EXISTS stations_layer")
