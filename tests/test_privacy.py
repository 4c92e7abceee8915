"""Anonim: an anonymous reporter's identity reaches no staff member, by any path.

Cards, relays of staff replies, the citizen's additions under the card (text and copied
files), status notes, the answers to /laporan, /cari and /antrean, escalations, and the
audit log and timeline are all searched for the reporter's name, username and Telegram id.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.core.tracking import format_code
from bot.sandbox.emulator import Chat, Emulator, User
from storage.models import AuditEntry, TimelineEvent
from tests.harness import Harness
from tests.privacy_helpers import everything_stored, traces
from tests.staff_helpers import Staff, card_of, settled
from tests.steps import CONTENT, code_in, consent, last, to_step

SITI_ID = 73459876
BUDI_ID = 61829374


@pytest.fixture
def siti(emulator: Emulator) -> User:
    return emulator.add_user(first_name="Siti", last_name="Rahma", username="siti", user_id=SITI_ID)


@pytest.fixture
def budi(emulator: Emulator) -> User:
    return emulator.add_user(
        first_name="Budi", last_name="Santoso", username="budisan", user_id=BUDI_ID
    )


def staff_saw(emulator: Emulator, group: Chat) -> str:
    """Everything the staff group holds, every topic, as the Bot API JSON staff clients get."""
    # Unescaped, so a name next to a non-ASCII character is still found as a word.
    return "\n".join(
        json.dumps(message.raw, ensure_ascii=False) for message in emulator.history(group)
    )


async def file_report(citizen: User, privacy: str) -> int:
    """Consent and file a report with a photo by typing; `privacy` is the typed choice."""
    await consent(citizen)
    for answer in ("1", "1", CONTENT, "1", "Jalan Braga nomor 12, RT 3 RW 5", "kemarin"):
        await citizen.say(answer)
    await citizen.send_photo()
    await citizen.say("selesai")
    await citizen.say(privacy)
    return code_in(await citizen.say("1"))


async def test_an_anonymous_reporter_is_never_shown_to_staff(
    harness: Harness, emulator: Emulator, siti: User, budi: User, staff: Staff
) -> None:
    group, verifier, officer = staff.group, staff.verifier, staff.officer
    code = await file_report(siti, "2")  # anonim
    await settled(emulator)
    shown = format_code(code)
    card = card_of(emulator, group, code).message_id
    await verifier.press_in(group, card, "Teruskan ke DSDABM", expect=0)
    await settled(emulator)
    harness.clock.advance(days=14)  # past the first follow-up's limit: escalated
    assert harness.application is not None and harness.application.job_queue is not None
    [watch] = harness.application.job_queue.get_jobs_by_name("watch_deadlines")
    await watch.run(harness.application)
    await settled(emulator)
    card = card_of(emulator, group, code).message_id
    # Relayed; the card is edited to show the follow-up it started.
    await officer.say_in(group, "Mohon kirim foto dari sisi lain.", reply_to=card, expect=0)
    await settled(emulator)
    relay = next(m for m in emulator.bot_messages(siti) if (m.text or "").startswith("Balasan"))
    await siti.say("Lubangnya makin besar setelah hujan.", reply_to=relay.message_id)
    await siti.send_photo(reply_to=relay.message_id)
    await settled(emulator)
    for command in (f"/laporan {shown}", "/cari berlubang", "/antrean dsdabm"):
        await verifier.say_in(group, command, expect=0)
    await settled(emulator)
    await officer.press_in(group, card_of(emulator, group, code).message_id, "Selesai", expect=0)
    await settled(emulator)
    await siti.say("2")
    await siti.say("Lubangnya hanya ditutup pasir, bukan diaspal.")
    await settled(emulator)

    seen = staff_saw(emulator, group)
    for piece in (
        "Pelapor: anonim.",
        f"Eskalasi: laporan {shown}",
        "Tambahan dari pelapor",
        "Lubangnya makin besar",
        "Lubangnya hanya ditutup pasir",
        "Riwayat:",
    ):
        assert piece in seen, f"the staff saw the whole story: {piece}"
    assert sum(1 for m in emulator.history(group) if m.media == "photo") >= 2, "files copied"
    assert traces(seen, "Siti", "Rahma", "siti", user_id=SITI_ID) == []

    async with harness.services.sessionmaker() as session:
        kept = [
            repr(tuple(row))
            for model in (AuditEntry, TimelineEvent)
            for row in (await session.execute(select(model.__table__))).all()
        ]
    assert traces("\n".join(kept), "Siti", "Rahma", "siti", user_id=SITI_ID) == []

    # The same search finds a reporter who did not choose anonim.
    await file_report(budi, "1")
    await settled(emulator)
    assert "Pelapor: \u2068Budi Santoso (@budisan)\u2069." in staff_saw(emulator, group)
    assert traces(staff_saw(emulator, group), "Budi", user_id=BUDI_ID)


async def test_a_shared_contact_is_neither_stored_nor_passed_on(
    harness: Harness, emulator: Emulator, siti: User, staff: Staff
) -> None:
    phone = "+6281298765432"
    await consent(siti)
    shared = await siti.send_contact(phone_number=phone)
    assert last(shared).endswith("Apa yang bisa kami bantu?")
    await to_step(siti, 2)
    again = await siti.send_contact(phone_number=phone, expect=2)
    assert "Kontak yang Anda bagikan tidak kami simpan" in (again[0].text or "")
    await siti.say(CONTENT)
    await settled(emulator)
    digits = phone.lstrip("+")
    for seen in (await everything_stored(harness), staff_saw(emulator, staff.group)):
        assert digits not in seen and digits[2:] not in seen
