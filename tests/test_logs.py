"""Logs carry no message text, no phone number and no token, at any level, even when things
fail; the token never appears in an error printed at start-up."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from bot import logging_setup
from bot.sandbox.emulator import Emulator, User
from bot.settings import Settings
from tests.harness import TOKEN, Harness
from tests.privacy_helpers import traces
from tests.processes import BotProcess
from tests.staff_helpers import card_of, settled
from tests.steps import CONTENT, code_in, consent, to_step

PHONE = "+6281234567890"
REPLY = "Tim kami akan memeriksa lokasi besok pagi."
ADDITION = "Lubangnya makin besar setelah hujan semalam."
LIVE_VARIABLES = ("TELEGRAM_BOT_TOKEN", "ADMIN_CHAT_ID", "DATABASE_URL", "AGENCIES_FILE")
# What no log line may contain: the citizen's and the officer's words, the phone number in
# a shared contact (in any spelling), the token and its secret half.
NEVER = (
    CONTENT,
    "berlubang besar",
    REPLY,
    ADDITION,
    PHONE,
    PHONE.lstrip("+"),
    TOKEN,
    TOKEN.partition(":")[2],
)


def leaks(output: str) -> list[str]:
    return [secret for secret in NEVER if secret in output]


def stop_line(output: str) -> str:
    """The one line the command prints when it stops (logs and warnings aside)."""
    [line] = [line for line in output.splitlines() if line.startswith("lapor-bot: ")]
    return line


@pytest.fixture
def cli_logging() -> Iterator[None]:
    """The logging the CLI sets up, at DEBUG, undone afterwards."""
    levels = {name: logging.getLogger(name).level for name in logging_setup.LIBRARY_FLOORS}
    undo = logging_setup.configure("DEBUG", [TOKEN])
    yield
    undo()
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Each record as a handler would write it, traceback included."""
    formatter = logging.Formatter(logging_setup.FORMAT)
    return "\n".join(formatter.format(record) for record in caplog.records)


async def block_draft_updates(harness: Harness) -> None:
    """Make the database refuse every change to a draft, as a broken disk or server would."""
    async with harness.services.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            await connection.execute(
                text(
                    "CREATE TRIGGER block_drafts BEFORE UPDATE ON drafts "
                    "BEGIN SELECT RAISE(ABORT, 'drafts are read-only'); END"
                )
            )
            return
        await connection.execute(
            text(
                "CREATE FUNCTION block_drafts() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'drafts are read-only'; END $$ LANGUAGE plpgsql"
            )
        )
        await connection.execute(
            text(
                "CREATE TRIGGER block_drafts BEFORE UPDATE ON drafts "
                "FOR EACH ROW EXECUTE FUNCTION block_drafts()"
            )
        )


async def unblock_draft_updates(harness: Harness) -> None:
    async with harness.services.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            await connection.execute(text("DROP TRIGGER IF EXISTS block_drafts"))
            return
        await connection.execute(text("DROP TRIGGER IF EXISTS block_drafts ON drafts"))
        await connection.execute(text("DROP FUNCTION IF EXISTS block_drafts()"))


@pytest.fixture
async def breakable(harness: Harness) -> AsyncIterator[Harness]:
    """The harness, with the draft trigger removed whatever the test did."""
    yield harness
    await unblock_draft_updates(harness)


async def test_a_whole_conversation_with_failures_logs_no_text_phone_or_token(
    cli_logging: None,
    caplog: pytest.LogCaptureFixture,
    breakable: Harness,
    emulator: Emulator,
    citizen: User,
) -> None:
    harness = breakable
    caplog.set_level(logging.DEBUG)
    group = emulator.chat(harness.admin_chat_id)
    officer = emulator.add_user(first_name="Agus", username="agus_dsdabm")
    emulator.add_group_member(group, officer, admin=True)

    await consent(citizen)
    await to_step(citizen, 2)
    await citizen.send_contact(phone_number=PHONE)
    # The database fails while the report's text is being saved.
    await block_draft_updates(harness)
    apology = await citizen.say(CONTENT)
    assert apology[-1].text.startswith("Maaf, ada gangguan di sistem kami.")
    await unblock_draft_updates(harness)
    await citizen.say(CONTENT)
    for answer in ("1", "Jalan Braga nomor 12, RT 3 RW 5", "kemarin", "lewati", "1"):
        await citizen.say(answer)
    # Telegram answers 502 to the bot's next message (the submission's confirmation).
    emulator.faults.fail_next(1, status=502, methods="sendMessage")
    await citizen.say("1", expect=0)
    await settled(emulator)
    cards = [m for m in emulator.bot_messages(group) if m.button_labels]
    assert cards, "the report reached the staff"
    await officer.press_in(group, cards[-1].message_id, "Teruskan ke DSDABM", expect=0)
    await settled(emulator)
    card = [m for m in emulator.bot_messages(group) if m.button_labels][-1]
    # Relayed; the card is edited to show the follow-up it started, with no new message.
    await officer.say_in(group, REPLY, thread_id=card.thread_id, reply_to=card.message_id, expect=0)
    await settled(emulator)
    relay = emulator.bot_messages(citizen)[-2]
    await citizen.say(ADDITION, reply_to=relay.message_id)
    await settled(emulator)

    logged = everything_logged(caplog)
    names = {record.name for record in caplog.records}
    assert any(
        record.name == "handlers.private" and record.levelno == logging.ERROR
        for record in caplog.records
    ), "the database failure was logged"
    assert "drafts are read-only" in logged, "with its traceback"
    assert "bot.delivery.dispatcher" in names, "DEBUG records were captured"
    assert leaks(logged) == []
    assert leaks(caplog.text) == []


