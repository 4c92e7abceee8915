"""The agencies' API (/api/v1): an agency's system reads its queue and answers reports,
under exactly the staff group's rules (bot/core/transitions.py, bot/workflow/changes.py,
bot/workflow/relays.py).

An agency sees the reports in its queue: forwarded to it and not handed back or moved on.
The list and the single report obey the same rule: a status in AT_AGENCY, and its agency.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.api.auth import AgencyCaller, agency_caller
from bot.api.http import (
    SERVICES,
    WAKE,
    ApiError,
    describe,
    error_middleware,
    instant,
    services_of,
)
from bot.api.openapi import openapi_document
from bot.core.intake.cleaning import readable
from bot.core.lifecycle import Status
from bot.core.queues import AT_AGENCY, queue_of
from bot.core.tracking import CodeError, parse_code
from bot.core.transitions import JOINING_ACTIONS, Action, Refusal, TransitionRefused
from bot.notify.agency_views import report_detail, report_view
from bot.services import Services
from bot.workflow import changes, relays
from storage import api_reports
from storage import reports as report_store
from storage.errors import ReportNotFound
from storage.models import Report

PER_PAGE = 50
MAX_PAGE = 10_000
# Room for "Balasan dari {instansi} untuk laporan ...:" within Telegram's 4096 characters.
MAX_TEXT = 3500
NOTE = "catatan"
# A response is one flat object; its body is small.
MAX_DEPTH = 4
MAX_BODY = 64 * 1024
# The statuses a report in an agency's queue can have, as `status=` names them.
QUEUE_STATUSES = ", ".join(status.value for status in Status if status in AT_AGENCY)
# The staff group's actions; the transition rules decide which an agency may take.
ACTIONS = {a.value: a for a in Action if a not in (Action.SUPPLY, Action.DISPUTE, *JOINING_ACTIONS)}
FIELDS = frozenset({"text", "action", "agency"})
# How a refused transition is answered.
REFUSALS = {
    Refusal.NOT_ALLOWED: 403,
    Refusal.WRONG_STATUS: 409,
    Refusal.CLOSED: 409,
    Refusal.NEEDS_TEXT: 422,
    Refusal.NEEDS_AGENCY: 422,
    # No unit above a city agency, or below where the report is (bot/core/units.py).
    Refusal.NO_HIGHER: 409,
    Refusal.NO_LOWER: 409,
}


def agency_api(services: Services, *, wake: Callable[[], None] | None = None) -> web.Application:
    """The sub-application to mount at /api/v1/."""
    app = web.Application(middlewares=[error_middleware(_render)])
    app[SERVICES] = services
    app[WAKE] = wake or (lambda: None)
    app.router.add_get("/reports", list_reports)
    app.router.add_get("/reports/{code}", show_report)
    app.router.add_post("/reports/{code}/responses", respond)
    app.router.add_get("/openapi.json", openapi_document)
    return app


def _render(request: web.Request, error: ApiError) -> web.Response:
    body = {"error": {"code": error.reason, "message": describe(request, error)}}
    return web.json_response(body, status=error.status, headers=error.headers)


async def list_reports(request: web.Request) -> web.Response:
    """The agency's reports, least recently changed first, filtered and a page at a time."""
    services = services_of(request)
    async with services.sessionmaker() as session:
        # The token first: a caller without one learns nothing, not even what is malformed.
        caller = await agency_caller(request, session)
        statuses = _statuses(request.query.get("status"))
        since = instant(request.query["since"], "since") if "since" in request.query else None
        page = _page(request.query.get("page", "1"))
        rows = await api_reports.agency_queue(
            session,
            caller.agency.key,
            statuses,
            since=since,
            offset=(page - 1) * PER_PAGE,
            limit=PER_PAGE + 1,
        )
    more = len(rows) > PER_PAGE
    return web.json_response(
        {
            "reports": [report_view(services, report) for report in rows[:PER_PAGE]],
            "page": page,
            "per_page": PER_PAGE,
            "next_page": page + 1 if more else None,
        }
    )


async def show_report(request: web.Request) -> web.Response:
    """One of the agency's reports with its reporter (unless anonim), files and timeline."""
    services = services_of(request)
    async with services.sessionmaker.begin() as session:
        caller = await agency_caller(request, session)
        try:
            # Asking for another agency's report is audited, as docs/api.md says.
            report = await _own(session, services, caller, request.match_info["code"], audit="read")
            detail = await _detail(session, services, report)
        except ApiError as error:
            refusal: ApiError | None = error
        else:
            refusal = None
    if refusal is not None:
        raise refusal
    return web.json_response(detail)


async def respond(request: web.Request) -> web.Response:
    """Answer the citizen, keep an internal note, or take an action on the report."""
    services = services_of(request)
    # The token first: nothing a caller without one sends is read.
    async with services.sessionmaker() as session:
        await agency_caller(request, session)
    text, action, agency = await _response_body(request, services)
    async with services.sessionmaker.begin() as session:
        caller = await agency_caller(request, session)
        try:
            code = request.match_info["code"]
            report = await _own(session, services, caller, code, audit=action or "reply")
            await _act(session, services, caller, report, text=text, action=action, agency=agency)
            detail = await _detail(session, services, report)
        except ApiError as error:
            # Refusals are audited in this unit of work, so it commits; then we answer.
            refusal: ApiError | None = error
        else:
            refusal = None
    if refusal is not None:
        raise refusal
    request.config_dict[WAKE]()
    return web.json_response(detail, status=201)


