"""Checks one outgoing message against the automatable rules of ACCESSIBILITY.md.

Test tooling: the test suite runs every catalogue entry (with sample values) and
every recorded conversation through :func:`check_message`, and staff replies are
run through it to warn staff (rule 22). Findings are for developers, in English.

Rules checked: 2 (slash commands in prose, in citizens' messages only: staff in a
group must type commands with the slash), 3, 4, 5, 6, 7 (and 20 for button labels),
8 (markers in the text, and formatting entities the message was sent with), 10, 11,
12, 13, 14, 22 (for a staff relay) and 23 (for a status message, given its status).
The others (typing-only flows, drafts, acknowledging attachments, quoted replies,
toasts...) are about behaviour across messages and are tested on conversations
(tests/test_blind_journey.py), not here; the spoken length of rule 5 needs a voice and
is measured with espeak-ng (tests/test_spoken_length.py).

How text is cut up, since several rules depend on it:

* A line that starts with a number and a dot or parenthesis ("1. Jalan rusak") is
  a list item, not a sentence.
* Other lines are split into sentences after ".", "?", "!" or ":" followed by a
  space or the end of the line, so "14.30", "13.11.2026" and "726-4185" stay whole.
* A code spelled out for the ear, "7 2 6, 4 1 8 5", counts as one word: a
  listener hears it as one item, and counting it as seven would push every
  confirmation message over the word limit for no gain.

A staff text (``audience="staff"``) is checked by the same rules but three: it may name
slash commands (rule 2); its 400 characters are counted a line at a time, since a card
or a report's timeline is a record of one fact a line (rule 5); and "#726-4185", the
group's tag for a report's files, is allowed (rule 12). An operator's text
(``audience="operator"``), printed at a terminal by the command line, is checked as a
staff text, and may also hold addresses (rule 14) and names such as ADMIN_CHAT_ID (rule
8): a terminal parses no Markdown, and an address or a setting's name is the fix. In
every message, words quoted
between Unicode isolates are the citizen's or a staff member's own and are not checked.

The checker errs towards silence where a pattern is also an ordinary word or a
name: abbreviated month names only count next to a number ("13 Nov"), chat
shorthands ("yg", "dgn") only in lower case (so "PD Pasar" passes), acronyms that
are read as letters and are names (PDAM, KTP, KK, PPDB, SMS 1708) are left alone,
and seven-digit numbers right after an area code are taken for phone numbers.
A code's check digit is not verified: sample values in tests, and the docs'
"726-4185", need not be real codes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise

from babel import Locale

__all__ = [
    "MAX_CHARS",
    "MAX_LIST_ITEMS",
    "MAX_SPOKEN_SECONDS",
    "MAX_WORDS",
    "Finding",
    "MessageContext",
    "check_message",
    "ends_with_question",
    "questions",
]

MAX_CHARS = 400
MAX_WORDS = 20
MAX_LIST_ITEMS = 9
# Rule 5's "about 25 seconds read aloud", by espeak-ng at its default speed (bot.speech).
MAX_SPOKEN_SECONDS = 25.0


@dataclass(frozen=True)
class Finding:
    rule: int
    message: str


@dataclass(frozen=True)
class MessageContext:
    is_step: bool = False
    is_staff_relay: bool = False
    buttons: tuple[str, ...] = ()
    locale: str = "id"
    # "citizen", "staff" or "operator" (at a terminal): who reads it. Staff and operator
    # texts may name slash commands (rule 2); operator texts may hold addresses (14).
    audience: str = "citizen"
    # Types of the entities the message carries as Telegram holds it ("bold", "url"...).
    entities: tuple[str, ...] = ()
    # For a status message: the words of the new status, due in its first sentence (23).
    status: str | None = None


# --- text structure -----------------------------------------------------------------

# A digit right after the separator means a time or decimal ("14.30"), not an item.
_ITEM_LINE = re.compile(r"^(\d{1,3})\s*[.)](?!\d)\s*(?=\S)")
_CANONICAL_ITEM = re.compile(r"^[1-9]\d*\. \S")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?:])[\"'”’)\]]*\s+")
_SPELLED_CODE = re.compile(
    r"(?<!\d)\d(?: \d){2}, (?:\d(?: \d){2}, \d(?: \d){2}|\d(?: \d){3})(?!\d)"
)


@dataclass(frozen=True)
class _Unit:
    text: str
    is_item: bool


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    for line in _lines(text):
        if _ITEM_LINE.match(line):
            units.append(_Unit(line, is_item=True))
            continue
        units.extend(
            _Unit(part, is_item=False) for part in _SENTENCE_BREAK.split(line) if _has_words(part)
        )
    return units


def _words(unit: str) -> list[str]:
    return [w for w in _SPELLED_CODE.sub("KODE", unit).split() if _has_words(w)]


def _is_question(unit: _Unit) -> bool:
    return not unit.is_item and unit.text.rstrip("\"'”’)] ").endswith("?")


def questions(text: str) -> list[str]:
    """The sentences of a text that ask something, in order (rule 3 wants one, last)."""
    return [unit.text for unit in _units(text) if _is_question(unit)]


def ends_with_question(text: str) -> bool:
    """The text's last sentence (list items aside) is a question."""
    sentences = [unit for unit in _units(text) if not unit.is_item]
    return bool(sentences) and _is_question(sentences[-1])