def test_every_record_is_cleaned_of_secrets_in_message_arguments_and_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    redactor = logging_setup.Redactor()
    redactor.protect(TOKEN, TOKEN.partition(":")[2], "abc")
    undo = logging_setup.install_redaction(redactor)
    url = f"https://api.telegram.org/bot{TOKEN}/getMe"
    try:
        library = logging.getLogger("a.library")
        with caplog.at_level(logging.DEBUG):
            library.debug("calling %s", url)
            library.info("encoded: %s", url.replace(":", "%3A"))
            try:
                raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
            except RuntimeError:
                library.exception("request failed")
            library.warning("secret half alone: %s", TOKEN.partition(":")[2])
            library.info("abc stays")
    finally:
        undo()
    logged = everything_logged(caplog)
    assert TOKEN not in logged and TOKEN.partition(":")[2] not in logged
    assert logged.count("[redacted]") == 4
    assert "https://api.telegram.org/bot[redacted]/getMe" in logged
    assert "RuntimeError: The token `[redacted]` was rejected by the server." in logged
    assert "abc stays" in logged, "values too short to be secrets are left alone"


def test_payload_logging_libraries_stay_quiet_even_at_debug(cli_logging: None) -> None:
    for name in ("telegram.Bot", "telegram.ext.Application", "aiosqlite"):
        assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name
    for name in ("httpx", "sqlalchemy.engine.Engine"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name


def test_the_settings_name_every_secret_they_hold() -> None:
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        webhook_secret=SecretStr("s3cr3t-webhook-value"),
        database_url="postgresql+asyncpg://lapor:pg-password-99@db.internal/lapor",
        _env_file=None,  # type: ignore[call-arg]
    )
    found = logging_setup.settings_secrets(settings)
    for secret in (TOKEN, "TEST-TOKEN", "s3cr3t-webhook-value", "pg-password-99"):
        assert secret in found


def test_the_webhook_secret_derived_from_the_token_is_redacted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Without WEBHOOK_SECRET, webhook mode uses one derived from the token; whoever has it
    # can post forged updates, so the redaction the CLI sets up hides it like the token.
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        webhook_secret=None,
        _env_file=None,  # type: ignore[call-arg]
    )
    derived = settings.webhook_secret_value()
    assert TOKEN.partition(":")[2] not in derived, "not the token's secret half"
    redactor = logging_setup.Redactor()
    redactor.protect(*logging_setup.settings_secrets(settings))
    undo = logging_setup.install_redaction(redactor)
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("bot.web.server").info("webhook secret is %s", derived)
            logging.getLogger("bot.web.server").info(f"secret in the text: {derived}")
    finally:
        undo()
    assert derived not in everything_logged(caplog)
    assert [record.getMessage() for record in caplog.records] == [
        "webhook secret is [redacted]",
        "secret in the text: [redacted]",
    ]


