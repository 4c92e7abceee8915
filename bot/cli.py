"""The `lapor-bot` command: setup, run, webhook, sandbox, db upgrade, token.

Everything it prints is in the operator's language (BOT_LOCALE), from the catalogues; a
problem the operator can fix is one line naming the setting and the fix, exit code 2.
Log records, for the journal, stay in English.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from getpass import getpass
from pathlib import Path
from typing import Any, NoReturn

from dotenv import dotenv_values
from pydantic import SecretStr
from telegram.error import InvalidToken, NetworkError

from bot import logging_setup
from bot.api import token_cli
from bot.app import build_application, build_services
from bot.core.agencies import AgenciesFileError
from bot.core.areas import AreasFileError
from bot.core.boundaries import BoundariesFileError
from bot.language.i18n import Translator, load_locales
from bot.sandbox.browser import run_web_sandbox
from bot.sandbox.terminal import run_sandbox
from bot.services import Services
from bot.settings import SUPPORTED_LOCALES, Settings, SettingsError, load_settings
from bot.setup.wizard import Console, SetupRefused, run_setup
from bot.transport.running import run_until_signalled
from bot.web.server import serve
from bot.web.side import http_side
from storage import migrate
from storage.db import check_reachable
from storage.errors import DatabaseUnreachable

# What the command line says when the database cannot be used, by DatabaseUnreachable.reason.
UNREACHABLE = {
    "unreadable": "setting.database_url_unreadable",
    "folder_missing": "setting.database_folder_missing",
    "cannot_open": "setting.database_cannot_open",
    "refused": "setting.database_refused",
    "unknown_host": "setting.database_unknown_host",
    "unreachable": "setting.database_unreachable",
    "timeout": "setting.database_timeout",
    "login": "setting.database_login",
    "no_database": "setting.database_missing",
    "failed": "setting.database_failed",
}


# The commands that run as a service and log at LOG_LEVEL.
SERVICES = ("run", "webhook")


def operator_translator() -> Translator:
    """The catalogues in BOT_LOCALE, read leniently: a wrong setting is reported in it too."""
    chosen = os.environ.get("BOT_LOCALE") or dotenv_values(".env").get("BOT_LOCALE") or ""
    return load_locales().get(chosen if chosen in SUPPORTED_LOCALES else None)


class Parser(argparse.ArgumentParser):
    """argparse with its words from the catalogues: usage, headings, help and errors."""

    def __init__(self, *args: Any, t: Translator, **kwargs: Any) -> None:
        class Formatter(argparse.HelpFormatter):
            def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
                # argparse passes "" to work out a subcommand's name: no words then.
                given = t("cli.help.usage") if prefix is None else prefix
                return super().add_usage(usage, actions, groups, given)

        super().__init__(*args, **{**kwargs, "add_help": False, "formatter_class": Formatter})
        self.t = t
        self.options = self.add_argument_group(t("cli.help.options"))
        self.options.add_argument("-h", "--help", action="help", help=t("cli.help.help"))

    def commands(self, dest: str) -> argparse._SubParsersAction[Parser]:
        """The subcommands under a heading of their own."""
        return self.add_subparsers(
            dest=dest, required=True, title=self.t("cli.help.commands"), metavar="COMMAND"
        )

    def error(self, message: str) -> NoReturn:
        """argparse's own message is English: the usage, then one line of ours."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {self.t('cli.usage_error', command=self.prog)}\n")


def _parser(t: Translator) -> Parser:
    parser = Parser(prog="lapor-bot", description=t("cli.help.description"), t=t)
    commands = parser.commands("command")
    setup = commands.add_parser(
        "setup", help=t("cli.help.setup"), description=t("cli.help.setup_long"), t=t
    )
    setup.options.add_argument("--env-file", default=".env", type=Path, help=t("cli.help.env_file"))
    setup.options.add_argument("--print", action="store_true", help=t("cli.help.print"))
    commands.add_parser("run", help=t("cli.help.run"), description=t("cli.help.run"), t=t)
    commands.add_parser(
        "webhook", help=t("cli.help.webhook"), description=t("cli.help.webhook"), t=t
    )
    sandbox = commands.add_parser(
        "sandbox", help=t("cli.help.sandbox"), description=t("cli.help.sandbox"), t=t
    )
    sandbox.options.add_argument(
        "--database", default="sqlite+aiosqlite:///sandbox.db", help=t("cli.help.database")
    )
    sandbox.options.add_argument("--web", action="store_true", help=t("cli.help.web"))
    sandbox.options.add_argument("--host", default="127.0.0.1", help=t("cli.help.host"))
    sandbox.options.add_argument("--port", type=int, default=8080, help=t("cli.help.port"))
    db = commands.add_parser("db", help=t("cli.help.db"), description=t("cli.help.db"), t=t)
    db.commands("db_command").add_parser(
        "upgrade", help=t("cli.help.db_upgrade"), description=t("cli.help.db_upgrade"), t=t
    )
    token_cli.add_commands(commands, t)
    return parser


