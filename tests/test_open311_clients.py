"""Open311 as clients written elsewhere use it: the `georeport` package from PyPI in both
formats, FixMyStreet's way of posting and reading XML, and the specification's leniency.

XML answers are read back with the client codec (the way FixMyStreet's XML::Simple reads
them) and must carry the same fields and values as the JSON answer, which is checked
against the published schemas.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from georeport import GeoReport
from requests import HTTPError
from sqlalchemy import select

from bot.api.tokens import Scope
from bot.core.lifecycle import Privacy, Status
from bot.core.tracking import format_code
from bot.core.transitions import Action, TransitionRefused
from bot.delivery.open311_client import items, parse
from storage.models import Attachment, Report, ReportUpload
from tests.api_helpers import (
    Api,
    act,
    add_reporter,
    assert_valid,
    file,
    open311_schema,
    outbox,
    report,
    serve,
)
from tests.harness import Clock
from tests.open311_spec import text_values

BASE = "/open311/v2"
SERVICES = open311_schema("services.json")
DEFINITION = open311_schema("service-definition.json")
REQUESTS = open311_schema("requests.json")
FORMATS = ("xml", "json")
ROAD = "Lubang besar di Jalan Riau depan nomor 40, sudah dua motor jatuh."


@pytest.fixture
async def api(database_url: str, clock: Clock) -> AsyncIterator[Api]:
    async for served in serve(database_url, clock):
        yield served


async def raw(api: Api, path: str, **params: Any) -> tuple[int, str, bytes]:
    async with api.client.get(path, params=params) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.read()


async def both(api: Api, resource: str, **params: Any) -> Any:
    """A resource in XML and JSON; the XML read back must equal the JSON (as text)."""
    status, kind, xml = await raw(api, f"{BASE}/{resource}.xml", **params)
    assert status == 200, xml
    assert kind == "text/xml; charset=utf-8"
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    status, kind, body = await raw(api, f"{BASE}/{resource}.json", **params)
    assert status == 200 and kind == "application/json; charset=utf-8"
    document = json.loads(body)
    assert parse(xml, "xml") == text_values(document), resource
    return document


async def post(
    api: Api, fmt: str, form: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    async with api.client.post(
        f"{BASE}/requests.{fmt}", data=form, headers=headers or {}
    ) as response:
        body = await response.read()
        return response.status, items(parse(body, fmt))  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", FORMATS)
async def test_the_georeport_client_reads_every_resource(api: Api, fmt: str) -> None:
    """The four calls of the `georeport` package, as a city's app would make them."""
    services = api.services
    siti = await add_reporter(services)
    code = await file(services, category="sampah", reporter_id=siti)
    await act(services, code, Action.FORWARD, agency="dlh")
    client = GeoReport(str(api.client.make_url(BASE)), output_format=fmt)

    listed = await asyncio.to_thread(client.get_service_list)
    codes = [c.key for c in services.directory.categories]
    assert [s["service_code"] for s in listed] == codes
    definition = await asyncio.to_thread(client.get_service_definition, "sampah")
    assert definition["service_code"] == "sampah"
    requests = await asyncio.to_thread(client.get_service_requests, status="open")
    requests = requests if isinstance(requests, list) else [requests]
    assert [r["service_request_id"] for r in requests] == [format_code(code)]
    one = await asyncio.to_thread(client.get_service_request, format_code(code))
    assert one["service_request_id"] == format_code(code)
    assert one["status"] == "open" and one["service_code"] == "sampah"
    with pytest.raises(HTTPError) as missing:
        await asyncio.to_thread(client.get_service_request, "100-0001")
    assert missing.value.response.status_code == 404


