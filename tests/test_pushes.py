"""Signed pushes to an agency's own system: every change in its queue, POSTed as JSON through
the outbox, verified by a real receiver, retried with backoff when it fails."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.core.agencies import AgenciesFileError, load_directory
from bot.core.tracking import format_code
from bot.core.transitions import Action, Role
from bot.sandbox.emulator import Emulator, User
from bot.settings import SAMPLE_AGENCIES_FILE
from bot.workflow import changes, relays
from storage import reports as report_store
from storage.models import OutboxMessage
from tests import factories
from tests.api_helpers import act, add_reporter, file, outbox
from tests.harness import Clock, Harness
from tests.staff_helpers import Staff, card_of, settled, topic_named

SECRET = "rahasia-dinas-bina-marga-2026"
TOLERANCE = 300


def verify(secret: str, headers: Any, body: bytes, now: float) -> bool:
    """What docs/api.md tells a receiver to do: recompute, compare in constant time, and
    refuse old timestamps."""
    timestamp = headers.get("X-Lapor-Timestamp", "")
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    expected = "v1=" + mac.hexdigest()
    fresh = timestamp.isdigit() and abs(now - int(timestamp)) <= TOLERANCE
    return fresh and hmac.compare_digest(expected, headers.get("X-Lapor-Signature", ""))


@dataclass
class Receiver:
    """An agency's system: checks each push's signature and answers as told."""

    server: TestServer
    # Statuses to answer valid pushes with, first to last; then 200.
    answers: list[int] = field(default_factory=list)
    pushes: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return str(self.server.make_url("/lapor"))

    def documents(self) -> list[dict[str, Any]]:
        """Bodies of the pushes accepted, in arrival order."""
        return [json.loads(body) for _, body in self.accepted()]

    def accepted(self) -> list[tuple[dict[str, str], bytes]]:
        pairs = zip(self.pushes, self.statuses, strict=True)
        return [push for push, status in pairs if status == 200]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    holder: list[Receiver] = []

    async def receive(request: web.Request) -> web.Response:
        me = holder[0]
        body = await request.read()
        me.pushes.append((dict(request.headers), body))
        status = 401 if not verify(SECRET, request.headers, body, time.time()) else 200
        if status == 200 and me.answers:
            status = me.answers.pop(0)
        me.statuses.append(status)
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/lapor", receive)
    server = TestServer(app)
    await server.start_server()
    holder.append(Receiver(server))
    yield holder[0]
    await server.close()


def agencies_with_webhook(tmp_path: Path, url: str, secret: str = SECRET) -> Path:
    """The sample agencies file, with DSDABM's system taking pushes at `url`."""
    text = SAMPLE_AGENCIES_FILE.read_text(encoding="utf-8")
    line = 'key = "dsdabm"\n'
    path = tmp_path / "agencies.toml"
    extra = f'webhook_url = "{url}"\nwebhook_secret = "{secret}"\n'
    path.write_text(text.replace(line, line + extra), encoding="utf-8")
    return path


StartBot = Callable[[Path], Awaitable[Harness]]


@pytest.fixture
async def start_bot(emulator: Emulator, database_url: str, clock: Clock) -> AsyncIterator[StartBot]:
    started: list[Harness] = []

    async def start(agencies_file: Path) -> Harness:
        staff = emulator.add_user(first_name="Petugas", username="petugas")
        group = emulator.add_supergroup(
            title="Staf Pengaduan", forum=True, members=[staff], admins=[staff]
        )
        overrides = {"agencies_file": agencies_file}
        bot = Harness(emulator, database_url, clock, group.id, overrides=overrides)
        await bot.start()
        started.append(bot)
        return bot

    yield start
    for bot in started:
        await bot.stop()


async def push_rows(bot: Harness) -> list[OutboxMessage]:
    return [row for row in await outbox(bot.services) if row.destination["kind"] == "webhook"]