async def _act(
    session: AsyncSession,
    services: Services,
    caller: AgencyCaller,
    report: Report,
    *,
    text: str | None,
    action: str | None,
    agency: str | None,
) -> None:
    """What a staff member's reply, #catatan or tag would do; ApiError when refused."""
    t = services.locales.get(services.settings.bot_locale)
    actor = caller.actor(t("api.actor", agency=caller.agency.short_name))
    now = services.clock()
    try:
        if action is None:
            await relays.agency_reply(
                session, services, report, text=text, copy=None, actor=actor, now=now
            )
        elif action == NOTE:
            changes.note_entry(session, report, actor, now=now, internal_note=text)
            changes.record(session, actor, "note", report, now=now)
        else:
            await changes.apply(
                session, services, report, ACTIONS[action], actor, now=now, text=text, agency=agency
            )
    except TransitionRefused as refused:
        reason = refused.reason
        raise ApiError(
            REFUSALS[reason],
            reason.value,
            f"staff.refused.{reason.value}",
            _about(services, report),
        ) from None
    except relays.Unreadable:
        raise ApiError(400, "bad_text", "api.error.text", {"max": MAX_TEXT}) from None
    except relays.NoReporter as nobody:
        changes.refuse(session, actor, "reply", report, reason=nobody.reason, now=now)
        raise ApiError(
            409, nobody.reason, f"staff.refused.{nobody.reason}", _about(services, report)
        ) from None


async def _own(
    session: AsyncSession,
    services: Services,
    caller: AgencyCaller,
    code_text: str,
    *,
    audit: str | None = None,
) -> Report:
    """A report in the caller's queue; any other code is "not found", whoever has it."""
    try:
        report = await report_store.by_code(session, parse_code(code_text))
    except (CodeError, ReportNotFound):
        raise ApiError(404, "not_found", "api.error.not_found") from None
    if report.status not in AT_AGENCY or queue_of(report) != caller.agency.key:
        if audit is not None:
            actor = caller.actor(caller.agency.short_name)
            changes.refuse(
                session, actor, audit, report, reason="other_agency", now=services.clock()
            )
        raise ApiError(404, "not_found", "api.error.not_found")
    return report


async def _detail(session: AsyncSession, services: Services, report: Report) -> dict[str, Any]:
    reporter = await report_store.reporter_of(session, report)
    events = await report_store.timeline(session, report.id)
    attachments = await report_store.attachments_of(session, report.id)
    return report_detail(services, report, reporter, events, attachments)


def _about(services: Services, report: Report) -> dict[str, str]:
    """The placeholders the staff group's refusal texts take."""
    view = report_view(services, report)
    return {"code": view["code"], "label": view["status_label"]}


def _statuses(value: str | None) -> frozenset[Status]:
    """`status=DITERUSKAN,DITINDAKLANJUTI` (all of the queue's when absent).

    A status no report in the queue has (MENUNGGU_VERIFIKASI, DIARSIPKAN...) is refused
    like an unknown one: matching nothing would read as "nothing waits", which is untrue.
    """
    if value is None:
        return AT_AGENCY
    try:
        chosen = frozenset(Status(part) for part in value.split(","))
    except ValueError:
        chosen = frozenset()
    if not chosen or not chosen <= AT_AGENCY:
        raise ApiError(400, "bad_status", "api.error.status", {"value": QUEUE_STATUSES})
    return chosen


def _page(value: str) -> int:
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise ApiError(400, "bad_page", "api.error.page", {"max": MAX_PAGE})
    return int(value)


async def _response_body(
    request: web.Request, services: Services
) -> tuple[str | None, str | None, str | None]:
    """Text, action and agency of a response, checked as the OpenAPI document says; the
    text cleaned as every channel's is."""
    raw = await request.read()
    try:
        body = json.loads(raw) if len(raw) <= MAX_BODY and _shallow(raw) else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        body = None
    if not isinstance(body, dict) or not set(body) <= FIELDS:
        raise ApiError(400, "bad_body", "api.error.body")
    text = body.get("text")
    if "text" in body:
        text = readable(text) if isinstance(text, str) else None
        if text is None or len(text) > MAX_TEXT:
            raise ApiError(400, "bad_text", "api.error.text", {"max": MAX_TEXT})
    if "action" in body and not (body["action"] == NOTE or _one_of(body["action"], ACTIONS)):
        raise ApiError(400, "bad_action", "api.error.action")
    if "agency" in body and not _one_of(body["agency"], services.directory.agencies):
        raise ApiError(400, "bad_agency", "api.error.agency")
    action, agency = body.get("action"), body.get("agency")
    if action in (None, NOTE) and text is None:
        raise ApiError(400, "text_required", "api.error.text_required")
    return text, action, agency


def _shallow(raw: bytes) -> bool:
    """No deeper than a response ever is: JSON nested without end is refused unread."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


def _one_of(value: object, known: Collection[str]) -> bool:
    return isinstance(value, str) and value in known
