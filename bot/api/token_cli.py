"""`lapor-bot token issue|revoke|list|limits`: the operator's side of API tokens."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.api.tokens import Scope, issue
from bot.core.agencies import load_directory
from bot.language.dates import format_date
from bot.language.i18n import Translator, load_locales
from bot.settings import Settings
from storage import api_tokens, migrate
from storage.db import create_engine, create_sessionmaker
from storage.models import ApiToken, utcnow


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `token` command and its subcommands."""
    token = commands.add_parser("token", help="API tokens for agencies and Open311 clients")
    actions = token.add_subparsers(dest="token_command", required=True)
    issued = actions.add_parser("issue", help="issue a token and print it once")
    issued.add_argument("subject", help="the agency's key, or with --open311 a client's name")
    issued.add_argument(
        "--open311", action="store_true", help="an api_key for posting Open311 service requests"
    )
    revoked = actions.add_parser("revoke", help="revoke a token by its number")
    revoked.add_argument("number", type=int)
    actions.add_parser("list", help="list tokens (never the tokens themselves)")
    limits = actions.add_parser(
        "limits", help="an Open311 key's own limits on service requests a minute and a day"
    )
    limits.add_argument("number", type=int)
    limits.add_argument("--per-minute", type=_positive, default=None)
    limits.add_argument("--per-day", type=_positive, default=None)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


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
