"""SQLAlchemy 2 models: reporters, drafts, reports, attachments and timeline events."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.core.lifecycle import ActorKind, Classification, Status
from storage.types import UTCDateTime

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(enum: type[StrEnum], length: int = 32) -> Enum:
    """Store a StrEnum by its value as a plain string column (no native ENUM type)."""
    return Enum(
        enum,
        native_enum=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with the project's naming convention and column types."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[dict[str, Any]]: JSON(),
    }


class Reporter(Base):
    """A citizen who talks to the bot; personal fields are erased on request."""

    __tablename__ = "reporters"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    first_name: Mapped[str | None] = mapped_column(String(128))
    last_name: Mapped[str | None] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8), default="id")
    consent_at: Mapped[datetime | None]
    # Which question the citizen's next message answers (a flow name from the core).
    context: Mapped[str] = mapped_column(String(32), default="menu")
    # Failed answers to the current question; after two, help is offered.
    tries: Mapped[int] = mapped_column(Integer, default=0)
    # The report the current question is about (an addition, a rating), if any.
    context_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL", use_alter=True)
    )
    unreachable_at: Mapped[datetime | None]
    # Pengaturan: no keyboards and numbered choices; each prompt also as a voice note.
    simple_mode: Mapped[bool] = mapped_column(default=False, server_default=false())
    voice_replies: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Barred by staff: messages get one notice and nothing is filed; the audit log says who.
    barred_at: Mapped[datetime | None]
    barred_reason: Mapped[str | None] = mapped_column(Text)
    # Set by /hapusdata: the personal fields are empty and the chat link is gone.
    erased_at: Mapped[datetime | None]
    # Flood control: the window the citizen's recent messages are counted in, and how many.
    flood_started_at: Mapped[datetime | None]
    flood_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When a barred citizen was last told so (told again after a day, not at every message).
    bar_noticed_at: Mapped[datetime | None]
    # Telegram's time of the citizen's last text too long for any answer: the parts of a
    # long paste Telegram split into several messages follow it within seconds.
    long_text_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    draft: Mapped[Draft | None] = relationship(back_populates="reporter", lazy="raise")


class Draft(Base):
    """A half-finished report: the filing conversation's whole state, saved at every step."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: uuid4().hex)
    reporter_id: Mapped[int] = mapped_column(
        ForeignKey("reporters.id", ondelete="CASCADE"), unique=True
    )
    step: Mapped[str] = mapped_column(String(32))
    # Set when the citizen came from the read-back to change one answer.
    editing: Mapped[bool] = mapped_column(default=False)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Bumped on every write; a concurrent writer gets StaleDataError instead of a lost update.
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    reminded_at: Mapped[datetime | None]

    reporter: Mapped[Reporter] = relationship(back_populates="draft", lazy="raise")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Report(Base):
    """A submitted report; it outlives its reporter's personal data."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[int] = mapped_column(Integer, unique=True)
    # The draft it came from: a second "kirim" for the same draft cannot create a second report.
    draft_uid: Mapped[str | None] = mapped_column(String(32), unique=True)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporters.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16), default="telegram")
    classification: Mapped[Classification] = mapped_column(_enum(Classification))
    content: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str] = mapped_column(String(64), index=True)
    location_text: Mapped[str | None] = mapped_column(String(512))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # The place as the areas file's Kemendagri codes (bot/core/areas.py), when the citizen's
    # place was matched to a kelurahan; None when they did not know or the city has no areas.
    # Indexed: statistics by kecamatan, and the reports of a kelurahan.
    kecamatan_code: Mapped[str | None] = mapped_column(String(16), index=True)
    kelurahan_code: Mapped[str | None] = mapped_column(String(16), index=True)
    incident_date: Mapped[date | None] = mapped_column(Date)
    anonymous: Mapped[bool] = mapped_column(default=False)
    confidential: Mapped[bool] = mapped_column(default=False)
    status: Mapped[Status] = mapped_column(_enum(Status), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="id")
    # Indexed: statistics, the export and Open311 ask for the reports of a period.
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Set by the workflow from its clock; no onupdate, whose wall-clock time would differ.
    # Indexed: agencies' systems ask for what changed since their last look.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The running time limit (verify, first follow-up, dispute window) and its warnings.
    deadline_at: Mapped[datetime | None] = mapped_column(index=True)
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    # Set when a report can no longer be reopened (the dispute window has passed).
    closed_at: Mapped[datetime | None]
    rating: Mapped[str | None] = mapped_column(String(16))
    rating_reason: Mapped[str | None] = mapped_column(Text)
    # Open311: the key that filed it (its limits count these), the client's Idempotency-Key
    # (a repeat of the same POST finds this report), and what the specification lets a
    # client give beside a text: an address id, and a link to its media.
    client_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"))
    client_key: Mapped[str | None] = mapped_column(String(128))
    address_id: Mapped[str | None] = mapped_column(String(128))
    media_url: Mapped[str | None] = mapped_column(String(1024))
    # Kept by the workflow as the report moves, so statistics and the export are counted by
    # the database without reading timelines: the latest forwarding to an agency, the limit
    # of its first response, that response (the first time it left DITERUSKAN after), and
    # when it was last marked done.
    forwarded_at: Mapped[datetime | None]
    response_due_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    # Citizens following the report (storage/followers.py keeps the count with the rows),
    # so a card and "cek status" show it without counting.
    followers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Marked by staff as a duplicate: the code of the report it joined. A code, not a key,
    # since status texts name it and codes never change or return.
    duplicate_of: Mapped[int | None] = mapped_column(Integer)
    # When the unit that has the report was given it by a move between levels (passed up
    # or down, or by the deadline watch): its limits count from then, not from the filing.
    unit_since: Mapped[datetime | None]

    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="report", order_by="Attachment.position", lazy="raise"
    )
    events: Mapped[list[TimelineEvent]] = relationship(
        back_populates="report", order_by="TimelineEvent.id", lazy="raise"
    )

    __table_args__ = (
        Index("ix_reports_client_id_created_at", "client_id", "created_at"),
        UniqueConstraint("client_id", "client_key", name="uq_reports_client_id_client_key"),
        # An agency's queue by last change (the agencies' API pages through it).
        Index("ix_reports_agency_updated_at", "agency", "updated_at", "id"),
        # An agency's open reports (/antrean) without reading its closed years.
        Index("ix_reports_agency_status", "agency", "status"),
        # The deadline watch: open reports by limit; done ones not yet closed for good.
        Index("ix_reports_watch", "status", "closed_at", "deadline_at"),
        # Reports of a category near a point (storage/nearby.py): a latitude band first.
        Index("ix_reports_nearby", "category", "latitude", "longitude"),
        # Reports of a category in a kelurahan, newest first (a place given without a point).
        Index("ix_reports_category_kelurahan", "category", "kelurahan_code", "created_at"),
    )


class Attachment(Base):
    """A file the citizen sent, kept by Telegram file id (the bot stores no bytes)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    # "content" for a voice note that is the report itself, "attachment" otherwise.
    role: Mapped[str] = mapped_column(String(16), default="attachment")
    file_id: Mapped[str] = mapped_column(String(256))
    file_unique_id: Mapped[str] = mapped_column(String(128))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    mime_type: Mapped[str | None] = mapped_column(String(128))
    file_name: Mapped[str | None] = mapped_column(String(256))
    duration: Mapped[int | None] = mapped_column(Integer)

    report: Mapped[Report] = relationship(back_populates="attachments", lazy="raise")


