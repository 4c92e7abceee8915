"""Domain errors raised by storage; the handlers translate them into messages."""


class StorageError(Exception):
    """Base class for errors the edge translates."""


class DraftGone(StorageError):
    """The draft was submitted, cancelled or expired by another update or process."""


class ReportNotFound(StorageError):
    """No report with that code belongs to this reporter (the two cases are not told apart)."""


class CodeSpaceExhausted(StorageError):
    """No free tracking code was found after several tries."""


class DatabaseUnreachable(StorageError):
    """The database cannot be used at all: why (`reason`), and where, never the password.

    Reasons: unreadable (the URL); folder_missing, cannot_open (SQLite); refused,
    unknown_host, unreachable, timeout, login, no_database (PostgreSQL); failed (anything
    else, `detail` says what).
    """

    def __init__(self, reason: str, **facts: str) -> None:
        super().__init__(f"{reason}: {facts}")
        self.reason = reason
        self.facts = facts
