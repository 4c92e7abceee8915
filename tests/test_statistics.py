"""Statistics in the staff group: a chart image and the same figures in words."""

from __future__ import annotations

import struct
from datetime import date

from sqlalchemy import select

from bot.emulator import Emulator, Message, User
from bot.statistics import Grouping, window_for
from bot.stats_text import Section, pack
from bot.tracking import format_code
from storage.models import AuditEntry
from tests.a11y import findings
from tests.harness import Harness
from tests.steps import file_report
from tests.test_staff import Staff, card_of, settled, staff, topic_named

__all__ = ["staff"]  # the fixture, shared with the staff tests

FORWARD = "Teruskan ke DSDABM"
AGENCY_TOPIC = "Dinas Sumber Daya Air dan Bina Marga"


async def forward(emulator: Emulator, staff: Staff, code: int) -> None:
    """The verifier presses the card's forward button."""
    card = card_of(emulator, staff.group, code)
    await staff.verifier.press_in(staff.group, card.message_id, FORWARD, expect=0)
    await settled(emulator)


async def answer(emulator: Emulator, staff: Staff, code: int) -> None:
    """The agency officer replies to the report's card in the agency topic."""
    topic = topic_named(emulator, staff.group, AGENCY_TOPIC)
    card = card_of(emulator, staff.group, code, topic)
    await staff.officer.say_in(
        staff.group, "Tim kami sudah menjadwalkan perbaikan.", thread_id=topic,
        reply_to=card.message_id, expect=0,
    )  # fmt: skip
    await settled(emulator)


async def ask(emulator: Emulator, staff: Staff, command: str) -> list[Message]:
    """A staff member types a command in the group's General topic; the bot's answers."""
    before = len(emulator.bot_messages(staff.group))
    await staff.officer.say_in(staff.group, command, expect=1)
    await settled(emulator)
    return emulator.bot_messages(staff.group)[before:]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_statistik_sends_a_chart_and_the_same_figures_in_words(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    # Wednesday 25 November 2026: three reports forwarded to DSDABM, one answered at once.
    citizens = [citizen] + [emulator.add_user(first_name=f"Warga {n}") for n in range(4)]
    on_time, late_answer, unanswered = [await file_report(c) for c in citizens[:3]]
    for code in (on_time, late_answer, unanswered):
        await forward(emulator, staff, code)
    await answer(emulator, staff, on_time)
    # Thursday 3 December: the five working days (to 2 December) have passed.
    harness.clock.advance(days=8)
    await answer(emulator, staff, late_answer)
    pending = await file_report(citizens[3])
    await forward(emulator, staff, pending)
    await file_report(citizens[4])  # still waiting for verification: not an agency's
    await settled(emulator)

    photo, *words = await ask(emulator, staff, "/statistik")

    assert photo.media == "photo" and photo.caption == (
        "Grafik laporan 8 minggu terakhir, 12 Oktober 2026 sampai 6 Desember 2026. "
        "Angka yang sama ada dalam pesan berikut."
    )
    chart = emulator.store.files[photo.file_id].content()
    width, height = png_size(chart)
    assert width >= 1200 and height >= 500
    text = "\n".join(m.text or "" for m in words)
    assert text.startswith(
        "Statistik 8 minggu terakhir, 12 Oktober 2026 sampai 6 Desember 2026: 5 laporan masuk.\n"
        "Laporan per minggu menurut status saat ini:\n"
        "Minggu mulai 12 Oktober 2026: tidak ada laporan.\n"
    )
    assert (
        "Minggu mulai 23 November 2026: 3 laporan. Diteruskan 1, Ditindaklanjuti 2.\n"
        "Minggu mulai 30 November 2026: 2 laporan. Menunggu verifikasi 1, Diteruskan 1.\n"
    ) in text
    assert text.endswith(
        "Tanggapan pertama instansi atas laporan yang diteruskan:\n"
        "DSDABM: 4 laporan diteruskan, batas tanggapan 5 hari kerja. "
        "Tepat waktu 1, Terlambat 2, Belum jatuh tempo 1. Tepat waktu 33 persen."
    )
    for message in words:
        assert message.media is None
        assert findings(message.text or "", locale="id") == []
    assert findings(photo.caption or "", locale="id") == []
    assert all(m.thread_id is None for m in (photo, *words)), "answered where it was asked"
    async with harness.services.sessionmaker() as session:
        audited = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "statistik"))
        ).scalars()
        assert [(a.actor_user_id, a.allowed) for a in audited] == [(staff.officer.id, True)]
    assert format_code(on_time) not in text, "figures, not a list of reports"


async def test_statistik_by_month_and_wrong_words(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    [empty] = await ask(emulator, staff, "/statistik bulan")
    assert (
        empty.text
        == "Belum ada laporan masuk dalam 6 bulan terakhir, Juni 2026 sampai November 2026."
    )

    code = await file_report(citizen)
    await forward(emulator, staff, code)
    photo, *words = await ask(emulator, staff, "/statistik bulan")
    assert photo.media == "photo"
    assert len(words) == 2, "more than 400 characters go in two messages"
    assert "\n".join(m.text or "" for m in words) == (
        "Statistik 6 bulan terakhir, Juni 2026 sampai November 2026: 1 laporan masuk.\n"
        "Laporan per bulan menurut status saat ini:\n"
        "Juni 2026: tidak ada laporan.\n"
        "Juli 2026: tidak ada laporan.\n"
        "Agustus 2026: tidak ada laporan.\n"
        "September 2026: tidak ada laporan.\n"
        "Oktober 2026: tidak ada laporan.\n"
        "November 2026: 1 laporan. Diteruskan 1.\n"
        "Tanggapan pertama instansi atas laporan yang diteruskan:\n"
        "DSDABM: 1 laporan diteruskan, batas tanggapan 5 hari kerja. "
        "Tepat waktu 0, Terlambat 0, Belum jatuh tempo 1. Belum ada yang bisa dinilai."
    )

    [usage] = await ask(emulator, staff, "/statistik tahun")
    assert usage.text == "Tulis minggu atau bulan setelah perintahnya, misalnya: /statistik bulan"


def test_a_long_answer_is_split_into_messages_a_screen_reader_can_take() -> None:
    lines = [f"Baris nomor {n} dengan beberapa kata tambahan di belakangnya." for n in range(30)]
    messages = pack([Section("Judul:", "Judul lanjutan:", lines), Section("Akhir.", "", ())])
    assert all(len(m) <= 400 for m in messages)
    assert messages[0].startswith("Judul:\nBaris nomor 0 ")
    assert all(m.startswith("Judul lanjutan:\n") for m in messages[1:])
    assert messages[-1].endswith(
        "Baris nomor 29 dengan beberapa kata tambahan di belakangnya.\nAkhir."
    )
    body = [line for m in messages for line in m.splitlines() if line.startswith("Baris")]
    assert body == lines, "every line once, in order"


def test_windows_cover_whole_weeks_and_months() -> None:
    weeks = window_for(Grouping.MINGGU, date(2026, 12, 3))
    assert weeks.starts[0] == date(2026, 10, 12) and weeks.starts[-1] == date(2026, 11, 30)
    assert weeks.end == date(2026, 12, 7)
    assert weeks.bucket_of(date(2026, 12, 6)) == 7 and weeks.bucket_of(date(2026, 10, 11)) is None
    months = window_for(Grouping.BULAN, date(2026, 1, 15))
    assert months.starts == tuple(
        date(y, m, 1)
        for y, m in ((2025, 8), (2025, 9), (2025, 10), (2025, 11), (2025, 12), (2026, 1))
    )
    assert months.end == date(2026, 2, 1)
