"""`lapor-bot setup` against the emulator: from a new bot and a basic group to a forum
supergroup with its topics, menus and descriptions, and the settings in .env; again, with
nothing changed; and the command line, twice."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from telegram import Bot, BotCommandScopeAllPrivateChats, BotCommandScopeChat

from bot.language.i18n import load_locales
from bot.sandbox.emulator import Chat, Emulator, User
from bot.sandbox.emulator.group_admin import add_bot, new_group, promote_bot, turn_on_topics
from bot.settings import Settings
from bot.setup.profile import STAFF_MENU
from bot.setup.wizard import Console, SetupRefused, Timing, run_setup
from handlers.staff_bar import COMMANDS as BAR_COMMANDS
from handlers.staff_commands import ACTION_COMMANDS, QUERY_COMMANDS
from handlers.staff_duplicates import COMMANDS as JOIN_COMMANDS
from handlers.staff_stats import STATS_COMMANDS
from tests.harness import TOKEN
from tests.test_startup import LIVE_VARIABLES

QUICK = Timing(poll_seconds=1, recheck_seconds=0.05)
# Verifikasi, the sample file's 13 agencies, Eskalasi.
TOPICS = 15


class Screen:
    """What setup printed, line by line, and a way to wait for a line."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, line: str) -> None:
        self.lines.append(line)

    async def shows(self, words: str) -> None:
        """Wait (at most 20 s) until a line holds these words."""
        deadline = asyncio.get_running_loop().time() + 20
        while not any(words in line for line in self.lines):
            assert asyncio.get_running_loop().time() < deadline, (words, self.lines)
            await asyncio.sleep(0.02)

    def text(self) -> str:
        return "\n".join(self.lines)


def settings_for(emulator: Emulator, tmp_path: Path, admin_chat_id: int | None = None) -> Settings:
    return Settings(
        telegram_bot_token=SecretStr(TOKEN),
        admin_chat_id=admin_chat_id,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}",
        telegram_base_url=emulator.base_url,
        telegram_base_file_url=emulator.base_file_url,
        _env_file=None,  # type: ignore[call-arg]
    )


async def setup(
    emulator: Emulator, tmp_path: Path, screen: Screen, admin_chat_id: int | None = None
) -> None:
    console = Console(load_locales().get("id"), screen.write)
    await run_setup(
        settings_for(emulator, tmp_path, admin_chat_id), console, tmp_path / ".env", QUICK
    )


@pytest.fixture
def owner(emulator: Emulator) -> User:
    return emulator.add_user(first_name="Rina", username="rina_diskominfo")


@pytest.fixture
def telegram_bot(emulator: Emulator) -> Iterator[Bot]:
    yield Bot(TOKEN, base_url=emulator.base_url)


def topics_of(group: Chat) -> list[str]:
    return [topic.name for topic in group.topics.values() if not topic.deleted]


async def test_setup_takes_a_new_bot_to_a_ready_staff_group(
    emulator: Emulator, owner: User, tmp_path: Path, telegram_bot: Bot
) -> None:
    citizen = emulator.add_user(first_name="Siti")
    group = new_group(emulator, "Staf Pengaduan", owner)
    screen = Screen()
    running = asyncio.create_task(setup(emulator, tmp_path, screen))
    try:
        await screen.shows("Tambahkan @lapor_test_bot ke grup staf")
        # A citizen writes meanwhile: that message is `run`'s, not setup's.
        citizen_update = emulator.script.act_say(citizen, "halo").update
        add_bot(emulator, group, owner)
        await screen.shows(f"Grup staf: Staf Pengaduan, id {group.id}.")
        await screen.shows("Staf Pengaduan masih grup biasa. Nyalakan Topik")
        await screen.shows("@lapor_test_bot belum menjadi admin di Staf Pengaduan.")
        promote_bot(emulator, group, owner, can_manage_topics=False)
        await screen.shows("@lapor_test_bot belum punya hak Kelola Topik di Staf Pengaduan.")
        supergroup = turn_on_topics(emulator, group, owner)
        await screen.shows(f"Id barunya {supergroup.id}.")
        promote_bot(emulator, supergroup, owner)
        async with asyncio.timeout(30):
            await running
    finally:
        running.cancel()
    said = screen.text()
    assert "Token diterima. Bot ini adalah @lapor_test_bot, bernama Lapor Test Bot." in said
    assert "Mode privasi @lapor_test_bot menyala" in said
    assert "Staf Pengaduan siap: supergrup dengan Topik" in said
    assert f"Topik baru di grup staf, {TOPICS}:" in said
    assert screen.lines[-1].startswith("Selesai. Jalankan lapor-bot run, lalu kirim /start")
    # Each problem was told once, not at every look.
    assert sum("masih grup biasa" in line for line in screen.lines) == 1
    topics = topics_of(supergroup)
    assert topics[0] == "Verifikasi" and topics[-1] == "Eskalasi" and len(topics) == TOPICS
    assert "Dinas Perhubungan" in topics
    # The menus and descriptions, per scope and language.
    async with telegram_bot as bot:
        private = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats())
        staff_en = await bot.get_my_commands(
            scope=BotCommandScopeChat(supergroup.id), language_code="en"
        )
        description = await bot.get_my_description()
        short_en = await bot.get_my_short_description(language_code="en")
    assert [c.command for c in private][:2] == ["start", "menu"]
    assert private[0].description == "Mulai dan tampilkan menu"
    assert [c.command for c in staff_en] == list(STAFF_MENU)
    assert staff_en[3].description == "Forward a report to an agency"
    assert description.description.startswith("Layanan pengaduan Kota Bandung.")
    assert short_en.short_description.startswith("Public service complaints for Kota Bandung.")
    # The settings, in a file only its owner reads.
    env = (tmp_path / ".env").read_text().splitlines()
    assert sorted(env) == [f"ADMIN_CHAT_ID={supergroup.id}", f"TELEGRAM_BOT_TOKEN={TOKEN}"]
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600
    # The citizen's message was left for `run`: never confirmed.
    assert citizen_update.confirmed_at is None and citizen_update in emulator.pending_updates


