"""Levels through the emulator: a kelurahan passes a report up to its kecamatan, the
kecamatan up to the city agency or back down, each unit only its own; the deadline watch
passes a late report one level up; the citizen is told at each step; /statistik gives each
office's on-time share by level."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from telegram import Bot, BotCommandScopeChat

from bot.core.lifecycle import Privacy, Status
from bot.core.tracking import format_code
from bot.core.transitions import Action
from bot.language.i18n import load_locales
from bot.sandbox.emulator import Chat, Emulator, User
from bot.sandbox.emulator.group_admin import new_group
from bot.services import Services
from bot.settings import SAMPLE_AGENCIES_FILE, SAMPLE_AREAS_FILE, Settings
from bot.setup.wizard import Console, run_setup
from storage.models import AuditEntry, Report, UnitTurn
from storage.statistics import turn_standing
from tests import factories
from tests.a11y import assert_accessible
from tests.api_helpers import act
from tests.harness import TOKEN, Clock, Harness
from tests.staff_helpers import Staff, card_of, settled, staff_of, topic_named
from tests.steps import reports, texts
from tests.test_deadlines import watch, wib
from tests.test_setup import QUICK, Screen
from tests.test_statistics import OFFICER, ask_in

DAGO, COBLONG = "32.73.02.1004", "32.73.02"
DAGO_UNIT, COBLONG_UNIT = "kel_3273021004", "kec_327302"
DAGO_TOPIC, COBLONG_TOPIC = "Kelurahan Dago, Kecamatan Coblong", "Kecamatan Coblong"
UP_TO_COBLONG, UP_TO_DSDABM = "Naikkan ke Kecamatan Coblong", "Naikkan ke DSDABM"
DOWN_TO_DAGO = "Turunkan ke Kelurahan Dago"


@pytest.fixture
async def city(emulator: Emulator, database_url: str, clock: Clock) -> AsyncIterator[Harness]:
    """The bot with the sample city's areas (Kota Bandung): an office for each of its 30
    kecamatan and 151 kelurahan."""
    group = emulator.add_supergroup(title="Staf Pengaduan", forum=True)
    bot = Harness(
        emulator, database_url, clock, group.id, overrides={"areas_file": SAMPLE_AREAS_FILE}
    )
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture
def city_staff(city: Harness, emulator: Emulator) -> Staff:
    """Dina, a verifier (an administrator), and Agus, an officer, in the staff group."""
    return staff_of(city, emulator)


DRAIN = (
    "Selokan di depan rumah nomor 5 tersumbat dan meluap setiap hujan, "
    "sehingga genangan menutup jalan."
)
PLACE = "Jalan Ir. H. Juanda nomor 5, Kel. Dago"


async def the_report(harness: Harness, code: int) -> Report:
    [report] = [r for r in await reports(harness) if r.code == code]
    return report


def citizen_last(emulator: Emulator, citizen: User) -> str:
    return texts(emulator.bot_messages(citizen))[-1]


async def typed(emulator: Emulator, chat: Chat, user: User, text: str) -> str:
    """A staff member types a command; the bot's one answer in that chat."""
    before = len(emulator.bot_messages(chat))
    await user.say_in(chat, text, expect=0)
    await settled(emulator)
    answers = emulator.bot_messages(chat)[before:]
    assert answers, f"no answer to {text!r}"
    return answers[-1].text or ""


