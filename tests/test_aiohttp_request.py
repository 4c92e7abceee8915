"""The aiohttp transport speaks the Bot API as python-telegram-bot's own does: through the
emulator over real HTTP, with uploads, downloads, timeouts and network failures."""

from __future__ import annotations

import socket

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.sandbox.emulator import Emulator, User
from bot.transport.aiohttp_request import AiohttpRequest
from tests.harness import TOKEN


def _bot(emulator: Emulator, **timeouts: float) -> Bot:
    return Bot(
        TOKEN,
        base_url=emulator.base_url,
        base_file_url=emulator.base_file_url,
        request=AiohttpRequest(8, **timeouts),
        get_updates_request=AiohttpRequest(1),
    )


async def test_messages_uploads_and_downloads_go_through(emulator: Emulator, citizen: User) -> None:
    async with _bot(emulator) as bot:
        sent = await bot.send_message(citizen.id, "Laporan <b>diterima</b> & dicatat")
        document = await bot.send_document(
            citizen.id, b"%PDF-1.4 isi", filename="bukti.pdf", caption="Bukti"
        )
        emulator.script.act_media(citizen, "photo", size=2_000)  # no bot polls to answer it
        received = await bot.get_updates()
        file_id = received[-1].message.photo[-1].file_id
        content = await (await bot.get_file(file_id)).download_as_bytearray()

    [text, upload] = emulator.bot_messages(citizen)
    assert text.text == "Laporan <b>diterima</b> & dicatat" and sent.message_id == text.message_id
    assert (upload.caption, document.document.file_name) == ("Bukti", "bukti.pdf")
    stored = emulator.store.files[upload.file_id]
    assert stored.content() == b"%PDF-1.4 isi"
    assert len(content) == emulator.store.files[file_id].size


async def test_a_slow_answer_times_out(emulator: Emulator, citizen: User) -> None:
    emulator.faults.delay_next(1.0, methods="sendMessage")
    async with _bot(emulator, read_timeout=0.2) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(citizen.id, "halo")


async def test_a_refused_connection_is_a_network_error_without_the_token() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest(1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()
    assert TOKEN not in str(raised.value) and "aiohttp" in str(raised.value)
