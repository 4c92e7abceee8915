"""One staff card per report, edited in place as the report changes (issue 14, item 11).

A verifier and an agency officer work a report from the staff group; each topic keeps one
card per report that always shows its status and only the buttons allowed now, a moved
report's old card says where it went, and a card Telegram will not edit is posted anew.
"""

from __future__ import annotations

import pytest

from bot.core.tracking import format_code
from bot.language.accessibility import MessageContext, check_message
from bot.sandbox.emulator import Chat, Emulator, Message, User
from tests import factories
from tests.a11y import assert_accessible
from tests.harness import Harness
from tests.staff_helpers import Staff, card_of, settled, topic_named
from tests.steps import texts

DSDABM = "Dinas Sumber Daya Air dan Bina Marga"
WAITING_BUTTONS = ["Teruskan ke DSDABM", "Instansi lain", "Tunda", "Bukan wewenang", "Arsipkan"]


def about(emulator: Emulator, group: Chat, code: int, thread_id: int | None) -> list[Message]:
    """The bot's messages in one topic that name the report."""
    shown = format_code(code)
    return [
        m for m in emulator.bot_messages(group, thread_id) if not m.is_service and shown in m.body
    ]


def last_alert(emulator: Emulator) -> tuple[str | None, bool]:
    answer = emulator.callback_answers[-1]
    return answer.text, answer.show_alert


