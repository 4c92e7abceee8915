"""Issue 16's journey through the levels: a report filed by a typed kelurahan is handled by
the kelurahan, passed up to the kecamatan, passed to a city agency by the deadline watch,
and answered there; the citizen is told at each step, in messages a screen reader reads."""

from __future__ import annotations

from bot.core.lifecycle import Status
from bot.core.tracking import format_code
from bot.sandbox.emulator import Emulator, User
from tests.a11y import assert_accessible
from tests.harness import Harness
from tests.staff_helpers import Staff, card_of, last_told, settled, topic_named
from tests.steps import code_in, consent, last
from tests.test_deadlines import wib
from tests.test_levels_flow import (
    COBLONG_TOPIC,
    COBLONG_UNIT,
    DAGO_TOPIC,
    DAGO_UNIT,
    DRAIN,
    DSDABM_TOPIC,
    PLACE,
    UP_TO_COBLONG,
    city,
    city_staff,
    the_report,
    watched,
)

__all__ = ["city", "city_staff"]  # the fixtures: the bot with the sample city's areas


async def test_a_drain_in_dago_goes_up_from_the_kelurahan_to_an_agency_and_is_answered(
    city: Harness, emulator: Emulator, citizen: User, city_staff: Staff
) -> None:
    harness, staff = city, city_staff
    harness.clock.now = wib(2026, 11, 30, 9, 0)  # a Monday
    await consent(citizen)
    for answer in ("1", "1", DRAIN):
        await citizen.say(answer)
    await citizen.say("1")  # the suggested category: drains, which the kelurahan handles
    confirm = last(await citizen.say(PLACE))
    assert "Kelurahan Dago, Kecamatan Coblong" in confirm
    await citizen.say("1")  # yes, Dago
    for answer in ("kemarin", "lewati", "2"):
        await citizen.say(answer)
    code = code_in(await citizen.say("1"))
    shown = format_code(code)
    report = await the_report(harness, code)
    assert (report.category, report.kelurahan_code) == ("drainase", "32.73.02.1004")
    assert report.agency == DAGO_UNIT, "routed by category and place"

    # The verifiers forward it where it was routed: the kelurahan.
    await settled(emulator)
    card = card_of(emulator, staff.group, code, topic_named(staff.group, "Verifikasi"))
    await staff.verifier.press_in(
        staff.group, card.message_id, "Teruskan ke Kelurahan Dago", expect=0
    )
    [notice] = await last_told(emulator, citizen)
    assert notice.startswith(
        f"Status laporan {shown}: Diteruskan ke Kelurahan Dago, Kecamatan Coblong;"
    )

    # The kelurahan cannot fix it alone and passes it up to its kecamatan.
    card = card_of(emulator, staff.group, code, topic_named(staff.group, DAGO_TOPIC))
    await staff.officer.press_in(staff.group, card.message_id, UP_TO_COBLONG, expect=0)
    [notice] = await last_told(emulator, citizen)
    assert notice.startswith(f"Status laporan {shown}: Diteruskan ke Kecamatan Coblong;")
    card_of(emulator, staff.group, code, topic_named(staff.group, COBLONG_TOPIC))
    assert (await the_report(harness, code)).agency == COBLONG_UNIT

    # The kecamatan lets its five working days pass: the watch passes it to the agency.
    await watched(harness, emulator, wib(2026, 12, 8, 8, 0))
    [notice] = await last_told(emulator, citizen)
    assert notice.startswith(
        f"Status laporan {shown}: Diteruskan ke Dinas Sumber Daya Air dan Bina Marga;"
    )
    assert "Kecamatan Coblong belum menanggapi sampai batas waktunya" in notice

    # The agency answers from its topic and marks it done.
    topic = topic_named(staff.group, DSDABM_TOPIC)
    card = card_of(emulator, staff.group, code, topic)
    await staff.officer.say_in(
        staff.group,
        "Selokan sudah kami keruk dan saluran kembali lancar.",
        thread_id=topic,
        reply_to=card.message_id,
        expect=0,
    )
    relay, progress = await last_told(emulator, citizen, 2)
    assert relay == (
        f"Balasan dari Dinas Sumber Daya Air dan Bina Marga untuk laporan {shown}:\n"
        "Selokan sudah kami keruk dan saluran kembali lancar."
    )
    assert "Sedang ditindaklanjuti" in progress
    card = card_of(emulator, staff.group, code, topic)
    await staff.officer.press_in(staff.group, card.message_id, "Selesai", expect=0)
    done, rating = await last_told(emulator, citizen, 2)
    assert done.startswith(f"Status laporan {shown}: Selesai ditindaklanjuti")
    assert rating.endswith("Apakah Anda puas dengan tanggapannya?")

    report = await the_report(harness, code)
    assert (report.agency, report.status) == ("dsdabm", Status.SELESAI)
    assert_accessible(emulator.bot_messages(citizen))
