"""Statistics in the staff group: a chart image and the same figures in words."""

from __future__ import annotations

import csv
import io
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from bot.core.lifecycle import Privacy, Status
from bot.core.tracking import format_code
from bot.core.transitions import Action, Role
from bot.sandbox.emulator import Chat, Emulator, Message, User
from bot.stats.chart import SHARE_COLOUR, STYLE, render_chart
from bot.stats.figures import STATUS_ORDER, AgencyFigures, Figures, Grouping, window_for
from bot.stats.in_words import ChartText, Section, pack
from bot.workflow import changes
from storage.models import AuditEntry
from tests import factories
from tests.a11y import findings
from tests.api_helpers import act, file
from tests.delivery_helpers import agencies_with_own_group
from tests.harness import Clock, Harness
from tests.staff_helpers import Staff, card_of, settled, topic_named

FORWARD = "Teruskan ke DSDABM"
AGENCY_TOPIC = "Dinas Sumber Daya Air dan Bina Marga"


async def forward(emulator: Emulator, staff: Staff, code: int) -> None:
    """The verifier presses the card's forward button."""
    card = card_of(emulator, staff.group, code)
    await staff.verifier.press_in(staff.group, card.message_id, FORWARD, expect=0)
    await settled(emulator)


async def answer(emulator: Emulator, staff: Staff, code: int) -> None:
    """The agency officer replies to the report's card in the agency topic."""
    topic = topic_named(staff.group, AGENCY_TOPIC)
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


def areas(png: bytes) -> dict[tuple[int, int, int], int]:
    """How many pixels of the image have each colour."""
    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
        return {colour: count for count, colour in rgb.getcolors(rgb.width * rgb.height)}


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


def area_of(png_areas: dict[tuple[int, int, int], int], status: Status) -> int:
    """Pixels in a status's colour: its bars, and its patch in the legend."""
    return png_areas.get(rgb(STYLE[status][0]), 0)