async def test_setup_again_changes_nothing(emulator: Emulator, owner: User, tmp_path: Path) -> None:
    group = emulator.add_supergroup("Staf Pengaduan", forum=True, owner=owner)
    (tmp_path / ".env").write_text("# kota\nLOG_LEVEL=INFO\n")
    first = Screen()
    await setup(emulator, tmp_path, first, admin_chat_id=group.id)
    assert f"Topik baru di grup staf, {TOPICS}:" in first.text()
    created = len(emulator.calls("createForumTopic"))
    env = (tmp_path / ".env").read_text()
    again = Screen()
    await setup(emulator, tmp_path, again, admin_chat_id=group.id)
    assert len(emulator.calls("createForumTopic")) == created == TOPICS
    assert f"Topik yang sudah ada tetap dipakai, {TOPICS}." in again.text()
    assert "Topik baru" not in again.text() and "menunggu" not in again.text()
    assert (tmp_path / ".env").read_text() == env
    assert env.startswith("# kota\nLOG_LEVEL=INFO\n")


async def test_a_group_setup_cannot_open_is_named_until_the_bot_is_in_it(
    emulator: Emulator, owner: User, tmp_path: Path
) -> None:
    group = new_group(emulator, "Staf Pengaduan", owner, supergroup=True)
    screen = Screen()
    running = asyncio.create_task(setup(emulator, tmp_path, screen, admin_chat_id=group.id))
    try:
        await screen.shows("@lapor_test_bot tidak ada di Staf Pengaduan.")
        add_bot(emulator, group, owner)
        promote_bot(emulator, group, owner)
        await screen.shows("Topik belum menyala di Staf Pengaduan.")
        turn_on_topics(emulator, group, owner)
        async with asyncio.timeout(30):
            await running
    finally:
        running.cancel()
    assert len(topics_of(group)) == TOPICS


async def test_setup_says_so_when_another_process_takes_the_updates(
    emulator: Emulator, tmp_path: Path, telegram_bot: Bot
) -> None:
    async with telegram_bot as bot:
        # Nothing listens there: the emulator's deliveries fail at once, and do not matter.
        await bot.set_webhook("http://127.0.0.1:9/telegram")
    with pytest.raises(SetupRefused) as refused:
        await setup(emulator, tmp_path, Screen())
    assert refused.value.key == "setup.conflict"


async def test_setup_warns_when_privacy_mode_is_off(tmp_path: Path) -> None:
    async with Emulator(bot_token=TOKEN, privacy_mode=False) as emulator:
        owner = emulator.add_user(first_name="Rina")
        group = emulator.add_supergroup("Staf", forum=True, owner=owner)
        screen = Screen()
        await setup(emulator, tmp_path, screen, admin_chat_id=group.id)
    assert "Mode privasi @lapor_test_bot mati" in screen.text()
    assert "kirim /setprivacy, pilih @lapor_test_bot, lalu Enable." in screen.text()


def test_the_staff_menu_holds_every_staff_command() -> None:
    every = {*ACTION_COMMANDS, *QUERY_COMMANDS, *BAR_COMMANDS, *STATS_COMMANDS, *JOIN_COMMANDS}
    assert set(STAFF_MENU) == every and len(STAFF_MENU) == len(every)


@pytest.fixture
async def ready_group(emulator: Emulator, owner: User) -> AsyncIterator[Chat]:
    yield emulator.add_supergroup("Staf Pengaduan", forum=True, owner=owner)


def lapor_bot_setup(emulator: Emulator, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in (*LIVE_VARIABLES, "BOT_LOCALE")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "setup"],
        cwd=cwd,
        env={
            **clean,
            "TELEGRAM_BASE_URL": emulator.base_url,
            "TELEGRAM_BASE_FILE_URL": emulator.base_file_url,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


async def test_lapor_bot_setup_twice_from_the_command_line(
    emulator: Emulator, ready_group: Chat, tmp_path: Path
) -> None:
    """The operator's way: the token and the group in the environment, .env written."""
    first = await asyncio.to_thread(
        lapor_bot_setup, emulator, tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN, ADMIN_CHAT_ID=str(ready_group.id),
    )  # fmt: skip
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stderr == ""
    assert "Pengaturan TELEGRAM_BOT_TOKEN, ADMIN_CHAT_ID ditulis ke .env." in first.stdout
    # Again, now reading the .env setup wrote: the same answer, nothing new.
    again = await asyncio.to_thread(lapor_bot_setup, emulator, tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"Grup staf: Staf Pengaduan, id {ready_group.id}." in again.stdout
    assert f"Topik yang sudah ada tetap dipakai, {TOPICS}." in again.stdout
    assert len(topics_of(ready_group)) == TOPICS


def test_setup_without_a_token_and_no_terminal_names_the_setting(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in (*LIVE_VARIABLES, "BOT_LOCALE")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "setup"], cwd=tmp_path, env=clean, capture_output=True,
        text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "lapor-bot: Isi TELEGRAM_BOT_TOKEN dengan token dari BotFather."
    )