def _quote(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# --- emoji --------------------------------------------------------------------------

# Pictographs and the symbol blocks that phones draw as emoji; a screen reader reads
# each by its full name. Plain arrows and bullets are left to other rules.
_PICTO = (
    "\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf"
    "\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe"
    "\u2600-\u27bf\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d"
    "\u3297\u3299\U0001f000-\U0001f1e5\U0001f200-\U0001faff"
)
_EMOJI = re.compile(
    r"[0-9#*]\ufe0f?\u20e3"  # keycaps such as 1️⃣
    r"|[\U0001f1e6-\U0001f1ff]{2}"  # flags
    r"|[\u00a9\u00ae]\ufe0f"
    rf"|[{_PICTO}][\ufe0e\ufe0f]?[\U0001f3fb-\U0001f3ff]?"
    rf"(?:\u200d[{_PICTO}][\ufe0e\ufe0f]?[\U0001f3fb-\U0001f3ff]?)*"
)


# --- individual rules ---------------------------------------------------------------

Check = Callable[[str, MessageContext], Iterator[Finding]]


def _rule_2_slash_commands(text: str, ctx: MessageContext) -> Iterator[Finding]:
    if ctx.audience != "citizen":
        return  # in a group with privacy mode the bot only sees commands with the slash
    for match in re.finditer(r"(?<![\w/:.])/[A-Za-z]\w*", text):
        yield Finding(2, f"slash command {match.group()!r} in the text; write the word without '/'")


def _rule_3_questions(text: str, ctx: MessageContext) -> Iterator[Finding]:
    units = _units(text)
    questions = [i for i, unit in enumerate(units) if _is_question(unit)]
    if len(questions) > 1:
        yield Finding(
            3,
            f"{len(questions)} questions in one message; ask one: "
            + ", ".join(_quote(units[i].text) for i in questions),
        )
    if questions:
        after = [u for u in units[questions[-1] + 1 :] if not u.is_item]
        if after:
            yield Finding(
                3,
                f"the question {_quote(units[questions[-1]].text)} is followed by "
                f"{_quote(after[0].text)}; the question must be the last sentence",
            )


_STEP_HEADERS = {
    "id": re.compile(r"^Langkah ([1-9]\d*) dari ([1-9]\d*)\.(?:\s|$)"),
    "en": re.compile(r"^Step ([1-9]\d*) of ([1-9]\d*)\.(?:\s|$)"),
}
_FRACTION = re.compile(r"(?<![\w/.])(\d{1,3})\s*/\s*(\d{1,3})(?![\w/])")
_DATE_CONTEXT = re.compile(
    r"\b(?:tanggal|tgl|sejak|sampai|hingga|date|since|until|on)\s*$", re.IGNORECASE
)


def _rule_4_steps(text: str, ctx: MessageContext) -> Iterator[Finding]:
    if ctx.is_step:
        language = ctx.locale.split("_")[0].split("-")[0]
        header = _STEP_HEADERS.get(language, _STEP_HEADERS["id"])
        match = header.match(text.lstrip())
        if match is None:
            example = "Step 2 of 8." if language == "en" else "Langkah 2 dari 8."
            yield Finding(4, f"a step must start with {example!r}; starts {_quote(text)}")
        elif int(match[1]) > int(match[2]):
            yield Finding(4, f"step {match[1]} of {match[2]}: the step is past the last one")
    for match in _FRACTION.finditer(text):
        if _DATE_CONTEXT.search(text[: match.start()]):
            continue  # rule 10 reports it as a date
        yield Finding(
            4,
            f"{match.group()!r} is read 'garis miring'; write 'N dari M' "
            "(or, for a date, the month in words)",
        )


def _rule_5_length(text: str, ctx: MessageContext) -> Iterator[Finding]:
    # A staff record (a card, a report's timeline) is one fact a line, and staff moving
    # through it daily use the screen reader's line-by-line reading: the limit is a line's.
    parts = _lines(text) if ctx.audience != "citizen" else [text]
    for part in parts:
        if len(part) > MAX_CHARS:
            where = "a line of " if ctx.audience != "citizen" else ""
            yield Finding(5, f"{where}{len(part)} characters; at most {MAX_CHARS}")
    for unit in _units(text):
        count = len(_words(unit.text))
        if count > MAX_WORDS:
            kind = "list item" if unit.is_item else "sentence"
            yield Finding(5, f"{kind} of {count} words (at most {MAX_WORDS}): {_quote(unit.text)}")


_INLINE_NUMBER = re.compile(r"(?:^|(?<=[\s,;:]))(\d{1,2})[.)]\s+(?=[^\W\d_])")


def _rule_6_lists(text: str, ctx: MessageContext) -> Iterator[Finding]:
    runs: list[list[str]] = []
    current: list[str] = []
    for line in _lines(text):
        if _ITEM_LINE.match(line):
            current.append(line)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)

    for run in runs:
        numbers = [int(m[1]) for m in (_ITEM_LINE.match(line) for line in run) if m]
        if len(run) > MAX_LIST_ITEMS:
            yield Finding(6, f"a list of {len(run)} items; at most {MAX_LIST_ITEMS}")
        if numbers != list(range(1, len(numbers) + 1)):
            yield Finding(6, f"list numbered {numbers}; number items 1 to {len(numbers)}")
        for line in run:
            if not _CANONICAL_ITEM.match(line):
                yield Finding(6, f"list item {_quote(line)}; write it as '1. Label'")

    for line in _lines(text):
        numbers = [int(m[1]) for m in _INLINE_NUMBER.finditer(line)]
        if any(b == a + 1 for a, b in pairwise(numbers)):
            yield Finding(6, f"several list items on one line: {_quote(line)}; one per line")


