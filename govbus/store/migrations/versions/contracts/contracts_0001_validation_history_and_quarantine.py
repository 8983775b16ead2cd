"""Contracts: validation history per agreement clause, and stewards' quarantine decisions.

Revision ID: contracts_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "contracts_0001"
down_revision = None
branch_labels = ("contracts",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contract_validation_run",
        sa.Column("run_id", sa.String(32), primary_key=True),
        sa.Column("contract_id", sa.String(100), nullable=False),
        sa.Column("contract_version", sa.String(20), nullable=False),
        sa.Column("agreement_ref", sa.String(20), nullable=False),
        sa.Column("topic", sa.String(249), nullable=False),
        sa.Column("batch", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("row_count", sa.BigInteger, nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("data_docs", sa.Text, nullable=True),
    )
    op.create_index("ix_contract_validation_run_agreement_started", "contract_validation_run", ["agreement_ref", "started_at"])
    op.create_table(
        "contract_rule_result",
        sa.Column(
            "run_id", sa.String(32), sa.ForeignKey("contract_validation_run.run_id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("agreement_ref", sa.String(20), nullable=False),
        sa.Column("clause", sa.String(20), nullable=False),
        sa.Column("field", sa.String(200), nullable=True),
        sa.Column("rule", sa.String(30), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("expectation", sa.String(100), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("element_count", sa.BigInteger, nullable=True),
        sa.Column("failing_count", sa.BigInteger, nullable=True),
        sa.Column("failing_percent", sa.Float, nullable=True),
        sa.Column("observed", sa.Text, nullable=True),
        sa.Column("sample_values", sa.JSON, nullable=False),
        sa.Column("message", sa.Text, nullable=True),
    )
    op.create_table(
        "quarantine_decision",
        sa.Column("topic", sa.String(249), primary_key=True),
        sa.Column("partition", sa.Integer, primary_key=True),
        sa.Column("offset", sa.BigInteger, primary_key=True),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agreement_ref", sa.String(20), nullable=False),
        sa.Column("clause", sa.String(20), nullable=False),
        sa.Column("rule", sa.String(30), nullable=False),
        sa.Column("field", sa.String(200), nullable=True),
        sa.Column("released_to_partition", sa.Integer, nullable=True),
        sa.Column("released_to_offset", sa.BigInteger, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("quarantine_decision")
    op.drop_table("contract_rule_result")
    op.drop_index("ix_contract_validation_run_agreement_started", table_name="contract_validation_run")
    op.drop_table("contract_validation_run")
