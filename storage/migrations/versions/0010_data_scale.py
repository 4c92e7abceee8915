"""Data scale: indexes for the paths people wait on, and replies linked outside the outbox.

A city keeps years of reports. Each index here serves a path that otherwise read the
whole of its table at every call (measured on a seeded database, benchmarks/datascale.py):
a report's files (cek status, cards), reports by the time they came in (statistics,
export, Open311), an agency's queue by last change (the agencies' API), the open reports
by status and time limit (the deadline watch, /antrean), timeline events by time (Open311
updates), the audit log and handled updates by person (erasure), outbox rows by report.

`citizen_messages` remembers which report a message sent to a citizen was about, so a
citizen's reply to a notice finds its report without the outbox, whose sent rows are now
pruned after a retention. Existing links are copied from the sent rows.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-07 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_attachments_report_id", "attachments", ["report_id"]),
    ("ix_reports_created_at", "reports", ["created_at"]),
    ("ix_reports_agency_updated_at", "reports", ["agency", "updated_at", "id"]),
    ("ix_reports_agency_status", "reports", ["agency", "status"]),
    ("ix_reports_watch", "reports", ["status", "closed_at", "deadline_at"]),
    ("ix_timeline_events_at", "timeline_events", ["at"]),
    ("ix_audit_log_actor_user_id", "audit_log", ["actor_user_id"]),
    ("ix_handled_updates_chat_id", "handled_updates", ["chat_id"]),
    ("ix_outbox_report_id", "outbox", ["report_id"]),
    ("ix_outbox_state_sent_at", "outbox", ["state", "sent_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.create_table(
        "citizen_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_citizen_messages_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_messages")),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_citizen_messages_chat_id_message_id"),
    )
    op.create_index("ix_citizen_messages_report_id", "citizen_messages", ["report_id"])
    # Private chats have positive ids (groups negative): these are the citizens' messages.
    op.execute(
        "INSERT INTO citizen_messages (chat_id, message_id, report_id, created_at) "
        "SELECT chat_id, message_id, report_id, coalesce(sent_at, created_at) FROM outbox "
        "WHERE state = 'sent' AND report_id IS NOT NULL AND chat_id > 0 "
        "AND message_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_citizen_messages_report_id", table_name="citizen_messages")
    op.drop_table("citizen_messages")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