def _rule_7_emoji(text: str, ctx: MessageContext) -> Iterator[Finding]:
    for label in ctx.buttons:
        if _EMOJI.search(label):
            yield Finding(7, f"emoji in button {label!r}")
    found = list(_EMOJI.finditer(text))
    if not found:
        return
    if len(found) > 1:
        yield Finding(7, f"{len(found)} emoji ({''.join(m.group() for m in found)}); at most one")
    body = text.strip()
    if _EMOJI.match(body):
        yield Finding(7, "the message starts with an emoji; it is read first, by its full name")
    elif not body.endswith(found[-1].group()):
        yield Finding(7, "an emoji must come at the very end of the message, if at all")


# Punctuation people type anyway is fine; arrows, bullets, slashes and the like are not.
_BUTTON_SYMBOLS = re.compile(r"[^\w\s'.,?!()-]")


def _rule_20_buttons(text: str, ctx: MessageContext) -> Iterator[Finding]:
    for label in ctx.buttons:
        stripped = _EMOJI.sub("", label)  # rule 7 reports emoji
        symbols = sorted(set(_BUTTON_SYMBOLS.findall(stripped)))
        if symbols:
            yield Finding(
                20,
                f"button {label!r} has {''.join(symbols)!r}; a label is the words a "
                "person would type",
            )
        if not _has_words(stripped):
            yield Finding(20, f"button {label!r} has no words to type")


