"""Supergroups and forum topics: rights, thread errors, members, privacy mode."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from bot.sandbox.emulator import Chat, Emulator, User


@pytest.fixture
def bob(emu: Emulator) -> User:
    return emu.add_user("Bambang", username="bambang_staf")


@pytest.fixture
def staff(emu: Emulator, alice: User, bob: User) -> Chat:
    return emu.add_supergroup("Staf Pengaduan", forum=True, members=[alice, bob], admins=[bob])


async def test_topics_and_thread_not_found_after_deletion(
    emu: Emulator, bot: Bot, staff: Chat
) -> None:
    topic = await bot.create_forum_topic(staff.id, "Dinas PU")
    assert topic.name == "Dinas PU" and topic.message_thread_id > 1
    thread = topic.message_thread_id
    card = await bot.send_message(staff.id, "Kartu LPR-7", message_thread_id=thread)
    assert card.is_topic_message and card.message_thread_id == thread
    assert staff.id < -1_000_000_000_000
    general = await bot.send_message(staff.id, "Umum", message_thread_id=1)
    assert general.message_thread_id is None
    by_hand = emu.create_topic(staff, "Verifikasi")
    emu.delete_topic(staff, by_hand)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(staff.id, "ke topik yang hilang", message_thread_id=by_hand)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(staff.id, "tidak ada", message_thread_id=987654)
    assert await bot.delete_forum_topic(staff.id, topic.message_thread_id)
    assert emu.history(staff, thread_id=topic.message_thread_id) == []
    assert [m.text for m in emu.bot_messages(staff)] == ["Umum"]


async def test_topic_rights_and_forum_checks(emu: Emulator, bot: Bot, staff: Chat) -> None:
    plain = emu.add_supergroup("Bukan forum")
    with pytest.raises(BadRequest, match="The chat is not a forum"):
        await bot.create_forum_topic(plain.id, "X")
    emu.set_bot_rights(staff, can_manage_topics=False)
    with pytest.raises(BadRequest, match="Not enough rights to create a topic"):
        await bot.create_forum_topic(staff.id, "X")
    emu.set_bot_rights(staff, can_manage_topics=True)
    topic = await bot.create_forum_topic(staff.id, "Kesehatan")
    with pytest.raises(BadRequest, match="Topic_not_modified"):
        await bot.edit_forum_topic(staff.id, topic.message_thread_id, name="Kesehatan")
    assert await bot.edit_forum_topic(staff.id, topic.message_thread_id, name="Dinkes")
    assert staff.topics[topic.message_thread_id].name == "Dinkes"


async def test_members_and_administrators(
    emu: Emulator, bot: Bot, staff: Chat, alice: User, bob: User
) -> None:
    admin = await bot.get_chat_member(staff.id, bob.id)
    assert admin.status == "administrator"
    assert admin.can_manage_topics is True  # type: ignore[attr-defined]
    me = await bot.get_chat_member(staff.id, emu.bot.id)
    assert me.status == "administrator" and me.can_manage_topics  # type: ignore[attr-defined]
    assert (await bot.get_chat_member(staff.id, alice.id)).status == "member"
    outsider = emu.add_user("Orang luar")
    assert (await bot.get_chat_member(staff.id, outsider.id)).status == "left"
    admins = await bot.get_chat_administrators(staff.id)
    assert {a.user.id for a in admins} == {bob.id, emu.bot.id}
    chat = await bot.get_chat(staff.id)
    assert (chat.type, chat.title, chat.is_forum) == ("supergroup", "Staf Pengaduan", True)
    assert await bot.get_chat_member_count(staff.id) == 3


async def test_privacy_mode_when_the_bot_is_not_admin(
    emu: Emulator, bot: Bot, alice: User, bob: User
) -> None:
    group = emu.add_supergroup("Warga", members=[alice, bob], bot_admin=False)
    card = await bot.send_message(group.id, "Kartu")
    assert emu.script.act_say(bob, "obrolan biasa", chat=group).update is None
    assert emu.script.act_say(bob, "/lapor@other_bot", chat=group).update is None
    seen = [
        emu.script.act_say(bob, "/lapor@lapor_test_bot", chat=group).update,
        emu.script.act_say(bob, "balas", chat=group, reply_to=card.message_id).update,
        emu.script.act_say(bob, "hai @lapor_test_bot", chat=group).update,
    ]
    assert all(u is not None and u.kind == "message" for u in seen)
    assert len(emu.pending_updates) == 3
    commands = emu.pending_updates[0].payload["entities"]
    assert commands == [{"type": "bot_command", "offset": 0, "length": 21}]


async def test_press_in_group_and_kicked_bot(
    emu: Emulator, bot: Bot, staff: Chat, bob: User
) -> None:
    topic = emu.create_topic(staff, "Verifikasi", notify=False)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Teruskan", callback_data="fwd:1")]])
    card = await bot.send_message(staff.id, "Kartu", message_thread_id=topic, reply_markup=markup)
    emu.script.act_press(bob, "Teruskan", chat=staff, message_id=card.message_id)
    update = emu.pending_updates[-1]
    assert update.kind == "callback_query"
    assert update.payload["data"] == "fwd:1"
    assert update.payload["message"]["message_thread_id"] == topic
    assert update.payload["from"]["id"] == bob.id
    emu.kick_bot(staff)
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(staff.id, "halo")
    assert emu.pending_updates[-1].kind == "my_chat_member"
