"""Staff commands, presses and replies in an agency's own group: its queue, nothing else.

An agency's queue is what it handles: reports forwarded to it and still with it (as its API
and its statistics count them). Anything else is answered there as a code no report has.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass

from sqlalchemy import select

from bot.core.lifecycle import Privacy, Status
from bot.core.tracking import damm_check_digit, format_code
from bot.core.transitions import Action
from bot.sandbox.emulator import Chat, Emulator, Message, User
from storage import reports as report_store
from storage.models import AuditEntry
from tests.api_helpers import CONTENT, act, add_reporter, file, report
from tests.staff_helpers import card_of, settled
from tests.test_statistics import OFFICER, AgencyGroup, agency_group, ask_in

__all__ = ["agency_group"]  # the fixture: the staff group, and Dishub's own group

SECRET = "Petugas loket parkir Kosambi meminta uang tambahan tanpa karcis setiap pagi."
NOT_FOUND = "Laporan dengan kode itu tidak ditemukan."


@dataclass
class Reports:
    """Reports of every kind around Dishub's queue (category lampu_rambu is Dishub's)."""

    forwarded: int
    started: int
    done: int
    waiting: int  # routed to Dishub, rahasia, not verified yet
    held: int
    handed_back: int
    archived: int
    road: int  # forwarded to DSDABM

    @property
    def in_queue(self) -> set[int]:
        return {self.forwarded, self.started, self.done}

    @property
    def outside(self) -> list[int]:
        return [self.waiting, self.held, self.handed_back, self.archived, self.road]


async def put_reports(group: AgencyGroup) -> Reports:
    """The reports, put where they stand through the core, their cards delivered."""
    services = group.bot.services
    forwarded, started, done, handed_back = [await file(services) for _ in range(4)]
    for code in (forwarded, started, done, handed_back):
        await act(services, code, Action.FORWARD, agency="dishub")
    for code in (started, done):
        await act(services, code, Action.START, actor=OFFICER)
    await act(services, done, Action.COMPLETE, actor=OFFICER, text="Lampu sudah diganti.")
    await act(services, handed_back, Action.HAND_BACK, actor=OFFICER, text="Bukan kami.")
    waiting = await file(services, privacy=Privacy.RAHASIA, content=SECRET)
    held = await file(services)
    await act(services, held, Action.HOLD, text="Di tiang nomor berapa lampunya?")
    archived = await file(services)
    await act(services, archived, Action.ARCHIVE, text="Iklan, bukan laporan.")
    road = await file(services, category="jalan_rusak")
    await act(services, road, Action.FORWARD, agency="dsdabm")
    await delivered(group)
    return Reports(forwarded, started, done, waiting, held, handed_back, archived, road)


def codes_in(message: Message) -> set[int]:
    """The tracking codes a message names."""
    return {int(a + b) for a, b in re.findall(r"\b(\d{3})-(\d{4})\b", message.text or "")}


def unused_code(taken: set[int]) -> int:
    """A well-formed tracking code no report has."""
    for six in range(726418, 999999):
        code = int(f"{six}{damm_check_digit(str(six))}")
        if code not in taken:
            return code
    raise AssertionError("no free code")


async def one_answer(emulator: Emulator, chat: Chat, user: User, command: str) -> str:
    """The one message the bot answers a command with."""
    [answer] = await ask_in(emulator, chat, user, command)
    return answer.text or ""


async def refusals(group: AgencyGroup) -> list[tuple[str, int | None, str | None]]:
    """The refused actions in the audit log: (action, report id, reason)."""
    async with group.bot.services.sessionmaker() as session:
        query = select(AuditEntry).where(~AuditEntry.allowed).order_by(AuditEntry.id)
        entries = (await session.execute(query)).scalars().all()
    return [(e.action, e.report_id, e.detail) for e in entries]


async def delivered(group: AgencyGroup) -> None:
    """Every card and notice the changes above made is sent (they did not wake the bot)."""
    await group.bot.dispatcher.drain()
    await settled(group.bot.emulator)


async def report_id(group: AgencyGroup, code: int) -> int:
    """A report's id, as the audit log names it."""
    return (await report(group.bot.services, code)).id


