"""The GeoReport v2 specification's own examples (tests/data/open311-spec), as a client
written elsewhere would read them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SPEC = Path(__file__).resolve().parent / "data" / "open311-spec"
# The published JSON has numbers with leading zeros ("service_code":001), which JSON
# forbids; the XML examples have them as text, so they are read as text here.
_LEADING_ZERO = re.compile(r'(?<=":)(0[0-9]+)(?=\s*[,}\]])')


def spec_xml(name: str) -> bytes:
    """An XML example as published."""
    return (SPEC / f"{name}.xml").read_bytes()


def spec_json(name: str) -> Any:
    """A JSON example as published, its leading-zero numbers read as text."""
    return json.loads(_LEADING_ZERO.sub(r'"\1"', (SPEC / f"{name}.json").read_text()))


def text_values(value: Any) -> Any:
    """A JSON document's leaves as XML carries them: text, or None for null and ""."""
    if isinstance(value, dict):
        return {k: text_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [text_values(v) for v in value]
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip() or None
