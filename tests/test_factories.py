"""The factory of reports (tests/factories.py) makes what a citizen's typed filing makes:
the tests that start from it stand on the same report, card and reporter."""

from __future__ import annotations

from bot.core.lifecycle import Status
from bot.core.tracking import format_code
from bot.core.transitions import Action
from bot.sandbox.emulator import Emulator, User
from storage.models import Report, Reporter
from tests import factories
from tests.harness import Harness
from tests.staff_helpers import Staff, card_of, topic_named
from tests.steps import file_report, reports, texts

# What a test reads of a report; the code and the reporter differ by design.
COLUMNS = (
    "channel",
    "classification",
    "content",
    "category",
    "agency",
    "location_text",
    "incident_date",
    "anonymous",
    "confidential",
    "status",
    "locale",
    "created_at",
    "deadline_at",
)


def facts(report: Report) -> dict[str, object]:
    return {column: getattr(report, column) for column in COLUMNS} | {
        "events": [(e.actor, e.from_status, e.to_status) for e in report.events],
        "attachments": len(report.attachments),
    }


async def test_a_made_report_is_the_report_the_chat_files(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    typed = await file_report(citizen)
    await emulator.wait_idle()
    budi = emulator.add_user(first_name="Budi", username="budi")
    made = await factories.report(harness, budi)

    by_chat, by_factory = await reports(harness)
    assert facts(by_factory) == facts(by_chat)
    verifikasi = topic_named(staff.group, "Verifikasi")
    cards = [card_of(emulator, staff.group, code, verifikasi) for code in (typed, made)]
    assert cards[1].text == (cards[0].text or "").replace(format_code(typed), format_code(made))
    assert cards[1].button_labels == cards[0].button_labels
    async with harness.services.sessionmaker() as session:
        siti, theirs = [await session.get(Reporter, r.reporter_id) for r in (by_chat, by_factory)]
    assert theirs is not None and siti is not None
    assert (theirs.chat_id, theirs.context, theirs.locale) == (budi.id, siti.context, siti.locale)
    # The next chat turn finds the report and its reporter.
    await budi.say("cek status")
    status = texts(await budi.say(format_code(made)))[0]
    assert status.startswith(f"Status laporan {format_code(made)}: Menunggu verifikasi")


async def test_a_made_report_moves_as_its_cards_buttons_move_it(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await factories.report(harness, citizen, then=[Action.FORWARD])
    agency_topic = topic_named(staff.group, "Dinas Sumber Daya Air dan Bina Marga")
    card = card_of(emulator, staff.group, code, agency_topic)
    assert card.button_labels == ["Tindak lanjuti", "Kembalikan"]
    notice = texts(emulator.bot_messages(citizen))[-1]
    assert notice.startswith(f"Status laporan {format_code(code)}: Diteruskan ke Dinas Sumber")

    await staff.officer.press_in(staff.group, card.message_id, "Tindak lanjuti", expect=0)
    await emulator.wait_idle()
    [report] = await reports(harness)
    assert report.status is Status.DITINDAKLANJUTI