async def test_staff_pass_a_report_up_and_down_and_the_citizen_is_told_each_time(
    city: Harness, emulator: Emulator, citizen: User, city_staff: Staff
) -> None:
    harness, staff = city, city_staff
    code = await factories.report(
        harness, citizen, content=DRAIN, category="drainase", location=PLACE, kelurahan=DAGO
    )
    shown = format_code(code)
    await typed(emulator, staff.group, staff.verifier, f"/teruskan {shown} {DAGO_UNIT}")
    assert citizen_last(emulator, citizen).startswith(
        f"Status laporan {shown}: Diteruskan ke Kelurahan Dago, Kecamatan Coblong;"
    )
    dago = topic_named(staff.group, DAGO_TOPIC)
    card = card_of(emulator, staff.group, code, dago)
    assert UP_TO_COBLONG in card.button_labels
    assert not any(label.startswith("Turunkan") for label in card.button_labels)

    await staff.officer.press_in(staff.group, card.message_id, UP_TO_COBLONG, expect=0)
    await settled(emulator)
    assert emulator.callback_answers[-1].show_alert
    assert citizen_last(emulator, citizen).startswith(
        f"Status laporan {shown}: Diteruskan ke Kecamatan Coblong;"
    )
    coblong = topic_named(staff.group, COBLONG_TOPIC)
    card = card_of(emulator, staff.group, code, coblong)
    assert {UP_TO_DSDABM, DOWN_TO_DAGO} <= set(card.button_labels)
    assert (await the_report(harness, code)).agency == COBLONG_UNIT

    # A press drawn before the report moved (it names Coblong, where the report is now) is
    # refused, not applied a second time.
    rows = card.reply_markup["inline_keyboard"]
    stale = next(button for row in rows for button in row if button["text"] == UP_TO_DSDABM)
    stale["callback_data"] = f"r1:naikkan:{code}:{COBLONG_UNIT}"
    await staff.officer.press_in(staff.group, card.message_id, UP_TO_DSDABM, expect=0)
    await settled(emulator)
    assert emulator.callback_answers[-1].text == (
        f"Laporan {shown} berstatus Diteruskan ke Kecamatan Coblong, "
        "jadi tindakan ini tidak bisa dilakukan."
    )
    assert (await the_report(harness, code)).agency == COBLONG_UNIT

    await staff.officer.press_in(staff.group, card.message_id, DOWN_TO_DAGO, expect=0)
    await settled(emulator)
    assert citizen_last(emulator, citizen).startswith(
        f"Status laporan {shown}: Diteruskan ke Kelurahan Dago, Kecamatan Coblong;"
    )
    assert (await the_report(harness, code)).agency == DAGO_UNIT

    answer = await typed(
        emulator, staff.group, staff.officer, f"/naikkan {shown} Perlu alat berat kecamatan."
    )
    assert answer.startswith(f"Laporan {shown}: Diteruskan ke Kecamatan Coblong. Oleh Agus.")
    told = citizen_last(emulator, citizen)
    assert "Diteruskan ke Kecamatan Coblong" in told
    assert "Keterangan petugas: Perlu alat berat kecamatan." in told
    await typed(emulator, staff.group, staff.officer, f"/naikkan {shown}")
    assert citizen_last(emulator, citizen).startswith(
        f"Status laporan {shown}: Diteruskan ke Dinas Sumber Daya Air dan Bina Marga;"
    )
    card = card_of(emulator, staff.group, code, topic_named(staff.group, DSDABM_TOPIC))
    assert not any(label.startswith(("Naikkan", "Turunkan")) for label in card.button_labels)
    refused = await typed(emulator, staff.group, staff.officer, f"/naikkan {shown}")
    assert refused.startswith(f"Laporan {shown} sudah di tingkat kota")
    refused = await typed(emulator, staff.group, staff.officer, f"/turunkan {shown}")
    assert refused.startswith(f"Laporan {shown} tidak bisa diturunkan")

    report = await the_report(harness, code)
    assert (report.agency, report.status) == ("dsdabm", Status.DITERUSKAN)
    async with harness.services.sessionmaker() as session:
        audited = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.allowed).where(
                    AuditEntry.report_id == report.id
                )
            )
        ).all()
    moves = [(a, ok) for a, ok in audited if a in ("naikkan", "turunkan")]
    assert moves == [
        ("naikkan", True),
        ("naikkan", False),
        ("turunkan", True),
        ("naikkan", True),
        ("naikkan", True),
        ("naikkan", False),
        ("turunkan", False),
    ]
    assert_accessible(emulator.bot_messages(citizen))


DSDABM_TOPIC = "Dinas Sumber Daya Air dan Bina Marga"


@dataclass
class Offices:
    """The staff group, and Kelurahan Dago's and Kecamatan Coblong's own groups."""

    bot: Harness
    staff: Chat
    verifier: User
    dago: Chat
    lurah: User
    coblong: Chat
    camat: User


