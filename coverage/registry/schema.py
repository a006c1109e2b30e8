"""The registry's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

History is kept two ways (bitemporal): every change of a station is a new row of
``versions`` with the date it took effect on the ground (``valid_from``) and the time the
registry learned it (``recorded_at``), with who or which submission it came from.
Rows are only ever inserted: nothing is updated in place or deleted, except the
``stations.head_version_id`` pointer that guards concurrent edits (optimistic locking).

Tables
------
``stations``: one row per station id (``province_code``, ``head_version_id``: the newest version
    recorded, checked and moved by every write so that a stale edit is refused).
``versions``: the station's attributes as of ``valid_from`` (see :data:`STATION_FIELDS`).
``submissions``: a county's (or city's) monthly ledger file as submitted: its bytes, SHA-256,
    who, when, the month, and the importer's row-by-row report.
``submission_rows``: the diff of a submission against the registry, one row per finding.
``decisions``: a reviewer's accept/reject of a submission row (the latest one counts) and the
    version an accepted row created.

Times are UTC without a time zone (the same on both backends); dates are calendar dates in
China (Asia/Shanghai).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Station statuses: planned (not yet open), open, suspended (temporarily not serving), closed.
STATUSES = ("planned", "open", "suspended", "closed")
#: Where a station sits: in the township government's building (镇街) or a village/community (村居).
HOSTS = ("镇街", "村居")

#: Attributes of a station version, in the order tables show them: name -> (SQLAlchemy type, meaning).
STATION_FIELDS: dict[str, tuple[sa.types.TypeEngine, str]] = {
    "name": (sa.String(200), "station name as the county writes it"),
    "township_code": (sa.String(9), "9-digit township code (2023 register)"),
    "county_code": (sa.String(6), "6-digit county code"),
    "lon": (sa.Float(), "longitude, WGS 84 degrees"),
    "lat": (sa.Float(), "latitude, WGS 84 degrees"),
    "lon_given": (sa.String(40), "longitude (or x) as given in the source"),
    "lat_given": (sa.String(40), "latitude (or y) as given in the source"),
    "crs_given": (sa.String(20), "coordinate system of the given coordinates (wgs84, gcj02, bd09, ...)"),
    "status": (sa.String(12), "planned / open / suspended / closed"),
    "opened": (sa.Date(), "date the station opened"),
    "closed": (sa.Date(), "date the station closed"),
    "host": (sa.String(10), "镇街 (township seat) or 村居 (a village/community)"),
    "operator": (sa.String(200), "社工机构 running the station"),
    "funding_yuan": (sa.Float(), "yearly funding, yuan"),
    "social_workers": (sa.Integer(), "social workers (社工) on staff"),
    "certified_workers": (sa.Integer(), "certified social workers (持证社工) among them"),
    "households_served": (sa.Integer(), "households served"),
    "people_served": (sa.Integer(), "people served"),
    "case_files": (sa.Integer(), "case files (个案)"),
    "contact": (sa.String(200), "contact person and phone"),
    "notes": (sa.Text(), "notes"),
}

stations = sa.Table(
    "stations",
    metadata,
    sa.Column("station_id", sa.String(64), primary_key=True),
    sa.Column("province_code", sa.String(2), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("head_version_id", sa.Integer(), nullable=True),
)

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("version_id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("station_id", sa.String(64), sa.ForeignKey("stations.station_id"), nullable=False),
    sa.Column("province_code", sa.String(2), nullable=False),
    sa.Column("valid_from", sa.Date(), nullable=False),
    sa.Column("recorded_at", sa.DateTime(), nullable=False),
    sa.Column("recorded_by", sa.String(100), nullable=False),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.submission_id"), nullable=True),
    sa.Column("action", sa.String(20), nullable=False),
    *(sa.Column(name, kind, nullable=True) for name, (kind, _) in STATION_FIELDS.items()),
    sa.Index("ix_versions_lookup", "province_code", "station_id", "valid_from", "recorded_at"),
    sa.Index("ix_versions_station", "station_id", "version_id"),
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("submission_id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("province_code", sa.String(2), nullable=False),
    sa.Column("unit_code", sa.String(6), nullable=False),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("content", sa.LargeBinary(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("submitted_by", sa.String(100), nullable=False),
    sa.Column("submitted_at", sa.DateTime(), nullable=False),
    sa.Column("report_json", sa.Text(), nullable=False),
    sa.Index("ix_submissions_month", "province_code", "month", "unit_code"),
)

submission_rows = sa.Table(
    "submission_rows",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.submission_id"), nullable=False),
    sa.Column("row", sa.Integer(), nullable=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("station_id", sa.String(64), nullable=True),
    sa.Column("valid_from", sa.Date(), nullable=True),
    sa.Column("before_json", sa.Text(), nullable=True),
    sa.Column("proposed_json", sa.Text(), nullable=True),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Index("ix_submission_rows_submission", "submission_id", "row"),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("submission_row_id", sa.Integer(), sa.ForeignKey("submission_rows.id"), nullable=False, index=True),
    sa.Column("decision", sa.String(10), nullable=False),
    sa.Column("decided_by", sa.String(100), nullable=False),
    sa.Column("decided_at", sa.DateTime(), nullable=False),
    sa.Column("version_id", sa.Integer(), sa.ForeignKey("versions.version_id"), nullable=True),
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("scope", sa.String(6), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("failed_logins", sa.Integer(), nullable=False),
    sa.Column("locked_until", sa.DateTime(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("role", sa.String(10), nullable=True),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("outcome", sa.String(10), nullable=False),
    sa.Column("target", sa.String(100), nullable=True),
    sa.Column("station_id", sa.String(64), nullable=True),
    sa.Column("scope", sa.String(9), nullable=True),
    sa.Column("before_json", sa.Text(), nullable=True),
    sa.Column("after_json", sa.Text(), nullable=True),
    sa.Column("detail", sa.Text(), nullable=True),
    sa.Index("ix_audit_at", "at"),
    sa.Index("ix_audit_actor", "actor", "at"),
    sa.Index("ix_audit_station", "station_id", "at"),
)
