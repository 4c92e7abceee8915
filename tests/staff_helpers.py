"""The staff side in tests: the staff group's two members, waiting for the bot, a report's
card and a forum topic."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.tracking import format_code
from bot.sandbox.emulator import Chat, Emulator, Message, User
from tests.harness import Harness
from tests.steps import texts


@dataclass
class Staff:
    group: Chat
    verifier: User
    officer: User


def staff_of(harness: Harness, emulator: Emulator) -> Staff:
    """Dina, a verifier (an administrator), and Agus, an agency officer, in the staff group."""
    group = emulator.chat(harness.admin_chat_id)
    verifier = emulator.add_user(first_name="Dina", username="dina_verifikator")
    officer = emulator.add_user(first_name="Agus", username="agus_dsdabm")
    emulator.add_group_member(group, verifier, admin=True)
    emulator.add_group_member(group, officer)
    return Staff(group, verifier, officer)


async def settled(emulator: Emulator, settle: float = 0.3) -> None:
    """Wait until the bot has answered everything and been quiet for `settle` seconds."""
    await emulator.wait_idle(settle=settle)


async def last_told(emulator: Emulator, person: User, count: int = 1) -> list[str]:
    """The texts a person was last sent, once everything is delivered."""
    await settled(emulator)
    return texts(emulator.bot_messages(person))[-count:]


def card_of(
    emulator: Emulator, group: Chat, code: int | str, thread_id: int | None = None
) -> Message:
    """The newest card of a report in the group (a bot message with buttons naming it),
    in one topic when `thread_id` is given. `code` is the report's number, or its code as
    shown ("726-4185")."""
    shown = code if isinstance(code, str) else format_code(code)
    cards = [
        m
        for m in emulator.bot_messages(group)
        if shown in (m.text or "")
        and m.button_labels
        and (thread_id is None or m.thread_id == thread_id)
    ]
    assert cards, f"no card for {shown}"
    return cards[-1]


def topic_named(group: Chat, name: str) -> int:
    """The thread id of the group's forum topic of that name (there is exactly one)."""
    [topic] = [t for t in group.topics.values() if t.name == name]
    return topic.thread_id
