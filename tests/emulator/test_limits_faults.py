"""Flood limits (429 with retry_after) and injected faults, seen through PTB's exceptions."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.sandbox.emulator import Emulator, RateLimits, User
from bot.sandbox.emulator.faults import Faults

# PTB's own RetryAfter constructor warns about its int -> timedelta migration.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_private_chat_burst_then_429(emu: Emulator, bot: Bot, alice: User) -> None:
    emu.limits = RateLimits(per_chat_per_second=1.0, per_chat_burst=3)
    for n in range(3):
        await bot.send_message(alice.id, f"pesan {n}")
    with pytest.raises(RetryAfter):
        await bot.send_message(alice.id, "satu lagi")
    refused = emu.calls("sendMessage")[-1]
    assert (refused.status, refused.description) == (429, "Too Many Requests: retry after 1")
    assert emu.rate_limited_count == 1
    assert len(emu.history(alice)) == 3
    assert emu.max_rate_observed(1.0, alice) == 3
    bob = emu.add_user("Bambang")
    await bot.send_message(bob.id, "chat lain tidak terpengaruh")


async def test_retry_after_is_in_the_429_body(emu: Emulator, alice: User) -> None:
    emu.limits = RateLimits(per_chat_per_second=0.25, per_chat_burst=1)
    async with aiohttp.ClientSession() as http:
        url = f"{emu.base_url}{emu.token}/sendMessage"
        async with http.post(url, json={"chat_id": alice.id, "text": "a"}) as resp:
            assert resp.status == 200
        async with http.post(url, json={"chat_id": alice.id, "text": "b"}) as resp:
            body = await resp.json()
    assert resp.status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 4",
        "parameters": {"retry_after": 4},
    }


async def test_forum_topics_share_the_group_limit(emu: Emulator, bot: Bot, alice: User) -> None:
    group = emu.add_supergroup("Staf", forum=True, members=[alice])
    topics = [emu.create_topic(group, "Verifikasi"), emu.create_topic(group, "Dinas PU")]
    emu.limits = RateLimits(per_group_per_minute=20, per_group_burst=4)
    for n in range(4):
        await bot.send_message(group.id, f"kartu {n}", message_thread_id=topics[n % 2])
    with pytest.raises(RetryAfter):
        await bot.send_message(group.id, "kartu 5", message_thread_id=topics[1])
    assert emu.calls("sendMessage")[-1].description == "Too Many Requests: retry after 3"
    assert emu.max_rate_observed(60.0, group) == 4


async def test_edits_share_the_group_limit_with_sends(emu: Emulator, bot: Bot, alice: User) -> None:
    """Telegram counts a bot's edits with its messages: a group's 20 a minute are both."""
    group = emu.add_supergroup("Staf", forum=True, members=[alice])
    topic = emu.create_topic(group, "Verifikasi")
    card = await bot.send_message(group.id, "kartu", message_thread_id=topic)
    emu.limits = RateLimits(per_group_per_minute=20, per_group_burst=3)
    await bot.send_message(group.id, "kartu lain", message_thread_id=topic)
    for status in ("diteruskan", "ditindaklanjuti"):
        await bot.edit_message_text(f"kartu {status}", group.id, card.message_id)
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("kartu selesai", group.id, card.message_id)
    assert emu.message(group, card.message_id).text == "kartu ditindaklanjuti", "refused: unchanged"
    assert [s.method for s in emu.send_log.sends] == [
        "sendMessage",
        "sendMessage",
        "editMessageText",
        "editMessageText",
    ]
    assert emu.rate_limited_count == 1


async def test_overall_limit_and_scale(emu: Emulator, bot: Bot) -> None:
    users = [emu.add_user(f"Warga {n}") for n in range(4)]
    emu.limits = RateLimits(overall_per_second=1, overall_burst=3, scale=4)
    for user in users[:3]:
        await bot.send_message(user.id, "pengumuman")
    with pytest.raises(RetryAfter):
        await bot.send_message(users[3].id, "pengumuman")
    await asyncio.sleep(0.3)  # scale=4 refills one send every 0.25 s
    await bot.send_message(users[3].id, "pengumuman")
    assert emu.rate_limited_count == 1
    assert len(emu.send_log.sends) == 4


async def test_disabled_limits_never_429(emu: Emulator, bot: Bot, alice: User) -> None:
    await asyncio.gather(*(bot.send_message(alice.id, str(n)) for n in range(12)))
    assert emu.rate_limited_count == 0
    assert emu.max_rate_observed(1.0, alice) == 12


async def test_fail_next_changes_nothing(emu: Emulator, bot: Bot, alice: User) -> None:
    emu.faults.fail_next(1, status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(alice.id, "pertama")
    assert emu.history(alice) == []
    await bot.send_message(alice.id, "kedua")
    emu.faults.fail_next(2, status=502, methods=["sendMessage"])
    assert (await bot.get_me()).username == "lapor_test_bot"
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(alice.id, "gagal")
    await bot.send_message(alice.id, "ketiga")
    assert [m.text for m in emu.history(alice)] == ["kedua", "ketiga"]
    assert emu.faults.injected == 3


def test_random_faults_are_reproducible() -> None:
    def pattern(seed: int) -> list[bool]:
        faults = Faults(seed=seed)
        faults.fail_randomly(0.3)
        return [faults.draw("sendMessage") is not None for _ in range(50)]

    assert pattern(7) == pattern(7)
    assert 5 < sum(pattern(7)) < 25
    assert pattern(7) != pattern(8)
    faults = Faults()
    faults.fail_randomly(1.0)
    assert faults.draw("getUpdates") is None  # pollers are spared unless named


async def test_slow_call_times_out_but_still_sends(emu: Emulator, alice: User) -> None:
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(emu.token, base_url=emu.base_url, request=request) as slow_client:
        emu.faults.delay_next(0.5, methods="sendMessage")
        with pytest.raises(TimedOut):
            await slow_client.send_message(alice.id, "terlambat")
        assert emu.history(alice) == []
        await asyncio.sleep(0.5)
        # Like Telegram: the client gave up, yet the message was delivered.
        assert [m.text for m in emu.history(alice)] == ["terlambat"]
        emu.faults.delay_next(0.3, methods="sendMessage", status=504)
        with pytest.raises(TimedOut):
            await slow_client.send_message(alice.id, "hilang")
        await asyncio.sleep(0.3)
        assert [m.text for m in emu.history(alice)] == ["terlambat"]