class TimelineEvent(Base):
    """One step in a report's life: who, when, from and to which status, what was said."""

    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[ActorKind] = mapped_column(_enum(ActorKind, 16))
    actor_user_id: Mapped[int | None] = mapped_column(BigInteger)
    from_status: Mapped[Status | None] = mapped_column(_enum(Status))
    to_status: Mapped[Status] = mapped_column(_enum(Status))
    public_text: Mapped[str | None] = mapped_column(Text)
    internal_note: Mapped[str | None] = mapped_column(Text)

    report: Mapped[Report] = relationship(back_populates="events", lazy="raise")

    __table_args__ = (
        Index("ix_timeline_events_report_at", "report_id", "at"),
        # Open311's updates of a period.
        Index("ix_timeline_events_at", "at"),
    )


class UnitTurn(Base):
    """One unit's turn with a report: given it (forwarded, passed up or down) at
    `started_at`, to respond by `due_at`; its first response, when the turn ended, and
    whether the deadline watch took the report from it. The on-time share of every unit,
    kelurahan and kecamatan offices as well as agencies, is counted from these
    (storage/statistics.py), so a unit that let a report run late keeps that lateness after
    the report moved on."""

    __tablename__ = "unit_turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    unit: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    escalated: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (
        # The report's current turn; the turns of a unit.
        Index("ix_unit_turns_report_id_ended_at", "report_id", "ended_at"),
        Index("ix_unit_turns_unit", "unit"),
    )


