"""Finding a kelurahan by a typed name, and a map point by boundaries (the core, no chat)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.area_names import find_kelurahan
from bot.core.areas import Areas, Kelurahan, load_areas
from bot.core.boundaries import BoundariesFileError
from bot.settings import SAMPLE_AREAS_FILE

AREAS = load_areas(SAMPLE_AREAS_FILE)


def names(found: tuple[Kelurahan, ...]) -> list[str]:
    return [k.name for k in found]


@pytest.mark.parametrize("kelurahan", AREAS.kelurahan, ids=lambda k: k.name)
def test_every_kelurahan_of_the_sample_is_found_by_its_name_however_typed(
    kelurahan: Kelurahan,
) -> None:
    kecamatan = AREAS.kecamatan_of(kelurahan).name
    for typed in (
        kelurahan.name,
        kelurahan.name.upper(),
        f"kel. {kelurahan.name.lower()}",
        f"Kelurahan {kelurahan.name}",
        kelurahan.name.replace(" ", ""),
        f"  {kelurahan.name}  ",
        f"Kel {kelurahan.name}, Kec. {kecamatan}",
        f"Jalan Raya nomor 12 RT 3 RW 5, Kelurahan {kelurahan.name}",
    ):
        assert find_kelurahan(AREAS, typed) == (kelurahan,), typed


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("sadang serrang", ["Sadang Serang"]),  # a letter too many
        ("Sekeloah", ["Sekeloa"]),
        ("gegerkalog", ["Gegerkalong"]),  # a letter missing
        ("cisaranten kulun", ["Cisaranten Kulon"]),  # two slips in a long name
        ("Tjitarum", ["Citarum"]),  # the old spelling
        ("babakan ciparai", ["Babakan Ciparay"]),  # not the shorter Babakan inside it
        ("Cipadung Kulon", ["Cipadung Kulon"]),  # not Cipadung
        ("Ds. Sukamaju", ["Sukamaju"]),
        ("kel mekar jaya kec rancasari", ["Mekar Jaya"]),
        ("Jl. Dago no 5 RT 3 RW 5", ["Dago"]),
        ("Jl. Cipaganti no 5, Kel. Pasteur", ["Pasteur"]),  # the marked name wins
    ],
)
def test_typing_slips_spelling_and_prefixes(typed: str, found: list[str]) -> None:
    assert names(find_kelurahan(AREAS, typed)) == found


def test_short_names_take_no_slip_and_a_street_alone_finds_nothing() -> None:
    assert find_kelurahan(AREAS, "Dagi") == ()  # Dago
    assert find_kelurahan(AREAS, "pasar baru") == ()  # not Pasir Biru
    assert find_kelurahan(AREAS, "Jalan Soekarno Hatta depan pom bensin") == ()
    assert find_kelurahan(AREAS, "") == ()


def test_only_the_first_words_typed_offer_every_kelurahan_they_begin() -> None:
    assert names(find_kelurahan(AREAS, "cisaranten")) == [
        "Cisaranten Bina Harapan",
        "Cisaranten Kulon",
        "Cisaranten Endah",
        "Cisaranten Kidul",
        "Cisaranten Wetan",
    ]
    # Two names typed apart from each other, equally well: both are offered.
    assert names(find_kelurahan(AREAS, "Jl Cipaganti dekat Pasteur")) == ["Cipaganti", "Pasteur"]


def test_a_kecamatan_alone_offers_its_kelurahan() -> None:
    assert names(find_kelurahan(AREAS, "Kecamatan Coblong")) == [
        "Cipaganti",
        "Lebak Gede",
        "Sadang Serang",
        "Dago",
        "Sekeloa",
        "Lebak Siliwangi",
    ]
    # Kelurahan Batununggal is in Bandung Kidul; "kec." says the kecamatan is meant.
    assert len(find_kelurahan(AREAS, "kec. batununggal")) == 8
    assert names(find_kelurahan(AREAS, "batununggal")) == ["Batununggal"]


TWICE = """
[source]
name = "made up"
licence = "CC0-1.0"

