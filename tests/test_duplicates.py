"""Duplicates joined by staff (/duplikat): the duplicate's citizen follows the other report,
is told of its answer, and stops following when they erase their data (issue 16, item 4)."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.lifecycle import Privacy, Status
from bot.core.tracking import format_code
from bot.sandbox.emulator import Emulator, User
from storage.models import AuditEntry, Follower
from tests import factories
from tests.harness import Harness
from tests.staff_helpers import Staff, card_of, settled, topic_named
from tests.steps import count, last, reports, texts


async def _two_reports(harness: Harness, citizen: User) -> tuple[User, int, int]:
    """Siti's report, then Budi's about the same thing: Budi and both codes."""
    kept = await factories.report(harness, citizen)
    budi = harness.emulator.add_user(first_name="Budi", username="budi")
    duplicate = await factories.report(harness, budi)
    return budi, kept, duplicate


async def _staff_says(emulator: Emulator, staff: Staff, who: User, text: str) -> str:
    """A command typed in the Verifikasi topic; the bot's answer there."""
    verifikasi = topic_named(staff.group, "Verifikasi")
    await who.say_in(staff.group, text, thread_id=verifikasi, expect=0)
    await settled(emulator)
    return texts(emulator.bot_messages(staff.group, verifikasi))[-1]


