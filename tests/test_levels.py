"""Levels: which unit (kelurahan, kecamatan, city agency) a category's reports go to, and
where a unit passes a report up or down; the agencies file says the levels."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.agencies import AgenciesFileError, Directory, load_directory
from bot.core.levels import Level, level_of, office_key
from bot.core.units import above, below, route, with_offices
from bot.settings import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "bot" / "data" / "agencies.sample.toml"


@dataclass(frozen=True)
class Place:
    code: str
    name: str


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    kecamatan_code: str


@dataclass(frozen=True)
class Book:
    """A made-up city of two kecamatan: Coblong (Dago, Lebak Gede) and Sukasari (Isola)."""

    kecamatan: tuple[Place, ...] = (Place("32.73.02", "Coblong"), Place("32.73.01", "Sukasari"))
    kelurahan: tuple[Village, ...] = (
        Village("32.73.02.1004", "Dago", "32.73.02"),
        Village("32.73.02.1002", "Lebak Gede", "32.73.02"),
        Village("32.73.01.1003", "Isola", "32.73.01"),
    )


DAGO, LEBAK_GEDE, ISOLA = "kel_3273021004", "kel_3273021002", "kel_3273011003"
COBLONG, SUKASARI = "kec_327302", "kec_327301"


def directory(path: Path = SAMPLE) -> Directory:
    return with_offices(load_directory(path), Book(), path)


def test_the_sample_says_who_handles_each_category() -> None:
    levels = {c.key: c.level for c in load_directory(SAMPLE).categories}
    assert levels["drainase"] is Level.KELURAHAN
    assert levels["lampu_rambu"] is Level.KELURAHAN
    assert levels["pkl_ketertiban"] is Level.KECAMATAN
    assert levels["kependudukan"] is Level.KECAMATAN
    # Unnamed, a category stays with its city agency, as before levels.
    assert levels["jalan_rusak"] is Level.KOTA
    assert levels["listrik"] is Level.KOTA


def test_offices_are_units_named_in_full_beside_the_agencies() -> None:
    found = directory()
    dago = found.unit(DAGO)
    assert dago is not None and dago.short_name == "Kelurahan Dago"
    assert dago.name == "Kelurahan Dago, Kecamatan Coblong"
    coblong = found.unit(COBLONG)
    assert coblong is not None and coblong.name == "Kecamatan Coblong"
    assert found.unit("dsdabm") is not None, "agencies keep their keys"
    assert found.queue_name(DAGO) == "Kelurahan Dago, Kecamatan Coblong"
    assert len(found.offices) == 5
    assert (level_of(DAGO), level_of(COBLONG), level_of("dishub")) == (
        Level.KELURAHAN,
        Level.KECAMATAN,
        Level.KOTA,
    )
    assert office_key(Level.KELURAHAN, "32.73.02.1004") == DAGO
    assert level_of("kec_coblong") is Level.KOTA, "a counter's key of today stays its own"


def test_a_report_goes_by_category_and_place_and_to_the_agency_where_the_place_is_unknown() -> None:
    found = directory()
    drains, order, road = (found.category(k) for k in ("drainase", "pkl_ketertiban", "jalan_rusak"))
    assert route(found, drains, "32.73.02.1004") == DAGO
    assert route(found, order, "32.73.02.1004") == COBLONG, "the kecamatan it lies in"
    assert route(found, road, "32.73.02.1004") == "dsdabm"
    assert route(found, drains, None, "32.73.01") == SUKASARI, "only the kecamatan known"
    assert route(found, drains, None) == "dsdabm"
    assert route(found, drains, "32.73.99.1001") == "dsdabm", "a place the file lacks"
    outside = found.category("listrik")
    assert route(found, outside, "32.73.02.1004") == found.city.fallback_agency


def test_up_is_the_kecamatan_then_the_agency_and_down_only_to_the_reports_kelurahan() -> None:
    found = directory()
    drains = found.category("drainase")
    assert above(found, DAGO, drains) == COBLONG
    assert above(found, COBLONG, drains) == "dsdabm"
    assert above(found, "dsdabm", drains) is None
    assert below(found, COBLONG, "32.73.02.1004") == DAGO
    assert below(found, COBLONG, "32.73.01.1003") is None, "Isola is not in Coblong"
    assert below(found, COBLONG, None) is None
    assert below(found, DAGO, "32.73.02.1004") is None
    assert below(found, "dsdabm", "32.73.02.1004") is None


def with_text(tmp_path: Path, old: str, new: str) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "agencies.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_an_office_may_have_its_own_group_and_limit(tmp_path: Path) -> None:
    path = with_text(
        tmp_path,
        "# [[offices]]",
        '[[offices]]\narea = "32.73.02.1004"\nchat_id = -100777\nfirst_response_days = 3\n#',
    )
    found = directory(path)
    dago = found.unit(DAGO)
    assert dago is not None and (dago.chat_id, dago.first_response_days) == (-100777, 3)
    assert found.own_chat(DAGO) == -100777
    coblong = found.unit(COBLONG)
    assert coblong is not None and (coblong.chat_id, coblong.first_response_days) == (None, 5)


@pytest.mark.parametrize(
    ("old", "new", "where", "problem"),
    [
        ('level = "kecamatan"', 'level = "rt"', "categories[4] ('pkl_ketertiban') level", "level"),
        (
            'outside = "PLN, telepon 123"',
            'outside = "PLN, telepon 123"\nlevel = "kelurahan"',
            "categories[16] ('listrik')",
            "level_outside",
        ),
        ('key = "dishub"', 'key = "kec_327302"', "agencies[2] ('kec_327302') key", "office_prefix"),
        ("# [[offices]]", '[[offices]]\narea = "Dago"\n#', "offices[1] area", "area_shape"),
    ],
)
def test_a_wrong_level_or_office_stops_start_up_saying_where(
    tmp_path: Path, old: str, new: str, where: str, problem: str
) -> None:
    with pytest.raises(AgenciesFileError) as raised:
        load_directory(with_text(tmp_path, old, new))
    assert (raised.value.where, raised.value.key) == (where, f"agencies_file.{problem}")


def test_an_office_of_an_area_the_areas_file_lacks_stops_start_up(tmp_path: Path) -> None:
    path = with_text(tmp_path, "# [[offices]]", '[[offices]]\narea = "32.73.30.1001"\n#')
    with pytest.raises(AgenciesFileError) as raised:
        directory(path)
    assert (raised.value.where, raised.value.key) == (
        "offices[1] area",
        "agencies_file.area_unknown",
    )
    assert raised.value.params == {"area": "32.73.30.1001"}