async def _migrate(services: Services) -> None:
    """Bring the database, checked by `reachable` first, to the newest schema."""
    await migrate.upgrade(services.engine)
    # Pooled connections belong to this event loop; polling runs in another one.
    await services.engine.dispose()


async def reachable(url: str, setting: str = "DATABASE_URL") -> None:
    """The database answers, or a SettingsError names the setting and the fix."""
    try:
        await check_reachable(url)
    except DatabaseUnreachable as error:
        raise SettingsError(setting, UNREACHABLE[error.reason], **error.facts) from None


def _run(settings: Settings) -> None:
    settings.require_live()
    asyncio.run(reachable(settings.database_url))
    services = build_services(settings)
    asyncio.run(_migrate(services))
    application = build_application(settings, services)
    address = settings.http_side()
    run_until_signalled(
        application, alongside=None if address is None else http_side(application, *address)
    )


def _webhook(settings: Settings) -> None:
    settings.require_webhook()
    asyncio.run(reachable(settings.database_url))
    services = build_services(settings)
    asyncio.run(_migrate(services))
    serve(settings, services)


async def _sandbox(settings: Settings, web: bool, host: str, port: int) -> None:
    await reachable(settings.database_url, "--database")
    if web:
        await run_web_sandbox(settings, host, port)
    else:
        await run_sandbox(settings)


async def _db_upgrade(settings: Settings) -> None:
    await reachable(settings.database_url)
    await migrate.upgrade_url(settings.database_url)


def _setup(settings: Settings, t: Translator, env_file: Path | None) -> None:
    if settings.telegram_bot_token is None:
        if not sys.stdin.isatty():
            raise SettingsError("TELEGRAM_BOT_TOKEN", "setting.missing_token")
        # Not echoed: the token is the bot's password.
        typed = getpass(t("setup.ask_token")).strip()
        settings = settings.model_copy(update={"telegram_bot_token": SecretStr(typed)})
    asyncio.run(reachable(settings.database_url))
    asyncio.run(run_setup(settings, Console(t), env_file))


def _sandbox_settings(database: str) -> Settings:
    try:
        return load_settings(database_url=database)
    except SettingsError as error:
        if error.setting == "DATABASE_URL":
            raise SettingsError("--database", error.key, **error.params) from None
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and `python -m bot`."""
    t = operator_translator()
    args = _parser(t).parse_args(argv)
    settings = _logging(args.command)
    try:
        if args.command == "setup":
            _setup(load_settings(), t, None if args.print else args.env_file)
        elif args.command == "run":
            _run(load_settings())
        elif args.command == "webhook":
            _webhook(load_settings())
        elif args.command == "sandbox":
            asyncio.run(_sandbox(_sandbox_settings(args.database), args.web, args.host, args.port))
        elif args.command == "token":
            settings = load_settings()
            asyncio.run(reachable(settings.database_url))
            return token_cli.run(args, settings)
        elif args.command == "db":
            settings = load_settings()
            asyncio.run(_db_upgrade(settings))
            print(t("cli.db_upgraded"))
    except SettingsError as error:
        print(f"lapor-bot: {t(error.key, setting=error.setting, **error.params)}", file=sys.stderr)
        return 2
    except SetupRefused as error:
        print(f"lapor-bot: {t(error.key, **error.params)}", file=sys.stderr)
        return 2
    except (AgenciesFileError, AreasFileError, BoundariesFileError) as error:
        where = f"{error.path}: {error.where}" if error.where else str(error.path)
        print(f"lapor-bot: {where}: {t(error.key, **error.params)}", file=sys.stderr)
        return 2
    except InvalidToken:
        # python-telegram-bot's own text quotes the token; it is never printed.
        print(f"lapor-bot: {t('cli.token_rejected')}", file=sys.stderr)
        return 2
    except NetworkError as error:
        assert settings is not None  # Telegram is only called with settings loaded
        where = f"{settings.telegram_base_url}: {error.message}"
        line = f"{t('cli.unreachable')} ({where})"
        print(f"lapor-bot: {logging_setup.REDACTOR(line)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if args.command == "setup":
            print(f"\n{t('setup.stopped')}", file=sys.stderr)
            return 1
        return 0
    except Exception:
        # Through logging, so the traceback is redacted like every other record.
        logging.getLogger(__name__).critical("lapor-bot stopped", exc_info=True)
        return 1
    return 0


def _logging(command: str) -> Settings | None:
    """Log at LOG_LEVEL with every secret hidden (the sandbox: only problems)."""
    try:
        settings: Settings | None = load_settings()
    except SettingsError:
        settings = None  # the command reports it when it loads them
    level = settings.log_level if settings is not None else "INFO"
    secrets = logging_setup.settings_secrets(settings) if settings is not None else []
    # Only the services log at LOG_LEVEL (for the journal); the other commands talk to a
    # person at the terminal, in one language: only problems are logged there.
    logging_setup.configure(level if command in SERVICES else "WARNING", secrets)
    return settings