_MARKUP = (
    (re.compile(r"\*"), "'*'"),
    (re.compile(r"_"), "'_'"),
    (re.compile(r"`"), "'`'"),
    (re.compile(r"~"), "'~'"),
    (re.compile(r"\|\|"), "'||' (spoiler)"),
    (
        re.compile(
            r"</?(?:b|strong|i|em|u|ins|s|strike|del|code|pre|a|tg-spoiler|tg-emoji|span"
            r"|blockquote|br|p)\b[^>]*>",
            re.IGNORECASE,
        ),
        "an HTML tag",
    ),
    (
        re.compile(r"&(?:lt|gt|amp|quot|apos|nbsp|#\d+|#x[0-9a-f]+);", re.IGNORECASE),
        "an HTML entity",
    ),
    (re.compile(r"\[[^\]\n]+\]\([^)\n]+\)"), "a Markdown link"),
)


# Entities that format text (a parse mode's tags, or entities sent as such); the ones
# Telegram detects by itself (url, mention, hashtag, bot_command...) are other rules'.
_FORMATTING = frozenset(
    {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "pre",
        "blockquote",
        "expandable_blockquote",
        "text_link",
    }
)


def _rule_8_markup(text: str, ctx: MessageContext) -> Iterator[Finding]:
    for kind in sorted(set(ctx.entities) & _FORMATTING):
        yield Finding(
            8,
            f"sent with {kind} formatting; a screen reader does not announce it, so it "
            "cannot carry meaning",
        )
    if ctx.audience == "operator":
        return  # a terminal parses no Markdown: ADMIN_CHAT_ID and api_key are names
    for pattern, name in _MARKUP:
        match = pattern.search(text)
        if match:
            start = max(0, match.start() - 15)
            yield Finding(
                8,
                f"{name} in {_quote(text[start : match.end() + 15])}; formatting is not "
                "announced and stray markers are read aloud",
            )


# Same separator twice; the look-arounds keep "726-4185" and "14.30" out.
_NUMERIC_DMY = re.compile(r"(?<![\d./-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d|[./-]\d)")
_NUMERIC_YMD = re.compile(r"(?<![\d./-])(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?!\d|[./-]\d)")
_MONTH_YEAR = re.compile(r"(?<![\d./-])(\d{1,2})/(\d{4})(?![\d/])")
# "UU 8/2016", "Perpres 76/2013": regulations are cited by number/year, a name.
_LAW_CONTEXT = re.compile(
    r"\b(?:UU|PP|Perpres|Keppres|Inpres|Permen\w*|Perda|Perwal|Perwali|Perbup|Pergub|SE"
    r"|Nomor|No\.?)\s*$",
    re.IGNORECASE,
)


@functools.cache
def _abbreviated_months() -> re.Pattern[str]:
    abbreviations = {"agt", "ags", "sept", "nop", "peb"}
    for locale in ("id", "en"):
        months = Locale.parse(locale).months["format"]
        wide = {name.casefold() for name in months["wide"].values()}
        abbreviations |= {
            name.casefold().rstrip(".")
            for name in months["abbreviated"].values()
            if name.casefold().rstrip(".") not in wide
        }
    names = "|".join(sorted(abbreviations, key=len, reverse=True))
    return re.compile(
        rf"\b\d{{1,2}}\s+(?:{names})\b\.?|\b(?:{names})\b\.?\s+\d{{1,4}}\b", re.IGNORECASE
    )


def _plausible_day_month(first: str, second: str) -> bool:
    a, b = int(first), int(second)
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)


