"""GeoReport v2's two formats: every Open311 answer and error as the specification shapes
it, in XML (the specification's default) or JSON (its option), from one document.

Handlers build a document of plain values (dicts, lists, strings, numbers, booleans,
None), the same for both formats; this module writes it. JSON is the document as it is.
XML follows the specification's examples, which JSON mirrors by its Spark convention: a
list is an element holding one element per item (`<services><service>`,
`<attributes><attribute>`), a missing value an empty element (`<description/>`), a
boolean `true` or `false`. The XML is built with ElementTree, which escapes every text;
characters XML 1.0 cannot carry at all (NUL, most control characters) are left out.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from aiohttp import web


class Format(StrEnum):
    """The formats a resource is asked for in, by its extension."""

    XML = "xml"
    JSON = "json"


# The MIME types discovery lists, and the answers' Content-Type (with charset=utf-8).
MIME = {Format.XML: "text/xml", Format.JSON: "application/json"}
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 allows (its Char production); any other cannot be written at all.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def format_of(extension: str) -> Format | None:
    """The format an extension names (`xml`, `JSON`...), or None when it names none."""
    try:
        return Format(extension.casefold())
    except ValueError:
        return None


@dataclass(frozen=True)
class Shape:
    """How one kind of answer looks in XML: its root element and, for a list, its items'."""

    root: str
    item: str | None = None


DISCOVERY = Shape("discovery")
SERVICES = Shape("services", "service")
SERVICE_DEFINITION = Shape("service_definition")
# Service requests, the one request, and the answer to a POST share the specification's shape.
SERVICE_REQUESTS = Shape("service_requests", "request")
# FixMyStreet's extension, as its client reads it.
REQUEST_UPDATES = Shape("service_request_updates", "request_update")
ERRORS = Shape("errors", "error")

# A list inside an item holds these elements, one per value (the specification's names).
ITEMS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}

Document = Mapping[str, object] | Sequence[object]


def xml_text(value: object) -> str:
    """A plain value as XML text: booleans as true/false, None as nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: object) -> None:
    """Write a value into an element: a mapping as children, a list as items, else text."""
    if isinstance(value, Mapping):
        for name, child in value.items():
            _fill(ET.SubElement(element, str(name)), child)
    elif isinstance(value, list | tuple):
        item = ITEMS.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item), child)
    else:
        element.text = xml_text(value)


def to_xml(shape: Shape, document: Document) -> bytes:
    """The document as the specification's XML, with its declaration."""
    root = ET.Element(shape.root)
    if shape.item is None:
        _fill(root, document)
    else:
        assert not isinstance(document, Mapping), "a list answer is a sequence"
        for entry in document:
            _fill(ET.SubElement(root, shape.item), entry)
    return DECLARATION + bytes(ET.tostring(root, encoding="utf-8", xml_declaration=False))


def to_json(document: Document) -> bytes:
    """The document as JSON (UTF-8; characters outside ASCII escaped, as aiohttp does)."""
    return json.dumps(document).encode()


def body(shape: Shape, document: Document, fmt: Format) -> bytes:
    """The bytes of an answer in a format."""
    return to_xml(shape, document) if fmt is Format.XML else to_json(document)


def answer(
    shape: Shape,
    document: Document,
    fmt: Format,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """An HTTP answer in the format asked for, with the specification's Content-Type."""
    return web.Response(
        body=body(shape, document, fmt),
        status=status,
        content_type=MIME[fmt],
        charset="utf-8",
        headers=dict(headers or {}),
    )


def errors(items: Sequence[tuple[int, str]]) -> list[dict[str, object]]:
    """The specification's error list: each a code (the HTTP status) and a description."""
    return [{"code": code, "description": description} for code, description in items]


def error_answer(
    status: int,
    description: str,
    fmt: Format,
    *,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """One error, as `<errors><error><code>` or `[{"code": ...}]`."""
    return answer(ERRORS, errors([(status, description)]), fmt, status=status, headers=headers)