[kota]
code = "99.71"
name = "Kota Contoh"

[[kecamatan]]
code = "99.71.01"
name = "Utara"
kelurahan = [
    { code = "99.71.01.1001", name = "Sukamaju" },
    { code = "99.71.01.1002", name = "Mekar" },
]

[[kecamatan]]
code = "99.71.02"
name = "Selatan"
kelurahan = [
    { code = "99.71.02.1001", name = "Sukamaju" },
    { code = "99.71.02.1002", name = "Pasir" },
]
"""


@pytest.fixture
def twice(tmp_path: Path) -> Areas:
    path = tmp_path / "areas.toml"
    path.write_text(TWICE, encoding="utf-8")
    return load_areas(path)


def test_a_name_in_two_kecamatan_is_told_apart_by_the_kecamatan(twice: Areas) -> None:
    both = find_kelurahan(twice, "Sukamaju")
    assert [k.code for k in both] == ["99.71.01.1001", "99.71.02.1001"]
    assert [k.code for k in find_kelurahan(twice, "Sukamaju, Kec. Selatan")] == ["99.71.02.1001"]
    assert [k.code for k in find_kelurahan(twice, "kel sukamaju utara")] == ["99.71.01.1001"]


def square(code: str, west: float, south: float, size: float = 0.01) -> dict[str, object]:
    """A made-up square kelurahan, corners in GeoJSON's longitude-latitude order."""
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {
        "type": "Feature",
        "properties": {"code": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def write_boundaries(path: Path, *features: dict[str, object]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return path


def test_a_map_point_is_placed_in_the_kelurahan_whose_boundary_holds_it(tmp_path: Path) -> None:
    shapes = write_boundaries(
        tmp_path / "batas.geojson",
        square("32.73.02.1004", 107.61, -6.89),  # Dago
        square("32.73.19.1001", 107.60, -6.92),  # Braga
    )
    areas = load_areas(SAMPLE_AREAS_FILE, shapes)
    dago = areas.locate(-6.885, 107.615)
    braga = areas.locate(-6.915, 107.605)
    assert dago is not None and dago.name == "Dago"
    assert braga is not None and braga.name == "Braga"
    assert areas.locate(-6.95, 107.70) is None
    assert AREAS.locate(-6.885, 107.615) is None  # no boundaries configured


@pytest.mark.parametrize(
    ("feature", "key"),
    [
        (square("32.73.99.1001", 107.6, -6.9), "areas_file.boundary_unknown"),
        ({**square("32.73.02.1004", 107.6, -6.9), "geometry": None}, "areas_file.boundary_shape"),
        (
            {
                **square("32.73.02.1004", 107.6, -6.9),
                "geometry": {"type": "Point", "coordinates": [107.6, -6.9]},
            },
            "areas_file.boundary_shape",
        ),
    ],
)
def test_a_boundary_the_areas_file_does_not_know_is_refused(
    tmp_path: Path, feature: dict[str, object], key: str
) -> None:
    shapes = write_boundaries(tmp_path / "batas.geojson", feature)
    with pytest.raises(BoundariesFileError) as raised:
        load_areas(SAMPLE_AREAS_FILE, shapes)
    assert (raised.value.where.split()[0], raised.value.key) == ("features[1]", key)


def test_a_boundaries_file_that_is_not_geojson_is_named(tmp_path: Path) -> None:
    for text, key in (("{not json", "not_geojson"), ('{"type": "Feature"}', "not_geojson")):
        path = tmp_path / "batas.geojson"
        path.write_text(text)
        with pytest.raises(BoundariesFileError) as raised:
            load_areas(SAMPLE_AREAS_FILE, path)
        assert raised.value.key == f"areas_file.{key}"
    with pytest.raises(BoundariesFileError) as raised:
        load_areas(SAMPLE_AREAS_FILE, tmp_path / "nowhere.geojson")
    assert raised.value.key == "areas_file.boundaries_not_found"