def with_offices(tmp_path: Path, dago: int, coblong: int) -> Path:
    text = SAMPLE_AGENCIES_FILE.read_text(encoding="utf-8")
    text += (
        f'\n[[offices]]\narea = "{DAGO}"\nchat_id = {dago}\n'
        f'\n[[offices]]\narea = "{COBLONG}"\nchat_id = {coblong}\nfirst_response_days = 3\n'
    )
    path = tmp_path / "agencies.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
async def offices(
    emulator: Emulator, database_url: str, clock: Clock, tmp_path: Path
) -> AsyncIterator[Offices]:
    verifier = emulator.add_user(first_name="Dina")
    lurah = emulator.add_user(first_name="Asep")
    camat = emulator.add_user(first_name="Euis")
    staff = emulator.add_supergroup(
        title="Staf Pengaduan", forum=True, members=[verifier], admins=[verifier]
    )
    dago = emulator.add_supergroup(title="Kelurahan Dago", members=[lurah])
    coblong = emulator.add_supergroup(title="Kecamatan Coblong", members=[camat])
    agencies = with_offices(tmp_path, dago.id, coblong.id)
    overrides = {"agencies_file": agencies, "areas_file": SAMPLE_AREAS_FILE}
    bot = Harness(emulator, database_url, clock, staff.id, overrides=overrides)
    await bot.start()
    yield Offices(bot, staff, verifier, dago, lurah, coblong, camat)
    await bot.stop()


async def test_only_the_office_that_has_the_report_may_pass_it_on(
    emulator: Emulator, offices: Offices, citizen: User
) -> None:
    harness = offices.bot
    code = await factories.report(
        harness, citizen, content=DRAIN, category="drainase", location=PLACE, kelurahan=DAGO
    )
    shown = format_code(code)
    await typed(emulator, offices.staff, offices.verifier, f"/teruskan {shown} {DAGO_UNIT}")
    card = card_of(emulator, offices.dago, code)
    assert UP_TO_COBLONG in card.button_labels

    # Not yet the kecamatan's: its group learns nothing of it, as of a code no report has.
    answer = await typed(emulator, offices.coblong, offices.camat, f"/naikkan {shown}")
    assert answer.startswith("Tulis kode laporan")
    assert (await the_report(harness, code)).agency == DAGO_UNIT

    await offices.lurah.press_in(offices.dago, card.message_id, UP_TO_COBLONG, expect=0)
    await settled(emulator)
    report = await the_report(harness, code)
    assert report.agency == COBLONG_UNIT
    deadline = harness.services.calendar.add_working_days(harness.clock.now, 3)
    assert report.deadline_at == deadline, "the kecamatan's own limit, from now"
    card = card_of(emulator, offices.coblong, code)
    assert DOWN_TO_DAGO in card.button_labels
    # The kelurahan passed it on: it is no longer the kelurahan's to move.
    answer = await typed(emulator, offices.dago, offices.lurah, f"/turunkan {shown}")
    assert answer.startswith("Tulis kode laporan")

    await offices.camat.press_in(offices.coblong, card.message_id, DOWN_TO_DAGO, expect=0)
    await settled(emulator)
    assert (await the_report(harness, code)).agency == DAGO_UNIT
    assert citizen_last(emulator, citizen).startswith(
        f"Status laporan {shown}: Diteruskan ke Kelurahan Dago, Kecamatan Coblong;"
    )
    async with harness.services.sessionmaker() as session:
        refused = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.detail).where(~AuditEntry.allowed)
            )
        ).all()
    assert refused == [("naikkan", "other_agency"), ("turunkan", "other_agency")]


async def watched(harness: Harness, emulator: Emulator, now: datetime) -> None:
    """The deadline watch runs at `now`, and what it sent is delivered."""
    harness.clock.now = now
    await watch(harness)
    await harness.dispatcher.drain()
    await settled(emulator)


