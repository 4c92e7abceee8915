"""The OpenAPI 3.1 document of both APIs, with this deployment's categories and agencies."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.api.http import services_of
from bot.services import Services

DOCUMENT = Path(__file__).with_name("openapi.json")


@cache
def _base() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return document


def document_for(services: Services) -> dict[str, Any]:
    """The document, its service codes and agency keys taken from the agencies file."""
    document = copy.deepcopy(_base())
    schemas = document["components"]["schemas"]
    codes = [category.key for category in services.directory.categories]
    schemas["NewRequest"]["properties"]["service_code"]["enum"] = codes
    schemas["Response"]["properties"]["agency"]["enum"] = list(services.directory.agencies)
    definition = document["paths"]["/open311/v2/services/{service_code}.json"]["get"]
    definition["parameters"][0]["schema"]["enum"] = codes
    return document


async def openapi_document(request: web.Request) -> web.Response:
    """Serve the document."""
    return web.json_response(document_for(services_of(request)))
