"""The documented install: the wheel `pip install .` builds, installed in a fresh virtual
environment outside the source tree, runs every command from there.

One test, so the wheel is built and installed once (about a minute, most of it pip
fetching the dependencies) whichever worker runs it; each check below reuses it. It needs
the package index, as `pip install .` does; without it the test fails, it does not skip.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox.emulator import Emulator
from bot.settings import PROJECT_ROOT
from tests.harness import TOKEN
from tests.processes import BotProcess
from tests.test_startup import LIVE_VARIABLES
from tests.web_harness import free_port

PACKAGES = ("bot", "handlers", "storage")
# Files in the packages that are not the program's to read (made by tools or runs).
NOT_SHIPPED = {".pyc", ".db", ".db-wal", ".db-shm"}


@dataclass(frozen=True)
class Installed:
    """The built wheel and the virtual environment it is installed in."""

    wheel: Path
    venv: Path

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    @property
    def lapor_bot(self) -> str:
        return str(self.venv / "bin" / "lapor-bot")


def _run(
    *args: str, cwd: Path, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in (*LIVE_VARIABLES, "BOT_LOCALE", "PYTHONPATH", "VIRTUAL_ENV")
    }
    return subprocess.run(
        list(args), cwd=cwd, env={**clean, **env}, input=stdin, capture_output=True,
        text=True, timeout=600, check=False,
    )  # fmt: skip


def _build_and_install(where: Path) -> Installed:
    """pip builds the wheel as `pip install .` would; a new venv gets it and its deps."""
    dist = where / "dist"
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(dist),
        str(PROJECT_ROOT), cwd=where,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    [wheel] = dist.glob("lapor_bot-*.whl")
    venv = where / "venv"
    made = _run(sys.executable, "-m", "venv", str(venv), cwd=where)
    assert made.returncode == 0, made.stderr
    installed = _run(str(venv / "bin" / "pip"), "install", "--quiet", str(wheel), cwd=where)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    return Installed(wheel, venv)


def _data_files() -> set[str]:
    """Every file of the packages that is not Python, and the catalogues: the program's data."""
    found = set()
    for package in PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*"):
            data = path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts
            if data and not any(path.name.endswith(suffix) for suffix in NOT_SHIPPED):
                found.add(path.relative_to(PROJECT_ROOT).as_posix())
    for path in (PROJECT_ROOT / "locales").rglob("*.po"):
        found.add("bot/" + path.relative_to(PROJECT_ROOT).as_posix())
    return found


def check_the_wheel_holds_every_data_file(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    wanted = _data_files()
    assert {
        "bot/locales/id/LC_MESSAGES/bot.po",
        "bot/locales/en/LC_MESSAGES/bot.po",
        "bot/data/agencies.sample.toml",
        "bot/api/openapi.json",
        "bot/sandbox/browser_page/index.html",
    } <= wanted
    assert wanted - names == set()
    migrations = {n for n in names if n.startswith("storage/migrations/versions/")}
    assert len(migrations) == len(list((PROJECT_ROOT / "storage/migrations/versions").glob("*.py")))


def check_it_runs_from_the_venv(installed: Installed, here: Path) -> None:
    shown = _run(installed.python, "-c", "import bot; print(bot.__file__)", cwd=here)
    assert shown.stdout.strip().startswith(str(installed.venv)), shown
    assert not shown.stdout.strip().startswith(str(PROJECT_ROOT))
    helped = _run(installed.lapor_bot, "--help", cwd=here)
    assert helped.returncode == 0 and "Cara pakai: lapor-bot" in helped.stdout


def check_the_sandbox_twice(installed: Installed, here: Path) -> None:
    """The README's first command, twice in a row, on one database."""
    first = _run(installed.lapor_bot, "sandbox", cwd=here, stdin="1\n:keluar\n")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Apakah Anda setuju?" in first.stdout and "1. Buat laporan" in first.stdout
    again = _run(installed.lapor_bot, "sandbox", cwd=here, stdin=":keluar\n")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "1. Buat laporan" in again.stdout and "Traceback" not in again.stderr
    assert (here / "sandbox.db").exists()


async def check_the_web_sandbox(installed: Installed, here: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        installed.lapor_bot, "sandbox", "--web", "--port", "0", cwd=here,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={k: v for k, v in os.environ.items() if k not in LIVE_VARIABLES},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        await asyncio.wait_for(process.stdout.readline(), 60)
        url = (await asyncio.wait_for(process.stdout.readline(), 10)).decode().strip()
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as page:
                assert page.status == 200 and "sandbox.js" in await page.text()
            async with http.get(url + "sandbox/static/sandbox.js") as script:
                assert script.status == 200
    finally:
        process.terminate()
        await process.wait()


async def check_run_against_the_emulator(installed: Installed, here: Path) -> None:
    """The README's second command: the bot answers, and its HTTP side serves the APIs."""
    async with Emulator(bot_token=TOKEN) as emulator:
        staff = emulator.add_user(first_name="Dina")
        group = emulator.add_supergroup(
            "Staf Pengaduan", forum=True, members=[staff], admins=[staff]
        )
        port = free_port()
        bot = BotProcess(
            emulator, f"sqlite+aiosqlite:///{here / 'lapor.db'}", group.id, here / "run",
            python=installed.python,
            # PYTHONPATH empty: nothing but the venv's own site-packages.
            settings={"HTTP_ADDRESS": f"127.0.0.1:{port}", "PYTHONPATH": ""},
        )  # fmt: skip
        await bot.start()
        try:
            citizen = emulator.add_user(first_name="Siti")
            [consent] = await citizen.say("/start")
            assert "Apakah Anda setuju?" in consent.body
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as health:
                    assert health.status == 200
                async with http.get(f"http://127.0.0.1:{port}/api/v1/openapi.json") as document:
                    assert (await document.json())["info"]["title"]
        finally:
            await bot.stop()
        setup = await asyncio.to_thread(
            _run, installed.lapor_bot, "setup", "--print", cwd=here,
            TELEGRAM_BOT_TOKEN=TOKEN, ADMIN_CHAT_ID=str(group.id),
            TELEGRAM_BASE_URL=emulator.base_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{here / 'lapor.db'}",
        )  # fmt: skip
        assert setup.returncode == 0, setup.stderr[-3000:]
        assert f"ADMIN_CHAT_ID={group.id}" in setup.stdout


async def test_the_installed_wheel_runs_every_command(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    where = tmp_path_factory.mktemp("wheel")
    installed = await asyncio.to_thread(_build_and_install, where)
    here = where / "operator"
    here.mkdir()
    check_the_wheel_holds_every_data_file(installed)
    check_it_runs_from_the_venv(installed, here)
    await asyncio.to_thread(check_the_sandbox_twice, installed, here)
    await check_the_web_sandbox(installed, here)
    await check_run_against_the_emulator(installed, here)
