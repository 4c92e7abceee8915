"""Levels: units' turns with reports, and when a unit was given a report between levels.

A report is handled by a kelurahan's or a kecamatan's office or a city agency (bot/core/
units.py) and may move between them. `unit_turns` keeps each unit's turn with a report
(given, due, first response, ended, taken by the deadline watch), so each unit's on-time
share counts what that unit did; `reports.unit_since` is when the unit that has a report
was given it between levels, from which its resolution limit counts.

Reports already forwarded get the turn of the agency that has (or last had) them, from
the facts the workflow kept on them: forwarded, due, answered; a turn ends where the
report is no longer with an agency.

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-07 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0013"
# After the followers revision (0014), which landed first.
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WITH_AGENCY = "('DITERUSKAN', 'DITINDAKLANJUTI', 'SELESAI')"


def upgrade() -> None:
    op.add_column(
        "reports",
        sa.Column("unit_since", storage.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "unit_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("responded_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalated", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_unit_turns_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_turns")),
    )
    op.create_index("ix_unit_turns_report_id_ended_at", "unit_turns", ["report_id", "ended_at"])
    op.create_index("ix_unit_turns_unit", "unit_turns", ["unit"])
    op.execute(
        "INSERT INTO unit_turns (report_id, unit, started_at, due_at, responded_at, ended_at, "
        "escalated) SELECT id, agency, forwarded_at, response_due_at, responded_at, "
        f"CASE WHEN status IN {WITH_AGENCY} THEN NULL ELSE updated_at END, "
        "CASE WHEN status = 'DITERUSKAN' AND escalated_at IS NOT NULL THEN TRUE ELSE FALSE END "
        "FROM reports WHERE forwarded_at IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_unit_turns_unit", table_name="unit_turns")
    op.drop_index("ix_unit_turns_report_id_ended_at", table_name="unit_turns")
    op.drop_table("unit_turns")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("unit_since")
