"""Gettext catalogues (locales/<lang>/LC_MESSAGES/bot.po) keyed by symbolic message ids.

The ids are keys such as ``filing.ask.content``, not Indonesian sentences, so that no
user-visible text lives in code; ``id`` is the source language and ``en`` is complete too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

from bot.language.choices import normalise
from bot.language.informal import Informal
from bot.settings import LOCALES_DIR, SUPPORTED_LOCALES

SOURCE_LOCALE = "id"


@dataclass(frozen=True)
class Msg:
    """A message to render later in the reader's language: a key and its parameters."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Listing:
    """A numbered list of choices, one per line ("1. Jalan rusak"), rendered per locale."""

    labels: tuple[Msg | str, ...]


@dataclass(frozen=True)
class Lines:
    """Several messages rendered one per line (a read-back, a timeline entry list)."""

    items: tuple[Msg, ...]


def own_words(text: str) -> str:
    """A person's own words quoted in a message, set apart with Unicode isolates (FSI ...
    PDI): screen readers say nothing for them, a direction mark inside cannot reorder the
    message around it, and the accessibility checker leaves the writer's words alone."""
    return f"\u2068{text}\u2069"


def read_catalogue(path: Path) -> dict[str, str]:
    """Read one .po file into {key: text}, skipping the header and empty translations."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and isinstance(message.string, str) and message.string
    }


class Translator:
    """Renders keys in one locale, falling back to the source language."""

    def __init__(self, locale: str, messages: Mapping[str, str], source: Mapping[str, str]):
        self.locale = locale
        self._messages = messages
        self._source = source

    def __call__(self, key: str, /, **params: object) -> str:
        template = self._messages.get(key) or self._source[key]
        rendered = {name: self.render(value) for name, value in params.items()}
        return template.format(**rendered) if rendered else template

    def render(self, value: object) -> str:
        """Render a parameter: nested messages are translated, the rest is str()."""
        if isinstance(value, Msg):
            return self(value.key, **value.params)
        if isinstance(value, Listing):
            return "\n".join(
                f"{number}. {self.render(label)}" for number, label in enumerate(value.labels, 1)
            )
        if isinstance(value, Lines):
            return "\n".join(self.render(item) for item in value.items)
        return str(value)


class Locales:
    """All catalogues of the project, loaded once at start-up."""

    def __init__(self, catalogues: Mapping[str, Mapping[str, str]]):
        self.catalogues = dict(catalogues)
        source = self.catalogues[SOURCE_LOCALE]
        self._translators = {
            locale: Translator(locale, messages, source)
            for locale, messages in self.catalogues.items()
        }
        # Folded words by key: computed once, since every message is matched against them.
        self._typed: dict[str, frozenset[str]] = {}
        self._labels: dict[str, frozenset[str]] = {}
        self.informal = Informal.from_catalogues(self.catalogues.values())

    def get(self, locale: str | None) -> Translator:
        """The translator for a locale, the source language when unknown."""
        return self._translators.get(locale or SOURCE_LOCALE, self._translators[SOURCE_LOCALE])

    def words(self, key: str) -> frozenset[str]:
        """Every spelling of a typed keyword in every locale (comma-separated in the .po)."""
        return frozenset(
            word.strip().casefold()
            for messages in self.catalogues.values()
            if key in messages
            for word in messages[key].split(",")
            if word.strip()
        )

    def forms(self, key: str) -> frozenset[str]:
        """Every locale's text of a key plus its synonyms under ``<key>.words``.

        A choice can then be picked by the label any locale shows or by a common synonym.
        """
        texts = {messages[key] for messages in self.catalogues.values() if key in messages}
        return frozenset(texts) | self.words(f"{key}.words")

    def typed(self, key: str) -> frozenset[str]:
        """`forms` and `words` of a key, folded as typed answers are (bot.choices.normalise)."""
        found = self._typed.get(key)
        if found is None:
            found = frozenset(normalise(word) for word in self.forms(key) | self.words(key))
            self._typed[key] = found
        return found

    def labels(self, key: str) -> frozenset[str]:
        """`forms` of a key, folded as typed answers are: the words that pick a choice."""
        found = self._labels.get(key)
        if found is None:
            found = frozenset(normalise(word) for word in self.forms(key) if word)
            self._labels[key] = found
        return found

    def formal(self, text: str) -> str:
        """The typed text folded, chat words in their formal form ("gak jadi": "tidak jadi")."""
        return self.informal.formal(text)

    def keys(self) -> Iterable[str]:
        """All keys of the source catalogue."""
        return self.catalogues[SOURCE_LOCALE].keys()


def load_locales(directory: Path = LOCALES_DIR) -> Locales:
    """Load every supported locale's catalogue."""
    return Locales(
        {
            locale: read_catalogue(directory / locale / "LC_MESSAGES" / "bot.po")
            for locale in SUPPORTED_LOCALES
        }
    )
