"""The HTTP control API under /_emulator/, as the sandbox and benchmarks use it."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.sandbox.emulator import Emulator

from .conftest import AppFactory


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    if message.photo:
        await message.reply_text(f"foto: {message.caption}")
        return
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Setuju", callback_data="ok")]])
    await message.reply_text(f"diterima: {message.text}", reply_markup=markup)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await context.bot.send_message(query.from_user.id, f"tombol {query.data}")


def control_bot(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.TEXT | filters.PHOTO, reply))


async def test_a_conversation_over_the_control_api(emu: Emulator, running_app: AppFactory) -> None:
    await running_app(control_bot)
    base = emu.control_url
    async with aiohttp.ClientSession() as http:

        async def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
            async with http.request(method, base + path, json=body) as resp:
                return resp.status, await resp.json()

        status, user = await call("POST", "/users", {"first_name": "Dewi", "username": "dewi"})
        assert status == 201 and user["first_name"] == "Dewi" and user["started"]
        status, action = await call("POST", f"/users/{user['id']}/say", {"text": "halo"})
        assert status == 200 and isinstance(action["update_id"], int)
        status, answer = await call("GET", f"/chats/{user['id']}/wait?after={action['after']}")
        assert [m["text"] for m in answer] == ["diterima: halo"]
        assert answer[0]["from_bot"] and answer[0]["reply_markup"]["inline_keyboard"]
        _, press = await call("POST", f"/users/{user['id']}/press", {"label": "Setuju"})
        _, after_press = await call("GET", f"/chats/{user['id']}/wait?after={press['after']}")
        assert [m["text"] for m in after_press] == ["tombol ok"]
        _, photo = await call("POST", f"/users/{user['id']}/photo", {"caption": "sampah"})
        _, photo_reply = await call("GET", f"/chats/{user['id']}/wait?after={photo['after']}")
        assert [m["text"] for m in photo_reply] == ["foto: sampah"]
        _, everything = await call("GET", f"/chats/{user['id']}/messages?after=0")
        assert [(m["from_bot"], m["media"]) for m in everything][-2:] == [
            (False, "photo"), (True, None),
        ]  # fmt: skip
        _, calls = await call("GET", "/calls?method=answerCallbackQuery")
        assert [c["status"] for c in calls] == [200]
        _, stats = await call("GET", "/stats")
        assert stats["unanswered_callbacks"] == 0 and stats["rate_limited"] == 0
        _, quiet = await call("GET", f"/chats/{user['id']}/wait?after=999&timeout=0.1")
        assert quiet == []


async def test_world_knobs_and_errors(emu: Emulator) -> None:
    base = emu.control_url
    async with aiohttp.ClientSession() as http:

        async def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
            async with http.request(method, base + path, json=body) as resp:
                return resp.status, await resp.json()

        _, siti = await call("POST", "/users", {"first_name": "Siti"})
        _, bambang = await call("POST", "/users", {"first_name": "Bambang"})
        status, group = await call(
            "POST", "/supergroups",
            {"title": "Staf", "forum": True, "members": [siti["id"]], "admins": [bambang["id"]]},
        )  # fmt: skip
        assert status == 201 and group["is_forum"] and group["id"] < 0
        status, topic = await call("POST", f"/supergroups/{group['id']}/topics", {"name": "PU"})
        assert status == 201 and topic["message_thread_id"] > 1
        _, said = await call(
            "POST", f"/users/{bambang['id']}/say",
            {"text": "cek", "chat_id": group["id"], "thread_id": topic["message_thread_id"]},
        )  # fmt: skip
        assert said["chat_id"] == group["id"]
        assert emu.history(group["id"])[-1].thread_id == topic["message_thread_id"]
        status, limits = await call("POST", "/limits", {"enabled": True, "scale": 10})
        assert status == 200 and limits["scale"] == 10 and emu.limits.enabled
        _, faults = await call("POST", "/faults", {"fail_next": {"count": 2, "status": 502}})
        assert faults["active"] and emu.faults.active
        _, cleared = await call("POST", "/faults", {"clear": True})
        assert not cleared["active"]
        status, error = await call("POST", "/users/424242/say", {"text": "x"})
        assert status == 404 and "no user 424242" in error["error"]
        status, error = await call("POST", f"/users/{siti['id']}/press", {"label": "Tidak ada"})
        assert status == 404 and "no button 'Tidak ada'" in error["error"]
        status, error = await call("POST", f"/users/{siti['id']}/fly", {})
        assert status == 404
        _, blocked = await call("POST", f"/users/{siti['id']}/block")
        assert blocked["blocked"] and emu.user(siti["id"]).blocked


async def test_a_page_following_a_chat_sees_edits_and_deletions_too(emu: Emulator) -> None:
    """/chats/{id}/changes returns when anything in the chat changes, an edit included,
    which /wait (new messages only) never reports."""
    group = emu.add_supergroup("Staf", forum=True)
    base = f"{emu.control_url}/chats/{group.id}/changes"
    async with (
        aiohttp.ClientSession() as http,
        Bot(emu.token, base_url=emu.base_url) as bot,
    ):

        async def changes(revision: int, timeout: float = 5.0) -> int:  # noqa: ASYNC109
            async with http.get(f"{base}?revision={revision}&timeout={timeout}") as resp:
                assert resp.status == 200
                return int((await resp.json())["revision"])

        start = await changes(-1)  # the chat as it is: at once
        card = await bot.send_message(group.id, "kartu: menunggu")
        posted = await changes(start)
        assert posted > start
        waiting = asyncio.create_task(changes(posted))
        await asyncio.sleep(0.2)
        assert not waiting.done(), "nothing changed yet"
        await bot.edit_message_text("kartu: diteruskan", group.id, card.message_id)
        edited = await asyncio.wait_for(waiting, 5)
        assert edited > posted
        emu.delete_by_hand(group, card.message_id)
        assert await changes(edited) > edited
        assert await changes(edited + 1, timeout=0.2) == edited + 1, "quiet: the same"