async def test_every_change_in_the_agency_queue_is_pushed_signed(
    start_bot: StartBot,
    receiver: Receiver,
    emulator: Emulator,
    citizen: User,
    tmp_path: Path,
) -> None:
    bot = await start_bot(agencies_with_webhook(tmp_path, receiver.url))
    group = emulator.chat(bot.admin_chat_id)
    verifier = emulator.add_user(first_name="Dina")
    officer = emulator.add_user(first_name="Agus")
    emulator.add_group_member(group, verifier, admin=True)
    emulator.add_group_member(group, officer)
    staff = Staff(group, verifier, officer)

    code = await factories.report(bot, citizen)
    await bot.dispatcher.drain()
    assert receiver.pushes == [], "a report waiting for verification is no agency's yet"

    card = card_of(emulator, group, code)
    await staff.verifier.press_in(group, card.message_id, "Teruskan ke DSDABM", expect=0)
    await settled(emulator)
    topic = topic_named(group, "Dinas Sumber Daya Air dan Bina Marga")
    await staff.officer.say_in(
        group,
        "Tim kami memeriksa lokasi besok.",
        thread_id=topic,
        reply_to=card_of(emulator, group, code, topic).message_id,
        expect=0,
    )
    await settled(emulator)
    await staff.officer.say_in(
        group,
        "#kembalikan Ini jalan provinsi.",
        thread_id=topic,
        reply_to=card_of(emulator, group, code, topic).message_id,
        expect=0,
    )
    await settled(emulator)
    await bot.dispatcher.drain()

    documents = receiver.documents()
    assert [(d["event"], d["change"]["to_status"]) for d in documents] == [
        ("report.assigned", "DITERUSKAN"),
        ("report.updated", "DITERUSKAN"),  # the reply
        ("report.updated", "DITINDAKLANJUTI"),  # which started the follow-up
        ("report.withdrawn", "MENUNGGU_VERIFIKASI"),
    ]
    assigned, reply, started, withdrawn = documents
    assert assigned["agency"] == "dsdabm"
    assert assigned["report"]["code"] == format_code(code)
    assert assigned["report"]["category"] == "jalan_rusak"
    assert assigned["report"]["status_label"].startswith("Diteruskan ke Dinas Sumber Daya Air")
    assert reply["change"]["public_text"] == "Tim kami memeriksa lokasi besok."
    assert started["report"]["status"] == "DITINDAKLANJUTI"
    assert withdrawn["report"] == {"code": format_code(code)}
    assert withdrawn["change"]["public_text"] == "Ini jalan provinsi."
    for document in documents:
        assert "Siti" not in json.dumps(document), "pushes carry no reporter identity"
        assert "reporter" not in document["report"]

    rows = await push_rows(bot)
    assert [row.state for row in rows] == ["sent"] * 4
    for (headers, body), row in zip(receiver.accepted(), rows, strict=True):
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Lapor-Delivery"] == str(row.id)
        assert headers["X-Lapor-Event"] == json.loads(body)["event"]
        assert headers["X-Lapor-Signature"].startswith("v1=")
        assert not verify(SECRET, headers, body + b" ", time.time()), "a changed body fails"
        assert not verify("another-secret-entirely", headers, body, time.time())
        assert not verify(SECRET, headers, body, time.time() + 3600), "an old push fails"


async def test_a_failing_receiver_gets_the_push_again_with_backoff(
    start_bot: StartBot, receiver: Receiver, tmp_path: Path, clock: Clock
) -> None:
    bot = await start_bot(agencies_with_webhook(tmp_path, receiver.url))
    services = bot.services
    siti = await add_reporter(services)
    code = await file(services, category="jalan_rusak", reporter_id=siti)
    receiver.answers = [503, 500]
    await act(services, code, Action.FORWARD, agency="dsdabm")
    bot.dispatcher.notify()
    await bot.dispatcher.drain()

    [row] = await push_rows(bot)
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error == "the agency's webhook answered HTTP 503"
    assert 1.0 <= (row.available_at - clock()).total_seconds() <= 1.5, "first backoff"

    clock.advance(seconds=2)
    await bot.dispatcher.drain()
    [row] = await push_rows(bot)
    assert (row.state, row.attempts) == ("pending", 2)
    assert 2.0 <= (row.available_at - clock()).total_seconds() <= 3.0, "the backoff doubles"

    clock.advance(seconds=4)
    await bot.dispatcher.drain()
    [row] = await push_rows(bot)
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, None)
    assert receiver.statuses == [503, 500, 200]
    deliveries = {headers["X-Lapor-Delivery"] for headers, _ in receiver.pushes}
    assert deliveries == {str(row.id)}, "one delivery id for every attempt"
    assert [json.loads(body)["event"] for _, body in receiver.pushes] == ["report.assigned"] * 3

    # A refusal that retrying cannot fix ends the row as failed, kept with its reason,
    # and the agency's later pushes still go.
    receiver.answers = [400]
    await act(services, code, Action.START, actor=_officer())
    await bot.dispatcher.drain()
    await act(services, code, Action.COMPLETE, actor=_officer(), text="Sudah ditambal.")
    await bot.dispatcher.drain()
    rows = await push_rows(bot)
    assert [(r.state, r.last_error) for r in rows[1:]] == [
        ("failed", "the agency's webhook answered HTTP 400"),
        ("sent", None),
    ]
    assert receiver.documents()[-1]["change"]["to_status"] == "SELESAI"


