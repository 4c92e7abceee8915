"""The HTTP side probed as an attacker would (issue 15, hardening): what a client sends
never reaches the log, the token is checked before a body is read, bodies nested without
end or too large get the API's own error, and text of no visible character moves
nothing."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import select

from bot.api.tokens import Scope
from bot.core.lifecycle import Status
from bot.core.tracking import format_code
from bot.core.transitions import Action
from bot.delivery.open311_client import items, parse
from bot.logging_setup import install_redaction
from storage.models import TimelineEvent
from tests.api_helpers import Api, act, add_reporter, file, outbox, report, serve
from tests.harness import Clock

SECRET_TEXT = "RahasiaWargaJalanMelati7"


@pytest.fixture
async def api(database_url: str, clock: Clock) -> AsyncIterator[Api]:
    async for served in serve(database_url, clock):
        yield served


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record, as the CLI's logging cleans it (bot/logging_setup.py)."""
    undo = install_redaction()
    caplog.set_level(logging.DEBUG)
    try:
        yield caplog
    finally:
        undo()


def _all_logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{r.getMessage()}\n{r.exc_text or ''}\n{r.stack_info or ''}" for r in caplog.records
    )


async def _raw(api: Api, request: bytes) -> bytes:
    """One request written by hand to the server's socket; the answer's bytes."""
    host, port = api.client.host, api.client.port
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(request)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return answer


@pytest.mark.parametrize("size", [9_000, 70_000])
async def test_a_form_in_an_overlong_query_string_never_reaches_the_log(
    api: Api, logged: pytest.LogCaptureFixture, size: int
) -> None:
    key = await api.token("portal", Scope.OPEN311)
    query = f"api_key={key}&description={SECRET_TEXT}&pad=" + "x" * size
    answer = await _raw(
        api,
        f"POST /open311/v2/requests.xml?{query} HTTP/1.1\r\nHost: x\r\n"
        "Content-Length: 0\r\nConnection: close\r\n\r\n".encode(),
    )
    text = _all_logged(logged)
    assert key not in text and SECRET_TEXT not in text, "nothing the client sent is logged"
    if size < 65_536:
        # Past aiohttp's usual 8190 bytes, answered by the API, in the format asked for.
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 414"), head
        assert b"text/xml" in head
        [error] = items(parse(body, "xml"))
        assert error["code"] == "414" and "8190" in error["description"]
    else:
        assert answer.split(b"\r\n")[0].endswith(b"400 Bad Request"), "refused by aiohttp"


async def test_an_oversized_header_is_answered_in_the_api_s_format(api: Api) -> None:
    async with api.client.get("/api/v1/reports", headers={"X-Padding": "y" * 9000}) as response:
        assert response.status == 431
        assert (await response.json())["error"]["code"] == "headers_too_large"
    async with api.client.get(
        "/open311/v2/services.json", headers={"X-Padding": "y" * 9000}
    ) as response:
        assert response.status == 431
        assert (await response.json())[0]["code"] == 431


async def test_the_token_comes_before_the_body_and_nesting_is_capped(
    api: Api, logged: pytest.LogCaptureFixture
) -> None:
    services = api.services
    code = await file(services, category="jalan_rusak")
    await act(services, code, Action.FORWARD, agency="dsdabm")
    path = f"/api/v1/reports/{format_code(code)}/responses"
    deep = "[" * 1000 + "]" * 1000
    async with api.client.post(
        path, data=deep, headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 401, "no token: nothing it sent is read"
        assert (await response.json())["error"]["code"] == "unauthorized"
    status, body = await api.get("/api/v1/reports", status="BUKAN_STATUS")
    assert (status, body["error"]["code"]) == (401, "unauthorized"), "as docs/api.md says"
    token = await api.token("dsdabm")
    for bad in (deep, '{"text": ' * 50 + '"x"' + "}" * 50):
        async with api.client.post(
            path,
            data=bad,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        ) as response:
            assert response.status == 400
            assert (await response.json())["error"]["code"] == "bad_body"
    assert "Traceback" not in _all_logged(logged)
    assert all(r.levelno < logging.ERROR for r in logged.records), "no error, no traceback"


async def test_too_large_a_body_is_answered_in_the_api_s_format(api: Api) -> None:
    token = await api.token("dsdabm")
    big = json.dumps({"text": "x" * (1024 * 1024 + 10)})
    async with api.client.post(
        "/api/v1/reports/100-0001/responses",
        data=big,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    ) as response:
        assert response.status == 413
        assert (await response.json())["error"]["code"] == "too_large"
    key = await api.token("portal", Scope.OPEN311)
    async with api.client.post(
        "/open311/v2/requests.xml",
        data={"api_key": key, "description": "x" * (11 * 1024 * 1024)},
    ) as response:
        assert response.status == 413
        [error] = items(parse(await response.read(), "xml"))
        assert error["code"] == "413"


async def test_a_nul_or_an_empty_reply_from_an_agency_changes_nothing_it_should_not(
    api: Api,
) -> None:
    services = api.services
    siti = await add_reporter(services)
    code = await file(services, category="jalan_rusak", reporter_id=siti)
    await act(services, code, Action.FORWARD, agency="dsdabm")
    token = await api.token("dsdabm")
    path = f"/api/v1/reports/{format_code(code)}/responses"
    before = len(await outbox(services))
    for empty in ("\u200b\u200c\u200d\u2060", "\ufeff \u3164", "\x00\x00"):
        status, body = await api.post_json(path, {"text": empty}, token)
        assert (status, body["error"]["code"]) == (400, "bad_text"), repr(empty)
    assert len(await outbox(services)) == before, "nothing sent to the citizen"
    assert (await report(services, code)).status is Status.DITERUSKAN, "nor moved"

    note = "Cek\x00 di lokasi\x1b[2J bersama \u202eRT 05."
    status, _ = await api.post_json(path, {"action": "catatan", "text": note}, token)
    assert status == 201, "a NUL no longer fails PostgreSQL"
    status, _ = await api.post_json(path, {"text": "Petugas\x00 datang besok pagi."}, token)
    assert status == 201
    async with services.sessionmaker() as session:
        events = (await session.scalars(select(TimelineEvent).order_by(TimelineEvent.id))).all()
    assert events[-3].internal_note == "Cek di lokasi[2J bersama RT 05."
    assert "Petugas datang besok pagi." in [e.public_text for e in events]
    relayed = [r for r in await outbox(services) if r.purpose == "relay"]
    assert "\x00" not in json.dumps(relayed[-1].payload)
