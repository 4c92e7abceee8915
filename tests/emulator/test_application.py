"""Scripted people against a real python-telegram-bot Application polling the emulator."""

from __future__ import annotations

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.sandbox.emulator import Emulator, User

from .conftest import AppFactory

Ctx = ContextTypes.DEFAULT_TYPE
KINDS = InlineKeyboardMarkup(
    [[InlineKeyboardButton("Pengaduan", callback_data="kind:complaint"),
      InlineKeyboardButton("Aspirasi", callback_data="kind:aspiration")]]
)  # fmt: skip


async def on_text(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    if message.text == "menu":
        await message.reply_text("Pilih jenis laporan", reply_markup=KINDS)
    elif message.text == "jenis":
        markup = ReplyKeyboardMarkup(
            [["Pengaduan", "Aspirasi"], [KeyboardButton("Kirim lokasi", request_location=True)]],
            one_time_keyboard=True,
        )
        await message.reply_text("Pilih dari papan tombol", reply_markup=markup)
    elif message.text == "diam":
        return
    else:
        await message.reply_text(f"echo: {message.text}")


async def on_callback(update: Update, context: Ctx) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer(f"dipilih {query.data}")
    await query.edit_message_text(f"Jenis: {query.data}")
    await context.bot.send_message(query.message.chat.id, "Ceritakan laporan Anda")


async def on_media(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None
    if message.photo:
        data = await (await message.photo[-1].get_file()).download_as_bytearray()
        await message.reply_text(f"foto {len(data)} byte: {message.caption}")
    elif message.document:
        doc = message.document
        await message.reply_text(f"dokumen {doc.file_name} {doc.mime_type} {doc.file_size}")
    elif message.voice:
        await message.reply_text(f"suara {message.voice.file_size} byte")
    elif message.location:
        loc = message.location
        await message.reply_text(f"lokasi {loc.latitude:.4f},{loc.longitude:.4f}")


async def on_edit(update: Update, context: Ctx) -> None:
    message = update.edited_message
    assert message is not None
    await message.reply_text(f"diubah: {message.text}")


def citizen_bot(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(on_callback))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit))
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    media = filters.PHOTO | filters.Document.ALL | filters.VOICE | filters.LOCATION
    app.add_handler(MessageHandler(media, on_media))


async def test_say_and_inline_press_round_trip(
    emu: Emulator, alice: User, running_app: AppFactory
) -> None:
    await running_app(citizen_bot)
    replies = await alice.say("halo")
    assert [m.text for m in replies] == ["echo: halo"]
    menu = (await alice.say("menu"))[0]
    assert menu.button_labels == ["Pengaduan", "Aspirasi"]
    assert menu.callback_data["Aspirasi"] == "kind:aspiration"
    after_press = await alice.press("Aspirasi")
    assert [m.text for m in after_press] == ["Ceritakan laporan Anda"]
    assert emu.message(alice, menu.message_id).text == "Jenis: kind:aspiration"
    assert emu.message(alice, menu.message_id).reply_markup is None
    answer = emu.callback_answers[-1]
    assert (answer.user_id, answer.text) == (alice.id, "dipilih kind:aspiration")
    assert emu.presses[-1].callback_data == "kind:aspiration"
    history = [(m.from_bot, m.body) for m in emu.history(alice)]
    assert history[:2] == [(False, "halo"), (True, "echo: halo")]
    assert alice.last_bot_message().text == "Ceritakan laporan Anda"


async def test_reply_keyboard_press_sends_the_label(
    emu: Emulator, alice: User, running_app: AppFactory
) -> None:
    await running_app(citizen_bot)
    await alice.say("jenis")
    replies = await alice.press("Pengaduan")
    assert [m.text for m in replies] == ["echo: Pengaduan"]
    assert emu.history(alice)[-2].text == "Pengaduan" and not emu.history(alice)[-2].from_bot
    assert emu.chat(alice).reply_keyboard is None  # one_time_keyboard hides after use
    with pytest.raises(LookupError, match="no keyboard is shown"):
        await alice.press("Aspirasi")
    await alice.say("jenis")
    located = await alice.press("Kirim lokasi")
    assert [m.text for m in located] == ["lokasi -6.9175,107.6191"]
    await alice.say("menu")
    with pytest.raises(LookupError, match=r"'Pengaduan', 'Aspirasi'"):
        await alice.press("Tidak ada")


