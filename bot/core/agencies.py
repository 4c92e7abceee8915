"""The agencies file: the city, its agencies and the categories citizens choose from."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.core.levels import Level, is_office_key
from bot.core.toml_files import read_toml

KEY_PATTERN = r"^[a-z0-9_]{1,32}$"


# The catalogue text (agencies_file.*) for a problem, by pydantic's error type or our own.
PROBLEMS = {
    "missing": "agencies_file.missing",
    "string_too_short": "agencies_file.too_short",
    "too_short": "agencies_file.too_few",
    "string_pattern_mismatch": "agencies_file.key_shape",
    "int_parsing": "agencies_file.integer",
    "int_type": "agencies_file.integer",
    "int_from_float": "agencies_file.integer",
    "greater_than_equal": "agencies_file.at_least",
    "less_than_equal": "agencies_file.at_most",
    "extra_forbidden": "agencies_file.unknown_field",
    "url_parsing": "agencies_file.url",
    "url_scheme": "agencies_file.url",
    "url_type": "agencies_file.url",
    "string_type": "agencies_file.wrong_type",
    "dict_type": "agencies_file.wrong_type",
    "model_type": "agencies_file.wrong_type",
    "tuple_type": "agencies_file.wrong_type",
    "webhook_pair": "agencies_file.webhook_pair",
    "route": "agencies_file.route",
    "indonesian_name": "agencies_file.indonesian_name",
    "group_id": "agencies_file.group_id",
    "enum": "agencies_file.level",
    "level_outside": "agencies_file.level_outside",
}


class AgenciesFileError(Exception):
    """The agencies file is unreadable or inconsistent: where in it, and what.

    `key` is the catalogue text (agencies_file.*) with `params`; the command line tells it
    in the operator's language. str() names the file, the place and the key, for logs.
    """

    def __init__(self, path: Path, where: str, key: str, **params: object) -> None:
        super().__init__(f"{path}: {where}: {key}" if where else f"{path}: {key}")
        self.path = path
        self.where = where
        self.key = key
        self.params = params


def _problem(kind: str) -> PydanticCustomError:
    return PydanticCustomError(kind, "see PROBLEMS[{kind}]", {"kind": kind})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class City(_Strict):
    """The city running the service, and the other ways to reach it."""

    name: str = Field(min_length=1)
    phone: str = Field(min_length=3)
    sms: str = Field(min_length=3)
    fallback_agency: str


class Open311System(_Strict):
    """An agency's own Open311 (GeoReport v2) system: reports forwarded to the agency are
    POSTed there, and its updates read back (docs/api.md)."""

    # The endpoint's base, as its discovery gives it: https://.../open311/v2
    url: HttpUrl
    api_key: SecretStr | None = None
    format: Literal["xml", "json"] = "xml"
    jurisdiction_id: str | None = None
    # Our category key -> the system's service_code; a category not named keeps its key.
    services: dict[str, str] = Field(default_factory=dict)

    def service_code(self, category: str) -> str:
        """The system's service code for one of our categories."""
        return self.services.get(category, category)


class Agency(_Strict):
    """An agency (OPD) with its queue; `chat_id` names its own group instead of a topic."""

    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    chat_id: int | None = None
    first_response_days: int = Field(default=5, ge=1, le=60)
    # The agency's own system: new and changed reports are POSTed there, signed with the
    # secret (HMAC-SHA256); see docs/api.md.
    webhook_url: HttpUrl | None = None
    webhook_secret: SecretStr | None = Field(default=None, min_length=16)
    open311: Open311System | None = None

    @property
    def send_methods(self) -> tuple[str, ...]:
        """The ways a report in this agency's queue leaves for its own systems."""
        return tuple(
            name
            for name, configured in (
                ("webhook", self.webhook_url is not None),
                ("open311", self.open311 is not None),
            )
            if configured
        )

    @field_validator("chat_id")
    @classmethod
    def _group_id(cls, value: int | None) -> int | None:
        # A group's id is negative; a positive one is a person's.
        if value is not None and value >= 0:
            raise _problem("group_id")
        return value

    @model_validator(mode="after")
    def _webhook_pair(self) -> Agency:
        if (self.webhook_url is None) != (self.webhook_secret is None):
            raise _problem("webhook_pair")
        return self


class Counter(_Strict):
    """A service counter (mal pelayanan publik, a kecamatan office) whose officers file
    reports for walk-in citizens; its topic in the staff group, or its own group, gets the
    notices of its reports until a citizen claims them."""

    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1)
    # Telegram user ids of the officers with the counter role (ids never change; names do).
    officers: tuple[int, ...] = ()
    chat_id: int | None = None

    @field_validator("chat_id")
    @classmethod
    def _group_id(cls, value: int | None) -> int | None:
        if value is not None and value >= 0:
            raise _problem("group_id")
        return value


