"""Rule 22 and rule 9 on the staff side: staff replies are checked and still sent, with a
hint to the staff member; voice notes added to a report are acknowledged in words."""

from __future__ import annotations

import pytest

from bot.core.tracking import format_code
from bot.language.accessibility import MessageContext, check_message, questions
from bot.language.dates import format_date
from bot.sandbox.emulator import Emulator, User
from tests import factories
from tests.a11y import findings
from tests.harness import Harness
from tests.staff_helpers import card_of, settled
from tests.steps import code_in, consent, texts, to_step


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
    code = await factories.report(harness, citizen)
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
    code = await factories.report(harness, citizen)
    good = "Petugas kami akan memeriksa lokasi pada 2 Desember 2026 pukul 09.00 WIB."
    in_group = await staff_reply(harness, emulator, officer, code, good)
    assert not any("pembaca layar" in t for t in in_group), "nothing to say about a good reply"
    long = " ".join(["Petugas sudah datang ke lokasi dan memeriksa lubangnya."] * 8)
    in_group = await staff_reply(harness, emulator, officer, code, long)
    [hint] = [t for t in in_group if "pembaca layar" in t]
    assert hint.endswith("\n1. Tulis paling banyak 400 huruf, dalam kalimat pendek.")


HELD = "Ditunda, menunggu keterangan pelapor"


def citizen_findings(text: str, locale: str = "id") -> set[int]:
    """The rules a citizen's hold notice breaks, checked as the status message it is."""
    status = HELD if locale == "id" else "On hold, waiting for the reporter's information"
    return {f.rule for f in findings(text, locale=locale, status=status)}


async def test_a_held_reports_question_comes_last_after_the_bots_instruction(
    harness: Harness, emulator: Emulator, citizen: User, officer: User
) -> None:
    code = await factories.report(harness, citizen)
    in_group = await staff_reply(
        harness, emulator, officer, code, "#tunda Di mana tepatnya lubang itu?"
    )
    notice = texts(emulator.bot_messages(citizen))[-1]
    services = harness.services
    days = services.settings.hold_expiry_working_days
    until = services.calendar.local_date(services.calendar.add_working_days(harness.clock(), days))
    assert notice == (
        f"Status laporan {format_code(code)}: {HELD}; "
        f"petugas menunggu keterangan tambahan dari Anda sampai {format_date(until, 'id')}.\n"
        "Ketik jawaban Anda sekarang, atau kirim pesan suara.\n"
        "Pertanyaan petugas: Di mana tepatnya lubang itu?"
    )
    assert questions(notice) == ["Di mana tepatnya lubang itu?"], "one question, the staff's"
    assert citizen_findings(notice) == set()
    assert not any("pembaca layar" in t for t in in_group), "nothing to say to the staff"


async def test_a_held_reports_text_without_a_question_gets_the_bots_question_and_a_hint(
    harness: Harness, emulator: Emulator, citizen: User, officer: User
) -> None:
    code = await factories.report(harness, citizen)
    in_group = await staff_reply(
        harness, emulator, officer, code, "#tunda Mohon kirim foto lokasi yg jelas."
    )
    notice = texts(emulator.bot_messages(citizen))[-1]
    assert notice.startswith(f"Status laporan {format_code(code)}: Ditunda")
    assert notice.endswith(
        "Keterangan petugas: Mohon kirim foto lokasi yg jelas.\n"
        "Ketik jawaban Anda sekarang, atau kirim pesan suara. Apa jawaban Anda untuk petugas?"
    )
    assert citizen_findings(notice) == {13}, "only the staff's abbreviation, no second question"
    [hint] = [t for t in in_group if "pembaca layar" in t]
    assert hint == (
        f"Laporan {format_code(code)} sudah ditunda dan pelapor sudah diberi tahu. "
        "Agar mudah didengar lewat pembaca layar, lain kali:\n"
        "1. Tulis tepat satu pertanyaan untuk pelapor, sebagai kalimat terakhir.\n"
        "2. Tulis kata lengkap, bukan singkatan, misalnya Jalan dan RT 3 RW 5."
    )
    assert check_message(hint, MessageContext(audience="staff")) == []


async def test_a_hold_typed_as_a_command_with_two_questions_gets_the_hint(
    harness: Harness, emulator: Emulator, citizen: User, officer: User
) -> None:
    code = await factories.report(harness, citizen)
    group = emulator.chat(harness.admin_chat_id)
    card = card_of(emulator, group, code)
    before = len(emulator.bot_messages(group))
    await officer.say_in(
        group,
        f"/tunda {format_code(code)} Di mana lubangnya? Sejak kapan ada?",
        thread_id=card.thread_id,
        expect=0,
    )
    await settled(emulator)
    notice = texts(emulator.bot_messages(citizen))[-1]
    assert notice.endswith(
        "Ketik jawaban Anda sekarang, atau kirim pesan suara.\n"
        "Pertanyaan petugas: Di mana lubangnya? Sejak kapan ada?"
    ), "the bot adds no question of its own to the staff's"
    assert citizen_findings(notice) == {3}, "the staff's two questions, warned below"
    in_group = texts(emulator.bot_messages(group)[before:])
    [hint] = [t for t in in_group if "pembaca layar" in t]
    assert hint.endswith(
        "lain kali:\n1. Tulis tepat satu pertanyaan untuk pelapor, sebagai kalimat terakhir."
    )


async def test_a_hold_is_checked_in_the_language_the_citizen_reads(
    harness: Harness, emulator: Emulator, citizen: User, officer: User
) -> None:
    await consent(citizen)
    await citizen.say("pengaturan")
    await citizen.say("English")
    await to_step(citizen, 8)
    code = code_in(await citizen.say("1"))
    await settled(emulator)
    # "14:30" alone is a time to the Indonesian rules (rule 11), not to the English ones.
    in_group = await staff_reply(harness, emulator, officer, code, "#tunda Was it around 14:30?")
    notice = texts(emulator.bot_messages(citizen))[-1]
    assert notice.endswith(
        "Type your answer now, or send a voice note.\nThe officer asks: Was it around 14:30?"
    )
    assert citizen_findings(notice, "en") == set()
    assert not any("pembaca layar" in t for t in in_group), "no Indonesian rule applied"


async def test_a_voice_note_answering_a_question_is_acknowledged_with_its_length(
    harness: Harness, emulator: Emulator, citizen: User, officer: User
) -> None:
    code = await factories.report(harness, citizen)
    await staff_reply(harness, emulator, officer, code, "#tunda Di mana tepatnya lubang itu?")
    assert texts(emulator.bot_messages(citizen))[-1].endswith("Di mana tepatnya lubang itu?")
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
