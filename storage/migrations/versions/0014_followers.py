"""Followers and duplicates: citizens following a report ("ikut pantau"), its count, the
report a duplicate joined, and an index for reports of a category near a point.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-07 19:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0014"
# After the areas revision (0012); re-chained on the levels revision (0013) when it lands.
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "followers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("since", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_followers_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["reporters.id"],
            name=op.f("fk_followers_reporter_id_reporters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followers")),
        sa.UniqueConstraint("report_id", "reporter_id", name="uq_followers_report_id_reporter_id"),
    )
    op.create_index("ix_followers_reporter_id", "followers", ["reporter_id"])
    op.add_column(
        "reports", sa.Column("followers", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("reports", sa.Column("duplicate_of", sa.Integer(), nullable=True))
    op.create_index("ix_reports_nearby", "reports", ["category", "latitude", "longitude"])
    op.create_index(
        "ix_reports_category_kelurahan", "reports", ["category", "kelurahan_code", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_reports_category_kelurahan", table_name="reports")
    op.drop_index("ix_reports_nearby", table_name="reports")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("duplicate_of")
        batch.drop_column("followers")
    op.drop_index("ix_followers_reporter_id", table_name="followers")
    op.drop_table("followers")