async def test_the_deadline_watch_passes_a_late_report_up_one_level_at_a_time(
    city: Harness, emulator: Emulator, citizen: User, city_staff: Staff
) -> None:
    harness, staff = city, city_staff
    harness.clock.now = wib(2026, 11, 30, 9, 0)  # a Monday
    code = await factories.report(
        harness, citizen, content=DRAIN, category="drainase", location=PLACE, kelurahan=DAGO
    )
    await act(harness.services, code, Action.FORWARD, agency=DAGO_UNIT)
    await harness.dispatcher.drain()
    await settled(emulator)
    shown = format_code(code)

    await watched(harness, emulator, wib(2026, 12, 8, 8, 0))  # five working days have passed
    report = await the_report(harness, code)
    assert (report.agency, report.status) == (COBLONG_UNIT, Status.DITERUSKAN)
    assert report.deadline_at == wib(2026, 12, 15, 23, 59, 59), "the kecamatan's five days"
    told = citizen_last(emulator, citizen)
    assert told.startswith(f"Status laporan {shown}: Diteruskan ke Kecamatan Coblong;")
    assert "Kelurahan Dago belum menanggapi sampai batas waktunya" in told
    # Both units are told: the kelurahan's card says where it went, the kecamatan has it.
    dago_texts = texts(emulator.bot_messages(staff.group, topic_named(staff.group, DAGO_TOPIC)))
    assert any("Diteruskan ke Kecamatan Coblong" in text for text in dago_texts)
    card = card_of(emulator, staff.group, code, topic_named(staff.group, COBLONG_TOPIC))
    assert "Oleh sistem" in (card.text or "")
    eskalasi = texts(emulator.bot_messages(staff.group, topic_named(staff.group, "Eskalasi")))
    assert any(text.startswith(f"Eskalasi: laporan {shown}") for text in eskalasi)

    # The kecamatan takes it up; its 60 days count from when it was given the report.
    await act(harness.services, code, Action.START, actor=OFFICER)
    report = await the_report(harness, code)
    assert report.deadline_at == wib(2026, 12, 8, 8, 0) + timedelta(days=60)
    await watched(harness, emulator, wib(2027, 2, 8, 8, 0))
    report = await the_report(harness, code)
    assert (report.agency, report.status) == ("dsdabm", Status.DITERUSKAN)
    assert "Kecamatan Coblong belum menanggapi" in citizen_last(emulator, citizen)

    # At the city's level the watch escalates as before: told, not moved.
    await watched(harness, emulator, wib(2027, 2, 19, 8, 0))
    report = await the_report(harness, code)
    assert (report.agency, report.escalated_at) == ("dsdabm", harness.clock.now)
    assert "terlambat ditindaklanjuti" in citizen_last(emulator, citizen)
    assert_accessible(emulator.bot_messages(citizen))

    async with harness.services.sessionmaker() as session:
        turns = (
            await session.execute(
                select(UnitTurn.unit, UnitTurn.escalated, UnitTurn.responded_at.is_not(None))
                .join(Report, Report.id == UnitTurn.report_id)
                .where(Report.code == code)
                .order_by(UnitTurn.id)
            )
        ).all()
    assert turns == [
        (DAGO_UNIT, True, False),
        (COBLONG_UNIT, True, True),
        ("dsdabm", False, False),
    ]

    said = "\n".join(texts(await ask_in(emulator, staff.group, staff.verifier, "/statistik bulan")))
    assert "Semua kecamatan: 1 laporan diteruskan. Tepat waktu 100 persen." in said
    assert "Semua kelurahan: 1 laporan diteruskan. Tepat waktu 0 persen." in said
    assert "Kelurahan Dago: 1 laporan diteruskan, batas tanggapan 5 hari kerja." in said


@pytest.mark.parametrize(
    ("category", "kelurahan", "routed"),
    [
        ("drainase", DAGO, (DAGO_UNIT, "Teruskan ke Kelurahan Dago")),
        ("pkl_ketertiban", DAGO, (COBLONG_UNIT, "Teruskan ke Kecamatan Coblong")),
        ("jalan_rusak", DAGO, ("dsdabm", "Teruskan ke DSDABM")),
        ("drainase", None, ("dsdabm", "Teruskan ke DSDABM")),
        ("listrik", DAGO, ("diskominfo", "Teruskan ke Diskominfo")),
    ],
)
async def test_a_report_is_routed_by_its_categorys_level_and_its_kelurahan(
    city: Harness,
    emulator: Emulator,
    category: str,
    kelurahan: str | None,
    routed: tuple[str, str],
) -> None:
    """As every channel files (the chat, Open311, the counter): the kelurahan's office for
    its categories, the kecamatan's for its own, the agency for the city's or where the
    place is not known (the verifiers answer what is outside the city's remit)."""
    services, (unit, button) = city.services, routed
    code = await factories.filed(
        services,
        content=DRAIN,
        category=category,
        location=PLACE,
        kelurahan=kelurahan,
        privacy=Privacy.BIASA,
        at=city.clock.now,
    )
    assert (await the_report(city, code)).agency == unit
    await city.dispatcher.drain()
    await settled(emulator)
    group = emulator.chat(city.admin_chat_id)
    card = card_of(emulator, group, code, topic_named(group, "Verifikasi"))
    assert button in card.button_labels


