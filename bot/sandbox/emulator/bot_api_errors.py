"""Bot API error replies, worded the way Telegram words them.

Descriptions are copied from what api.telegram.org and tdlib/telegram-bot-api
return, because bots (and the lapor-bot dispatcher) branch on their text.
"""

from __future__ import annotations

from typing import Any


class BotApiError(Exception):
    """A Bot API failure: becomes ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> BotApiError:
    return BotApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> BotApiError:
    return BotApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def conflict(detail: str) -> BotApiError:
    return BotApiError(409, f"Conflict: {detail}")


NOT_FOUND = "Not Found"
UNAUTHORIZED = "Unauthorized"

CHAT_NOT_FOUND = "chat not found"
USER_NOT_FOUND = "user not found"
BOT_BLOCKED = "bot was blocked by the user"
USER_DEACTIVATED = "user is deactivated"
CANT_INITIATE = "bot can't initiate conversation with a user"
BOT_KICKED_GROUP = "bot was kicked from the supergroup chat"
BOT_NOT_MEMBER = "bot is not a member of the supergroup chat"

TEXT_EMPTY = "message text is empty"
TEXT_TOO_LONG = "message is too long"
CAPTION_TOO_LONG = "message caption is too long"
CANT_PARSE = "can't parse entities: "
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND = "message to edit not found"
DELETE_NOT_FOUND = "message to delete not found"
REPLY_NOT_FOUND = "message to be replied not found"
COPY_NOT_FOUND = "message to copy not found"
FORWARD_NOT_FOUND = "message to forward not found"
CANT_BE_EDITED = "message can't be edited"
CANT_BE_COPIED = "message can't be copied"
NO_TEXT_TO_EDIT = "there is no text in the message to edit"
NO_CAPTION_TO_EDIT = "there is no caption in the message to edit"
THREAD_NOT_FOUND = "message thread not found"

BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
REPLY_MARKUP_TOO_LONG = "REPLY_MARKUP_TOO_LONG"
BUTTON_TEXT_EMPTY = "text buttons are unallowed in the inline keyboard"

CALLBACK_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
CALLBACK_TEXT_TOO_LONG = "MESSAGE_TOO_LONG"

NOT_A_FORUM = "the chat is not a forum"
NO_TOPIC_RIGHTS = "not enough rights to create a topic"
NO_TOPIC_EDIT_RIGHTS = "not enough rights to edit a topic"
NO_TOPIC_DELETE_RIGHTS = "not enough rights to delete a topic"
TOPIC_NOT_MODIFIED = "TOPIC_NOT_MODIFIED"
TOPIC_ID_INVALID = "TOPIC_ID_INVALID"
TOPIC_NAME_EMPTY = "TOPIC_TITLE_EMPTY"

FILE_TOO_BIG = "file is too big"
WRONG_FILE_ID = "wrong file identifier/HTTP URL specified"
GETFILE_WRONG_ID = "wrong file_id or the file is temporarily unavailable"
FILE_TYPE_MISMATCH = "type of file mismatch"
FILE_EMPTY = "file must be non-empty"
ENTITY_TOO_LARGE = "Request Entity Too Large"

GETUPDATES_CONFLICT = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
TERMINATED_BY_SETWEBHOOK = "terminated by setWebhook request"

SERVER_ERRORS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
