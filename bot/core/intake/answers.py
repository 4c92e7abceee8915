"""The answers of a draft, typed, and their JSON form in the draft row."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from bot.core.lifecycle import Classification, Privacy

E = TypeVar("E", Classification, Privacy)


@dataclass(frozen=True)
class FileRef:
    """A file the citizen sent, by Telegram file id."""

    kind: str
    file_id: str
    file_unique_id: str
    size: int | None = None
    mime_type: str | None = None
    file_name: str | None = None
    duration: int | None = None


@dataclass(frozen=True)
class Similar:
    """An open report like this one, as listed to the citizen (bot/core/duplicates.py): its
    code, status, and how far it is (metres) or that it is in the same kelurahan."""

    code: int
    status: str
    metres: int | None = None
    kelurahan_code: str | None = None


@dataclass(frozen=True)
class Answers:
    """Everything the citizen has answered so far; None means not answered yet."""

    classification: Classification | None = None
    content: str | None = None
    voice: FileRef | None = None
    category: str | None = None
    category_page: int = 0
    location_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_skipped: bool = False
    # The kelurahan of the place (areas file code), once the citizen confirmed or chose it;
    # `area_unknown` when they said they do not know, and it goes by category alone.
    kelurahan_code: str | None = None
    area_unknown: bool = False
    # The place step's own question while it is open: the kelurahan offered (one to
    # confirm, several to choose from), or the kelurahan asked for by name.
    area_offer: tuple[str, ...] = field(default_factory=tuple)
    area_asking: bool = False
    incident_date: date | None = None
    date_skipped: bool = False
    attachments: tuple[FileRef, ...] = field(default_factory=tuple)
    privacy: Privacy | None = None
    # The suggested category was turned down: the whole list is shown.
    category_listed: bool = False
    # Steps the citizen's first message already answered (a complaint typed at the menu):
    # the filing goes past them, and the read-back still shows them.
    from_message: tuple[str, ...] = field(default_factory=tuple)
    # Similar reports listed for the category and place (`similar_for`), and the step the
    # filing goes on to when the citizen files their own.
    similar_for: str | None = None
    similar: tuple[Similar, ...] = field(default_factory=tuple)
    similar_then: str | None = None

    @property
    def has_content(self) -> bool:
        """The report says something, in words or as a voice note."""
        return bool(self.content) or self.voice is not None

    @property
    def has_location(self) -> bool:
        """A typed address or a shared map point was given."""
        return self.location_text is not None or self.latitude is not None

    @property
    def area_open(self) -> bool:
        """The place step still asks about the kelurahan."""
        return bool(self.area_offer) or self.area_asking

    def with_(self, **changes: Any) -> Answers:
        """A copy with some answers changed."""
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The JSON stored in the draft row."""
        data = asdict(self)
        data["incident_date"] = self.incident_date.isoformat() if self.incident_date else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answers:
        """Read the JSON stored in the draft row."""
        if not data:
            return cls()
        voice = data.get("voice")
        incident = data.get("incident_date")
        return cls(
            classification=_opt(Classification, data.get("classification")),
            content=data.get("content"),
            voice=FileRef(**voice) if voice else None,
            category=data.get("category"),
            category_page=int(data.get("category_page") or 0),
            location_text=data.get("location_text"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            location_skipped=bool(data.get("location_skipped")),
            kelurahan_code=data.get("kelurahan_code"),
            area_unknown=bool(data.get("area_unknown")),
            area_offer=tuple(data.get("area_offer") or ()),
            area_asking=bool(data.get("area_asking")),
            incident_date=date.fromisoformat(incident) if incident else None,
            date_skipped=bool(data.get("date_skipped")),
            attachments=tuple(FileRef(**item) for item in data.get("attachments") or ()),
            privacy=_opt(Privacy, data.get("privacy")),
            category_listed=bool(data.get("category_listed")),
            from_message=tuple(data.get("from_message") or ()),
            similar_for=data.get("similar_for"),
            similar=tuple(Similar(**item) for item in data.get("similar") or ()),
            similar_then=data.get("similar_then"),
        )


def _opt(enum: type[E], value: str | None) -> E | None:
    return enum(value) if value else None
