"""Bad answers get a clear message and the same question; the universal words work anywhere."""

from __future__ import annotations

import pytest

from bot.core.intake.rules import CONTENT_MAX_CHARS
from bot.sandbox.emulator import User
from storage.models import Draft
from tests.harness import Harness
from tests.steps import consent, count, last, texts, to_step

BAD_ANSWERS = [
    (1, "7", "Jawaban itu belum kami kenali. Ketik nomor 1 sampai 3"),
    (2, "jalan rusak", "Isi laporan terlalu pendek."),
    (2, "x" * (CONTENT_MAX_CHARS + 1), "Isi laporan paling banyak 3000 huruf, dan isi Anda 3001"),
    (3, "99", "Jawaban itu belum kami kenali."),
    (4, "ok", "Alamat itu terlalu pendek."),
    (4, "j" * 301, "Alamat itu terlalu panjang."),
    (5, "besok", "Tanggal itu belum terjadi."),
    (5, "30 Februari 2026", "Tanggal itu tidak ada di kalender."),
    (5, "waktu itu", "Tanggal itu belum kami pahami."),
    (6, "ada fotonya", "Pada langkah ini, kirim foto, dokumen, atau pesan suara."),
    (7, "sangat rahasia sekali", "Jawaban itu belum kami kenali. Ketik nomor 1 sampai 4"),
    (8, "mungkin", "Jawaban itu belum kami kenali. Ketik nomor 1 sampai 3"),
]


@pytest.mark.parametrize(("step", "answer", "problem"), BAD_ANSWERS)
async def test_a_bad_answer_is_explained_and_the_same_question_asked_again(
    harness: Harness, citizen: User, step: int, answer: str, problem: str
) -> None:
    await consent(citizen)
    question = last(await to_step(citizen, step))
    replies = await citizen.say(answer)
    assert texts(replies)[0].startswith(problem)
    assert last(replies) == question
    again = await citizen.say(answer)
    assert any("Ketik bantuan untuk petunjuk" in text for text in texts(again)), "help after two"
    assert last(again) == question


async def test_stickers_and_other_messages_are_refused_in_words(
    harness: Harness, citizen: User
) -> None:
    await consent(citizen)
    question = last(await to_step(citizen, 2))
    replies = await citizen.send_sticker()
    assert texts(replies)[0].startswith("Stiker tidak bisa kami baca sebagai jawaban.")
    assert last(replies) == question


@pytest.mark.parametrize("word", ["batal", "/batal", "BATAL", "Batal."])
async def test_batal_asks_before_discarding_the_draft(
    harness: Harness, citizen: User, word: str
) -> None:
    await consent(citizen)
    question = last(await to_step(citizen, 3))
    assert "Jadi dibatalkan?" in last(await citizen.say(word))
    kept = await citizen.say("2")
    assert texts(kept)[0] == "Baik, laporan Anda tetap tersimpan."
    assert last(kept) == question
    await citizen.say(word)
    gone = await citizen.say("ya")
    assert texts(gone)[0] == "Laporan dibatalkan. Tidak ada yang dikirim."
    assert await count(harness, Draft) == 0


@pytest.mark.parametrize("word", ["kembali", "/Kembali"])
async def test_kembali_returns_to_the_previous_question(
    harness: Harness, citizen: User, word: str
) -> None:
    await consent(citizen)
    previous = last(await to_step(citizen, 4))
    await citizen.say("Jalan Braga nomor 12")
    assert last(await citizen.say(word)) == previous


@pytest.mark.parametrize("step", range(1, 9))
async def test_ulang_and_bantuan_repeat_the_question_at_every_step(
    harness: Harness, citizen: User, step: int
) -> None:
    await consent(citizen)
    question = last(await to_step(citizen, step))
    assert last(await citizen.say("ULANG")) == question
    helped = await citizen.say("/bantuan")
    assert "SMS 1708" in " ".join(texts(helped)), "help names another way to reach the service"
    assert last(helped) == question


async def test_menu_keeps_the_draft_and_lanjut_resumes_it(harness: Harness, citizen: User) -> None:
    await consent(citizen)
    question = last(await to_step(citizen, 5))
    menu = await citizen.say("Menu")
    assert "sampai langkah 5 dari 8" in texts(menu)[0]
    resumed = await citizen.say("lanjut")
    assert last(resumed) == question


async def test_a_draft_is_reminded_before_it_expires_then_removed(
    harness: Harness, citizen: User
) -> None:
    await consent(citizen)
    await to_step(citizen, 3)
    assert harness.application is not None and harness.application.job_queue is not None
    [job] = harness.application.job_queue.get_jobs_by_name("draft_upkeep")

    harness.clock.advance(hours=25)
    await job.run(harness.application)
    await harness.dispatcher.drain()  # the reminder goes through the outbox
    await harness.emulator.wait_idle()
    reminder = harness.emulator.bot_messages(citizen)[-1].text or ""
    assert reminder.startswith(
        "Laporan Anda belum selesai dan tersimpan sebagai draf sampai 27 November 2026"
    )
    await job.run(harness.application)
    await harness.dispatcher.drain()
    assert await count(harness, Draft) == 1, "still kept, and reminded only once"
    assert (
        len([t for t in texts(harness.emulator.bot_messages(citizen)) if "belum selesai" in t]) == 1
    )

    harness.clock.advance(hours=24)
    await job.run(harness.application)
    assert await count(harness, Draft) == 0
