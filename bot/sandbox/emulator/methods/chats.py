"""Chats, members and forum topics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator import bot_api_errors, by_hand
from bot.sandbox.emulator.methods.outbound import check_reachable, target_chat
from bot.sandbox.emulator.methods.registry import api_method
from bot.sandbox.emulator.params import Params
from bot.sandbox.emulator.state import Chat, ForumTopic

if TYPE_CHECKING:
    from bot.sandbox.emulator.world import World

MAX_TOPIC_NAME = 128


@api_method("getChat")
async def get_chat(world: World, p: Params) -> Any:
    return target_chat(world, p).full_json()


@api_method("getChatMember")
async def get_chat_member(world: World, p: Params) -> Any:
    chat = target_chat(world, p)
    user_id = p.get_int("user_id")
    if user_id is None or user_id not in world.store.users:
        raise bot_api_errors.bad_request(bot_api_errors.USER_NOT_FOUND)
    if chat.type == "private" and user_id not in (chat.id, world.bot.id):
        raise bot_api_errors.bad_request(bot_api_errors.USER_NOT_FOUND)
    return world.store.member(chat, user_id).to_json()


@api_method("getChatAdministrators")
async def get_chat_administrators(world: World, p: Params) -> Any:
    chat = target_chat(world, p)
    if chat.type == "private":
        raise bot_api_errors.bad_request("there are no administrators in the private chat")
    admins = [m for m in chat.members.values() if m.status in ("creator", "administrator")]
    if chat.bot_member is not None and chat.bot_member.status == "administrator":
        admins.append(chat.bot_member)
    return [m.to_json() for m in admins]


@api_method("getChatMemberCount", "getChatMembersCount")
async def get_chat_member_count(world: World, p: Params) -> Any:
    chat = target_chat(world, p)
    if chat.type == "private":
        return 2
    bot_in = chat.bot_member is not None and chat.bot_member.status not in ("left", "kicked")
    present = [m for m in chat.members.values() if m.status not in ("left", "kicked")]
    return len(present) + int(bot_in)


@api_method("leaveChat")
async def leave_chat(world: World, p: Params) -> Any:
    chat = target_chat(world, p)
    if chat.type == "private":
        raise bot_api_errors.bad_request("chat member status can't be changed in private chats")
    if chat.bot_member is not None:
        chat.bot_member.status = "left"
    return True


@api_method(
    "pinChatMessage", "unpinChatMessage", "unpinAllChatMessages", "setMessageReaction",
    "setChatTitle", "setChatDescription", "unpinAllForumTopicMessages",
)  # fmt: skip
async def accept_chat_change(world: World, p: Params) -> Any:
    chat = target_chat(world, p)
    check_reachable(chat)
    return True


def _forum(world: World, p: Params, right: str, no_rights: str) -> Chat:
    chat = target_chat(world, p)
    check_reachable(chat)
    if chat.type == "private" or not chat.is_forum:
        raise bot_api_errors.bad_request(bot_api_errors.NOT_A_FORUM)
    member = chat.bot_member
    if member is None or member.status != "administrator" or not member.rights.get(right):
        raise bot_api_errors.bad_request(no_rights)
    return chat


def _topic(chat: Chat, p: Params) -> ForumTopic:
    thread_id = p.get_int("message_thread_id")
    topic = chat.live_topic(thread_id) if thread_id is not None else None
    if topic is None:
        raise bot_api_errors.bad_request(bot_api_errors.TOPIC_ID_INVALID)
    return topic


def _topic_name(p: Params) -> str:
    name = (p.get_str("name") or "").strip()
    if not name:
        raise bot_api_errors.bad_request(bot_api_errors.TOPIC_NAME_EMPTY)
    if len(name) > MAX_TOPIC_NAME:
        raise bot_api_errors.bad_request("TOPIC_TITLE_TOO_LONG")
    return name


@api_method("createForumTopic")
async def create_forum_topic(world: World, p: Params) -> Any:
    chat = _forum(world, p, "can_manage_topics", bot_api_errors.NO_TOPIC_RIGHTS)
    name = _topic_name(p)
    topic, _service = world.store.create_topic(
        chat, name, world.bot, p.get_int("icon_color"), p.get_str("icon_custom_emoji_id")
    )
    return topic.to_json()


@api_method("editForumTopic")
async def edit_forum_topic(world: World, p: Params) -> Any:
    chat = _forum(world, p, "can_manage_topics", bot_api_errors.NO_TOPIC_EDIT_RIGHTS)
    topic = _topic(chat, p)
    name = _topic_name(p) if p.has("name") else topic.name
    emoji = p.get_str("icon_custom_emoji_id", topic.icon_custom_emoji_id)
    if name == topic.name and emoji == topic.icon_custom_emoji_id:
        raise bot_api_errors.bad_request(bot_api_errors.TOPIC_NOT_MODIFIED)
    topic.name, topic.icon_custom_emoji_id = name, emoji
    world.store.add_message(
        chat,
        from_bot=True,
        sender_id=world.bot.id,
        thread_id=topic.thread_id,
        content={"forum_topic_edited": {"name": name}},
    )
    return True


@api_method("deleteForumTopic")
async def delete_forum_topic(world: World, p: Params) -> Any:
    chat = _forum(world, p, "can_delete_messages", bot_api_errors.NO_TOPIC_DELETE_RIGHTS)
    topic = _topic(chat, p)
    by_hand.delete_topic(chat, topic.thread_id)
    return True


def _set_closed(world: World, p: Params, closed: bool) -> bool:
    chat = _forum(world, p, "can_manage_topics", bot_api_errors.NO_TOPIC_EDIT_RIGHTS)
    topic = _topic(chat, p)
    if topic.closed == closed:
        raise bot_api_errors.bad_request(bot_api_errors.TOPIC_NOT_MODIFIED)
    topic.closed = closed
    return True


@api_method("closeForumTopic")
async def close_forum_topic(world: World, p: Params) -> Any:
    return _set_closed(world, p, True)


@api_method("reopenForumTopic")
async def reopen_forum_topic(world: World, p: Params) -> Any:
    return _set_closed(world, p, False)
