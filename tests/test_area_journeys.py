"""The place step finds the kelurahan: typed, chosen, confirmed, asked for, not known, or
placed by a shared map point; the report keeps its kelurahan and kecamatan codes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.area_names import find_kelurahan
from bot.core.areas import load_areas
from bot.language.i18n import load_locales
from bot.sandbox.emulator import Emulator, User
from bot.settings import SAMPLE_AREAS_FILE
from handlers.filing_area import choice_question
from tests.a11y import assert_accessible, findings
from tests.harness import Clock, Harness
from tests.staff_helpers import card_of, settled
from tests.steps import CONTENT, code_in, consent, last, reports, texts
from tests.test_area_names import TWICE

CONFIRM_DAGO = (
    "Langkah 4 dari 8. Tempatnya di Kelurahan Dago, Kecamatan Coblong.\n"
    "1. Ya, benar\n2. Bukan\nBenar?"
)
ASK = (
    "Langkah 4 dari 8. Kami belum tahu kelurahannya. Ketik tidak tahu jika Anda tidak tahu. "
    "Di kelurahan mana tempatnya?"
)


async def areas_bot(
    emulator: Emulator, database_url: str, clock: Clock, **overrides: object
) -> Harness:
    staff = emulator.add_user(first_name="Petugas", username="petugas")
    group = emulator.add_supergroup(
        title="Staf Pengaduan", forum=True, members=[staff], admins=[staff]
    )
    bot = Harness(
        emulator,
        database_url,
        clock,
        group.id,
        overrides={"areas_file": SAMPLE_AREAS_FILE, **overrides},
    )
    await bot.start()
    return bot


@pytest.fixture
async def city(emulator: Emulator, database_url: str, clock: Clock) -> AsyncIterator[Harness]:
    """The bot with the sample city's areas (Kota Bandung), no boundaries."""
    bot = await areas_bot(emulator, database_url, clock)
    yield bot
    await bot.stop()


async def to_place(citizen: User) -> None:
    """Consent and answer up to the place question (step 4)."""
    await consent(citizen)
    for answer in ("1", "1", CONTENT, "1"):
        await citizen.say(answer)


async def finish(citizen: User) -> int:
    """Date, no attachment, privacy, send: the report's code."""
    for answer in ("kemarin", "lewati", "2"):
        await citizen.say(answer)
    return code_in(await citizen.say("1"))


async def test_a_typed_street_and_kelurahan_is_confirmed_in_one_question_and_kept(
    city: Harness, emulator: Emulator, citizen: User
) -> None:
    await to_place(citizen)
    assert last(await citizen.say("Jalan Ir. H. Juanda nomor 5, Kel. Dago")) == CONFIRM_DAGO
    assert last(await citizen.say("1")).startswith("Langkah 5 dari 8.")
    for answer in ("kemarin", "lewati"):
        await citizen.say(answer)
    readback = texts(await citizen.say("2"))
    assert any("Kelurahan: Dago, Kecamatan Coblong." in text for text in readback)
    assert any("Jalan Ir. H. Juanda nomor 5, Kel. Dago" in text for text in readback)
    code = code_in(await citizen.say("1"))
    [report] = await reports(city)
    assert (report.kelurahan_code, report.kecamatan_code) == ("32.73.02.1004", "32.73.02")
    assert report.location_text == "Jalan Ir. H. Juanda nomor 5, Kel. Dago"
    await settled(emulator)
    card = card_of(emulator, emulator.chat(city.admin_chat_id), code)
    assert "Kelurahan Dago, Kecamatan Coblong." in (card.text or "")
    assert_accessible(emulator.bot_messages(citizen), locale="id")


async def test_a_street_alone_asks_the_kelurahan_once_and_tidak_tahu_goes_on_without(
    city: Harness, emulator: Emulator, citizen: User
) -> None:
    await to_place(citizen)
    assert last(await citizen.say("Jalan Soekarno Hatta nomor 100")) == ASK
    # A name no kelurahan has: said so, and the same question again.
    unknown = texts(await citizen.say("Kampung Durian Runtuh"))
    assert unknown == [
        "Kelurahan itu tidak ada di Kota Bandung. Tulis nama kelurahannya saja, misalnya Sukarasa.",
        ASK,
    ]
    # A slip in the name is forgiven, and confirmed; "bukan" asks for the name again.
    confirm = last(await citizen.say("sadang serrang"))
    assert confirm.startswith("Langkah 4 dari 8. Tempatnya di Kelurahan Sadang Serang,")
    assert last(await citizen.say("bukan")) == ASK
    assert last(await citizen.say("gatau")).startswith("Langkah 5 dari 8.")
    await finish(citizen)
    [report] = await reports(city)
    assert (report.kelurahan_code, report.kecamatan_code) == (None, None)
    assert report.location_text == "Jalan Soekarno Hatta nomor 100"
    assert_accessible(emulator.bot_messages(citizen), locale="id")


