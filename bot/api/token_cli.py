"""`lapor-bot token issue|revoke|list|limits`: the operator's side of API tokens."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bot.api.tokens import Scope, issue
from bot.core.agencies import load_directory
from bot.language.dates import format_date
from bot.language.i18n import Translator, load_locales
from bot.settings import Settings
from storage import api_tokens, migrate
from storage.db import create_engine, create_sessionmaker
from storage.models import ApiToken, utcnow


def add_commands(commands: argparse._SubParsersAction[Any], t: Translator) -> None:
    """The `token` command and its subcommands (the parser class is the command line's)."""
    token = commands.add_parser(
        "token", help=t("cli.help.token"), description=t("cli.help.token"), t=t
    )
    actions = token.commands("token_command")
    issued = actions.add_parser(
        "issue", help=t("cli.help.token_issue"), description=t("cli.help.token_issue"), t=t
    )
    issued.options.add_argument("subject", help=t("cli.help.token_subject"))
    issued.options.add_argument("--open311", action="store_true", help=t("cli.help.api_key"))
    revoked = actions.add_parser(
        "revoke", help=t("cli.help.token_revoke"), description=t("cli.help.token_revoke"), t=t
    )
    revoked.options.add_argument("number", type=int, help=t("cli.help.token_number"))
    actions.add_parser(
        "list", help=t("cli.help.token_list"), description=t("cli.help.token_list"), t=t
    )
    limits = actions.add_parser(
        "limits", help=t("cli.help.token_limits"), description=t("cli.help.token_limits"), t=t
    )
    limits.options.add_argument("number", type=int, help=t("cli.help.token_number"))
    at_least_one = _positive(t("cli.error.at_least_one"))
    limits.options.add_argument(
        "--per-minute", type=at_least_one, default=None, help=t("cli.help.per_minute")
    )
    limits.options.add_argument(
        "--per-day", type=at_least_one, default=None, help=t("cli.help.per_day")
    )


def _positive(problem: str) -> Callable[[str], int]:
    """An argument type for a whole number of at least 1; `problem` says so."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(problem) from None
        if number < 1:
            raise argparse.ArgumentTypeError(problem)
        return number

    return parse


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run a `token` subcommand; the exit status."""
    t = load_locales().get(settings.bot_locale)
    agencies = load_directory(settings.agencies_file).agencies
    if args.token_command == "issue" and not args.open311 and args.subject not in agencies:
        print(t("cli.token_unknown_agency", agency=args.subject), file=sys.stderr)
        return 2
    return asyncio.run(_run(args, settings, t))


async def _run(args: argparse.Namespace, settings: Settings, t: Translator) -> int:
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        async with create_sessionmaker(engine).begin() as session:
            now = utcnow()
            if args.token_command == "issue":
                scope = Scope.OPEN311 if args.open311 else Scope.AGENCY
                row, token = await issue(session, scope, args.subject, now)
                print(t("cli.token_issued", number=row.id, name=args.subject))
                print(token)
            elif args.token_command == "revoke":
                if not await api_tokens.revoke(session, args.number, now):
                    print(t("cli.token_not_found", number=args.number), file=sys.stderr)
                    return 1
                print(t("cli.token_revoked", number=args.number))
            elif args.token_command == "limits":
                if not await api_tokens.set_limits(
                    session, args.number, per_minute=args.per_minute, per_day=args.per_day
                ):
                    print(t("cli.token_not_found", number=args.number), file=sys.stderr)
                    return 1
                print(
                    t(
                        "cli.token_limits",
                        number=args.number,
                        count=args.per_minute or settings.open311_per_minute,
                        total=args.per_day or settings.open311_per_day,
                    )
                )
            else:
                _list(await api_tokens.listed(session), settings, t)
    finally:
        await engine.dispose()
    return 0


def _list(tokens: Sequence[ApiToken], settings: Settings, t: Translator) -> None:
    if not tokens:
        print(t("cli.token_none"))
    tz, locale = settings.timezone, settings.bot_locale
    for row in tokens:
        facts = {
            "number": row.id,
            "name": row.subject,
            "kind": row.scope,
            "date": format_date(row.created_at.astimezone(tz).date(), locale),
        }
        if row.revoked_at is None:
            print(t("cli.token_entry", **facts))
        else:
            revoked = format_date(row.revoked_at.astimezone(tz).date(), locale)
            print(t("cli.token_entry_revoked", **facts, end=revoked))
