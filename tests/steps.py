"""Small helpers to drive a citizen through the conversation and read the database."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.sandbox.emulator import Message, User
from storage.models import Report
from tests.harness import Harness

CONTENT = "Jalan di depan SD Negeri 5 berlubang besar sejak dua minggu dan membahayakan pengendara."
CODE = re.compile(r"\b(\d{3})-(\d{3}-\d{3}|\d{4})\b")


def texts(messages: Sequence[Message]) -> list[str]:
    """The visible text of each message."""
    return [message.text or message.caption or "" for message in messages]


def last(messages: Sequence[Message]) -> str:
    """The visible text of the last message (the question, by rule 3)."""
    assert messages, "the bot sent nothing"
    return texts(messages)[-1]


def code_in(messages: Sequence[Message]) -> int:
    """The tracking code a confirmation carries."""
    for text in texts(messages):
        match = CODE.search(text)
        if match:
            return int(match.group(1) + match.group(2).replace("-", ""))
    raise AssertionError(f"no tracking code in {texts(messages)}")


async def consent(citizen: User) -> list[Message]:
    """Start the bot and agree to the storage of personal data; returns the menu messages."""
    await citizen.say("/start")
    return await citizen.say("1")


async def to_step(citizen: User, step: int) -> list[Message]:
    """From the menu, answer by typing until the given step's question is shown."""
    answers = ["1", "1", CONTENT, "1", "Jalan Braga nomor 12, RT 3 RW 5", "kemarin", "lewati", "2"]
    replies = await citizen.say(answers[0])  # menu: buat laporan -> step 1
    for answer in answers[1:step]:
        replies = await citizen.say(answer)
    return replies


async def file_report(citizen: User) -> int:
    """Consent, file a whole report by typing, and return its code."""
    await consent(citizen)
    await to_step(citizen, 8)
    return code_in(await citizen.say("1"))


async def reports(harness: Harness) -> list[Report]:
    """Every report with attachments and timeline."""
    async with harness.services.sessionmaker() as session:
        query = select(Report).options(
            selectinload(Report.attachments), selectinload(Report.events)
        )
        return list((await session.execute(query.order_by(Report.id))).scalars())


async def count(harness: Harness, model: type) -> int:
    """How many rows a table has."""
    async with harness.services.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)
