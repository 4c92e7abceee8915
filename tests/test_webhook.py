"""Webhook mode: the secret-token check, registration, order per chat, health and metrics."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from time import monotonic, perf_counter

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import func, make_url, select, text

from bot.api.tokens import Scope, issue
from bot.core.outgoing import ChatTarget, CitizenChat, Outgoing
from bot.delivery.dispatcher import Dispatcher, stop_delivery
from bot.sandbox.emulator import Emulator, RateLimits, User
from bot.settings import WEBHOOK_SECRET, Settings
from bot.web.health import DISPATCHER_STALLED_AFTER, check
from bot.web.server import SECRET_HEADER
from storage import outbox
from storage.db import create_engine
from storage.models import Attachment, HandledUpdate, OutboxMessage, ReportUpload
from tests.delivery_helpers import add_citizens, bodies, enqueue, outbox_rows
from tests.harness import TOKEN, Clock
from tests.steps import CONTENT, code_in, consent, file_report, last, texts
from tests.web_harness import SECRET, Forwarder, WebhookHarness, staffed

ADDRESS = "Jalan Braga nomor 12, RT 3 RW 5"
# Seven digits, joined by spaces, commas or a hyphen: 726-4185, or 7 2 6, 4 1 8 5.
CODE_DIGITS = re.compile(r"\d(?:[ ,-]*\d){6}")


@pytest.fixture
async def webhook(
    emulator: Emulator, database_url: str, clock: Clock
) -> AsyncIterator[WebhookHarness]:
    """The real application serving the emulator's webhook deliveries."""
    bot = staffed(emulator, database_url, clock)
    await bot.start()
    yield bot
    await bot.stop()


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def _post(url: str, body: object, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers) as response,
    ):
        return response.status


def _masked(text: str) -> str:
    """A message with its tracking code (shown or spelled digit by digit) blanked out."""
    return CODE_DIGITS.sub("KODE", text)


def _samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def _by_label(exposition: str, name: str) -> dict[str, float]:
    """One metric's samples by the value of their only label."""
    return {
        labels[0][1]: value
        for (sample, labels), value in _samples(exposition).items()
        if sample == name
    }


async def test_the_webhook_is_registered_with_its_secret_and_serves_citizens(
    webhook: WebhookHarness, emulator: Emulator, citizen: User
) -> None:
    config = emulator.queue.webhook
    assert config is not None
    assert (config.url, config.secret_token) == (webhook.url, SECRET)
    assert emulator.queue.allowed_updates == ["message", "edited_message", "callback_query"]
    assert "Apa yang bisa kami bantu" in last(await consent(citizen))
    assert emulator.webhook.deliveries, "updates came by webhook, not by polling"
    assert {status for _, status, _ in emulator.webhook.deliveries} == {200}
    assert not emulator.calls("getUpdates")


async def test_a_request_without_the_right_secret_is_refused_and_not_handled(
    webhook: WebhookHarness, emulator: Emulator, citizen: User
) -> None:
    update = {
        "update_id": 990001,
        "message": {
            "message_id": 1,
            "date": 1795600000,
            "chat": {"id": citizen.id, "type": "private", "first_name": citizen.first_name},
            "from": {"id": citizen.id, "is_bot": False, "first_name": citizen.first_name},
            "text": "/start",
        },
    }
    assert await _post(webhook.url, update, {}) == 403
    assert await _post(webhook.url, update, {SECRET_HEADER: "tebakan"}) == 403
    assert await _post(webhook.url, update, {SECRET_HEADER: SECRET + "x"}) == 403
    assert await _post(webhook.url, ["not", "an", "update"], {SECRET_HEADER: SECRET}) == 400
    # With the right secret, an update_id the handled-updates record cannot keep (a
    # BIGINT) is refused before it reaches the application or the database.
    for update_id in ("990001", 1.5, True, 2**63, -1, None):
        odd = {**update, "update_id": update_id}
        assert await _post(webhook.url, odd, {SECRET_HEADER: SECRET}) == 400, update_id
    assert not emulator.bot_messages(citizen), "a forged update reached no one"
    async with webhook.services.sessionmaker() as session:
        assert await session.get(HandledUpdate, 990001) is None
    _, exposition = await _get(f"{webhook.root}/metrics")
    samples = _samples(exposition)
    assert samples[("lapor_webhook_rejected_total", (("reason", "secret"),))] == 3
    assert samples[("lapor_webhook_rejected_total", (("reason", "malformed"),))] == 7
    # The same update with the secret is a citizen's /start like any other.
    assert await _post(webhook.url, update, {SECRET_HEADER: SECRET}) == 200
    assert "setuju" in last(emulator.bot_messages(citizen)).casefold()