async def test_several_kelurahan_are_numbered_choices_with_tidak_tahu_last(
    city: Harness, emulator: Emulator, citizen: User
) -> None:
    await to_place(citizen)
    choices = await citizen.say("dekat pasar Cisaranten")
    assert last(choices) == (
        "Langkah 4 dari 8. Ada beberapa kelurahan yang cocok.\n"
        "1. Cisaranten Bina Harapan, Kecamatan Arcamanik\n"
        "2. Cisaranten Kulon, Kecamatan Arcamanik\n"
        "3. Cisaranten Endah, Kecamatan Arcamanik\n"
        "4. Cisaranten Kidul, Kecamatan Gedebage\n"
        "5. Cisaranten Wetan, Kecamatan Cinambo\n"
        "6. Tidak tahu\n"
        "Yang mana?"
    )
    wrong = texts(await citizen.say("7"))[-2]
    assert wrong == "Jawaban itu belum kami kenali. Ketik nomor 1 sampai 6, atau kata pada pilihan."
    assert last(await citizen.say("4")).startswith("Langkah 5 dari 8.")
    await finish(citizen)
    [report] = await reports(city)
    assert (report.kelurahan_code, report.kecamatan_code) == ("32.73.27.1002", "32.73.27")
    assert_accessible(emulator.bot_messages(citizen), locale="id")


async def test_a_kecamatan_named_lists_its_kelurahan_and_kembali_returns_to_the_place(
    city: Harness, citizen: User
) -> None:
    await to_place(citizen)
    assert last(await citizen.say("Kecamatan Sukasari")) == (
        "Langkah 4 dari 8. Kelurahan di Kecamatan Sukasari:\n"
        "1. Sukarasa\n2. Gegerkalong\n3. Isola\n4. Sarijadi\n5. Tidak tahu\nYang mana?"
    )
    back = last(await citizen.say("kembali"))
    assert back.startswith("Langkah 4 dari 8. Tulis alamat atau patokannya")
    assert last(await citizen.say("Gegerkalong Girang, Kel. Gegerkalong")).startswith(
        "Langkah 4 dari 8. Tempatnya di Kelurahan Gegerkalong, Kecamatan Sukasari."
    )
    assert last(await citizen.say("ya")).startswith("Langkah 5 dari 8.")


async def test_tidak_tahu_by_its_number_in_simple_mode(city: Harness, citizen: User) -> None:
    await consent(citizen)
    # Pengaturan: simple mode on (numbers instead of buttons).
    await citizen.say("pengaturan")
    await citizen.say("3")
    await citizen.say("menu")
    for answer in ("1", "1", CONTENT, "1"):
        await citizen.say(answer)
    asked = last(await citizen.say("Jalan Soekarno Hatta nomor 100"))
    assert asked.endswith("1. Tidak tahu\nDi kelurahan mana tempatnya?")
    assert last(await citizen.say("1")).startswith("Langkah 5 dari 8.")


async def test_in_english_the_same_questions(
    city: Harness, emulator: Emulator, citizen: User
) -> None:
    await consent(citizen)
    await citizen.say("pengaturan")
    await citizen.say("2")  # English
    await citizen.say("menu")
    for answer in ("1", "1", CONTENT, "1"):
        await citizen.say(answer)
    assert last(await citizen.say("Jalan Dago nomor 5")) == (
        "Step 4 of 8. The place is in Kelurahan Dago, Kecamatan Coblong.\n"
        "1. Yes, right\n2. No\nIs that right?"
    )
    assert last(await citizen.say("no")).endswith("Which kelurahan is the place in?")
    assert last(await citizen.say("don't know")).startswith("Step 5 of 8.")
    said = emulator.bot_messages(citizen)
    switched = texts(said).index("Language changed to English.")
    assert_accessible(said[switched:], locale="en")


