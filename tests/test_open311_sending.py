"""The sending side, wire to wire: a report forwarded to an agency whose own system speaks
Open311 is POSTed there, by the send method the dispatcher uses, and the system's updates
are read back and move the report. The agency's system is a second lapor-bot, in its own
process (tests/agency_system.py) with its own database, in XML and in JSON."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.api.agency_systems import poll
from bot.api.tokens import Scope, issue
from bot.app import build_services
from bot.core.lifecycle import Privacy, Status
from bot.core.outgoing import AgencySystem, destination_from_json, outgoing_from_json
from bot.core.tracking import format_code
from bot.core.transitions import Action
from bot.delivery.open311_client import Open311Client, Open311Error
from bot.delivery.open311_send import Open311Send, endpoint_of
from bot.delivery.send_methods import DeliveryFailed
from bot.services import Services
from bot.settings import SAMPLE_AGENCIES_FILE
from storage import agency_requests
from storage.models import AgencyRequest, Report
from tests.api_helpers import act, add_reporter, file, outbox, report, serve, settings_for
from tests.harness import Clock

START_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class AgencySystemProcess:
    """The agency's lapor-bot: its process, its database, its staff acting on it."""

    def __init__(self, workdir: Path, template: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/open311/v2"
        self.database = workdir / "agency.db"
        self.database_url = f"sqlite+aiosqlite:///{self.database}"
        self.template = template
        self.log = workdir / "agency.log"
        self.process: asyncio.subprocess.Process | None = None
        self.services: Services | None = None

    async def start(self) -> None:
        # A copy of the suite's migrated database, as every SQLite test starts from.
        shutil.copyfile(self.template, self.database)
        environment = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "AGENCIES_FILE": str(SAMPLE_AGENCIES_FILE),
            "PORT": str(self.port),
        }
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.agency_system", env=environment, stdout=log, stderr=log
            )
        async with asyncio.timeout(START_TIMEOUT), aiohttp.ClientSession() as client:
            while True:
                try:
                    async with client.get(f"{self.url}/discovery.json") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        # The agency's staff act on its own database, as its bot would.
        self.services = build_services(settings_for(self.database_url))

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()
        if self.services is not None:
            await self.services.engine.dispose()

    async def key(self) -> str:
        assert self.services is not None
        async with self.services.sessionmaker.begin() as session:
            _, token = await issue(session, Scope.OPEN311, "pemkot", self.services.clock())
        return token

    async def reports(self) -> list[Report]:
        assert self.services is not None
        async with self.services.sessionmaker() as session:
            return list(await session.scalars(select(Report).order_by(Report.id)))


@pytest.fixture
async def agency_system(
    tmp_path: Path, sqlite_template: Path
) -> AsyncIterator[AgencySystemProcess]:
    system = AgencySystemProcess(tmp_path, sqlite_template)
    try:
        await system.start()
        yield system
    finally:
        await system.stop()


def agencies_with_system(tmp_path: Path, url: str, key: str, fmt: str) -> Path:
    """The sample agencies file, with Dishub running its own Open311 system."""
    text = SAMPLE_AGENCIES_FILE.read_text().replace(
        'short_name = "Dishub"\n',
        'short_name = "Dishub"\n\n[agencies.open311]\n'
        f'url = "{url}"\napi_key = "{key}"\nformat = "{fmt}"\n'
        '[agencies.open311.services]\nlampu_rambu = "lampu_rambu"\n',
        1,
    )
    path = tmp_path / f"agencies-{fmt}.toml"
    path.write_text(text)
    return path


async def send_rows(services: Services, method: Open311Send) -> int:
    """Hand the outbox's Open311 rows to the send method, as the dispatcher does."""
    sent = 0
    for row in await outbox(services):
        destination = destination_from_json(row.destination)
        if method.handles(destination):
            await method.deliver(row.id, destination, outgoing_from_json(row.payload))
            sent += 1
    return sent


@pytest.mark.parametrize("fmt", ["xml", "json"])
async def test_a_forwarded_report_goes_to_the_agency_s_system_and_its_news_come_back(
    database_url: str, tmp_path: Path, agency_system: AgencySystemProcess, fmt: str
) -> None:
    key = await agency_system.key()
    agencies = agencies_with_system(tmp_path, agency_system.url, key, fmt)
    # The agency's system runs on the wall clock; ours keeps to it too here.
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    privacy = Privacy.BIASA if fmt == "xml" else Privacy.ANONIM_RAHASIA
    async for api in serve(database_url, clock, agencies):
        services = api.services
        siti = await add_reporter(services)
        code = await file(services, reporter_id=siti, privacy=privacy)
        await act(services, code, Action.FORWARD, agency="dishub")
        rows = await outbox(services)
        [send] = [r for r in rows if r.destination["kind"] == "system"]
        assert destination_from_json(send.destination) == AgencySystem("dishub", "open311")

        method = Open311Send(services)
        try:
            assert await send_rows(services, method) == 1
            # The same row again (a crash before it was marked sent): nothing posted twice.
            assert await send_rows(services, method) == 1
        finally:
            await method.close()
        [theirs] = await agency_system.reports()
        assert theirs.channel == "open311"
        assert format_code(code) in theirs.content, "our code travels in the text"
        assert (theirs.anonymous, theirs.confidential) == (
            privacy.anonymous,
            privacy.confidential,
        ), "the agency's system is told the reporter's privacy"
        async with services.sessionmaker() as session:
            [kept] = (await session.scalars(select(AgencyRequest))).all()
        assert kept.external_id == format_code(theirs.code), "their id beside our code"
        notes = [r for r in await outbox(services) if r.purpose == "system_note"]
        assert [n.destination for n in notes] == [{"kind": "staff", "key": "dishub"}]
        assert format_code(theirs.code) in notes[0].payload["text"], "the card shows it went"

        # The agency's staff work on it in their own lapor-bot.
        assert agency_system.services is not None
        theirs_code = theirs.code
        await act(agency_system.services, theirs_code, Action.FORWARD, agency="dishub")
        await act(agency_system.services, theirs_code, Action.START)
        await act(agency_system.services, theirs_code, Action.COMPLETE, text="Lampu sudah diganti.")
        clock.now = datetime.now(UTC)
        client = Open311Client()
        try:
            endpoint = endpoint_of(services, "dishub")
            assert endpoint is not None and endpoint.wire == fmt
            applied = await poll(services, client, "dishub", endpoint)
            assert applied == 4, "received, forwarded, in progress, done"
            assert await poll(services, client, "dishub", endpoint) == 0, "each update once"
        finally:
            await client.close()
        ours = await report(services, code)
        assert ours.status is Status.SELESAI
        citizen = [r for r in await outbox(services) if r.destination["kind"] == "citizen"]
        assert any("Selesai" in str(r.payload) for r in citizen), "the citizen is told"


