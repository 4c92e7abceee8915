"""The real `lapor-bot run` process against the emulator: started, killed, started again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bot.sandbox.emulator import Emulator
from tests.harness import TOKEN, UNPACED

LIVE_VARIABLES = ("TELEGRAM_BOT_TOKEN", "ADMIN_CHAT_ID", "DATABASE_URL", "AGENCIES_FILE")
# Starting Python, PTB and SQLAlchemy on a loaded two-core machine.
START_TIMEOUT = 30.0


@dataclass
class BotProcess:
    """One `lapor-bot run` at a time, polling the emulator; its output goes to a log file."""

    emulator: Emulator
    database_url: str
    admin_chat_id: int
    workdir: Path
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    pids: list[int] = field(default_factory=list)
    # The Python that runs `-m bot`: another virtual environment's (tests/test_wheel.py).
    python: str = sys.executable
    # Further settings, e.g. HTTP_ADDRESS.
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def log_path(self) -> Path:
        return self.workdir / "lapor-bot.log"

    def environment(self) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if k not in LIVE_VARIABLES}
        return {
            **clean,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "ADMIN_CHAT_ID": str(self.admin_chat_id),
            "DATABASE_URL": self.database_url,
            "TELEGRAM_BASE_URL": self.emulator.base_url,
            "TELEGRAM_BASE_FILE_URL": self.emulator.base_file_url,
            # The emulator's flood limits are off; the outbox need not pace itself either.
            "OUTBOX_RATE_SCALE": str(UNPACED),
            # A city without areas, as tests/harness.py: no kelurahan question in the steps.
            "AREAS_FILE": "",
            **self.settings,
        }

    async def start(self) -> None:
        """Start the process and return once it polls for updates."""
        assert self.process is None, "the previous process is still running"
        self.workdir.mkdir(parents=True, exist_ok=True)
        started = self.emulator.clock()
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts + 1}\n".encode())
            log.flush()
            self.process = await asyncio.create_subprocess_exec(
                self.python,
                "-m",
                "bot",
                "run",
                cwd=self.workdir,
                env=self.environment(),
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        self.starts += 1
        self.pids.append(self.process.pid)
        try:
            await self._until_polling(started)
        except BaseException:
            await self.kill()
            raise

    async def _until_polling(self, since: float) -> None:
        # PTB deletes any webhook right before its first getUpdates; a killed process's
        # long poll may still answer late, so the poll time itself proves nothing.
        async with asyncio.timeout(START_TIMEOUT):
            while not any(c.time >= since for c in self.emulator.calls("deleteWebhook")):
                assert self.process is not None
                if self.process.returncode is not None:
                    raise AssertionError(f"lapor-bot exited at start:\n{self.log_tail()}")
                await self.emulator.activity(0.05)

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, nothing is flushed or given back."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        # Reaped, so that its pid no longer counts as a live process.
        await process.wait()

    async def stop(self) -> None:
        """A clean stop (SIGTERM), as at the end of a test."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.returncode is None:
            process.terminate()
        try:
            async with asyncio.timeout(15):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
