"""Finding the kelurahan a typed place names: "Kel. Sadangserang", "jl dago no 5", "cisaranten".

Names are compared without case, spaces or punctuation ("Jati Sari" is "jatisari"), and
within a few typing slips that grow with the name's length (OSA distance, rapidfuzz). The
markers people write before a name ("kel.", "kelurahan", "desa", "ds.", "kec.",
"kecamatan") say which kind of area follows; a kecamatan named beside an ambiguous
kelurahan tells apart names that occur twice. What comes back is every kelurahan that fits
equally well: one to confirm, several to choose from, none to ask again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from bot.core.areas import Areas, Kecamatan, Kelurahan

KELURAHAN_MARKERS = frozenset({"kel", "kelurahan", "kelur", "desa", "ds", "kal"})
KECAMATAN_MARKERS = frozenset({"kec", "kecamatan", "kc", "kcm"})
# Parts of an address that are separate places: "Jl. Dago, Coblong".
PARTS = re.compile(r"[,;/\n()]+")
WORD = re.compile(r"[^\W_]+")
# The longest name, in words, a window of typed words is compared with, plus one for a
# name typed with a space too many ("Gegerkalong" as "geger kalong").
MAX_WINDOW = 5
# At most this many kelurahan are offered to choose from: a list has at most 9 lines, the
# last one "tidak tahu" (ACCESSIBILITY.md rule 6).
MAX_CHOICES = 8


def slips_allowed(name: str) -> int:
    """Typing slips forgiven in a name: none in a short one ("Dago" is not "Dagi")."""
    length = len(name)
    return 0 if length < 5 else 1 if length < 10 else 2


# The old spelling still on signs and in people's habits: "Tjitarum", "Soekarno", "Djuanda".
OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"))


def compact(text: str) -> str:
    """A name folded for comparison: no case, accents, spaces, punctuation or old spelling."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if ch.isalnum())
    for old, new in OLD_SPELLING:
        folded = folded.replace(old, new)
    return folded


@dataclass(frozen=True)
class _Phrase:
    """Typed words, and whether a marker said they name a kelurahan or a kecamatan."""

    words: tuple[str, ...]
    kind: str  # "kelurahan", "kecamatan" or "" (not said)


def _phrases(text: str) -> list[_Phrase]:
    phrases: list[_Phrase] = []
    for part in PARTS.split(unicodedata.normalize("NFKC", text)):
        kind, words = "", []
        for word in WORD.findall(part.casefold()):
            marker = (
                "kelurahan"
                if word in KELURAHAN_MARKERS
                else "kecamatan"
                if word in KECAMATAN_MARKERS
                else None
            )
            if marker is None:
                words.append(word)
                continue
            if words:
                phrases.append(_Phrase(tuple(words), kind))
            kind, words = marker, []
        if words:
            phrases.append(_Phrase(tuple(words), kind))
    return phrases


@dataclass(frozen=True)
class _Window:
    """A run of consecutive typed words: where it is, and the words run together."""

    phrase: int
    start: int
    end: int
    text: str
    marked: bool  # a marker said it is the kind looked for

    def within(self, other: _Window) -> bool:
        """This run is part of a longer one."""
        return (
            self.phrase == other.phrase
            and other.start <= self.start
            and self.end <= other.end
            and (other.start, other.end) != (self.start, self.end)
        )


def _windows(phrases: Sequence[_Phrase], kind: str, *, also: str = "") -> list[_Window]:
    """Runs of consecutive typed words, not those a marker gave to another kind (but
    `also`'s: "kel. sukamaju utara" may name kecamatan Utara too)."""
    found: list[_Window] = []
    for number, phrase in enumerate(phrases):
        if phrase.kind not in ("", kind, also):
            continue
        words = phrase.words
        for start in range(len(words)):
            for end in range(start + 1, min(start + MAX_WINDOW, len(words)) + 1):
                text = compact("".join(words[start:end]))
                found.append(_Window(number, start, end, text, phrase.kind == kind))
    return found