def _rule_10_dates(text: str, ctx: MessageContext) -> Iterator[Finding]:
    advice = "write the date as '13 November 2026'"
    for match in _NUMERIC_DMY.finditer(text):
        if _plausible_day_month(match[1], match[3]):
            yield Finding(10, f"numeric date {match.group()!r}; {advice}")
    for match in _NUMERIC_YMD.finditer(text):
        if 1 <= int(match[3]) <= 12 and 1 <= int(match[4]) <= 31:
            yield Finding(10, f"numeric date {match.group()!r}; {advice}")
    for match in _MONTH_YEAR.finditer(text):
        if 1 <= int(match[1]) <= 12 and not _LAW_CONTEXT.search(text[: match.start()]):
            yield Finding(10, f"numeric month {match.group()!r}; {advice}")
    for match in _FRACTION.finditer(text):
        if _DATE_CONTEXT.search(text[: match.start()]) and _plausible_day_month(match[1], match[2]):
            yield Finding(10, f"numeric date {match.group()!r}; {advice}")
    for match in _abbreviated_months().finditer(text):
        yield Finding(10, f"abbreviated month in {match.group()!r}; {advice}")


_ZONE = re.compile(r"\b(?:WIB|WITA|WIT)\b")
_TIME = re.compile(r"(?<![\d.,:])([01]?\d|2[0-3])([.:])([0-5]\d)(?!\d|[.,:]\d)")
_TIME_LEAD = re.compile(
    r"\b(?P<word>pukul|jam|at|by|before|after|from|until|sebelum|sesudah|setelah|mulai"
    r"|sampai|hingga|dan|atau|and|or|to)\s*$|[-–]\s*$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[!?\n]|\.(?=\s|$)")


def _rule_11_times(text: str, ctx: MessageContext) -> Iterator[Finding]:
    indonesian = ctx.locale.startswith("id")
    for match in _TIME.finditer(text):
        before = text[: match.start()]
        lead = _TIME_LEAD.search(before)
        rest = text[match.end() :]
        end = _SENTENCE_END.search(rest)
        rest_of_sentence = rest[: end.start()] if end else rest
        zone_follows = bool(re.match(r"\s*(?:WIB|WITA|WIT)\b", rest))
        if lead is None and not zone_follows:
            if indonesian and match[2] == ":":
                # "14:30" with no context is still a time: ratios are rare in bot text.
                yield Finding(11, f"time {match.group()!r}; write 'pukul 14.30 WIB'")
            continue
        if indonesian and match[2] == ":":
            yield Finding(11, f"time {match.group()!r}; write 'pukul 14.30 WIB' (with a dot)")
        if indonesian and lead is not None and (lead["word"] or "").lower() == "jam":
            yield Finding(11, f"'jam {match.group()}'; write 'pukul {match.group()}'")
        if indonesian and lead is None:
            yield Finding(11, f"time {match.group()!r} without 'pukul' before it")
        if not _ZONE.search(rest_of_sentence):
            yield Finding(11, f"time {match.group()!r} without a time zone (WIB, WITA or WIT)")


_PHONE_CONTEXT = re.compile(r"(?:\(0\d{1,3}\)|\+62[\d\s-]*|\b0\d{1,3})[\s-]*$")
_BARE_CODE = re.compile(r"(?<![\d./-])\d{7}(?!\d|[./-]\d)")
_SPACED_CODE = re.compile(r"(?<![\d./-])\d{3} \d{4}(?!\d|[./-]\d)")
_PREFIXED_CODE = re.compile(r"\b[A-Z]{2,6}[-/]\d{2,4}[-/]\d{2,}\b|\b[A-Z]{2,6}-\d{5,}\b")
_HASH_NUMBER = re.compile(r"#\s?\d")
_HASHTAG_CODE = re.compile(r"#\d{3}-(?:\d{3}-\d{3}|\d{4})(?!\d)")


