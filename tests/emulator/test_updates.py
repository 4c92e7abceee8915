"""Getting updates: long polling, confirmation by offset, 409 conflicts and webhooks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, Update
from telegram.error import Conflict
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.sandbox.emulator import Emulator, User


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    emu: Emulator, bot: Bot, alice: User
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    emu.script.act_say(alice, "halo")
    updates = await poll
    assert time.monotonic() - started < 1.0
    assert [u.message.text for u in updates if u.message] == ["halo"]
    message = updates[0].message
    assert message is not None and message.from_user is not None
    assert (message.from_user.id, message.chat.type) == (alice.id, "private")
    assert message.date.timestamp() > 0


async def test_updates_stay_until_confirmed_by_offset(emu: Emulator, bot: Bot, alice: User) -> None:
    for text in ("satu", "dua", "tiga"):
        emu.script.act_say(alice, text)
    first = await bot.get_updates()
    again = await bot.get_updates()
    assert [u.update_id for u in first] == [u.update_id for u in again]
    rest = await bot.get_updates(offset=first[0].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["dua", "tiga"]
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["tiga"]
    assert [u.update_id for u in emu.pending_updates] == [last[0].update_id]
    assert await bot.get_updates(offset=last[0].update_id + 1, timeout=0) == ()


async def test_second_poller_terminates_the_first(emu: Emulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with Bot(emu.token, base_url=emu.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    assert emu.calls("getUpdates")[-1].description == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running"
    )


async def test_allowed_updates_filter(emu: Emulator, bot: Bot, alice: User) -> None:
    await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    dropped = emu.script.act_say(alice, "tidak diminta").update
    assert dropped is not None and dropped.dropped
    assert await bot.get_updates(timeout=0) == ()


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[dict[str, object]], list[int]]]:
    """A webhook endpoint answering 500 to the first two requests, then 200."""
    received: list[dict[str, object]] = []
    answers = [500, 500]

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        status = answers.pop(0) if answers else 200
        received.append(
            {
                "update_id": body["update_id"],
                "text": body["message"]["text"],
                "secret": request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                "status": status,
            }
        )
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/hook", received, answers
    await runner.cleanup()


async def test_webhook_delivery_retries_in_order_with_secret(
    emu: Emulator,
    bot: Bot,
    alice: User,
    receiver: tuple[str, list[dict[str, object]], list[int]],
) -> None:
    url, received, _answers = receiver
    assert await bot.set_webhook(url, secret_token="rahasia-123", max_connections=5)
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    for text in ("satu", "dua", "tiga"):
        emu.script.act_say(alice, text)
    await emu.wait_idle(settle=0.05, timeout=5)
    for _ in range(100):
        if not emu.pending_updates:
            break
        await asyncio.sleep(0.02)
    assert all(r["secret"] == "rahasia-123" for r in received)
    assert [r["status"] for r in received][:2] == [500, 500]
    delivered = [r["text"] for r in received if r["status"] == 200]
    assert delivered == ["satu", "dua", "tiga"]
    info = await bot.get_webhook_info()
    assert info.url == url and info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


async def test_set_webhook_ends_a_pending_poll(emu: Emulator, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    await bot.set_webhook("http://127.0.0.1:9/unused", drop_pending_updates=True)
    with pytest.raises(Conflict, match="terminated by setWebhook request"):
        await poll
    await bot.delete_webhook()


async def test_webhook_feeds_a_real_application(emu: Emulator, alice: User) -> None:
    """The path lapor-bot's own aiohttp webhook takes: secret check, then update_queue."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"via webhook: {update.effective_message.text}")

    app = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .updater(None)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    refused: list[str | None] = []

    async def hook(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        if secret != "s3cret":
            refused.append(secret)
            return web.Response(status=403)
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return web.Response()

    server = web.Application()
    server.router.add_post("/telegram", hook)
    runner = web.AppRunner(server)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram"
    await app.initialize()
    await app.start()
    try:
        await app.bot.set_webhook(url, secret_token="s3cret")
        replies = await alice.say("halo")
        assert [m.text for m in replies] == ["via webhook: halo"]
        assert refused == []
        assert (await app.bot.get_webhook_info()).pending_update_count == 0
    finally:
        await app.stop()
        await app.shutdown()
        await runner.cleanup()