async def test_setup_checks_the_offices_own_groups_and_gives_them_the_staff_menu(
    emulator: Emulator, tmp_path: Path
) -> None:
    owner = emulator.add_user(first_name="Rina")
    staff = emulator.add_supergroup("Staf Pengaduan", forum=True, owner=owner)
    dago = emulator.add_supergroup("Kelurahan Dago", owner=owner)
    coblong = new_group(emulator, "Kecamatan Coblong", owner, supergroup=True)  # no bot yet
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        admin_chat_id=staff.id,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}",
        telegram_base_url=emulator.base_url,
        telegram_base_file_url=emulator.base_file_url,
        agencies_file=with_offices(tmp_path, dago.id, coblong.id),
        areas_file=SAMPLE_AREAS_FILE,
        _env_file=None,  # type: ignore[call-arg]
    )
    screen = Screen()
    await run_setup(settings, Console(load_locales().get("id"), screen.write), None, QUICK)
    assert (
        f"Kecamatan Coblong: bot belum ada di grupnya sendiri, id {coblong.id} di berkas instansi."
        in screen.text()
    )
    assert "Kelurahan Dago, Kecamatan Coblong: bot belum ada" not in screen.text()
    async with Bot(TOKEN, base_url=emulator.base_url) as bot:
        menu = await bot.get_my_commands(scope=BotCommandScopeChat(dago.id))
    assert {"naikkan", "turunkan"} <= {command.command for command in menu}


async def test_an_office_is_judged_only_on_its_own_turns(
    city: Harness, emulator: Emulator, city_staff: Staff
) -> None:
    """Taken from the kelurahan by the verifiers before its limit: not the kelurahan's to
    answer for. Answered by the kelurahan in time: on time, wherever the report went after."""
    services = city.services
    city.clock.now = wib(2026, 11, 30, 9, 0)
    taken, answered = [await filed(services) for _ in range(2)]
    for code in (taken, answered):
        await act(services, code, Action.FORWARD, agency=DAGO_UNIT)
    await act(services, taken, Action.REASSIGN, agency="dsdabm")
    city.clock.now = wib(2026, 12, 1, 9, 0)
    await act(services, answered, Action.RAISE, actor=OFFICER)
    async with services.sessionmaker() as session:
        standings = (
            await session.execute(
                select(UnitTurn.unit, turn_standing(city.clock.now)).order_by(UnitTurn.id)
            )
        ).all()
    assert standings == [
        (DAGO_UNIT, "belum_diteruskan"),  # taken before its limit: not judged
        (DAGO_UNIT, "tepat_waktu"),  # passed up within its five days: its response
        ("dsdabm", "belum_jatuh_tempo"),
        (COBLONG_UNIT, "belum_jatuh_tempo"),
    ]
    await city.dispatcher.drain()
    said = "\n".join(
        texts(await ask_in(emulator, city_staff.group, city_staff.verifier, "/statistik"))
    )
    assert "Semua kelurahan: 1 laporan diteruskan. Tepat waktu 100 persen." in said
    assert "Semua kecamatan: 1 laporan diteruskan. Belum ada yang bisa dinilai." in said


async def filed(services: Services) -> int:
    """A blocked drain in Kelurahan Dago, filed through the intake core; its code."""
    return await factories.filed(
        services,
        content=DRAIN,
        category="drainase",
        location=PLACE,
        kelurahan=DAGO,
        privacy=Privacy.BIASA,
    )