class Category(_Strict):
    """A subject citizens pick; it routes to an agency or is outside the city's remit."""

    key: str = Field(pattern=KEY_PATTERN)
    name: dict[str, str]
    agency: str | None = None
    outside: str | None = None
    keywords: tuple[str, ...] = ()
    # Who handles its reports where the place is known (bot/core/units.py): the kelurahan,
    # the kecamatan, or the city agency above; the agency still takes them when it is not.
    level: Level = Level.KOTA

    @model_validator(mode="after")
    def _routes_somewhere(self) -> Category:
        if (self.agency is None) == (self.outside is None):
            raise _problem("route")
        if "id" not in self.name:
            raise _problem("indonesian_name")
        if self.outside is not None and self.level is not Level.KOTA:
            raise _problem("level_outside")
        return self

    def label(self, locale: str) -> str:
        """The name in a locale, Indonesian when that locale has none."""
        return self.name.get(locale) or self.name["id"]


# A kecamatan's Kemendagri code (32.73.01) or a kelurahan's (32.73.01.1001).
AREA_CODE = r"^\d{2}\.\d{2}\.\d{2}(\.\d{4})?$"


class OfficeSetting(_Strict):
    """What the agencies file says of one kelurahan's or kecamatan's office: its own group
    instead of a topic, its first-response limit. Offices not named get the defaults."""

    area: str = Field(pattern=AREA_CODE)
    chat_id: int | None = None
    first_response_days: int = Field(default=5, ge=1, le=60)

    @field_validator("chat_id")
    @classmethod
    def _group_id(cls, value: int | None) -> int | None:
        if value is not None and value >= 0:
            raise _problem("group_id")
        return value


class Office(Agency):
    """A kelurahan's or a kecamatan's office: a unit with a queue like an agency's, made
    from the areas file (bot/core/units.py). `parent` is the unit a report is passed up
    to: a kelurahan's kecamatan; a kecamatan's is the category's agency, so it has none."""

    level: Level
    area: str
    parent: str | None = None


class _File(_Strict):
    city: City
    agencies: tuple[Agency, ...] = Field(min_length=1)
    categories: tuple[Category, ...] = Field(min_length=1)
    counters: tuple[Counter, ...] = ()
    offices: tuple[OfficeSetting, ...] = ()


# Queues the staff group always has; a counter's key must not be one of them.
RESERVED_QUEUES = frozenset({"verifikasi", "eskalasi"})


@dataclass(frozen=True)
class Directory:
    """The loaded agencies file, with look-ups the conversation and routing need."""

    city: City
    agencies: dict[str, Agency]
    categories: tuple[Category, ...]
    counters: dict[str, Counter] = field(default_factory=dict)
    # What the file says of kelurahan and kecamatan offices, and the offices themselves
    # once the areas file is read (bot/core/units.py: with_offices).
    office_settings: tuple[OfficeSetting, ...] = ()
    offices: dict[str, Office] = field(default_factory=dict)

    def unit(self, key: str) -> Agency | None:
        """The agency or the kelurahan's or kecamatan's office a report's `agency` names."""
        return self.agencies.get(key) or self.offices.get(key)

    def unit_with_group(self, chat_id: int) -> Agency | None:
        """The agency or office whose own group a chat is, None for any other chat."""
        units = (*self.agencies.values(), *self.offices.values())
        return next((unit for unit in units if unit.chat_id == chat_id), None)

    def own_chat(self, queue: str) -> int | None:
        """The group of its own a unit or a counter named, None for a staff group topic."""
        owner = self.unit(queue) or self.counters.get(queue)
        return owner.chat_id if owner is not None else None

    def queue_name(self, queue: str) -> str | None:
        """The name a unit's or a counter's topic carries, None for the staff's own."""
        owner = self.unit(queue) or self.counters.get(queue)
        return owner.name if owner is not None else None

    def counter_of(self, user_id: int) -> Counter | None:
        """The counter a person is an officer of, None for everyone else."""
        return next((c for c in self.counters.values() if user_id in c.officers), None)

    def category(self, key: str) -> Category:
        """A category by key (KeyError if the file no longer has it)."""
        return next(c for c in self.categories if c.key == key)

    def agency_for(self, category: Category) -> Agency:
        """The queue a category's reports go to; outside categories go to the verifiers."""
        return self.agencies[category.agency or self.city.fallback_agency]

    def suggest(self, text: str) -> Category | None:
        """The category whose keywords best match the text, if any matches at all."""
        words = f" {re.sub(r'[^0-9a-z]+', ' ', text.casefold())} "
        best: tuple[int, int, Category] | None = None
        for order, category in enumerate(self.categories):
            # Longer keywords ("jalan nasional") beat the shorter ones they contain ("jalan").
            score = sum(len(k) for k in category.keywords if f" {k.casefold()} " in words)
            if score and (best is None or score > best[0]):
                best = (score, -order, category)
        return best[2] if best else None