async def test_both_formats_answer_the_same_on_every_resource(api: Api) -> None:
    services = api.services
    code = await file(services, category="sampah")
    await act(services, code, Action.FORWARD, agency="dlh")
    discovery = await both(api, "discovery")
    assert discovery["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert_valid(SERVICES, await both(api, "services"))
    assert_valid(DEFINITION, await both(api, "services/sampah"))
    assert_valid(REQUESTS, await both(api, "requests"))
    assert_valid(REQUESTS, await both(api, f"requests/{format_code(code)}"))
    updates = await both(api, "servicerequestupdates")
    assert [u["status"] for u in updates] == ["open", "investigating"]


@pytest.mark.parametrize("fmt", FORMATS)
async def test_errors_come_in_the_format_asked_for(api: Api, fmt: str) -> None:
    for path, status in (
        (f"{BASE}/services/tidak_ada.{fmt}", 404),
        (f"{BASE}/requests/100-0001.{fmt}", 404),
        (f"{BASE}/requests.{fmt}?status=terbuka", 400),
        (f"{BASE}/tidak/ada/sama/sekali.{fmt}", 404),
    ):
        got, kind, body = await raw(api, path)
        assert got == status, path
        assert kind.startswith("text/xml" if fmt == "xml" else "application/json")
        [error] = items(parse(body, fmt))  # type: ignore[arg-type]
        assert str(error["code"]) == str(status) and error["description"]
        assert "antrean instansi" not in error["description"], "not the agencies' API text"
    got, kind, body = await raw(api, f"{BASE}/requests")
    assert got == 404 and kind.startswith("text/xml"), "no format named: XML, the default"
    got, _, body = await raw(api, f"{BASE}/services.html")
    assert got == 404


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_fixmystreet_style_post_files_once_and_reads_its_id(api: Api, fmt: str) -> None:
    """FixMyStreet posts a form to requests.xml with its user's details and reads
    service_requests/request/service_request_id; a repeat with the same Idempotency-Key
    (a client that lost the answer) gets the same request, not a second one."""
    key = await api.token("fixmystreet", Scope.OPEN311)
    form = {
        "api_key": key,
        "jurisdiction_id": "bandung.go.id",
        "service_code": "jalan_rusak",
        "lat": "-6.9147",
        "long": "107.6098",
        "description": f"title: Lubang\n\ndetail: {ROAD}\n\nurl: https://fms.example/report/7",
        "first_name": "Budi",
        "last_name": "Santoso",
        "email": "budi@example.org",
        "media_url": "https://fms.example/photo/7.jpeg",
        "attribute[klasifikasi]": "pengaduan",
    }
    headers = {"Idempotency-Key": "fms-7"}
    status, [answer] = await post(api, fmt, form, headers)
    assert status == 200
    code = answer["service_request_id"]
    assert answer["service_notice"]
    status, [again] = await post(api, fmt, form, headers)
    assert (status, again["service_request_id"]) == (200, code), "the same request"
    filed = await report(api.services, int(code.replace("-", "")))
    assert filed.media_url == "https://fms.example/photo/7.jpeg"
    cards = [r for r in await outbox(api.services) if r.purpose == "card"]
    assert len(cards) == 1, "filed once"
    assert "fms.example/photo/7.jpeg" in cards[0].payload["text"], "the link is on the card"
    assert "Budi" not in str(cards[0].payload)


async def test_the_specification_not_stricter(api: Api) -> None:
    services = api.services
    key = await api.token("portal", Scope.OPEN311)
    # No description; the place as an address_id alone.
    status, [bare] = await post(
        api, "json", {"api_key": key, "service_code": "sampah", "address_id": "BDG-40115-77"}
    )
    assert status == 200
    filed = await report(services, int(bare["service_request_id"].replace("-", "")))
    assert (filed.content, filed.address_id, filed.location_text) == ("", "BDG-40115-77", None)
    [card] = [r for r in await outbox(services) if r.report_id == filed.id]
    assert "tanpa keterangan" in card.payload["text"], "the card says the text is empty"
    assert "BDG-40115-77" in card.payload["text"]
    # Up to 4,000 characters, and not one more.
    long_text = "Sampah menumpuk. " * 235
    status, _ = await post(
        api,
        "json",
        {"api_key": key, "service_code": "sampah", "address_id": "x", "description": long_text},
    )
    assert status == 200 and len(long_text) <= 4000
    status, [error] = await post(
        api,
        "xml",
        {"api_key": key, "service_code": "sampah", "address_id": "x", "description": "x" * 4001},
    )
    assert status == 400 and "4000" in error["description"]


async def test_a_photo_in_a_multipart_post_becomes_the_report_s_attachment(api: Api) -> None:
    key = await api.token("portal", Scope.OPEN311)
    photo = b"\xff\xd8\xff\xe0" + b"JPEG" * 500
    form = aiohttp.FormData()
    for name, value in (
        ("api_key", key),
        ("service_code", "jalan_rusak"),
        ("address_string", "Jalan Riau nomor 40"),
        ("description", ROAD),
    ):
        form.add_field(name, value)
    form.add_field("media", photo, filename="lubang.jpg", content_type="image/jpeg")
    async with api.client.post(f"{BASE}/requests.xml", data=form) as response:
        assert response.status == 200, await response.text()
        [answer] = items(parse(await response.read(), "xml"))
    filed = await report(api.services, int(answer["service_request_id"].replace("-", "")))
    async with api.services.sessionmaker() as session:
        [attachment] = (
            await session.scalars(select(Attachment).where(Attachment.report_id == filed.id))
        ).all()
        upload = await session.scalar(
            select(ReportUpload).where(ReportUpload.attachment_id == attachment.id)
        )
    assert (attachment.kind, attachment.mime_type, attachment.file_name) == (
        "photo",
        "image/jpeg",
        "lubang.jpg",
    )
    assert upload is not None and upload.data == photo, "kept until Telegram has it"
    rows = await outbox(api.services)
    [sent] = [r for r in rows if r.purpose == "attachment"]
    assert sent.payload["file"]["upload"] == attachment.id

    form = aiohttp.FormData()
    form.add_field("api_key", key)
    form.add_field("service_code", "jalan_rusak")
    form.add_field("address_string", "Jalan Riau nomor 40")
    form.add_field("media", b"MZ\x90\x00", filename="virus.exe", content_type="application/x-dos")
    async with api.client.post(f"{BASE}/requests.json", data=form) as response:
        assert response.status == 400


async def test_repeated_filters_and_the_ninety_days(api: Api) -> None:
    services = api.services
    road = await file(services, category="jalan_rusak")
    rubbish = await file(services, category="sampah")
    await act(services, rubbish, Action.ARCHIVE, text="Laporan ganda.")
    for fmt in FORMATS:
        async with api.client.get(
            f"{BASE}/requests.{fmt}", params=[("status", "open"), ("status", "closed")]
        ) as response:
            found = items(parse(await response.read(), fmt))  # type: ignore[arg-type]
        assert {r["service_request_id"] for r in found} == {format_code(road), format_code(rubbish)}
        async with api.client.get(
            f"{BASE}/requests.{fmt}",
            params=[
                ("service_code", "sampah"),
                ("service_code", "jalan_rusak"),
                ("status", "open"),
            ],
        ) as response:
            found = items(parse(await response.read(), fmt))  # type: ignore[arg-type]
        assert [r["service_request_id"] for r in found] == [format_code(road)]
    status, _, body = await raw(
        api,
        f"{BASE}/requests.xml",
        start_date="2026-01-01T00:00:00Z",
        end_date="2026-06-01T00:00:00Z",
    )
    [error] = items(parse(body, "xml"))
    assert status == 400 and "90 hari" in error["description"], "refused, saying why"
    closed = (await both(api, f"requests/{format_code(rubbish)}"))[0]
    assert closed["status"] == "closed" and closed["expected_datetime"] is None
    opened = (await both(api, f"requests/{format_code(road)}"))[0]
    assert opened["expected_datetime"] is not None


async def test_discovery_gives_the_public_address(database_url: str, clock: Clock) -> None:
    async for api in serve(database_url, clock, public_url="https://lapor.example.go.id/"):
        [endpoint] = (await both(api, "discovery"))["endpoints"]
        assert endpoint["url"] == "https://lapor.example.go.id/open311/v2"
    async for api in serve(database_url, clock):
        proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "lapor.example.go.id"}
        async with api.client.get(f"{BASE}/discovery.json", headers=proxied) as response:
            [endpoint] = (await response.json())["endpoints"]
        assert endpoint["url"] == "https://lapor.example.go.id/open311/v2", "a trusted proxy"
    async for api in serve(database_url, clock, trusted_proxies=["10.9.9.9"]):
        async with api.client.get(f"{BASE}/discovery.json", headers=proxied) as response:
            [endpoint] = (await response.json())["endpoints"]
        assert endpoint["url"] == str(api.client.make_url(BASE)), "anyone else is not believed"


