"""What every send shares: finding the chat, Telegram's checks in Telegram's order, storing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator import bot_api_errors
from bot.sandbox.emulator.entities import EntityParseError, ParsedText, detect_entities
from bot.sandbox.emulator.flood_control import Send
from bot.sandbox.emulator.markup import is_reply_keyboard, validate
from bot.sandbox.emulator.params import Params
from bot.sandbox.emulator.parse_modes import UnsupportedParseMode, check_parse_mode, parse
from bot.sandbox.emulator.state import JSON, Chat, Message

if TYPE_CHECKING:
    from bot.sandbox.emulator.world import World

MAX_TEXT = 4096
MAX_CAPTION = 1024


def target_chat(world: World, p: Params, name: str = "chat_id") -> Chat:
    value = p.get(name)
    if value is None or value == "":
        raise bot_api_errors.bad_request(f"{name} is empty")
    chat = world.store.resolve_chat(value)
    if chat is None:
        raise bot_api_errors.bad_request(bot_api_errors.CHAT_NOT_FOUND)
    if chat.migrated_to is not None:
        raise bot_api_errors.BotApiError(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": chat.migrated_to},
        )
    return chat


def check_reachable(chat: Chat) -> None:
    """The 403s: blocked, deactivated, never started, bot not in the group."""
    if chat.type == "private":
        user = chat.user
        if user is None:
            raise bot_api_errors.bad_request(bot_api_errors.CHAT_NOT_FOUND)
        if user.deactivated:
            raise bot_api_errors.forbidden(bot_api_errors.USER_DEACTIVATED)
        if user.blocked:
            raise bot_api_errors.forbidden(bot_api_errors.BOT_BLOCKED)
        if not user.started:
            raise bot_api_errors.forbidden(bot_api_errors.CANT_INITIATE)
        return
    member = chat.bot_member
    if member is None or member.status == "left":
        raise bot_api_errors.forbidden(bot_api_errors.BOT_NOT_MEMBER)
    if member.status == "kicked":
        raise bot_api_errors.forbidden(bot_api_errors.BOT_KICKED_GROUP)


def resolve_thread(chat: Chat, p: Params) -> int | None:
    thread = p.get_int("message_thread_id")
    if thread is None:
        return None
    if chat.is_forum:
        if thread == 1:  # the General topic has no thread id on its messages
            return None
        if chat.live_topic(thread) is None:
            raise bot_api_errors.bad_request(bot_api_errors.THREAD_NOT_FOUND)
        return thread
    if thread not in chat.messages:
        raise bot_api_errors.bad_request(bot_api_errors.THREAD_NOT_FOUND)
    return None


def resolve_reply(
    world: World, chat: Chat, p: Params, thread: int | None
) -> tuple[int | None, int | None]:
    """Returns (reply_to_message_id, thread) honouring reply_parameters and the legacy field."""
    allow_missing = p.get_bool("allow_sending_without_reply")
    target_id: int | None = None
    params = p.get_json("reply_parameters")
    if isinstance(params, dict):
        allow_missing = allow_missing or bool(params.get("allow_sending_without_reply"))
        if params.get("message_id") is not None:
            target_id = int(params["message_id"])
        other = params.get("chat_id")
        if other is not None and world.store.resolve_chat(other) is not chat:
            source = world.store.resolve_chat(other)
            if source is None or world.store.find(source, target_id or 0) is None:
                if allow_missing:
                    return None, thread
                raise bot_api_errors.bad_request(bot_api_errors.REPLY_NOT_FOUND)
            return None, thread
    elif p.has("reply_to_message_id"):
        target_id = p.get_int("reply_to_message_id")
    if target_id is None:
        return None, thread
    target = world.store.find(chat, target_id)
    if target is None:
        if allow_missing:
            return None, thread
        raise bot_api_errors.bad_request(bot_api_errors.REPLY_NOT_FOUND)
    if chat.is_forum and thread is None and target.thread_id is not None:
        thread = target.thread_id
    return target_id, thread


def formatted(
    p: Params,
    *,
    text_field: str,
    entities_field: str,
    limit: int,
    empty_error: str | None,
    too_long_error: str,
) -> ParsedText | None:
    """Parses text or caption per parse_mode; None for an absent optional caption."""
    raw = p.get_str(text_field)
    if raw is None or raw == "":
        if empty_error is not None:
            raise bot_api_errors.bad_request(empty_error)
        return None
    explicit = p.get_json(entities_field)
    parse_mode = p.get_str("parse_mode")
    if isinstance(explicit, list):
        parsed = ParsedText(raw, [e for e in explicit if isinstance(e, dict)])
    else:
        try:
            check_parse_mode(parse_mode)
            parsed = parse(raw, parse_mode)
        except UnsupportedParseMode:
            raise bot_api_errors.bad_request("unsupported parse_mode") from None
        except EntityParseError as exc:
            raise bot_api_errors.bad_request(bot_api_errors.CANT_PARSE + str(exc)) from None
    if not parsed.text.strip():
        if empty_error is not None:
            raise bot_api_errors.bad_request(empty_error)
        return None
    if len(parsed.text) > limit:
        raise bot_api_errors.bad_request(too_long_error)
    parsed.entities = detect_entities(parsed.text, parsed.entities)
    return parsed


def text_of(p: Params) -> ParsedText:
    parsed = formatted(
        p,
        text_field="text",
        entities_field="entities",
        limit=MAX_TEXT,
        empty_error=bot_api_errors.TEXT_EMPTY,
        too_long_error=bot_api_errors.TEXT_TOO_LONG,
    )
    assert parsed is not None  # empty text raised above
    return parsed


def caption_of(p: Params) -> ParsedText | None:
    return formatted(
        p,
        text_field="caption",
        entities_field="caption_entities",
        limit=MAX_CAPTION,
        empty_error=None,
        too_long_error=bot_api_errors.CAPTION_TOO_LONG,
    )


def link_preview_disabled(p: Params) -> bool:
    options = p.get_json("link_preview_options")
    if isinstance(options, dict) and options.get("is_disabled"):
        return True
    return p.get_bool("disable_web_page_preview")


@dataclass
class PendingMessage:
    """A validated message about to be stored."""

    chat: Chat
    method: str
    thread_id: int | None = None
    reply_to: int | None = None
    text: ParsedText | None = None
    caption: ParsedText | None = None
    media: str | None = None
    file_id: str | None = None
    content: JSON = field(default_factory=dict)
    extra: JSON = field(default_factory=dict)
    reply_markup: JSON | None = None
    parse_mode: str | None = None
    link_preview_disabled: bool = False
    source: str | None = None


def prepare(world: World, p: Params, method: str) -> PendingMessage:
    """Chat, reachability, topic, reply and markup checks common to every send."""
    chat = target_chat(world, p)
    check_reachable(chat)
    thread = resolve_thread(chat, p)
    reply_to, thread = resolve_reply(world, chat, p, thread)
    markup = validate(p.get_json("reply_markup"))
    out = PendingMessage(chat, method, thread, reply_to, reply_markup=markup)
    out.parse_mode = p.get_str("parse_mode")
    extra: JSON = {}
    if p.get_bool("protect_content"):
        extra["has_protected_content"] = True
    out.extra = extra
    return out


def commit(world: World, out: PendingMessage, rate_limited: bool = True) -> Message:
    """Rate-limits, then stores the bot's message and tracks the chat's reply keyboard."""
    chat = out.chat
    if rate_limited:
        world.limiter.acquire(chat.id, chat.type != "private")
    body = out.text or out.caption
    msg = world.store.add_message(
        chat,
        from_bot=True,
        sender_id=world.bot.id,
        thread_id=out.thread_id,
        reply_to=out.reply_to,
        text=out.text.text if out.text else None,
        caption=out.caption.text if out.caption else None,
        entities=body.entities if body else None,
        media=out.media,
        file_id=out.file_id,
        content=out.content,
        extra=out.extra,
        reply_markup=out.reply_markup,
        parse_mode=out.parse_mode,
        link_preview_disabled=out.link_preview_disabled,
        source=out.source,
    )
    if rate_limited:
        world.send_log.record(Send(world.clock(), chat.id, out.method))
    world.timing.sent(chat.id)
    track_keyboard(chat, msg)
    return msg


def track_keyboard(chat: Chat, msg: Message) -> None:
    markup = msg.reply_markup
    if is_reply_keyboard(markup):
        chat.reply_keyboard = markup
        chat.reply_keyboard_message_id = msg.message_id
    elif markup and markup.get("remove_keyboard"):
        chat.reply_keyboard = None
        chat.reply_keyboard_message_id = None


def require(p: Params, name: str) -> Any:
    value = p.get(name)
    if value is None or value == "":
        raise bot_api_errors.bad_request(f"{name} is empty")
    return value
