"""Reconcile: people with stable ids, their agency records, provenance, review queue and audit.

Revision ID: reconcile_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "reconcile_0001"
down_revision = None
branch_labels = ("reconcile",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("person_id", sa.String(20), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("merged_into", sa.String(20), nullable=True),
        sa.Column("golden", sa.JSON, nullable=True),
        sa.Column("conflicts", sa.JSON, nullable=True),
    )
    op.create_table(
        "person_xref",
        sa.Column("source", sa.String(50), primary_key=True),
        sa.Column("record_id", sa.String(100), primary_key=True),
        sa.Column("person_id", sa.String(20), nullable=False, index=True),
        sa.Column("match_probability", sa.Float, nullable=True),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "person_attribute",
        sa.Column("person_id", sa.String(20), primary_key=True),
        sa.Column("attribute", sa.String(50), primary_key=True),
        sa.Column("source", sa.String(50), primary_key=True),
        sa.Column("record_id", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=True),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "review_pair",
        sa.Column("pair_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unique_id_l", sa.String(160), nullable=False),
        sa.Column("unique_id_r", sa.String(160), nullable=False),
        sa.Column("match_probability", sa.Float, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.UniqueConstraint("unique_id_l", "unique_id_r", name="uq_review_pair"),
    )
    op.create_table(
        "reconcile_audit",
        sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("person_id", sa.String(20), nullable=False, index=True),
        sa.Column("before", sa.JSON, nullable=False),
        sa.Column("after", sa.JSON, nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("reconcile_audit", "review_pair", "person_attribute", "person_xref", "person"):
        op.drop_table(table)
