"""Send method: a report forwarded to an agency that runs its own Open311 system is POSTed
there as a service request, in the format the agencies file names (XML by default).

The outbox sends it, retried with backoff like every row and never twice: the POST
carries an Idempotency-Key made of our code and the change that sent it, a system that
honours it (lapor-bot does) answers a repeat with the request it already has, and the
id it gives is kept beside our code before the row counts as sent, so a row sent again
after a crash finds it and posts nothing. The staff see, under the card, that the report
went to the agency's system and by which number.

What is sent is what the agency's own staff would see of the report, never the
reporter's identity: the category (as the system's service code), the text with our
code, the place, and the classification and privacy as attributes.
"""

from __future__ import annotations

from typing import Any

from bot.core.lifecycle import Privacy
from bot.core.outgoing import AgencySystem, Destination, Outgoing, StaffQueue
from bot.delivery.failures import Failure, FailureKind, Undeliverable
from bot.delivery.open311_client import Endpoint, Open311Client, Open311Error
from bot.delivery.send_methods import DeliveryFailed
from bot.services import Services
from storage import agency_requests, outbox

METHOD = "open311"


def endpoint_of(services: Services, agency_key: str) -> Endpoint | None:
    """The agency's Open311 system as the client reaches it, None when it has none."""
    agency = services.directory.agencies.get(agency_key)
    system = agency.open311 if agency is not None else None
    if system is None:
        return None
    return Endpoint(
        url=str(system.url),
        api_key=system.api_key.get_secret_value() if system.api_key else None,
        wire=system.format,
        jurisdiction=system.jurisdiction_id,
    )


def request_fields(services: Services, agency_key: str, report: dict[str, Any]) -> dict[str, str]:
    """The form of the POST: GeoReport v2's fields for what the report says."""
    agency = services.directory.agencies[agency_key]
    assert agency.open311 is not None
    t = services.locales.get(services.settings.bot_locale)
    text = t(
        "georeport.send.description", content=report.get("content") or "-", code=report["code"]
    )
    fields = {
        "service_code": agency.open311.service_code(str(report["category"])),
        "description": text[:4000],
        "attribute[klasifikasi]": str(report.get("classification") or ""),
        "attribute[privasi]": _privacy(report).value,
    }
    if report.get("lat") is not None and report.get("long") is not None:
        fields["lat"], fields["long"] = str(report["lat"]), str(report["long"])
    if report.get("address"):
        fields["address_string"] = str(report["address"])
    if "lat" not in fields and "address_string" not in fields:
        # GeoReport v2 needs a place; the citizen skipped it.
        fields["address_string"] = t("georeport.send.no_place", city=services.directory.city.name)
    return fields


def _privacy(report: dict[str, Any]) -> Privacy:
    anonymous, confidential = bool(report.get("anonymous")), bool(report.get("confidential"))
    if anonymous and confidential:
        return Privacy.ANONIM_RAHASIA
    return Privacy.ANONIM if anonymous else Privacy.RAHASIA if confidential else Privacy.BIASA


class Open311Send:
    """Send method: POST a forwarded report to the agency's Open311 system."""

    name = METHOD

    def __init__(self, services: Services, client: Open311Client | None = None) -> None:
        self.services = services
        self.client = client or Open311Client()

    def handles(self, destination: Destination) -> bool:
        """An agency's system reached over Open311."""
        return isinstance(destination, AgencySystem) and destination.method == METHOD

    async def deliver(self, row_id: int, destination: Destination, message: Outgoing) -> None:
        """One POST, unless this row's request was already taken; its id kept."""
        assert isinstance(destination, AgencySystem)
        endpoint = endpoint_of(self.services, destination.agency)
        document = message.document or {}
        report, key, report_id = document.get("report"), document.get("key"), document.get("id")
        if endpoint is None:
            raise Undeliverable(Failure(FailureKind.FAILED, "the agency has no open311 any more"))
        if (
            not isinstance(report, dict)
            or not isinstance(key, str)
            or not isinstance(report_id, int)
        ):
            raise Undeliverable(Failure(FailureKind.FAILED, "an Open311 send without a report"))
        async with self.services.sessionmaker() as session:
            if await agency_requests.by_key(session, key) is not None:
                return  # sent before; only marking the row was lost
        fields = request_fields(self.services, destination.agency, report)
        try:
            posted = await self.client.post_request(endpoint, fields, idempotency_key=key)
            external = posted.service_request_id
            if external is None and posted.token is not None:
                external = await self._from_token(endpoint, posted.token)
        except Open311Error as error:
            kind = FailureKind.TRANSIENT if error.transient else FailureKind.FAILED
            raise DeliveryFailed(Failure(kind, error.detail)) from None
        now = self.services.clock()
        t = self.services.locales.get(self.services.settings.bot_locale)
        agency = self.services.directory.agencies[destination.agency]
        async with self.services.sessionmaker.begin() as session:
            agency_requests.add(
                session,
                report_id=report_id,
                agency=destination.agency,
                method=METHOD,
                external_id=external,
                token=posted.token,
                send_key=key,
                now=now,
            )
            # Under the card in the agency's queue: the report is in the agency's system.
            note = (
                t("georeport.sent", code=report["code"], agency=agency.name, number=external)
                if external
                else t("georeport.sent_token", code=report["code"], agency=agency.name)
            )
            outbox.enqueue(
                session,
                StaffQueue(destination.agency),
                Outgoing(text=note, under_card=True),
                purpose="system_note",
                now=now,
                report_id=report_id,
            )

    async def _from_token(self, endpoint: Endpoint, token: str) -> str | None:
        try:
            return await self.client.from_token(endpoint, token)
        except Open311Error:
            return None  # the poller asks again later

    async def close(self) -> None:
        """Close the connection pool."""
        await self.client.close()