async def test_one_chat_is_answered_in_order_while_chats_run_side_by_side(
    webhook: WebhookHarness, emulator: Emulator, citizen: User
) -> None:
    # A citizen who types every answer at once is answered as if they had waited.
    reference = emulator.add_user(first_name="Rina", username="rina")
    await file_report(reference)
    typed = ["/start", "1", "1", "1", CONTENT, "1", ADDRESS, "kemarin", "lewati", "2", "1"]
    actions = [emulator.script.act_say(citizen, text) for text in typed]
    await emulator.script.wait(actions[-1])
    mine = [_masked(text) for text in texts(emulator.bot_messages(citizen))]
    expected = [_masked(text) for text in texts(emulator.bot_messages(reference))]
    assert code_in(emulator.bot_messages(citizen))
    assert mine == expected

    # Different chats do not wait for each other: four answers slowed by a second each.
    others = [emulator.add_user(first_name=f"Warga{i}") for i in range(4)]
    emulator.faults.delay_next(1.0, count=len(others), methods="sendMessage")
    started = perf_counter()
    waits = [emulator.script.act_say(person, "/start") for person in others]
    await asyncio.gather(*(emulator.script.wait(action) for action in waits))
    assert perf_counter() - started < 3.0, "one after another would take four seconds"


async def test_healthz_says_ok_and_503_once_the_dispatcher_stopped(
    webhook: WebhookHarness,
) -> None:
    status, body = await _get(f"{webhook.root}/healthz")
    assert status == 200
    assert json.loads(body) == {
        "status": "ok",
        "database": "ok",
        "bot": "running",
        "dispatcher": "running",
    }
    assert webhook.application is not None
    await stop_delivery(webhook.application.bot_data)
    status, body = await _get(f"{webhook.root}/healthz")
    assert status == 503
    assert json.loads(body)["dispatcher"] == "stopped"


@asynccontextmanager
async def _outbox_locked(database_url: str) -> AsyncIterator[None]:
    """Another connection holds the outbox's write lock, as a stuck transaction would."""
    if database_url.startswith("sqlite"):
        holder = sqlite3.connect(str(make_url(database_url).database), isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            # Reads go on; a claim (SELECT ... FOR UPDATE) waits for the lock.
            await connection.execute(text("LOCK TABLE outbox IN EXCLUSIVE MODE"))
            yield
            await connection.rollback()
    finally:
        await engine.dispose()


async def _stopped_turning(dispatcher: Dispatcher) -> float:
    """Wait until the dispatcher's loop has not gone round for a few idle waits; its last turn."""
    quiet = 3 * dispatcher.idle_interval
    async with asyncio.timeout(20):
        seen, since = dispatcher.last_turn, monotonic()
        while monotonic() - since < quiet:
            await asyncio.sleep(0.1)
            if dispatcher.last_turn != seen:
                seen, since = dispatcher.last_turn, monotonic()
    return seen


async def test_healthz_says_stalled_when_the_dispatcher_loop_hangs(
    webhook: WebhookHarness, emulator: Emulator, clock: Clock, database_url: str
) -> None:
    application, dispatcher = webhook.application, webhook.dispatcher
    assert application is not None
    # An idle dispatcher still goes round its loop well within the bound.
    assert dispatcher.idle_interval * 10 < DISPATCHER_STALLED_AFTER
    await asyncio.sleep(2 * dispatcher.idle_interval)
    assert (await check(application)).ok
    [siti] = await add_citizens(webhook, 1)
    async with webhook.services.sessionmaker.begin() as session:
        outbox.enqueue(
            session,
            CitizenChat(siti.reporter_id),
            Outgoing(text="Status"),
            purpose="test",
            now=clock() + timedelta(hours=1),
        )
    async with _outbox_locked(database_url):
        clock.advance(hours=2)
        # The row is due: the loop's claim waits for the lock, and its turns stop.
        last_turn = await _stopped_turning(dispatcher)
        assert (await check(application, now=last_turn + DISPATCHER_STALLED_AFTER - 1)).ok
        stalled = await check(application, now=last_turn + DISPATCHER_STALLED_AFTER + 1)
        assert stalled.to_json() == {
            "status": "unavailable",
            "database": "ok",
            "bot": "running",
            "dispatcher": "stalled",
        }
    await dispatcher.drain()
    assert bodies(emulator, siti.user) == ["Status"]
    assert dispatcher.last_turn > last_turn, "the loop goes round again"
    assert (await check(application, now=last_turn + DISPATCHER_STALLED_AFTER + 1)).ok


async def test_healthz_says_503_when_the_database_does_not_answer(
    emulator: Emulator, database_url: str, clock: Clock, tmp_path: Path
) -> None:
    if database_url.startswith("sqlite"):
        unreachable = f"sqlite+aiosqlite:///{tmp_path / 'no-such-folder' / 'lapor.db'}"
    else:
        unreachable = "postgresql+asyncpg://postgres@127.0.0.1:1/lapor"
    bot = staffed(emulator, unreachable, clock)
    await bot.start()
    try:
        status, body = await _get(f"{bot.root}/healthz")
        _, exposition = await _get(f"{bot.root}/metrics")
    finally:
        await bot.stop()
    assert status == 503
    assert json.loads(body)["database"] == "unreachable"
    assert "127.0.0.1:1" not in body and "no-such-folder" not in body
    assert _samples(exposition)[("lapor_database_up", ())] == 0


async def test_metrics_count_updates_latency_outbox_and_reports(
    webhook: WebhookHarness, emulator: Emulator, citizen: User
) -> None:
    await file_report(citizen)
    await webhook.dispatcher.drain()
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{webhook.root}/metrics") as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        samples = _samples(await response.text())
    delivered = len([d for d in emulator.webhook.deliveries if d[1] == 200])
    assert samples[("lapor_updates_handled_total", (("outcome", "ok"),))] == delivered == 11
    assert samples[("lapor_update_handling_seconds_count", ())] == delivered
    assert samples[("lapor_database_up", ())] == 1
    assert samples[("lapor_reports", (("status", "MENUNGGU_VERIFIKASI"),))] == 1
    assert samples[("lapor_reports", (("status", "SELESAI"),))] == 0
    async with webhook.services.sessionmaker() as session:
        sent = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "sent")
        )
    assert sent and samples[("lapor_outbox_deliveries", (("result", "sent"),))] == sent
    assert samples[("lapor_outbox_deliveries", (("result", "failed"),))] == 0
    assert samples[("lapor_outbox_backlog", ())] == 0


