"""A citizen who just types (issue 14, items 6 to 9): the complaint written at the menu,
chat Indonesian, menu words at every open question, and the small defects around them.

Every test runs the real bot against the emulator and types what people really type.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.lifecycle import Privacy, Status
from bot.core.tracking import format_code
from bot.language.dates import format_date
from bot.sandbox.emulator import Emulator, User
from storage.models import Draft
from tests import factories
from tests.a11y import assert_accessible
from tests.harness import Harness
from tests.staff_helpers import Staff, settled
from tests.steps import CONTENT, code_in, consent, count, last, reports, texts
from tests.test_blind_journey import staff_answer_and_finish

COMPLAINT = "Pak, jalan di depan rumah saya di Jl. Sukajadi berlubang besar, tolong diperbaiki"
CONFUSED = ("Pilihan itu tidak ada di menu", "ada kesulitan")


def yesterday(harness: Harness) -> str:
    today = harness.services.calendar.local_date(harness.clock())
    return format_date(today - timedelta(days=1), "id")


def never_confused(emulator: Emulator, citizen: User) -> None:
    seen = texts(emulator.bot_messages(citizen))
    assert not [text for text in seen if any(words in text for words in CONFUSED)]


# --- item 6: the first message is the complaint ------------------------------------


async def test_a_complaint_typed_at_the_menu_becomes_the_report(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    await consent(citizen)
    started = await citizen.say(COMPLAINT)
    assert texts(started)[0] == (
        "Baik, pesan Anda kami catat sebagai isi laporan baru. "
        "Lokasinya kami catat: Jalan Sukajadi."
    )
    assert last(started).startswith("Langkah 1 dari 8.")
    category = await citizen.say("1")  # pengaduan; the content is already there
    assert last(category).startswith("Langkah 3 dari 8. ")
    assert "kategorinya Jalan rusak" in last(category)
    assert last(await citizen.say("1")).startswith("Langkah 5 dari 8."), "the place was said"
    for answer in ("kemarin", "lewati"):
        await citizen.say(answer)
    review = texts(await citizen.say("1"))
    assert f"Isi laporan Anda: \u2068{COMPLAINT}\u2069" in review
    assert "Lokasi: \u2068Jalan Sukajadi\u2069." in review[-2]
    code_in(await citizen.say("kirim"))
    [report] = await reports(harness)
    assert report.content == COMPLAINT
    assert (report.location_text, report.category) == ("Jalan Sukajadi", "jalan_rusak")
    never_confused(emulator, citizen)
    assert_accessible(emulator.bot_messages(citizen))


async def test_a_place_and_a_day_in_the_complaint_skip_both_steps(
    harness: Harness, citizen: User
) -> None:
    await consent(citizen)
    started = await citizen.say("lampu jln di Jl. Braga no 12 mati sejak kmrn, gelap sekali")
    assert texts(started)[0].endswith(
        f"Lokasi Jalan Braga nomor 12 dan tanggal {yesterday(harness)} juga kami catat."
    )
    category = await citizen.say("pengaduan")
    assert "kategorinya Lampu jalan dan rambu" in last(category), "jln read as jalan"
    assert last(await citizen.say("iya")).startswith("Langkah 6 dari 8.")
    await citizen.say("gak ada")
    await citizen.say("1")
    code_in(await citizen.say("kirim"))
    [report] = await reports(harness)
    assert report.location_text == "Jalan Braga nomor 12"
    assert report.incident_date is not None
    assert format_date(report.incident_date, "id") == yesterday(harness)
    assert report.category == "lampu_rambu"


async def test_a_voice_note_at_the_menu_becomes_the_report(harness: Harness, citizen: User) -> None:
    await consent(citizen)
    started = await citizen.send_voice(duration=12, size=30_000)
    assert texts(started)[0] == (
        "Baik, pesan suara 12 detik itu kami catat sebagai isi laporan baru."
    )
    assert last(started).startswith("Langkah 1 dari 8.")
    assert last(await citizen.say("1")).startswith("Langkah 3 dari 8.")


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("halo", "Halo, terima kasih sudah menghubungi kami."),
        ("Selamat pagi min", "Halo, terima kasih sudah menghubungi kami."),
        ("Assalamualaikum pak", "Halo, terima kasih sudah menghubungi kami."),
        ("makasih ya", "Sama-sama, senang bisa membantu."),
        ("Terima kasih banyak, Bu", "Sama-sama, senang bisa membantu."),
        ("ok", None),
    ],
)
async def test_greetings_and_thanks_get_a_kind_answer_and_the_menu(
    harness: Harness, emulator: Emulator, citizen: User, said: str, answer: str | None
) -> None:
    await consent(citizen)
    for _ in range(3):  # again and again: never "ada kesulitan"
        replies = await citizen.say(said)
        if answer is not None:
            assert texts(replies)[0] == answer
        assert last(replies).endswith("Apa yang bisa kami bantu?")
    never_confused(emulator, citizen)


@pytest.mark.parametrize(
    ("said", "opening"),
    [
        ("mau lapor", "Langkah 1 dari 8."),
        ("Halo min, saya mau lapor", "Langkah 1 dari 8."),
        ("lapor", "Langkah 1 dari 8."),
        ("cek", "Kode laporan tujuh atau sembilan angka"),
        ("status", "Kode laporan tujuh atau sembilan angka"),
        ("mau cek status laporan", "Kode laporan tujuh atau sembilan angka"),
        ("kode 516-7391", "Kami tidak menemukan laporan Anda dengan kode 516-7391."),
    ],
)
async def test_what_people_type_at_the_menu_is_understood(
    harness: Harness, emulator: Emulator, citizen: User, said: str, opening: str
) -> None:
    await consent(citizen)
    replies = await citizen.say(said)
    assert texts(replies)[0].startswith(opening)
    never_confused(emulator, citizen)


async def test_a_code_typed_with_its_words_opens_the_report(
    harness: Harness, citizen: User
) -> None:
    code = await factories.report(harness, citizen)
    shown = await citizen.say(f"kode {format_code(code)}")
    assert texts(shown)[0].startswith(f"Status laporan {format_code(code)}: Menunggu verifikasi;")


# --- item 7: chat Indonesian --------------------------------------------------------


async def test_a_report_filed_in_chat_indonesian(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    await citizen.say("/start")
    assert last(await citizen.say("ok")).endswith("Apa yang bisa kami bantu?"), "ok agrees"
    assert last(await citizen.say("mw lapor")).startswith("Langkah 1 dari 8.")
    await citizen.say("1")
    await citizen.say(CONTENT)
    assert last(await citizen.say("iy")).startswith("Langkah 4 dari 8.")
    assert last(await citizen.say("gak tau")).startswith("Langkah 5 dari 8."), "skipped"
    dated = await citizen.say("kmrn")
    assert texts(dated)[0] == f"Kami catat tanggal {yesterday(harness)}."
    assert last(await citizen.say("udh")).startswith("Langkah 7 dari 8."), "no attachment"
    assert last(await citizen.say("biasa aja")).startswith("Langkah 8 dari 8.")
    code_in(await citizen.say("krm"))
    [report] = await reports(harness)
    assert report.location_text is None
    assert report.incident_date is not None
    assert format_date(report.incident_date, "id") == yesterday(harness)
    assert (report.anonymous, report.confidential) == (False, False), "biasa"
    never_confused(emulator, citizen)


async def test_gak_jadi_cancels_a_step_and_keeps_the_draft_at_the_cancel_question(
    harness: Harness, citizen: User
) -> None:
    await consent(citizen)
    await citizen.say("1")
    await citizen.say("1")
    assert last(await citizen.say("gak jadi")).endswith("Jadi dibatalkan?")
    kept = await citizen.say("gak jadi")
    assert texts(kept)[0] == "Baik, laporan Anda tetap tersimpan."
    assert last(kept).startswith("Langkah 2 dari 8.")
    await citizen.say("batal")
    await citizen.say("iya")
    assert await count(harness, Draft) == 0


@pytest.mark.parametrize(
    ("typed", "days_ago"), [("3 hr yg lalu", 3), ("kemaren", 1), ("seminggu yg lalu", 7)]
)
async def test_dates_in_chat_words(
    harness: Harness, citizen: User, typed: str, days_ago: int
) -> None:
    await consent(citizen)
    for answer in ("1", "1", CONTENT, "1", "lewati"):
        await citizen.say(answer)
    dated = await citizen.say(typed)
    today = harness.services.calendar.local_date(harness.clock())
    assert texts(dated)[0] == f"Kami catat tanggal {format_date(today - timedelta(days=days_ago))}."


# --- item 8: menu words at every open question --------------------------------------


async def test_cek_status_at_a_filing_step_keeps_the_draft(harness: Harness, citizen: User) -> None:
    await consent(citizen)
    for answer in ("1", "1", CONTENT):
        question = last(await citizen.say(answer))
    left = await citizen.say("cek status")
    assert texts(left)[0].startswith("Laporan yang sedang Anda buat tersimpan sebagai draf.")
    assert last(left).endswith("Berapa kodenya?")
    assert await count(harness, Draft) == 1
    waiting = await citizen.say("menu")
    assert texts(waiting)[0].startswith("Laporan Anda tersimpan sebagai draf, sampai langkah 3")
    assert last(await citizen.say("lanjut")) == question
    listed = await citizen.say("laporan saya")
    assert texts(listed)[0].startswith("Laporan yang sedang Anda buat tersimpan sebagai draf.")
    assert texts(listed)[-1].startswith("Anda belum punya laporan.")


async def test_menu_words_at_the_code_prompt(harness: Harness, citizen: User) -> None:
    code = await factories.report(harness, citizen)
    await citizen.say("cek status")
    listed = await citizen.say("laporan saya")
    assert format_code(code) in last(listed)
    assert last(listed).endswith("Laporan nomor berapa yang ingin Anda lihat?")
    assert last(await citizen.say("cek status")).endswith("Berapa kodenya?")
    assert last(await citizen.say("batal")).endswith("Apa yang bisa kami bantu?")


async def test_menu_words_at_the_rating_question(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await factories.report(harness, citizen)
    await staff_answer_and_finish(emulator, staff, code)
    assert texts(emulator.bot_messages(citizen))[-1].endswith(
        "Apakah Anda puas dengan tanggapannya?"
    )
    listed = await citizen.say("laporan saya")
    assert last(listed).endswith("Laporan nomor berapa yang ingin Anda lihat?")
    [report] = await reports(harness)
    assert report.rating is None


async def test_menu_words_at_the_rating_reason_are_no_reason(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await factories.report(harness, citizen)
    await staff_answer_and_finish(emulator, staff, code)
    assert last(await citizen.say("gak puas")).endswith(
        "Apa yang belum sesuai dengan tanggapan itu?"
    )
    assert last(await citizen.say("cek status")).endswith("Berapa kodenya?")
    [report] = await reports(harness)
    assert report.rating is None and report.rating_reason is None


# --- item 9: small defects ----------------------------------------------------------


async def test_a_number_picks_from_laporan_saya(harness: Harness, citizen: User) -> None:
    first = await factories.report(harness, citizen)
    second = await factories.report(
        harness, citizen, location="Jalan Braga nomor 12", privacy=Privacy.BIASA
    )
    await citizen.say("laporan saya")
    shown = await citizen.say("2")
    assert texts(shown)[0].startswith(f"Status laporan {format_code(first)}: ")
    await citizen.say("laporan saya")
    shown = await citizen.say("1")
    assert texts(shown)[0].startswith(f"Status laporan {format_code(second)}: ")


async def test_a_mistyped_code_on_one_line_gets_the_same_help(
    harness: Harness, citizen: User
) -> None:
    await consent(citizen)
    replies = await citizen.say("cek status 516-7392")
    assert texts(replies)[0].startswith("Kode 516-7392 tidak cocok.")
    assert last(replies).endswith("Berapa kodenya?")


@pytest.mark.parametrize("typed", ["lampu", "lampu jln", "Lampu jalan"])
async def test_the_category_step_takes_the_category_words(
    harness: Harness, citizen: User, typed: str
) -> None:
    await consent(citizen)
    for answer in ("1", "1", "Mohon perhatian, sudah lama sekali tidak diperbaiki oleh petugas."):
        listed = await citizen.say(answer)
    assert "9. Halaman berikutnya" in last(listed)
    assert last(await citizen.say(typed)).startswith("Langkah 4 dari 8.")
    for answer in ("lewati", "lewati", "lewati", "1"):
        await citizen.say(answer)
    await citizen.say("kirim")
    [report] = await reports(harness)
    assert report.category == "lampu_rambu"


async def test_lainnya_and_the_next_page_are_told_apart(harness: Harness, citizen: User) -> None:
    await consent(citizen)
    for answer in ("1", "1", "Mohon perhatian, sudah lama sekali tidak diperbaiki oleh petugas."):
        listed = await citizen.say(answer)
    assert "Kategori lain" not in last(listed)
    await citizen.say("halaman berikutnya")
    third = last(await citizen.say("berikutnya"))
    assert "2. Lainnya\n3. Halaman berikutnya\n" in third and "Kategori lain" not in third
    assert last(await citizen.say("lainnya")).startswith("Langkah 4 dari 8."), "the category"


async def test_timelines_name_what_happened_and_a_closed_report_says_so(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await factories.report(harness, citizen)
    await staff_answer_and_finish(emulator, staff, code)
    await citizen.say("puas")
    status = texts(await citizen.say(f"kode {format_code(code)}"))
    assert status[0].startswith(f"Status laporan {format_code(code)}: Selesai dan ditutup;")
    assert "menilai" not in status[0]
    timeline = status[1]
    assert timeline.count("diteruskan ke instansi") == 1, timeline
    assert "balasan dari instansi" in timeline
    # Done and closed, its card has no buttons left: asked in the General topic.
    await staff.verifier.say_in(staff.group, f"/laporan {format_code(code)}", expect=1)
    await settled(emulator)
    shown = emulator.bot_messages(staff.group)[-1].text or ""
    assert shown.count("diteruskan ke instansi") == 1 and "balasan dari instansi" in shown
    [report] = await reports(harness)
    assert report.status is Status.SELESAI and report.closed_at is not None


# --- item 10: wording ---------------------------------------------------------------


async def test_two_choices_are_1_atau_2(harness: Harness, citizen: User) -> None:
    await consent(citizen)
    await citizen.say("1")
    await citizen.say("batal")
    assert texts(await citizen.say("mungkin"))[0] == (
        "Jawaban itu belum kami kenali. Ketik 1 atau 2, atau kata pada pilihan."
    )