async def test_media_and_location_reach_the_handlers(
    emu: Emulator, alice: User, running_app: AppFactory
) -> None:
    await running_app(citizen_bot)
    photo = await alice.send_photo(caption="jalan berlubang", size=120_000)
    assert [m.text for m in photo] == ["foto 120000 byte: jalan berlubang"]
    doc = await alice.send_document(file_name="surat.pdf", mime_type="application/pdf", size=50_000)
    assert [m.text for m in doc] == ["dokumen surat.pdf application/pdf 50000"]
    voice = await alice.send_voice(duration=12, size=30_000)
    assert [m.text for m in voice] == ["suara 30000 byte"]
    location = await alice.send_location(latitude=-6.9175, longitude=107.6191)
    assert [m.text for m in location] == ["lokasi -6.9175,107.6191"]
    sent_voice = next(m for m in emu.history(alice) if m.media == "voice")
    assert sent_voice.raw["voice"]["duration"] == 12


async def test_edited_message_is_delivered(
    emu: Emulator, alice: User, running_app: AppFactory
) -> None:
    await running_app(citizen_bot)
    await alice.say("alamat: Jl. Asia Afrika")
    mine = emu.history(alice)[0]
    replies = await alice.edit_message(mine.message_id, "alamat: Jl. Braga", expect=1)
    assert [m.text for m in replies] == ["diubah: alamat: Jl. Braga"]
    assert mine.edited and mine.text == "alamat: Jl. Braga"


async def test_timeout_explains_what_the_chat_saw(
    emu: Emulator, alice: User, running_app: AppFactory
) -> None:
    await running_app(citizen_bot)
    await alice.say("halo")
    with pytest.raises(TimeoutError) as caught:
        await alice.say("diam", timeout=0.4)
    report = str(caught.value)
    assert "Siti said 'diam': expected 1 new bot message(s)" in report
    assert "was delivered to the bot" in report
    assert "'echo: halo'" in report and "sendMessage -> 200" in report
    assert await alice.say("diam", expect=0) == []
    await emu.wait_idle()


async def test_timeout_when_nobody_polls(emu: Emulator, alice: User) -> None:
    with pytest.raises(TimeoutError, match="never fetched by the bot \\(never polled\\)"):
        await alice.say("halo", timeout=0.2)
    with pytest.raises(TimeoutError, match="1 update\\(s\\) never fetched"):
        await emu.wait_idle(timeout=0.2)


async def group_bot_handler(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None
    if message.reply_to_message and message.reply_to_message.from_user:
        replied = message.reply_to_message.from_user.is_bot
        await message.reply_text(f"balasan untuk kartu: {replied} di {message.message_thread_id}")


def group_bot(app: Application) -> None:
    app.add_handler(MessageHandler(filters.ChatType.SUPERGROUP & filters.TEXT, group_bot_handler))


async def test_staff_reply_in_a_forum_topic(
    emu: Emulator, bot_user_pair: tuple[User, User], running_app: AppFactory
) -> None:
    alice, bob = bot_user_pair
    group = emu.add_supergroup("Staf Pengaduan", forum=True, members=[alice, bob], admins=[bob])
    topic = emu.create_topic(group, "Verifikasi")
    app = await running_app(group_bot)
    card = await app.bot.send_message(group.id, "Kartu LPR-1", message_thread_id=topic)
    assert card.is_topic_message and card.message_thread_id == topic
    replies = await bob.say_in(group, "sudah dicek", reply_to=card.message_id)
    assert [m.text for m in replies] == [f"balasan untuk kartu: True di {topic}"]
    assert replies[0].thread_id == topic
    assert [m.body for m in emu.history(group, thread_id=topic)][-3:] == [
        "Kartu LPR-1", "sudah dicek", f"balasan untuk kartu: True di {topic}",
    ]  # fmt: skip


@pytest.fixture
def bot_user_pair(emu: Emulator, alice: User) -> tuple[User, User]:
    return alice, emu.add_user("Bambang", username="bambang_staf")
