"""Filing a report end to end: the real bot, the emulator over HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from bot.core.lifecycle import ActorKind, Classification, Status
from bot.core.tracking import format_code, is_valid, spell_code
from bot.sandbox.emulator import Emulator, Message, User
from storage.models import Draft, Report, Reporter
from tests.a11y import findings
from tests.harness import Harness
from tests.steps import CONTENT, code_in, consent, count, last, reports, texts, to_step


def assert_accessible(messages: list[Message]) -> None:
    """Every bot message of a recorded conversation meets the checked rules."""
    for message in messages:
        labels = [
            button["text"]
            for row in (message.reply_markup or {}).get("keyboard", [])
            for button in row
        ]
        assert findings(message.text or "", locale="id", buttons=labels) == [], message.text


async def test_a_report_filed_by_typing_only(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    greeting = await citizen.say("/start")
    assert "Apakah Anda setuju?" in last(greeting)
    assert await count(harness, Reporter) == 0, "nothing is stored before consent"
    menu = await citizen.say("1")
    assert "Apa yang bisa kami bantu?" in last(menu)
    assert last(await citizen.say("1")).startswith("Langkah 1 dari 8.")
    assert last(await citizen.say("1")).startswith("Langkah 2 dari 8.")
    category = await citizen.say(CONTENT)
    assert last(category).startswith("Langkah 3 dari 8.")
    assert "kategorinya Jalan rusak" in last(category), "the suggestion from the text, alone"
    assert last(await citizen.say("1")).startswith("Langkah 4 dari 8.")
    assert last(await citizen.say("Jalan Braga nomor 12, RT 3 RW 5")).startswith(
        "Langkah 5 dari 8."
    )
    date_replies = await citizen.say("kemarin")
    assert "24 November 2026" in texts(date_replies)[0]
    assert last(date_replies).startswith("Langkah 6 dari 8.")
    photo = await citizen.send_photo(size=150_000)
    assert "Foto kami terima, lampiran 1 dari 5" in last(photo)
    assert last(await citizen.say("selesai")).startswith("Langkah 7 dari 8.")
    review = await citizen.say("2")
    assert texts(review)[0] == f"Isi laporan Anda: \u2068{CONTENT}\u2069"
    assert last(review).startswith("Langkah 8 dari 8.\n1. Kirim")
    for sentence in (
        "Jenis laporan: Pengaduan.",
        "Kategori: Jalan rusak.",
        "Tanggal kejadian: 24 November 2026.",
        "Lampiran: 1 berkas.",
        "Privasi: Anonim.",
    ):
        assert sentence in texts(review)[-2], "the read-back comes just before the question"
    done = await citizen.say("1")

    code = code_in(done)
    assert is_valid(str(code))
    assert f"{format_code(code)}, dibaca {spell_code(code)}" in texts(done)[0]
    assert "paling lambat 30 November 2026" in texts(done)[0], "3 working days from Wednesday"
    [report] = await reports(harness)
    assert report.code == code
    assert report.status is Status.MENUNGGU_VERIFIKASI
    assert report.classification is Classification.PENGADUAN
    assert (report.category, report.agency) == ("jalan_rusak", "dsdabm")
    assert report.content == CONTENT
    assert report.location_text == "Jalan Braga nomor 12, RT 3 RW 5"
    assert report.incident_date is not None and report.incident_date.isoformat() == "2026-11-24"
    assert (report.anonymous, report.confidential) == (True, False)
    [photo_kept] = report.attachments
    assert (photo_kept.kind, photo_kept.file_size) == ("photo", 150_000)
    sent = next(m for m in emulator.history(citizen) if not m.from_bot and m.media == "photo")
    assert photo_kept.file_id == sent.file_id
    [event] = report.events
    assert (event.actor, event.from_status, event.to_status) == (
        ActorKind.CITIZEN,
        None,
        Status.MENUNGGU_VERIFIKASI,
    )
    assert await count(harness, Draft) == 0

    seen = emulator.bot_messages(citizen)
    assert all(message.reply_to_message_id is None for message in seen), "no quoted replies"
    assert all(message.link_preview_disabled for message in seen)
    assert_accessible(seen)


async def test_a_report_filed_by_buttons(harness: Harness, citizen: User) -> None:
    await citizen.say("/start")
    await citizen.press("Setuju")
    await citizen.press("Buat laporan")
    await citizen.press("Permintaan informasi")
    await citizen.say("Kapan pendaftaran PPDB tingkat SMP dibuka tahun ini dan apa syaratnya?")
    await citizen.press("Ya, tepat")  # Sekolah dan PPDB, suggested by the text
    await citizen.press("Lewati")
    await citizen.press("Hari ini")
    await citizen.press("Lewati")
    await citizen.press("Anonim dan rahasia")
    code = code_in(await citizen.press("Kirim"))

    [report] = await reports(harness)
    assert report.code == code
    assert report.classification is Classification.PERMINTAAN_INFORMASI
    assert (report.category, report.agency) == ("sekolah", "disdik")
    assert report.location_text is None and report.attachments == []
    assert report.incident_date is not None and report.incident_date.isoformat() == "2026-11-25"
    assert (report.anonymous, report.confidential) == (True, True)


async def test_a_voice_note_is_the_report_and_is_kept(harness: Harness, citizen: User) -> None:
    await consent(citizen)
    await to_step(citizen, 2)
    replies = await citizen.send_voice(duration=14, size=40_000)
    assert "Pesan suara 14 detik sudah kami terima sebagai isi laporan." in texts(replies)
    assert last(replies).startswith("Langkah 3 dari 8.")
    for answer in ("1", "lewati", "lewati", "lewati", "1"):
        review = await citizen.say(answer)
    assert "Isi laporan Anda berupa pesan suara 14 detik." in texts(review)
    await citizen.say("kirim")
    [report] = await reports(harness)
    [voice] = report.attachments
    assert (voice.kind, voice.role, voice.duration) == ("voice", "content", 14)


async def test_a_photo_sent_early_is_kept_as_an_attachment(harness: Harness, citizen: User) -> None:
    await consent(citizen)
    question = last(await to_step(citizen, 2))
    replies = await citizen.send_photo()
    assert texts(replies)[0] == "Foto Anda kami simpan sebagai lampiran."
    assert last(replies) == question, "the same question again"
    await citizen.say(CONTENT)
    for answer in ("1", "lewati", "lewati"):
        await citizen.say(answer)
    attachments = await citizen.say("selesai")
    assert last(attachments).startswith("Langkah 7 dari 8.")
    await citizen.say("1")
    await citizen.say("kirim")
    [report] = await reports(harness)
    assert [a.kind for a in report.attachments] == ["photo"]


async def test_restart_mid_flow_keeps_the_draft_and_the_step(
    harness: Harness, citizen: User
) -> None:
    await consent(citizen)
    question = last(await to_step(citizen, 4))
    assert question.startswith("Langkah 4 dari 8.")

    await harness.restart()

    assert last(await citizen.say("ulang")) == question
    assert last(await citizen.say("Jalan Braga nomor 12")).startswith("Langkah 5 dari 8.")
    for answer in ("lewati", "lewati", "1"):
        await citizen.say(answer)
    await citizen.say("kirim")
    [report] = await reports(harness)
    assert report.content == CONTENT and report.category == "jalan_rusak"
    assert report.location_text == "Jalan Braga nomor 12"


async def test_pressing_kirim_twice_creates_one_report(harness: Harness, citizen: User) -> None:
    await consent(citizen)
    await to_step(citizen, 8)
    await asyncio.gather(citizen.press("Kirim"), citizen.press("Kirim"))
    await harness.emulator.wait_idle()
    assert await count(harness, Report) == 1
    [report] = await reports(harness)
    seen = texts(harness.emulator.bot_messages(citizen))
    assert f"Laporan Anda sudah terkirim dengan kode {format_code(report.code)}." in " ".join(seen)


async def test_one_answer_changed_from_the_review_keeps_the_others(
    harness: Harness, citizen: User
) -> None:
    await consent(citizen)
    await to_step(citizen, 8)
    assert "Jawaban mana yang ingin Anda ubah?" in last(await citizen.say("ubah"))
    assert last(await citizen.say("4")).startswith("Langkah 4 dari 8.")
    review = await citizen.say("Jalan Dago nomor 3")
    assert last(review).startswith("Langkah 8 dari 8.")
    assert "Lokasi: \u2068Jalan Dago nomor 3\u2069." in texts(review)[-2]
    assert "Kategori: Jalan rusak." in texts(review)[-2]
    await citizen.say("kirim")
    [report] = await reports(harness)
    assert report.location_text == "Jalan Dago nomor 3" and report.content == CONTENT


async def test_declining_consent_stores_nothing(harness: Harness, citizen: User) -> None:
    await citizen.say("/start")
    replies = await citizen.say("tidak setuju")
    assert "tidak ada data Anda yang kami simpan" in last(replies)
    assert "1708" in last(replies)
    assert await count(harness, Reporter) == 0
