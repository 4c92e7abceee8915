"""GeoReport v2's two formats, read and written against the specification's own examples:
the format layer (bot/api/open311_formats.py) writes what the specification's XML shows,
and the client (bot/delivery/open311_client.py) reads the specification's XML and JSON
alike, safely."""

from __future__ import annotations

import pytest
from defusedxml.ElementTree import fromstring

from bot.api import open311_formats as formats
from bot.delivery.open311_client import items, parse, text
from tests.open311_spec import spec_json, spec_xml, text_values

SHAPES = {
    "services": formats.SERVICES,
    "service_definition": formats.SERVICE_DEFINITION,
    "post_response": formats.SERVICE_REQUESTS,
    "token": formats.SERVICE_REQUESTS,
    "requests": formats.SERVICE_REQUESTS,
    "request": formats.SERVICE_REQUESTS,
    "errors": formats.ERRORS,
    "discovery": formats.DISCOVERY,
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_client_reads_each_xml_example_as_its_json_twin(name: str) -> None:
    assert parse(spec_xml(name), "xml") == text_values(spec_json(name))


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_our_xml_of_each_json_example_is_the_specification_s_xml(name: str) -> None:
    """The same elements, nesting and values as the published XML, whitespace aside."""
    ours = formats.to_xml(SHAPES[name], spec_json(name))
    assert ours.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert _tree(fromstring(ours)) == _tree(fromstring(spec_xml(name)))


def _tree(element: object) -> object:
    children = list(element)  # type: ignore[call-overload]
    tag = element.tag  # type: ignore[attr-defined]
    if not children:
        return (tag, (element.text or "").strip() or None)  # type: ignore[attr-defined]
    # The specification's examples list a service's fields in varying order.
    return (tag, sorted((_tree(child) for child in children), key=repr))


def test_the_updates_extension_reads_as_fixmystreet_reads_it() -> None:
    [update] = items(parse(spec_xml("servicerequestupdates"), "xml"))
    assert update == {
        "update_id": "638344",
        "service_request_id": "1",
        "status": "INVESTIGATING",
        "updated_datetime": "2010-04-14T06:37:38-08:00",
        "description": "This is a note",
        "media_url": None,
    }
    # FixMyStreet's own fixtures call the root service_requests_updates; read alike.
    aliased = spec_xml("servicerequestupdates").replace(
        b"service_request_updates>", b"service_requests_updates>"
    )
    assert items(parse(aliased, "xml")) == [update]


def test_a_list_of_one_is_still_a_list_and_ids_are_text_in_both_formats() -> None:
    assert [text(r["service_request_id"]) for r in items(parse(spec_xml("request"), "xml"))] == [
        "638344"
    ]
    assert [text(r["service_request_id"]) for r in items(spec_json("post_response"))] == ["293944"]
    ours = formats.to_xml(formats.SERVICE_REQUESTS, [{"service_request_id": "576-0715"}])
    assert items(parse(ours, "xml")) == [{"service_request_id": "576-0715"}]


def test_every_text_is_escaped_and_what_xml_cannot_carry_is_left_out() -> None:
    hostile = "a<b>&amp; \"c\" 'd' ]]> <!-- x --> \x00\x1b[31m\x0b\ufffe \U0001f44d"
    document = [{"code": 400, "description": hostile, "nested": None, "flag": False}]
    written = formats.to_xml(formats.ERRORS, document)
    [error] = items(parse(written, "xml"))
    assert error == {
        "code": "400",
        "description": "a<b>&amp; \"c\" 'd' ]]> <!-- x --> [31m \U0001f44d",
        "nested": None,
        "flag": "false",
    }
    assert b"<b>" not in written and b"<!--" not in written


@pytest.mark.parametrize(
    "body",
    [
        # A billion laughs, an external entity, and a plain DTD: none is read.
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<service_requests><request><service_request_id>&b;</service_request_id>"
        b"</request></service_requests>",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<errors><error><description>&x;</description></error></errors>",
        b"<service_requests><request>",
        b"\x00\x01 not xml",
    ],
)
def test_the_client_refuses_xml_it_should_not_read(body: bytes) -> None:
    with pytest.raises(ValueError):
        parse(body, "xml")


def test_the_client_refuses_json_nested_without_end() -> None:
    with pytest.raises(ValueError):
        parse(b"[" * 5000 + b"]" * 5000, "json")
    with pytest.raises(ValueError):
        parse(b"[" * 40 + b"]" * 40, "json")


def test_the_answer_carries_the_specification_s_content_types() -> None:
    xml = formats.error_answer(403, "Kunci api_key tidak dikenal.", formats.Format.XML)
    assert (xml.status, xml.content_type, xml.charset) == (403, "text/xml", "utf-8")
    json_answer = formats.error_answer(404, "Tidak ada.", formats.Format.JSON)
    assert json_answer.content_type == "application/json"
    assert formats.format_of("XML") is formats.Format.XML
    assert formats.format_of("html") is None
