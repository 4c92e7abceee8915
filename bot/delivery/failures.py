"""What a failed Bot API call means for an outbox row, decided by the error's meaning."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

LAST_ERROR_LENGTH = 256
# Telegram's 403 texts for a person who cannot be written to any more (DESIGN.md 9).
CITIZEN_GONE = (
    "bot was blocked by the user",
    "user is deactivated",
    "bot can't initiate conversation",
)
THREAD_NOT_FOUND = "message thread not found"
# An edit that asks for what the message already says: it was done (a retried edit whose
# answer was lost), and nothing needs sending.
NOT_MODIFIED = "message is not modified"
# Edit refusals meaning the message cannot take this edit any more: deleted by hand (or with
# its topic), too old for Telegram's edit limit, or not a text message. A card is then
# posted again as a new message.
CANT_EDIT = (
    "message to edit not found",
    "message can't be edited",
    "message_id_invalid",
    "there is no text in the message to edit",
)
# createForumTopic refusals that mean "this group will not have our topics".
NO_TOPICS = ("not enough rights to create a topic", "the chat is not a forum")
_URL = re.compile(r"\w+://\S+")


class FailureKind(Enum):
    """What happens to the row."""

    FLOOD = "flood"  # 429: wait retry_after, attempts unchanged
    TRANSIENT = "transient"  # network, timeout, 5xx: back off, attempts + 1
    UNREACHABLE = "unreachable"  # the citizen blocked the bot or is gone
    THREAD_GONE = "thread_gone"  # a topic deleted by hand: create it again
    FAILED = "failed"  # will not work by retrying: kept with the reason


@dataclass(frozen=True)
class Failure:
    """A classified error; `detail` is safe to store and log (no token, no URL, no text)."""

    kind: FailureKind
    detail: str
    retry_after: float = 0.0


class Undeliverable(Exception):
    """A row that can be closed without a call: an unreachable citizen, a missing setting."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.detail)
        self.failure = failure


def classify(error: BaseException, *, citizen: bool, token: str | None = None) -> Failure:
    """The meaning of an exception raised by a Bot API call."""
    detail = safe_detail(error, token)
    text = detail.casefold()
    if isinstance(error, RetryAfter):
        # PTB words it differently depending on its int -> timedelta setting.
        seconds = retry_after_seconds(error)
        return Failure(FailureKind.FLOOD, f"RetryAfter: retry after {seconds:g} s", seconds)
    if isinstance(error, Forbidden):
        if citizen and any(reason in text for reason in CITIZEN_GONE):
            return Failure(FailureKind.UNREACHABLE, detail)
        return Failure(FailureKind.FAILED, detail)
    if isinstance(error, ChatMigrated):
        return Failure(FailureKind.FAILED, f"chat migrated to {error.new_chat_id}")
    # BadRequest is a NetworkError in python-telegram-bot, so it is tested first.
    if isinstance(error, BadRequest):
        if THREAD_NOT_FOUND in text:
            return Failure(FailureKind.THREAD_GONE, detail)
        return Failure(FailureKind.FAILED, detail)
    # Timeouts, 5xx and connection errors, and anything else Telegram (or our own code)
    # may get right next time; the attempt limit turns a lasting one into "failed".
    return Failure(FailureKind.TRANSIENT, detail)


def safe_detail(error: BaseException, token: str | None = None) -> str:
    """The error for `last_error` and logs: its class and message, never a token or URL."""
    name = type(error).__name__
    message = error.message if isinstance(error, TelegramError) else str(error)
    if not message:
        detail = name
    elif message.startswith(f"{name}:"):  # Forbidden's message does
        detail = message
    else:
        detail = f"{name}: {message}"
    if token:
        detail = detail.replace(token, "<token>")
    return _URL.sub("<url>", detail)[:LAST_ERROR_LENGTH]


def retry_after_seconds(error: RetryAfter) -> float:
    """retry_after as seconds, whichever type python-telegram-bot is configured to give."""
    with warnings.catch_warnings():
        # Reading it as an int warns about PTB's int -> timedelta migration.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def edit_refusal(error: BaseException) -> str | None:
    """For a failed edit: "done" when the message already says it, "gone" when it cannot
    be edited any more, None for any other error (handled as a send's would be)."""
    if not isinstance(error, BadRequest):
        return None
    text = error.message.casefold()
    if NOT_MODIFIED in text:
        return "done"
    if any(reason in text for reason in CANT_EDIT):
        return "gone"
    return None
