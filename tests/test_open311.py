"""Open311 GeoReport v2 (/open311/v2): every answer checked against the published schemas
in tests/data/open311-georeport-v2, public reports only, and posting as an intake channel."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import jsonschema_rs
import pytest

from bot.api.tokens import Scope
from bot.core.lifecycle import Privacy, Status
from bot.core.tracking import format_code
from bot.core.transitions import Action
from tests.api_helpers import (
    CONTENT,
    SCHEMAS,
    Api,
    act,
    add_reporter,
    assert_valid,
    audit,
    file,
    open311_schema,
    outbox,
    report,
    serve,
)
from tests.harness import Clock

BASE = "/open311/v2"
SERVICES = open311_schema("services.json")
DEFINITION = open311_schema("service-definition.json")
REQUEST = open311_schema("request.json")
REQUESTS = open311_schema("requests.json")
# The published Swagger's answer to POST requests (no JSON Schema file has it).
CREATED = jsonschema_rs.validator_for(
    {
        "type": "array",
        "minItems": 1,
        "items": json.loads((SCHEMAS / "swagger.json").read_text())["definitions"][
            "RequestResponse"
        ],
    }
)
# Every field GeoReport v2 defines for a service request.
REQUEST_FIELDS = set(json.loads((SCHEMAS / "request.json").read_text())["properties"])
# What the public is told of each status (status_notes, an update's description).
PUBLIC = {
    Status.MENUNGGU_VERIFIKASI: (
        "Menunggu verifikasi. Petugas memeriksa laporan ini sebelum meneruskannya ke instansi "
        "berwenang."
    ),
    Status.DITUNDA: (
        "Ditunda, menunggu keterangan pelapor. Petugas memerlukan keterangan tambahan sebelum "
        "memverifikasinya."
    ),
    Status.DITERUSKAN: "Diteruskan ke instansi berwenang, yang akan menindaklanjutinya.",
    Status.DITINDAKLANJUTI: "Sedang ditindaklanjuti oleh instansi berwenang.",
    Status.SELESAI: (
        "Selesai ditindaklanjuti. Instansi berwenang menyatakan laporan ini sudah ditangani."
    ),
    Status.BUKAN_WEWENANG: (
        "Bukan wewenang pemerintah kota. Laporan ini perlu disampaikan ke instansi lain."
    ),
    Status.DIARSIPKAN: "Diarsipkan. Laporan ini tidak diproses lebih lanjut.",
}


@pytest.fixture
async def api(database_url: str, clock: Clock) -> AsyncIterator[Api]:
    async for served in serve(database_url, clock):
        yield served


def assert_errors(body: object, status: int) -> None:
    """GeoReport v2's error format: a list of {code, description}, code the HTTP status."""
    assert isinstance(body, list) and body
    for error in body:
        assert set(error) == {"code", "description"}
        assert error["code"] == status and isinstance(error["description"], str)
        assert error["description"].strip()


async def requests(api: Api, **params: str) -> list[dict[str, object]]:
    status, body = await api.get(f"{BASE}/requests.json", **params)
    assert status == 200, body
    assert_valid(REQUESTS, body)
    return body  # type: ignore[no-any-return]


async def one(api: Api, code: int | str) -> dict[str, object]:
    status, body = await api.get(f"{BASE}/requests/{code}.json")
    assert status == 200, body
    assert_valid(REQUESTS, body)
    [request] = body
    assert_valid(REQUEST, request)
    return request  # type: ignore[no-any-return]


