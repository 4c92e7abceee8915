"""Logging for the command line: no secret in any record, no citizen's words at any level.

Two things keep them out:

* Libraries that log payloads are held above the level where they do, whatever LOG_LEVEL
  says: python-telegram-bot logs every update and every request's parameters at DEBUG
  (message text, shared phone numbers), httpx logs every request URL at INFO (the URL
  carries the bot token), SQLAlchemy logs statements with their parameters at INFO, and
  aiosqlite logs each call with its arguments at DEBUG.
* A log record factory replaces every secret (the bot token and its secret half, the
  webhook secret, the database password) in the message, the arguments and the formatted
  traceback of every record, whichever logger made it and whichever handler writes it.
  The raw exception is dropped from the record once its text is kept, so no handler can
  format it again unredacted.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from urllib.parse import quote

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.settings import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
# The lowest level each payload-logging library may use (see the module docstring).
LIBRARY_FLOORS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.INFO,
    "sqlalchemy": logging.WARNING,
    "aiosqlite": logging.INFO,
}
# Loggers whose errors quote what an HTTP client sent.
CLIENT_QUOTING_LOGGERS = frozenset({"aiohttp.server", "aiohttp.web", "aiohttp.access"})
QUERY = re.compile(r"\?[^ \"]*")
# Shorter values are not worth hiding (and would blank ordinary words).
MIN_SECRET_LENGTH = 6

_formatter = logging.Formatter()


class Redactor:
    """Replaces known secrets in text; more may be added while the process runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()

    def protect(self, *values: str | None) -> None:
        """Hide these values (and their URL-encoded forms) from now on."""
        found = set(self._secrets)
        for value in values:
            if value and len(value) >= MIN_SECRET_LENGTH:
                found |= {value, quote(value, safe="")}
        with self._lock:
            # Longest first, so a token is replaced whole before its secret half.
            self._secrets = tuple(sorted(found, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


REDACTOR = Redactor()


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret the settings hold: SecretStr values, a token's secret half, the webhook
    secret derived from the token when WEBHOOK_SECRET is unset, the database password."""
    found: list[str] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            found.append(secret)
            # A bot token is "<bot id>:<secret>"; the id alone is public, the rest is not.
            found.append(secret.partition(":")[2])
    if settings.telegram_bot_token is not None:
        # Webhook mode's secret: whoever has it can post forged updates.
        found.append(settings.webhook_secret_value())
    try:
        password = make_url(settings.database_url).password
    except (ArgumentError, ValueError):  # a port that is not a number: start-up says so
        password = None
    if password:
        found.append(str(password))
    return found


def _quiet_server(record: logging.LogRecord) -> None:
    """aiohttp's server logs a request it cannot parse with the error's text, which quotes
    the first bytes the client sent (a key, a report's text in the query string): only the
    error's kind is kept. Nothing a client sends reaches the log."""
    error = record.exc_info[1] if record.exc_info else None
    kind = type(error).__name__ if error is not None else "error"
    record.msg, record.args = f"Error handling a request ({kind}); its content is not logged", None
    record.exc_info, record.exc_text, record.stack_info = None, None, None


def _clean(record: logging.LogRecord, redact: Callable[[str], str]) -> None:
    if record.name in CLIENT_QUOTING_LOGGERS and record.levelno >= logging.WARNING:
        _quiet_server(record)
        return
    if record.name == "aiohttp.access":
        # An access log line keeps the path, never the query string (keys, forms).
        record.msg, record.args = QUERY.sub("?[query not logged]", record.getMessage()), None
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: keep it as logged, unformatted
        message = str(record.msg)
    record.msg, record.args = redact(message), None
    if record.exc_info:
        record.exc_text = redact(_formatter.formatException(record.exc_info))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def install_redaction(redact: Callable[[str], str] = REDACTOR) -> Callable[[], None]:
    """Clean every log record from now on; returns the function that undoes it."""
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _clean(record, redact)
        return record

    logging.setLogRecordFactory(factory)
    return lambda: logging.setLogRecordFactory(previous)


def hold_libraries(floors: Iterable[tuple[str, int]] = LIBRARY_FLOORS.items()) -> None:
    """Keep payload-logging libraries at or above their floor, even under LOG_LEVEL=DEBUG."""
    for name, floor in floors:
        library = logging.getLogger(name)
        library.setLevel(max(library.getEffectiveLevel(), floor))


def configure(level: str, secrets: Iterable[str | None] = ()) -> Callable[[], None]:
    """Set up the process's logging (called once by the CLI); returns an undo for tests."""
    REDACTOR.protect(*secrets)
    undo = install_redaction(REDACTOR)
    logging.basicConfig(level=level, format=FORMAT)
    hold_libraries()
    return undo
