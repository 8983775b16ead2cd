"""Holdings: redundancy measurements over time, retirement plans, approvals and retirement steps.

Revision ID: holdings_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "holdings_0001"
down_revision = None
branch_labels = ("holdings",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "holding_measurement",
        sa.Column("measurement_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("holding", sa.String(100), nullable=False, index=True),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("present", sa.Boolean, nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("covered_rows", sa.BigInteger, nullable=False),
        sa.Column("compared_values", sa.BigInteger, nullable=False),
        sa.Column("agreeing_values", sa.BigInteger, nullable=False),
        sa.Column("timed_values", sa.BigInteger, nullable=False),
        sa.Column("stale_values", sa.BigInteger, nullable=False),
        sa.Column("coverage", sa.Float, nullable=True),
        sa.Column("agreement", sa.Float, nullable=True),
        sa.Column("staleness", sa.Float, nullable=True),
        sa.Column("last_access", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_access_known", sa.Boolean, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_table(
        "retirement_plan",
        sa.Column("plan_id", sa.String(120), primary_key=True),
        sa.Column("holding", sa.String(100), nullable=False, index=True),
        sa.Column("measurement_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
    )
    op.create_table(
        "retirement_approval",
        sa.Column("plan_id", sa.String(120), primary_key=True),
        sa.Column("approved_by", sa.String(100), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "retirement_step",
        sa.Column("plan_id", sa.String(120), primary_key=True),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("manifest", sa.JSON, nullable=True),
    )


def downgrade() -> None:
    for name in ("retirement_step", "retirement_approval", "retirement_plan", "holding_measurement"):
        op.drop_table(name)
