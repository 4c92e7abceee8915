"""The agencies' API (/api/v1): tokens, an agency's own reports, answers and actions under
the staff group's rules, and the OpenAPI document it serves."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot import cli
from bot.api.mount import mount_apis
from bot.api.tokens import Scope, issue
from bot.app import build_services
from bot.core import tracking
from bot.core.lifecycle import Privacy, Status
from bot.core.tracking import format_code
from bot.core.transitions import Action, Role
from bot.language.dates import format_date
from bot.sandbox.emulator import Emulator, User
from bot.services import Services
from bot.workflow import changes
from storage import api_tokens
from storage.models import ApiToken
from tests.api_helpers import (
    Api,
    act,
    add_reporter,
    audit,
    file,
    outbox,
    report,
    serve,
    settings_for,
)
from tests.harness import Clock, Harness
from tests.staff_helpers import Staff, card_of, settled
from tests.steps import file_report, texts


@pytest.fixture
async def api(database_url: str, clock: Clock) -> AsyncIterator[Api]:
    async for served in serve(database_url, clock):
        yield served


async def test_tokens_are_kept_as_hashes_and_revoked_ones_stop_working(api: Api) -> None:
    token = await api.token("dishub")
    async with api.services.sessionmaker() as session:
        [row] = (await session.scalars(select(ApiToken))).all()
    assert token.startswith("lapor") and len(token) > 40
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.token_hash, row.subject)

    status, body = await api.get("/api/v1/reports", token)
    assert (status, body["reports"]) == (200, [])

    for header in (None, "lapor-not-a-token", token.upper()):
        status, body = await api.get("/api/v1/reports", header)
        assert status == 401
        assert body["error"]["code"] == "unauthorized"
        assert "Bearer" in body["error"]["message"]
    async with api.client.get("/api/v1/reports", headers={"Authorization": token}) as response:
        assert response.status == 401, "the Bearer scheme is required"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")

    open311_key = await api.token("warga-app", Scope.OPEN311)
    status, _ = await api.get("/api/v1/reports", open311_key)
    assert status == 401, "an Open311 key opens no agency's reports"

    async with api.services.sessionmaker.begin() as session:
        assert await api_tokens.revoke(session, row.id, api.clock())
        assert not await api_tokens.revoke(session, row.id, api.clock())
    status, body = await api.get("/api/v1/reports", token)
    assert (status, body["error"]["code"]) == (401, "unauthorized")


async def test_an_agency_sees_only_the_reports_in_its_queue(api: Api) -> None:
    services = api.services
    light = await file(services, category="lampu_rambu")  # routed to dishub
    road = await file(services, category="jalan_rusak")  # routed to dsdabm
    waiting = await file(services, category="parkir_angkutan")  # dishub, not yet verified
    await act(services, light, Action.FORWARD, agency="dishub")
    await act(services, road, Action.FORWARD, agency="dsdabm")
    dishub = await api.token("dishub")

    status, body = await api.get("/api/v1/reports", dishub)
    assert status == 200
    assert [r["code"] for r in body["reports"]] == [format_code(light)]
    [seen] = body["reports"]
    assert seen["status"] == "DITERUSKAN"
    assert seen["status_label"] == "Diteruskan ke Dinas Perhubungan"
    assert seen["agency"] == "dishub" and seen["category_name"] == "Lampu jalan dan rambu"
    assert seen["created_at"].endswith("+07:00"), "ISO 8601 in the city's time zone"
    assert seen["deadline_at"] is not None and "reporter" not in seen

    for code in (road, waiting, 1234567):
        status, body = await api.get(f"/api/v1/reports/{format_code(code)}", dishub)
        assert (status, body["error"]["code"]) == (404, "not_found")
    status, body = await api.post_json(
        f"/api/v1/reports/{format_code(road)}/responses", {"text": "Kami periksa."}, dishub
    )
    assert status == 404
    refused = [e for e in await audit(services) if not e.allowed]
    assert [(e.action, e.detail) for e in refused] == [
        ("read", "other_agency api:1"),  # reading another agency's report is audited too
        ("read", "other_agency api:1"),
        ("reply", "other_agency api:1"),
    ]
    assert (await report(services, road)).status is Status.DITERUSKAN

    # Handed back to the verifiers, a report leaves the agency's queue.
    await act(services, light, Action.HAND_BACK, actor=_officer(), text="Bukan lampu kami.")
    status, body = await api.get("/api/v1/reports", dishub)
    assert body["reports"] == []


async def test_a_status_filter_never_reaches_past_the_agencys_queue(api: Api) -> None:
    """The list obeys the single report's rule (a queue status, and the agency's), so no
    status filter shows a report waiting, held, ruled on, handed back or moved on."""
    services = api.services
    forwarded = await file(services)  # every report here is routed to dishub
    started = await file(services)
    done = await file(services)
    for code in (forwarded, started, done):
        await act(services, code, Action.FORWARD, agency="dishub")
    for code in (started, done):
        await act(services, code, Action.START, actor=_officer())
    await act(services, done, Action.COMPLETE, actor=_officer(), text="Lampu sudah diganti.")
    secret_content = "Petugas parkir liar di depan kantor kelurahan meminta uang tanpa karcis."
    secret = await file(
        services, category="parkir_angkutan", privacy=Privacy.RAHASIA, content=secret_content
    )
    handed_back = await file(services)
    await act(services, handed_back, Action.FORWARD, agency="dishub")
    await act(services, handed_back, Action.START, actor=_officer())
    await act(services, handed_back, Action.HAND_BACK, actor=_officer(), text="Bukan kami.")
    spam = await file(services)
    await act(services, spam, Action.ARCHIVE, text="Iklan, bukan laporan.")
    held = await file(services)
    await act(services, held, Action.HOLD, text="Di mana tepatnya?")
    outside = await file(services)
    await act(services, outside, Action.NOT_OURS, text="Lampu ini milik jalan tol.")
    moved = await file(services)
    await act(services, moved, Action.FORWARD, agency="dishub")
    await act(services, moved, Action.REASSIGN, agency="dsdabm")
    road = await file(services, category="jalan_rusak")
    await act(services, road, Action.FORWARD, agency="dsdabm")
    for code, agency in ((secret, "dishub"), (handed_back, "dishub"), (spam, "dishub")):
        assert (await report(services, code)).agency == agency, "still routed to dishub"
    dishub, dsdabm = await api.token("dishub"), await api.token("dsdabm")

    queue = {Status.DITERUSKAN: forwarded, Status.DITINDAKLANJUTI: started, Status.SELESAI: done}
    for status in Status:
        got, body = await api.get("/api/v1/reports", dishub, status=status.value)
        if status in queue:
            assert got == 200, status
            assert [r["code"] for r in body["reports"]] == [format_code(queue[status])]
            continue
        assert (got, body["error"]["code"]) == (400, "bad_status"), status
        assert "DITERUSKAN, DITINDAKLANJUTI, SELESAI" in body["error"]["message"]
    got, body = await api.get("/api/v1/reports", dishub, status="DITERUSKAN,MENUNGGU_VERIFIKASI")
    assert (got, body["error"]["code"]) == (400, "bad_status"), "not half answered"
    for params in ({}, {"status": "DITERUSKAN,DITINDAKLANJUTI,SELESAI"}):
        got, body = await api.get("/api/v1/reports", dishub, **params)
        assert got == 200
        assert sorted(r["code"] for r in body["reports"]) == sorted(
            format_code(c) for c in queue.values()
        )
        assert secret_content not in str(body)
    for code in (secret, handed_back, spam, held, outside, moved, road):
        got, _ = await api.get(f"/api/v1/reports/{format_code(code)}", dishub)
        assert got == 404, "the single report answers as the list does"

    got, body = await api.get("/api/v1/reports", dsdabm, status="DITERUSKAN")
    assert sorted(r["code"] for r in body["reports"]) == sorted(
        format_code(c) for c in (moved, road)
    )
    for status in (Status.DITINDAKLANJUTI, Status.SELESAI):
        got, body = await api.get("/api/v1/reports", dsdabm, status=status.value)
        assert (got, body["reports"]) == (200, []), "dishub's reports stay dishub's"

    _, document = await api.get("/api/v1/openapi.json")
    [documented] = [
        p
        for p in document["paths"]["/api/v1/reports"]["get"]["parameters"]
        if p["name"] == "status"
    ]
    assert documented["schema"]["items"]["enum"] == [s.value for s in Status if s in queue]


async def test_filters_by_status_and_change_time_a_page_at_a_time(api: Api) -> None:
    services = api.services
    codes = []
    for _ in range(52):
        code = await file(services, category="jalan_rusak")
        await act(services, code, Action.FORWARD, agency="dsdabm")
        codes.append(code)
    api.clock.advance(hours=2)
    await act(services, codes[3], Action.START, actor=_officer("dsdabm"))
    token = await api.token("dsdabm")

    status, first = await api.get("/api/v1/reports", token)
    assert status == 200
    assert (len(first["reports"]), first["page"], first["per_page"], first["next_page"]) == (
        50,
        1,
        50,
        2,
    )
    status, second = await api.get("/api/v1/reports", token, page="2")
    assert (len(second["reports"]), second["next_page"]) == (2, None)
    seen = [r["code"] for r in first["reports"] + second["reports"]]
    assert sorted(seen) == sorted(format_code(c) for c in codes)
    assert seen[-1] == format_code(codes[3]), "least recently changed first"

    status, body = await api.get("/api/v1/reports", token, status="DITINDAKLANJUTI")
    assert [r["code"] for r in body["reports"]] == [format_code(codes[3])]
    status, body = await api.get("/api/v1/reports", token, status="DITERUSKAN,DITINDAKLANJUTI")
    assert len(body["reports"]) == 50 and body["next_page"] == 2

    since = (api.clock() - timedelta(hours=1)).isoformat()
    status, body = await api.get("/api/v1/reports", token, since=since)
    assert [r["code"] for r in body["reports"]] == [format_code(codes[3])]

    for params, reason in (
        ({"status": "diteruskan"}, "bad_status"),
        ({"status": "OPEN"}, "bad_status"),
        ({"since": "kemarin"}, "bad_datetime"),
        ({"since": "2026-11-25T10:00:00"}, "bad_datetime"),
        ({"page": "0"}, "bad_page"),
        ({"page": "dua"}, "bad_page"),
    ):
        status, body = await api.get("/api/v1/reports", token, **params)
        assert (status, body["error"]["code"]) == (400, reason), params
        assert body["error"]["message"]


async def test_a_reply_reaches_the_citizen_by_the_staff_relay_and_starts_the_follow_up(
    api: Api,
) -> None:
    services = api.services
    siti = await add_reporter(services)
    code = await file(services, category="lampu_rambu", reporter_id=siti)
    await act(services, code, Action.FORWARD, agency="dishub")
    token = await api.token("dishub")
    before = len(await outbox(services))

    status, detail = await api.post_json(
        f"/api/v1/reports/{code}/responses",
        {"text": "  Petugas kami memeriksa lampu itu besok pagi.  "},
        token,
    )
    assert status == 201
    assert detail["status"] == "DITINDAKLANJUTI", "the first answer starts the follow-up"
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in detail["timeline"]] == [
        (None, "MENUNGGU_VERIFIKASI", "citizen"),
        ("MENUNGGU_VERIFIKASI", "DITERUSKAN", "staff"),
        ("DITERUSKAN", "DITERUSKAN", "staff"),
        ("DITERUSKAN", "DITINDAKLANJUTI", "staff"),
    ]
    assert detail["timeline"][2]["public_text"] == "Petugas kami memeriksa lampu itu besok pagi."
    assert detail["reporter"] == {"name": "Siti Rahma", "username": "siti"}
    assert api.woken, "the dispatcher is woken for the new outbox rows"

    rows = (await outbox(services))[before:]
    to_citizen = [r.payload["text"] for r in rows if r.destination["kind"] == "citizen"]
    assert to_citizen[0] == (
        f"Balasan dari Dinas Perhubungan untuk laporan {format_code(code)}:\n"
        "Petugas kami memeriksa lampu itu besok pagi."
    )
    assert to_citizen[1].startswith(f"Status laporan {format_code(code)}: Sedang ditindaklanjuti")
    in_topic = [r for r in rows if r.destination == {"kind": "staff", "key": "dishub"}]
    # The card is edited in place; the topic gets a note, since the change came from
    # outside it, saying who acted.
    assert [(r.purpose, r.payload["edit_card"], r.payload["under_card"]) for r in in_topic] == [
        ("card", True, False),
        ("staff_note", False, True),
    ]
    assert "Status: Sedang ditindaklanjuti." in in_topic[0].payload["text"]
    assert in_topic[1].payload["text"] == (
        f"Laporan {format_code(code)}: Sedang ditindaklanjuti. Oleh Dishub melalui API."
    ), "staff see who acted"

    status, detail = await api.post_json(
        f"/api/v1/reports/{code}/responses",
        {"action": "selesai", "text": "Lampu sudah diganti."},
        token,
    )
    assert (status, detail["status"]) == (201, "SELESAI")
    assert detail["timeline"][-1]["public_text"] == "Lampu sudah diganti."
    entries = [(e.action, e.allowed, e.detail) for e in await audit(services)]
    assert entries[-3:] == [
        ("reply", True, "api:1"),
        ("tindaklanjuti", True, "api:1"),
        ("selesai", True, "api:1"),
    ]


async def test_the_staff_rules_decide_what_an_agency_may_do(api: Api) -> None:
    services = api.services
    siti = await add_reporter(services)
    code = await file(services, category="jalan_rusak", reporter_id=siti)
    await act(services, code, Action.FORWARD, agency="dsdabm")
    token = await api.token("dsdabm")
    path = f"/api/v1/reports/{format_code(code)}/responses"

    status, body = await api.post_json(path, {"action": "selesai"}, token)
    assert (status, body["error"]["code"]) == (409, "wrong_status")
    assert body["error"]["message"] == (
        f"Laporan {format_code(code)} berstatus Diteruskan ke Dinas Sumber Daya Air dan Bina "
        "Marga, jadi tindakan ini tidak bisa dilakukan."
    )
    status, body = await api.post_json(path, {"action": "tunda", "text": "Alamat?"}, token)
    assert (status, body["error"]["code"]) == (403, "not_allowed"), "verifiers' actions"
    status, body = await api.post_json(path, {"action": "teruskan", "agency": "dlh"}, token)
    assert (status, body["error"]["code"]) == (403, "not_allowed")
    refused = [(e.action, e.detail) for e in await audit(services) if not e.allowed]
    assert refused == [
        ("selesai", "wrong_status api:1"),
        ("tunda", "not_allowed api:1"),
        ("teruskan", "not_allowed api:1"),
    ]

    rows = len(await outbox(services))
    api.clock.advance(hours=1)
    status, body = await api.post_json(path, {"action": "catatan", "text": "Cek anggaran."}, token)
    assert status == 201 and body["status"] == "DITERUSKAN"
    assert body["updated_at"] == "2026-11-25T11:00:00+07:00", "a note is a change too"
    assert body["timeline"][-1]["internal_note"] == "Cek anggaran."
    assert body["timeline"][-1]["public_text"] is None
    assert not [r for r in (await outbox(services))[rows:] if r.destination["kind"] == "citizen"]

    status, body = await api.post_json(path, {"action": "tindaklanjuti"}, token)
    assert (status, body["status"]) == (201, "DITINDAKLANJUTI")
    status, body = await api.post_json(
        path, {"action": "kembalikan", "text": "Ini jalan provinsi."}, token
    )
    assert (status, body["status"]) == (201, "MENUNGGU_VERIFIKASI")
    status, body = await api.get(f"/api/v1/reports/{code}", token)
    assert status == 404, "handed back, it is no longer the agency's"

    for bad, reason in (
        ({}, "text_required"),
        ({"text": "   "}, "bad_text"),
        ({"text": "x" * 3501}, "bad_text"),
        ({"text": None}, "bad_text"),
        ({"action": "catatan"}, "text_required"),
        ({"action": "sanggah", "text": "Belum beres."}, "bad_action"),
        ({"action": "teruskan", "agency": "pln"}, "bad_agency"),
        ({"text": "Halo", "pesan": "lain"}, "bad_body"),
        (["Halo"], "bad_body"),
    ):
        status, body = await api.post_json(path, bad, token)
        assert (status, body["error"]["code"]) == (400, reason), bad
    async with api.client.post(
        path, data=b"{not json", headers={"Authorization": f"Bearer {token}"}
    ) as response:
        assert response.status == 400


async def test_a_report_without_a_person_cannot_be_answered_but_can_be_acted_on(api: Api) -> None:
    services = api.services
    code = await file(services, category="sampah", reporter_id=None)
    await act(services, code, Action.FORWARD, agency="dlh")
    token = await api.token("dlh")
    path = f"/api/v1/reports/{code}/responses"
    status, body = await api.post_json(path, {"text": "Sampah diangkut besok."}, token)
    assert (status, body["error"]["code"]) == (409, "no_reporter")
    status, body = await api.post_json(path, {"action": "tindaklanjuti"}, token)
    assert (status, body["reporter"]) == (201, None)


async def test_an_anonim_reporter_stays_unnamed(api: Api) -> None:
    services = api.services
    siti = await add_reporter(services)
    code = await file(services, category="sampah", reporter_id=siti, privacy=Privacy.ANONIM)
    await act(services, code, Action.FORWARD, agency="dlh")
    status, body = await api.get(f"/api/v1/reports/{code}", await api.token("dlh"))
    assert status == 200 and body["anonymous"] is True
    assert body["reporter"] is None
    assert "Siti" not in str(body) and "siti" not in str(body)


async def test_unknown_paths_and_methods_answer_in_json(api: Api) -> None:
    token = await api.token("dlh")
    async with api.client.delete(
        "/api/v1/reports", headers={"Authorization": f"Bearer {token}"}
    ) as response:
        assert response.status == 405
        assert (await response.json())["error"]["code"] == "method_not_allowed"
        assert "GET" in response.headers["Allow"]
    status, body = await api.get("/api/v1/nothing-here", token)
    assert (status, body["error"]["code"]) == (404, "not_found")


def _officer(agency: str = "dishub") -> changes.Actor:
    return changes.Actor(Role.STAFF, user_id=6001, chat_id=-1001, name=f"Petugas {agency}")


async def test_an_agency_answers_through_the_api_and_the_citizen_hears_it(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    """End to end: filed in Telegram, forwarded by the verifier's button, answered by the
    agency's system, heard by the citizen in Telegram."""
    services = harness.services
    code = await file_report(citizen)
    await settled(emulator)
    card = card_of(emulator, staff.group, code)
    await staff.verifier.press_in(staff.group, card.message_id, "Teruskan ke DSDABM", expect=0)
    await settled(emulator)
    async with services.sessionmaker.begin() as session:
        _, token = await issue(session, Scope.AGENCY, "dsdabm", harness.clock())
    app = web.Application()
    assert harness.application is not None
    mount_apis(app, services, wake=harness.application.bot_data.wake_dispatcher)
    async with TestClient(TestServer(app)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        async with client.get("/api/v1/reports", headers=headers) as response:
            listed = await response.json()
        assert [r["code"] for r in listed["reports"]] == [format_code(code)]
        async with client.post(
            f"/api/v1/reports/{format_code(code)}/responses",
            json={"text": "Tim kami menambal lubang itu hari Kamis."},
            headers=headers,
        ) as response:
            assert response.status == 201
        await settled(emulator)
        relay, status = texts(emulator.bot_messages(citizen))[-2:]
        assert relay == (
            "Balasan dari Dinas Sumber Daya Air dan Bina Marga untuk laporan "
            f"{format_code(code)}:\nTim kami menambal lubang itu hari Kamis."
        )
        assert "Sedang ditindaklanjuti" in status

        async with client.post(
            f"/api/v1/reports/{code}/responses",
            json={"action": "selesai", "text": "Lubang sudah ditambal."},
            headers=headers,
        ) as response:
            assert response.status == 201
            detail = await response.json()
        await settled(emulator)
    assert detail["status"] == "SELESAI" and detail["reporter"] is None  # filed as anonim
    done, rating = texts(emulator.bot_messages(citizen))[-2:]
    assert "Selesai ditindaklanjuti" in done and "Lubang sudah ditambal." in done
    assert rating.endswith("Apakah Anda puas dengan tanggapannya?")
    agency_topic = [t for t in staff.group.topics.values() if t.name.startswith("Dinas Sumber")]
    assert agency_topic, "the agency's topic shows the changes"
    assert any(
        "DSDABM melalui API" in (m.text or "")
        for m in emulator.bot_messages(staff.group, agency_topic[0].thread_id)
    )


# --- The OpenAPI document, and a property-based test of both APIs against it -------------


async def test_the_openapi_document_describes_every_route(api: Api) -> None:
    status, document = await api.get("/api/v1/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    codes = [c.key for c in api.services.directory.categories]
    assert schemas["NewRequest"]["properties"]["service_code"]["enum"] == codes
    assert "dsdabm" in schemas["Response"]["properties"]["agency"]["enum"]
    served = set()
    for mounted in api.client.app.router.resources():
        assert isinstance(mounted, web.PrefixedSubAppResource)
        for route in mounted._app.router.routes():
            if route.method != "HEAD" and route.resource is not None:
                path = route.resource.canonical
                served.add((route.method.casefold(), path.replace("{format}", "json")))
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert served == documented


@dataclass
class LiveApi:
    """Both APIs on a real local server in a thread of their own, for schemathesis."""

    base_url: str
    token: str
    api_key: str


@pytest.fixture
def live_api(tmp_path: Path, sqlite_template: Path) -> Iterator[LiveApi]:
    # A copy of the suite's migrated database, as every SQLite test starts from.
    shutil.copyfile(sqlite_template, tmp_path / "api.db")
    url = f"sqlite+aiosqlite:///{tmp_path / 'api.db'}"
    loop = asyncio.new_event_loop()
    started: list[LiveApi] = []
    runner: list[web.AppRunner] = []
    services: list[Services] = []

    async def start() -> None:
        # The documents' example code first, so the examples reach a real report.
        rng = random.Random(7264183)
        codes = itertools.chain([7264183], iter(lambda: tracking.new_code(rng), None))
        # Schemathesis posts far more than a client may: the key's limits are lifted.
        settings = settings_for(url, open311_per_minute=100_000, open311_per_day=100_000)
        built = build_services(settings, new_code=lambda: next(codes))
        services.append(built)
        siti = await add_reporter(built)
        for category, reporter in (("jalan_rusak", siti), ("drainase", None)):
            code = await file(built, category=category, reporter_id=reporter)
            await act(built, code, Action.FORWARD, agency="dsdabm")
        await file(built, category="sampah")
        async with built.sessionmaker.begin() as session:
            _, token = await issue(session, Scope.AGENCY, "dsdabm", built.clock())
            _, key = await issue(session, Scope.OPEN311, "penguji", built.clock())
        app = web.Application()
        mount_apis(app, built)
        runner.append(web.AppRunner(app))
        await runner[0].setup()
        site = web.TCPSite(runner[0], "127.0.0.1", 0)
        await site.start()
        port = runner[0].addresses[0][1]
        started.append(LiveApi(f"http://127.0.0.1:{port}", token, key))

    async def stop() -> None:
        await runner[0].cleanup()
        await services[0].engine.dispose()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=serve, name="live api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started, "the API server did not start"
    yield started[0]
    asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_both_apis_keep_the_promises_of_their_openapi_document(
    live_api: LiveApi, tmp_path: Path
) -> None:
    """Schemathesis, from the document the server serves: examples, boundary values and
    random inputs, valid and invalid, to every operation, with every check it has."""
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f"""
seed = 7264183
request-timeout = 10

[generation]
max-examples = 25

# A window longer than GeoReport v2's 90 days, or ending before it starts, is refused
# with 400 (never cut short): JSON Schema cannot say how far apart two dates may be.
[[operations]]
include-path-regex = "^/open311/v2/(requests|servicerequestupdates)[.]json$"
include-method = "GET"
checks.positive_data_acceptance.expected-statuses = ["2xx", 400, 404]

[auth.openapi.bearer]
bearer = "{live_api.token}"

[auth.openapi.api_key]
api_key = "{live_api.api_key}"
""",
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(config),
            "--no-color",
            "run",
            f"{live_api.base_url}/api/v1/openapi.json",
            "--checks",
            "all",
            "--workers",
            "1",
            "--report",
            "json",
            "--report-json-path",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


def test_the_token_command_shows_a_token_once_lists_and_revokes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("BOT_LOCALE", "id")

    assert cli.main(["token", "issue", "dishub"]) == 0
    told, token = capsys.readouterr().out.splitlines()
    assert told == (
        "Token nomor 1 untuk dishub sudah dibuat. Simpan token pada baris berikut sekarang, "
        "karena tidak akan ditampilkan lagi."
    )
    assert token.startswith("lapor")
    with sqlite3.connect(database) as db:
        stored = db.execute("SELECT scope, subject, token_hash FROM api_tokens").fetchall()
    assert stored == [("agency", "dishub", hashlib.sha256(token.encode()).hexdigest())]

    assert cli.main(["token", "issue", "--open311", "portal-warga"]) == 0
    capsys.readouterr()
    assert cli.main(["token", "limits", "2", "--per-minute", "5", "--per-day", "50"]) == 0
    assert capsys.readouterr().out == (
        "Token nomor 2 kini boleh mengirim paling banyak 5 permintaan layanan semenit "
        "dan 50 sehari.\n"
    )
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT per_minute, per_day FROM api_tokens WHERE id = 2").fetchone() == (
            5,
            50,
        )
    assert cli.main(["token", "revoke", "1"]) == 0
    assert capsys.readouterr().out == "Token nomor 1 sudah dicabut.\n"
    assert cli.main(["token", "revoke", "1"]) == 1
    assert capsys.readouterr().err == "Token nomor 1 tidak ada atau sudah dicabut.\n"
    assert cli.main(["token", "list"]) == 0
    listed = capsys.readouterr().out
    today = format_date(datetime.now(ZoneInfo("Asia/Jakarta")).date(), "id")
    assert listed.splitlines() == [
        f"Token nomor 1: dishub, jenis agency, dibuat {today}, dicabut {today}.",
        f"Token nomor 2: portal-warga, jenis open311, dibuat {today}.",
    ]
    assert token not in listed

    assert cli.main(["token", "issue", "pln"]) == 2
    assert "Instansi pln tidak ada di berkas instansi" in capsys.readouterr().err
