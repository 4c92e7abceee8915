"""Reply markup: validation against Telegram's limits and button lookup for presses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sandbox.emulator import bot_api_errors
from bot.sandbox.emulator.entities import checked_link

MAX_INLINE_BUTTONS = 100
MAX_CALLBACK_DATA_BYTES = 64
_INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip


def validate(markup: Any) -> dict[str, Any] | None:
    """Checks reply_markup the way Telegram does; returns it normalised (or None)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bot_api_errors.bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _validate_inline(markup["inline_keyboard"])
        return markup
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bot_api_errors.bad_request('field "keyboard" must be an Array of Arrays')
        normalised = [[_reply_button(b) for b in row] for row in rows]
        return {**markup, "keyboard": normalised}
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bot_api_errors.bad_request("can't parse reply keyboard markup JSON object")


def _validate_inline(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bot_api_errors.bad_request('field "inline_keyboard" must be an Array of Arrays')
    count = sum(len(row) for row in rows)
    if count > MAX_INLINE_BUTTONS:
        raise bot_api_errors.bad_request(bot_api_errors.REPLY_MARKUP_TOO_LONG)
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bot_api_errors.bad_request(
                    "can't parse inline keyboard button: Text must be a String"
                )
            actions = [key for key in _INLINE_ACTIONS if key in button]
            if not actions:
                raise bot_api_errors.bad_request(bot_api_errors.BUTTON_TEXT_EMPTY)
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(str(data).encode("utf-8"))
                if not isinstance(data, str) or not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                    raise bot_api_errors.bad_request(bot_api_errors.BUTTON_DATA_INVALID)
            if "url" in button and not checked_link(str(button["url"])):
                raise bot_api_errors.bad_request("BUTTON_URL_INVALID")


def _reply_button(button: Any) -> dict[str, Any]:
    if isinstance(button, str):
        return {"text": button}
    if isinstance(button, dict) and isinstance(button.get("text"), str):
        return button
    raise bot_api_errors.bad_request("can't parse keyboard button: Text must be a String")


def is_inline(markup: dict[str, Any] | None) -> bool:
    return bool(markup) and "inline_keyboard" in (markup or {})


def is_reply_keyboard(markup: dict[str, Any] | None) -> bool:
    return bool(markup) and "keyboard" in (markup or {})


@dataclass(frozen=True)
class InlineButton:
    label: str
    raw: dict[str, Any]
    inline: bool


def buttons(markup: dict[str, Any] | None) -> list[InlineButton]:
    if not markup:
        return []
    if "inline_keyboard" in markup:
        return [InlineButton(b["text"], b, True) for row in markup["inline_keyboard"] for b in row]
    if "keyboard" in markup:
        return [InlineButton(b["text"], b, False) for row in markup["keyboard"] for b in row]
    return []


def inline_for_message(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Only inline keyboards are part of a Message object; reply keyboards are not."""
    return markup if is_inline(markup) else None