async def test_an_unreachable_receiver_is_retried(
    start_bot: StartBot, tmp_path: Path, clock: Clock
) -> None:
    gone = TestServer(web.Application())
    await gone.start_server()
    url = str(gone.make_url("/lapor"))
    await gone.close()  # nothing listens there any more
    bot = await start_bot(agencies_with_webhook(tmp_path, url))
    code = await file(bot.services, category="drainase")
    await act(bot.services, code, Action.FORWARD, agency="dsdabm")
    bot.dispatcher.notify()
    await bot.dispatcher.drain()
    [row] = await push_rows(bot)
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error is not None and "ClientConnectorError" in row.last_error
    assert url not in row.last_error, "no URL in stored errors"


def test_the_agencies_file_takes_a_webhook_with_its_secret(tmp_path: Path) -> None:
    url = "https://sistem.dsdabm.example/lapor"
    directory = load_directory(agencies_with_webhook(tmp_path, url))
    agency = directory.agencies["dsdabm"]
    assert str(agency.webhook_url) == "https://sistem.dsdabm.example/lapor"
    assert agency.webhook_secret is not None and SECRET not in repr(agency)
    with pytest.raises(AgenciesFileError, match=r"webhook_secret: agencies_file\.too_short"):
        load_directory(agencies_with_webhook(tmp_path, "https://a.example/x", secret="pendek"))
    text = SAMPLE_AGENCIES_FILE.read_text(encoding="utf-8").replace(
        'key = "dishub"\n', 'key = "dishub"\nwebhook_url = "https://b.example/x"\n'
    )
    (tmp_path / "half.toml").write_text(text, encoding="utf-8")
    with pytest.raises(AgenciesFileError, match=r"agencies_file\.webhook_pair"):
        load_directory(tmp_path / "half.toml")
    ftp = f'webhook_url = "ftp://b.example/x"\nwebhook_secret = "{SECRET}"\n'
    bad = SAMPLE_AGENCIES_FILE.read_text(encoding="utf-8").replace(
        'key = "dishub"\n', f'key = "dishub"\n{ftp}'
    )
    (tmp_path / "ftp.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(AgenciesFileError, match=r"webhook_url: agencies_file\.url"):
        load_directory(tmp_path / "ftp.toml")


def _officer() -> changes.Actor:
    return changes.Actor(Role.STAFF, user_id=6001, chat_id=-1001, name="Agus")


async def test_a_citizens_addition_is_pushed_without_who_wrote_it(
    start_bot: StartBot, receiver: Receiver, tmp_path: Path, clock: Clock
) -> None:
    bot = await start_bot(agencies_with_webhook(tmp_path, receiver.url))
    services = bot.services
    siti = await add_reporter(services)
    code = await file(services, category="drainase", reporter_id=siti)
    await act(services, code, Action.FORWARD, agency="dsdabm")
    clock.advance(minutes=30)
    async with services.sessionmaker.begin() as session:
        report = await report_store.by_code(session, code)
        await relays.citizen_addition(
            session,
            services,
            report,
            text="Airnya sudah masuk ke rumah warga.",
            copy=None,
            citizen=changes.Actor(Role.CITIZEN),
            now=clock(),
        )
    await bot.dispatcher.drain()
    assigned, added = receiver.documents()
    assert assigned["event"] == "report.assigned"
    assert added["event"] == "report.updated"
    assert added["change"]["actor"] == "citizen"
    assert added["change"]["public_text"] == "Airnya sudah masuk ke rumah warga."
    assert added["report"]["updated_at"] == "2026-11-25T10:30:00+07:00", "an addition is a change"
    assert "Siti" not in json.dumps(added)
