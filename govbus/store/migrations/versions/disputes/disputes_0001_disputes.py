"""Disputes: breaches past an agreement's tolerance, their evidence and service-level clock.

Revision ID: disputes_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "disputes_0001"
down_revision = None
branch_labels = ("disputes",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dispute",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("agreement_ref", sa.String(20), nullable=False, index=True),
        sa.Column("contract_id", sa.String(100), nullable=False),
        sa.Column("counterparty", sa.String(100), nullable=False),
        sa.Column("raised_for", sa.JSON, nullable=False),
        sa.Column("body", sa.String(200), nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("clause", sa.String(20), nullable=False),
        sa.Column("breached_clauses", sa.JSON, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("working_days", sa.Integer, nullable=False),
        sa.Column("breach_share", sa.Float, nullable=False),
        sa.Column("tolerance", sa.Float, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("evidence_digest", sa.String(64), nullable=False),
        sa.Column("audit_seq", sa.BigInteger, nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(100), nullable=True),
        sa.Column("resolution", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("dispute")
