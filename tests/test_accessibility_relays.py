"""Rule 22 and rule 9 on the staff side: staff replies are checked and still sent, with a
hint to the staff member; voice notes added to a report are acknowledged in words."""

from __future__ import annotations

import pytest

from bot.accessibility import MessageContext, check_message
from bot.emulator import Chat, Emulator, Message, User
from bot.tracking import format_code
from tests.harness import Harness
from tests.steps import file_report, texts


async def settled(emulator: Emulator) -> None:
    await emulator.wait_idle(settle=0.3)


def card_of(emulator: Emulator, group: Chat, code: int) -> Message:
    cards = [
        m
        for m in emulator.bot_messages(group)
        if format_code(code) in (m.text or "") and m.button_labels
    ]
    assert cards
    return cards[-1]


@pytest.fixture
def officer(harness: Harness, emulator: Emulator) -> User:
    group = emulator.chat(harness.admin_chat_id)
    staff = emulator.add_user(first_name="Dina", username="dina_verifikator")
    emulator.add_group_member(group, staff, admin=True)
    return staff


async def staff_reply(
    harness: Harness, emulator: Emulator, officer: User, code: int, text: str
) -> list[str]:
    group = emulator.chat(harness.admin_chat_id)
    card = card_of(emulator, group, code)
    before = len(emulator.bot_messages(group))
    await officer.say_in(group, text, thread_id=card.thread_id, reply_to=card.message_id, expect=0)
    await settled(emulator)
    return texts(emulator.bot_messages(group)[before:])


async def test_a_reply_breaking_the_rules_is_sent_and_the_staff_get_a_hint(
    harness: Harness, emulator: Emulator, citizen: User, officer: User
) -> None:
    code = await file_report(citizen)
    await settled(emulator)
    reply = "Tgl 2/12/2026 petugas dtg ke Jl. Braga 👍👍 info lengkap di https://bandung.go.id"
    in_group = await staff_reply(harness, emulator, officer, code, reply)
    relayed = texts(emulator.bot_messages(citizen))[-2:]
    assert any(t.endswith(reply) and t.startswith("Balasan dari ") for t in relayed), (
        "a warning, not a block: the citizen gets the reply as written"
    )
    [hint] = [t for t in in_group if t.startswith(f"Balasan untuk laporan {format_code(code)}")]
    assert hint == (
        f"Balasan untuk laporan {format_code(code)} sudah dikirim ke pelapor. "
        "Agar mudah didengar lewat pembaca layar, lain kali:\n"
        "1. Jangan memakai emoji; pembaca layar membacakan nama panjangnya.\n"
        "2. Tulis tanggal dengan nama bulan, misalnya 13 November 2026.\n"
        "3. Tulis kata lengkap, bukan singkatan, misalnya Jalan dan RT 3 RW 5.\n"
        "4. Jangan menyertakan tautan; pembaca layar mengejanya huruf demi huruf."
    )
    assert check_message(hint, MessageContext(audience="staff")) == []


async def test_a_long_reply_gets_the_length_hint_and_a_good_one_none(
    harness: Harness, emulator: Emulator, citizen: User, officer: User
) -> None:
    code = await file_report(citizen)
    await settled(emulator)
    good = "Petugas kami akan memeriksa lokasi pada 2 Desember 2026 pukul 09.00 WIB."
    in_group = await staff_reply(harness, emulator, officer, code, good)
    assert not any("pembaca layar" in t for t in in_group), "nothing to say about a good reply"
    long = " ".join(["Petugas sudah datang ke lokasi dan memeriksa lubangnya."] * 8)
    in_group = await staff_reply(harness, emulator, officer, code, long)
    [hint] = [t for t in in_group if "pembaca layar" in t]
    assert hint.endswith("\n1. Tulis paling banyak 400 huruf, dalam kalimat pendek.")


async def test_a_held_reports_question_text_is_checked_too(
    harness: Harness, emulator: Emulator, citizen: User, officer: User
) -> None:
    code = await file_report(citizen)
    await settled(emulator)
    in_group = await staff_reply(
        harness, emulator, officer, code, "#tunda Mohon kirim foto lokasi yg jelas."
    )
    assert texts(emulator.bot_messages(citizen))[-1].startswith(
        f"Status laporan {format_code(code)}: Ditunda"
    )
    assert any(
        t.endswith("1. Tulis kata lengkap, bukan singkatan, misalnya Jalan dan RT 3 RW 5.")
        for t in in_group
    )


async def test_a_voice_note_answering_a_question_is_acknowledged_with_its_length(
    harness: Harness, emulator: Emulator, citizen: User, officer: User
) -> None:
    code = await file_report(citizen)
    await settled(emulator)
    await staff_reply(harness, emulator, officer, code, "#tunda Di mana tepatnya lubang itu?")
    assert texts(emulator.bot_messages(citizen))[-1].endswith("Apa jawaban Anda untuk petugas?")
    answered = await citizen.send_voice(duration=9)
    assert texts(answered)[0] == (
        f"Pesan suara 9 detik untuk laporan {format_code(code)} sudah kami teruskan ke petugas."
    )
    await settled(emulator)
    group = emulator.chat(harness.admin_chat_id)
    voices = [m for m in emulator.bot_messages(group) if m.media == "voice"]
    assert [m.content["voice"]["duration"] for m in voices] == [9], "the staff get it, with length"
    # A later voice note, quoting a notice, is acknowledged the same way.
    notice = [m for m in emulator.bot_messages(citizen) if m.text and "Ditunda" in m.text][-1]
    again = await citizen.send_voice(duration=4, reply_to=notice.message_id)
    assert texts(again)[0].startswith("Pesan suara 4 detik untuk laporan")


def test_staff_texts_may_name_slash_commands_but_citizen_texts_may_not() -> None:
    text = "Tulis kode laporan, misalnya: /laporan 726-4183"
    assert {f.rule for f in check_message(text)} == {2}
    assert check_message(text, MessageContext(audience="staff")) == []