def _rule_12_codes(text: str, ctx: MessageContext) -> Iterator[Finding]:
    for pattern, problem in (
        (_BARE_CODE, "is read as one large number"),
        (_SPACED_CODE, "is read as one large number (a space joins)"),
    ):
        for match in pattern.finditer(text):
            if _PHONE_CONTEXT.search(text[: match.start()]):
                continue
            yield Finding(12, f"{match.group()!r} {problem}; show a code as '726-4185'")
    for match in _PREFIXED_CODE.finditer(text):
        yield Finding(12, f"code {match.group()!r}; tracking codes are shown as '726-4185'")
    for match in _HASH_NUMBER.finditer(text):
        if ctx.audience != "citizen" and _HASHTAG_CODE.match(text, match.start()):
            continue  # the staff group's tag for a report's files and notes, to search by
        yield Finding(12, f"{match.group()!r}: '#' is read 'pagar'; show a code as '726-4185'")


_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:dll|dsb|dst|dkk|dlsb|tsb)\b\.?", re.IGNORECASE), "spell it out"),
    (re.compile(r"\bjln?\b\.?", re.IGNORECASE), "write 'Jalan'"),
    (re.compile(r"\bgg\.", re.IGNORECASE), "write 'Gang'"),
    (re.compile(r"\btgl\b\.?", re.IGNORECASE), "write 'tanggal'"),
    (re.compile(r"(?<!\w)a\.\s?n\.|(?<!\w)a/n\b", re.IGNORECASE), "write 'atas nama'"),
    (re.compile(r"(?<!\w)u/(?!\d)", re.IGNORECASE), "write 'untuk'"),
    (re.compile(r"(?<!\w)s\.\s?d\.|(?<!\w)s/d\b", re.IGNORECASE), "write 'sampai dengan'"),
    (re.compile(r"\bno\.\s*\d", re.IGNORECASE), "write 'nomor'"),
    (re.compile(r"\bhlm\b\.?|\bhal\.\s*\d", re.IGNORECASE), "write 'halaman'"),
    (re.compile(r"\b(?:kel|kec|kab|prov)\.", re.IGNORECASE), "write the word in full"),
    (re.compile(r"\b(?:telp|tlp|tlpn)\b\.?", re.IGNORECASE), "write 'telepon'"),
    (re.compile(r"\b(?:bpk|sdr|sdri)\b\.?|\bBp\.", re.IGNORECASE), "write the word in full"),
    (re.compile(r"\betc\b\.?|(?<!\w)e\.g\.|(?<!\w)i\.e\.|\bapprox\b\.?", re.IGNORECASE),
     "write the words in full"),
    # Chat shorthand: lower case only, so agency names such as "PD Pasar" pass.
    (re.compile(r"\b(?:yg|dgn|dg|utk|krn|tdk|sdh|udh|blm|jg|kpd|thd|sbg|sbb|spy|bhw"
                r"|dr|pd|sy|tlg|mhn|ybs|hrs|bs|krg|lg)\b"), "write the word in full"),
    (re.compile(r"\bR[TW]\.?\s*0\d+", re.IGNORECASE), "drop the leading zero: 'RT 3 RW 5'"),
    (re.compile(r"\bR[TW]\.\s*\d", re.IGNORECASE), "no dot: 'RT 3 RW 5'"),
    (re.compile(r"\bRT\.?\s*\d+\s*/\s*RW", re.IGNORECASE), "no slash: 'RT 3 RW 5'"),
)  # fmt: skip


# A sign with no word or number joined to it is read by its name; "#catatan" and
# "@petugas" are tags and names, left to rules 12 and 14.
_BARE_SIGNS = {"#": "'pagar'; write 'nomor'", "@": "'a keong'; write 'di'"}
_BARE_SIGN = re.compile(r"(?<!\w)[#@](?!\w)")


def _rule_13_abbreviations(text: str, ctx: MessageContext) -> Iterator[Finding]:
    for pattern, advice in _ABBREVIATIONS:
        for match in pattern.finditer(text):
            yield Finding(13, f"abbreviation {match.group().strip()!r} is spelled out; {advice}")
    for match in _BARE_SIGN.finditer(text):
        yield Finding(13, f"a bare {match.group()!r} is read {_BARE_SIGNS[match.group()]}")