# --- the command line ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def lapor_bot(command: str, tmp_path: Path, **env: str) -> tuple[int, str]:
    """`lapor-bot <command>` as a process with only the given settings; exit code, output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        command,
        cwd=tmp_path,
        env={
            **{k: v for k, v in os.environ.items() if k not in LIVE_VARIABLES},
            "ADMIN_CHAT_ID": "-1001",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}",
            **env,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, output.decode()


@pytest.mark.parametrize("command", ["run", "webhook"])
async def test_a_rejected_token_is_named_but_never_printed(
    command: str, tmp_path: Path, emulator: Emulator
) -> None:
    wrong = "987654:WRONG-SECRET-of-an-old-bot"
    code, output = await lapor_bot(
        command,
        tmp_path,
        WEBHOOK_URL="https://lapor.example.go.id/telegram",
        WEBHOOK_PORT=str(free_port()),
        TELEGRAM_BOT_TOKEN=wrong,
        TELEGRAM_BASE_URL=emulator.base_url,
        TELEGRAM_BASE_FILE_URL=emulator.base_file_url,
        LOG_LEVEL="DEBUG",
    )
    assert code == 2
    assert stop_line(output) == (
        "lapor-bot: Telegram menolak token bot ini. "
        "Periksa token dari BotFather, lalu jalankan lagi."
    )
    assert wrong not in output and "WRONG-SECRET-of-an-old-bot" not in output


async def test_an_unreachable_bot_api_is_named_but_the_token_never_printed(
    tmp_path: Path,
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    code, output = await lapor_bot(
        "run",
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=f"{nowhere}/bot",
        TELEGRAM_BASE_FILE_URL=f"{nowhere}/file/bot",
        LOG_LEVEL="DEBUG",
    )
    assert code == 1
    last = stop_line(output)
    assert last.startswith("lapor-bot: Server Bot API tidak bisa dihubungi.")
    assert f"({nowhere}/bot: " in last
    assert leaks(output) == []


async def test_run_at_debug_logs_no_text_phone_or_token(
    tmp_path: Path, emulator: Emulator, citizen: User
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env={
            **{k: v for k, v in os.environ.items() if k not in LIVE_VARIABLES},
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "ADMIN_CHAT_ID": "-1001",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}",
            "TELEGRAM_BASE_URL": emulator.base_url,
            "TELEGRAM_BASE_FILE_URL": emulator.base_file_url,
            "LOG_LEVEL": "DEBUG",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await citizen.say("/start", timeout=30)
        await citizen.say("setuju")
        await to_step(citizen, 2)
        await citizen.send_contact(phone_number=PHONE)
        answer = await citizen.say(CONTENT)
        assert "Langkah 3 dari" in answer[-1].text
    finally:
        process.terminate()
        output, _ = await process.communicate()
    logged = output.decode()
    assert " DEBUG " in logged, "LOG_LEVEL=DEBUG took effect"
    assert leaks(logged) == []


# --- an anonymous reporter, through the real process -----------------------------------

SITI_ID = 73459876
ADDRESS = "Jalan Braga nomor 12, RT 3 RW 5"
REASON = "Lubangnya hanya ditutup pasir, bukan diaspal."


async def test_an_anonymous_reporter_is_not_in_the_log_of_the_run_process(
    emulator: Emulator, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    siti = emulator.add_user(first_name="Siti", last_name="Rahma", username="siti", user_id=SITI_ID)
    verifier = emulator.add_user(first_name="Dina", username="dina_verifikator")
    officer = emulator.add_user(first_name="Agus", username="agus_dsdabm")
    group = emulator.add_supergroup(
        title="Staf Pengaduan", forum=True, members=[verifier, officer], admins=[verifier]
    )
    bot = BotProcess(emulator, database_url, group.id, tmp_path / "bot")
    await bot.start()
    try:
        await siti.say("/start", timeout=30)
        await siti.say("1")
        for answer in ("1", "1", CONTENT, "1", ADDRESS, "kemarin"):
            await siti.say(answer)
        await siti.send_photo()
        await siti.say("selesai")
        await siti.say("2")  # anonim
        code = code_in(await siti.say("1"))
        await settled(emulator)
        card = card_of(emulator, group, code)
        await verifier.press_in(group, card.message_id, "Teruskan ke DSDABM", expect=0)
        await settled(emulator)
        card = card_of(emulator, group, code)
        # Relayed; the card is edited to show the follow-up it started, with no new message.
        await officer.say_in(
            group, REPLY, thread_id=card.thread_id, reply_to=card.message_id, expect=0
        )
        await settled(emulator)
        relay = next(m for m in emulator.bot_messages(siti) if (m.text or "").startswith("Balasan"))
        await siti.say(ADDITION, reply_to=relay.message_id)
        await siti.send_photo(reply_to=relay.message_id)
        await settled(emulator)
        card = card_of(emulator, group, code)
        await officer.press_in(group, card.message_id, "Selesai", expect=0)
        await settled(emulator)
        await siti.say("2")  # tidak puas
        await siti.say(REASON)
        await settled(emulator)
    finally:
        await bot.stop()

    staff_saw = "\n".join(m.text or m.caption or "" for m in emulator.bot_messages(group))
    assert "Tambahan dari pelapor" in staff_saw and REASON in staff_saw, "the whole story ran"
    logged = bot.log_path.read_text(errors="replace")
    assert " DEBUG " in logged and "bot.delivery.dispatcher" in logged, "LOG_LEVEL=DEBUG"
    assert traces(logged, "Siti", "Rahma", "siti", user_id=SITI_ID) == []
    assert [text for text in (ADDRESS, REASON) if text in logged] == []
    assert leaks(logged) == []
