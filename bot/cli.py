"""The `lapor-bot` command: run, webhook, sandbox, db upgrade."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.error import InvalidToken, NetworkError

from bot import logging_setup
from bot.api import token_cli
from bot.app import build_application, build_services
from bot.core.agencies import AgenciesFileError
from bot.language.i18n import load_locales
from bot.sandbox.browser import run_web_sandbox
from bot.sandbox.terminal import run_sandbox
from bot.settings import Settings, SettingsError, load_settings
from bot.transport.running import run_until_signalled
from bot.web.server import serve
from storage import migrate


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lapor-bot",
        description="Telegram intake channel for public-service complaints.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot with long polling (needs a token)")
    commands.add_parser(
        "webhook", help="serve Telegram's webhook, /healthz and /metrics (needs WEBHOOK_URL)"
    )
    sandbox = commands.add_parser(
        "sandbox", help="try the bot without a token, chatting as a citizen in this terminal"
    )
    sandbox.add_argument(
        "--database", default="sqlite+aiosqlite:///sandbox.db", help="database URL for the sandbox"
    )
    sandbox.add_argument(
        "--web", action="store_true", help="serve a page: the citizen's chat and the staff group"
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="address for --web")
    sandbox.add_argument("--port", type=int, default=8080, help="port for --web")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply pending schema migrations")
    token_cli.add_commands(commands)
    return parser


async def _migrate(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    # Pooled connections belong to this event loop; polling runs in another one.
    await engine.dispose()


def _run(settings: Settings) -> None:
    settings.require_live()
    # Every file is read and checked before the database is touched.
    services = build_services(settings)
    asyncio.run(_migrate(services.engine))
    run_until_signalled(build_application(settings, services))


def _webhook(settings: Settings) -> None:
    settings.require_webhook()
    services = build_services(settings)
    asyncio.run(_migrate(services.engine))
    serve(settings, services)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and `python -m bot`."""
    args = _parser().parse_args(argv)
    settings = _logging(args.command)
    try:
        if args.command == "run":
            _run(load_settings())
        elif args.command == "webhook":
            _webhook(load_settings())
        elif args.command == "sandbox":
            sandbox_settings = load_settings(database_url=args.database)
            if args.web:
                asyncio.run(run_web_sandbox(sandbox_settings, args.host, args.port))
            else:
                asyncio.run(run_sandbox(sandbox_settings))
        elif args.command == "token":
            return token_cli.run(args, load_settings())
        elif args.command == "db":
            settings = load_settings()
            asyncio.run(migrate.upgrade_url(settings.database_url))
            print(load_locales().get(settings.bot_locale)("cli.db_upgraded"))
    except (SettingsError, AgenciesFileError) as error:
        print(f"lapor-bot: {error}", file=sys.stderr)
        return 2
    except InvalidToken:
        # python-telegram-bot's own text quotes the token; it is never printed.
        print(f"lapor-bot: {_text(settings, 'cli.token_rejected')}", file=sys.stderr)
        return 2
    except NetworkError as error:
        assert settings is not None  # Telegram is only called with settings loaded
        where = f"{settings.telegram_base_url}: {error.message}"
        line = f"{_text(settings, 'cli.unreachable')} ({where})"
        print(f"lapor-bot: {logging_setup.REDACTOR(line)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
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
    logging_setup.configure("WARNING" if command == "sandbox" else level, secrets)
    return settings


def _text(settings: Settings | None, key: str, **params: object) -> str:
    locale = settings.bot_locale if settings is not None else None
    return load_locales().get(locale)(key, **params)
