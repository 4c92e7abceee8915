"""Similar reports listed while filing (issue 16, item 4): which are listed, how, following
one instead of filing ("ikut pantau"), its answer reaching the follower, and stopping."""

from __future__ import annotations

import math
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.core.duplicates import METRES_PER_DEGREE, box_around, distance_metres, rounded
from bot.core.lifecycle import Privacy, Status
from bot.core.tracking import format_code
from bot.language.accessibility import MAX_SPOKEN_SECONDS
from bot.language.speech import spoken_seconds
from bot.sandbox.emulator import Emulator, User
from bot.settings import SAMPLE_AREAS_FILE
from storage.models import Draft, Follower, Report
from tests import factories
from tests.a11y import assert_accessible
from tests.harness import Harness
from tests.staff_helpers import Staff, card_of, settled, topic_named
from tests.steps import CONTENT, consent, count, last, reports, texts

# Alun-alun Bandung; the reports below lie due north of it, at so many metres.
HERE = (-6.9175, 107.6191)
ESPEAK = shutil.which("espeak-ng")
OTHERS = "Lubang besar di jalan ini membuat banyak pengendara motor terjatuh tiap malam."


async def seed(
    harness: Harness,
    metres: float | None,
    *,
    kelurahan: str | None = None,
    category: str = "jalan_rusak",
    privacy: Privacy = Privacy.BIASA,
    channel: str = "telegram",
    days_old: float = 1,
) -> int:
    """A report filed through the intake core by someone else, `metres` north of HERE
    (None: no map point), in a kelurahan by its code if given."""
    services = harness.services
    return await factories.filed(
        services,
        content=OTHERS,
        category=category,
        location=None,
        point=None if metres is None else (HERE[0] + metres / METRES_PER_DEGREE, HERE[1]),
        kelurahan=kelurahan,
        privacy=privacy,
        channel=channel,
        at=services.clock() - timedelta(days=days_old),
    )


async def set_status(harness: Harness, code: int, status: Status) -> None:
    async with harness.services.sessionmaker.begin() as session:
        await session.execute(update(Report).where(Report.code == code).values(status=status))


async def to_place(citizen: User) -> None:
    """Consent and a road report up to its place step."""
    await consent(citizen)
    for answer in ("1", "1", CONTENT, "1"):  # buat laporan, pengaduan, content, jalan rusak
        await citizen.say(answer)