def squares(path: Path) -> Path:
    """Made-up square boundaries for two kelurahan of the sample (not their real shapes)."""

    def square(code: str, west: float, south: float) -> dict[str, object]:
        ring = [[west, south], [west + 0.01, south], [west + 0.01, south + 0.01]]
        ring += [[west, south + 0.01], [west, south]]
        return {
            "type": "Feature",
            "properties": {"code": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }

    features = [square("32.73.19.1001", 107.60, -6.92), square("32.73.02.1004", 107.61, -6.89)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


async def test_a_shared_location_is_placed_by_the_boundary_that_holds_it(
    emulator: Emulator, database_url: str, clock: Clock, citizen: User, tmp_path: Path
) -> None:
    bot = await areas_bot(
        emulator, database_url, clock, areas_boundaries_file=squares(tmp_path / "batas.geojson")
    )
    try:
        await to_place(citizen)
        placed = texts(await citizen.send_location(latitude=-6.9147, longitude=107.6098))
        assert placed == [
            "Lokasi dari Telegram sudah kami terima.",
            "Langkah 4 dari 8. Tempatnya di Kelurahan Braga, Kecamatan Sumur Bandung.\n"
            "1. Ya, benar\n2. Bukan\nBenar?",
        ]
        assert last(await citizen.say("1")).startswith("Langkah 5 dari 8.")
        await finish(citizen)
        [report] = await reports(bot)
        assert (report.kelurahan_code, report.kecamatan_code) == ("32.73.19.1001", "32.73.19")
        assert (report.latitude, report.longitude) == (-6.9147, 107.6098)
        # Outside every boundary: the kelurahan is asked for by name.
        await citizen.say("menu")
        for answer in ("1", "1", CONTENT, "1"):
            await citizen.say(answer)
        outside = texts(await citizen.send_location(latitude=-6.95, longitude=107.70))
        assert outside[-1] == ASK
    finally:
        await bot.stop()


async def test_without_boundaries_a_shared_location_asks_the_kelurahan_by_name(
    city: Harness, citizen: User
) -> None:
    await to_place(citizen)
    placed = texts(await citizen.send_location(latitude=-6.9147, longitude=107.6098))
    assert placed == ["Lokasi dari Telegram sudah kami terima.", ASK]
    assert last(await citizen.say("braga")).startswith(
        "Langkah 4 dari 8. Tempatnya di Kelurahan Braga, Kecamatan Sumur Bandung."
    )


async def test_a_name_in_two_kecamatan_is_told_apart_by_choosing_the_kecamatan(
    emulator: Emulator, database_url: str, clock: Clock, citizen: User, tmp_path: Path
) -> None:
    areas = tmp_path / "areas.toml"
    areas.write_text(TWICE)
    bot = await areas_bot(emulator, database_url, clock, areas_file=areas)
    try:
        await to_place(citizen)
        assert last(await citizen.say("Jalan Melati 3, Sukamaju")) == (
            "Langkah 4 dari 8. Ada beberapa kelurahan yang cocok.\n"
            "1. Sukamaju, Kecamatan Utara\n2. Sukamaju, Kecamatan Selatan\n3. Tidak tahu\n"
            "Yang mana?"
        )
        # Typed as it is listed, the kecamatan tells them apart.
        assert last(await citizen.say("Sukamaju, Kecamatan Selatan")).startswith(
            "Langkah 5 dari 8."
        )
        await finish(citizen)
        [report] = await reports(bot)
        assert (report.kelurahan_code, report.kecamatan_code) == ("99.71.02.1001", "99.71.02")
    finally:
        await bot.stop()


async def test_a_place_in_the_first_message_is_confirmed_at_the_place_step(
    city: Harness, citizen: User
) -> None:
    await consent(citizen)
    started = texts(
        await citizen.say("Lampu jalan di Jalan Braga mati sejak tiga hari, gelap sekali malam.")
    )
    assert any("Jalan Braga" in text for text in started)
    await citizen.say("1")  # klasifikasi
    asked = last(await citizen.say("1"))  # kategori: the suggested one
    assert asked.startswith("Langkah 4 dari 8. Tempatnya di Kelurahan Braga,")
    assert last(await citizen.say("1")).startswith("Langkah 5 dari 8.")


async def test_changing_the_place_from_the_read_back_asks_its_kelurahan_again(
    city: Harness, emulator: Emulator, citizen: User
) -> None:
    await to_place(citizen)
    await citizen.say("Jalan Soekarno Hatta nomor 100")
    await citizen.say("tidak tahu")
    for answer in ("kemarin", "lewati"):
        await citizen.say(answer)
    readback = texts(await citizen.say("2"))
    assert any("Kelurahan: tidak diketahui." in text for text in readback)
    await citizen.say("ubah")
    assert last(await citizen.say("4")).startswith("Langkah 4 dari 8. Tulis alamat")
    assert last(await citizen.say("Jalan Braga nomor 12")).startswith(
        "Langkah 4 dari 8. Tempatnya di Kelurahan Braga, Kecamatan Sumur Bandung."
    )
    review = texts(await citizen.say("1"))
    assert review[-1].startswith("Langkah 8 dari 8."), "back to the read-back, not step 5"
    assert any("Kelurahan: Braga, Kecamatan Sumur Bandung." in text for text in review)
    code_in(await citizen.say("kirim"))
    [report] = await reports(city)
    assert (report.kelurahan_code, report.location_text) == (
        "32.73.19.1001",
        "Jalan Braga nomor 12",
    )
    assert_accessible(emulator.bot_messages(citizen), locale="id")


@pytest.mark.parametrize("locale", ["id", "en"])
def test_every_choice_of_the_sample_city_keeps_to_the_accessibility_rules(locale: str) -> None:
    """The longest lists: each kecamatan's kelurahan, and names many kelurahan begin with."""
    areas = load_areas(SAMPLE_AREAS_FILE)
    t = load_locales().get(locale)
    typed = [f"Kecamatan {k.name}" for k in areas.kecamatan]
    typed += ["kebon", "cisaranten", "pasir", "mekar", "antapani", "cigondewah"]
    longest = 0
    for place in typed:
        found = find_kelurahan(areas, place)
        assert len(found) > 1, place
        question, labels = choice_question(areas, found)
        text = t(question.key, **question.params)
        buttons = [t.render(label) for label in labels]
        assert findings(text, locale=locale, buttons=buttons) == [], text
        longest = max(longest, len(text))
    assert longest > 300, "the lists checked include long ones"
