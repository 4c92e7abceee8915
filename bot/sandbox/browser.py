"""`lapor-bot sandbox --web`: the real bot and the emulator behind a page in the browser.

One aiohttp server on one port serves the emulator (the Bot API the bot polls, and the
control API under /_emulator/ the page acts through) and the page itself: a citizen's
chat and the staff group side by side (bot/sandbox/browser_page/, plain HTML, CSS and JavaScript,
no build step). The page's words come from the catalogues, as JSON.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from aiohttp import web

from bot.language.i18n import Translator, load_locales
from bot.sandbox.startup import (
    SANDBOX_POLL_SECONDS,
    new_emulator,
    sandbox_application,
)
from bot.settings import Settings
from bot.transport.context import LaporApplication
from bot.transport.running import start_application, stop_application

PAGE_DIR = Path(__file__).parent / "browser_page"
# Every word the page shows; the page names them without the "sandbox.web." prefix.
PAGE_TEXTS = (
    "sandbox.web.title",
    "sandbox.web.intro",
    "sandbox.web.citizen_heading",
    "sandbox.web.citizen_log",
    "sandbox.web.citizen_input",
    "sandbox.web.send",
    "sandbox.web.keyboard",
    "sandbox.web.samples",
    "sandbox.web.sample_photo",
    "sandbox.web.sample_document",
    "sandbox.web.sample_voice",
    "sandbox.web.sample_location",
    "sandbox.web.staff_heading",
    "sandbox.web.topics",
    "sandbox.web.general",
    "sandbox.web.staff_log",
    "sandbox.web.staff_input",
    "sandbox.web.reply",
    "sandbox.web.replying",
    "sandbox.web.cancel_reply",
    "sandbox.web.from_bot",
    "sandbox.web.from_you",
    "sandbox.web.photo",
    "sandbox.web.document",
    "sandbox.web.voice",
    "sandbox.web.location",
    "sandbox.web.download",
    "sandbox.web.new_in_topic",
    "sandbox.web.unread",
    "sandbox.web.alert",
    "sandbox.web.error",
)
PREFIX = "sandbox.web."
SAMPLE_LOCATION = {"latitude": -6.9147, "longitude": 107.6098}  # Jalan Braga, Bandung


def page_texts(t: Translator) -> dict[str, str]:
    """The page's words in the bot's language, by their short names."""
    return {key.removeprefix(PREFIX): t(key) for key in PAGE_TEXTS}


class WebSandbox:
    """The emulator, the page and the real bot in this process, on one local port."""

    def __init__(self, settings: Settings, host: str = "127.0.0.1", port: int = 8080):
        self.settings = settings
        self.host = host
        self.port = port
        self.t = load_locales().get(settings.bot_locale)
        self.emulator, self.people = new_emulator()
        self._runner: web.AppRunner | None = None
        self._application: LaporApplication | None = None

    @property
    def url(self) -> str:
        """Where the page is served."""
        return f"http://{self.host}:{self.port}/"

    def make_app(self) -> web.Application:
        """The emulator's routes plus the page, its words and the files the bot sent."""
        app = self.emulator.make_app()
        app.router.add_get("/", self._index)
        app.router.add_get("/sandbox/config.json", self._config)
        app.router.add_get("/sandbox/files/{file_id}", self._file)
        app.router.add_static("/sandbox/static/", PAGE_DIR)
        return app

    async def start(self) -> None:
        """Serve, then start the bot against the emulator and greet the citizen."""
        runner = web.AppRunner(self.make_app(), shutdown_timeout=1.0, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        self.emulator.host, self.emulator.port = self.host, self.port
        application = await sandbox_application(self.settings, self.emulator, self.people)
        await start_application(application, poll_seconds=SANDBOX_POLL_SECONDS)
        self._application = application
        self.emulator.script.act_say(self.people.citizen, "/start")

    async def stop(self) -> None:
        """Stop the bot, then the emulator and the server."""
        application = self._application
        if application is not None:
            await stop_application(application)
            self._application = None
        await self.emulator.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(PAGE_DIR / "index.html")

    async def _config(self, request: web.Request) -> web.Response:
        people = self.people
        return web.json_response(
            {
                "locale": self.t.locale,
                "texts": page_texts(self.t),
                "citizen": {"id": people.citizen.id, "name": people.citizen.first_name},
                "staff": {"id": people.staff.id, "name": people.staff.first_name},
                "group": {"id": people.group.id, "title": people.group.title},
                "sample_location": SAMPLE_LOCATION,
            }
        )

    async def _file(self, request: web.Request) -> web.Response:
        """A file's bytes: the chart or CSV the bot sent; samples people sent are filler."""
        stored = self.emulator.store.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        data = stored.content()
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            kind = "image/png"
        else:
            kind = stored.mime_type or "application/octet-stream"
        headers = {}
        if stored.file_name:
            name = re.sub(r"[^\w.-]", "_", stored.file_name)
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return web.Response(body=data, content_type=kind, headers=headers)


async def run_web_sandbox(settings: Settings, host: str, port: int) -> None:
    """Serve the page until interrupted."""
    sandbox = WebSandbox(settings, host, port)
    await sandbox.start()
    print(sandbox.t("sandbox.web.ready"), sandbox.url, sep="\n", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()
        print(sandbox.t("sandbox.bye"), flush=True)
