"""The backup script and restore steps of docs/operations.md, run against a live bot.

The script is read from the document itself, so what the operator copies is what is tested.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from bot.core.tracking import format_code
from bot.sandbox.emulator import User
from bot.settings import PROJECT_ROOT
from storage.db import create_engine
from tests import factories
from tests.harness import Harness
from tests.steps import code_in, texts, to_step

OPERATIONS = PROJECT_ROOT / "docs" / "operations.md"


def backup_script() -> str:
    """The shell script that follows the backup-script marker in the document."""
    after = OPERATIONS.read_text().split("<!-- backup-script -->", 1)[1]
    found = re.match(r"\s*```sh\n(.*?)```", after, re.DOTALL)
    assert found, "the document shows the backup script right after its marker"
    return found.group(1)


def run(*command: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def admin(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def restore_sqlite(db: Path, backup: Path, aside: Path) -> None:
    """Move the old database and its -wal and -shm aside, unpack the backup, check it."""
    aside.mkdir()
    for suffix in ("", "-wal", "-shm"):
        old = Path(f"{db}{suffix}")
        if old.exists():
            old.rename(aside / old.name)
    unpacked = run("sh", "-c", f'gunzip -c "{backup}" > "{db}"')
    assert unpacked.returncode == 0, unpacked.stderr
    assert run("sqlite3", str(db), "PRAGMA integrity_check").stdout.strip() == "ok"


async def restore(database_url: str, backup: Path, tmp_path: Path) -> str:
    """The document's restore steps; the URL of the restored database."""
    if database_url.startswith("sqlite"):
        db = Path(database_url.split(":///", 1)[1])
        await asyncio.to_thread(restore_sqlite, db, backup, tmp_path / "before-restore")
        return database_url
    url = make_url(database_url)
    restored = url.set(database=f"{url.database}_restored")
    await admin(database_url, f'CREATE DATABASE "{restored.database}"')
    plain = restored.set(drivername="postgresql").render_as_string(hide_password=False)
    result = await asyncio.to_thread(
        run, "pg_restore", "--exit-on-error", "--no-owner", f"--dbname={plain}", str(backup)
    )
    assert result.returncode == 0, result.stderr
    return restored.render_as_string(hide_password=False)


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


async def test_a_backup_taken_while_the_bot_runs_restores_every_report(
    harness: Harness, citizen: User, database_url: str, tmp_path: Path
) -> None:
    tool = "sqlite3" if database_url.startswith("sqlite") else "pg_dump"
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed; the documented backup needs it")
    code = await factories.report(harness, citizen)
    await to_step(citizen, 2)  # a draft under way, kept by the backup too
    script = tmp_path / "lapor-backup"
    script.write_text(backup_script())
    backups = tmp_path / "backups"
    taken = await asyncio.to_thread(
        run, "sh", str(script), DATABASE_URL=database_url, BACKUP_DIR=str(backups)
    )
    assert taken.returncode == 0, taken.stderr
    backup = Path(taken.stdout.strip().splitlines()[-1])
    assert backup.parent == backups
    assert await asyncio.to_thread(mode_of, backup) == 0o600, "backups hold personal data"
    await harness.stop()

    restored_url = await restore(database_url, backup, tmp_path)
    restored = Harness(harness.emulator, restored_url, harness.clock, harness.admin_chat_id)
    await restored.start()
    try:
        resumed = await citizen.say("lanjut")
        assert "Langkah 2 dari" in texts(resumed)[-1], "the draft came back too"
        await citizen.say("menu")
        await citizen.say("cek status")
        status = await citizen.say(format_code(code))
        assert texts(status)[0].startswith(f"Status laporan {format_code(code)}:")
        await citizen.say("menu")
        await to_step(citizen, 8)
        assert code_in(await citizen.say("1")) != code, "the restored database takes new reports"
    finally:
        await restored.stop()
        if restored_url != database_url:
            name = make_url(restored_url).database
            await admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
