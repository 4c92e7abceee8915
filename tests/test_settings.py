"""Pengaturan: language, simple mode and spoken replies, reached from the menu and by
pengaturan or /pengaturan, kept per citizen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.language.dates import format_date
from bot.sandbox.emulator import Emulator, Message, User
from storage.models import Reporter
from tests.a11y import assert_accessible
from tests.harness import Harness
from tests.speech_tools import VOICE_STATE, needs_speech
from tests.steps import consent, last, texts

OVERVIEW = (
    f"Pengaturan Anda: Bahasa Indonesia, mode sederhana mati, balasan suara {VOICE_STATE['id']}.\n"
    "1. Bahasa Indonesia\n2. English\n3. Mode sederhana\n4. Balasan suara\n"
    "Apa yang ingin Anda ubah?"
)


async def reporter_of(harness: Harness, user: User) -> Reporter:
    async with harness.services.sessionmaker() as session:
        query = select(Reporter).where(Reporter.telegram_user_id == user.id)
        return (await session.execute(query)).scalar_one()


def keyboard_shown(message: Message) -> bool:
    return bool((message.reply_markup or {}).get("keyboard"))


def voices(emulator: Emulator, user: User) -> list[Message]:
    return [m for m in emulator.bot_messages(user) if m.media == "voice"]


async def test_settings_from_the_menu_by_number_word_and_slash_command(
    harness: Harness, citizen: User
) -> None:
    await consent(citizen)
    assert last(await citizen.say("5")) == OVERVIEW
    await citizen.say("menu")
    assert last(await citizen.say("Pengaturan")) == OVERVIEW
    # From the middle of a report: the draft waits, the settings open.
    await citizen.say("menu")
    await citizen.say("1")
    assert last(await citizen.say("/pengaturan")) == OVERVIEW
    assert last(await citizen.say("PENGATURAN")) == OVERVIEW
    help_replies = await citizen.say("bantuan")
    assert texts(help_replies)[0].startswith("Ketik 1 atau 2 untuk memilih bahasa. Ketik 3")
    assert last(help_replies) == OVERVIEW
    wrong = await citizen.say("7")
    assert texts(wrong)[0].startswith("Jawaban itu belum kami kenali. Ketik nomor 1 sampai 4")
    assert last(wrong) == OVERVIEW
    assert_accessible(harness.emulator.bot_messages(citizen))


async def test_simple_mode_sends_no_keyboards_and_is_kept_per_citizen(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    menu = await consent(citizen)
    assert keyboard_shown(menu[-1]), "by default the menu has shortcut buttons"
    await citizen.say("pengaturan")
    switched = await citizen.say("3")
    assert texts(switched)[0].startswith("Mode sederhana aktif. Kami tidak lagi menampilkan tombol")
    assert (switched[-1].reply_markup or {}).get("remove_keyboard") is True, (
        "the keyboard left from before is taken away"
    )
    assert (await reporter_of(harness, citizen)).simple_mode is True

    await harness.restart()
    since = len(emulator.bot_messages(citizen))
    # A whole report by numbers and words, every choice numbered in the text.
    category = await citizen.say("1")
    assert "1. Pengaduan\n2. Aspirasi\n3. Permintaan informasi" in last(category)
    for answer in ("1", "Jalan di depan SD Negeri 5 berlubang besar sejak dua minggu."):
        replies = await citizen.say(answer)
    assert "\n1. " in last(replies), "categories are numbered"
    for answer in ("1", "Jalan Braga nomor 12", "kemarin", "lewati", "2"):
        replies = await citizen.say(answer)
    assert "\n1. Kirim\n2. Ubah\n3. Batal\n" in last(replies)
    sent = await citizen.say("1")
    assert "Laporan terkirim dengan kode" in texts(sent)[0]
    after = emulator.bot_messages(citizen)[since:]
    assert not any(keyboard_shown(message) for message in after)
    assert_accessible(after)

    other = emulator.add_user(first_name="Budi")
    assert keyboard_shown((await consent(other))[-1]), "another citizen keeps the buttons"

    await citizen.say("pengaturan")
    back = await citizen.say("mode sederhana")
    assert texts(back)[0].startswith("Mode sederhana mati.")
    assert keyboard_shown(back[-1])
    assert (await reporter_of(harness, citizen)).simple_mode is False


async def test_simple_mode_numbers_every_shortcut_and_a_report_is_filed_by_numbers_alone(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    await consent(citizen)
    await citizen.say("pengaturan")
    await citizen.say("3")
    since = len(emulator.bot_messages(citizen))
    today = harness.services.clock().astimezone(harness.services.settings.timezone).date()
    yesterday = format_date(today - timedelta(days=1), "id")
    for answer in ("1", "1", "Jalan di depan SD Negeri 5 berlubang besar sejak dua minggu."):
        await citizen.say(answer)
    location = last(await citizen.say("1"))
    assert location.startswith("Langkah 4 dari 8.")
    assert location.endswith("\n1. Lewati\nDi mana tempatnya?")
    date = last(await citizen.say("1"))  # no address
    assert "\n1. Hari ini\n2. Kemarin\n3. Lewati\nKapan kejadiannya?" in date
    dated = await citizen.say("2")
    assert texts(dated)[0] == f"Kami catat tanggal {yesterday}."
    assert last(dated).endswith("\n1. Lewati\nAda lampiran?")
    await citizen.say("1")  # no attachment
    review = texts(await citizen.say("2"))
    summary = next(t for t in review if t.startswith("Ringkasannya"))
    for line in ("Lokasi: tidak diisi.", f"Tanggal kejadian: {yesterday}.", "Tanpa lampiran."):
        assert line in summary

    await citizen.say("2")  # ubah
    assert last(await citizen.say("6")).endswith("\n1. Lewati\nAda lampiran?")
    received = last(await citizen.send_photo())
    assert received.startswith("Foto kami terima, lampiran 1 dari 5.")
    assert received.endswith("\n1. Selesai\nMasih ada lampiran?")
    review = texts(await citizen.say("1"))
    assert "Lampiran: 1 berkas." in next(t for t in review if t.startswith("Ringkasan"))
    await citizen.say("2")
    await citizen.say("5")
    review = texts(await citizen.say("1"))  # hari ini
    assert f"Tanggal kejadian: {format_date(today, 'id')}." in "\n".join(review)
    sent = await citizen.say("1")
    assert "Laporan terkirim dengan kode" in texts(sent)[0]
    after = emulator.bot_messages(citizen)[since:]
    assert not any(keyboard_shown(message) for message in after)
    assert_accessible(after)


async def test_the_language_is_kept_per_citizen(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    await consent(citizen)
    await citizen.say("pengaturan")
    english = await citizen.say("English")
    assert texts(english)[0] == "Language changed to English."
    await harness.restart()
    overview = last(await citizen.say("settings"))
    assert overview.startswith(
        f"Your settings: English, simple mode off, spoken replies {VOICE_STATE['en']}."
    )
    assert overview.endswith("What would you like to change?")
    other = emulator.add_user(first_name="Budi")
    assert "Apa yang bisa kami bantu" in last(await consent(other))
    assert (await reporter_of(harness, citizen)).locale == "en"
    assert (await reporter_of(harness, other)).locale == "id"
    assert_accessible(emulator.bot_messages(citizen), locale="en")


# The test of what citizens are told without the programs runs everywhere.
@needs_speech
async def test_spoken_replies_are_off_by_default_and_add_a_voice_note_to_each_question(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    await consent(citizen)
    await citizen.say("pengaturan")
    assert voices(emulator, citizen) == [], "off by default"
    switched = await citizen.say("4", expect=3)
    assert texts(switched)[0].startswith("Balasan suara aktif.")
    assert "Apa yang bisa kami bantu" in texts(switched)[1]
    note = switched[2]
    assert note.media == "voice"
    stored = emulator.store.files[note.file_id]
    audio = stored.content()
    assert audio.startswith(b"OggS") and b"OpusHead" in audio[:64], "OGG/Opus, as sendVoice wants"
    # Both messages of the answer are read, so the voice note is longer than a few seconds.
    assert (note.content.get("voice") or {}).get("duration", 0) >= 5
    assert (await reporter_of(harness, citizen)).voice_replies is True

    step = await citizen.say("1", expect=2)
    assert texts(step)[0].startswith("Langkah 1 dari 8.")
    assert step[1].media == "voice"

    await citizen.say("pengaturan", expect=2)
    off = await citizen.say("balasan suara")
    assert texts(off)[0] == "Balasan suara mati. Balasan kami hanya berupa teks."
    await emulator.wait_idle(settle=0.5)
    count = len(voices(emulator, citizen))
    await citizen.say("1")
    await emulator.wait_idle(settle=0.5)
    assert len(voices(emulator, citizen)) == count


@pytest.mark.parametrize(
    ("setting", "missing"),
    [("espeak_command", "/nonexistent/espeak-ng"), ("opusenc_command", "/nonexistent/opusenc")],
)
async def test_the_setting_says_when_spoken_replies_cannot_be_made(
    harness: Harness, emulator: Emulator, citizen: User, setting: str, missing: str
) -> None:
    # Either program missing is enough: espeak-ng speaks, opusenc makes the voice note.
    harness.overrides[setting] = missing
    await harness.restart()
    await consent(citizen)
    overview = last(await citizen.say("pengaturan"))
    assert overview.startswith(
        "Pengaturan Anda: Bahasa Indonesia, mode sederhana mati, balasan suara belum tersedia."
    )
    refused = await citizen.say("4")
    assert texts(refused)[0] == (
        "Balasan suara belum tersedia di layanan ini, karena program pembuat pesan suara "
        "belum lengkap terpasang di servernya. "
        "Pesan kami tetap bisa dibacakan oleh pembaca layar di ponsel Anda."
    )
    assert "Apa yang bisa kami bantu" in last(refused)
    await emulator.wait_idle(settle=0.5)
    assert voices(emulator, citizen) == []
    assert (await reporter_of(harness, citizen)).voice_replies is False
