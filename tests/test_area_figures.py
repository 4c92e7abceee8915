"""Figures by area: /statistik kecamatan in the staff group, and the export and the
agencies' API carrying each report's kecamatan and kelurahan."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import pytest

from bot.core.lifecycle import Privacy
from bot.core.transitions import Action, Role
from bot.sandbox.emulator import Emulator, Message
from bot.services import Services
from bot.settings import SAMPLE_AREAS_FILE
from bot.workflow import changes
from tests import factories
from tests.a11y import findings
from tests.api_helpers import act
from tests.harness import Clock, Harness
from tests.staff_helpers import Staff, settled, staff_of

OFFICER = changes.Actor(Role.STAFF, user_id=5002, chat_id=-1001, name="Agus")
DAGO, SEKELOA, BRAGA = "32.73.02.1004", "32.73.02.1005", "32.73.19.1001"


@pytest.fixture
async def city(emulator: Emulator, database_url: str, clock: Clock) -> AsyncIterator[Harness]:
    """The bot with the sample city's areas, and its staff group."""
    staff = emulator.add_user(first_name="Petugas", username="petugas")
    group = emulator.add_supergroup(
        title="Staf Pengaduan", forum=True, members=[staff], admins=[staff]
    )
    bot = Harness(
        emulator, database_url, clock, group.id, overrides={"areas_file": SAMPLE_AREAS_FILE}
    )
    await bot.start()
    yield bot
    await bot.stop()


async def file_in(services: Services, kelurahan: str | None) -> int:
    """A report filed through the intake core, placed in a kelurahan (or none); its code."""
    return await factories.filed(
        services,
        content="Saluran air tersumbat sampah sejak seminggu, air meluap ke jalan.",
        category="drainase",
        location="Jalan Dipatiukur",
        kelurahan=kelurahan,
        privacy=Privacy.BIASA,
    )


async def cards_sent(harness: Harness, emulator: Emulator) -> None:
    """The cards of reports filed through the core are sent before a command is typed."""
    assert harness.application is not None
    harness.application.bot_data.wake_dispatcher()
    await settled(emulator)


async def ask(emulator: Emulator, staff: Staff, command: str) -> list[Message]:
    """The bot's answers to a command (a card still being sent on a loaded machine is not
    one: cards carry buttons)."""
    before = len(emulator.bot_messages(staff.group))
    await staff.officer.say_in(staff.group, command, expect=1)
    await settled(emulator)
    said = emulator.bot_messages(staff.group)[before:]
    return [m for m in said if not m.reply_markup and not (m.text or "").startswith("Laporan ")]


async def test_statistik_kecamatan_counts_each_kecamatan_in_the_database(
    city: Harness, emulator: Emulator
) -> None:
    staff = staff_of(city, emulator)
    services = city.services
    coblong = [await file_in(services, code) for code in (DAGO, DAGO, SEKELOA)]
    await file_in(services, BRAGA)
    await file_in(services, None)
    # One Coblong report forwarded and taken up at once: on time.
    await act(services, coblong[0], Action.FORWARD, agency="dsdabm")
    await act(services, coblong[0], Action.START, actor=OFFICER)
    await cards_sent(city, emulator)
    [answer] = await ask(emulator, staff, "/statistik kecamatan")
    assert answer.text == (
        "Statistik 8 minggu terakhir, 5 Oktober 2026 sampai 29 November 2026: 5 laporan masuk.\n"
        "Laporan per kecamatan dan tanggapan pertamanya:\n"
        "Coblong: 3 laporan, 3 masih terbuka, 0 selesai. Tepat waktu 100 persen.\n"
        "Sumur Bandung: 1 laporan, 1 masih terbuka, 0 selesai. Belum ada yang bisa dinilai.\n"
        "Tanpa kelurahan: 1 laporan, 1 masih terbuka, 0 selesai. Belum ada yang bisa dinilai."
    )
    assert findings(answer.text or "", locale="id", audience="staff") == []
    [monthly] = await ask(emulator, staff, "/statistik bulan kecamatan")
    assert (monthly.text or "").startswith("Statistik 6 bulan terakhir, Juni 2026 sampai")
    [usage] = await ask(emulator, staff, "/statistik kecamatan kelurahan")
    assert usage.text == (
        "Tulis minggu, bulan, atau kecamatan setelah perintahnya, misalnya: /statistik bulan"
    )


async def test_statistik_kecamatan_in_a_city_without_areas(
    harness: Harness, emulator: Emulator
) -> None:
    staff = staff_of(harness, emulator)
    [answer] = await ask(emulator, staff, "/statistik kecamatan")
    assert answer.text == (
        "Kota ini belum memakai data wilayah, jadi laporan tidak bisa dihitung per kecamatan."
    )


async def test_the_export_carries_kecamatan_and_kelurahan(
    city: Harness, emulator: Emulator
) -> None:
    staff = staff_of(city, emulator)
    placed = await file_in(city.services, DAGO)
    await file_in(city.services, None)
    await cards_sent(city, emulator)
    [document] = await ask(emulator, staff, "/ekspor 2026-11")
    data = emulator.store.files[document.file_id].content()
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert header[-4:] == ["Kode kecamatan", "Kecamatan", "Kode kelurahan", "Kelurahan"]
    by_code = {row[0]: row for row in rows}
    assert by_code[f"{str(placed)[:3]}-{str(placed)[3:]}"][-4:] == [
        "32.73.02",
        "Coblong",
        "32.73.02.1004",
        "Dago",
    ]
    assert [row[-4:] for row in rows if row[0] != f"{str(placed)[:3]}-{str(placed)[3:]}"] == [
        ["", "", "", ""]
    ]
