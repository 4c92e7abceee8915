"""The sandboxes run any number of times on one database, terminal and web in either order;
Ctrl-C stops the terminal one at once; a voice note shows as such in the terminal."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from pydantic import SecretStr
from telegram import Bot

from bot.language.i18n import load_locales
from bot.sandbox.browser import WebSandbox
from bot.sandbox.emulator import Emulator
from bot.sandbox.terminal import shown_as
from bot.settings import Settings
from tests.test_startup import LIVE_VARIABLES

MENU = "1. Buat laporan"
CONSENT = "Apakah Anda setuju?"


def terminal(database: Path, *lines: str) -> subprocess.CompletedProcess[str]:
    """`lapor-bot sandbox` typed into, as in a terminal, until :keluar."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--database", f"sqlite+aiosqlite:///{database}"],
        cwd=database.parent,
        input="\n".join([*lines, ":keluar"]) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if k not in LIVE_VARIABLES},
    )


async def web(database: Path) -> list[str]:
    """`lapor-bot sandbox --web` started and stopped: what the bot said to the citizen."""
    settings = Settings(
        telegram_bot_token=SecretStr("1:unused"),
        admin_chat_id=-1,
        database_url=f"sqlite+aiosqlite:///{database}",
        _env_file=None,  # type: ignore[call-arg]
    )
    sandbox = WebSandbox(settings, port=0)
    await sandbox.start()
    try:
        await sandbox.emulator.wait_idle(timeout=30)
        return [m.body for m in sandbox.emulator.bot_messages(sandbox.people.citizen)]
    finally:
        await sandbox.stop()


def test_the_terminal_sandbox_runs_again_on_the_same_database(tmp_path: Path) -> None:
    first = terminal(tmp_path / "sandbox.db", "1")
    assert first.returncode == 0, first.stderr[-2000:]
    assert CONSENT in first.stdout and MENU in first.stdout
    for _ in range(2):
        again = terminal(tmp_path / "sandbox.db")
        assert again.returncode == 0, again.stderr[-2000:]
        # The citizen who agreed before is greeted with the menu, not left unanswered.
        assert MENU in again.stdout and CONSENT not in again.stdout
        assert "Traceback" not in again.stderr


async def test_terminal_and_web_sandboxes_take_turns_on_one_database(tmp_path: Path) -> None:
    database = tmp_path / "sandbox.db"
    assert any(CONSENT in text for text in await web(database))
    after_web = terminal(database, "1")
    assert after_web.returncode == 0, after_web.stderr[-2000:]
    assert MENU in after_web.stdout
    # The page after the terminal: /start answered, the consent given there remembered.
    said = await web(database)
    assert any(MENU in text for text in said), said


def test_ctrl_c_stops_the_terminal_sandbox_at_once(tmp_path: Path) -> None:
    """Typed at a real terminal (a pty), where input() waits for a line."""
    env = {k: v for k, v in os.environ.items() if k not in LIVE_VARIABLES}
    database = f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}"
    pid, fd = pty.fork()
    if pid == 0:  # the child: the sandbox, with the pty as its terminal
        os.chdir(tmp_path)
        command = [sys.executable, "-m", "bot", "sandbox", "--database", database]
        # A suite started in the background (`pytest &`) ignores SIGINT, and so would the
        # sandbox: Python installs its Ctrl-C handler only where SIGINT is not ignored.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execve(sys.executable, command, env)
    seen = b""
    try:
        deadline = time.monotonic() + 90
        while b"\n> " not in seen.replace(b"\r", b""):
            assert time.monotonic() < deadline, seen.decode(errors="replace")[-1000:]
            seen += _read(fd, 0.2)
        stopped_at = time.monotonic()
        os.write(fd, b"\x03")  # Ctrl-C at the keyboard: SIGINT to the foreground process
        status = None
        while status is None and time.monotonic() - stopped_at < 10:
            seen += _read(fd, 0.1)
            done, code = os.waitpid(pid, os.WNOHANG)
            status = code if done else None
        took = time.monotonic() - stopped_at
        assert status is not None, f"still running {took:.1f} s after Ctrl-C"
        assert os.waitstatus_to_exitcode(status) == 0
        assert b"Sandbox selesai." in seen and b"Traceback" not in seen
    finally:
        if not _reaped(pid):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)


def _read(fd: int, timeout: float) -> bytes:
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:  # the child has closed the terminal
        return b""


def _reaped(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return bool(done)


async def test_a_voice_note_shows_in_the_terminal_as_a_voice_note(emulator: Emulator) -> None:
    citizen = emulator.add_user(first_name="Warga")
    bot = Bot("123456:TEST-TOKEN", base_url=emulator.base_url)
    async with bot:
        await bot.send_voice(citizen.id, b"OggS" + bytes(200), duration=7)
        await bot.send_message(citizen.id, "Halo.")
    voice, text = emulator.bot_messages(citizen)
    t = load_locales().get("id")
    assert shown_as(voice, t) == "(Pesan suara, 7 detik.)"
    assert shown_as(text, t) == "Halo."