async def test_discovery_services_and_definitions_follow_the_published_schemas(api: Api) -> None:
    status, discovery = await api.get(f"{BASE}/discovery.json")
    assert status == 200
    [endpoint] = discovery["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == str(api.client.make_url(BASE))
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert datetime.fromisoformat(discovery["changeset"]).tzinfo is not None
    assert "022-1500-000" in discovery["contact"] and "1708" in discovery["contact"]

    status, services = await api.get(f"{BASE}/services.json")
    assert status == 200
    assert_valid(SERVICES, services)
    assert [s["service_code"] for s in services] == [
        c.key for c in api.services.directory.categories
    ]
    lights = next(s for s in services if s["service_code"] == "lampu_rambu")
    assert lights == {
        "service_code": "lampu_rambu",
        "service_name": "Lampu jalan dan rambu",
        "description": "Ditangani oleh Dinas Perhubungan.",
        "metadata": True,
        "type": "realtime",
        "keywords": "lampu, lampu jalan, pju, rambu, lampu lalu lintas, street light",
        "group": "Dinas Perhubungan",
    }
    electricity = next(s for s in services if s["service_code"] == "listrik")
    assert electricity["group"] is None and "PLN" in electricity["description"]

    status, definition = await api.get(f"{BASE}/services/lampu_rambu.json")
    assert status == 200
    assert_valid(DEFINITION, definition)
    assert [(a["code"], a["datatype"], a["required"]) for a in definition["attributes"]] == [
        ("klasifikasi", "singlevaluelist", False),
        ("privasi", "singlevaluelist", False),
    ]
    assert [v["key"] for v in definition["attributes"][1]["values"]] == [
        "biasa",
        "anonim",
        "rahasia",
        "anonim_rahasia",
    ]

    status, body = await api.get(f"{BASE}/services/tidak_ada.json")
    assert status == 404
    assert_errors(body, 404)


async def test_a_posted_request_becomes_a_report_that_lives_like_any_other(api: Api) -> None:
    services = api.services
    key = await api.token("portal-warga", Scope.OPEN311)
    status, created = await api.post_form(
        f"{BASE}/requests.json",
        {
            "api_key": key,
            "service_code": "lampu_rambu",
            "description": "Lampu penerangan jalan di Jalan Riau mati total sejak Senin malam.",
            "lat": "-6.9147",
            "long": "107.6098",
            "address_string": "Jalan Riau dekat nomor 40",
            "attribute[klasifikasi]": "pengaduan",
            "first_name": "Budi",
            "last_name": "Santoso",
            "email": "budi@example.org",
            "phone": "081234567890",
        },
    )
    assert status == 200, created
    assert_valid(CREATED, created)
    [receipt] = created
    code = receipt["service_request_id"]
    assert "account_id" not in receipt, "no accounts of the client's users are kept"
    assert receipt["service_notice"] == (
        f"Laporan {code} diterima dan akan diverifikasi paling lambat 30 November 2026."
    )
    assert api.woken, "the dispatcher is woken for the card"

    filed = await report(services, int(code.replace("-", "")))
    assert (filed.channel, filed.reporter_id, filed.status) == (
        "open311",
        None,
        Status.MENUNGGU_VERIFIKASI,
    )
    assert (filed.latitude, filed.longitude) == (-6.9147, 107.6098)
    assert filed.agency == "dishub" and not filed.anonymous and not filed.confidential
    rows = await outbox(services)
    assert [r.destination for r in rows] == [
        {"kind": "staff", "key": "verifikasi", "lane": "open311:1"}
    ], "in the lane of the key that posted it"
    assert format_code(filed.code) in rows[0].payload["text"], "the card goes to Verifikasi"
    assert "Budi" not in str(rows[0].payload), "nothing of the person is kept"
    assert "Pelapor: tidak tercatat, laporan ini masuk lewat" in rows[0].payload["text"]
    [entry] = await audit(services)
    assert (entry.action, entry.detail) == ("open311", "open311:1")

    waiting = await one(api, code)
    assert waiting["status"] == "open"
    assert waiting["status_notes"] == (
        "Menunggu verifikasi. Petugas memeriksa laporan ini sebelum meneruskannya ke instansi "
        "berwenang."
    )
    assert waiting["description"] is None and waiting["lat"] is None, "not yet verified"
    assert waiting["requested_datetime"] == "2026-11-25T10:00:00+07:00"
    assert waiting["expected_datetime"] == "2026-11-30T23:59:59+07:00", "the deadline"
    assert waiting["agency_responsible"] is None

    api.clock.advance(hours=3)
    await act(services, filed.code, Action.FORWARD, agency="dishub")
    forwarded = await one(api, code)
    assert forwarded["description"] == filed.content
    assert (forwarded["lat"], forwarded["long"]) == (-6.9147, 107.6098)
    assert forwarded["address"] == "Jalan Riau dekat nomor 40"
    assert forwarded["agency_responsible"] == "Dinas Perhubungan"
    assert forwarded["status_notes"] == PUBLIC[Status.DITERUSKAN]
    assert forwarded["updated_datetime"] == "2026-11-25T13:00:00+07:00"
    assert forwarded["expected_datetime"] == "2026-12-02T23:59:59+07:00"

    # The agency answers through its own API, as it would any report.
    token = await api.token("dishub")
    path = f"/api/v1/reports/{code}/responses"
    status, body = await api.post_json(path, {"text": "Sedang kami periksa."}, token)
    assert (status, body["error"]["code"]) == (409, "other_channel"), "no one to answer"
    status, _ = await api.post_json(path, {"action": "tindaklanjuti"}, token)
    assert status == 201
    status, _ = await api.post_json(path, {"action": "selesai", "text": "Lampu diganti."}, token)
    assert status == 201
    done = await one(api, code)
    assert (done["status"], done["status_notes"]) == ("closed", PUBLIC[Status.SELESAI])

    await _updates_tell_the_whole_life(api, code)


async def _updates_tell_the_whole_life(api: Api, code: str) -> None:
    status, updates = await api.get(f"{BASE}/servicerequestupdates.json")
    assert status == 200
    assert [(u["status"], u["external_status_code"], u["description"]) for u in updates] == [
        ("open", "MENUNGGU_VERIFIKASI", PUBLIC[Status.MENUNGGU_VERIFIKASI]),
        ("investigating", "DITERUSKAN", PUBLIC[Status.DITERUSKAN]),
        ("in_progress", "DITINDAKLANJUTI", PUBLIC[Status.DITINDAKLANJUTI]),
        ("fixed", "SELESAI", PUBLIC[Status.SELESAI]),
    ]
    assert all(u["service_request_id"] == code for u in updates)
    assert len({u["update_id"] for u in updates}) == 4
    assert all(u["updated_datetime"].endswith("+07:00") for u in updates)
    status, later = await api.get(
        f"{BASE}/servicerequestupdates.json", start_date="2026-11-25T12:00:00+07:00"
    )
    assert [u["status"] for u in later] == ["investigating", "in_progress", "fixed"]


async def test_posting_needs_an_api_key_and_answers_errors_as_the_specification(
    api: Api,
) -> None:
    key = await api.token("portal-warga", Scope.OPEN311)
    agency_token = await api.token("dishub")
    good = {
        "api_key": key,
        "service_code": "sampah",
        "description": "Tumpukan sampah di pinggir Jalan Cikapayang belum diangkut seminggu.",
        "address_string": "Jalan Cikapayang",
    }
    cases: list[tuple[dict[str, str], int, str]] = [
        ({**good, "api_key": ""}, 403, "api_key"),
        ({**good, "api_key": agency_token}, 403, "api_key"),
        ({k: v for k, v in good.items() if k != "service_code"}, 400, "service_code"),
        ({**good, "service_code": "kucing_hilang"}, 400, "services.json"),
        ({**good, "description": "x" * 4001}, 400, "description"),
        ({k: v for k, v in good.items() if k != "address_string"}, 400, "address_string"),
        ({**good, "address_string": "Jl"}, 400, "address_string"),
        ({**good, "lat": "-6.9"}, 400, "long"),
        ({**good, "lat": "-96.0", "long": "107.6"}, 400, "lat"),
        ({**good, "lat": "utara", "long": "107.6"}, 400, "lat"),
        ({**good, "attribute[privasi]": "RAHASIA"}, 400, "privasi"),
    ]
    for form, status, mentioned in cases:
        got, body = await api.post_form(f"{BASE}/requests.json", form)
        assert got == status, (form, body)
        assert_errors(body, status)
        assert mentioned in body[0]["description"], (mentioned, body)
    assert await outbox(api.services) == [], "nothing was filed"

    # The api_key may also travel in the query string, as the published Swagger has it.
    form = {k: v for k, v in good.items() if k != "api_key"}
    async with api.client.post(
        f"{BASE}/requests.json", params={"api_key": key}, data=form
    ) as response:
        assert response.status == 200


async def test_only_public_reports_are_shown_and_no_one_is_named(api: Api) -> None:
    services = api.services
    siti = await add_reporter(services, "Siti", "Rahma")
    budi = await add_reporter(services, "Budi", "Santoso")
    public = await file(services, category="sampah", reporter_id=siti)
    anonymous = await file(services, category="sampah", reporter_id=budi, privacy=Privacy.ANONIM)
    secret = await file(services, category="sampah", reporter_id=siti, privacy=Privacy.RAHASIA)
    both = await file(services, category="sampah", reporter_id=budi, privacy=Privacy.ANONIM_RAHASIA)
    for code in (public, anonymous, secret, both):
        await act(services, code, Action.FORWARD, agency="dlh")

    listed = await requests(api)
    assert {r["service_request_id"] for r in listed} == {
        format_code(public),
        format_code(anonymous),
    }
    for hidden in (secret, both):
        status, body = await api.get(f"{BASE}/requests/{format_code(hidden)}.json")
        assert status == 404
        assert_errors(body, 404)
    ids = ",".join(format_code(c) for c in (public, secret, anonymous, both))
    assert {r["service_request_id"] for r in await requests(api, service_request_id=ids)} == {
        format_code(public),
        format_code(anonymous),
    }
    status, updates = await api.get(f"{BASE}/servicerequestupdates.json")
    assert {u["service_request_id"] for u in updates} == {
        format_code(public),
        format_code(anonymous),
    }

    text = str(listed) + str(updates)
    for personal in ("Siti", "Rahma", "Budi", "Santoso", "siti", "budi", "telegram"):
        assert personal not in text
    for request in listed:
        assert set(request) == REQUEST_FIELDS


async def test_no_answer_publishes_what_staff_wrote(api: Api) -> None:
    """A hold question, replies, reasons and notes may name the citizen or reach them (a
    phone number): Open311 tells each status in the catalogue's public words only."""
    services = api.services
    siti = await add_reporter(services, "Siti", "Rahma")
    personal = ("Siti", "Rahma", "Budi", "Santoso", "0812", "3456", "7890", "Melati")
    held = await file(services, category="lampu_rambu", reporter_id=siti)
    await act(
        services,
        held,
        Action.HOLD,
        text="Ibu Siti Rahma, di depan rumah nomor berapa? Atau telepon Pak Budi 0812-3456-7890.",
    )
    answered = await file(services, category="lampu_rambu", reporter_id=siti)
    await act(services, answered, Action.FORWARD, agency="dishub")
    token = await api.token("dishub")
    path = f"/api/v1/reports/{format_code(answered)}/responses"
    for body in (
        {"text": "Ibu Siti Rahma, petugas kami Pak Budi Santoso (0812-3456-7890) datang besok."},
        {"action": "catatan", "text": "Pelapor tinggal di Jalan Melati 7, telepon 081234567890."},
        {"action": "selesai", "text": "Ibu Siti, lampu sudah diganti. Pak Budi 0812-3456-7890."},
    ):
        status, _ = await api.post_json(path, body, token)
        assert status == 201, body
    back = await file(services, category="lampu_rambu", reporter_id=siti)
    await act(services, back, Action.FORWARD, agency="dishub")
    status, _ = await api.post_json(
        f"/api/v1/reports/{format_code(back)}/responses",
        {"action": "kembalikan", "text": "Bukan kami, kata Pak Budi Santoso 0812-3456-7890."},
        token,
    )
    assert status == 201
    archived = await file(services, category="sampah", reporter_id=siti)
    await act(services, archived, Action.ARCHIVE, text="Ganda dengan laporan Ibu Siti Rahma.")
    outside = await file(services, category="listrik", reporter_id=siti)
    await act(
        services, outside, Action.NOT_OURS, text="Hubungi PLN, sebut nama Siti dan 0812-3456-7890."
    )
    codes = [format_code(c) for c in (held, answered, back, archived, outside)]

    listed = await requests(api)
    by_id = await requests(api, service_request_id=",".join(codes))
    singles = [await one(api, code) for code in codes]
    status, updates = await api.get(f"{BASE}/servicerequestupdates.json")
    assert status == 200
    assert {r["service_request_id"] for r in listed} == set(codes)
    published = json.dumps([listed, by_id, singles, updates], ensure_ascii=False)
    for word in personal:
        assert word not in published, word
    assert {str(r["service_request_id"]): r["status_notes"] for r in listed} == {
        format_code(held): PUBLIC[Status.DITUNDA],
        format_code(answered): PUBLIC[Status.SELESAI],
        format_code(back): PUBLIC[Status.MENUNGGU_VERIFIKASI],
        format_code(archived): PUBLIC[Status.DIARSIPKAN],
        format_code(outside): PUBLIC[Status.BUKAN_WEWENANG],
    }
    assert [r["description"] for r in singles] == [None, CONTENT, None, None, CONTENT]
    assert {u["description"] for u in updates} <= set(PUBLIC.values())
    assert all(u["description"] == PUBLIC[Status(u["external_status_code"])] for u in updates)


async def test_the_filters_of_the_specification(api: Api) -> None:
    services = api.services
    api.clock.now = datetime(2026, 8, 3, 3, 0, tzinfo=api.clock.now.tzinfo)
    old = await file(services, category="sampah")  # more than 90 days before "now"
    api.clock.now = datetime(2026, 11, 20, 3, 0, tzinfo=api.clock.now.tzinfo)
    road = await file(services, category="jalan_rusak")
    api.clock.advance(days=1)
    rubbish = await file(services, category="sampah")
    await act(services, rubbish, Action.ARCHIVE, text="Laporan ganda.")
    api.clock.advance(days=3)

    def codes(found: list[dict[str, object]]) -> list[str]:
        return [str(r["service_request_id"]) for r in found]

    assert codes(await requests(api)) == [format_code(rubbish), format_code(road)]
    assert codes(await requests(api, service_code="sampah")) == [format_code(rubbish)]
    assert codes(await requests(api, service_code="sampah,jalan_rusak")) == codes(
        await requests(api)
    )
    assert codes(await requests(api, status="open")) == [format_code(road)]
    assert codes(await requests(api, status="closed")) == [format_code(rubbish)]
    assert len(await requests(api, status="open,closed")) == 2
    assert codes(
        await requests(
            api, start_date="2026-11-21T00:00:00+07:00", end_date="2026-11-22T00:00:00+07:00"
        )
    ) == [format_code(rubbish)]
    assert codes(
        await requests(api, start_date="2026-08-01T00:00:00Z", end_date="2026-10-01T00:00:00Z")
    ) == [format_code(old)]
    for wide in (
        {"start_date": "2026-08-01T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"},
        {"start_date": "2026-08-01T00:00:00Z"},  # to now: more than 90 days
    ):
        status, body = await api.get(f"{BASE}/requests.json", **wide)
        assert status == 400, "a window past 90 days is refused, never cut short"
        assert_errors(body, 400)
        assert "90 hari" in body[0]["description"]
    assert codes(await requests(api, service_request_id=f"{format_code(old)},123")) == [
        format_code(old)
    ]
    assert codes(await requests(api, service_request_id="bukan-kode")) == []
    assert (await one(api, old))["status"] == "open"
    archived = await one(api, format_code(rubbish).replace("-", ""))
    assert archived["status"] == "closed"
    assert archived["status_notes"] == PUBLIC[Status.DIARSIPKAN], "not the reason staff wrote"
    assert archived["description"] is None, "archived before verification: not published"

    for params in ({"status": "terbuka"}, {"start_date": "kemarin"}, {"end_date": "2026-11-25"}):
        status, body = await api.get(f"{BASE}/requests.json", **params)
        assert status == 400, params
        assert_errors(body, 400)
    status, body = await api.get(f"{BASE}/servicerequestupdates.json", start_date="2026-13-01")
    assert status == 400
    assert_errors(body, 400)


async def test_times_are_iso_8601_in_the_city_zone(api: Api) -> None:
    code = await file(api.services, category="sampah")
    request = await one(api, code)
    requested = datetime.fromisoformat(str(request["requested_datetime"]))
    assert requested.utcoffset() == timedelta(hours=7)
    assert requested == api.clock()
