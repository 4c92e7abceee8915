"""What a citizen sent, read from a Telegram message into one small value."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from functools import cached_property

from telegram import Message

from bot.core.intake import cleaning
from bot.core.intake.answers import FileRef
from bot.language.choices import normalise


class InputKind(StrEnum):
    """The kinds of message the conversation tells apart."""

    TEXT = "text"
    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"
    LOCATION = "location"
    OTHER = "other"


class Unsupported(StrEnum):
    """What an OTHER message was, so the answer can name it."""

    STICKER = "sticker"
    VIDEO_NOTE = "video_note"
    POLL = "poll"
    CONTACT = "contact"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Input:
    """A citizen's message: its kind, its text (or caption), and any file or map point."""

    kind: InputKind
    text: str = ""
    file: FileRef | None = None
    latitude: float | None = None
    longitude: float | None = None
    unsupported: Unsupported | None = None
    # Where it was sent, so a file can later be copied to the staff from there.
    chat_id: int = 0
    message_id: int = 0

    @cached_property
    def word(self) -> str:
        """The text folded for matching keywords and choices ("" for non-text)."""
        # Folded once: a turn compares it with every universal word and every choice.
        return normalise(self.text) if self.kind is InputKind.TEXT else ""

    @property
    def command(self) -> str | None:
        """For "/start xyz", the command alone ("/start"); None for anything else."""
        if self.kind is not InputKind.TEXT or not self.text.startswith("/"):
            return None
        head = self.text.split(maxsplit=1)[0]
        return head if len(head) > 1 else None


def clean(text: str) -> str:
    """The chat's text cleaned as every channel's is (bot/core/intake/cleaning.py)."""
    return cleaning.clean(text)


def _seconds(duration: timedelta | int | None) -> int | None:
    if isinstance(duration, timedelta):
        return round(duration.total_seconds())
    return duration


def _unsupported(message: Message) -> Unsupported:
    if message.sticker is not None:
        return Unsupported.STICKER
    if message.video_note is not None:
        return Unsupported.VIDEO_NOTE
    if message.poll is not None:
        return Unsupported.POLL
    if message.contact is not None:
        return Unsupported.CONTACT
    return Unsupported.UNKNOWN


def read_input(message: Message) -> Input:
    """Classify a message; stickers, polls, contacts and the like are OTHER."""
    return replace(_classify(message), chat_id=message.chat_id, message_id=message.message_id)


def _classify(message: Message) -> Input:
    caption = clean(message.caption or "")
    if message.text is not None:
        return Input(InputKind.TEXT, clean(message.text))
    if message.photo:
        largest = message.photo[-1]
        ref = FileRef("photo", largest.file_id, largest.file_unique_id, largest.file_size)
        return Input(InputKind.PHOTO, caption, ref)
    if message.location is not None:
        # A venue (a place picked from a list) carries its map point too.
        location = message.location
        return Input(InputKind.LOCATION, latitude=location.latitude, longitude=location.longitude)
    # A GIF (or a video sent muted, which Telegram turns into one) is kept as a document:
    # Telegram sends it with a document field, and sendDocument can pass it on.
    for kind, media in (
        (InputKind.VOICE, message.voice),
        (InputKind.AUDIO, message.audio),
        (InputKind.VIDEO, message.video),
        (InputKind.DOCUMENT, message.document or message.animation),
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
    return Input(InputKind.OTHER, unsupported=_unsupported(message))
