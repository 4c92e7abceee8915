"""A GeoReport v2 client: what lapor-bot sends to an agency's own Open311 system, and how
it reads the answers, in XML or JSON.

The answers come from another system, so they are read as untrusted: XML through
defusedxml (no DTDs, entities or external references), both formats size-capped, JSON
depth-capped. XML is read as FixMyStreet's client reads it: the specification's list
elements (`service_requests/request`, `errors/error`...) are lists even with one item, an
empty element is None, text is stripped. A JSON answer gives the same values, numbers and
strings alike turned into text where the specification has text (ids, codes).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import aiohttp
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

Wire = Literal["xml", "json"]
TIMEOUT = aiohttp.ClientTimeout(total=20, connect=5)
# No Open311 answer we read is near this; a larger one is refused unread.
MAX_ANSWER = 2_000_000
MAX_DEPTH = 16
# The specification's lists: an element of these holds one element per item.
LISTS = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
# FixMyStreet's own tests call the updates' root this too.
ROOT_ALIASES = {"service_requests_updates": "service_request_updates"}
# Worth trying again later: the system is overloaded, restarting or timed out.
RETRYABLE = frozenset({408, 425, 429, 502, 503, 504})


class Open311Error(Exception):
    """The agency's system could not be reached, or refused; `transient` says if a later
    try may succeed. `detail` is safe to log: no key, no report text."""

    def __init__(self, detail: str, *, status: int | None = None, transient: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.transient = transient


@dataclass(frozen=True)
class Endpoint:
    """An agency's Open311 system, as the agencies file names it."""

    url: str
    api_key: str | None = None
    wire: Wire = "xml"
    jurisdiction: str | None = None

    def resource(self, name: str) -> str:
        """The URL of a resource (`requests`, `servicerequestupdates`) in this format."""
        return f"{self.url.rstrip('/')}/{name}.{self.wire}"


@dataclass(frozen=True)
class Posted:
    """What a POST of a service request returned: the system's id (or a token for it)."""

    service_request_id: str | None
    token: str | None
    notice: str | None