@dataclass(frozen=True)
class _Fit:
    slips: int
    window: _Window
    length: int  # of the compact name

    @property
    def rank(self) -> tuple[int, int]:
        """Lower is better: fewer slips, then a marker's word over an unmarked one."""
        return (self.slips, int(not self.window.marked))

    def beats(self, other: _Fit) -> bool:
        """A longer name over the shorter one inside it, even with a slip ("Babakan Ciparay"
        typed "babakan ciparai" is not Babakan)."""
        return other.window.within(self.window) and (
            self.length - 2 * self.slips >= other.length - 2 * other.slips
        )


def _top(names: Sequence[tuple[str, str]], windows: Sequence[_Window]) -> list[str]:
    """The keys of the names (key, compact name) that the typed words fit best."""
    fits: dict[str, _Fit] = {}
    for key, name in names:
        allowed = slips_allowed(name)
        for window in windows:
            if abs(len(window.text) - len(name)) > allowed:
                continue
            slips = OSA.distance(window.text, name, score_cutoff=allowed)
            if slips > allowed:
                continue
            fit = _Fit(slips, window, len(name))
            if key not in fits or fit.rank < fits[key].rank:
                fits[key] = fit
    kept = {
        key: fit
        for key, fit in fits.items()
        if not any(other.beats(fit) for other in fits.values() if other is not fit)
    }
    if not kept:
        return []
    best = min(fit.rank for fit in kept.values())
    return [key for key, fit in kept.items() if fit.rank == best]


def _leading(names: Sequence[tuple[str, tuple[str, ...]]], windows: Sequence[_Window]) -> set[str]:
    """Names whose first words are a typed run ("cisaranten": Cisaranten Kulon, Kidul, ...)."""
    found: set[str] = set()
    for key, words in names:
        for window in windows:
            size = window.end - window.start
            if len(words) > size and compact("".join(words[:size])) == window.text:
                found.add(key)
    return found


def find_kelurahan(areas: Areas, text: str) -> tuple[Kelurahan, ...]:
    """The kelurahan a typed place names, best fits only, in the file's order.

    One: the place is found (to be confirmed). Several: the name fits more than one (the
    same name in two kecamatan, or only its first words typed). None: no kelurahan fits,
    or too many to list.
    """
    phrases = _phrases(text)
    kelurahan_windows = _windows(phrases, "kelurahan")
    kecamatan_windows = _windows(phrases, "kecamatan", also="kelurahan")
    by_code = {k.code: k for k in areas.kelurahan}
    named = [(k.code, compact(k.name)) for k in areas.kelurahan]
    found = [by_code[c] for c in _top(named, kelurahan_windows)]
    if not found:
        words = [(k.code, tuple(WORD.findall(k.name.casefold()))) for k in areas.kelurahan]
        leading = _leading(words, kelurahan_windows)
        found = [k for k in areas.kelurahan if k.code in leading]
    kecamatan = _named_kecamatan(areas, kecamatan_windows)
    if found and kecamatan:
        within = [k for k in found if k.kecamatan_code in {d.code for d in kecamatan}]
        found = within or found
    elif not found and len(kecamatan) == 1:
        # Only a kecamatan named: its kelurahan to choose from.
        found = list(areas.kelurahan_of(kecamatan[0].code))
    ordered = sorted(found, key=areas.kelurahan.index)
    return tuple(ordered) if len(ordered) <= MAX_CHOICES else ()


def _named_kecamatan(areas: Areas, windows: Sequence[_Window]) -> list[Kecamatan]:
    named = [(k.code, compact(k.name)) for k in areas.kecamatan]
    codes = _top(named, windows)
    return [k for k in areas.kecamatan if k.code in codes]


def place_of(
    areas: Areas, text: str | None, latitude: float | None, longitude: float | None
) -> Kelurahan | None:
    """The one kelurahan a place is in, where nobody is there to confirm it (Open311): by the
    boundary holding the map point, else by the address when it names a single kelurahan."""
    if latitude is not None and longitude is not None:
        located = areas.locate(latitude, longitude)
        if located is not None:
            return located
    found = find_kelurahan(areas, text) if text else ()
    return found[0] if len(found) == 1 else None
