"""`lapor-bot sandbox`: the real bot against the built-in Bot API emulator, in a terminal."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from pydantic import SecretStr

from bot.app import build_application
from bot.language.i18n import Translator, load_locales
from bot.sandbox.emulator import Emulator, Message, RateLimits, User
from bot.settings import Settings
from bot.transport.running import polling
from storage import migrate

SANDBOX_TOKEN = "100000:sandbox-token-not-secret"
# The emulator answers a poll as soon as there is news; a short poll only speeds stopping.
SANDBOX_POLL_SECONDS = 5
QUIT = {":keluar", ":quit", ":exit"}


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


def _show(messages: Sequence[Message], t: Translator) -> None:
    for message in messages:
        print(f"\nbot: {message.text or message.caption or ''}")
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


async def run_sandbox(settings: Settings) -> None:
    """Start the emulator and the bot, then relay the terminal's lines as a citizen's chat."""
    t = load_locales().get(settings.bot_locale)
    # One person chatting: flood limits would only delay answers (tests exercise them).
    emulator = Emulator(
        bot_token=SANDBOX_TOKEN,
        bot_username="lapor_sandbox_bot",
        limits=RateLimits(enabled=False),
    )
    await emulator.start(host="127.0.0.1", port=0)
    citizen = emulator.add_user(first_name="Warga", username="warga_sandbox")
    staff = emulator.add_user(first_name="Petugas", username="petugas_sandbox")
    group = emulator.add_supergroup(
        title="Staf Pengaduan", forum=True, members=[staff], admins=[staff]
    )
    settings = settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(SANDBOX_TOKEN),
            "admin_chat_id": group.id,
            "telegram_base_url": emulator.base_url,
            "telegram_base_file_url": emulator.base_file_url,
        }
    )
    await migrate.upgrade_url(settings.database_url)
    application = build_application(settings)
    print(t("sandbox.intro"))
    try:
        async with polling(application, SANDBOX_POLL_SECONDS):
            screen = Screen(emulator, citizen, t)
            await citizen.say("/start")
            await screen.refresh()
            while True:
                try:
                    line = (await asyncio.to_thread(input, "\n> ")).strip()
                except EOFError:
                    break
                if line in QUIT:
                    break
                if line:
                    try:
                        await _send(citizen, line)
                    except TimeoutError:
                        print(t("sandbox.no_answer"))
                    await screen.refresh()
    finally:
        await emulator.stop()
        print(t("sandbox.bye"), file=sys.stderr)
