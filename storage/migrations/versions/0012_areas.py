"""Areas: a report's place as the codes of its kecamatan and kelurahan.

The areas file (bot/core/areas.py) names the kota's kecamatan and kelurahan by their
Kemendagri codes; a report whose place was matched keeps both codes, indexed for the
figures by kecamatan and the reports of a kelurahan. Reports filed before stay without.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07 19:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("kecamatan_code", "kelurahan_code")


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("reports", sa.Column(column, sa.String(length=16), nullable=True))
        op.create_index(f"ix_reports_{column}", "reports", [column])


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.drop_index(f"ix_reports_{column}", table_name="reports")
        with op.batch_alter_table("reports") as batch:
            batch.drop_column(column)
