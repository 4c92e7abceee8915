"""Reports and categories in GeoReport v2's words: services, service requests, and the
FixMyStreet update extension (servicerequestupdates) for lapor-bot's richer statuses.

Only public reports are shown (never rahasia ones); what was reported and where appears
once verifiers forwarded it or ruled on it; nobody's identity or personal data is shown.
A status is told in the catalogue's public words only: no text staff wrote (a question to
the citizen, a reason, a reply) is published, as it may name the citizen or reach them.
The one exception has no citizen to name: a report filed through Open311 and put on
hold publishes the hold's question, since the client is the only one who can answer it.
An anonymous reporter's place is published coarsened (about 110 m), never exactly.
"""

from __future__ import annotations

from typing import Any

from bot.core.agencies import Category
from bot.core.lifecycle import Classification, Privacy, Status
from bot.core.queues import AT_AGENCY
from bot.core.tracking import format_code
from bot.language.i18n import Translator
from bot.notify.agency_views import category_name, iso
from bot.notify.status_text import agency_name
from bot.services import Services
from storage.models import Report, TimelineEvent

# What the public is told of each status: its name and what it means, never staff's words.
PUBLIC_STATUS = {
    Status.MENUNGGU_VERIFIKASI: "georeport.status.menunggu_verifikasi",
    Status.DITUNDA: "georeport.status.ditunda",
    Status.DITERUSKAN: "georeport.status.diteruskan",
    Status.DITINDAKLANJUTI: "georeport.status.ditindaklanjuti",
    Status.SELESAI: "georeport.status.selesai",
    Status.BUKAN_WEWENANG: "georeport.status.bukan_wewenang",
    Status.DIARSIPKAN: "georeport.status.diarsipkan",
}

# Verified: what was reported, and where, may be published.
PUBLISHED = frozenset(
    {Status.DITERUSKAN, Status.DITINDAKLANJUTI, Status.SELESAI, Status.BUKAN_WEWENANG}
)
# lapor-bot's statuses as the FixMyStreet extension names them; the exact one travels as
# external_status_code.
EXTENDED = {
    Status.MENUNGGU_VERIFIKASI: "open",
    Status.DITUNDA: "investigating",
    Status.DITERUSKAN: "investigating",
    Status.DITINDAKLANJUTI: "in_progress",
    Status.SELESAI: "fixed",
    Status.BUKAN_WEWENANG: "not_councils_responsibility",
    Status.DIARSIPKAN: "no_further_action",
}
ATTRIBUTE_CLASSIFICATION = "klasifikasi"
OPEN311 = "open311"
# 0.001 degree of latitude is about 111 m; of longitude, less away from the equator.
COARSE_DECIMALS = 3
ATTRIBUTE_PRIVACY = "privasi"


def open_or_closed(status: Status) -> str:
    """GeoReport v2's two statuses."""
    return "open" if status.is_open else "closed"


def public_status(t: Translator, status: Status) -> str:
    """The status's name and meaning in the catalogue's words, the same for every report."""
    return t(PUBLIC_STATUS[status])


def service(services: Services, t: Translator, category: Category) -> dict[str, Any]:
    """A category as a service."""
    agency = services.directory.agencies.get(category.agency or "")
    if agency is not None:
        description = t("georeport.service_agency", agency=agency.name)
    else:
        description = t("georeport.service_outside", value=category.outside or "")
    return {
        "service_code": category.key,
        "service_name": category.label(services.settings.bot_locale),
        "description": description,
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(category.keywords) or None,
        "group": agency.name if agency is not None else None,
    }


