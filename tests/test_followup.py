"""Cek status, the timeline, laporan saya, and the language setting."""

from __future__ import annotations

import re

from bot.core.lifecycle import Classification, Privacy
from bot.core.tracking import format_code, new_code
from bot.sandbox.emulator import Emulator, User
from tests import factories
from tests.harness import Harness
from tests.steps import consent, last, texts


async def test_cek_status_shows_the_status_next_step_and_timeline(
    harness: Harness, citizen: User
) -> None:
    code = await factories.report(harness, citizen)
    assert "Berapa kodenya?" in last(await citizen.say("cek status"))
    replies = await citizen.say(f"  {str(code)[:3]} {str(code)[3:]} ")
    status, timeline = texts(replies)
    assert status == (
        f"Status laporan {format_code(code)}: Menunggu verifikasi; "
        "petugas akan memverifikasinya paling lambat 30 November 2026."
    )
    assert timeline.startswith(
        f"Riwayat laporan {format_code(code)}:\n1. 25 November 2026 pukul 10.00 WIB"
    )


async def test_a_code_typed_at_the_menu_opens_that_report(harness: Harness, citizen: User) -> None:
    code = await factories.report(harness, citizen)
    await citizen.say("menu")
    replies = await citizen.say(f"#{format_code(code)}")
    assert texts(replies)[0].startswith(f"Status laporan {format_code(code)}:")


async def test_a_mistyped_code_is_caught_by_the_check_digit(
    harness: Harness, citizen: User
) -> None:
    code = str(await factories.report(harness, citizen))
    # Change the check digit: a one-digit typo the Damm check always catches.
    swapped = code[:6] + str((int(code[6]) + 1) % 10)
    await citizen.say("2")
    await citizen.say("menu")
    await citizen.say("cek status")
    replies = await citizen.say(swapped)
    assert texts(replies)[0].startswith(f"Kode {swapped[:3]}-{swapped[3:]} tidak cocok.")
    assert "salah ketik atau tertukar" in texts(replies)[0]
    assert last(replies).endswith("Berapa kodenya?")


async def test_another_persons_code_reveals_nothing(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    code = await factories.report(harness, citizen)
    stranger = emulator.add_user(first_name="Budi", username="budi")
    await consent(stranger)
    await stranger.say("cek status")
    theirs = texts(await stranger.say(format_code(code)))

    unused = next(c for c in iter(new_code, None) if c != code)
    await stranger.say("menu")
    await stranger.say("cek status")
    nobody = texts(await stranger.say(format_code(unused)))

    def masked(lines: list[str]) -> list[str]:
        return [re.sub(r"\d{3}-\d{4}", "KODE", line) for line in lines]

    assert masked(theirs) == masked(nobody)
    assert theirs[0] == f"Kami tidak menemukan laporan Anda dengan kode {format_code(code)}."


async def test_laporan_saya_lists_the_latest_reports(harness: Harness, citizen: User) -> None:
    first = await factories.report(harness, citizen)
    idea = "Usul agar taman di Jalan Merdeka diberi lampu tambahan."
    second = await factories.report(
        harness,
        citizen,
        classification=Classification.ASPIRASI,
        content=idea,
        category="lampu_rambu",
        location=None,
        privacy=Privacy.BIASA,
    )
    listing = last(await citizen.say("laporan saya"))
    assert listing.startswith("Laporan Anda, yang terbaru di atas:\n1. ")
    assert f"2. {format_code(first)}, Jalan rusak, Menunggu verifikasi" in listing
    assert listing.startswith(f"Laporan Anda, yang terbaru di atas:\n1. {format_code(second)}, ")
    assert listing.endswith("Laporan nomor berapa yang ingin Anda lihat?")


async def test_the_language_can_be_changed_to_english(harness: Harness, citizen: User) -> None:
    await consent(citizen)
    await citizen.say("pengaturan")
    replies = await citizen.say("2")
    assert texts(replies)[0] == "Language changed to English."
    assert "How can we help?" in last(replies)
    assert last(await citizen.say("1")).startswith("Step 1 of 8.")
