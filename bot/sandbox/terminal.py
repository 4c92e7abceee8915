"""`lapor-bot sandbox`: the real bot against the built-in Bot API emulator, in a terminal."""

from __future__ import annotations

import asyncio
import queue
import sys
import threading
from collections.abc import Sequence
from contextlib import suppress

from bot.language.i18n import Translator, load_locales
from bot.sandbox.emulator import Emulator, Message, User
from bot.sandbox.startup import SANDBOX_POLL_SECONDS, new_emulator, sandbox_application
from bot.settings import Settings
from bot.transport.running import polling

QUIT = {":keluar", ":quit", ":exit"}
# What a message that is not text is printed as.
MEDIA = {"photo": "sandbox.photo", "document": "sandbox.document", "location": "sandbox.location"}


class Screen:
    """Prints each bot message of the citizen's chat once, in order, whatever the timing."""

    def __init__(self, emulator: Emulator, citizen: User, t: Translator):
        self._emulator = emulator
        self._citizen = citizen
        self._t = t
        self._shown = 0

    async def refresh(self) -> None:
        """Wait until the bot is quiet, then print what it sent since the last refresh."""
        await self._emulator.wait_idle()
        messages = self._emulator.bot_messages(self._citizen)
        _show(messages[self._shown :], self._t)
        self._shown = len(messages)


def shown_as(message: Message, t: Translator) -> str:
    """A bot message as the terminal prints it; what is not text is said in words."""
    if message.media == "voice":
        seconds = int((message.content.get("voice") or {}).get("duration") or 0)
        said = t("sandbox.voice", seconds=seconds)
    elif message.media in MEDIA:
        said = t(MEDIA[message.media])
    else:
        return message.body
    return f"{said} {message.caption}" if message.caption else said


def _show(messages: Sequence[Message], t: Translator) -> None:
    for message in messages:
        print(f"\nbot: {shown_as(message, t)}")
        markup = message.reply_markup or {}
        rows = markup.get("keyboard") or markup.get("inline_keyboard") or []
        labels = [button["text"] for row in rows for button in row]
        if labels:
            print(t("sandbox.buttons", labels=" | ".join(labels)))


async def _send(citizen: User, line: str) -> list[Message]:
    """Send a typed line, or a sample file for the :foto-style words."""
    match line:
        case ":foto":
            return await citizen.send_photo()
        case ":dokumen":
            return await citizen.send_document(file_name="bukti.pdf", mime_type="application/pdf")
        case ":suara":
            return await citizen.send_voice(duration=8)
        case ":lokasi":
            return await citizen.send_location(latitude=-6.9147, longitude=107.6098)
    return await citizen.say(line)


class Keyboard:
    """Lines typed at the terminal, read by a thread of its own.

    input() cannot be interrupted, and asyncio waits for its executor's threads at exit: a
    line read there would keep Ctrl-C waiting for Enter. This thread is a daemon, so the
    process ends without it; input() keeps its line editing.
    """

    def __init__(self) -> None:
        self._asks: queue.SimpleQueue[tuple[str, asyncio.Future[str | None]]] = queue.SimpleQueue()
        self._loop = asyncio.get_running_loop()
        threading.Thread(target=self._read, name="sandbox keyboard", daemon=True).start()

    async def line(self, prompt: str) -> str | None:
        """The next line typed, or None at the end of input."""
        answer: asyncio.Future[str | None] = self._loop.create_future()
        self._asks.put((prompt, answer))
        return await answer

    def _read(self) -> None:
        while True:
            prompt, answer = self._asks.get()
            try:
                line: str | None = input(prompt)
            except (EOFError, OSError):
                line = None
            # The loop may be gone when a line comes after Ctrl-C.
            with suppress(RuntimeError):
                self._loop.call_soon_threadsafe(_settle, answer, line)


def _settle(answer: asyncio.Future[str | None], line: str | None) -> None:
    if not answer.done():
        answer.set_result(line)


async def _say(citizen: User, line: str, screen: Screen, t: Translator) -> None:
    try:
        await _send(citizen, line)
    except TimeoutError:
        print(t("sandbox.no_answer"))
    await screen.refresh()


async def run_sandbox(settings: Settings) -> None:
    """Start the emulator and the bot, then relay the terminal's lines as a citizen's chat."""
    t = load_locales().get(settings.bot_locale)
    emulator, people = new_emulator()
    await emulator.start(host="127.0.0.1", port=0)
    try:
        application = await sandbox_application(settings, emulator, people)
        print(t("sandbox.intro"))
        async with polling(application, SANDBOX_POLL_SECONDS):
            screen = Screen(emulator, people.citizen, t)
            await _say(people.citizen, "/start", screen, t)
            keyboard = Keyboard()
            while (line := await keyboard.line("\n> ")) is not None:
                line = line.strip()
                if line in QUIT:
                    break
                if line:
                    await _say(people.citizen, line, screen, t)
    finally:
        await emulator.stop()
        print(t("sandbox.bye"), file=sys.stderr)