async def events_of(group: AgencyGroup, code: int) -> int:
    """How many timeline events a report has."""
    async with group.bot.services.sessionmaker() as session:
        found = await report_store.by_code(session, code)
        return len(await report_store.timeline(session, found.id))


async def test_the_queue_in_an_agencys_group_is_its_own(
    emulator: Emulator, agency_group: AgencyGroup
) -> None:
    """/antrean in Dishub's group lists its open queue; another agency's is answered as an
    unknown one's, with nothing in it. The staff group sees every queue."""
    reports = await put_reports(agency_group)
    dishub, officer = agency_group.dishub, agency_group.officer
    [queue] = await ask_in(emulator, dishub, officer, "/antrean")
    assert (queue.text or "").startswith("Antrean laporan terbuka")
    assert codes_in(queue) == {reports.forwarded, reports.started}
    empty = "Tidak ada laporan terbuka di antrean ini."
    assert await one_answer(emulator, dishub, officer, "/antrean tidakada") == empty
    assert await one_answer(emulator, dishub, officer, "/antrean dsdabm") == empty
    assert codes_in(*await ask_in(emulator, dishub, officer, "/antrean Dishub")) == codes_in(queue)

    staff, verifier = agency_group.staff, agency_group.verifier
    [everything] = await ask_in(emulator, staff, verifier, "/antrean")
    opened = {reports.forwarded, reports.started, reports.waiting, reports.held}
    assert codes_in(everything) == opened | {reports.handed_back, reports.road}
    [roads] = await ask_in(emulator, staff, verifier, "/antrean dsdabm")
    assert codes_in(roads) == {reports.road}
    assert await refusals(agency_group) == [
        ("antrean", None, "other_agency"),
        ("antrean", None, "other_agency"),
    ]


async def test_a_report_or_search_in_an_agencys_group_shows_only_its_queue(
    emulator: Emulator, agency_group: AgencyGroup
) -> None:
    """/laporan of a report outside Dishub's queue is answered as a code no report has,
    the rahasia content unshown; /cari finds only its queue. The staff group sees all."""
    reports = await put_reports(agency_group)
    dishub, officer = agency_group.dishub, agency_group.officer
    nowhere = unused_code({*reports.in_queue, *reports.outside})
    unknown = await one_answer(emulator, dishub, officer, f"/laporan {format_code(nowhere)}")
    assert unknown == "Tulis kode laporan, misalnya: /laporan 726-4183"
    for code in reports.outside:
        assert await one_answer(emulator, dishub, officer, f"/laporan {code}") == unknown, code
    for code in reports.in_queue:
        shown = await one_answer(emulator, dishub, officer, f"/laporan {code}")
        assert shown.startswith(f"Laporan {format_code(code)}, Pengaduan."), code
    [found] = await ask_in(emulator, dishub, officer, "/cari kosambi")
    assert codes_in(found) == reports.in_queue
    assert all(SECRET not in (m.text or "") for m in emulator.bot_messages(dishub))

    staff, verifier = agency_group.staff, agency_group.verifier
    [everything] = await ask_in(emulator, staff, verifier, "/cari kosambi")
    assert codes_in(everything) == {*reports.in_queue, *reports.outside}
    secret = await one_answer(emulator, staff, verifier, f"/laporan {reports.waiting}")
    assert SECRET in secret, "the staff group sees every report"

    expected = [("laporan", None, "not_found")]
    expected += [
        ("laporan", await report_id(agency_group, c), "other_agency") for c in reports.outside
    ]
    assert await refusals(agency_group) == expected