async def test_metrics_count_this_process_s_delivery_attempts_by_result(
    webhook: WebhookHarness, emulator: Emulator, clock: Clock
) -> None:
    siti, budi, gone = await add_citizens(webhook, 3)
    emulator.block_bot(gone.user)
    # Telegram answers 502 once: the row is retried later, then sent.
    emulator.faults.fail_next(1, status=502, methods="sendMessage")
    await enqueue(webhook, [(CitizenChat(siti.reporter_id), Outgoing(text="satu"))])
    await webhook.dispatcher.drain()
    clock.advance(minutes=1)
    await webhook.dispatcher.drain()
    # A Telegram stricter than the dispatcher's budget answers the second message 429.
    emulator.limits = RateLimits(enabled=True, per_chat_per_second=1.0, per_chat_burst=1)
    await enqueue(
        webhook,
        [
            (CitizenChat(budi.reporter_id), Outgoing(text="dua")),
            (CitizenChat(budi.reporter_id), Outgoing(text="tiga")),
        ],
    )
    await webhook.dispatcher.drain()
    emulator.limits = RateLimits(enabled=False)
    # A citizen who blocked the bot, and a chat that does not exist.
    await enqueue(
        webhook,
        [
            (CitizenChat(gone.reporter_id), Outgoing(text="empat")),
            (ChatTarget(-1009999999999), Outgoing(text="Kartu")),
        ],
    )
    await webhook.dispatcher.drain()

    assert emulator.rate_limited_count == 1
    assert [row.state for row in await outbox_rows(webhook)] == [
        "sent",
        "sent",
        "pending",
        "unreachable",
        "failed",
    ]
    _, exposition = await _get(f"{webhook.root}/metrics")
    assert _by_label(exposition, "lapor_delivery_attempts_total") == {
        "sent": 2,
        "retry": 1,
        "flood": 1,
        "unreachable": 1,
        "failed": 1,
    }


