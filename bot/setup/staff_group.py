"""Finding the staff group the operator added the bot to, and what it still lacks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from telegram import Bot, ChatFullInfo, ChatMember, ChatMemberAdministrator, Update, User
from telegram.constants import ChatType

from bot.language.i18n import Msg
from bot.transport.polling import ALLOWED_UPDATES

GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
# What setup reads while it waits: what `run` reads, and the bot's own membership changes.
# Asking for a type `run` does not read would make Telegram drop those updates meanwhile.
SETUP_UPDATES = (*ALLOWED_UPDATES, "my_chat_member")
# The admin rights the bot uses in the staff group, with the catalogue key of the name
# Telegram's apps give each. Creating the topics needs can_manage_topics; the bot neither
# deletes nor pins messages today (add can_delete_messages or can_pin_messages here when
# it does, with their names).
RIGHTS = {"can_manage_topics": "setup.right.manage_topics"}
# While an update `run` must handle stays unconfirmed, look again after this long.
HELD_PAUSE = 2.0


@dataclass(frozen=True)
class Problem:
    """Something the operator must change in Telegram: a catalogue key and its values."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


def group_in(update: Update) -> int | None:
    """The group an update shows the bot in: it was added there, or was written to there."""
    joined = update.my_chat_member
    if joined is not None:
        inside = joined.new_chat_member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR)
        return joined.chat.id if inside and joined.chat.type in GROUPS else None
    message = update.message
    if message is not None and message.chat.type in GROUPS:
        return message.chat.id
    return None


def setup_may_take(update: Update) -> bool:
    """Updates about groups are setup's to confirm; a citizen's are left for `run`."""
    if update.my_chat_member is not None:
        return True
    message = update.message
    return message is not None and message.chat.type in GROUPS


async def wait_for_group(bot: Bot, poll_seconds: int) -> int:
    """The id of the first group the bot is added to (or written to in), waiting for it.

    Updates about groups before the first that is not are confirmed; a citizen's message
    that came meanwhile, and all after it, stay for `run` (Telegram confirms by offset).
    """
    offset: int | None = None
    while True:
        updates = await bot.get_updates(
            offset=offset, timeout=poll_seconds, allowed_updates=SETUP_UPDATES
        )
        held = False
        for update in updates:
            taken = setup_may_take(update)
            held = held or not taken
            if not held:
                offset = update.update_id + 1
            found = group_in(update) if taken else None
            if found is not None:
                if offset is not None:
                    # Confirms what setup took; the rest stays as it is.
                    await bot.get_updates(offset=offset, limit=1, timeout=0)
                return found
        if held:
            # getUpdates answers at once while anything is unconfirmed.
            await asyncio.sleep(HELD_PAUSE)


def problems(chat: ChatFullInfo, member: ChatMember, me: User) -> list[Problem]:
    """What the staff group lacks: a supergroup with Topics, the bot an admin with its rights."""
    found: list[Problem] = []
    names: dict[str, object] = {
        "title": chat.title or str(chat.id),
        "username": me.username or me.first_name,
    }
    if chat.type != ChatType.SUPERGROUP:
        found.append(Problem("setup.problem.basic_group", names))
    elif not chat.is_forum:
        found.append(Problem("setup.problem.no_topics", names))
    if member.status in (ChatMember.LEFT, ChatMember.BANNED):
        found.append(Problem("setup.problem.not_in_group", names))
    elif not isinstance(member, ChatMemberAdministrator):
        found.append(Problem("setup.problem.not_admin", names))
    else:
        found.extend(
            Problem("setup.problem.missing_right", {**names, "right": Msg(key)})
            for right, key in RIGHTS.items()
            if not getattr(member, right, False)
        )
    return found