async def test_a_joined_duplicates_citizen_follows_the_other_report_to_its_answer(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    budi, kept, duplicate = await _two_reports(harness, citizen)
    shown, other = format_code(duplicate), format_code(kept)

    answer = await _staff_says(emulator, staff, staff.verifier, f"/duplikat {shown} {other}")

    assert answer == (
        f"Laporan {shown} digabung dengan laporan {other} dan diarsipkan. Warga yang kini ikut "
        f"memantau laporan {other}: 1 orang baru, 1 orang seluruhnya."
    )
    joined, following = texts(emulator.bot_messages(budi))[-2:]
    assert joined == (
        f"Status laporan {shown}: Digabung dengan laporan {other}; "
        "Anda kini ikut memantau laporan itu dan akan menerima kabarnya."
    )
    assert following == (
        f"Laporan {other} yang Anda pantau: Menunggu verifikasi; "
        "kami kabari lagi jika ada perubahan."
    )
    assert "Dipantau juga oleh 1 warga lain, yang ikut menerima balasan instansi." in (
        card_of(emulator, staff.group, kept).text or ""
    )
    # The duplicate's card, edited in place: no buttons left, the report it joined named.
    [merged] = [
        m
        for m in emulator.bot_messages(staff.group)
        if (m.text or "").startswith(f"Laporan {shown}, ")
    ]
    assert f"Digabung dengan laporan {other}" in (merged.text or "") and not merged.button_labels
    by_code = {report.code: report for report in await reports(harness)}
    assert by_code[duplicate].status is Status.DIARSIPKAN
    assert by_code[duplicate].duplicate_of == kept
    assert by_code[kept].followers == 1

    # The kept report is handled; Budi hears of each step and of the answer, not asked to
    # rate it (that is Siti's), and nothing meant for Siti alone.
    card = card_of(emulator, staff.group, kept)
    await staff.verifier.press_in(staff.group, card.message_id, "Teruskan ke DSDABM", expect=0)
    await settled(emulator)
    agency = topic_named(staff.group, "Dinas Sumber Daya Air dan Bina Marga")
    await staff.officer.say_in(staff.group, f"/tindaklanjuti {other}", thread_id=agency, expect=0)
    await settled(emulator)
    await staff.officer.say_in(
        staff.group, f"/selesai {other} Lubang sudah ditambal.", thread_id=agency, expect=0
    )
    await settled(emulator)
    told = texts(emulator.bot_messages(budi))[-3:]
    assert told[0].startswith(f"Laporan {other} yang Anda pantau: Diteruskan ke Dinas Sumber")
    assert told[1] == (
        f"Laporan {other} yang Anda pantau: Sedang ditindaklanjuti; "
        "kami kabari lagi jika ada perubahan."
    )
    assert told[2] == (
        f"Laporan {other} yang Anda pantau: Selesai ditindaklanjuti; "
        "terima kasih sudah ikut memantau.\nKeterangan petugas: Lubang sudah ditambal."
    )
    assert texts(emulator.bot_messages(citizen))[-1].endswith(
        "Apakah Anda puas dengan tanggapannya?"
    )


async def test_joining_needs_an_administrator_two_codes_and_an_open_report(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    budi, kept, duplicate = await _two_reports(harness, citizen)
    shown, other = format_code(duplicate), format_code(kept)

    refused = await _staff_says(emulator, staff, staff.officer, f"/duplikat {shown} {other}")
    assert refused == f"Hanya admin grup yang dapat melakukan ini pada laporan {shown}."
    usage = await _staff_says(emulator, staff, staff.verifier, f"/duplikat {shown}")
    assert usage.startswith("Tulis kode laporan duplikat, lalu kode laporan yang dipertahankan")
    same = await _staff_says(emulator, staff, staff.verifier, f"/duplikat {shown} {shown}")
    assert same.startswith(f"Kedua kode itu sama, {shown}.")
    await _staff_says(emulator, staff, staff.verifier, f"/arsipkan {other} Iklan.")
    closed = await _staff_says(emulator, staff, staff.verifier, f"/duplikat {shown} {other}")
    assert closed == f"Laporan {other} sudah ditutup, jadi laporan {shown} tidak digabung ke sana."

    by_code = {report.code: report for report in await reports(harness)}
    assert by_code[duplicate].status is Status.MENUNGGU_VERIFIKASI
    assert by_code[duplicate].duplicate_of is None
    assert await count(harness, Follower) == 0
    assert not any("Anda pantau" in text for text in texts(emulator.bot_messages(budi)))
    async with harness.services.sessionmaker() as session:
        query = select(AuditEntry.detail).where(
            AuditEntry.action == "duplikat", ~AuditEntry.allowed
        )
        details = list((await session.execute(query.order_by(AuditEntry.id))).scalars())
    assert details == ["not_allowed", "not_found", "same_report", "kept_closed"]


async def test_erasing_ones_data_ends_following(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    budi, kept, duplicate = await _two_reports(harness, citizen)
    other = format_code(kept)
    await _staff_says(
        emulator, staff, staff.verifier, f"/duplikat {format_code(duplicate)} {other}"
    )
    # Budi has been told he follows it before he erases his data.
    assert "yang Anda pantau" in texts(emulator.bot_messages(budi))[-1]
    await budi.say("hapusdata", expect=2)
    done = await budi.say("1")
    assert last(done).startswith("Data pribadi Anda sudah kami hapus.")
    await settled(emulator)
    heard = len(emulator.bot_messages(budi))

    card = card_of(emulator, staff.group, kept)
    await staff.verifier.press_in(staff.group, card.message_id, "Teruskan ke DSDABM", expect=0)
    await settled(emulator)

    assert await count(harness, Follower) == 0
    assert {r.code: r for r in await reports(harness)}[kept].followers == 0
    assert len(emulator.bot_messages(budi)) == heard, "nothing more after erasing"


async def test_a_rahasia_reports_followers_hear_its_status_not_the_officers_words(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    kept = await factories.report(harness, citizen, privacy=Privacy.RAHASIA)
    budi = emulator.add_user(first_name="Budi", username="budi")
    duplicate = await factories.report(harness, budi)
    other = format_code(kept)
    await _staff_says(
        emulator, staff, staff.verifier, f"/duplikat {format_code(duplicate)} {other}"
    )
    await _staff_says(emulator, staff, staff.verifier, f"/teruskan {other}")
    agency = topic_named(staff.group, "Dinas Sumber Daya Air dan Bina Marga")
    card = card_of(emulator, staff.group, kept, agency)
    secret = "Kami akan memeriksa rumah nomor 5 milik pelapor besok pagi."
    await staff.officer.say_in(
        staff.group, secret, thread_id=agency, reply_to=card.message_id, expect=0
    )
    await settled(emulator)
    await staff.officer.say_in(
        staff.group, f"/selesai {other} Rumah nomor 5 sudah diperiksa.", thread_id=agency, expect=0
    )
    await settled(emulator)

    told = texts(emulator.bot_messages(budi))
    assert told[-1] == (
        f"Laporan {other} yang Anda pantau: Selesai ditindaklanjuti; "
        "terima kasih sudah ikut memantau."
    )
    assert not any("nomor 5" in text for text in told), "the officers' words stay with Siti"
    assert any(secret in text for text in texts(emulator.bot_messages(citizen)))