async def test_processes_without_a_set_secret_agree_on_one_derived_from_the_token(
    emulator: Emulator, database_url: str, clock: Clock, citizen: User
) -> None:
    staff = emulator.add_user(first_name="Petugas", username="petugas")
    group = emulator.add_supergroup(
        title="Staf Pengaduan", forum=True, members=[staff], admins=[staff]
    )
    forwarder = Forwarder([])
    bots = [
        WebhookHarness(
            emulator,
            database_url,
            clock,
            group.id,
            public_url=forwarder.url,
            overrides={"webhook_secret": None},
        )
        for _ in range(2)
    ]
    forwarder.backends = [bot.url for bot in bots]
    await forwarder.start()
    try:
        for bot in bots:
            await bot.start()
        secrets = {bot.web.secret for bot in bots}
        # Both registered; Telegram keeps the last one's secret, and each process takes it.
        assert emulator.queue.webhook is not None
        assert secrets == {emulator.queue.webhook.secret_token}
        assert "Apa yang bisa kami bantu" in last(await consent(citizen))
        assert len(forwarder.statuses) == 2 and set(forwarder.statuses) == {200}
    finally:
        for bot in bots:
            await bot.stop()
        await forwarder.stop()
    [secret] = secrets
    assert WEBHOOK_SECRET.match(secret) and len(secret) >= 32
    assert TOKEN.partition(":")[2] not in secret

    def derived(token: str) -> str:
        settings = Settings(telegram_bot_token=SecretStr(token), _env_file=None)  # type: ignore[call-arg]
        return settings.webhook_secret_value()

    assert derived(TOKEN) == secret, "every process of one bot, at every start"
    assert derived("123456:A-ROTATED-TOKEN") != secret, "a new token, a new secret"


async def test_a_generated_or_given_secret_never_reaches_the_log(
    emulator: Emulator,
    database_url: str,
    clock: Clock,
    citizen: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    bot = staffed(emulator, database_url, clock, overrides={"webhook_secret": None})
    await bot.start()
    try:
        generated = bot.web.secret
        assert emulator.queue.webhook is not None
        assert emulator.queue.webhook.secret_token == generated != SECRET
        assert len(generated) >= 32
        assert "Apa yang bisa kami bantu" in last(await consent(citizen))
    finally:
        await bot.stop()
    given = staffed(emulator, database_url, clock)
    await given.start()
    await given.stop()
    assert caplog.records, "the bot logged its start and stop"
    assert generated not in caplog.text and SECRET not in caplog.text


def _lapor_bot(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "TELEGRAM_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean, "ADMIN_CHAT_ID": "-1001", "TELEGRAM_BOT_TOKEN": "123456:TEST", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_webhook_mode_names_a_missing_or_wrong_setting_in_one_line(tmp_path: Path) -> None:
    result = _lapor_bot("webhook", cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("lapor-bot: Isi WEBHOOK_URL dengan alamat HTTPS publik")

    result = _lapor_bot(
        "webhook", cwd=tmp_path, WEBHOOK_URL="https://lapor.example.go.id/tg", WEBHOOK_SECRET="a b!"
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "lapor-bot: WEBHOOK_SECRET harus 1 sampai 256 karakter, "
        "berupa huruf, angka, garis bawah, atau tanda hubung."
    )
    result = _lapor_bot("webhook", cwd=tmp_path, WEBHOOK_URL="lapor.example.go.id")
    assert result.stderr.strip().startswith("lapor-bot: WEBHOOK_URL harus alamat seperti")


async def test_the_agency_api_and_open311_are_served_beside_the_webhook(
    webhook: WebhookHarness,
) -> None:
    status, body = await _get(f"{webhook.root}/open311/v2/services.json")
    assert status == 200 and json.loads(body), "the categories, as Open311 services"
    status, _ = await _get(f"{webhook.root}/api/v1/reports")
    assert status == 401, "the agencies' API wants a token"


async def test_a_photo_posted_through_open311_reaches_the_staff_under_its_card(
    webhook: WebhookHarness, emulator: Emulator
) -> None:
    """A multipart Open311 POST's photo is uploaded to Telegram under the report's card,
    and the attachment keeps the file id Telegram gave it (the bytes are then dropped)."""
    async with webhook.services.sessionmaker.begin() as session:
        _, key = await issue(session, Scope.OPEN311, "portal", webhook.clock())
    photo = b"\xff\xd8\xff\xe0" + b"JPEG" * 300
    form = aiohttp.FormData()
    for name, value in (
        ("api_key", key),
        ("service_code", "jalan_rusak"),
        ("address_string", "Jalan Riau nomor 40"),
        ("description", "Lubang besar di Jalan Riau depan nomor 40."),
    ):
        form.add_field(name, value)
    form.add_field("media", photo, filename="lubang.jpg", content_type="image/jpeg")
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{webhook.root}/open311/v2/requests.json", data=form) as response,
    ):
        assert response.status == 200
        code = (await response.json())[0]["service_request_id"]
    await webhook.dispatcher.drain()
    sent = emulator.bot_messages(webhook.admin_chat_id)
    [card] = [m for m in sent if m.text and code in m.text]
    [shown] = [m for m in sent if m.media == "photo"]
    assert shown.reply_to_message_id == card.message_id, "under its card"
    async with webhook.services.sessionmaker() as session:
        [attachment] = (await session.scalars(select(Attachment))).all()
        assert await session.scalar(select(func.count()).select_from(ReportUpload)) == 0
    assert attachment.file_id, "the file id Telegram gave"
