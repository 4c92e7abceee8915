"""What the command line tells an operator: a wrong setting is one line naming it and the
fix, exit code 2, never a traceback; every word in one language (BOT_LOCALE)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.test_startup import LIVE_VARIABLES

LIVE = {"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN", "ADMIN_CHAT_ID": "-1001"}
# What argparse prints by itself, which must not show through.
ARGPARSE_WORDS = re.compile(
    r"^usage:|^options:$|^positional arguments:$|show this help message and exit|: error: ",
    re.MULTILINE,
)


def lapor_bot(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in (*LIVE_VARIABLES, "BOT_LOCALE")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line an operator gets, checked for the shape every such line has."""
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("lapor-bot: ")
    return line


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("nonsense", "DATABASE_URL bukan alamat basis data yang bisa dibaca. Tulis misalnya "),
        (
            "postgresql+asyncpg://lapor:rahasia@localhost:lima/lapor",
            "DATABASE_URL bukan alamat basis data yang bisa dibaca.",
        ),
        (
            "postgresql://lapor:rahasia@localhost/lapor",
            "DATABASE_URL harus diawali postgresql+asyncpg://, bukan postgresql://",
        ),
        (
            "postgres://lapor:rahasia@localhost/lapor",
            "DATABASE_URL harus diawali postgresql+asyncpg://, bukan postgres://",
        ),
        ("sqlite:///lapor.db", "DATABASE_URL harus diawali sqlite+aiosqlite://, bukan sqlite://"),
        (
            "mysql+aiomysql://lapor:rahasia@localhost/lapor",
            "DATABASE_URL menunjuk basis data mysql+aiomysql, yang tidak didukung. Pakai SQLite",
        ),
        (
            "postgresql+asyncpg://lapor:rahasia@127.0.0.1:1/lapor",
            "DATABASE_URL: server PostgreSQL di 127.0.0.1 port 1 menolak sambungan.",
        ),
        (
            "postgresql+asyncpg://lapor:rahasia@db.lapor.invalid/lapor",
            "DATABASE_URL: nama server db.lapor.invalid tidak dikenal.",
        ),
        (
            "sqlite+aiosqlite:///tidak-ada/lapor.db",
            "DATABASE_URL: folder {cwd}/tidak-ada belum ada. Buat folder itu dulu",
        ),
    ],
)
def test_a_wrong_database_url_is_one_line_naming_it_and_the_fix(
    tmp_path: Path, url: str, says: str
) -> None:
    result = lapor_bot("run", cwd=tmp_path, DATABASE_URL=url, **LIVE)
    line = one_line(result)
    assert line.startswith(f"lapor-bot: {says.format(cwd=tmp_path.resolve())}"), line
    assert "rahasia" not in result.stderr


@pytest.mark.parametrize("command", ["db upgrade", "token list", "webhook"])
def test_every_command_that_uses_the_database_says_so_too(tmp_path: Path, command: str) -> None:
    webhook = {"WEBHOOK_URL": "https://lapor.example.go.id/telegram", **LIVE}
    for url, says in (
        ("postgresql://lapor@localhost/lapor", "DATABASE_URL harus diawali postgresql+asyncpg://"),
        ("postgresql+asyncpg://lapor@127.0.0.1:1/lapor", "DATABASE_URL: server PostgreSQL di "),
    ):
        line = one_line(lapor_bot(*command.split(), cwd=tmp_path, DATABASE_URL=url, **webhook))
        assert line.startswith(f"lapor-bot: {says}"), line


def test_the_sandbox_names_its_own_option(tmp_path: Path) -> None:
    line = one_line(lapor_bot("sandbox", "--database", "sqlite:///s.db", cwd=tmp_path))
    assert line.startswith("lapor-bot: --database harus diawali sqlite+aiosqlite://")
    line = one_line(lapor_bot("sandbox", "--database", "sqlite+aiosqlite:///no/s.db", cwd=tmp_path))
    assert line.startswith("lapor-bot: --database: folder ")