async def test_one_key_is_held_to_its_limits(database_url: str, clock: Clock) -> None:
    async for api in serve(database_url, clock, open311_per_minute=3, open311_per_day=5):
        key = await api.token("flood", Scope.OPEN311)
        other = await api.token("portal", Scope.OPEN311)
        form = {"api_key": key, "service_code": "sampah", "address_id": "x"}
        for _ in range(3):
            assert (await post(api, "json", form))[0] == 200
        async with api.client.post(f"{BASE}/requests.xml", data=form) as response:
            assert response.status == 429
            assert 1 <= int(response.headers["Retry-After"]) <= 60
            [error] = items(parse(await response.read(), "xml"))
        assert "3" in error["description"]
        assert (await post(api, "json", {**form, "api_key": other}))[0] == 200, "per key"
        clock.advance(minutes=1, seconds=1)
        assert (await post(api, "json", form))[0] == 200
        assert (await post(api, "json", form))[0] == 200
        clock.advance(minutes=2)
        status, [error] = await post(api, "json", form)
        assert status == 429 and "5" in error["description"], "the daily cap"
        clock.advance(days=1)
        assert (await post(api, "json", form))[0] == 200, "a new day"


async def test_an_anonymous_reporter_s_place_is_published_coarsened(api: Api) -> None:
    services = api.services
    siti = await add_reporter(services)
    named = await file(services, category="sampah", reporter_id=siti)
    hidden = await file(services, category="sampah", reporter_id=siti, privacy=Privacy.ANONIM)
    for code in (named, hidden):
        async with services.sessionmaker.begin() as session:
            filed = await session.scalar(select(Report).where(Report.code == code))
            assert filed is not None
            filed.latitude, filed.longitude = -6.914744, 107.609810
        await act(services, code, Action.FORWARD, agency="dlh")
    exact = (await both(api, f"requests/{format_code(named)}"))[0]
    coarse = (await both(api, f"requests/{format_code(hidden)}"))[0]
    assert (exact["lat"], exact["long"]) == (-6.914744, 107.60981)
    assert (coarse["lat"], coarse["long"]) == (-6.915, 107.61), "about 100 m"
    assert coarse["address"] is None and exact["address"] == "Jalan Kosambi nomor 3"


