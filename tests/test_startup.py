"""Start-up: settings and the agencies file are checked, each problem named in one line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.agencies import AgenciesFileError, load_directory
from bot.sandbox.emulator import Emulator, User
from bot.settings import SAMPLE_AGENCIES_FILE
from tests.harness import TOKEN

LIVE_VARIABLES = ("TELEGRAM_BOT_TOKEN", "ADMIN_CHAT_ID", "DATABASE_URL", "AGENCIES_FILE")


def lapor_bot(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a clean directory with only the given settings."""
    clean = {k: v for k, v in os.environ.items() if k not in LIVE_VARIABLES}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_without_a_token_names_what_to_set_in_one_line(tmp_path: Path) -> None:
    result = lapor_bot("run", cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "TELEGRAM_BOT_TOKEN dan ADMIN_CHAT_ID" in line
    assert "lapor-bot setup" in line and "lapor-bot sandbox" in line


def test_a_wrong_setting_is_named(tmp_path: Path) -> None:
    result = lapor_bot("run", cwd=tmp_path, BOT_TIMEZONE="Mars/Olympus")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "lapor-bot: BOT_TIMEZONE harus nama zona waktu IANA, "
        "misalnya Asia/Jakarta, Asia/Makassar, atau Asia/Jayapura."
    )


def test_a_broken_agencies_file_stops_start_up(tmp_path: Path) -> None:
    broken = tmp_path / "agencies.toml"
    broken.write_text(SAMPLE_AGENCIES_FILE.read_text().replace('agency = "dlh"', 'agency = "dkpp"'))
    result = lapor_bot(
        "run",
        cwd=tmp_path,
        TELEGRAM_BOT_TOKEN="123456:TEST-TOKEN",
        ADMIN_CHAT_ID="-1001",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}",
        AGENCIES_FILE=str(broken),
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"lapor-bot: {broken}: categories[3] ('sampah'): Instansi dkpp tidak ada di agencies."
    )
    assert "123456:TEST-TOKEN" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (
            ('name = { id = "Sampah", en = "Waste" }', 'name = { en = "Waste" }'),
            "categories[3] ('sampah')",
            "agencies_file.indonesian_name",
        ),
        (
            ('[city]\nname = "Kota Bandung"', '[city]\nname = ""'),
            "city name",
            "agencies_file.too_short",
        ),
        (
            ('key = "dishub"', 'key = "Dishub!"'),
            "agencies[2] ('Dishub!') key",
            "agencies_file.key_shape",
        ),
        (
            ('fallback_agency = "diskominfo"', 'fallback_agency = "humas"'),
            "city fallback_agency",
            "agencies_file.fallback_unknown",
        ),
        (
            ('[[categories]]\nkey = "listrik"', '[[categories]\nkey = "listrik"'),
            "",
            "agencies_file.not_toml",
        ),
        (
            ('key = "dishub"', 'key = "dishub"\nchat_id = 1234567'),
            "agencies[2] ('dishub') chat_id",
            "agencies_file.group_id",
        ),
        (("[city]", '[city]\nkota = "Bandung"'), "city kota", "agencies_file.unknown_field"),
    ],
)
def test_agencies_file_problems_name_the_entry(
    tmp_path: Path, change: tuple[str, str], where: str, problem: str
) -> None:
    sample = SAMPLE_AGENCIES_FILE.read_text()
    assert change[0] in sample
    path = tmp_path / "agencies.toml"
    path.write_text(sample.replace(change[0], change[1], 1))
    with pytest.raises(AgenciesFileError) as error:
        load_directory(path)
    assert (error.value.path, error.value.where, error.value.key) == (path, where, problem)


def test_a_missing_agencies_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(AgenciesFileError) as error:
        load_directory(tmp_path / "tidak-ada.toml")
    assert error.value.key == "agencies_file.not_found"


def test_the_sample_agencies_file_routes_every_category() -> None:
    directory = load_directory(SAMPLE_AGENCIES_FILE)
    assert len(directory.agencies) == 13
    for category in directory.categories:
        assert directory.agency_for(category).key in directory.agencies
    assert directory.category("listrik").outside is not None


def test_the_sandbox_files_a_report_typed_in_the_terminal(tmp_path: Path) -> None:
    lines = [
        "1",
        "1",
        "1",
        "Lampu jalan di depan masjid Al Ikhlas mati sejak seminggu lalu.",
        "1",
        "lewati",
        "kemarin",
        ":foto",
        "selesai",
        "1",
        "1",
        ":keluar",
    ]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "sandbox",
            "--database",
            f"sqlite+aiosqlite:///{tmp_path / 's.db'}",
        ],
        cwd=tmp_path,
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if k not in LIVE_VARIABLES},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Selamat datang di layanan pengaduan Kota Bandung." in result.stdout
    assert "Foto kami terima, lampiran 1 dari 5." in result.stdout
    assert "Laporan terkirim dengan kode " in result.stdout
    assert "Tombol: Setuju | Tidak setuju" in result.stdout


async def test_run_serves_citizens_through_the_configured_bot_api(
    tmp_path: Path, emulator: Emulator, citizen: User
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env={
            **{k: v for k, v in os.environ.items() if k not in LIVE_VARIABLES},
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "ADMIN_CHAT_ID": "-1001",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}",
            "TELEGRAM_BASE_URL": emulator.base_url,
            "TELEGRAM_BASE_FILE_URL": emulator.base_file_url,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        greeting = await citizen.say("/start", timeout=30)
        assert "Apakah Anda setuju?" in greeting[-1].text
        assert "Apa yang bisa kami bantu" in (await citizen.say("setuju"))[-1].text
    finally:
        process.terminate()
        output, _ = await process.communicate()
    assert process.returncode == 0
    assert TOKEN not in output.decode(), "the token never reaches the log"


def test_settling_memory_freezes_start_up_objects_and_collects_the_young_less_often() -> None:
    # In a child process: the collector's settings are process-wide.
    probe = (
        "import gc\n"
        "from bot.transport.running import settle_memory\n"
        "before = gc.get_threshold()\n"
        "settle_memory()\n"
        "print(gc.get_freeze_count(), *gc.get_threshold(), *before[1:])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    frozen, young, older, oldest, older_before, oldest_before = map(int, done.stdout.split())
    assert frozen > 10_000, "the modules and objects of start-up are set aside"
    assert young == 20_000 and (older, oldest) == (older_before, oldest_before)
