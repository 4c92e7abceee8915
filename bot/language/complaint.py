"""A complaint typed straight away: whether a message reads as one, and what it already says.

"Pak, jalan di depan rumah saya di Jl. Sukajadi berlubang besar sejak kemarin" is a
report's content that also names a street and a day. The filing then skips the steps the
text answers, and the read-back lets the citizen change what was read wrongly, so these
readers take only what they can tell: a street or lane named after "Jalan", "Jl.",
"Gang" or "Gg." (its name capitalised, or after an abbreviation), and one date said in
words ("kemarin", "3 hari lalu", "13 November") when the text has exactly one.
"""

from __future__ import annotations

import datetime
import re

from bot.language.dates import DateError, parse_incident_date

# A complaint says what is wrong in a few words at least; shorter text is a menu word,
# a greeting or a typo, and gets the menu again.
MIN_WORDS = 3
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
# "Jl." and "Gg." are how a street is written; a voice spells them (ACCESSIBILITY.md rule
# 13), so the place is read back with the word in full.
_STREET = {"jalan": "Jalan", "jl": "Jalan", "jln": "Jalan", "gang": "Gang", "gg": "Gang"}
_ABBREVIATED = frozenset({"jl", "jln", "gg"})
# A house number and RT and RW right after the name belong to the address.
_ADDRESS_TAIL = re.compile(
    r"^(?:(?:nomor|no\.?)\s*(?P<number>\d+[a-z]?)\b)?\s*(?:RT\.?\s*0*(?P<rt>\d+))?"
    r"\s*(?:RW\.?\s*0*(?P<rw>\d+))?",
    re.IGNORECASE,
)
# Words that follow "jln" in a sentence but name no street ("jln di depan", "jl rusak").
_NOT_NAMES = frozenset(
    {"rt", "rw", "no", "nomor", "kelurahan", "kecamatan", "kota", *_STREET}
    | {"di", "ke", "dari", "yang", "dan", "atau", "itu", "ini", "depan", "dekat", "sebelah"}
    | {"samping", "belakang", "arah", "sekitar", "menuju", "sudah", "sejak", "masih", "juga"}
    | {"rusak", "berlubang", "mati", "gelap", "banjir", "macet", "licin", "retak", "amblas"}
)
_TOKEN = re.compile(r"\S+")
_MOST_NAME_WORDS = 4
# Date phrases a complaint uses, tried longest first; the future ("besok") is no
# incident date, and "sekarang" or "tadi" say how things are, not when they began.
_DATE_PHRASES = (
    re.compile(r"\b(?:\d{1,3}|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh)"
               r" (?:hari|minggu|pekan) (?:yang )?lalu\b"),
    re.compile(r"\bse(?:hari|minggu|pekan) (?:yang )?lalu\b"),
    re.compile(r"\bkemarin (?:lusa|dulu)\b"),
    re.compile(r"\bkemarin\b"),
    re.compile(r"\bhari ini\b"),
    re.compile(r"\b\d{1,2} [a-z]{3,9}(?: \d{4})?\b"),
)  # fmt: skip


def words(text: str) -> list[str]:
    """The words of a text, numbers included, punctuation left out."""
    return _WORD.findall(text)


def reads_as_complaint(text: str, min_chars: int) -> bool:
    """Long enough to say what is wrong: at least `min_chars` letters and a few words."""
    found = words(text)
    letters = sum(len(word) for word in found)
    return letters >= min_chars and sum(1 for word in found if not word.isdigit()) >= MIN_WORDS


def place_in(text: str) -> str | None:
    """The street or lane a text names ("Jalan Sukajadi nomor 5"), or None."""
    tokens = [match.group() for match in _TOKEN.finditer(text)]
    for index, token in enumerate(tokens):
        head = token.rstrip(".,").casefold()
        if head not in _STREET:
            continue
        name = _name_after(tokens[index + 1 :], abbreviated=head in _ABBREVIATED)
        if name:
            return f"{_STREET[head]} {name}"
    return None


def _name_after(tokens: list[str], *, abbreviated: bool) -> str:
    """The name after "Jalan": capitalised words, or one word after an abbreviation, and
    a house number, RT and RW right after it ("nomor 12 RT 3 RW 5")."""
    name: list[str] = []
    ended = False
    for token in tokens:
        word = token.strip(".,;:!?\"'()")
        if not word or len(name) >= _MOST_NAME_WORDS or word.casefold() in _NOT_NAMES:
            break
        if not (word[0].isupper() or (abbreviated and not name and word.isalpha())):
            break
        name.append(word if word[0].isupper() else word.capitalize())
        if token != token.rstrip(",.;:!?"):
            ended = True
            break
    if not name or ended:
        return " ".join(name)
    tail = _ADDRESS_TAIL.match(" ".join(tokens[len(name) :]))
    if tail is not None:
        if tail["number"]:
            name.append(f"nomor {tail['number']}")
        if tail["rt"]:
            name.append(f"RT {tail['rt']}")
        if tail["rw"]:
            name.append(f"RW {tail['rw']}")
    return " ".join(name)


def date_in(formal: str, today: datetime.date, locale: str) -> datetime.date | None:
    """The one incident date a text says in words (given folded, chat words formal), or
    None when it says none, several, or one in the future."""
    found: set[datetime.date] = set()
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PHRASES:
        for match in pattern.finditer(formal):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            try:
                found.add(parse_incident_date(match.group(), today, locale))
            except DateError:
                continue
            taken.append(match.span())
    return found.pop() if len(found) == 1 else None