async def test_each_topic_keeps_one_current_card_per_report(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    group = staff.group
    code = await factories.report(harness, citizen)
    shown = format_code(code)
    verifikasi = topic_named(group, "Verifikasi")
    card = card_of(emulator, group, code, verifikasi)
    assert card.button_labels == WAITING_BUTTONS

    await staff.verifier.press_in(group, card.message_id, "Teruskan ke DSDABM", expect=0)
    await settled(emulator)
    # The old card says where the report went, without buttons or the report's content.
    [left] = about(emulator, group, code, verifikasi)
    assert left.message_id == card.message_id and left.edited
    assert left.text == (
        f"Laporan {shown}: Diteruskan ke {DSDABM}. Oleh Dina.\n"
        f"Kartunya dipindah ke antrean {DSDABM}."
    )
    assert left.button_labels == []
    assert last_alert(emulator) == (
        f"Laporan {shown}: Diteruskan ke {DSDABM}. Kartunya dipindah ke antrean {DSDABM}.",
        True,
    )
    # The agency's topic gets the card, saying first what happened.
    agency = topic_named(group, DSDABM)
    [moved] = about(emulator, group, code, agency)
    assert (moved.text or "").startswith(
        f"Laporan {shown}: Diteruskan ke {DSDABM}. Oleh Dina.\nLaporan {shown}, Pengaduan.\n"
        f"Status: Diteruskan ke {DSDABM}."
    )
    assert moved.button_labels == ["Tindak lanjuti", "Kembalikan"]

    steps = (
        ("Tindak lanjuti", "Sedang ditindaklanjuti", ["Selesai", "Kembalikan"]),
        ("Selesai", "Selesai ditindaklanjuti", []),
    )
    for pressed, status, buttons in steps:
        await staff.officer.press_in(group, moved.message_id, pressed, expect=0)
        await settled(emulator)
        [current] = about(emulator, group, code, agency)
        assert current.message_id == moved.message_id, "edited, not posted again"
        assert (current.text or "").startswith(f"Laporan {shown}, Pengaduan.\nStatus: {status}.")
        assert current.button_labels == buttons
        assert last_alert(emulator) == (f"Laporan {shown}: {status}.", True)

    assert [len(about(emulator, group, code, topic)) for topic in (verifikasi, agency)] == [1, 1]
    posted = [c for c in emulator.calls("sendMessage") if c.chat_id == group.id]
    assert len(posted) == 2, "two cards posted in all; every other change was an edit"
    staff_side = [m for m in emulator.bot_messages(group) if not m.is_service]
    assert_accessible(staff_side, audience="staff")
    for answer in emulator.callback_answers:
        assert answer.text and check_message(answer.text, MessageContext(audience="staff")) == []


async def test_changes_made_elsewhere_are_told_where_people_look(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    """A command typed in the General topic is answered there; the card in Verifikasi is
    edited. The citizen's answer to a hold goes under the card, which is edited back to
    waiting, with no further note."""
    group = staff.group
    code = await factories.report(harness, citizen)
    shown = format_code(code)
    verifikasi = topic_named(group, "Verifikasi")
    card = card_of(emulator, group, code, verifikasi)

    await staff.verifier.say_in(
        group, f"/tunda {shown} Di depan rumah nomor berapa lubangnya?", expect=0
    )
    await settled(emulator)
    [answer] = [m for m in emulator.bot_messages(group) if m.thread_id is None]
    assert answer.text == f"Laporan {shown}: Ditunda, menunggu keterangan pelapor. Oleh Dina."
    [held] = about(emulator, group, code, verifikasi)
    assert held.message_id == card.message_id
    assert "Status: Ditunda, menunggu keterangan pelapor." in (held.text or "")
    assert held.button_labels == [], "nothing to do until the reporter answers"

    await citizen.say("Di depan rumah nomor 14.")
    await settled(emulator)
    waiting, addition = about(emulator, group, code, verifikasi)
    assert waiting.message_id == card.message_id
    assert "Status: Menunggu verifikasi." in (waiting.text or "")
    assert waiting.button_labels == WAITING_BUTTONS
    assert addition.reply_to_message_id == card.message_id
    assert (
        addition.text == f"Tambahan dari pelapor untuk laporan {shown}:\nDi depan rumah nomor 14."
    )
    assert_accessible(
        [m for m in emulator.bot_messages(group) if not m.is_service], audience="staff"
    )


@pytest.mark.parametrize(
    ("how", "refusal"),
    [
        ("deleted", "Bad Request: message to edit not found"),
        ("too_old", "Bad Request: message can't be edited"),
    ],
)
async def test_a_card_telegram_will_not_edit_is_posted_anew(
    harness: Harness, citizen: User, staff: Staff, how: str, refusal: str
) -> None:
    emulator, group = harness.emulator, staff.group
    code = await factories.report(harness, citizen)
    shown = format_code(code)
    card = card_of(emulator, group, code)
    await staff.verifier.press_in(group, card.message_id, "Teruskan ke DSDABM", expect=0)
    await settled(emulator)
    agency = topic_named(group, DSDABM)
    old = card_of(emulator, group, code, agency)

    if how == "deleted":
        emulator.delete_by_hand(group, old.message_id)
        await staff.officer.say_in(group, f"/tindaklanjuti {shown}", thread_id=agency, expect=0)
    else:
        emulator.edit_time_limit = 0.0
        await staff.officer.press_in(group, old.message_id, "Tindak lanjuti", expect=0)
    await settled(emulator)
    emulator.edit_time_limit = None

    refused = [c for c in emulator.calls("editMessageText") if c.status != 200]
    assert [c.description for c in refused] == [refusal]
    fresh = card_of(emulator, group, code, agency)
    assert fresh.message_id > old.message_id
    assert "Status: Sedang ditindaklanjuti." in (fresh.text or "")
    assert fresh.button_labels == ["Selesai", "Kembalikan"]

    # The new card is the report's card: a reply to it reaches the citizen, and the next
    # change edits it.
    await staff.officer.say_in(
        group, "Lubang akan ditambal besok pagi.", thread_id=agency, reply_to=fresh.message_id,
        expect=0,
    )  # fmt: skip
    await settled(emulator)
    assert "Lubang akan ditambal besok pagi." in texts(emulator.bot_messages(citizen))[-1]
    await staff.officer.press_in(group, fresh.message_id, "Selesai", expect=0)
    await settled(emulator)
    assert card_of_any(emulator, group, code, agency)[-1].message_id == fresh.message_id
    assert "Status: Selesai ditindaklanjuti." in (
        emulator.message(group, fresh.message_id).text or ""
    )


def card_of_any(emulator: Emulator, group: Chat, code: int, thread_id: int) -> list[Message]:
    """The report's cards in a topic, with or without buttons (not notes or files)."""
    return [m for m in about(emulator, group, code, thread_id) if "Status: " in m.body]
