"""What the outbox holds: where a message goes and what it says, as JSON-able values.

The workflow decides *what* to say (rendered in the reader's language when the change
happens); the dispatcher decides *how* to reach the place (topics, own groups, hashtags).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class CitizenChat:
    """The private chat of a reporter; unreachable once they blocked the bot or erased data."""

    reporter_id: int
    kind: Literal["citizen"] = "citizen"


@dataclass(frozen=True)
class StaffQueue:
    """A queue on the staff side: "verifikasi", "eskalasi", or an agency's key.

    Resolved at send time to the agency's own group, or a topic of the staff group
    (created when missing), or the staff group's main chat with a hashtag.
    """

    key: str
    # Messages of one lane keep their order; lanes of one chat take turns, so one API
    # client's flood of cards never holds back the cards of citizens' reports.
    lane: str | None = None
    kind: Literal["staff"] = "staff"


def lane_of(client_id: int | None) -> str | None:
    """The lane of a report's staff messages: its Open311 key's own, or the common one."""
    return f"open311:{client_id}" if client_id is not None else None


@dataclass(frozen=True)
class ChatTarget:
    """A known chat (and topic), e.g. an answer to a staff member where they asked."""

    chat_id: int
    thread_id: int | None = None
    kind: Literal["chat"] = "chat"


@dataclass(frozen=True)
class AgencyWebhook:
    """An agency's own system, reached by a signed HTTP POST to its webhook_url."""

    agency: str
    kind: Literal["webhook"] = "webhook"


@dataclass(frozen=True)
class AgencySystem:
    """An agency's own system, reached by one of the send methods (bot/delivery/send_methods):
    "open311" today, a national SP4N-LAPOR! connector tomorrow."""

    agency: str
    method: str
    kind: Literal["system"] = "system"


Destination = CitizenChat | StaffQueue | ChatTarget | AgencyWebhook | AgencySystem


@dataclass(frozen=True)
class Button:
    """An inline button; `data` comes from bot.notify.card_buttons, never built by hand."""

    label: str
    data: str


FileKind = Literal["photo", "document", "voice", "audio", "video"]
FILE_KINDS: tuple[FileKind, ...] = ("photo", "document", "voice", "audio", "video")


def file_kind(kind: str) -> FileKind:
    """The send method's kind for a stored attachment kind (unknown kinds go as documents)."""
    return next((known for known in FILE_KINDS if known == kind), "document")


@dataclass(frozen=True)
class FileSend:
    """A file sent again by its Telegram file id (attachments follow a card)."""

    kind: FileKind
    file_id: str
    # An attachment Telegram does not have yet (an Open311 upload): its bytes are sent, and
    # the attachment then keeps the file id Telegram gives.
    upload: int | None = None


@dataclass(frozen=True)
class Copy:
    """A message copied from another chat, so no sender identity travels with it."""

    from_chat_id: int
    message_id: int


@dataclass(frozen=True)
class Outgoing:
    """One message: text or caption, optional inline buttons, file or copy, and links."""

    text: str | None = None
    html: bool = False
    buttons: tuple[tuple[Button, ...], ...] = ()
    file: FileSend | None = None
    copy: Copy | None = None
    # Sent as a reply to the report's card in the destination chat, when there is one.
    under_card: bool = False
    # After sending, remember that this message belongs to the report (kind of link).
    link: Literal["card", "relay", "addition"] | None = None
    # Edit the report's card in the destination's chat to say this (text and buttons)
    # instead of posting; with no card there to edit, or one Telegram will not edit (deleted
    # by hand, too old), it is posted as a new card.
    edit_card: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # The JSON document an AgencyWebhook receives (no Telegram message then).
    document: dict[str, Any] | None = None
    # Spoken replies: send `text` as a voice note read in this language, made at send time
    # (bot.speech), not as text; the prompt's text goes in the row before it.
    speak: str | None = None


def destination_to_json(destination: Destination) -> dict[str, Any]:
    """The JSON stored in the outbox row (a staff queue's common lane left out)."""
    data = asdict(destination)
    if isinstance(destination, StaffQueue) and destination.lane is None:
        del data["lane"]
    return data


def destination_from_json(data: dict[str, Any]) -> Destination:
    """Read a destination back from the outbox row."""
    values = {k: v for k, v in data.items() if k != "kind"}
    match data["kind"]:
        case "citizen":
            return CitizenChat(**values)
        case "staff":
            return StaffQueue(**values)
        case "chat":
            return ChatTarget(**values)
        case "webhook":
            return AgencyWebhook(**values)
        case "system":
            return AgencySystem(**values)
    raise ValueError(f"unknown destination kind {data['kind']!r}")


def outgoing_to_json(message: Outgoing) -> dict[str, Any]:
    """The JSON stored in the outbox row."""
    return asdict(message)


def outgoing_from_json(data: dict[str, Any]) -> Outgoing:
    """Read a message back from the outbox row."""
    return Outgoing(
        text=data.get("text"),
        html=bool(data.get("html")),
        buttons=tuple(
            tuple(Button(**button) for button in row) for row in data.get("buttons") or ()
        ),
        file=FileSend(**data["file"]) if data.get("file") else None,
        copy=Copy(**data["copy"]) if data.get("copy") else None,
        under_card=bool(data.get("under_card")),
        link=data.get("link"),
        edit_card=bool(data.get("edit_card")),
        extra=dict(data.get("extra") or {}),
        document=data.get("document"),
        speak=data.get("speak"),
    )
