"""Contracts: availability probes, so an agreement's availability is measured, not only stated.

Revision ID: contracts_0002
Revises: contracts_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "contracts_0002"
down_revision = "contracts_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "availability_probe",
        sa.Column("probe_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("contract_id", sa.String(100), nullable=False),
        sa.Column("agreement_ref", sa.String(20), nullable=False),
        sa.Column("topic", sa.String(249), nullable=False),
        sa.Column("probed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available", sa.Boolean, nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
    )
    op.create_index("ix_availability_probe_agreement_probed", "availability_probe", ["agreement_ref", "probed_at"])


def downgrade() -> None:
    op.drop_index("ix_availability_probe_agreement_probed", table_name="availability_probe")
    op.drop_table("availability_probe")
