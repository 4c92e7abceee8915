"""`lapor-bot run` serves /healthz, /metrics, the agencies' API and Open311 on HTTP_ADDRESS
while it polls, and nothing at all when HTTP_ADDRESS is unset. The real process."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox.emulator import Emulator, User
from tests.processes import BotProcess
from tests.web_harness import free_port


@pytest.fixture
def staff_group_id(emulator: Emulator) -> int:
    verifier = emulator.add_user(first_name="Dina", username="dina_verifikator")
    group = emulator.add_supergroup(
        title="Staf Pengaduan", forum=True, members=[verifier], admins=[verifier]
    )
    return group.id


@pytest.fixture
async def running(
    emulator: Emulator, staff_group_id: int, tmp_path: Path
) -> AsyncIterator[tuple[BotProcess, str]]:
    """`lapor-bot run` with HTTP_ADDRESS on a free port; the address's root URL."""
    port = free_port()
    bot = BotProcess(
        emulator,
        f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}",
        staff_group_id,
        tmp_path / "bot",
        settings={"HTTP_ADDRESS": f"127.0.0.1:{port}"},
    )
    await bot.start()
    try:
        yield bot, f"http://127.0.0.1:{port}"
    finally:
        await bot.stop()


async def test_run_serves_health_metrics_and_the_apis_while_it_polls(
    running: tuple[BotProcess, str], emulator: Emulator
) -> None:
    bot, root = running
    assert bot.process is not None
    assert listening_ports(bot.process.pid) == {int(root.rsplit(":", 1)[1])}
    citizen = emulator.add_user(first_name="Siti")
    assert "Apakah Anda setuju?" in (await citizen.say("/start"))[0].body
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{root}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {
                "status": "ok", "database": "ok", "bot": "running", "dispatcher": "running"
            }  # fmt: skip
        async with http.get(f"{root}/metrics") as response:
            metrics = await response.text()
        # The update handled above, counted by the poller's process.
        handled = re.search(r'^lapor_updates_handled_total\{outcome="ok"\} (\S+)$', metrics, re.M)
        assert handled is not None and float(handled.group(1)) >= 1
        assert "lapor_database_up 1.0" in metrics
        async with http.get(f"{root}/api/v1/openapi.json") as response:
            assert response.status == 200
            assert (await response.json())["openapi"].startswith("3.")
        async with http.get(f"{root}/api/v1/reports") as response:
            assert response.status == 401  # the agencies' API wants its token
        async with http.get(f"{root}/open311/v2/services.json") as response:
            assert response.status == 200
            assert any(s["service_code"] for s in await response.json())


def listening_ports(pid: int) -> set[int]:
    """The TCP ports process `pid` listens on (Linux /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


async def test_run_listens_on_nothing_without_http_address(
    emulator: Emulator, staff_group_id: int, tmp_path: Path, citizen: User
) -> None:
    bot = BotProcess(
        emulator, f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}", staff_group_id, tmp_path
    )
    await bot.start()
    try:
        await citizen.say("/start")
        assert bot.process is not None
        assert listening_ports(bot.process.pid) == set()
    finally:
        await bot.stop()
