"""Open311 GeoReport v2 (/open311/v2): discovery, services, service requests (read by
anyone, posted with an api_key as another intake channel), and servicerequestupdates.

Every resource in both of the specification's formats, by its extension: XML (the
specification's default) and JSON; errors too, as `<errors><error>` or a list of
{code, description}, with the HTTP status as code (bot/api/open311_formats.py). Dates are
ISO 8601 with the city's offset. What the specification leaves optional is optional here
(a description, any one of the three ways to give a place); what a client sends is
cleaned as every channel's text is (bot/core/intake/cleaning.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from ipaddress import ip_address
from typing import TypeVar
from urllib.parse import urlsplit

from aiohttp import web
from multidict import MultiDict, MultiDictProxy
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.api import georeport
from bot.api import open311_formats as formats
from bot.api.auth import open311_key
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
)
from bot.api.open311_formats import Format, Shape
from bot.api.tokens import Scope, holder
from bot.core.agencies import Category
from bot.core.area_names import place_of
from bot.core.intake import rules
from bot.core.intake.answers import Answers
from bot.core.intake.cleaning import clean, visible
from bot.core.lifecycle import CLOSED_STATUSES, OPEN_STATUSES, Classification, Privacy, Status
from bot.core.tracking import CodeError, format_code, parse_code
from bot.core.transitions import Role
from bot.language.dates import format_date
from bot.language.i18n import Translator
from bot.services import Services
from bot.workflow import changes, filing
from bot.workflow.filing import Intake, Upload
from storage import api_reports, api_tokens
from storage.api_reports import TimeRange
from storage.models import ApiToken, Report

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed, for clients that cache discovery.
CHANGESET = "2026-12-07T00:00:00+07:00"
# GeoReport v2: at most 90 days and 1000 requests a query.
SPAN = timedelta(days=90)
LIMIT = 1000
FORMAT = r"{format:[A-Za-z0-9]+}"
CHANNEL = "open311"
NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
# GeoReport v2: "free form text limited to 4,000 characters".
DESCRIPTION_MAX = 4000
ADDRESS_ID_MAX = 128
MEDIA_URL_MAX = 1024
IDEMPOTENCY_MAX = 128
# A photo Telegram takes as a photo (10 MB), and the body around it.
UPLOAD_MAX = 10 * 1024 * 1024
BODY_MAX = UPLOAD_MAX + 256 * 1024
# What the OpenAPI document promises a media_url looks like.
LINK = re.compile(r"https?://[A-Za-z0-9.-]+(/[^\s]*)?")
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
E = TypeVar("E", Classification, Privacy)


def open311_api(services: Services, *, wake: Callable[[], None] | None = None) -> web.Application:
    """The sub-application to mount at /open311/v2/."""
    # Any path under /open311/v2/ that no route serves is the specification's 404.
    middleware = error_middleware(_render, not_found="georeport.error.not_found")
    app = web.Application(middlewares=[middleware], client_max_size=BODY_MAX)
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


def format_asked(request: web.Request) -> Format:
    """The format of the resource asked for; XML, the specification's default, when the
    path names none we serve."""
    named = request.match_info.get("format")
    if named is None:
        _, dot, extension = request.path.rpartition(".")
        named = extension if dot and "/" not in extension else ""
    return formats.format_of(named) or Format.XML


def _render(request: web.Request, error: ApiError) -> web.Response:
    return formats.error_answer(
        error.status, describe(request, error), format_asked(request), headers=error.headers
    )


def _answer(request: web.Request, shape: Shape, document: formats.Document) -> web.Response:
    fmt = formats.format_of(request.match_info.get("format", ""))
    if fmt is None:
        raise ApiError(404, "format", "api.error.format")
    return formats.answer(shape, document, fmt)


def _t(services: Services) -> Translator:
    return services.locales.get(services.settings.bot_locale)


def public_base(request: web.Request) -> str:
    """This endpoint's public address: PUBLIC_URL, else what a trusted proxy says the
    request came to (X-Forwarded-Proto and -Host), else the address it came to here."""
    settings = services_of(request).settings
    mount = request.path.rsplit("/", 1)[0]
    if settings.public_url:
        return settings.public_url + mount
    scheme, host = request.scheme, request.host
    if _trusted(request.remote, settings.trusted_proxies):
        forwarded_proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip()
        forwarded_host = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip()
        if forwarded_proto in ("http", "https"):
            scheme = forwarded_proto
        if forwarded_host and urlsplit(f"//{forwarded_host}").hostname:
            host = forwarded_host
    return f"{scheme}://{host}{mount}"


def _trusted(remote: str | None, proxies: Sequence[str]) -> bool:
    if not remote:
        return False
    try:
        address = ip_address(remote)
    except ValueError:
        return False
    return any(_same(address, proxy) for proxy in proxies)


def _same(address: object, proxy: str) -> bool:
    try:
        return address == ip_address(proxy)
    except ValueError:
        return False


async def discovery(request: web.Request) -> web.Response:
    """Where the endpoint is, what it speaks, and whom to ask for a key."""
    services = services_of(request)
    t = _t(services)
    city = services.directory.city
    return _answer(
        request,
        formats.DISCOVERY,
        {
            "changeset": CHANGESET,
            "contact": t("georeport.contact", city=city.name, phone=city.phone, sms=city.sms),
            "key_service": t("georeport.key_service", name="api_key", city=city.name),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": public_base(request),
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": [formats.MIME[Format.XML], formats.MIME[Format.JSON]],
                }
            ],
        },
    )


async def list_services(request: web.Request) -> web.Response:
    """The categories citizens choose from, as services."""
    services = services_of(request)
    t = _t(services)
    return _answer(
        request,
        formats.SERVICES,
        [georeport.service(services, t, c) for c in services.directory.categories],
    )


async def service_definition(request: web.Request) -> web.Response:
    """The optional attributes of a service request."""
    services = services_of(request)
    category = _category(services, request.match_info["service_code"], status=404)
    return _answer(
        request, formats.SERVICE_DEFINITION, georeport.definition(_t(services), category)
    )


async def list_requests(request: web.Request) -> web.Response:
    """Public reports: by id, or by service, status and a window of at most 90 days."""
    services = services_of(request)
    query = request.query
    # Every filter is checked, even those service_request_id overrides.
    window = _window(query, services.clock())
    statuses = _statuses(_joined(query, "status"))
    ids = _joined(query, "service_request_id")
    async with services.sessionmaker() as session:
        client_id = await _reader(session, query)
        if ids is not None:
            codes = _codes(ids)
            reports = (
                await api_reports.public_by_codes(session, codes, client_id=client_id)
                if codes
                else []
            )
        else:
            reports = await api_reports.public_requests(
                session,
                window,
                categories=_list(_joined(query, "service_code")),
                statuses=statuses,
                limit=LIMIT,
            )
        held = await _held(session, reports)
    return _answer(request, formats.SERVICE_REQUESTS, _requests(services, reports, held))


async def show_request(request: web.Request) -> web.Response:
    """One public report, as a list of one (as GeoReport v2 answers)."""
    services = services_of(request)
    codes = _codes(request.match_info["service_request_id"])
    async with services.sessionmaker() as session:
        client_id = await _reader(session, request.query)
        reports = (
            await api_reports.public_by_codes(session, codes, client_id=client_id) if codes else []
        )
        held = await _held(session, reports[:1])
    if not reports:
        raise ApiError(404, "not_found", "api.error.request_not_found")
    return _answer(request, formats.SERVICE_REQUESTS, _requests(services, reports[:1], held))


async def list_updates(request: web.Request) -> web.Response:
    """Status changes of public reports within a window (FixMyStreet's extension); with an
    api_key, of the reports that key filed too, rahasia or not."""
    services = services_of(request)
    window = _window(request.query, services.clock())
    async with services.sessionmaker() as session:
        client_id = await _reader(session, request.query)
        rows = await api_reports.public_updates(session, window, LIMIT, client_id=client_id)
    t = _t(services)
    return _answer(
        request,
        formats.REQUEST_UPDATES,
        [georeport.request_update(services, t, event, report) for event, report in rows],
    )


async def _reader(session: AsyncSession, query: Mapping[str, str]) -> int | None:
    """The Open311 key a reader gave, if valid: its own requests are shown to it too.

    GET needs no key (the specification's); a wrong one reads as no key at all.
    """
    api_key = query.get("api_key")
    if not api_key:
        return None
    row = await holder(session, api_key, Scope.OPEN311)
    return row.id if row is not None else None


async def _held(session: AsyncSession, reports: Sequence[Report]) -> dict[int, str]:
    ids = [r.id for r in reports if r.status is Status.DITUNDA and r.channel == CHANNEL]
    return await api_reports.hold_questions(session, ids)


def _requests(
    services: Services, reports: Sequence[Report], held: Mapping[int, str]
) -> list[dict[str, object]]:
    t = _t(services)
    return [georeport.service_request(services, t, r, held.get(r.id)) for r in reports]


@dataclass(frozen=True)
class Posted:
    """A service request read from a POST: what the report says, and what comes with it."""

    answers: Answers
    address_id: str | None
    media_url: str | None
    uploads: tuple[Upload, ...]


async def post_request(request: web.Request) -> web.Response:
    """A service request from an Open311 client, filed as a report that lives as any other.

    With an Idempotency-Key, a repeat of the same POST (a client that lost the answer)
    gets the request already filed, not a second one.
    """
    fmt = formats.format_of(request.match_info["format"])
    if fmt is None:
        raise ApiError(404, "format", "api.error.format")
    services = services_of(request)
    params, files = await _params(request)
    key = clean(request.headers.get("Idempotency-Key", ""))[:IDEMPOTENCY_MAX] or None
    now = services.clock()
    try:
        async with services.sessionmaker.begin() as session:
            client = await open311_key(session, params.get("api_key", ""))
            # First write of the unit: one key's POSTs are counted one after another.
            await api_tokens.touch(session, client.id, now)
            earlier = await api_reports.filed_with_key(session, client.id, key) if key else None
            if earlier is None:
                await _within_limits(session, services, client, now)
                posted = _posted(services, params, files)
                intake = Intake(
                    CHANNEL,
                    services.settings.bot_locale,
                    needs_content=False,
                    client_id=client.id,
                    client_key=key,
                    address_id=posted.address_id,
                    media_url=posted.media_url,
                    uploads=posted.uploads,
                )
                report = (
                    await filing.file(session, services, posted.answers, intake, now=now)
                ).report
                actor = changes.Actor(Role.SYSTEM, via=f"open311:{client.id}")
                changes.record(session, actor, "open311", report, now=now)
            else:
                report = earlier
    except IntegrityError:
        # The same key's same request filed by a POST that ran alongside: answer with it.
        async with services.sessionmaker() as session:
            client = await open311_key(session, params.get("api_key", ""))
            found = await api_reports.filed_with_key(session, client.id, key) if key else None
        if found is None:
            raise
        report, earlier = found, found
    if earlier is None:
        request.config_dict[WAKE]()
    notice = _t(services)(
        "georeport.notice",
        code=format_code(report.code),
        deadline=format_date(
            services.calendar.local_date(report.deadline_at or now), services.settings.bot_locale
        ),
    )
    return formats.answer(
        formats.SERVICE_REQUESTS,
        [
            {
                "service_request_id": format_code(report.code),
                "service_notice": notice,
            }
        ],
        fmt,
    )


async def _within_limits(
    session: AsyncSession, services: Services, client: ApiToken, now: datetime
) -> None:
    """429 past the key's requests a minute or a day (its own limits, or the defaults)."""
    settings = services.settings
    per_minute = client.per_minute or settings.open311_per_minute
    per_day = client.per_day or settings.open311_per_day
    minute_ago = now - timedelta(minutes=1)
    if await api_reports.filed_since(session, client.id, minute_ago) >= per_minute:
        first = await api_reports.first_filed_since(session, client.id, minute_ago)
        wait = 60 - int((now - (first or now)).total_seconds())
        raise ApiError(
            429,
            "rate",
            "georeport.error.rate_minute",
            {"max": per_minute},
            headers={"Retry-After": str(max(1, wait))},
        )
    today = services.calendar.local_date(now)
    day_start = datetime.combine(today, time.min, tzinfo=services.settings.timezone)
    if await api_reports.filed_since(session, client.id, day_start) >= per_day:
        tomorrow = day_start + timedelta(days=1)
        raise ApiError(
            429,
            "daily_cap",
            "georeport.error.rate_day",
            {"max": per_day},
            headers={"Retry-After": str(max(1, int((tomorrow - now).total_seconds())))},
        )


async def _params(request: web.Request) -> tuple[MultiDict[str], list[web.FileField]]:
    """The request's fields, from the form body and the query string alike, and its files."""
    merged: MultiDict[str] = MultiDict(request.query)
    files: list[web.FileField] = []
    if request.body_exists:
        try:
            form = await request.post()
        except ValueError:  # a multipart body without its boundary, and the like
            raise ApiError(400, "form", "api.error.form") from None
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files.append(value)
            elif isinstance(value, str):
                merged.add(name, value)
            else:
                raise ApiError(400, "bad_field", "api.error.field", {"name": name})
    return merged, files


def _text(params: Mapping[str, str], name: str) -> str | None:
    """A field's text, cleaned; None when absent or with nothing visible (the
    specification: an empty parameter is the same as none)."""
    value = params.get(name)
    if value is None:
        return None
    cleaned = clean(value)
    return cleaned if visible(cleaned) else None


def _posted(
    services: Services, params: Mapping[str, str], files: Sequence[web.FileField]
) -> Posted:
    """The report's answers from the request's fields, checked as the specification says;
    400 naming what is wrong."""
    code = _text(params, "service_code")
    if not code:
        raise ApiError(400, "missing", "api.error.missing", {"name": "service_code"})
    category = _category(services, code, status=400)
    description = _text(params, "description")
    if description is not None and len(description) > DESCRIPTION_MAX:
        raise ApiError(
            400,
            "description",
            "georeport.error.too_long",
            {"name": "description", "max": DESCRIPTION_MAX},
        )
    lat, long = _point(params)
    address = _text(params, "address_string")
    if address is not None and not (
        rules.LOCATION_MIN_CHARS <= len(address) <= rules.LOCATION_MAX_CHARS
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
    address_id = _text(params, "address_id")
    if address_id is not None and len(address_id) > ADDRESS_ID_MAX:
        raise ApiError(
            400,
            "address_id",
            "georeport.error.too_long",
            {"name": "address_id", "max": ADDRESS_ID_MAX},
        )
    if lat is None and address is None and address_id is None:
        raise ApiError(400, "location", "api.error.location", {"name": "address_string"})
    # Placed as the chat places it, without the question: only where one kelurahan fits.
    kelurahan = place_of(services.areas, address, lat, long)
    return Posted(
        Answers(
            classification=_choice(
                Classification, params, georeport.ATTRIBUTE_CLASSIFICATION, Classification.PENGADUAN
            ),
            content=description,
            category=category.key,
            location_text=address,
            latitude=lat,
            longitude=long,
            kelurahan_code=kelurahan.code if kelurahan is not None else None,
            privacy=_choice(Privacy, params, georeport.ATTRIBUTE_PRIVACY, Privacy.BIASA),
        ),
        address_id,
        _media_url(params),
        tuple(_upload(file) for file in files),
    )


def _media_url(params: Mapping[str, str]) -> str | None:
    """media_url, kept as a link when it is one (http or https); anything else is refused,
    not cleaned into one."""
    value = params.get("media_url")
    if not value:
        return None
    parts = urlsplit(value)
    if (
        not LINK.fullmatch(value)
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or len(value) > MEDIA_URL_MAX
    ):
        raise ApiError(400, "media_url", "georeport.error.media_url", {"name": "media_url"})
    return value


def _upload(file: web.FileField) -> Upload:
    """A file sent with the request: a photo kept as the report's attachment."""
    data = file.file.read(UPLOAD_MAX + 1)
    mime = (file.content_type or "").split(";")[0].strip().casefold()
    if mime not in PHOTO_TYPES or not data or len(data) > UPLOAD_MAX:
        raise ApiError(
            400,
            "media",
            "georeport.error.media",
            {"name": file.name, "max": UPLOAD_MAX // 1_000_000},
        )
    name = clean(file.filename or "")[:128] or None
    return Upload("photo", data, mime, name)


def _category(services: Services, code: str, *, status: int) -> Category:
    for category in services.directory.categories:
        if category.key == code:
            return category
    raise ApiError(status, "service_code", "api.error.service_code")


def _point(params: Mapping[str, str]) -> tuple[float | None, float | None]:
    """lat and long together, as numbers within WGS-84's ranges, or neither."""
    raw_lat, raw_long = _text(params, "lat"), _text(params, "long")
    if raw_lat is None and raw_long is None:
        return None, None
    if not (raw_lat and NUMBER.fullmatch(raw_lat) and raw_long and NUMBER.fullmatch(raw_long)):
        raise ApiError(400, "point", "api.error.point")
    lat, long = float(raw_lat), float(raw_long)
    if not (-90 <= lat <= 90 and -180 <= long <= 180):
        raise ApiError(400, "point", "api.error.point")
    return lat, long


def _choice(enum: type[E], params: Mapping[str, str], attribute: str, default: E) -> E:
    value = _text(params, f"attribute[{attribute}]")
    if value is None:
        return default
    try:
        return enum(value)
    except ValueError:
        raise ApiError(400, "attribute", "api.error.attribute", {"name": attribute}) from None


def _joined(query: MultiDictProxy[str] | Mapping[str, str], name: str) -> str | None:
    """A filter given once as a comma list or repeated (`status=open&status=closed`)."""
    values = query.getall(name, []) if isinstance(query, MultiDictProxy) else []
    if not values and name in query:
        values = [query[name]]
    joined = ",".join(v for v in values if v.strip())
    return joined or None


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
    """`status=open`, `closed`, or both (comma-separated or repeated)."""
    if not value:
        return None
    chosen: set[Status] = set()
    for part in value.split(","):
        match part.strip():
            case "open":
                chosen |= OPEN_STATUSES
            case "closed":
                chosen |= CLOSED_STATUSES
            case _:
                raise ApiError(400, "status", "api.error.open_closed")
    return frozenset(chosen)


def _window(query: Mapping[str, str], now: datetime) -> TimeRange:
    """start_date to end_date; the 90 days before end_date, or before now, when no
    start_date is given; a window longer than 90 days is refused, never cut short."""
    start = instant(query["start_date"], "start_date") if "start_date" in query else None
    end = instant(query["end_date"], "end_date") if "end_date" in query else None
    if start is None:
        end = end or now
        return TimeRange(max(end - SPAN, EARLIEST), end)
    end = end if end is not None else max(now, start)
    if end < start:
        raise ApiError(400, "window", "georeport.error.window_order")
    if end - start > SPAN:
        raise ApiError(400, "window", "georeport.error.window", {"count": SPAN.days})
    return TimeRange(start, min(end, LATEST))
