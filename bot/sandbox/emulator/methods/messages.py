"""Text and non-file messages: send, edit, delete, copy, forward, chat actions, callbacks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator import bot_api_errors
from bot.sandbox.emulator.entities import ParsedText
from bot.sandbox.emulator.flood_control import Send
from bot.sandbox.emulator.markup import inline_for_message, is_inline, validate
from bot.sandbox.emulator.methods.outbound import (
    caption_of,
    check_reachable,
    commit,
    link_preview_disabled,
    prepare,
    require,
    target_chat,
    text_of,
)
from bot.sandbox.emulator.methods.registry import api_method
from bot.sandbox.emulator.params import Params
from bot.sandbox.emulator.state import CallbackAnswer, Chat, Message

if TYPE_CHECKING:
    from bot.sandbox.emulator.world import World

FILE_MEDIA = frozenset(
    {"photo", "document", "voice", "audio", "video", "animation", "video_note", "sticker"}
)
CAPTIONED_MEDIA = FILE_MEDIA - {"sticker", "video_note"}
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip


@api_method("sendMessage")
async def send_message(world: World, p: Params) -> Any:
    out = prepare(world, p, "sendMessage")
    out.text = text_of(p)
    out.source = p.get_str("text")
    out.link_preview_disabled = link_preview_disabled(p)
    options = p.get_json("link_preview_options")
    if isinstance(options, dict):
        out.extra["link_preview_options"] = options
    return commit(world, out).raw


@api_method("sendLocation")
async def send_location(world: World, p: Params) -> Any:
    latitude, longitude = p.get_float("latitude"), p.get_float("longitude")
    if latitude is None or longitude is None:
        raise bot_api_errors.bad_request("wrong latitude or longitude specified")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bot_api_errors.bad_request("wrong latitude or longitude specified")
    out = prepare(world, p, "sendLocation")
    out.media = "location"
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    if p.has("horizontal_accuracy"):
        location["horizontal_accuracy"] = p.get_float("horizontal_accuracy")
    out.content = {"location": location}
    return commit(world, out).raw


@api_method("sendVenue")
async def send_venue(world: World, p: Params) -> Any:
    latitude, longitude = p.get_float("latitude"), p.get_float("longitude")
    title, address = require(p, "title"), require(p, "address")
    out = prepare(world, p, "sendVenue")
    out.media = "venue"
    location = {"latitude": latitude, "longitude": longitude}
    out.content = {
        "location": location,
        "venue": {"location": location, "title": title, "address": address},
    }
    return commit(world, out).raw


@api_method("sendContact")
async def send_contact(world: World, p: Params) -> Any:
    phone, first = require(p, "phone_number"), require(p, "first_name")
    out = prepare(world, p, "sendContact")
    out.media = "contact"
    contact: dict[str, Any] = {"phone_number": phone, "first_name": first}
    if p.has("last_name"):
        contact["last_name"] = p.get_str("last_name")
    out.content = {"contact": contact}
    return commit(world, out).raw


@api_method("sendPoll")
async def send_poll(world: World, p: Params) -> Any:
    question = require(p, "question")
    options = p.get_json("options")
    if not isinstance(options, list) or not 2 <= len(options) <= 12:
        raise bot_api_errors.bad_request("poll must have at least 2 option")
    out = prepare(world, p, "sendPoll")
    out.media = "poll"
    texts = [o["text"] if isinstance(o, dict) else str(o) for o in options]
    out.content = {
        "poll": {
            "id": f"{out.chat.id}{out.chat.next_message_id}",
            "question": question,
            "options": [{"text": t, "voter_count": 0} for t in texts],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": p.get_bool("is_anonymous", True),
            "type": p.get_str("type", "regular"),
            "allows_multiple_answers": p.get_bool("allows_multiple_answers"),
        }
    }
    return commit(world, out).raw


@api_method("sendDice")
async def send_dice(world: World, p: Params) -> Any:
    out = prepare(world, p, "sendDice")
    out.media = "dice"
    out.content = {"dice": {"emoji": p.get_str("emoji", "🎲"), "value": 4}}
    return commit(world, out).raw


def _own_message(world: World, p: Params, missing: str) -> tuple[Chat, Message]:
    if p.has("inline_message_id"):
        raise bot_api_errors.bad_request("MESSAGE_ID_INVALID")
    chat = target_chat(world, p)
    check_reachable(chat)
    message_id = p.get_int("message_id")
    if message_id is None:
        raise bot_api_errors.bad_request("message identifier is not specified")
    msg = world.store.find(chat, message_id)
    if msg is None:
        raise bot_api_errors.bad_request(missing)
    if not msg.from_bot or _too_old(world, msg):
        raise bot_api_errors.bad_request(bot_api_errors.CANT_BE_EDITED)
    return chat, msg


def _too_old(world: World, msg: Message) -> bool:
    """Past the emulator's edit time limit, when one is set (see World.edit_time_limit)."""
    limit = world.edit_time_limit
    return limit is not None and world.clock() - msg.created_at >= limit