def definition(t: Translator, category: Category) -> dict[str, Any]:
    """The attributes a request for any category may carry (all optional)."""
    classifications = [{"key": c.value, "name": t(f"option.{c.value}")} for c in Classification]
    privacies = [{"key": p.value, "name": t(f"option.{p.value}")} for p in Privacy]
    return {
        "service_code": category.key,
        "attributes": [
            {
                "variable": True,
                "code": ATTRIBUTE_CLASSIFICATION,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": None,
                "order": 1,
                "description": t("georeport.attribute.klasifikasi"),
                "values": classifications,
            },
            {
                "variable": True,
                "code": ATTRIBUTE_PRIVACY,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": None,
                "order": 2,
                "description": t("georeport.attribute.privasi"),
                "values": privacies,
            },
        ],
    }


def coarse(degrees: float | None) -> float | None:
    """A coordinate rounded to 0.001 degree: about 110 m, so no house can be told."""
    return round(degrees, COARSE_DECIMALS) if degrees is not None else None


def service_request(
    services: Services, t: Translator, report: Report, hold_question: str | None = None
) -> dict[str, Any]:
    """A public report as a service request.

    An anonymous reporter's place is published coarsened to about 110 m, and without the
    address they typed (it may be their own door). A report filed through Open311 has no
    citizen to answer a hold: its hold's question is published for the client to answer.
    """
    published = report.status in PUBLISHED
    exact = not report.anonymous
    closed = not report.status.is_open
    notes = public_status(t, report.status)
    if report.status is Status.DITUNDA and report.channel == OPEN311 and hold_question:
        notes = hold_question
    return {
        "service_request_id": format_code(report.code),
        "status": open_or_closed(report.status),
        "status_notes": notes,
        "service_name": category_name(services, report.category),
        "service_code": report.category,
        "description": (report.content or None) if published else None,
        "agency_responsible": (
            agency_name(services, report) if report.status in AT_AGENCY else None
        ),
        "service_notice": None,
        "requested_datetime": iso(services, report.created_at),
        "updated_datetime": iso(services, report.updated_at),
        # A closed request expects nothing more (the dispute window is no fulfilment).
        "expected_datetime": None if closed else iso(services, report.deadline_at),
        "address": _address(services, t, report, exact=exact) if published else None,
        "address_id": report.address_id if published and exact else None,
        "zipcode": _zipcode(services, report) if published else None,
        "lat": (report.latitude if exact else coarse(report.latitude)) if published else None,
        "long": (report.longitude if exact else coarse(report.longitude)) if published else None,
        "media_url": report.media_url if published else None,
    }


def _address(services: Services, t: Translator, report: Report, *, exact: bool) -> str | None:
    """The typed address (not an anonymous citizen's: it may be their door) and the area the
    report was placed in, which says no more than a coarse map point does."""
    areas = services.areas
    kelurahan = areas.kelurahan_by_code(report.kelurahan_code)
    area = (
        t(
            "georeport.area",
            kelurahan=kelurahan.name,
            kecamatan=areas.kecamatan_of(kelurahan).name,
            kota=areas.kota_name,
        )
        if kelurahan is not None
        else None
    )
    return (
        ", ".join(part for part in (report.location_text if exact else None, area) if part) or None
    )


def _zipcode(services: Services, report: Report) -> str | None:
    """The kelurahan's postal code, where the areas file gives it exactly one."""
    kelurahan = services.areas.kelurahan_by_code(report.kelurahan_code)
    if kelurahan is None or len(kelurahan.postal_codes) != 1:
        return None
    return kelurahan.postal_codes[0]


def request_update(
    services: Services, t: Translator, event: TimelineEvent, report: Report
) -> dict[str, Any]:
    """A status change as the FixMyStreet extension's request_update."""
    description = public_status(t, event.to_status)
    if event.to_status is Status.DITUNDA and report.channel == OPEN311 and event.public_text:
        description = event.public_text
    return {
        "update_id": str(event.id),
        "service_request_id": format_code(report.code),
        "status": EXTENDED[event.to_status],
        "external_status_code": event.to_status.value,
        "updated_datetime": iso(services, event.at),
        "description": description,
        "media_url": "",
    }
