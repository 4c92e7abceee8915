"""Open311 GeoReport v2 (/open311/v2): discovery, services, service requests (read by
anyone, posted with an api_key as another intake channel), and servicerequestupdates.

JSON only; dates are ISO 8601 with the city's offset; errors are a list of
{code, description} with the HTTP status as code, as the specification answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from aiohttp import web
from multidict import MultiDict

from bot.api import georeport
from bot.api.auth import open311_client
from bot.api.http import (
    EARLIEST,
    LATEST,
    SERVICES,
    WAKE,
    ApiError,
    describe,
    error_middleware,
    instant,
    services_of,
    visible,
)
from bot.core.agencies import Category
from bot.core.intake import rules
from bot.core.intake.answers import Answers
from bot.core.lifecycle import CLOSED_STATUSES, OPEN_STATUSES, Classification, Privacy, Status
from bot.core.tracking import CodeError, format_code, parse_code
from bot.core.transitions import Role
from bot.language.dates import format_date
from bot.language.i18n import Translator
from bot.services import Services
from bot.workflow import changes, filing
from bot.workflow.filing import Intake
from storage import api_reports
from storage.api_reports import TimeRange
from storage.models import Report

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed, for clients that cache discovery.
CHANGESET = "2026-11-25T00:00:00+07:00"
# GeoReport v2: at most 90 days and 1000 requests a query.
SPAN = timedelta(days=90)
LIMIT = 1000
FORMAT = r"{format:[A-Za-z0-9]+}"
CHANNEL = "open311"
NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
E = TypeVar("E", Classification, Privacy)


def open311_api(services: Services, *, wake: Callable[[], None] | None = None) -> web.Application:
    """The sub-application to mount at /open311/v2/."""
    app = web.Application(middlewares=[error_middleware(_render)])
    app[SERVICES] = services
    app[WAKE] = wake or (lambda: None)
    app.router.add_get(f"/discovery.{FORMAT}", discovery)
    app.router.add_get(f"/services.{FORMAT}", list_services)
    app.router.add_get(f"/services/{{service_code}}.{FORMAT}", service_definition)
    app.router.add_get(f"/requests.{FORMAT}", list_requests)
    app.router.add_post(f"/requests.{FORMAT}", post_request)
    app.router.add_get(f"/requests/{{service_request_id}}.{FORMAT}", show_request)
    app.router.add_get(f"/servicerequestupdates.{FORMAT}", list_updates)
    return app


def _render(request: web.Request, error: ApiError) -> web.Response:
    body = [{"code": error.status, "description": describe(request, error)}]
    return web.json_response(body, status=error.status, headers=error.headers)


def _json_only(request: web.Request) -> None:
    if request.match_info.get("format", "").casefold() != "json":
        raise ApiError(400, "format", "api.error.format")


def _t(services: Services) -> Translator:
    return services.locales.get(services.settings.bot_locale)


async def discovery(request: web.Request) -> web.Response:
    """Where the endpoint is, what it speaks, and whom to ask for a key."""
    _json_only(request)
    services = services_of(request)
    t = _t(services)
    city = services.directory.city
    base = str(request.url.with_query(None)).rsplit("/", 1)[0]
    return web.json_response(
        {
            "changeset": CHANGESET,
            "contact": t("georeport.contact", city=city.name, phone=city.phone, sms=city.sms),
            "key_service": t("georeport.key_service", name="api_key", city=city.name),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


async def list_services(request: web.Request) -> web.Response:
    """The categories citizens choose from, as services."""
    _json_only(request)
    services = services_of(request)
    t = _t(services)
    return web.json_response(
        [georeport.service(services, t, c) for c in services.directory.categories]
    )


async def service_definition(request: web.Request) -> web.Response:
    """The optional attributes of a service request."""
    _json_only(request)
    services = services_of(request)
    category = _category(services, request.match_info["service_code"], status=404)
    return web.json_response(georeport.definition(_t(services), category))


async def list_requests(request: web.Request) -> web.Response:
    """Public reports: by id, or by service, status and a window of at most 90 days."""
    _json_only(request)
    services = services_of(request)
    query = request.query
    # Every filter is checked, even those service_request_id overrides.
    window = _window(query, services.clock())
    statuses = _statuses(query.get("status"))
    async with services.sessionmaker() as session:
        if "service_request_id" in query:
            codes = _codes(query["service_request_id"])
            reports = await api_reports.public_by_codes(session, codes) if codes else []
        else:
            reports = await api_reports.public_requests(
                session,
                window,
                categories=_list(query.get("service_code")),
                statuses=statuses,
                limit=LIMIT,
            )
    return web.json_response(_requests(services, reports))


async def show_request(request: web.Request) -> web.Response:
    """One public report, as a list of one (as GeoReport v2 answers)."""
    _json_only(request)
    services = services_of(request)
    codes = _codes(request.match_info["service_request_id"])
    async with services.sessionmaker() as session:
        reports = await api_reports.public_by_codes(session, codes) if codes else []
    if not reports:
        raise ApiError(404, "not_found", "api.error.request_not_found")
    return web.json_response(_requests(services, reports[:1]))


async def list_updates(request: web.Request) -> web.Response:
    """Status changes of public reports within a window (FixMyStreet's extension)."""
    _json_only(request)
    services = services_of(request)
    window = _window(request.query, services.clock())
    async with services.sessionmaker() as session:
        rows = await api_reports.public_updates(session, window, LIMIT)
    t = _t(services)
    return web.json_response(
        [georeport.request_update(services, t, event, report) for event, report in rows]
    )


async def post_request(request: web.Request) -> web.Response:
    """A service request from an Open311 client, filed as a report that lives as any other."""
    _json_only(request)
    services = services_of(request)
    params = await _params(request)
    now = services.clock()
    async with services.sessionmaker.begin() as session:
        client = await open311_client(session, params.get("api_key", ""))
        answers = _answers(services, params)
        intake = Intake(CHANNEL, services.settings.bot_locale)
        report = (await filing.file(session, services, answers, intake, now=now)).report
        actor = changes.Actor(Role.SYSTEM, via=f"open311:{client}")
        changes.record(session, actor, "open311", report, now=now)
    request.config_dict[WAKE]()
    notice = _t(services)(
        "georeport.notice",
        code=format_code(report.code),
        deadline=format_date(
            services.calendar.local_date(report.deadline_at or now), services.settings.bot_locale
        ),
    )
    return web.json_response(
        [{"service_request_id": format_code(report.code), "service_notice": notice}]
    )


def _requests(services: Services, reports: Sequence[Report]) -> list[dict[str, object]]:
    t = _t(services)
    return [georeport.service_request(services, t, r) for r in reports]


async def _params(request: web.Request) -> MultiDict[str]:
    """The request's fields, from the form body and the query string alike."""
    merged: MultiDict[str] = MultiDict(request.query)
    if request.body_exists:
        try:
            form = await request.post()
        except ValueError:  # a multipart body without its boundary, and the like
            raise ApiError(400, "form", "api.error.form") from None
        for name, value in form.items():
            if not isinstance(value, str):
                raise ApiError(400, "bad_field", "api.error.field", {"name": name})
            merged.add(name, value)
    return merged


def _answers(services: Services, params: Mapping[str, str]) -> Answers:
    """The report's answers from the request's fields, checked as the OpenAPI document
    says; 400 naming what is wrong."""
    code = params.get("service_code")
    if not code:
        raise ApiError(400, "missing", "api.error.missing", {"name": "service_code"})
    category = _category(services, code, status=400)
    description = params.get("description")
    if not visible(description, low=rules.CONTENT_MIN_CHARS, high=rules.CONTENT_MAX_CHARS):
        raise ApiError(
            400,
            "description",
            "api.error.length",
            {"name": "description", "min": rules.CONTENT_MIN_CHARS, "max": rules.CONTENT_MAX_CHARS},
        )
    lat, long = _point(params)
    address = params.get("address_string")
    if address is not None and not visible(
        address, low=rules.LOCATION_MIN_CHARS, high=rules.LOCATION_MAX_CHARS
    ):
        raise ApiError(
            400,
            "address",
            "api.error.length",
            {
                "name": "address_string",
                "min": rules.LOCATION_MIN_CHARS,
                "max": rules.LOCATION_MAX_CHARS,
            },
        )
    if lat is None and address is None:
        raise ApiError(400, "location", "api.error.location", {"name": "address_string"})
    return Answers(
        classification=_choice(
            Classification, params, georeport.ATTRIBUTE_CLASSIFICATION, Classification.PENGADUAN
        ),
        content=description,
        category=category.key,
        location_text=address,
        latitude=lat,
        longitude=long,
        privacy=_choice(Privacy, params, georeport.ATTRIBUTE_PRIVACY, Privacy.BIASA),
    )


def _category(services: Services, code: str, *, status: int) -> Category:
    for category in services.directory.categories:
        if category.key == code:
            return category
    raise ApiError(status, "service_code", "api.error.service_code")


def _point(params: Mapping[str, str]) -> tuple[float | None, float | None]:
    """lat and long together, as JSON numbers within WGS-84's ranges, or neither."""
    raw_lat, raw_long = params.get("lat"), params.get("long")
    if raw_lat is None and raw_long is None:
        return None, None
    if not (raw_lat and NUMBER.fullmatch(raw_lat) and raw_long and NUMBER.fullmatch(raw_long)):
        raise ApiError(400, "point", "api.error.point")
    lat, long = float(raw_lat), float(raw_long)
    if not (-90 <= lat <= 90 and -180 <= long <= 180):
        raise ApiError(400, "point", "api.error.point")
    return lat, long


def _choice(enum: type[E], params: Mapping[str, str], attribute: str, default: E) -> E:
    value = params.get(f"attribute[{attribute}]")
    if value is None:
        return default
    try:
        return enum(value)
    except ValueError:
        raise ApiError(400, "attribute", "api.error.attribute", {"name": attribute}) from None


def _codes(value: str) -> list[int]:
    """Tracking codes from a comma-separated list; ones that cannot be codes match nothing."""
    codes: list[int] = []
    for part in value.split(","):
        try:
            codes.append(parse_code(part))
        except CodeError:
            continue
    return codes


def _list(value: str | None) -> list[str] | None:
    return [part.strip() for part in value.split(",") if part.strip()] if value else None


def _statuses(value: str | None) -> frozenset[Status] | None:
    """`status=open`, `closed`, or both comma-separated."""
    if not value:
        return None
    chosen: set[Status] = set()
    for part in value.split(","):
        match part:
            case "open":
                chosen |= OPEN_STATUSES
            case "closed":
                chosen |= CLOSED_STATUSES
            case _:
                raise ApiError(400, "status", "api.error.open_closed")
    return frozenset(chosen)


def _window(query: Mapping[str, str], now: datetime) -> TimeRange:
    """start_date to end_date, at most 90 days from the start (GeoReport v2's limit); the
    90 days before end_date, or before now, when a bound is missing."""
    start = instant(query["start_date"], "start_date") if "start_date" in query else None
    end = instant(query["end_date"], "end_date") if "end_date" in query else None
    if start is None:
        end = end or now
        start = max(end - SPAN, EARLIEST)
    furthest = min(start + SPAN, LATEST)
    return TimeRange(start, min(end, furthest) if end is not None else furthest)