_LINKS = (
    re.compile(r"\b(?:https?|tg)://\S+", re.IGNORECASE),
    re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"\bwww\.\S+", re.IGNORECASE),
    re.compile(r"\bt\.me/\S*", re.IGNORECASE),
    re.compile(
        r"(?<![\w.@/])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:go\.id|co\.id|or\.id|ac\.id|web\.id"
        r"|my\.id|id|com|org|net|info)\b(?![.\w/])",
        re.IGNORECASE,
    ),
    re.compile(r"(?<![\w.])@[A-Za-z]\w{3,}"),
)


def _rule_14_links(text: str, ctx: MessageContext) -> Iterator[Finding]:
    if ctx.audience == "operator":
        return
    seen: list[tuple[int, int]] = []
    for pattern in _LINKS:
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in seen):
                continue
            seen.append(match.span())
            yield Finding(
                14, f"link {match.group()!r}; a voice spells it out character by character"
            )


_RELAY_HEADERS = {
    "id": re.compile(r"^Balasan dari \S.*? untuk laporan \d{3}-(?:\d{3}-\d{3}|\d{4}):(?:\s|$)"),
    "en": re.compile(
        r"^Reply from \S.*? (?:for|on|about|to) report \d{3}-(?:\d{3}-\d{3}|\d{4}):(?:\s|$)"
    ),
}


def _rule_22_staff_relay(text: str, ctx: MessageContext) -> Iterator[Finding]:
    if not ctx.is_staff_relay:
        return
    language = ctx.locale.split("_")[0].split("-")[0]
    header = _RELAY_HEADERS.get(language, _RELAY_HEADERS["id"])
    if not header.match(text.lstrip()):
        yield Finding(
            22,
            "a staff reply must start 'Balasan dari {instansi} untuk laporan 726-4185:'; "
            f"starts {_quote(text)}",
        )


_FIRST_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n")
_CODE = re.compile(r"(?<!\d)\d{3}-(?:\d{3}-\d{3}|\d{4})(?!\d)")


def _rule_23_status(text: str, ctx: MessageContext) -> Iterator[Finding]:
    if ctx.status is None:
        return
    # A colon does not end it: "Status laporan 726-4185: Ditunda; ..." is one sentence.
    first = _FIRST_SENTENCE.split(text.strip(), maxsplit=1)[0]
    if not _CODE.search(first):
        yield Finding(23, f"a status message names the code in its first sentence: {_quote(first)}")
    if ctx.status.casefold() not in first.casefold():
        yield Finding(
            23,
            f"a status message names the new status {ctx.status!r} in its first sentence: "
            f"{_quote(first)}",
        )


_CHECKS: tuple[Check, ...] = (
    _rule_2_slash_commands,
    _rule_3_questions,
    _rule_4_steps,
    _rule_5_length,
    _rule_6_lists,
    _rule_7_emoji,
    _rule_8_markup,
    _rule_10_dates,
    _rule_11_times,
    _rule_12_codes,
    _rule_13_abbreviations,
    _rule_14_links,
    _rule_20_buttons,
    _rule_22_staff_relay,
    _rule_23_status,
)


_PLAIN = MessageContext()


# Words the bot quotes (a citizen's report on a card, a staff member's note) are set
# apart with Unicode isolates (FSI ... PDI, bot.cards.citizen_text): they are their
# writers' own, which the bot must not rewrite, so they are not checked as its words.
_QUOTED = re.compile("\u2068[^\u2069]*\u2069")


def check_message(text: str, ctx: MessageContext = _PLAIN) -> list[Finding]:
    """Every finding for ``text`` sent with ``ctx``, ordered by rule; empty if it passes."""
    own = _QUOTED.sub("", text)
    findings = [finding for check in _CHECKS for finding in check(own, ctx)]
    return sorted(findings, key=lambda f: f.rule)
