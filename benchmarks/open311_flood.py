"""``python -m benchmarks.open311_flood``: how late a citizen's card reaches the staff group
when one Open311 key has just flooded it (issue 15, item 7).

One Open311 key posts FLOOD service requests (limits lifted for the run), then a citizen
files a report. The real dispatcher sends the cards to a forum staff group of the Bot API
emulator, which enforces Telegram's 20 messages a minute per group, both sped up by SCALE
(so 20/min is SCALE*20/min, and the figures are given in group slots too). Printed: the
citizen's card's place among the cards, and its delay in seconds and in group slots. In a
single queue per chat (before the fair order) the citizen's card was the last of FLOOD+1.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.api.mount import mount_apis
from bot.api.tokens import Scope, issue
from bot.app import build_services
from bot.core.intake.answers import Answers
from bot.core.lifecycle import Classification, Privacy
from bot.core.tracking import format_code
from bot.delivery.dispatcher import Dispatcher, delivery_bot
from bot.sandbox.emulator import Emulator, RateLimits
from bot.settings import Settings
from bot.workflow import filing
from bot.workflow.filing import Intake
from storage import migrate
from storage.models import OutboxMessage

TOKEN = "123456:flood-benchmark"
FLOOD = 40
SCALE = 12.0
CONTENT = "Lampu jalan di depan pasar Kosambi mati sejak seminggu, jalan gelap di malam hari."


async def run(single_queue: bool) -> dict[str, float]:
    """One run; the figures. `single_queue`: every card in one queue, as before issue 15."""
    emulator = Emulator(
        bot_token=TOKEN,
        bot_username="lapor_bench_bot",
        limits=RateLimits(scale=SCALE),
        default_settle=0.2,
    )
    await emulator.start(host="127.0.0.1", port=0)
    staff = emulator.add_user(first_name="Petugas", username="petugas")
    group = emulator.add_supergroup(title="Staf", forum=True, members=[staff], admins=[staff])
    workdir = Path(tempfile.mkdtemp(prefix="lapor-flood-"))
    url = f"sqlite+aiosqlite:///{workdir / 'flood.db'}"
    await migrate.upgrade_url(url)
    settings = Settings(
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        admin_chat_id=group.id,
        database_url=url,
        telegram_base_url=emulator.base_url,
        telegram_base_file_url=emulator.base_file_url,
        outbox_rate_scale=SCALE,
        open311_per_minute=10_000,
        open311_per_day=10_000,
        _env_file=None,  # type: ignore[call-arg]
    )
    services = build_services(settings)
    async with services.sessionmaker.begin() as session:
        _, key = await issue(session, Scope.OPEN311, "flood", services.clock())
    app = web.Application()
    mount_apis(app, services)
    async with TestClient(TestServer(app)) as client:
        for n in range(FLOOD):
            form = {"api_key": key, "service_code": "sampah", "address_id": f"BDG-{n}"}
            async with client.post("/open311/v2/requests.json", data=form) as response:
                assert response.status == 200, await response.text()
    async with services.sessionmaker.begin() as session:
        answers = Answers(
            classification=Classification.PENGADUAN,
            content=CONTENT,
            category="lampu_rambu",
            location_text="Jalan Kosambi nomor 3",
            privacy=Privacy.BIASA,
        )
        citizen = await filing.file(
            session, services, answers, Intake("telegram", "id"), now=services.clock()
        )
        code = format_code(citizen.report.code)
    if single_queue:
        async with services.sessionmaker.begin() as session:
            rows = (await session.scalars(select(OutboxMessage))).all()
            for row in rows:
                row.destination = {k: v for k, v in row.destination.items() if k != "lane"}
    dispatcher = Dispatcher(services, delivery_bot(settings), worker_id="flood", owns_bot=True)
    started = time.monotonic()
    await dispatcher.start()
    arrived: float | None = None
    try:
        while time.monotonic() - started < 600:
            cards = [m for m in emulator.bot_messages(group.id) if m.text and "#" not in m.text[:1]]
            if any(code in (m.text or "") for m in cards):
                arrived = time.monotonic() - started
                break
            await asyncio.sleep(0.05)
    finally:
        await dispatcher.stop()
        await services.engine.dispose()
        await emulator.stop()
    sent = [m for m in emulator.bot_messages(group.id) if m.text and "Laporan" in m.text]
    place = next(i for i, m in enumerate(sent, 1) if code in (m.text or ""))
    slot = 60.0 / (20.0 * SCALE)
    return {
        "cards before it": float(place - 1),
        "seconds": arrived or float("nan"),
        "group slots": (arrived or float("nan")) / slot,
    }


def main() -> int:
    """Run both ways and print the figures."""
    print(f"flood of {FLOOD} Open311 cards, group limit 20/min sped up x{SCALE:g}")
    for single in (True, False):
        figures = asyncio.run(run(single))
        how = "one queue per chat (before)" if single else "a lane per source (now)"
        print(
            f"{how}: citizen's card after {figures['cards before it']:.0f} of {FLOOD} flood "
            f"cards, {figures['seconds']:.2f} s = {figures['group slots']:.1f} group slots "
            f"({figures['group slots'] * 3:.0f} s at Telegram's real 20/min)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