async def test_a_held_open311_request_shows_its_question_and_can_always_move(api: Api) -> None:
    services = api.services
    key = await api.token("portal", Scope.OPEN311)
    _, [answer] = await post(
        api, "json", {"api_key": key, "service_code": "sampah", "address_id": "BDG-1"}
    )
    code = int(answer["service_request_id"].replace("-", ""))
    question = "Di depan nomor berapa tepatnya tumpukan sampah itu?"
    await act(services, code, Action.HOLD, text=question)
    held = (await both(api, f"requests/{format_code(code)}"))[0]
    assert held["status_notes"] == question
    updates = await both(api, "servicerequestupdates")
    assert updates[-1]["description"] == question
    # Nobody will answer: the verifiers still rule on it.
    await act(services, code, Action.FORWARD, agency="dlh")
    assert (await report(services, code)).status is Status.DITERUSKAN
    # A citizen's held report still waits for its citizen.
    siti = await add_reporter(services)
    theirs = await file(services, category="sampah", reporter_id=siti)
    await act(services, theirs, Action.HOLD, text=question)
    with pytest.raises(TransitionRefused):
        await act(services, theirs, Action.FORWARD, agency="dlh")
    assert (await both(api, f"requests/{format_code(theirs)}"))[0]["status_notes"] != question


async def test_text_from_open311_is_cleaned_as_every_channel_s(api: Api) -> None:
    key = await api.token("portal", Scope.OPEN311)
    status, [answer] = await post(
        api,
        "json",
        {
            "api_key": key,
            "service_code": "sampah",
            "address_string": "Jalan\x00 Riau \u202enomor 40",
            "description": "Sampah\x00 menumpuk\x1b[31m di depan sekolah \u2066sejak Senin.",
        },
    )
    assert status == 200
    filed = await report(api.services, int(answer["service_request_id"].replace("-", "")))
    assert filed.content == "Sampah menumpuk[31m di depan sekolah sejak Senin."
    assert filed.location_text == "Jalan Riau nomor 40"
    status, _ = await post(
        api,
        "json",
        {
            "api_key": key,
            "service_code": "sampah",
            "address_string": "\u200b\u200b\u200b\u200b\u200b\u200b",
        },
    )
    assert status == 400, "zero-width characters only are no place"
