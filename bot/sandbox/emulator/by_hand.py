"""What people do in Telegram's apps that is no message to the bot: block it, kick it,
make or delete a topic, delete a message. Each tells the bot what Telegram would, which
is sometimes nothing."""

from __future__ import annotations

from typing import Any

from bot.sandbox.emulator.state import Chat, User
from bot.sandbox.emulator.world import World


def create_topic(
    world: World,
    group: Chat,
    name: str,
    by: User | None = None,
    *,
    icon_color: int | None = None,
    notify: bool = True,
) -> int:
    """Creates a topic as a person would; the bot sees the service message if it may."""
    if not group.is_forum:
        raise ValueError(f"{group.title!r} is not a forum")
    creator = by or group_human(group)
    topic, service = world.store.create_topic(group, name, creator, icon_color)
    if notify:
        world.queue.push("message", service.raw, group.id)
    return topic.thread_id


def delete_topic(group: Chat, topic_id: int) -> None:
    """A topic deleted by hand: its messages go with it and Telegram tells the bot nothing."""
    topic = group.topics.get(topic_id)
    if topic is None:
        raise KeyError(f"no topic {topic_id} in {group.title!r}")
    topic.deleted = True
    for msg in group.messages.values():
        if msg.thread_id == topic_id:
            msg.deleted = True
    group.revision += 1


def delete_message(world: World, group: Chat, message_id: int) -> None:
    """A member deletes a message in a group; Telegram tells the bot nothing."""
    msg = world.store.find(group, message_id)
    if msg is None:
        raise KeyError(f"no message {message_id} in {group.title!r}")
    msg.deleted = True
    group.revision += 1


def group_human(group: Chat) -> User:
    """The member who acts when a test names none: the owner first, then an admin."""
    ranked = sorted(
        group.members.values(),
        key=lambda m: {"creator": 0, "administrator": 1}.get(m.status, 2),
    )
    if not ranked:
        raise ValueError(f"{group.title!r} has no members to act")
    return ranked[0].user


def block_bot(world: World, user: User) -> None:
    if not user.blocked:
        user.blocked = True
        _my_chat_member(world, user, "member", "kicked")


def unblock_bot(world: World, user: User) -> None:
    if user.blocked:
        user.blocked = False
        _my_chat_member(world, user, "kicked", "member")


def kick_bot(world: World, group: Chat, by: User | None = None) -> None:
    if group.bot_member is None:
        return
    old = group.bot_member.status
    group.bot_member.status = "kicked"
    actor = by or group_human(group)
    _push_my_chat_member(world, group, actor, old, "kicked")


def _my_chat_member(world: World, user: User, old: str, new: str) -> None:
    _push_my_chat_member(world, world.store.private_chat(user), user, old, new)


def _push_my_chat_member(world: World, chat: Chat, actor: User, old: str, new: str) -> None:
    def member(status: str) -> dict[str, Any]:
        data: dict[str, Any] = {"user": world.bot.to_json(), "status": status}
        if status == "kicked":
            data["until_date"] = 0
        return data

    payload = {
        "chat": chat.to_json(),
        "from": actor.to_json(),
        "date": world.store.now_unix(),
        "old_chat_member": member(old),
        "new_chat_member": member(new),
    }
    world.queue.push("my_chat_member", payload, chat.id)
