"""Chat Indonesian read as the bot's own words: "gak jadi" is "tidak jadi", "kmrn" is "kemarin".

Where the bot reads words (menus, yes or no, dates, cancel, skip, categories) a citizen
types as in any chat. The words come from the catalogues (``word.informal.<formal>``, its
formal form with underscores for spaces), so a deployment can add its city's own; the
lists there are drawn from published lexicons of Indonesian chat (see the catalogue).

Only matching uses the formal text; what a citizen wrote is stored and relayed as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from bot.language.choices import normalise

PREFIX = "word.informal."
# Letters stretched for emphasis ("iyaaa", "gakkk", "udahhh"): three or more become one;
# no Indonesian or English word has a letter three times in a row.
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")
# A token's own punctuation ("jl.", "gak,") is not part of the word.
_EDGES = ".,!?;:\"'()"


def stretched_to_one(word: str) -> str:
    """ "iyaaa" -> "iya", "gakkk" -> "gak"; doubled letters ("maaf") are left."""
    return _STRETCHED.sub(r"\1", word)


class Informal:
    """Formal forms of the words people type in chat, one word (or phrase) each."""

    def __init__(self, forms: Mapping[str, str]):
        self._forms = dict(forms)

    @classmethod
    def from_catalogues(cls, catalogues: Iterable[Mapping[str, str]]) -> Informal:
        """Every ``word.informal.<formal>`` list of every catalogue; the first mention wins."""
        forms: dict[str, str] = {}
        for messages in catalogues:
            for key, words in messages.items():
                if not key.startswith(PREFIX):
                    continue
                formal = key.removeprefix(PREFIX).replace("_", " ")
                for word in words.split(","):
                    folded = normalise(word)
                    if folded and folded != formal:
                        forms.setdefault(folded, formal)
        return cls(forms)

    def word(self, token: str) -> str:
        """The formal form of one typed word (itself when it has none)."""
        core = token.strip(_EDGES)
        if not core:
            return token
        found = self._forms.get(core) or self._forms.get(stretched_to_one(core))
        if found is None and core.isalpha():
            found = stretched_to_one(core)
        return found or core

    def formal(self, text: str) -> str:
        """The text folded as typed answers are (bot.language.choices), every chat word
        in its formal form: "Gak jadi, makasih" -> "tidak jadi terima kasih"."""
        return " ".join(self.word(token) for token in normalise(text).split())

    def __contains__(self, word: str) -> bool:
        return word in self._forms
