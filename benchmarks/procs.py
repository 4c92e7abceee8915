"""The processes a benchmark runs: the emulator and the bots, measured from outside."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-TOKEN"
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Process:
    """A child process, its log file, and what /proc says about it."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def cpu_seconds(self) -> float:
        """User plus system CPU time used so far."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rfind(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / _TICK

    def _status(self, key: str) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
        raise LookupError(key)

    def rss_mb(self) -> float:
        """Resident memory now, in MiB."""
        return self._status("VmRSS")

    def peak_rss_mb(self) -> float:
        """The most resident memory the process ever had (VmHWM), in MiB."""
        return self._status("VmHWM")

    def sql_counts(self) -> dict[str, int]:
        """SQL statements and transactions so far (benchmarks/counted_bot.py), {} if none."""
        target = self.log.with_suffix(".sql.json")
        if self.popen.poll() is None:
            before = target.stat().st_mtime_ns if target.exists() else 0
            self.popen.send_signal(signal.SIGUSR1)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if target.exists() and target.stat().st_mtime_ns != before:
                    break
                time.sleep(0.02)
        try:
            return dict(json.loads(target.read_text()))
        except (OSError, ValueError):
            return {}

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """Ask it to stop (SIGINT, as Ctrl-C), and kill it if it does not."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def tail(self, lines: int = 20) -> str:
        """The end of its log, for an error message."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _spawn(
    name: str, argv: list[str], workdir: Path, env: dict[str, str], root: Path = ROOT
) -> Process:
    log = workdir / f"{name}.log"
    handle = log.open("wb")
    full_env = {**os.environ, "PYTHONPATH": str(root), **env}
    popen = subprocess.Popen(argv, cwd=workdir, env=full_env, stdout=subprocess.PIPE, stderr=handle)
    return Process(name, popen, log)


@dataclass
class EmulatorProcess:
    process: Process
    base_url: str
    base_file_url: str
    control_url: str


def start_emulator(workdir: Path, *, limits: bool = False, scale: float = 1.0) -> EmulatorProcess:
    """``python -m bot.emulator`` on a free port; returns its URLs once it serves."""
    argv = [sys.executable, "-m", "bot.sandbox.emulator", "--port", "0", "--token", TOKEN]
    if limits:
        argv += ["--limits", "--scale", str(scale)]
    process = _spawn("emulator", argv, workdir, {})
    assert process.popen.stdout is not None
    line = process.popen.stdout.readline()
    if not line:
        raise RuntimeError(f"the emulator did not start:\n{process.tail()}")
    urls = json.loads(line)
    return EmulatorProcess(process, urls["base_url"], urls["base_file_url"], urls["control_url"])


@dataclass(frozen=True)
class Webhook:
    """Where one webhook process listens, and the address all of them register."""

    public_url: str
    port: int
    secret: str

    @property
    def local_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"


def start_lapor(
    workdir: Path,
    name: str,
    emulator: EmulatorProcess,
    *,
    database_url: str,
    admin_chat_id: int,
    rate_scale: float,
    webhook: Webhook | None = None,
    root: Path = ROOT,
) -> Process:
    """The real ``lapor-bot run`` (migrations, then long polling) against the emulator, or
    ``lapor-bot webhook`` behind the benchmark's forwarder, with its SQL counted
    (benchmarks/counted_bot.py)."""
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "ADMIN_CHAT_ID": str(admin_chat_id),
        "DATABASE_URL": database_url,
        "TELEGRAM_BASE_URL": emulator.base_url,
        "TELEGRAM_BASE_FILE_URL": emulator.base_file_url,
        "OUTBOX_RATE_SCALE": str(rate_scale),
        # The intake script is the conversation of a city without areas (no kelurahan
        # question), so a --baseline run of an earlier commit answers the same steps.
        "AREAS_FILE": "",
    }
    command = "run"
    if webhook is not None:
        command = "webhook"
        env.update(
            WEBHOOK_URL=webhook.public_url,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(webhook.port),
            WEBHOOK_SECRET=webhook.secret,
            WEBHOOK_MAX_CONNECTIONS="100",
        )
    env["BENCH_STATEMENTS_FILE"] = str(workdir / f"{name}.sql.json")
    argv = [sys.executable, "-m", "benchmarks.counted_bot", command]
    return _spawn(name, argv, workdir, env, root)


def migrate_with(root: Path, database_url: str, workdir: Path) -> None:
    """Bring a database to the schema of the tree at `root` (``lapor-bot db upgrade``)."""
    env = {**os.environ, "PYTHONPATH": str(root), "DATABASE_URL": database_url}
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"], cwd=workdir, env=env,
        check=True, capture_output=True,
    )  # fmt: skip


def snapshot(commit: str, into: Path) -> Path:
    """The tree of an earlier commit, to run its bot beside this one (the baseline); this
    tree's SQL counter goes in with it."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", commit], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    counter = ROOT / "benchmarks" / "counted_bot.py"
    (into / "benchmarks" / "counted_bot.py").write_bytes(counter.read_bytes())
    return into


def start_echo(
    workdir: Path, emulator: EmulatorProcess, request: str = "aiohttp", database_url: str = ""
) -> Process:
    """The bare python-telegram-bot echo bot (benchmarks/echo_bot.py), sending over
    lapor-bot's aiohttp request class or python-telegram-bot's default httpx; with a
    database, the floor (benchmarks/sql_echo_bot.py) that also stores each turn."""
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": emulator.base_url,
        "ECHO_REQUEST": request,
        "ECHO_DATABASE_URL": database_url,
    }
    if database_url:
        return _spawn("echo-sql", [sys.executable, "-m", "benchmarks.sql_echo_bot"], workdir, env)
    return _spawn(f"echo-{request}", [sys.executable, "-m", "benchmarks.echo_bot"], workdir, env)


def start_profiler(target: Process, output: Path) -> Process:
    """py-spy sampling the target (not pausing it) into collapsed stacks, until stopped."""
    spy = Path(sys.executable).parent / "py-spy"
    output.parent.mkdir(parents=True, exist_ok=True)
    argv = [str(spy), "record", "--pid", str(target.pid), "--format", "raw", "--nonblocking"]
    argv += ["--rate", "250", "--output", str(output)]
    return _spawn(f"py-spy-{target.name}", argv, output.parent, {})
