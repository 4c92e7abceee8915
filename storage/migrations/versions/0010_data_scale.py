"""Data scale: indexes for the paths people wait on, and replies linked outside the outbox.

A city keeps years of reports. Each index here serves a path that otherwise read the
whole of its table at every call (measured on a seeded database, benchmarks/datascale.py):
a report's files (cek status, cards), reports by the time they came in (statistics,
export, Open311), an agency's queue by last change (the agencies' API), the open reports
by status and time limit (the deadline watch, /antrean), timeline events by time (Open311
updates), the audit log and handled updates by person (erasure), outbox rows by report.

Reports keep the facts the statistics count (`forwarded_at`, `response_due_at`,
`responded_at`, `done_at`), filled here from the timelines; the limits of responses
already given are worked out with the working calendar and agencies file the bot uses.

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
from bot.core.agencies import Agency, load_directory
from bot.core.workdays import WorkingCalendar
from bot.settings import Settings
from storage import text_search

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


FACTS = ("forwarded_at", "response_due_at", "responded_at", "done_at")
# The status changes (not notes, which keep their status) of the report being updated.
_CHANGES = (
    "FROM timeline_events e WHERE e.report_id = reports.id "
    "AND (e.from_status IS NULL OR e.from_status <> e.to_status)"
)
BATCH = 5000


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    for column in FACTS:
        op.add_column(
            "reports", sa.Column(column, storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    _fill_facts()
    # /cari: an index of the reports' texts by trigram (storage/text_search.py).
    text_search.create(op.get_bind())
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


def _fill_facts() -> None:
    """The statistics' facts of reports filed before this revision, from their timelines."""
    op.execute(
        "UPDATE reports SET forwarded_at = (SELECT max(e.at) "
        f"{_CHANGES} AND e.to_status = 'DITERUSKAN')"
    )
    op.execute(
        f"UPDATE reports SET responded_at = (SELECT min(e.at) {_CHANGES} "
        "AND e.from_status = 'DITERUSKAN' AND e.at >= reports.forwarded_at) "
        "WHERE forwarded_at IS NOT NULL"
    )
    op.execute(
        f"UPDATE reports SET done_at = (SELECT max(e.at) {_CHANGES} "
        "AND e.to_status = 'SELESAI') WHERE status = 'SELESAI'"
    )
    # The limit needs the working calendar (holidays) and each agency's days: the same
    # settings the bot runs with, read as the bot reads them.
    settings = Settings()
    calendar = WorkingCalendar(settings.timezone)
    _fill_holds(settings, calendar)
    agencies = load_directory(settings.agencies_file).agencies
    default = int(Agency.model_fields["first_response_days"].default)
    reports = sa.table(
        "reports",
        sa.column("id", sa.Integer),
        sa.column("agency", sa.String),
        sa.column("forwarded_at", storage.types.UTCDateTime()),
        sa.column("response_due_at", storage.types.UTCDateTime()),
    )
    connection = op.get_bind()
    after = 0
    while True:
        rows = connection.execute(
            sa.select(reports.c.id, reports.c.agency, reports.c.forwarded_at)
            .where(reports.c.forwarded_at.is_not(None), reports.c.id > after)
            .order_by(reports.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        due: dict[tuple[object, int], object] = {}
        values = []
        for report_id, agency, forwarded_at in rows:
            known = agencies.get(agency)
            days = known.first_response_days if known is not None else default
            key = (calendar.local_date(forwarded_at), days)
            if key not in due:
                due[key] = calendar.add_working_days(forwarded_at, days)
            values.append({"key": report_id, "due": due[key]})
        connection.execute(
            reports.update()
            .where(reports.c.id == sa.bindparam("key"))
            .values(response_due_at=sa.bindparam("due")),
            values,
        )
        after = rows[-1][0]


def _fill_holds(settings: Settings, calendar: WorkingCalendar) -> None:
    """Holds now run out: one waiting since before this revision is given its limit from
    when it last changed (its hold, or a later note: never sooner than it should be)."""
    reports = sa.table(
        "reports",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("updated_at", storage.types.UTCDateTime()),
        sa.column("deadline_at", storage.types.UTCDateTime()),
    )
    connection = op.get_bind()
    waiting = reports.c.status == "DITUNDA"
    rows = connection.execute(
        sa.select(reports.c.id, reports.c.updated_at).where(
            waiting, reports.c.deadline_at.is_(None)
        )
    ).all()
    for start in range(0, len(rows), BATCH):
        values = [
            {
                "key": report_id,
                "due": calendar.add_working_days(at, settings.hold_expiry_working_days),
            }
            for report_id, at in rows[start : start + BATCH]
        ]
        connection.execute(
            reports.update()
            .where(reports.c.id == sa.bindparam("key"))
            .values(deadline_at=sa.bindparam("due")),
            values,
        )


def downgrade() -> None:
    text_search.drop(op.get_bind())
    op.drop_index("ix_citizen_messages_report_id", table_name="citizen_messages")
    op.drop_table("citizen_messages")
    with op.batch_alter_table("reports") as batch:
        for column in reversed(FACTS):
            batch.drop_column(column)
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
