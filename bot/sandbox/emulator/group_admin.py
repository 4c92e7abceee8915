"""What a group's owner does to connect a bot: make the group, add the bot, make it an
admin, turn Topics on (which upgrades a basic group to a supergroup with a new id). Each
change tells the bot what Telegram would: a my_chat_member update, the service messages.

The functions take what they need of the emulator (its store, queue and bot), so that they
work on the Emulator and on the World its parts share.
"""

from __future__ import annotations

import itertools
from typing import Any, Protocol

from bot.sandbox.emulator.state import ADMIN_RIGHTS, Chat, Member, User
from bot.sandbox.emulator.store import Store
from bot.sandbox.emulator.updates import UpdateQueue

# Basic groups have short negative ids; a supergroup's start with -100.
_BASIC_IDS = itertools.count(4_000_000_001)


class Telegram(Protocol):
    """What these actions read and change."""

    store: Store
    queue: UpdateQueue
    bot: User


def new_group(
    telegram: Telegram, title: str, owner: User, members: list[User] | None = None, *,
    supergroup: bool = False,
) -> Chat:  # fmt: skip
    """A group made by `owner`, the bot not in it yet: basic, as the apps make them."""
    if supergroup:
        chat = telegram.store.add_supergroup(title, members=members, owner=owner)
    else:
        chat_id = -next(_BASIC_IDS)
        chat = Chat(id=chat_id, type="group", title=title, next_message_id=2)
        telegram.store.chats[chat_id] = chat
        chat.members[owner.id] = Member(owner, "creator", dict.fromkeys(ADMIN_RIGHTS, True))
        for user in members or []:
            telegram.store.add_member(chat, user)
    chat.bot_member = Member(telegram.bot, "left")
    return chat


def add_bot(telegram: Telegram, group: Chat, by: User) -> None:
    """`by` adds the bot to the group as a plain member."""
    _change(telegram, group, by, Member(telegram.bot, "member"))
    service = telegram.store.add_message(
        group,
        from_bot=False,
        sender_id=by.id,
        content={"new_chat_members": [telegram.bot.to_json()]},
    )
    telegram.queue.push("message", service.raw, group.id)


def promote_bot(telegram: Telegram, group: Chat, by: User, **rights: bool) -> None:
    """`by` makes the bot an admin: every right but adding admins, unless told otherwise."""
    granted = dict.fromkeys(ADMIN_RIGHTS, True)
    granted["can_promote_members"] = False
    granted.update(rights)
    _change(telegram, group, by, Member(telegram.bot, "administrator", granted))


def turn_on_topics(telegram: Telegram, group: Chat, by: User) -> Chat:
    """Topics on; a basic group becomes a new supergroup first. The group as it is now."""
    if group.type == "supergroup":
        group.is_forum = True
        return group
    upgraded = telegram.store.add_supergroup(group.title or "", forum=True)
    upgraded.members = dict(group.members)
    upgraded.bot_member = group.bot_member
    group.migrated_to = upgraded.id
    for chat, field, other in (
        (group, "migrate_to_chat_id", upgraded.id),
        (upgraded, "migrate_from_chat_id", group.id),
    ):
        notice = telegram.store.add_message(
            chat, from_bot=False, sender_id=by.id, extra={field: other}
        )
        if chat.bot_member is not None and chat.bot_member.status != "left":
            telegram.queue.push("message", notice.raw, chat.id)
    return upgraded


def _change(telegram: Telegram, group: Chat, by: User, member: Member) -> None:
    before = group.bot_member or Member(telegram.bot, "left")
    group.bot_member = member
    payload: dict[str, Any] = {
        "chat": group.to_json(),
        "from": by.to_json(),
        "date": telegram.store.now_unix(),
        "old_chat_member": before.to_json(),
        "new_chat_member": member.to_json(),
    }
    telegram.queue.push("my_chat_member", payload, group.id)
