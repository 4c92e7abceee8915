"""The whole journey of a blind citizen, by typing alone (ACCESSIBILITY.md rule 1).

Siti never presses a button and never uses Telegram's reply gesture: every keyboard the
bot shows is ignored. She files a report with a voice note as its content, checks its
status, answers the officers' question, rates the answer and erases her data. Every bot
message she gets is checked against the rules; none is a quoted reply (rule 19), none is
an edit of an old one (rule 18), and every staff button press is answered with a new
message or an alert, never a toast alone (rule 18).
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.core.lifecycle import Status
from bot.core.tracking import format_code
from bot.sandbox.emulator import Emulator, User
from storage.models import Attachment, Reporter
from tests.a11y import assert_accessible
from tests.harness import Harness
from tests.staff_helpers import Staff, card_of, settled, staff_of
from tests.steps import code_in, last, reports, texts


def latest(emulator: Emulator, citizen: User) -> str:
    return texts(emulator.bot_messages(citizen))[-1]


async def file_with_a_voice_note(harness: Harness, emulator: Emulator, citizen: User) -> int:
    """Consent and a whole report, its content a voice note, the rest typed."""
    assert last(await citizen.say("/start")).endswith("Apakah Anda setuju?")
    assert "Apa yang bisa kami bantu" in last(await citizen.say("setuju"))
    assert last(await citizen.say("buat laporan")).startswith("Langkah 1 dari 8.")
    assert last(await citizen.say("pengaduan")).startswith("Langkah 2 dari 8.")
    voice = await citizen.send_voice(duration=14)
    assert texts(voice)[0] == "Pesan suara 14 detik sudah kami terima sebagai isi laporan."
    assert last(voice).startswith("Langkah 3 dari 8.")
    assert last(await citizen.say("1")).startswith("Langkah 4 dari 8.")
    assert last(await citizen.say("Jalan Braga nomor 12, RT 3 RW 5")).startswith(
        "Langkah 5 dari 8."
    )
    assert last(await citizen.say("kemarin")).startswith("Langkah 6 dari 8.")
    assert last(await citizen.say("lewati")).startswith("Langkah 7 dari 8.")
    review = await citizen.say("biasa")
    assert texts(review)[0] == "Isi laporan Anda berupa pesan suara 14 detik."
    assert last(review).startswith("Langkah 8 dari 8.\n1. Kirim")
    submitted = await citizen.say("kirim")
    code = code_in(submitted)
    spelled = " ".join(format_code(code)[:3]) + ", " + " ".join(format_code(code)[4:])
    assert f"dibaca {spelled}." in texts(submitted)[0]
    await settled(emulator)
    [report] = await reports(harness)
    [kept] = [a for a in report.attachments if a.role == "content"]
    assert (kept.kind, kept.duration) == ("voice", 14), "kept for the staff with its length"
    group = emulator.chat(harness.admin_chat_id)
    staff_voice = [m for m in emulator.bot_messages(group) if m.media == "voice"]
    assert [m.content["voice"]["duration"] for m in staff_voice] == [14]
    return code


async def check_status(citizen: User, code: int) -> None:
    """Cek status, the code typed as it was read out."""
    await citizen.say("menu")
    assert "Berapa kodenya?" in last(await citizen.say("cek status"))
    status = await citizen.say(format_code(code))
    assert texts(status)[0].startswith(f"Status laporan {format_code(code)}: Menunggu verifikasi; ")
    await citizen.say("menu")


async def answer_the_staff_question(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff, code: int
) -> None:
    """The verifier holds the report with a question; she answers by typing, no gesture."""
    card = card_of(emulator, staff.group, code)
    await staff.verifier.say_in(
        staff.group,
        "#tunda Mohon sebutkan nomor rumah terdekat dari lubang itu.",
        thread_id=card.thread_id,
        reply_to=card.message_id,
        expect=0,
    )
    await settled(emulator)
    question = latest(emulator, citizen)
    assert "Keterangan petugas: Mohon sebutkan nomor rumah terdekat dari lubang itu." in question
    assert question.endswith("Apa jawaban Anda untuk petugas?")
    answered = await citizen.say("Di depan rumah nomor 14, dekat warung.")
    assert texts(answered)[0] == (
        f"Keterangan Anda untuk laporan {format_code(code)} sudah kami teruskan ke petugas."
    )
    await settled(emulator)
    since_answer = texts(emulator.bot_messages(citizen))[-3:]
    assert any("Apa yang bisa kami bantu" in text for text in since_answer), "then the menu"
    assert any(
        "Tambahan dari pelapor" in text and "Di depan rumah nomor 14" in text
        for text in texts(emulator.bot_messages(staff.group))
    )
    [report] = await reports(harness)
    assert report.status is Status.MENUNGGU_VERIFIKASI


async def staff_answer_and_finish(emulator: Emulator, staff: Staff, code: int) -> None:
    """Forward, a reply, done: staff may press their card buttons."""
    card = card_of(emulator, staff.group, code)
    await staff.verifier.press_in(staff.group, card.message_id, "Teruskan ke DSDABM", expect=0)
    await settled(emulator)
    card = card_of(emulator, staff.group, code)
    await staff.officer.say_in(
        staff.group,
        "Lubang di depan rumah nomor 14 akan ditambal pada 2 Desember 2026.",
        thread_id=card.thread_id,
        reply_to=card.message_id,
        expect=0,
    )
    await settled(emulator)
    card = card_of(emulator, staff.group, code)
    await staff.officer.press_in(staff.group, card.message_id, "Selesai", expect=0)
    await settled(emulator)


async def rate(emulator: Emulator, citizen: User, code: int) -> None:
    """The rating question arrives; she rates by typing."""
    assert latest(emulator, citizen).endswith("Apakah Anda puas dengan tanggapannya?")
    thanks = await citizen.say("puas")
    assert texts(thanks)[0] == (
        f"Laporan {format_code(code)} ditutup. Terima kasih atas penilaian Anda."
    )


async def erase(harness: Harness, citizen: User) -> None:
    """Hapus data: read back, confirmed by typing the number."""
    readback = await citizen.say("hapusdata")
    assert last(readback).endswith("?")
    erased = await citizen.say("1")
    assert texts(erased)[0].startswith("Data pribadi Anda sudah kami hapus.")
    async with harness.services.sessionmaker() as session:
        reporters = (await session.execute(select(Reporter))).scalars().all()
    assert all(r.erased_at is not None or r.telegram_user_id != citizen.id for r in reporters)


def assert_heard_well(emulator: Emulator, citizen: User, code: int) -> None:
    """All she was sent meets the rules, and came as new, unquoted messages."""
    heard = emulator.bot_messages(citizen)
    assert_accessible(heard)
    assert all(message.reply_to_message_id is None for message in heard), "no quoted replies"
    assert not any(message.edited for message in heard), "new content, never an edit"
    assert not any("inline_keyboard" in (message.reply_markup or {}) for message in heard), (
        "nothing for her to press"
    )
    relays = [t for t in texts(heard) if t.startswith("Balasan dari ")]
    assert relays == [
        f"Balasan dari Dinas Sumber Daya Air dan Bina Marga untuk laporan {format_code(code)}:\n"
        "Lubang di depan rumah nomor 14 akan ditambal pada 2 Desember 2026."
    ]
    toasts = [a for a in emulator.callback_answers if a.text and not a.show_alert]
    assert toasts == [], "a button press is never answered by a toast alone"
    assert [p for p in emulator.presses if p.user_id == citizen.id] == [], "she pressed nothing"


async def test_a_blind_citizen_files_follows_answers_rates_and_erases_by_typing_alone(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    staff = staff_of(harness, emulator)
    code = await file_with_a_voice_note(harness, emulator, citizen)
    await check_status(citizen, code)
    await answer_the_staff_question(harness, emulator, citizen, staff, code)
    await staff_answer_and_finish(emulator, staff, code)
    await rate(emulator, citizen, code)
    await erase(harness, citizen)
    assert_heard_well(emulator, citizen, code)
    async with harness.services.sessionmaker() as session:
        files = await session.scalar(select(func.count()).select_from(Attachment))
    assert files == 1, "the voice note stays with the report after the erasure"
