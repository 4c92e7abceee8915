"""Issue 16's journey, seen by a neighbour: Siti's blocked drain in Dago goes from the
kelurahan up to the kecamatan and, by the deadline watch, to a city agency, which answers;
Budi, filing the same drain, follows hers instead and is told of each step and of the
answer, in messages a screen reader reads."""

from __future__ import annotations

from bot.core.tracking import format_code
from bot.sandbox.emulator import Emulator, User
from tests.a11y import assert_accessible
from tests.harness import Harness
from tests.staff_helpers import Staff, card_of, last_told, settled, topic_named
from tests.steps import code_in, consent, last, texts
from tests.test_deadlines import wib
from tests.test_levels_flow import (
    DAGO_TOPIC,
    DRAIN,
    DSDABM_TOPIC,
    PLACE,
    UP_TO_COBLONG,
    city,
    city_staff,
    watched,
)

__all__ = ["city", "city_staff"]  # the fixtures: the bot with the sample city's areas
FOLLOWING = "kami kabari lagi jika ada perubahan."


async def test_a_neighbour_follows_the_dago_drain_and_is_told_of_its_answer(
    city: Harness, emulator: Emulator, citizen: User, city_staff: Staff
) -> None:
    harness, staff = city, city_staff
    harness.clock.now = wib(2026, 11, 30, 9, 0)  # a Monday
    # Siti files it as biasa: an anonim report would never be listed to others.
    await consent(citizen)
    for answer in ("1", "1", DRAIN, "1", PLACE, "1", "kemarin", "lewati", "1"):
        await citizen.say(answer)
    code = code_in(await citizen.say("1"))
    shown = format_code(code)

    budi = emulator.add_user(first_name="Budi", username="budi")
    await consent(budi)
    for answer in ("1", "1", DRAIN, "1", PLACE):
        await budi.say(answer)
    listing = last(await budi.say("1"))  # yes, Dago: the same kelurahan as Siti's drain
    assert listing == (
        "Langkah 4 dari 8. Laporan Drainase dan sungai di dekat Anda:\n"
        f"1. {shown}, satu kelurahan, menunggu verifikasi\n"
        "2. Buat laporan sendiri\n"
        "Ikut pantau yang mana?"
    )
    joined = await budi.say("1")
    assert texts(joined)[0].startswith(f"Anda kini ikut memantau laporan {shown}.")

    await settled(emulator)
    card = card_of(emulator, staff.group, code, topic_named(staff.group, "Verifikasi"))
    await staff.verifier.press_in(
        staff.group, card.message_id, "Teruskan ke Kelurahan Dago", expect=0
    )
    assert await last_told(emulator, budi) == [
        f"Laporan {shown} yang Anda pantau: Diteruskan ke Kelurahan Dago, Kecamatan Coblong; "
        + FOLLOWING
    ]
    card = card_of(emulator, staff.group, code, topic_named(staff.group, DAGO_TOPIC))
    await staff.officer.press_in(staff.group, card.message_id, UP_TO_COBLONG, expect=0)
    [up] = await last_told(emulator, budi)
    assert up.startswith(f"Laporan {shown} yang Anda pantau: Diteruskan ke Kecamatan Coblong;")

    await watched(harness, emulator, wib(2026, 12, 8, 8, 0))
    [escalated] = await last_told(emulator, budi)
    assert escalated.startswith(
        f"Laporan {shown} yang Anda pantau: Diteruskan ke Dinas Sumber Daya Air dan Bina Marga;"
    )

    topic = topic_named(staff.group, DSDABM_TOPIC)
    card = card_of(emulator, staff.group, code, topic)
    await staff.officer.say_in(
        staff.group,
        "Selokan sudah kami keruk dan saluran kembali lancar.",
        thread_id=topic,
        reply_to=card.message_id,
        expect=0,
    )
    answer, progress = await last_told(emulator, budi, 2)
    assert answer == (
        f"Balasan dari Dinas Sumber Daya Air dan Bina Marga untuk laporan {shown}:\n"
        "Selokan sudah kami keruk dan saluran kembali lancar."
    )
    assert progress == f"Laporan {shown} yang Anda pantau: Sedang ditindaklanjuti; " + FOLLOWING
    card = card_of(emulator, staff.group, code, topic)
    await staff.officer.press_in(staff.group, card.message_id, "Selesai", expect=0)
    assert await last_told(emulator, budi) == [
        f"Laporan {shown} yang Anda pantau: Selesai ditindaklanjuti; "
        "terima kasih sudah ikut memantau."
    ]
    assert texts(emulator.bot_messages(citizen))[-1].endswith(
        "Apakah Anda puas dengan tanggapannya?"
    ), "the rating is Siti's alone"
    assert_accessible(emulator.bot_messages(budi))
