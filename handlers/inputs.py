"""What a citizen sent, read from a Telegram message into one small value."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum

from telegram import Message

from bot.choices import normalise
from bot.intake.answers import FileRef


class Kind(StrEnum):
    """The kinds of message the conversation tells apart."""

    TEXT = "text"
    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"
    LOCATION = "location"
    OTHER = "other"


@dataclass(frozen=True)
class Input:
    """A citizen's message: its kind, its text (or caption), and any file or map point."""

    kind: Kind
    text: str = ""
    file: FileRef | None = None
    latitude: float | None = None
    longitude: float | None = None
    # Where it was sent, so a file can later be copied to the staff from there.
    chat_id: int = 0
    message_id: int = 0

    @property
    def word(self) -> str:
        """The text folded for matching keywords and choices ("" for non-text)."""
        return normalise(self.text) if self.kind is Kind.TEXT else ""


def _seconds(duration: timedelta | int | None) -> int | None:
    if isinstance(duration, timedelta):
        return round(duration.total_seconds())
    return duration


def read_input(message: Message) -> Input:
    """Classify a message; stickers, polls, contacts and the like are OTHER."""
    return replace(_classify(message), chat_id=message.chat_id, message_id=message.message_id)


def _classify(message: Message) -> Input:
    caption = message.caption or ""
    if message.text is not None:
        return Input(Kind.TEXT, message.text)
    if message.photo:
        largest = message.photo[-1]
        ref = FileRef("photo", largest.file_id, largest.file_unique_id, largest.file_size)
        return Input(Kind.PHOTO, caption, ref)
    if message.location is not None and message.venue is None:
        location = message.location
        return Input(Kind.LOCATION, latitude=location.latitude, longitude=location.longitude)
    for kind, media in (
        (Kind.VOICE, message.voice),
        (Kind.AUDIO, message.audio),
        (Kind.VIDEO, message.video),
        (Kind.DOCUMENT, message.document),
    ):
        if media is not None:
            ref = FileRef(
                kind.value,
                media.file_id,
                media.file_unique_id,
                media.file_size,
                getattr(media, "mime_type", None),
                getattr(media, "file_name", None),
                _seconds(getattr(media, "duration", None)),
            )
            return Input(kind, caption, ref)
    return Input(Kind.OTHER)
