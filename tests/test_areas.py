"""The areas file: the sample city's kecamatan and kelurahan, the loader's checks, the script
that writes the sample, and a broken file named at start-up."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from bot.core.areas import Areas, AreasFileError, Kelurahan, load_areas
from bot.settings import SAMPLE_AREAS_FILE, load_settings
from scripts import make_areas
from tests.test_startup import lapor_bot

SAMPLE = SAMPLE_AREAS_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def areas() -> Areas:
    return load_areas(SAMPLE_AREAS_FILE)


def test_the_sample_is_kota_bandung_with_30_kecamatan_and_151_kelurahan(areas: Areas) -> None:
    assert (areas.kota_code, areas.kota_name) == ("32.73", "Kota Bandung")
    assert len(areas.kecamatan) == 30
    assert len(areas.kelurahan) == 151
    assert [k.code for k in areas.kecamatan] == [f"32.73.{n:02d}" for n in range(1, 31)]
    assert sum(len(areas.kelurahan_of(k.code)) for k in areas.kecamatan) == 151
    assert all(areas.kelurahan_of(k.code) for k in areas.kecamatan)


def test_the_sample_codes_are_well_formed_and_names_unique_within_a_kecamatan(
    areas: Areas,
) -> None:
    for kelurahan in areas.kelurahan:
        assert re.fullmatch(r"32\.73\.\d{2}\.1\d{3}", kelurahan.code)
        assert kelurahan.code.startswith(kelurahan.kecamatan_code + ".")
        assert kelurahan.name == kelurahan.name.strip() and kelurahan.name
    assert len({k.code for k in areas.kelurahan}) == 151
    for kecamatan in areas.kecamatan:
        names = [k.name.casefold() for k in areas.kelurahan_of(kecamatan.code)]
        assert len(names) == len(set(names))


def test_the_sample_says_where_its_data_comes_from_and_its_licence(areas: Areas) -> None:
    assert areas.source == "idn-area-data 4.0.1"
    assert areas.licence == "ODbL-1.0"
    header = SAMPLE.split("[source]")[0]
    assert "Open Database License" in header and "scripts/make_areas.py" in header


def test_look_ups_by_code(areas: Areas) -> None:
    coblong = areas.kecamatan_by_code("32.73.02")
    assert coblong is not None and coblong.name == "Coblong"
    dago = areas.kelurahan_by_code("32.73.02.1004")
    assert dago == Kelurahan("32.73.02.1004", "Dago", "32.73.02")
    assert areas.kecamatan_of(dago) == coblong
    assert [k.name for k in areas.kelurahan_of("32.73.01")] == [
        "Sukarasa",
        "Gegerkalong",
        "Isola",
        "Sarijadi",
    ]
    assert areas.kelurahan_by_code("32.73.99.1001") is None
    assert areas.kecamatan_by_code(None) is None
    assert areas and not Areas()


def test_the_settings_default_to_the_sample_and_take_empty_for_none() -> None:
    assert load_settings().areas_file == SAMPLE_AREAS_FILE
    assert load_settings().areas_boundaries_file is None
    assert load_settings(areas_file="").areas_file is None


TINY = """
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
    { code = "99.71.01.1001", name = "Sukamaju", postal_codes = ["40111"] },
    { code = "99.71.01.1002", name = "Mekar" },
]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "areas.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_postal_codes_are_kept_when_given(tmp_path: Path) -> None:
    areas = load_areas(write(tmp_path, TINY))
    assert areas.kelurahan[0].postal_codes == ("40111",)
    assert areas.kelurahan[1].postal_codes == ()


@pytest.mark.parametrize(
    ("change", "where", "key"),
    [
        (("99.71.01.1002", "99.71.01.102"), "kecamatan[1] kelurahan[2] code", "code_shape"),
        (("99.71.01.1002", "99.72.01.1002"), "kecamatan[1] kelurahan[2] code", "code_shape"),
        (("99.71.01.1002", "99.71.01.1001"), "kecamatan[1] kelurahan[2] code", "code_twice"),
        (('name = "Mekar"', 'name = "sukamaju "'), "kecamatan[1] kelurahan[2] name", "name_twice"),
        (('"40111"', '"4011"'), "kecamatan[1] kelurahan[1] postal_codes", "postal_code"),
        (('name = "Mekar"', 'nama = "Mekar"'), "kecamatan[1] kelurahan[2] name", "missing"),
        (('code = "99.71"', 'code = "9971"'), "kota code", "code_shape"),
    ],
)
def test_a_broken_file_names_the_entry_and_the_problem(
    tmp_path: Path, change: tuple[str, str], where: str, key: str
) -> None:
    with pytest.raises(AreasFileError) as raised:
        load_areas(write(tmp_path, TINY.replace(*change)))
    assert (raised.value.where, raised.value.key) == (where, f"areas_file.{key}")