@pytest.fixture
def server(pg_url: str) -> tuple[str, str]:
    """The test PostgreSQL's address, for a login or database that is not there."""
    parsed = make_url(pg_url)
    return parsed.host or "127.0.0.1", str(parsed.port or 5432)


def test_a_login_or_database_postgresql_refuses_is_named(
    tmp_path: Path, server: tuple[str, str]
) -> None:
    host, port = server
    nobody = f"postgresql+asyncpg://tidak_ada:rahasia@{host}:{port}/test"
    line = one_line(lapor_bot("db", "upgrade", cwd=tmp_path, DATABASE_URL=nobody))
    assert line.startswith("lapor-bot: DATABASE_URL: PostgreSQL menolak masuk sebagai tidak_ada.")
    missing = f"postgresql+asyncpg://postgres@{host}:{port}/tidak_ada_basis_data"
    line = one_line(lapor_bot("db", "upgrade", cwd=tmp_path, DATABASE_URL=missing))
    assert line.startswith(
        f"lapor-bot: DATABASE_URL: basis data tidak_ada_basis_data belum ada di server {host}."
    )


@pytest.mark.parametrize("value", ["1234567", "0"])
def test_admin_chat_id_must_be_a_group(tmp_path: Path, value: str) -> None:
    line = one_line(
        lapor_bot("run", cwd=tmp_path, TELEGRAM_BOT_TOKEN="123456:TEST-TOKEN", ADMIN_CHAT_ID=value)
    )
    assert line.startswith("lapor-bot: ADMIN_CHAT_ID harus id grup staf, yaitu bilangan negatif")
    assert "lapor-bot setup" in line


def test_a_wrong_http_address_is_named(tmp_path: Path) -> None:
    line = one_line(lapor_bot("run", cwd=tmp_path, HTTP_ADDRESS="8081", **LIVE))
    assert line.startswith("lapor-bot: HTTP_ADDRESS harus alamat dan port seperti 127.0.0.1:8081.")


@pytest.mark.parametrize(
    ("locale", "words"),
    [("id", ("Cara pakai: lapor-bot", "Perintah:", "Isian dan pilihan:")),
     ("en", ("Usage: lapor-bot", "Commands:", "Arguments and options:"))],
)  # fmt: skip
def test_help_and_usage_errors_are_in_the_operators_language(
    tmp_path: Path, locale: str, words: tuple[str, ...]
) -> None:
    for args in (["--help"], ["sandbox", "--help"], ["token", "issue", "--help"]):
        shown = lapor_bot(*args, cwd=tmp_path, BOT_LOCALE=locale)
        assert shown.returncode == 0
        assert all(word in shown.stdout for word in words[:1])
        assert not ARGPARSE_WORDS.search(shown.stdout), shown.stdout
    helped = lapor_bot("--help", cwd=tmp_path, BOT_LOCALE=locale).stdout
    assert all(word in helped for word in words)
    wrong = lapor_bot("frobnicate", cwd=tmp_path, BOT_LOCALE=locale)
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert not ARGPARSE_WORDS.search(wrong.stderr), wrong.stderr
    assert re.search(r"lapor-bot --help", wrong.stderr.splitlines()[-1])


def test_a_wrong_setting_is_told_in_english_when_the_bot_speaks_english(tmp_path: Path) -> None:
    line = one_line(
        lapor_bot("db", "upgrade", cwd=tmp_path, BOT_LOCALE="en", DATABASE_URL="sqlite:///x.db")
    )
    assert line == (
        "lapor-bot: DATABASE_URL must start with sqlite+aiosqlite://, not sqlite://, so that "
        "lapor-bot uses the aiosqlite driver. Change only the beginning and keep the rest."
    )


def test_db_upgrade_says_one_line_and_logs_nothing_in_english(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}"
    for _ in range(2):
        done = lapor_bot("db", "upgrade", cwd=tmp_path, DATABASE_URL=url, LOG_LEVEL="INFO")
        assert done.returncode == 0
        assert done.stdout == "Basis data sudah diperbarui ke versi terbaru.\n"
        assert done.stderr == ""
