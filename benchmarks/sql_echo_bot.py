"""The floor: the echo bot plus the statements every lapor-bot turn makes, and nothing else.

Each text is answered as `echo_bot.py` answers it, after one transaction on lapor-bot's own
tables and engine (`storage.db.create_engine`, SQLite on the loop's thread): the citizen
looked up, the flood count raised, the draft written and the update recorded with its
answer. Through SQLAlchemy Core on a plain connection, with no ORM session, no conversation
and no catalogue, it is the least the fixed stack (python-telegram-bot, SQLAlchemy 2 async,
aiosqlite) can spend on a turn that stores what lapor-bot stores: the distance from the echo
is the database's, the distance above it is lapor-bot's own.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.transport.aiohttp_request import AiohttpRequest
from storage.db import create_engine
from storage.models import Draft, HandledUpdate, Reporter

REPORTERS = cast(Table, Reporter.__table__)
DRAFTS = cast(Table, Draft.__table__)
HANDLED = cast(Table, HandledUpdate.__table__)

# Built once with bound parameters, as lapor-bot's hot statements are.
FIND = select(REPORTERS.c.id, REPORTERS.c.flood_count).where(
    REPORTERS.c.telegram_user_id == bindparam("user_id")
)
COUNT = (
    update(REPORTERS)
    .where(REPORTERS.c.id == bindparam("rid"))
    .values(flood_count=REPORTERS.c.flood_count + 1, updated_at=bindparam("now"))
)
WRITE_DRAFT = (
    update(DRAFTS)
    .where(DRAFTS.c.reporter_id == bindparam("rid"))
    .values(answers=bindparam("answers"), version=DRAFTS.c.version + 1, updated_at=bindparam("now"))
)
RECORD = insert(HANDLED)


async def _first_sight(connection: Any, user_id: int, chat_id: int, now: datetime) -> int:
    created = await connection.execute(
        insert(REPORTERS).values(
            telegram_user_id=user_id, chat_id=chat_id, locale="id", context="filing", tries=0,
            flood_count=0, created_at=now, updated_at=now, consent_at=now,
        )
    )  # fmt: skip
    reporter_id = int(created.inserted_primary_key[0])
    await connection.execute(
        insert(DRAFTS).values(
            uid=f"{reporter_id:032x}", reporter_id=reporter_id, step="content", editing=False,
            answers={}, version=1, created_at=now, updated_at=now,
        )
    )  # fmt: skip
    return reporter_id


async def turn(engine: AsyncEngine, update: Update, text: str) -> None:
    """One unit of work with the statements of a lapor-bot turn."""
    message = update.effective_message
    assert message is not None and message.from_user is not None
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        found = (await connection.execute(FIND, {"user_id": message.from_user.id})).first()
        if found is None:
            reporter_id = await _first_sight(connection, message.from_user.id, message.chat_id, now)
        else:
            reporter_id = found.id
        await connection.execute(COUNT, {"rid": reporter_id, "now": now})
        await connection.execute(
            WRITE_DRAFT, {"rid": reporter_id, "answers": {"last": text}, "now": now}
        )
        await connection.execute(
            RECORD,
            {"update_id": update.update_id, "handled_at": now, "chat_id": message.chat_id,
             "replies": [{"text": text}], "replies_sent": False},
        )  # fmt: skip


def main() -> None:
    """Poll the Bot API at TELEGRAM_BASE_URL, storing in ECHO_DATABASE_URL (migrated)."""
    engine = create_engine(os.environ["ECHO_DATABASE_URL"])

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Store the turn, then send the text back."""
        message = update.effective_message
        if message is not None and message.text:
            await turn(engine, update, message.text)
            await context.bot.send_message(message.chat_id, message.text)

    application = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_BASE_URL"])
        .concurrent_updates(256)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connections=1))
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=["message"])


if __name__ == "__main__":
    main()