class Topic(Base):
    """A forum topic the bot keeps in a staff group: Verifikasi, Eskalasi, or an agency's."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    key: Mapped[str] = mapped_column(String(64))
    thread_id: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (UniqueConstraint("chat_id", "key", name="uq_topics_chat_id_key"),)


class StaffMessage(Base):
    """Which report a message in a staff chat belongs to (a card, a relay, an addition).

    The key is our own record of what we sent, never a forwarded message's sender, which
    Telegram may hide.
    """

    __tablename__ = "staff_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("chat_id", "message_id", name="uq_staff_messages_chat_id_message_id"),
    )


class CitizenMessage(Base):
    """Which report a message sent to a citizen was about (a notice, a staff reply).

    A citizen who replies to one adds to that report. Kept apart from the outbox, whose
    sent rows are pruned after a retention, and forgotten when the citizen erases their data.
    """

    __tablename__ = "citizen_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("chat_id", "message_id", name="uq_citizen_messages_chat_id_message_id"),
    )


class AuditEntry(Base):
    """Every staff action, allowed or refused: who, where, what, on which report."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Indexed: erasing a citizen's data finds their own actions.
    actor_user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(32))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    allowed: Mapped[bool] = mapped_column(default=True)
    detail: Mapped[str | None] = mapped_column(String(256))


class OutboxMessage(Base):
    """A message to deliver, written in the same transaction as the change that causes it.

    `destination` and `payload` are the JSON forms of bot.delivery.messages values; the
    dispatcher claims rows by lease, so several dispatchers never send one row twice.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    purpose: Mapped[str] = mapped_column(String(32))
    destination: Mapped[dict[str, Any]] = mapped_column()
    payload: Mapped[dict[str, Any]] = mapped_column()
    # pending -> sent | failed | unreachable. Sent rows are pruned after the retention
    # (storage/retention.py); failed and unreachable ones stay, nothing is dropped silently.
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(256))

    __table_args__ = (
        Index("ix_outbox_state_available_at", "state", "available_at"),
        Index("ix_outbox_report_id", "report_id"),
        # Pruning finds the oldest sent rows.
        Index("ix_outbox_state_sent_at", "state", "sent_at"),
    )


class HandledUpdate(Base):
    """A Telegram update already handled, recorded in the unit of work that handled it.

    A redelivered update (a webhook retry, an offset not yet confirmed before a crash) finds
    its row and is not handled again; `replies` keeps what the citizen was to be told until
    it was sent, so a crash between commit and sending loses no answer.
    """

    __tablename__ = "handled_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Indexed: erasing a citizen's data forgets their chat here too.
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    replies: Mapped[list[dict[str, Any]] | None] = mapped_column()
    replies_sent: Mapped[bool] = mapped_column(default=False)

    # The sweep for replies still owed reads only the few unsent rows.
    __table_args__ = (Index("ix_handled_updates_owed", "replies_sent", "handled_at"),)


class InboxUpdate(Base):
    """An update fetched by the poller and not yet handled to the end.

    getUpdates confirms a batch only by asking for the next one, which the poller does while
    the batch is still being handled; the batch is written here first, so a process killed
    mid-handling replays it at start instead of losing it. A row goes once handled.
    """

    __tablename__ = "inbox_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    body: Mapped[dict[str, Any]] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A key for the HTTP APIs: an agency's bearer token or an Open311 client's api_key.

    Only the SHA-256 of the token is kept; the token itself is shown once, when issued.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "agency" (its reports, through /api/v1) or "open311" (posting service requests).
    scope: Mapped[str] = mapped_column(String(16))
    # The agency's key, or the Open311 client's name.
    subject: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # An Open311 key's own limits on service requests (None: the settings' defaults).
    per_minute: Mapped[int | None] = mapped_column(Integer)
    per_day: Mapped[int | None] = mapped_column(Integer)
    # Written first by every POST with the key: it serialises one key's POSTs, so its
    # limits are counted exactly on both databases.
    used_at: Mapped[datetime | None]


class CounterFiling(Base):
    """A report filed at a service counter for a walk-in citizen: which counter, which
    officer (for the audit only), the name and phone the citizen chose to give, and the
    claim PIN's hash until someone claims the report with it."""

    __tablename__ = "counter_filings"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), unique=True
    )
    counter: Mapped[str] = mapped_column(String(32))
    officer_user_id: Mapped[int] = mapped_column(BigInteger)
    # Optional; never on a card or in the API when the report is anonim or rahasia.
    citizen_name: Mapped[str | None] = mapped_column(String(128))
    citizen_phone: Mapped[str | None] = mapped_column(String(32))
    # bot.core.claims.hash_pin: scheme, parameters, salt and hash; the PIN itself is never kept.
    pin_hash: Mapped[str] = mapped_column(String(160))
    pin_issued_at: Mapped[datetime]
    pin_wrong_tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set when the PIN was used: the report then has the claimant as its reporter.
    claimed_at: Mapped[datetime | None]