def _edit_markup(p: Params) -> dict[str, Any] | None:
    markup = validate(p.get_json("reply_markup"))
    if markup is not None and not is_inline(markup):
        raise bot_api_errors.bad_request("inline keyboard expected")
    return markup


def _edit_turn(world: World, chat: Chat, method: str) -> None:
    """An edit shares the chat's flood budget with sends (a group's 20 a minute included),
    as Telegram's developers state (tdlib/td#2592); taken before anything changes, so a
    refused edit changes nothing."""
    world.limiter.acquire(chat.id, chat.type != "private")
    world.send_log.record(Send(world.clock(), chat.id, method))


def _apply_edit(world: World, chat: Chat, msg: Message) -> Any:
    msg.edited = True
    msg.edit_date = world.store.now_unix()
    world.store.refresh(chat, msg)
    return msg.raw


@api_method("editMessageText")
async def edit_message_text(world: World, p: Params) -> Any:
    chat, msg = _own_message(world, p, bot_api_errors.EDIT_NOT_FOUND)
    if msg.text is None:
        raise bot_api_errors.bad_request(bot_api_errors.NO_TEXT_TO_EDIT)
    parsed = text_of(p)
    # Omitting reply_markup in an edit removes the inline keyboard, as on Telegram.
    markup = _edit_markup(p)
    if (
        parsed.text == msg.text
        and parsed.entities == msg.entities
        and markup == inline_for_message(msg.reply_markup)
    ):
        raise bot_api_errors.bad_request(bot_api_errors.NOT_MODIFIED)
    _edit_turn(world, chat, "editMessageText")
    msg.text, msg.entities = parsed.text, parsed.entities
    msg.source, msg.parse_mode = p.get_str("text"), p.get_str("parse_mode")
    msg.reply_markup = markup
    msg.link_preview_disabled = link_preview_disabled(p)
    return _apply_edit(world, chat, msg)


@api_method("editMessageCaption")
async def edit_message_caption(world: World, p: Params) -> Any:
    chat, msg = _own_message(world, p, bot_api_errors.EDIT_NOT_FOUND)
    if msg.media not in CAPTIONED_MEDIA:
        raise bot_api_errors.bad_request(bot_api_errors.NO_CAPTION_TO_EDIT)
    parsed = caption_of(p)
    markup = _edit_markup(p)
    new_caption = parsed.text if parsed else None
    new_entities = parsed.entities if parsed else []
    if (
        new_caption == msg.caption
        and new_entities == msg.entities
        and markup == inline_for_message(msg.reply_markup)
    ):
        raise bot_api_errors.bad_request(bot_api_errors.NOT_MODIFIED)
    _edit_turn(world, chat, "editMessageCaption")
    msg.caption, msg.entities = new_caption, new_entities
    msg.source, msg.parse_mode = p.get_str("caption"), p.get_str("parse_mode")
    msg.reply_markup = markup
    return _apply_edit(world, chat, msg)


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(world: World, p: Params) -> Any:
    chat, msg = _own_message(world, p, bot_api_errors.EDIT_NOT_FOUND)
    markup = _edit_markup(p)
    if markup == inline_for_message(msg.reply_markup):
        raise bot_api_errors.bad_request(bot_api_errors.NOT_MODIFIED)
    _edit_turn(world, chat, "editMessageReplyMarkup")
    msg.reply_markup = markup
    return _apply_edit(world, chat, msg)


