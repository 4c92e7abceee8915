"""Scale-out: two `lapor-bot webhook` processes behind one address, on one database.

A forwarder stands in for the load balancer and hands Telegram's requests to the two
processes in turn, so one citizen's consecutive messages land on different processes.
Each process runs its own outbox dispatcher. The database is PostgreSQL (the scale-out
database) or, for a small city, one SQLite file.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from bot.sandbox.emulator import Emulator, Message, User
from storage.db import create_engine, create_sessionmaker
from storage.models import HandledUpdate, OutboxMessage
from tests.harness import TOKEN, UNPACED
from tests.steps import CONTENT, code_in, texts
from tests.web_harness import SECRET, Forwarder, free_port

START_TIMEOUT = 60.0
CITIZENS = 6
ADDRESS = "Jalan Braga nomor 12, RT 3 RW 5"
TYPED = ["/start", "1", "1", "1", CONTENT, "1", ADDRESS, "kemarin", "lewati", "2", "1"]
CODE_DIGITS = re.compile(r"\d(?:[ ,-]*\d){6}")
STEP = re.compile(r"Langkah (\d) dari")


@dataclass
class WebhookProcess:
    """One real `lapor-bot webhook` process; its output goes to a log file."""

    emulator: Emulator
    database_url: str
    admin_chat_id: int
    public_url: str
    workdir: Path
    port: int = 0
    process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> str:
        path = self.workdir / "lapor-bot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __post_init__(self) -> None:
        self.port = self.port or free_port()

    async def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_", "ADMIN_", "OUTBOX_"))
        }
        env = {
            **clean,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "ADMIN_CHAT_ID": str(self.admin_chat_id),
            "DATABASE_URL": self.database_url,
            "TELEGRAM_BASE_URL": self.emulator.base_url,
            "TELEGRAM_BASE_FILE_URL": self.emulator.base_file_url,
            "OUTBOX_RATE_SCALE": str(UNPACED),
            # A city without areas, as tests/harness.py: no kelurahan question in TYPED.
            "AREAS_FILE": "",
            "WEBHOOK_URL": self.public_url,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(self.port),
            "WEBHOOK_SECRET": SECRET,
        }
        with (self.workdir / "lapor-bot.log").open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "webhook",
                cwd=self.workdir,
                env=env,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )

    async def healthy(self) -> None:
        """Wait until /healthz says ok (the database, the bot and its dispatcher)."""
        async with asyncio.timeout(START_TIMEOUT), aiohttp.ClientSession() as session:
            while True:
                assert self.process is not None
                if self.process.returncode is not None:
                    raise AssertionError(f"lapor-bot webhook exited:\n{self.log[-3000:]}")
                try:
                    async with session.get(f"{self.root}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await self.emulator.activity(0.1)

    async def handled(self) -> float:
        """Updates this process handled, from its own /metrics."""
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{self.root}/metrics") as response,
        ):
            exposition = await response.text()
        return sum(
            sample.value
            for family in text_string_to_metric_families(exposition)
            for sample in family.samples
            if sample.name == "lapor_updates_handled_total"
        )

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            async with asyncio.timeout(20):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


@dataclass
class Deployment:
    emulator: Emulator
    database_url: str
    group_id: int
    verifier: User
    bots: list[WebhookProcess]
    forwarder: Forwarder


@pytest.fixture
async def deployment(
    emulator: Emulator, database_url: str, tmp_path: Path
) -> AsyncIterator[Deployment]:
    """Two webhook processes and their forwarder, up and healthy."""
    staff = emulator.add_user(first_name="Dina", username="dina_verifikator")
    group = emulator.add_supergroup(
        title="Staf Pengaduan", forum=True, members=[staff], admins=[staff]
    )
    forwarder = Forwarder([])
    bots = [
        WebhookProcess(emulator, database_url, group.id, forwarder.url, tmp_path / f"bot{n}")
        for n in (1, 2)
    ]
    forwarder.backends = [bot.url for bot in bots]
    await forwarder.start()
    try:
        for bot in bots:
            await bot.start()
        await asyncio.gather(*(bot.healthy() for bot in bots))
        yield Deployment(emulator, database_url, group.id, staff, bots, forwarder)
    finally:
        for bot in bots:
            await bot.stop()
        await forwarder.stop()


def _masked(messages: list[Message]) -> list[str]:
    return [CODE_DIGITS.sub("KODE", text) for text in texts(messages)]


async def _outbox(url: str) -> list[OutboxMessage]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return list((await session.scalars(select(OutboxMessage))).all())
    finally:
        await engine.dispose()


async def _settled(deployment: Deployment) -> list[OutboxMessage]:
    """Wait until no outbox row is pending, then return them all."""
    async with asyncio.timeout(60):
        while True:
            rows = await _outbox(deployment.database_url)
            if rows and all(row.state != "pending" for row in rows):
                await deployment.emulator.wait_idle(settle=0.5, timeout=30)
                return rows
            await deployment.emulator.activity(0.2)


async def test_two_processes_answer_each_citizen_in_order_and_send_each_row_once(
    deployment: Deployment, emulator: Emulator
) -> None:
    # Every citizen types all their answers at once; Telegram hands one chat's updates
    # over one at a time, alternately to either process.
    citizens = [emulator.add_user(first_name=f"Warga{n}") for n in range(CITIZENS)]
    last_actions = []
    for citizen in citizens:
        actions = [emulator.script.act_say(citizen, text) for text in TYPED]
        last_actions.append(actions[-1])
    await asyncio.gather(*(emulator.script.wait(a, timeout=90) for a in last_actions))
    transcripts = [_masked(emulator.bot_messages(citizen)) for citizen in citizens]
    assert all(t == transcripts[0] for t in transcripts), "every citizen answered in order"
    steps = [int(n) for text in transcripts[0] for n in STEP.findall(text)]
    assert steps == sorted(steps) and set(steps) == set(range(1, 9)), steps
    codes = [code_in(emulator.bot_messages(citizen)) for citizen in citizens]
    assert len(set(codes)) == CITIZENS

    # Staff forward every report by typed command, also through either process.
    group = emulator.chat(deployment.group_id)
    commands = [
        emulator.script.act_say(deployment.verifier, f"/teruskan {code}", group) for code in codes
    ]
    await asyncio.gather(*(emulator.script.wait(c, expect=0, timeout=60) for c in commands))
    rows = await _settled(deployment)

    # No row sent twice: each row posting a message is one message, and no message came
    # without a row; a row editing a card (forwarded: its card in Verifikasi says where it
    # went) names a card a row posted.
    assert Counter(row.state for row in rows) == {"sent": len(rows)}
    sent = [(row.chat_id, row.message_id) for row in rows if not row.payload.get("edit_card")]
    assert len(set(sent)) == len(sent)
    edited = [(row.chat_id, row.message_id) for row in rows if row.payload.get("edit_card")]
    assert len(edited) == CITIZENS and set(edited) <= set(sent)
    staff_messages = {m.message_id for m in emulator.bot_messages(group) if not m.is_service}
    assert staff_messages == {mid for chat, mid in sent if chat == deployment.group_id}
    for citizen, transcript in zip(citizens, transcripts, strict=True):
        notices = [mid for chat, mid in sent if chat == citizen.id]
        assert len(notices) == 1, "one notice per citizen: forwarded"
        after = emulator.bot_messages(citizen)
        assert len(after) == len(transcript) + 1, "the notice came once"

    # Both dispatchers sent rows: a sent row keeps its lease owner, which names the process.
    pids = {bot.process.pid for bot in deployment.bots if bot.process is not None}
    senders = Counter(_pid(row.lease_owner) for row in rows)
    assert len(pids) == 2 and set(senders) == pids, senders

    # Both processes took part in the work.
    handled = await asyncio.gather(*(bot.handled() for bot in deployment.bots))
    assert all(n > 0 for n in handled), handled
    assert sum(handled) == len(emulator.webhook.deliveries)
    for bot in deployment.bots:
        assert "Traceback" not in bot.log, bot.log[-3000:]
    assert await _count_handled(deployment.database_url) >= CITIZENS * len(TYPED)


def _pid(lease_owner: str | None) -> int:
    """The process of a dispatcher's name: host, pid namespace, pid, random part."""
    assert lease_owner is not None
    return int(lease_owner.rsplit("-", 2)[1])


async def _count_handled(url: str) -> int:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return int(await session.scalar(select(func.count()).select_from(HandledUpdate)) or 0)
    finally:
        await engine.dispose()
