"""The real application in webhook mode: its aiohttp server on a local port, fed by the
emulator's webhook delivery (or by a forwarder standing in for a load balancer)."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from itertools import cycle

import aiohttp
from aiohttp import web

from bot.app import build_services
from bot.core import tracking
from bot.sandbox.emulator import Emulator
from bot.web.server import BOT, SECRET_HEADER, WebhookBot, make_app
from tests.harness import Clock, Harness

SECRET = "rahasia-uji_123"


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class WebhookHarness(Harness):
    """One bot process in webhook mode; Telegram (the emulator) posts to `public_url`."""

    port: int = field(default_factory=free_port)
    # Where Telegram is told to post; the bot's own address unless a forwarder stands between.
    public_url: str | None = None
    runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The bot's own webhook address."""
        return f"http://127.0.0.1:{self.port}/telegram"

    @property
    def root(self) -> str:
        """The bot's own server, for /healthz and /metrics."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def web(self) -> WebhookBot:
        """The running web application's bot."""
        assert self.runner is not None
        return self.runner.app[BOT]

    async def start(self) -> None:
        self.overrides.setdefault("webhook_secret", SECRET)
        self.overrides["webhook_url"] = self.public_url or self.url
        settings = self.settings()
        services = build_services(
            settings, clock=self.clock, new_code=lambda: tracking.new_code(self.rng)
        )
        runner = web.AppRunner(make_app(settings, services), access_log=None, shutdown_timeout=5)
        self.report_to_emulator(runner.app[BOT].application)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self.port).start()
        self.runner = runner
        self.application = runner.app[BOT].application

    async def stop(self) -> None:
        self.emulator.detach_bot(self)
        runner, self.runner = self.runner, None
        if runner is not None:
            await runner.cleanup()
        self.application = None


def staffed(emulator: Emulator, database_url: str, clock: Clock, **kw: object) -> WebhookHarness:
    """A webhook bot (not started) with a forum staff group of one administrator."""
    staff = emulator.add_user(first_name="Petugas", username="petugas")
    group = emulator.add_supergroup(
        title="Staf Pengaduan", forum=True, members=[staff], admins=[staff]
    )
    return WebhookHarness(emulator, database_url, clock, group.id, **kw)  # type: ignore[arg-type]


@dataclass
class Forwarder:
    """A stand-in for a load balancer in front of several bot processes."""

    backends: list[str]
    mode: str = "round_robin"  # or "both": every request to every backend at once
    port: int = field(default_factory=free_port)
    statuses: list[int] = field(default_factory=list)
    runner: web.AppRunner | None = None
    session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    async def start(self) -> None:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        turns = cycle(range(len(self.backends)))
        app = web.Application()

        async def forward(request: web.Request) -> web.Response:
            body = await request.read()
            headers = {
                "Content-Type": "application/json",
                SECRET_HEADER: request.headers.get(SECRET_HEADER, ""),
            }
            targets = self.backends if self.mode == "both" else [self.backends[next(turns)]]
            statuses = await asyncio.gather(*(self._post(t, body, headers) for t in targets))
            self.statuses.extend(statuses)
            return web.Response(status=max(statuses))

        app.router.add_post("/telegram", forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        assert self.session is not None
        try:
            async with self.session.post(url, data=body, headers=headers) as response:
                await response.read()
                return response.status
        except aiohttp.ClientError:
            return 502

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
        if self.session is not None:
            await self.session.close()
