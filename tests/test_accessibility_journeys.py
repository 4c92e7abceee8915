"""The longest recorded conversations, checked message by message by the checker.

A citizen's (tests/journeys.py: help, an error, category paging, changing an answer,
status, laporan saya) in Indonesian and in English; and a staff group's: cards and the
files under them, a note, refusals, a hold, the citizen's answer, the hint after a reply,
the typed commands, each checked by the rules for staff texts (bot/language/accessibility.py:
commands with the slash, a record's length a line at a time, "#726-4185" as the group's
tag; quoted words are their writers').
"""

from __future__ import annotations

import pytest

from bot.language.accessibility import MessageContext, check_message
from bot.sandbox.emulator import Emulator, User
from tests import journeys
from tests.a11y import assert_accessible, conversation_findings, findings
from tests.harness import Harness
from tests.staff_helpers import card_of, settled, staff_of
from tests.steps import texts

SWITCHED = "Language changed to English."


@pytest.mark.parametrize("locale", ["id", "en"])
async def test_a_citizens_longest_conversation_breaks_no_rule(
    harness: Harness, emulator: Emulator, citizen: User, locale: str
) -> None:
    confirmation = await journeys.walk(citizen, locale)
    messages = emulator.bot_messages(citizen)
    said = texts(messages)
    first = said.index(SWITCHED) if locale == "en" else len(messages)
    # Before the switch to English the bot speaks Indonesian, as the citizen sees it.
    assert_accessible(messages[:first], locale="id")
    assert_accessible(messages[first:], locale=locale)
    assert len(messages) > 30, "the whole conversation, not a part of it"
    code = next(word.rstrip(".,") for word in confirmation.split() if word[:3].isdigit())
    # The answer to "cek status" is a status message (rule 23): the code and status first.
    status = "Menunggu verifikasi" if locale == "id" else "Awaiting verification"
    [answer] = [t for t in said if t.startswith(("Status laporan", "Report")) and code in t]
    assert findings(answer, locale=locale, status=status) == []


async def test_a_staff_groups_conversation_breaks_no_rule_for_staff(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    staff = staff_of(harness, emulator)
    group, verifier, officer = staff.group, staff.verifier, staff.officer

    async def reply(user: User, text: str) -> None:
        card = card_of(emulator, group, code)
        await user.say_in(group, text, thread_id=card.thread_id, reply_to=card.message_id, expect=0)
        await settled(emulator)

    async def press(user: User, label: str) -> None:
        await user.press_in(group, card_of(emulator, group, code).message_id, label, expect=0)
        await settled(emulator)

    async def command(user: User, text: str) -> None:
        thread = card_of(emulator, group, code).thread_id
        await user.say_in(group, text, thread_id=thread, expect=0)
        await settled(emulator)

    confirmation = await journeys.walk(citizen)  # with a photo, anonim dan rahasia
    code = next(word.rstrip(".,") for word in confirmation.split() if word[:3].isdigit())
    await settled(emulator)
    await press(officer, "Teruskan ke Disdik")  # refused: not an administrator
    await press(verifier, "Tunda")  # how to hold, in words
    await reply(verifier, "#catatan Lokasi dekat sekolah, perlu dicek.")
    await command(officer, f"/tunda {code} Di mana tepatnya?")  # refused
    await reply(verifier, "#tunda Di sisi mana jalan lubang itu berada?")
    await citizen.say("Di sisi kiri, depan gerbang sekolah.")
    await settled(emulator)
    await press(verifier, "Teruskan ke Disdik")
    await reply(officer, "Tgl 2/12/2026 petugas dtg ke lokasi 👍")  # relayed, with a hint
    await command(verifier, f"/arsipkan {code} Sudah ditangani.")  # refused in this status
    await command(officer, "/laporan")  # without a code: how to type it
    await command(officer, "/antrean")
    await command(officer, f"/laporan {code}")
    await command(officer, "/cari berlubang")

    messages = [m for m in emulator.bot_messages(group) if not m.is_service]
    said = texts(messages)
    expected = (
        "Hanya admin grup",  # refusals, in the group or as an alert
        "Balas kartu laporan",  # how to hold
        "Ditunda, menunggu keterangan pelapor",  # the held report's fresh card
        "Tambahan dari pelapor",  # the citizen's answer under the card
        "lain kali",  # the hint after the relayed reply
        "Riwayat",  # the report with its timeline
        "Antrean laporan terbuka",
        "tindakan ini tidak bisa dilakukan",
        "misalnya: /laporan",
    )
    seen = "\n".join(said) + "\n".join(a.text or "" for a in emulator.callback_answers)
    missing = [part for part in expected if part not in seen]
    assert missing == [], "the conversation has each kind of staff message"
    assert any(m.media == "photo" for m in messages), "the citizen's photo under the card"
    assert_accessible(messages, audience="staff")
    for alert in emulator.callback_answers:
        if alert.text:
            assert check_message(alert.text, MessageContext(audience="staff")) == []
    # The same conversation read with citizens' rules would not pass: the checker knows
    # staff type commands with the slash, so the staff rules are really the ones applied.
    assert any(f.rule == 2 for _, f in conversation_findings(messages))