def test_a_missing_or_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(AreasFileError) as raised:
        load_areas(tmp_path / "nowhere.toml")
    assert raised.value.key == "areas_file.not_found"
    with pytest.raises(AreasFileError) as raised:
        load_areas(write(tmp_path, "[kota\n"))
    assert raised.value.key == "agencies_file.not_toml"


def test_a_broken_areas_file_stops_start_up_in_one_line(tmp_path: Path) -> None:
    broken = write(tmp_path, SAMPLE.replace('code = "32.73.02.1004"', 'code = "32.73.02.104"'))
    result = lapor_bot(
        "run",
        cwd=tmp_path,
        TELEGRAM_BOT_TOKEN="123456:TEST-TOKEN",
        ADMIN_CHAT_ID="-1001",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}",
        AREAS_FILE=str(broken),
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    where = f"lapor-bot: {broken}: kecamatan[2] kelurahan[4] code"
    assert line.startswith(f"{where}: Kode 32.73.02.104 tidak cocok.")


def _package(tmp_path: Path) -> Path:
    """A made-up package in the shape of idn-area-data: two regencies, a space to tidy."""
    data = tmp_path / "package" / "data"
    data.mkdir(parents=True)
    (tmp_path / "package" / "package.json").write_text('{"version": "9.9.9"}')
    (data / "regencies.csv").write_text(
        "code,province_code,name\n99.71,99,Kota Contoh\n99.72,99,Kota Lain\n"
    )
    (data / "districts.csv").write_text(
        "code,regency_code,name\n99.71.02,99.71,Selatan\n99.71.01,99.71,Utara\n"
        "99.72.01,99.72,Jauh\n"
    )
    (data / "villages.csv").write_text(
        "code,district_code,name\n99.71.01.1002,99.71.01,Mekar\n"
        '99.71.01.1001,99.71.01,"Suka  Maju"\n99.71.02.1001,99.71.02,Pasir\n'
        "99.72.01.1001,99.72.01,Lain\n"
    )
    return tmp_path / "package"


def test_the_script_writes_a_file_the_loader_reads(tmp_path: Path) -> None:
    output = tmp_path / "areas.toml"
    make_areas.main(
        ["--regency", "99.71", "--package-dir", str(_package(tmp_path)), "--output", str(output)]
    )
    areas = load_areas(output)
    assert [(k.code, k.name) for k in areas.kecamatan] == [
        ("99.71.01", "Utara"),
        ("99.71.02", "Selatan"),
    ]
    assert [(k.code, k.name) for k in areas.kelurahan] == [
        ("99.71.01.1001", "Suka Maju"),
        ("99.71.01.1002", "Mekar"),
        ("99.71.02.1001", "Pasir"),
    ]
    assert areas.source == "idn-area-data 9.9.9"
    assert "Open Database License" in output.read_text()


def test_the_sample_names_the_version_and_city_the_script_pins() -> None:
    parsed = tomllib.loads(SAMPLE)
    assert parsed["source"]["name"] == f"{make_areas.PACKAGE} {make_areas.VERSION}"
    assert parsed["kota"]["code"] == make_areas.REGENCY


def test_a_boundaries_file_naming_an_unknown_kelurahan_stops_start_up(tmp_path: Path) -> None:
    shapes = tmp_path / "batas.geojson"
    feature = {
        "type": "Feature",
        "properties": {"code": "32.73.99.1001"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[107, -7], [108, -7], [108, -6], [107, -7]]],
        },
    }
    shapes.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    result = lapor_bot(
        "run",
        cwd=tmp_path,
        TELEGRAM_BOT_TOKEN="123456:TEST-TOKEN",
        ADMIN_CHAT_ID="-1001",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}",
        AREAS_BOUNDARIES_FILE=str(shapes),
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"lapor-bot: {shapes}: features[1] properties code: Kode 32.73.99.1001 tidak ada di "
        "berkas wilayah. Isi properties.code dengan kode kelurahan, seperti 32.73.01.1001."
    )
