"""Domain errors raised by storage; the handlers translate them into messages."""


class StorageError(Exception):
    """Base class for errors the edge translates."""


class DraftGone(StorageError):
    """The draft was submitted, cancelled or expired by another update or process."""


class ReportNotFound(StorageError):
    """No report with that code belongs to this reporter (the two cases are not told apart)."""


class CodeSpaceExhausted(StorageError):
    """No free tracking code was found after several tries."""
