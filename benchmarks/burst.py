"""A burst of new reports: their cards reach the staff group at the group's own limit.

Telegram lets a bot post 20 messages a minute in a group, all its forum topics together,
so 500 reports filed at once take 25 minutes to reach the verifiers. The emulator and the
bot both run Telegram's limits scaled (`scale` times faster, same shape). Citizens with a
whole report drafted send "kirim" at once; meanwhile other citizens chat with the bot,
and their answer times are set beside the same chat without a burst. Measured: the pace
of the cards against the group's limit, 429 answers, cards lost or doubled, whether the
cards leave in the order the reports were filed, and the citizens' answer times.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from benchmarks import databases
from benchmarks.scenarios import CONTENT, LOCATION, Running, Setup, running
from bot.core.intake.answers import Answers
from bot.core.intake.steps import Step
from bot.core.lifecycle import Classification, Privacy
from storage.db import create_engine, create_sessionmaker
from storage.models import Report, StaffMessage, utcnow

FILERS_ID = 8_500_000_000
CHATTERS_ID = 8_700_000_000
CALM_ID = 8_800_000_000
# What the chatting citizens type: the menu and its help, answered at once and stored.
CHAT_SCRIPT = ("menu", "bantuan", "menu", "bantuan", "menu", "bantuan")
GROUP_PER_MINUTE = 20.0


def _answers() -> dict[str, Any]:
    """A whole report, read back and waiting for "kirim"."""
    return Answers(
        classification=Classification.PENGADUAN,
        content=CONTENT,
        category="jalan_rusak",
        location_text=LOCATION,
        incident_date=(utcnow() - timedelta(days=1)).date(),
        privacy=Privacy.BIASA,
    ).to_json()


async def _cards(url: str, admin_chat_id: int) -> list[tuple[int, int]]:
    """(message id, report id) of every card in the staff group, in message order."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(StaffMessage.message_id, StaffMessage.report_id)
                .where(StaffMessage.chat_id == admin_chat_id, StaffMessage.kind == "card")
                .order_by(StaffMessage.message_id)
            )
            return [(int(m), int(r)) for m, r in rows.all()]
    finally:
        await engine.dispose()


async def _reports(url: str) -> list[int]:
    """Report ids in the order they were filed."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return list(await session.scalars(select(Report.id).order_by(Report.id)))
    finally:
        await engine.dispose()


async def _chat(run: Running, chatters: int, rate: float, first_user_id: int) -> dict[str, Any]:
    """The chatting citizens' load; their answer times (only theirs)."""
    await run.control.post("/timing/reset")
    status = await run.control.load(
        {"citizens": chatters, "script": list(CHAT_SCRIPT), "first_user_id": first_user_id,
         "rate": rate, "expect": [1] * len(CHAT_SCRIPT)}
    )  # fmt: skip
    timing = await run.control.get("/timing", first_user_id=first_user_id, count=chatters)
    return {
        "updates_per_second": status["updates_per_second"],
        "timeouts": status["timeouts"],
        "latency_ms": timing["complete_answer_ms"],
    }


async def burst(
    setup: Setup, *, reports: int = 500, scale: float = 15.0, chatters: int = 50,
    chat_rate: float = 5.0, baseline: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """`reports` citizens send "kirim" at once under Telegram's limits scaled `scale` times."""

    async def seed(run: Running) -> None:
        assert run.database is not None
        await run.control.post("/load/users", {"count": reports, "first_user_id": FILERS_ID})
        filers = [FILERS_ID + n for n in range(reports)]
        await databases.seed_drafts(run.database.url, filers, _answers(), step=Step.PERIKSA)

    name = "burst-baseline" if baseline else "burst"
    async with running(
        setup, name, limits=True, scale=scale, rate_scale=scale, before_start=seed,
        baseline=baseline,
    ) as run:  # fmt: skip
        assert run.database is not None
        calm = await _chat(run, chatters, chat_rate, CALM_ID)
        # Every filer sends "kirim" (1) at once, then the others chat during the burst.
        started = time.monotonic()
        await asyncio.gather(
            *(
                run.control.post(f"/users/{FILERS_ID + n}/say", {"text": "1"})
                for n in range(reports)
            )
        )
        during = await _chat(run, chatters, chat_rate, CHATTERS_ID)
        group = {"sends": 0}
        last_progress, seen = time.monotonic(), -1
        while time.monotonic() - last_progress < 60:
            group = await run.control.get(
                "/load/deliveries", first_user_id=run.admin_chat_id, count=1,
                window=60.0 / scale,
            )  # fmt: skip
            if group["sends"] != seen:
                last_progress, seen = time.monotonic(), group["sends"]
            found = await databases.counts(run.database.url)
            if found["reports"] >= reports and not found.get("outbox_pending"):
                break
            await asyncio.sleep(0.5)
        took = time.monotonic() - started
        cards = await _cards(run.database.url, run.admin_chat_id)
        filed = await _reports(run.database.url)
        limit = GROUP_PER_MINUTE / 60.0 * scale
        span = (group["last"] - group["first"]) if group["sends"] > 1 else None
        achieved = (group["sends"] - 1) / span if span else None
        carded = [report_id for _, report_id in cards]
        return {
            "reports": reports,
            "scale": scale,
            "limit_per_second": limit,
            "reports_filed": len(filed),
            "cards": len(cards),
            "group_sends": group["sends"],
            "achieved_per_second": achieved,
            "ratio_of_limit": achieved / limit if achieved else None,
            "max_in_a_minute_scaled": group.get("max_in_window"),
            "answers_429": group["rate_limited"],
            "lost": len(set(filed) - set(carded)),
            "duplicates": len(carded) - len(set(carded)),
            "cards_in_filing_order": carded == sorted(carded),
            "only_cards": group["sends"] == len(cards),
            "seconds": took,
            "chat_calm": calm,
            "chat_during_burst": during,
        }


def burst_line(row: dict[str, Any]) -> str:
    """The burst's figures in one printed line."""
    share = row["ratio_of_limit"]
    calm, during = row["chat_calm"]["latency_ms"], row["chat_during_burst"]["latency_ms"]
    return (
        f"  {row['cards']} cards of {row['reports_filed']} reports at "
        f"{row['achieved_per_second'] or 0:.1f}/s of the group's {row['limit_per_second']:.1f}/s "
        f"({'-' if share is None else f'{share:.0%}'}); most in a (scaled) minute "
        f"{row['max_in_a_minute_scaled']}; 429 answers {row['answers_429']}; lost "
        f"{row['lost']}; duplicates {row['duplicates']}; in filing order "
        f"{row['cards_in_filing_order']}; citizens' answers p50/p95/p99 "
        f"{calm['p50']}/{calm['p95']}/{calm['p99']} ms calm, "
        f"{during['p50']}/{during['p95']}/{during['p99']} ms during the burst"
    )
