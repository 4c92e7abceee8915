"""Counter filing: reports filed at a service counter (claim PIN hashes) and officers' desks.

Revision ID: 0011
Revises: 0004
Create Date: 2026-12-07 15:11:01.320463
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "counter_desks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_user_id", sa.BigInteger(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("counter", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("citizen_name", sa.String(length=128), nullable=True),
        sa.Column("citizen_phone", sa.String(length=32), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["reporters.id"],
            name=op.f("fk_counter_desks_reporter_id_reporters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter_desks")),
        sa.UniqueConstraint("officer_user_id", name=op.f("uq_counter_desks_officer_user_id")),
    )
    op.create_table(
        "counter_filings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("counter", sa.String(length=32), nullable=False),
        sa.Column("officer_user_id", sa.BigInteger(), nullable=False),
        sa.Column("citizen_name", sa.String(length=128), nullable=True),
        sa.Column("citizen_phone", sa.String(length=32), nullable=True),
        sa.Column("pin_hash", sa.String(length=160), nullable=False),
        sa.Column("pin_issued_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("pin_wrong_tries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("claimed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_counter_filings_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter_filings")),
        sa.UniqueConstraint("report_id", name=op.f("uq_counter_filings_report_id")),
    )


def downgrade() -> None:
    op.drop_table("counter_filings")
    op.drop_table("counter_desks")