class CounterDesk(Base):
    """A counter officer's conversation with the bot while filing for a walk-in citizen.

    Its reporter row holds the conversation's state the way a citizen's does (the flow,
    failed tries, the draft), so the chat's filing steps serve the counter unchanged; it
    is nobody's personal data. The place is where the officer is serving now.
    """

    __tablename__ = "counter_desks"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("reporters.id", ondelete="CASCADE"))
    counter: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    # The walk-in citizen's answers before the filing steps (optional both).
    citizen_name: Mapped[str | None] = mapped_column(String(128))
    citizen_phone: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    reporter: Mapped[Reporter] = relationship(lazy="raise")


class AgencyRequest(Base):
    """A report sent to an agency's own system, by the id that system gave it, so the
    updates the system publishes find the report again."""

    __tablename__ = "agency_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    agency: Mapped[str] = mapped_column(String(64))
    # The send method: "open311" (the only one whose system answers with an id today).
    method: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(128))
    # A "batch" system answers a token first and the id later (GeoReport v2's tokens).
    token: Mapped[str | None] = mapped_column(String(128))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The system's status last read for it (GET requests, when it has no updates list).
    last_status: Mapped[str | None] = mapped_column(String(32))
    # The Idempotency-Key the POST carried: a repeat of the outbox row finds it sent.
    send_key: Mapped[str | None] = mapped_column(String(128), unique=True)

    __table_args__ = (Index("ix_agency_requests_agency_external_id", "agency", "external_id"),)


class AgencyPoll(Base):
    """How far an agency's system has been read for updates."""

    __tablename__ = "agency_polls"

    agency: Mapped[str] = mapped_column(String(64), primary_key=True)
    polled_until: Mapped[datetime]


class AgencyUpdateSeen(Base):
    """An update read from an agency's system and applied, so it is applied once."""

    __tablename__ = "agency_updates_seen"

    agency: Mapped[str] = mapped_column(String(64), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportUpload(Base):
    """A file an Open311 client uploaded with its request, kept until Telegram has it.

    Attachments are kept by Telegram file id; an upload's bytes wait here until the card's
    files are sent, then the attachment takes the file id Telegram gave and the bytes go.
    """

    __tablename__ = "report_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(
        ForeignKey("attachments.id", ondelete="CASCADE"), unique=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Follower(Base):
    """A citizen following a report that is not theirs ("ikut pantau"): they get its
    notices. Joined from the list of similar reports while filing, or moved here when
    staff marked their own report a duplicate of this one."""

    __tablename__ = "followers"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    # Indexed: erasing a citizen's data and their "cek status" find their rows.
    reporter_id: Mapped[int] = mapped_column(
        ForeignKey("reporters.id", ondelete="CASCADE"), index=True
    )
    # "joined" (chose to follow) or "duplicate" (their report was joined to this one).
    reason: Mapped[str] = mapped_column(String(16))
    since: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("report_id", "reporter_id", name="uq_followers_report_id_reporter_id"),
    )
