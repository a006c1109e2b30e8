"""accounts and the audit trail (append-only: the database refuses to change or delete its rows)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SQLITE_GUARDS = [
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN "
    "SELECT RAISE(ABORT, 'the audit trail cannot be changed'); END",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN "
    "SELECT RAISE(ABORT, 'the audit trail cannot be changed'); END",
]
POSTGRES_GUARDS = [
    "CREATE FUNCTION audit_unchangeable() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit trail cannot be changed'; END $$",
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION audit_unchangeable()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_unchangeable()",
]


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("scope", sa.String(length=6), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_accounts")),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=True),
        sa.Column("station_id", sa.String(length=64), nullable=True),
        sa.Column("scope", sa.String(length=9), nullable=True),
        sa.Column("before_json", sa.Text(), nullable=True),
        sa.Column("after_json", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index("ix_audit_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_actor", ["actor", "at"], unique=False)
        batch_op.create_index("ix_audit_station", ["station_id", "at"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_GUARDS, "postgresql": POSTGRES_GUARDS}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_no_truncate ON audit")
        op.execute("DROP TRIGGER IF EXISTS audit_no_change ON audit")
        op.execute("DROP FUNCTION IF EXISTS audit_unchangeable()")
    op.drop_table("audit")
    op.drop_table("accounts")
