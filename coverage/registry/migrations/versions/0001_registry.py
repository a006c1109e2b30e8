"""the registry: stations, versions, submissions, decisions

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stations",
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("head_version_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_stations")),
    )
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stations_province_code"), ["province_code"], unique=False)

    op.create_table(
        "submissions",
        sa.Column("submission_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("unit_code", sa.String(length=6), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_submissions")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index("ix_submissions_month", ["province_code", "month", "unit_code"], unique=False)

    op.create_table(
        "submission_rows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("before_json", sa.Text(), nullable=True),
        sa.Column("proposed_json", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.submission_id"], name=op.f("fk_submission_rows_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_rows")),
    )
    with op.batch_alter_table("submission_rows", schema=None) as batch_op:
        batch_op.create_index("ix_submission_rows_submission", ["submission_id", "row"], unique=False)

    op.create_table(
        "versions",
        sa.Column("version_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("township_code", sa.String(length=9), nullable=True),
        sa.Column("county_code", sa.String(length=6), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon_given", sa.String(length=40), nullable=True),
        sa.Column("lat_given", sa.String(length=40), nullable=True),
        sa.Column("crs_given", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=True),
        sa.Column("opened", sa.Date(), nullable=True),
        sa.Column("closed", sa.Date(), nullable=True),
        sa.Column("host", sa.String(length=10), nullable=True),
        sa.Column("operator", sa.String(length=200), nullable=True),
        sa.Column("funding_yuan", sa.Float(), nullable=True),
        sa.Column("social_workers", sa.Integer(), nullable=True),
        sa.Column("certified_workers", sa.Integer(), nullable=True),
        sa.Column("households_served", sa.Integer(), nullable=True),
        sa.Column("people_served", sa.Integer(), nullable=True),
        sa.Column("case_files", sa.Integer(), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["station_id"], ["stations.station_id"], name=op.f("fk_versions_station_id_stations")),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.submission_id"], name=op.f("fk_versions_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_versions")),
    )
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_versions_lookup", ["province_code", "station_id", "valid_from", "recorded_at"], unique=False
        )
        batch_op.create_index("ix_versions_station", ["station_id", "version_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_row_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_row_id"], ["submission_rows.id"], name=op.f("fk_decisions_submission_row_id_submission_rows")
        ),
        sa.ForeignKeyConstraint(["version_id"], ["versions.version_id"], name=op.f("fk_decisions_version_id_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_submission_row_id"), ["submission_row_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_submission_row_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.drop_index("ix_versions_station")
        batch_op.drop_index("ix_versions_lookup")

    op.drop_table("versions")
    with op.batch_alter_table("submission_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_submission_rows_submission")

    op.drop_table("submission_rows")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_month")

    op.drop_table("submissions")
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stations_province_code"))

    op.drop_table("stations")