async def test_statistik_sends_a_chart_and_the_same_figures_in_words(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    # Wednesday 25 November 2026: three reports forwarded to DSDABM, one answered at once.
    citizens = [citizen] + [emulator.add_user(first_name=f"Warga {n}") for n in range(4)]
    on_time, late_answer, unanswered = [await factories.report(harness, c) for c in citizens[:3]]
    for code in (on_time, late_answer, unanswered):
        await forward(emulator, staff, code)
    await answer(emulator, staff, on_time)
    # Thursday 3 December: the five working days (to 2 December) have passed.
    harness.clock.advance(days=8)
    await answer(emulator, staff, late_answer)
    pending = await factories.report(harness, citizens[3])
    await forward(emulator, staff, pending)
    await factories.report(harness, citizens[4])  # waiting for verification: not an agency's

    photo, *words = await ask(emulator, staff, "/statistik")

    assert photo.media == "photo" and photo.caption == (
        "Grafik laporan 8 minggu terakhir, 12 Oktober 2026 sampai 6 Desember 2026. "
        "Angka yang sama ada dalam pesan berikut."
    )
    chart = emulator.store.files[photo.file_id].content()
    width, height = png_size(chart)
    assert width >= 1200 and height >= 500
    drawn = areas(chart)
    assert len(drawn) > 50, "not a blank or flat image"
    for status in (Status.MENUNGGU_VERIFIKASI, Status.DITERUSKAN, Status.DITINDAKLANJUTI):
        assert area_of(drawn, status) > 1000, f"{status} is drawn"
    for status in (Status.DITUNDA, Status.SELESAI, Status.BUKAN_WEWENANG):
        assert area_of(drawn, status) < 50, f"no report is {status}, so no bar of it"
    text = "\n".join(m.text or "" for m in words)
    assert text.startswith(
        "Statistik 8 minggu terakhir, 12 Oktober 2026 sampai 6 Desember 2026: 5 laporan masuk.\n"
        "Menurut saluran: Telegram 5, Open311 0, loket 0.\n"
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

    code = await factories.report(harness, citizen)
    await forward(emulator, staff, code)
    photo, *words = await ask(emulator, staff, "/statistik bulan")
    assert photo.media == "photo"
    assert len(words) == 2, "more than 400 characters go in two messages"
    assert "\n".join(m.text or "" for m in words) == (
        "Statistik 6 bulan terakhir, Juni 2026 sampai November 2026: 1 laporan masuk.\n"
        "Menurut saluran: Telegram 1, Open311 0, loket 0.\n"
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
    assert usage.text == (
        "Tulis minggu, bulan, atau kecamatan setelah perintahnya, misalnya: /statistik bulan"
    )


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


def test_the_chart_draws_each_bar_as_tall_as_its_figures() -> None:
    """Two charts on the same scale (their tallest bar is 4 reports): 1 report waiting in
    the first week, then 4; the second week's 4 done stay. An agency answered 3 of 4 on
    time, then 1 of 4."""
    window = window_for(Grouping.MINGGU, date(2026, 11, 25))
    waiting, done = (STATUS_ORDER.index(s) for s in (Status.MENUNGGU_VERIFIKASI, Status.SELESAI))

    def chart(waiting_count: int, on_time: int) -> dict[tuple[int, int, int], int]:
        counts = [[0] * len(STATUS_ORDER) for _ in window.starts]
        counts[0][waiting], counts[1][done] = waiting_count, 4
        agency = AgencyFigures("dishub", 5, on_time=on_time, late=4 - on_time, pending=0)
        figures = Figures(window, tuple(tuple(bar) for bar in counts), (agency,))
        words = ChartText(
            bars_title="Laporan per minggu", count_axis="Jumlah laporan",
            bars=tuple(f"{start:%d %b}" for start in window.starts),
            statuses=tuple(s.value for s in STATUS_ORDER), agencies_title="Tepat waktu",
            share_axis="Persen", agencies=("Dishub",), notes=(f"{on_time} dari 4",),
            no_agencies="-",
        )  # fmt: skip
        return areas(render_chart(figures, words))

    one, four = chart(1, on_time=3), chart(4, on_time=1)
    assert area_of(four, Status.MENUNGGU_VERIFIKASI) > 3 * area_of(one, Status.MENUNGGU_VERIFIKASI)
    assert area_of(one, Status.SELESAI) > 0
    assert area_of(four, Status.SELESAI) == pytest.approx(area_of(one, Status.SELESAI), rel=0.05)
    # The share bars: 75 percent, then 25 (no status in these charts shares their colour).
    share = rgb(SHARE_COLOUR)
    assert one[share] == pytest.approx(3 * four[share], rel=0.1)


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


# --- Who may ask, and what an agency's own group is told -----------------------------------

NOT_STAFF = "Hanya petugas di grup ini yang dapat menindaklanjuti laporan."
OFFICER = changes.Actor(Role.STAFF, user_id=6001, chat_id=-1001, name="Petugas Dishub")


@dataclass
class AgencyGroup:
    """The staff group, and Dishub's own group (its `chat_id` in the agencies file)."""

    bot: Harness
    staff: Chat
    verifier: User
    dishub: Chat
    officer: User


@pytest.fixture
async def agency_group(
    emulator: Emulator, database_url: str, clock: Clock, tmp_path: Path
) -> AsyncIterator[AgencyGroup]:
    verifier = emulator.add_user(first_name="Dina")
    officer = emulator.add_user(first_name="Agus")
    staff = emulator.add_supergroup(
        title="Staf Pengaduan", forum=True, members=[verifier], admins=[verifier]
    )
    dishub = emulator.add_supergroup(title="Dishub", members=[officer])
    agencies = agencies_with_own_group(tmp_path, "dishub", dishub.id)
    bot = Harness(emulator, database_url, clock, staff.id, overrides={"agencies_file": agencies})
    await bot.start()
    yield AgencyGroup(bot, staff, verifier, dishub, officer)
    await bot.stop()


async def ask_in(emulator: Emulator, chat: Chat, user: User, command: str) -> list[Message]:
    """Someone types a command in a chat; the bot's answers there."""
    before = len(emulator.bot_messages(chat))
    await user.say_in(chat, command, expect=1)
    await settled(emulator)
    return emulator.bot_messages(chat)[before:]


async def test_an_agencys_own_group_counts_only_the_reports_in_its_queue(
    emulator: Emulator, agency_group: AgencyGroup
) -> None:
    """Dishub's group is told of the reports its queue holds (as its API and topic show),
    not of those routed to it but unverified, handed back, archived, or another's."""
    services = agency_group.bot.services
    forwarded, started, handed_back = [await file(services) for _ in range(3)]  # dishub's
    for code in (forwarded, started, handed_back):
        await act(services, code, Action.FORWARD, agency="dishub")
    await act(services, started, Action.START, actor=OFFICER)
    await act(services, handed_back, Action.HAND_BACK, actor=OFFICER, text="Bukan kami.")
    waiting = await file(services, privacy=Privacy.RAHASIA)  # routed to dishub, unverified
    spam = await file(services)
    await act(services, spam, Action.ARCHIVE, text="Iklan, bukan laporan.")
    road = await file(services, category="jalan_rusak")
    await act(services, road, Action.FORWARD, agency="dsdabm")
    await settled(emulator)

    photo, *words = await ask_in(emulator, agency_group.staff, agency_group.verifier, "/statistik")
    everything = "\n".join(m.text or "" for m in words)
    assert "6 laporan masuk." in everything, "the staff group sees every report"

    photo, *words = await ask_in(emulator, agency_group.dishub, agency_group.officer, "/statistik")
    assert photo.media == "photo"
    text = "\n".join(m.text or "" for m in words)
    assert text.startswith(
        "Statistik 8 minggu terakhir, 5 Oktober 2026 sampai 29 November 2026: 2 laporan masuk.\n"
    )
    assert "Minggu mulai 23 November 2026: 2 laporan. Diteruskan 1, Ditindaklanjuti 1.\n" in text
    assert text.endswith(
        "Tanggapan pertama instansi atas laporan yang diteruskan:\n"
        "Dishub: 2 laporan diteruskan, batas tanggapan 5 hari kerja. "
        "Tepat waktu 1, Terlambat 0, Belum jatuh tempo 1. Tepat waktu 100 persen."
    )
    assert "DSDABM" not in text and "Menunggu verifikasi" not in text

    [document] = await ask_in(emulator, agency_group.dishub, agency_group.officer, "/ekspor")
    data = emulator.store.files[document.file_id].content().decode("utf-8")
    rows = list(csv.reader(io.StringIO(data)))[1:]
    assert sorted(row[0] for row in rows) == sorted(format_code(c) for c in (forwarded, started))
    for other in (handed_back, waiting, spam, road):
        assert format_code(other) not in data


async def test_statistics_are_refused_to_anyone_who_is_not_staff_and_show_no_figures(
    emulator: Emulator, agency_group: AgencyGroup
) -> None:
    services = agency_group.bot.services
    code = await file(services)
    await act(services, code, Action.FORWARD, agency="dishub")
    await settled(emulator)

    # Someone who has left the staff group (or Dishub's) by the time the bot asks Telegram.
    for chat in (agency_group.staff, agency_group.dishub):
        for command in ("/statistik", "/ekspor 2026-11"):
            stranger = emulator.add_user(first_name="Rudi")
            emulator.add_group_member(chat, stranger)
            before = len(emulator.bot_messages(chat))
            typed = emulator.script.act_say(stranger, command, chat=chat)
            emulator.remove_group_member(chat, stranger)
            await emulator.script.wait(typed, expect=1)
            await settled(emulator)
            [refusal] = [m for m in emulator.bot_messages(chat)[before:] if m.thread_id is None]
            assert (refusal.media, refusal.text) == (None, NOT_STAFF), (chat.title, command)

    # A staff group's administrator in a private chat with the bot, and a group it does not
    # serve: neither is a staff chat. That group is only pointed to the private chat.
    verifier = agency_group.verifier
    outsiders = emulator.add_supergroup(title="Warga RW 5", members=[verifier])
    for command in ("/statistik", "/statistik bulan", "/ekspor", "/ekspor 2026-11"):
        for message in await verifier.say(command):
            assert message.media is None, command
            assert "laporan masuk" not in (message.text or ""), command
        [pointer] = await verifier.say_in(outsiders, command, expect=1)
        assert pointer.media is None, command
        assert (pointer.text or "").startswith("Maaf, layanan pengaduan"), command
    await settled(emulator)
    assert len(emulator.bot_messages(outsiders)) == 4, "one answer each, no file"
    shown = emulator.bot_messages(verifier)
    assert shown, "the private chat is answered (by the citizens' menu)"
    assert all(m.media is None and format_code(code) not in (m.text or "") for m in shown)

    async with services.sessionmaker() as session:
        entries = (
            (
                await session.execute(
                    select(AuditEntry).where(AuditEntry.action.in_(("statistik", "ekspor")))
                )
            )
            .scalars()
            .all()
        )
    assert [(e.action, e.allowed) for e in entries] == [
        ("statistik", False), ("ekspor", False), ("statistik", False), ("ekspor", False),
    ]  # fmt: skip