async def test_only_open_recent_nearby_reports_of_the_category_are_listed_and_one_followed(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    # Listed, nearest first, two at most: one filed through Open311 (any channel may be
    # followed), one already forwarded; a third open one further off is left out.
    open311 = await seed(harness, 30, channel="open311")
    forwarded = await seed(harness, 50)
    await set_status(harness, forwarded, Status.DITERUSKAN)
    await seed(harness, 120)
    # Not listed: too far, another category, closed, too old, anonim, rahasia.
    await seed(harness, 210)
    await seed(harness, 20, category="sampah")
    await set_status(harness, await seed(harness, 25), Status.SELESAI)
    await seed(harness, 40, days_old=31)
    await seed(harness, 10, privacy=Privacy.ANONIM)
    await seed(harness, 15, privacy=Privacy.RAHASIA)
    await settled(emulator)

    await to_place(citizen)
    replies = await citizen.send_location(*HERE)

    assert texts(replies)[0] == "Lokasi dari Telegram sudah kami terima."
    assert last(replies) == (
        "Langkah 4 dari 8. Laporan Jalan rusak di dekat Anda:\n"
        f"1. {format_code(open311)}, 30 meter, menunggu verifikasi\n"
        f"2. {format_code(forwarded)}, 50 meter, diteruskan ke instansi\n"
        "3. Buat laporan sendiri\n"
        "Ikut pantau yang mana?"
    )
    assert OTHERS not in last(replies), "no reporter's words are listed"
    assert replies[-1].button_labels == [
        f"Pantau {format_code(open311)}",
        f"Pantau {format_code(forwarded)}",
        "Buat laporan sendiri",
    ]
    assert_accessible(replies)

    # A number outside the list is explained, and the list asked again.
    wrong = await citizen.say("7")
    assert texts(wrong)[0].startswith("Jawaban itu belum kami kenali.")
    assert last(wrong) == last(replies)

    followed = await citizen.say("1")
    shown = format_code(open311)
    assert texts(followed)[:2] == [
        f"Anda kini ikut memantau laporan {shown}. Laporan yang Anda buat tadi tidak dikirim.",
        f"Laporan {shown} yang Anda pantau: Menunggu verifikasi; "
        "kami kabari lagi jika ada perubahan.",
    ]
    assert last(followed).startswith("Layanan Pengaduan Kota Bandung."), "then the menu"
    assert await count(harness, Draft) == 0
    async with harness.services.sessionmaker() as session:
        [follower] = (await session.execute(select(Follower))).scalars().all()
    assert follower.reason == "joined"
    await settled(emulator)
    card = card_of(emulator, staff.group, open311)
    assert "Dipantau juga oleh 1 warga lain, yang ikut menerima balasan instansi." in (
        card.text or ""
    )

    # Staff handle it; the follower hears of the answer, as the journey asks.
    verifikasi = topic_named(staff.group, "Verifikasi")
    await staff.verifier.say_in(staff.group, f"/teruskan {shown}", thread_id=verifikasi, expect=0)
    await settled(emulator)
    agency = topic_named(staff.group, "Dinas Sumber Daya Air dan Bina Marga")
    for command in (f"/tindaklanjuti {shown}", f"/selesai {shown} Jalan sudah diaspal ulang."):
        await staff.officer.say_in(staff.group, command, thread_id=agency, expect=0)
        await settled(emulator)
    assert texts(emulator.bot_messages(citizen))[-1] == (
        f"Laporan {shown} yang Anda pantau: Selesai ditindaklanjuti; "
        "terima kasih sudah ikut memantau.\nKeterangan petugas: Jalan sudah diaspal ulang."
    )


BRAGA, MERDEKA = "32.73.19.1001", "32.73.19.1002"


async def test_a_typed_place_lists_the_reports_of_the_same_kelurahan(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    harness.overrides["areas_file"] = SAMPLE_AREAS_FILE  # the sample city, Kota Bandung
    await harness.restart()
    braga = await seed(harness, None, kelurahan=BRAGA)
    await seed(harness, None, kelurahan=MERDEKA)
    await seed(harness, None, kelurahan=BRAGA, category="sampah")
    await settled(emulator)
    await to_place(citizen)
    confirm = await citizen.say("Jalan Braga nomor 12, Kelurahan Braga")
    assert "Kelurahan Braga" in last(confirm)
    listed = await citizen.say("1")
    assert last(listed) == (
        "Langkah 4 dari 8. Laporan Jalan rusak di dekat Anda:\n"
        f"1. {format_code(braga)}, satu kelurahan, menunggu verifikasi\n"
        "2. Buat laporan sendiri\n"
        "Ikut pantau yang mana?"
    )
    assert_accessible(listed)
    typed = await citizen.say(f"pantau {format_code(braga)}")
    assert texts(typed)[0].startswith(f"Anda kini ikut memantau laporan {format_code(braga)}.")


async def test_no_list_without_similar_reports_and_ones_own_report_goes_on(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    await to_place(citizen)
    replies = await citizen.send_location(*HERE)
    assert last(replies).startswith("Langkah 5 dari 8."), "nothing extra when none is near"
    await citizen.say("menu")

    near = await seed(harness, 50)
    await settled(emulator)
    await citizen.say("1")  # continue the draft: the date step
    await citizen.say("kembali")  # back to the place, and a new point there
    listed = await citizen.send_location(HERE[0], HERE[1] + 0.00001)
    assert f"1. {format_code(near)}, 50 meter" in last(listed)
    own = await citizen.say("Buat laporan sendiri")
    assert last(own).startswith("Langkah 5 dari 8.")
    # The same place again lists nothing again; the report is filed as the citizen's own.
    for answer in ("kemarin", "lewati", "1"):
        await citizen.say(answer)
    await citizen.say("kirim")
    assert len(await reports(harness)) == 2
    assert await count(harness, Follower) == 0


async def test_a_follower_stops_following_from_cek_status(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    near = await seed(harness, 50)
    await settled(emulator)
    await to_place(citizen)
    await citizen.send_location(*HERE)
    await citizen.say("1")
    shown = format_code(near)

    await citizen.say("cek status")
    status = await citizen.say(shown)
    assert texts(status)[0].startswith(f"Laporan {shown} yang Anda pantau: Menunggu verifikasi")
    assert last(status) == (
        f"Anda ikut memantau laporan {shown}.\n1. Ya, berhenti\n2. Tidak, tetap pantau\n"
        "Berhenti memantaunya?"
    )
    stopped = await citizen.say("1")
    assert texts(stopped)[0] == f"Baik, Anda tidak lagi memantau laporan {shown}."
    assert await count(harness, Follower) == 0
    assert {r.code: r for r in await reports(harness)}[near].followers == 0

    heard = len(emulator.bot_messages(citizen))
    verifikasi = topic_named(staff.group, "Verifikasi")
    await staff.verifier.say_in(staff.group, f"/teruskan {shown}", thread_id=verifikasi, expect=0)
    await settled(emulator)
    assert len(emulator.bot_messages(citizen)) == heard, "no notice after stopping"
    again = await citizen.say(shown)
    assert texts(again)[0] == f"Kami tidak menemukan laporan Anda dengan kode {shown}."


def test_distances_are_measured_on_the_sphere() -> None:
    north = HERE[0] + 200 / METRES_PER_DEGREE
    assert math.isclose(distance_metres(*HERE, north, HERE[1]), 200, rel_tol=1e-9)
    box = box_around(*HERE)
    assert box.south < HERE[0] < box.north and box.west < HERE[1] < box.east
    assert math.isclose(distance_metres(*HERE, HERE[0], box.east), 200, rel_tol=1e-6)
    assert (rounded(3), rounded(54), rounded(56)) == (10, 50, 60)


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed")
@pytest.mark.parametrize("locale", ["id", "en"])
async def test_the_longest_listing_is_heard_within_25_seconds(
    harness: Harness, emulator: Emulator, citizen: User, locale: str
) -> None:
    """The longest category name, distances of three digits, the longest status words."""
    for metres in (150, 190):
        code = await seed(harness, metres, category="pkl_ketertiban")
        await set_status(harness, code, Status.DITINDAKLANJUTI)
    await settled(emulator)
    await consent(citizen)
    if locale == "en":
        await citizen.say("pengaturan")
        await citizen.say("2")
    for answer in ("1", "1", CONTENT, "pedagang kaki lima dan ketertiban"):
        await citizen.say(answer)
    replies = await citizen.send_location(*HERE)
    listing = last(replies)
    assert listing.count("\n") == 4, listing
    assert_accessible(replies, locale=locale)
    assert ESPEAK is not None
    assert await spoken_seconds(listing, locale, ESPEAK) <= MAX_SPOKEN_SECONDS