def _depth(value: object, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level


def _from_element(element: ET.Element, level: int = 0) -> Any:
    if level > MAX_DEPTH:
        raise ValueError("nested too deep")
    children = list(element)
    item = LISTS.get(element.tag)
    if item is not None:
        return [_from_element(child, level + 1) for child in children if child.tag == item]
    if not children:
        text = (element.text or "").strip()
        return text or None
    return {child.tag: _from_element(child, level + 1) for child in children}


def parse(body: bytes, wire: Wire) -> Any:
    """An answer as plain values; ValueError when it is not the format's well-formed text."""
    if len(body) > MAX_ANSWER:
        raise ValueError("answer too large")
    if wire == "json":
        try:
            value = json.loads(body)
        except RecursionError:
            raise ValueError("nested too deep") from None
        if _depth(value) > MAX_DEPTH:
            raise ValueError("nested too deep")
        return value
    try:
        root = fromstring(body, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException) as error:
        raise ValueError(f"not well-formed XML ({type(error).__name__})") from None
    root.tag = ROOT_ALIASES.get(root.tag, root.tag)
    return _from_element(root)


def text(value: object) -> str | None:
    """An id or code as text, whether the answer had it as a string or a number."""
    if value is None or isinstance(value, dict | list | bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def items(value: Any) -> list[dict[str, Any]]:
    """The entries of a list answer (XML's root list or JSON's array); [] for anything else.

    A JSON answer wrapped in its root's name (`{"service_requests": [...]}`), as some
    servers write it, is read too.
    """
    if isinstance(value, dict) and len(value) == 1:
        [value] = value.values()
        if isinstance(value, dict) and len(value) == 1:
            [value] = value.values()
    if isinstance(value, dict):
        value = [value]
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def error_detail(body: bytes, wire: Wire, status: int) -> str:
    """The system's own error codes, for the outbox row's last_error (never its texts, which
    may quote what was sent)."""
    try:
        codes = [text(entry.get("code")) for entry in items(parse(body, wire))]
    except ValueError:
        codes = []
    named = ", ".join(code for code in codes if code)[:40]
    return f"the agency's Open311 system answered HTTP {status}" + (
        f" (error {named})" if named else ""
    )


class Open311Client:
    """Talks GeoReport v2 to agencies' systems over one connection pool."""

    def __init__(self, *, timeout: aiohttp.ClientTimeout = TIMEOUT) -> None:
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(
        self,
        method: str,
        endpoint: Endpoint,
        name: str,
        *,
        params: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        query = dict(params or {})
        data = dict(form) if form is not None else None
        if endpoint.jurisdiction:
            (data if data is not None else query)["jurisdiction_id"] = endpoint.jurisdiction
        try:
            async with self._client().request(
                method,
                endpoint.resource(name),
                params=query or None,
                data=data,
                headers=dict(headers or {}),
                allow_redirects=False,
            ) as response:
                status = response.status
                body = await response.content.read(MAX_ANSWER + 1)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Open311Error(
                f"the agency's Open311 system could not be reached ({type(error).__name__})",
                transient=True,
            ) from None
        if not 200 <= status < 300:
            raise Open311Error(
                error_detail(body, endpoint.wire, status),
                status=status,
                transient=status in RETRYABLE or status >= 500,
            )
        try:
            return parse(body, endpoint.wire)
        except ValueError as error:
            raise Open311Error(
                f"the agency's Open311 system answered in no readable {endpoint.wire}: {error}",
                status=status,
                transient=False,
            ) from None

    async def post_request(
        self, endpoint: Endpoint, fields: Mapping[str, str], *, idempotency_key: str
    ) -> Posted:
        """POST requests.{format}; the returned id (or token). Idempotency-Key lets a system
        that honours it (lapor-bot does) answer a repeat with the request it already has."""
        form = dict(fields)
        if endpoint.api_key:
            form["api_key"] = endpoint.api_key
        answer = await self._call(
            "POST",
            endpoint,
            "requests",
            form=form,
            headers={"Idempotency-Key": idempotency_key},
        )
        entries = items(answer)
        if not entries:
            raise Open311Error(
                "the agency's Open311 system answered without a service request",
                transient=False,
            )
        first = entries[0]
        posted = Posted(
            text(first.get("service_request_id")),
            text(first.get("token")),
            first.get("service_notice") if isinstance(first.get("service_notice"), str) else None,
        )
        if posted.service_request_id is None and posted.token is None:
            raise Open311Error(
                "the agency's Open311 system answered without a service_request_id",
                transient=False,
            )
        return posted

    async def from_token(self, endpoint: Endpoint, token: str) -> str | None:
        """GET tokens/{token}: the service_request_id once the system has made one."""
        answer = await self._call("GET", endpoint, f"tokens/{token}")
        entries = items(answer)
        return text(entries[0].get("service_request_id")) if entries else None

    async def updates(
        self, endpoint: Endpoint, start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        """GET servicerequestupdates (FixMyStreet's extension) between two instants."""
        # Whole seconds, as every server reads them: the start down, the end up.
        if end.microsecond:
            end = end.replace(microsecond=0) + timedelta(seconds=1)
        params = {"start_date": _w3c(start), "end_date": _w3c(end)}
        if endpoint.api_key:
            params["api_key"] = endpoint.api_key
        return items(await self._call("GET", endpoint, "servicerequestupdates", params=params))

    async def requests(self, endpoint: Endpoint, ids: list[str]) -> list[dict[str, Any]]:
        """GET requests for these ids (comma-separated, as the specification has it)."""
        params = {"service_request_id": ",".join(ids)}
        return items(await self._call("GET", endpoint, "requests", params=params))


def _w3c(at: datetime) -> str:
    return at.isoformat(timespec="seconds")