def _delete(world: World, chat: Chat, message_id: int) -> bool:
    msg = world.store.find(chat, message_id)
    if msg is None:
        return False
    if chat.type != "private" and not msg.from_bot:
        member = chat.bot_member
        if member is None or not member.rights.get("can_delete_messages"):
            raise bot_api_errors.bad_request("message can't be deleted")
    if msg.content.get("forum_topic_created"):
        raise bot_api_errors.bad_request("message can't be deleted")
    msg.deleted = True
    chat.revision += 1
    return True


@api_method("deleteMessage")
async def delete_message(world: World, p: Params) -> Any:
    chat = target_chat(world, p)
    message_id = p.get_int("message_id")
    if message_id is None or not _delete(world, chat, message_id):
        raise bot_api_errors.bad_request(bot_api_errors.DELETE_NOT_FOUND)
    return True


@api_method("deleteMessages")
async def delete_messages(world: World, p: Params) -> Any:
    chat = target_chat(world, p)
    ids = p.get_json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bot_api_errors.bad_request("message_ids is empty")
    for message_id in ids:
        _delete(world, chat, int(message_id))
    return True


def _source_message(world: World, p: Params, missing: str) -> Message:
    source_chat = target_chat(world, p, "from_chat_id")
    message_id = p.get_int("message_id")
    msg = world.store.find(source_chat, message_id) if message_id is not None else None
    if msg is None:
        raise bot_api_errors.bad_request(missing)
    if msg.is_service:
        raise bot_api_errors.bad_request(bot_api_errors.CANT_BE_COPIED)
    return msg


@api_method("copyMessage")
async def copy_message(world: World, p: Params) -> Any:
    source = _source_message(world, p, bot_api_errors.COPY_NOT_FOUND)
    out = prepare(world, p, "copyMessage")
    out.media, out.file_id, out.content = source.media, source.file_id, dict(source.content)
    if source.text is not None:
        out.text = _copied(source.text, source.entities)
    elif p.has("caption"):
        out.caption = caption_of(p)
    elif source.caption is not None:
        out.caption = _copied(source.caption, source.entities)
    return {"message_id": commit(world, out).message_id}


def _copied(text: str, entities: list[dict[str, Any]]) -> ParsedText:
    return ParsedText(text, [dict(e) for e in entities])


@api_method("forwardMessage")
async def forward_message(world: World, p: Params) -> Any:
    source = _source_message(world, p, bot_api_errors.FORWARD_NOT_FOUND)
    out = prepare(world, p, "forwardMessage")
    out.media, out.file_id, out.content = source.media, source.file_id, dict(source.content)
    if source.text is not None:
        out.text = _copied(source.text, source.entities)
    elif source.caption is not None:
        out.caption = _copied(source.caption, source.entities)
    out.reply_to = None
    out.reply_markup = inline_for_message(source.reply_markup)
    sender = world.store.users[source.sender_id]
    out.extra["forward_origin"] = {
        "type": "user",
        "date": source.date,
        "sender_user": sender.to_json(),
    }
    return commit(world, out).raw


@api_method("sendChatAction")
async def send_chat_action(world: World, p: Params) -> Any:
    chat = target_chat(world, p)
    check_reachable(chat)
    action = p.get_str("action")
    if action not in CHAT_ACTIONS:
        raise bot_api_errors.bad_request("wrong parameter action in request")
    world.chat_actions.append((chat.id, action, world.clock()))
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(world: World, p: Params) -> Any:
    query_id = p.get_str("callback_query_id")
    query = world.store.callback_queries.get(query_id or "")
    if query is None or query.answered:
        raise bot_api_errors.bad_request(bot_api_errors.CALLBACK_TOO_OLD)
    text = p.get_str("text")
    if text is not None and len(text) > 200:
        raise bot_api_errors.bad_request(bot_api_errors.CALLBACK_TEXT_TOO_LONG)
    query.answered = True
    world.callback_answers.append(
        CallbackAnswer(
            callback_query_id=query.id,
            user_id=query.user_id,
            text=text,
            show_alert=p.get_bool("show_alert"),
            answered_at=world.clock(),
            url=p.get_str("url"),
        )
    )
    return True