def load_directory(path: Path) -> Directory:
    """Read and check the agencies file; any problem names the file, the entry and what."""
    raw = read_toml(path, AgenciesFileError, "agencies_file.not_found")
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = _where(raw, error["loc"])
        ctx = {k: v for k, v in error.get("ctx", {}).items() if isinstance(v, str | int | float)}
        key = PROBLEMS.get(error["type"])
        if error["type"] == "too_short" and ctx.get("field_type") == "Value":
            key = "agencies_file.too_short"  # a secret's characters, not a list's entries
        if error["type"] == "string_pattern_mismatch" and error["loc"][-1] == "area":
            ctx, key = {}, "agencies_file.area_shape"
        if key is None:  # told in pydantic's own words: rare, and still one line
            ctx, key = {"detail": error["msg"]}, "agencies_file.unreadable"
        raise AgenciesFileError(path, where, key, **ctx) from None
    return _checked(path, parsed)


def _where(raw: dict[str, object], loc: Sequence[int | str]) -> str:
    """An error's place as a person finds it in the file: categories[3] ('sampah') name.

    Entries count from 1, as a person counts them; the words are the file's own.
    """
    parts: list[str] = []
    node: object = raw
    for step in loc:
        if isinstance(step, int) and isinstance(node, list):
            node = node[step] if step < len(node) else None
            key = node.get("key") if isinstance(node, dict) else None
            entry = f"{parts.pop() if parts else ''}[{step + 1}]"
            parts.append(f"{entry} ({key!r})" if key else entry)
        else:
            node = node.get(str(step)) if isinstance(node, dict) else None
            parts.append(str(step))
    return " ".join(parts)


def _checked(path: Path, parsed: _File) -> Directory:
    agencies = {agency.key: agency for agency in parsed.agencies}
    if len(agencies) != len(parsed.agencies):
        raise AgenciesFileError(path, "agencies", "agencies_file.key_twice")
    if len({c.key for c in parsed.categories}) != len(parsed.categories):
        raise AgenciesFileError(path, "categories", "agencies_file.key_twice")
    for number, agency in enumerate(parsed.agencies, start=1):
        if is_office_key(agency.key):
            where = f"agencies[{number}] ({agency.key!r}) key"
            raise AgenciesFileError(path, where, "agencies_file.office_prefix")
    fallback = parsed.city.fallback_agency
    if fallback not in agencies:
        raise AgenciesFileError(
            path, "city fallback_agency", "agencies_file.fallback_unknown", agency=fallback
        )
    for number, category in enumerate(parsed.categories, start=1):
        if category.agency is not None and category.agency not in agencies:
            raise AgenciesFileError(
                path,
                f"categories[{number}] ({category.key!r})",
                "agencies_file.agency_unknown",
                agency=category.agency,
            )
    _check_counters(path, parsed, agencies)
    counters = {counter.key: counter for counter in parsed.counters}
    if len({office.area for office in parsed.offices}) != len(parsed.offices):
        raise AgenciesFileError(path, "offices", "agencies_file.key_twice")
    return Directory(parsed.city, agencies, parsed.categories, counters, parsed.offices)


def _check_counters(path: Path, parsed: _File, agencies: dict[str, Agency]) -> None:
    """A counter's key names its topic, beside the agencies' and the staff group's own; an
    officer serves at one counter, so their reports' notices have one place to go."""
    seen: set[int] = set()
    for number, counter in enumerate(parsed.counters, start=1):
        where = f"counters[{number}] ({counter.key!r})"
        if counter.key in agencies or counter.key in RESERVED_QUEUES or is_office_key(counter.key):
            raise AgenciesFileError(path, f"{where} key", "agencies_file.counter_key_taken")
        if sum(c.key == counter.key for c in parsed.counters) > 1:
            raise AgenciesFileError(path, where, "agencies_file.key_twice")
        twice = seen.intersection(counter.officers)
        if twice:
            raise AgenciesFileError(path, where, "agencies_file.officer_twice", officer=min(twice))
        seen.update(counter.officers)
