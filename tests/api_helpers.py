"""The HTTP APIs under test: the real sub-applications on an aiohttp test server, and
reports put where a test needs them through the core (intake, workflow), as the bot does."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.api.mount import HANDLER_ARGS, mount_apis
from bot.api.tokens import Scope, issue
from bot.app import build_services
from bot.core import tracking
from bot.core.lifecycle import Privacy
from bot.core.transitions import Action, Role
from bot.services import Services
from bot.settings import SAMPLE_AGENCIES_FILE, Settings
from bot.workflow import changes
from storage import reports as report_store
from storage.models import AuditEntry, OutboxMessage, Report, Reporter
from tests import factories
from tests.harness import Clock

CONTENT = "Lampu jalan di depan pasar Kosambi mati sejak seminggu, jalan gelap di malam hari."
# A copy of the published schemas (Open311 schema-validation, georeport-v2), so a clean
# clone runs the checks without the shared folder beside it.
SCHEMAS = Path(__file__).resolve().parent / "data" / "open311-georeport-v2"
VERIFIER = changes.Actor(Role.ADMIN, user_id=5001, chat_id=-1001, name="Dina")


@dataclass
class Api:
    """Both APIs served on a local port, with the services behind them."""

    services: Services
    client: TestClient[web.Request, web.Application]
    clock: Clock
    woken: list[int] = field(default_factory=list)

    async def token(self, agency: str, scope: Scope = Scope.AGENCY) -> str:
        """Issue a token as `lapor-bot token issue` does; the token itself."""
        async with self.services.sessionmaker.begin() as session:
            _, token = await issue(session, scope, agency, self.clock())
        return token

    async def get(self, path: str, token: str | None = None, **params: str) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.client.get(path, params=params, headers=headers) as response:
            return response.status, await response.json()

    async def post_json(self, path: str, body: object, token: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.client.post(path, json=body, headers=headers) as response:
            return response.status, await response.json()

    async def post_form(self, path: str, form: dict[str, str]) -> tuple[int, Any]:
        async with self.client.post(path, data=form) as response:
            return response.status, await response.json()


def settings_for(database_url: str, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url,
        admin_chat_id=-1001,
        _env_file=None,  # type: ignore[call-arg]
        **overrides,
    )


async def serve(
    database_url: str, clock: Clock, agencies_file: Path = SAMPLE_AGENCIES_FILE, **overrides: Any
) -> AsyncIterator[Api]:
    """Both sub-applications mounted as the web server mounts them."""
    rng = random.Random(7264185)
    services = build_services(
        settings_for(database_url, agencies_file=agencies_file, **overrides),
        clock=clock,
        new_code=lambda: tracking.new_code(rng),
    )
    woken: list[int] = []
    app = web.Application()
    mount_apis(app, services, wake=lambda: woken.append(1))
    server = TestServer(app)
    # As `lapor-bot webhook` serves it (bot/web/server.py), oversized requests included.
    await server.start_server(**HANDLER_ARGS)
    async with TestClient(server) as client:
        yield Api(services, client, clock, woken)
    await services.engine.dispose()


async def add_reporter(
    services: Services, first_name: str = "Siti", last_name: str = "Rahma"
) -> int:
    now = services.clock()
    async with services.sessionmaker.begin() as session:
        reporter = Reporter(
            telegram_user_id=random.randint(10**8, 10**9),
            chat_id=None,
            first_name=first_name,
            last_name=last_name,
            username=first_name.casefold(),
            consent_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add(reporter)
        await session.flush()
        return reporter.id


async def file(
    services: Services,
    *,
    category: str = "lampu_rambu",
    privacy: Privacy = Privacy.BIASA,
    reporter_id: int | None = None,
    content: str = CONTENT,
    location: str | None = "Jalan Kosambi nomor 3",
) -> int:
    """A report filed through the intake core (as a citizen's "kirim" does); its code."""
    return await factories.filed(
        services,
        reporter_id=reporter_id,
        category=category,
        privacy=privacy,
        content=content,
        location=location,
    )


async def act(
    services: Services,
    code: int,
    action: Action,
    *,
    actor: changes.Actor = VERIFIER,
    text: str | None = None,
    agency: str | None = None,
) -> None:
    """A staff action through the workflow, as a card button does."""
    move = action if text is None else (action, text)
    await factories.moved(services, code, move, actor, agency=agency)


async def report(services: Services, code: int) -> Report:
    async with services.sessionmaker() as session:
        return await report_store.by_code(session, code)


async def outbox(services: Services) -> list[OutboxMessage]:
    async with services.sessionmaker() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def audit(services: Services) -> list[AuditEntry]:
    async with services.sessionmaker() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def open311_schema(name: str) -> jsonschema_rs.Validator:
    """A published GeoReport v2 schema (tests/data/open311-georeport-v2), formats checked."""
    registry = jsonschema_rs.Registry(
        [
            (f"file://{SCHEMAS}/{path.name}", json.loads(path.read_text()))
            for path in SCHEMAS.glob("*.json")
            if path.name != "swagger.json"
        ]
    )
    return jsonschema_rs.validator_for(
        json.loads((SCHEMAS / name).read_text()),
        registry=registry,
        base_uri=f"file://{SCHEMAS}/{name}",
        validate_formats=True,
    )


def assert_valid(validator: jsonschema_rs.Validator, instance: object) -> None:
    errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(instance)]
    assert errors == [], errors
