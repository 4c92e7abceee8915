"""Bot API request parameters: JSON, urlencoded or multipart, coerced by parameter name.

python-telegram-bot sends form fields whose non-string values are JSON strings
(``chat_id='123'``, ``reply_markup='{"inline_keyboard": ...}'``), so a value's
type comes from what the parameter is, never from how the text looks: a text
of "123" stays a string.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.sandbox.emulator import bot_api_errors

MAX_UPLOAD_BYTES = 50 * 1024 * 1024

_INT = frozenset(
    {
        "message_id", "message_thread_id", "from_chat_id_int", "reply_to_message_id", "offset",
        "limit", "timeout", "user_id", "duration", "width", "height", "length",
        "max_connections", "cache_time", "icon_color", "live_period", "heading",
        "proximity_alert_radius", "until_date", "open_period", "close_date",
    }
)  # fmt: skip
_FLOAT = frozenset({"latitude", "longitude", "horizontal_accuracy"})
_BOOL = frozenset(
    {
        "disable_web_page_preview", "disable_notification", "protect_content",
        "allow_sending_without_reply", "show_alert", "drop_pending_updates", "is_anonymous",
        "allows_multiple_answers", "has_spoiler", "supports_streaming", "is_big",
        "disable_content_type_detection", "show_caption_above_media", "only_if_banned",
        "allow_paid_broadcast", "revoke_messages", "is_disabled",
    }
)  # fmt: skip
_JSON = frozenset(
    {
        "reply_markup", "reply_parameters", "entities", "caption_entities",
        "link_preview_options", "allowed_updates", "commands", "scope", "media", "options",
        "message_ids", "reaction", "permissions", "menu_button", "rights",
    }
)  # fmt: skip
_CHAT = frozenset({"chat_id", "from_chat_id"})


@dataclass(frozen=True)
class Upload:
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Params:
    values: dict[str, Any] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def has(self, name: str) -> bool:
        return self.values.get(name) is not None

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise bot_api_errors.bad_request(f'field "{name}" must be a valid Number')
        try:
            return int(value)
        except ValueError:
            raise bot_api_errors.bad_request(f'field "{name}" must be a valid Number') from None

    def get_float(self, name: str, default: float | None = None) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bot_api_errors.bad_request(f'field "{name}" must be a valid Number') from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1")

    def get_json(self, name: str) -> Any:
        return self.values.get(name)

    def for_record(self) -> dict[str, Any]:
        """Parameters as stored in ApiCall: uploads shown by name and size only."""
        record = dict(self.values)
        for name, upload in self.uploads.items():
            record[name] = {"upload": upload.filename, "size": len(upload.data)}
        return record


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON:
        try:
            return json.loads(value)
        except ValueError:
            raise bot_api_errors.bad_request(f"can't parse {name} JSON object") from None
    if name in _CHAT:
        stripped = value.strip()
        if stripped.lstrip("-").isdigit():
            return int(stripped)
        return stripped
    if name in _BOOL:
        return value.strip().lower() in ("true", "1")
    if name in _INT:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _FLOAT:
        try:
            return float(value)
        except ValueError:
            return value
    return value


async def read_params(request: web.Request) -> Params:
    params = Params()
    for key, value in request.query.items():
        params.values[key] = _coerce(key, value)
    if request.method != "POST" or not request.body_exists:
        return params
    ctype = request.content_type
    if ctype == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bot_api_errors.bad_request("can't parse JSON encoded request") from None
        if isinstance(body, dict):
            for key, value in body.items():
                params.values[key] = _coerce(key, value)
        return params
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, item in form.items():
            if isinstance(item, web.FileField):
                data = item.file.read()
                params.uploads[key] = Upload(item.filename, item.content_type, data)
            elif isinstance(item, str):
                params.values[key] = _coerce(key, item)
            else:
                params.values[key] = _coerce(key, bytes(item).decode("utf-8", "replace"))
    return params


def too_large(request: web.Request, limit: int) -> bool:
    length = request.content_length
    return length is not None and length > limit