async def test_typed_actions_in_an_agencys_group_reach_only_its_queue(
    emulator: Emulator, agency_group: AgencyGroup
) -> None:
    """An action command on a report outside Dishub's queue changes nothing and is answered
    as one on a code no report has, whatever the status or the role it would need."""
    reports = await put_reports(agency_group)
    dishub, officer = agency_group.dishub, agency_group.officer
    nowhere = format_code(unused_code({*reports.in_queue, *reports.outside}))
    tries = [
        ("tindaklanjuti", reports.handed_back, ""),
        ("kembalikan", reports.handed_back, " Bukan kami."),
        ("tindaklanjuti", reports.waiting, ""),
        ("tunda", reports.waiting, " Di mana tepatnya?"),
        ("arsipkan", reports.held, " Tidak lengkap."),
        ("selesai", reports.archived, " Sudah."),
        ("tindaklanjuti", reports.road, ""),
        ("blokir", reports.waiting, " Mengirim iklan."),
    ]
    before = {
        code: (await report(agency_group.bot.services, code)).status for code in reports.outside
    }
    expected: list[tuple[str, int | None, str | None]] = []
    for command, code, rest in tries:
        unknown = await one_answer(emulator, dishub, officer, f"/{command} {nowhere}{rest}")
        answer = await one_answer(emulator, dishub, officer, f"/{command} {code}{rest}")
        assert answer == unknown, (command, code, answer)
        expected.append((command, None, "not_found"))
        expected.append((command, await report_id(agency_group, code), "other_agency"))
    after = {
        code: (await report(agency_group.bot.services, code)).status for code in reports.outside
    }
    assert after == before
    assert await refusals(agency_group) == expected

    await officer.say_in(dishub, f"/tindaklanjuti {reports.forwarded}", expect=0)
    await settled(emulator)
    started = await report(agency_group.bot.services, reports.forwarded)
    assert started.status is Status.DITINDAKLANJUTI, "its own queue it acts on"


async def test_cards_left_in_an_agencys_group_act_only_while_in_its_queue(
    emulator: Emulator, agency_group: AgencyGroup
) -> None:
    """A handed-back report's old card in Dishub's group says where the report went and
    keeps none of it; a press on the buttons a client still shows, and a reply, are refused
    as for a report that does not exist, and change nothing; a forged press likewise."""
    services = agency_group.bot.services
    dishub, officer = agency_group.dishub, agency_group.officer
    reporter = await add_reporter(services)
    handed_back, forwarded = [await file(services, reporter_id=reporter) for _ in range(2)]
    for code in (handed_back, forwarded):
        await act(services, code, Action.FORWARD, agency="dishub")
    await delivered(agency_group)
    old_card = card_of(emulator, dishub, handed_back)
    shown_before = deepcopy(old_card.reply_markup)
    await act(services, handed_back, Action.HAND_BACK, actor=OFFICER, text="Bukan kami.")
    waiting = await file(services, privacy=Privacy.RAHASIA, content=SECRET)
    await delivered(agency_group)
    events = await events_of(agency_group, handed_back)
    left = emulator.message(dishub, old_card.message_id)
    assert left.text == (
        f"Laporan {format_code(handed_back)}: Menunggu verifikasi. Oleh Petugas Dishub.\n"
        "Kartunya dipindah ke antrean Verifikasi."
    )
    assert left.button_labels == [] and CONTENT not in str(left.raw)
    # A client that has not caught up with the edit still shows the old buttons.
    left.reply_markup = shown_before

    await officer.press_in(dishub, old_card.message_id, "Tindak lanjuti", expect=0)
    await officer.say_in(dishub, "Kami cek besok pagi.", reply_to=old_card.message_id, expect=0)
    forged = card_of(emulator, dishub, forwarded)
    button = forged.reply_markup["inline_keyboard"][0][0]
    genuine, button["callback_data"] = button["callback_data"], f"r1:tindaklanjuti:{waiting}"
    await officer.press_in(dishub, forged.message_id, button["text"], expect=0)
    await settled(emulator)
    button["callback_data"] = genuine

    alerts = [(a.text, a.show_alert) for a in emulator.callback_answers if a.text]
    assert alerts == [(NOT_FOUND, True), (NOT_FOUND, True)]
    assert (emulator.bot_messages(dishub)[-1].text or "") == NOT_FOUND
    assert all(SECRET not in (m.text or "") for m in emulator.bot_messages(dishub))
    moved = await report(services, handed_back)
    assert moved.status is Status.MENUNGGU_VERIFIKASI
    assert await events_of(agency_group, handed_back) == events, "nothing relayed or noted"
    assert (await report(services, waiting)).status is Status.MENUNGGU_VERIFIKASI
    assert await refusals(agency_group) == [
        ("press", moved.id, "other_agency"),
        ("reply", moved.id, "other_agency"),
        ("press", await report_id(agency_group, waiting), "other_agency"),
    ]

    await officer.press_in(dishub, forged.message_id, "Tindak lanjuti", expect=0)
    await settled(emulator)
    assert (await report(services, forwarded)).status is Status.DITINDAKLANJUTI