async def test_an_unreachable_system_is_retried_and_a_refusal_is_not(
    database_url: str, tmp_path: Path, clock: Clock
) -> None:
    port = _free_port()  # nothing listens there
    agencies = agencies_with_system(tmp_path, f"http://127.0.0.1:{port}/open311/v2", "k", "xml")
    async for api in serve(database_url, clock, agencies):
        code = await file(api.services)
        await act(api.services, code, Action.FORWARD, agency="dishub")
        method = Open311Send(api.services)
        try:
            with pytest.raises(DeliveryFailed) as failed:
                await send_rows(api.services, method)
        finally:
            await method.close()
        assert failed.value.failure.kind.value == "transient"
        assert "k" not in failed.value.failure.detail.split(), "no key in what is kept"


async def test_a_refusing_system_fails_the_row_for_good(
    database_url: str, tmp_path: Path, agency_system: AgencySystemProcess
) -> None:
    agencies = agencies_with_system(tmp_path, agency_system.url, "kunci-salah", "xml")
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    async for api in serve(database_url, clock, agencies):
        code = await file(api.services)
        await act(api.services, code, Action.FORWARD, agency="dishub")
        method = Open311Send(api.services)
        try:
            with pytest.raises(DeliveryFailed) as failed:
                await send_rows(api.services, method)
        finally:
            await method.close()
        assert failed.value.failure.kind.value == "failed"
        assert "403" in failed.value.failure.detail
        assert "kunci-salah" not in failed.value.failure.detail
        client = Open311Client()
        try:
            endpoint = endpoint_of(api.services, "dishub")
            assert endpoint is not None
            with pytest.raises(Open311Error):
                await client.post_request(endpoint, {}, idempotency_key="x")
        finally:
            await client.close()


async def test_a_system_without_updates_is_read_by_its_requests(
    database_url: str, tmp_path: Path, clock: Clock
) -> None:
    """Many GeoReport v2 servers have no servicerequestupdates: their requests are read by
    id, and a status that changed counts as an update (once)."""
    statuses = {"BDG-77": "open"}

    async def requests(request: web.Request) -> web.Response:
        assert request.query["service_request_id"] == "BDG-77"
        status = statuses["BDG-77"]
        notes = "Lampu sudah diganti petugas." if status == "closed" else ""
        body = (
            '<?xml version="1.0" encoding="utf-8"?><service_requests><request>'
            f"<service_request_id>BDG-77</service_request_id><status>{status}</status>"
            f"<status_notes>{notes}</status_notes>"
            "<updated_datetime>2026-11-25T12:00:00+07:00</updated_datetime>"
            "</request></service_requests>"
        )
        return web.Response(text=body, content_type="text/xml")

    system = web.Application()
    system.router.add_get("/open311/v2/requests.xml", requests)
    async with TestServer(system) as server:
        url = str(server.make_url("/open311/v2"))
        agencies = agencies_with_system(tmp_path, url, "k", "xml")
        async for api in serve(database_url, clock, agencies):
            services = api.services
            siti = await add_reporter(services)
            code = await file(services, reporter_id=siti)
            await act(services, code, Action.FORWARD, agency="dishub")
            ours = await report(services, code)
            async with services.sessionmaker.begin() as session:
                agency_requests.add(
                    session,
                    report_id=ours.id,
                    agency="dishub",
                    method="open311",
                    external_id="BDG-77",
                    token=None,
                    send_key="k-1",
                    now=clock(),
                )
            client = Open311Client()
            try:
                endpoint = endpoint_of(services, "dishub")
                assert endpoint is not None
                assert await poll(services, client, "dishub", endpoint) == 1, "open: noted"
                assert (await report(services, code)).status is Status.DITERUSKAN
                assert await poll(services, client, "dishub", endpoint) == 0, "unchanged"
                statuses["BDG-77"] = "closed"
                assert await poll(services, client, "dishub", endpoint) == 1
            finally:
                await client.close()
            done = await report(services, code)
            assert done.status is Status.SELESAI
            citizen = [r for r in await outbox(services) if r.destination["kind"] == "citizen"]
            assert any("Lampu sudah diganti petugas." in str(r.payload) for r in citizen)
