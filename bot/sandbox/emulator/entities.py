"""Message entities: the HTML parse mode and the entities Telegram detects by itself.

The parser follows tdlib's (td/telegram/MessageEntity.cpp) rules and error
wording closely, because a bot's escaping bugs only show up if the emulator
rejects exactly what Telegram rejects. Parsers work on UTF-8 bytes since
Telegram reports byte offsets in errors, and emit entity offsets in UTF-16 code
units as the Bot API does. MarkdownV2 and Markdown live in markdown.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]

SPACE = frozenset(b" \t\r\n\x00\x0b\x0c")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_NAMED = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_HTML_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
_SIMPLE_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "u": "underline", "ins": "underline", "tg-spoiler": "spoiler",
}  # fmt: skip
# tdlib's sort priorities: equal spans are ordered by these (lower first).
_PRIORITY = {
    "bold": 90, "italic": 91, "code": 20, "pre": 11, "text_link": 49, "text_mention": 49,
    "underline": 92, "strikethrough": 93, "blockquote": 0, "expandable_blockquote": 0,
    "spoiler": 94, "custom_emoji": 99,
}  # fmt: skip
# Entity types that hide auto-detected links, mentions and commands inside them.
_OPAQUE = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})


class EntityParseError(Exception):
    """Telegram's parse failure; str(exc) is the part after "can't parse entities: "."""


@dataclass
class ParsedText:
    text: str
    entities: list[Entity] = field(default_factory=list)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf16_units(byte: int) -> int:
    """UTF-16 units contributed by a UTF-8 byte (0 for continuation bytes)."""
    if byte & 0xC0 == 0x80:
        return 0
    return 2 if byte >= 0xF0 else 1


def make_entity(kind: str, offset: int, length: int, **extra: Any) -> Entity:
    ent: Entity = {"type": kind, "offset": offset, "length": length}
    ent.update({k: v for k, v in extra.items() if v is not None})
    return ent


def sort_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)))


def checked_link(url: str) -> str:
    """A loose stand-in for LinkManager::get_checked_link: '' when Telegram would drop it."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return ""
    lowered = url.lower()
    if lowered.startswith(("tg:", "ton:", "mailto:", "ftp://")):
        return url
    web = re.match(r"^(?:(https?)://)?([^/?#]+)(.*)$", url, re.IGNORECASE | re.DOTALL)
    if re.match(r"^[a-z][a-z0-9+.-]*://", lowered) and not lowered.startswith(("http:", "https:")):
        return ""
    if web is None or (web.group(1) is None and "." not in web.group(2)):
        return ""
    scheme = (web.group(1) or "http").lower()
    rest = web.group(3)
    if not rest.startswith("/"):
        rest = "/" + rest
    return f"{scheme}://{web.group(2)}{rest}"


def link_entity(offset: int, length: int, url: str) -> Entity | None:
    match = re.fullmatch(r"tg://user\?id=(\d+)", url.strip())
    if match:
        return make_entity("text_mention", offset, length, user={"id": int(match.group(1))})
    checked = checked_link(url)
    if not checked:
        return None
    return make_entity("text_link", offset, length, url=checked)


class Utf8Bytes:
    """Byte string with tdlib's convention that reading past the end yields NUL."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")
        self.size = len(self.data)

    def __getitem__(self, index: int) -> int:
        return self.data[index] if index < self.size else 0


def _decode_html_entity(src: Utf8Bytes, pos: int) -> tuple[int, int] | None:
    """Returns (code point, position after it), or None to keep the '&' literally."""
    end = pos + 1
    code = 0
    if src[pos + 1] == ord("#"):
        end += 1
        if src[pos + 2] == ord("x"):
            end += 1
            while src[end] in _HEX:
                code = code * 16 + int(chr(src[end]), 16)
                end += 1
        else:
            while ord("0") <= src[end] <= ord("9"):
                code = code * 10 + src[end] - ord("0")
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
    else:
        while chr(src[end]).isascii() and chr(src[end]).isalpha():
            end += 1
        named = _NAMED.get(src.data[pos + 1 : end])
        if named is None:
            return None
        code = ord(named)
    if src[end] == ord(";"):
        end += 1
    return code, end


def _encode_code_point(code: int) -> bytes:
    return chr(code).encode("utf-8", "surrogatepass")


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int
    out_pos: int


def parse_html(source: str) -> ParsedText:
    src = Utf8Bytes(source)
    out = bytearray()
    entities: list[Entity] = []
    stack: list[_OpenTag] = []
    units = 0
    i = 0
    while i < src.size:
        c = src[i]
        if c == ord("&"):
            decoded = _decode_html_entity(src, i)
            if decoded is not None:
                code, i = decoded
                units += 2 if code > 0xFFFF else 1
                out += _encode_code_point(code)
                continue
        if c != ord("<"):
            units += utf16_units(c)
            out.append(c)
            i += 1
            continue
        begin = i
        i += 1
        if src[i] != ord("/"):
            i = _parse_start_tag(src, begin, i, stack, units=units, out_pos=len(out))
        else:
            i = _parse_end_tag(src, begin, i, stack, entities=entities, units=units, out=out)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for ent in entities:
        if ent["type"] == "code":
            ent.pop("language", None)
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units"
        ) from exc
    return ParsedText(text, sort_entities(entities))


def _parse_start_tag(
    src: Utf8Bytes, begin: int, i: int, stack: list[_OpenTag], *, units: int, out_pos: int
) -> int:
    while src[i] not in SPACE and src[i] != ord(">"):
        i += 1
    if src[i] == 0:
        raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
    name = src.data[begin + 1 : i].decode("utf-8", "replace").lower()
    if name not in _HTML_TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {begin}')
    argument = ""
    while src[i] != ord(">"):
        while src[i] != 0 and src[i] in SPACE:
            i += 1
        if src[i] == ord(">"):
            break
        attr_begin = i
        while src[i] not in SPACE and src[i] not in b"=>/\"'":
            i += 1
        attr = src.data[attr_begin:i]
        if not attr:
            raise EntityParseError(
                f'Empty attribute name in the tag "{name}" at byte offset {begin}'
            )
        while src[i] != 0 and src[i] in SPACE:
            i += 1
        if src[i] != ord("="):
            if src[i] == 0:
                raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {begin}')
            if name == "blockquote" and attr == b"expandable":
                argument = "1"
            continue
        i += 1
        while src[i] != 0 and src[i] in SPACE:
            i += 1
        if src[i] == 0:
            raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {begin}')
        value, i = _attribute_value(src, i)
        if src[i] == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        argument = _tag_argument(name, attr, value, argument)
    if name == "span" and argument != "spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    stack.append(_OpenTag(name, argument, units, out_pos))
    return i + 1


def _attribute_value(src: Utf8Bytes, i: int) -> tuple[str, int]:
    if src[i] not in b"'\"":
        token_begin = i
        while chr(src[i]).isascii() and (chr(src[i]).isalnum() or src[i] in b".-"):
            i += 1
        if src[i] not in SPACE and src[i] != ord(">"):
            raise EntityParseError(f"Unexpected end of name token at byte offset {token_begin}")
        return src.data[token_begin:i].decode("utf-8", "replace").lower(), i
    quote = src[i]
    i += 1
    value = bytearray()
    while src[i] != quote and src[i] != 0:
        if src[i] == ord("&"):
            decoded = _decode_html_entity(src, i)
            if decoded is not None:
                code, i = decoded
                value += _encode_code_point(code)
                continue
        value.append(src[i])
        i += 1
    if src[i] == quote:
        i += 1
    return value.decode("utf-8", "replace"), i


def _tag_argument(name: str, attr: bytes, value: str, current: str) -> str:
    if name == "a" and attr == b"href":
        return value
    if name == "code" and attr == b"class" and value.startswith("language-"):
        return value[len("language-") :]
    if name == "span" and attr == b"class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if name == "tg-emoji" and attr == b"emoji-id":
        return value
    if name == "blockquote" and attr == b"expandable":
        return "1"
    return current


def _parse_end_tag(
    src: Utf8Bytes,
    begin: int,
    i: int,
    stack: list[_OpenTag],
    *,
    entities: list[Entity],
    units: int,
    out: bytearray,
) -> int:
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
    while src[i] not in SPACE and src[i] != ord(">"):
        i += 1
    end_name = src.data[begin + 2 : i].decode("utf-8", "replace").lower()
    while src[i] in SPACE and src[i] != 0:
        i += 1
    if src[i] != ord(">"):
        raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
    top = stack[-1]
    if end_name and end_name != top.name:
        raise EntityParseError(
            f'Unmatched end tag at byte offset {begin}, expected "</{top.name}>", '
            f'found "</{end_name}>"'
        )
    if units > top.offset:
        _close_html_entity(top, units - top.offset, entities, out)
    stack.pop()
    return i + 1


def _close_html_entity(top: _OpenTag, length: int, entities: list[Entity], out: bytearray) -> None:
    offset, name, arg = top.offset, top.name, top.argument
    last = entities[-1] if entities else None
    same_span = last is not None and last["offset"] == offset and last["length"] == length
    if name in _SIMPLE_TAGS or name == "span":
        entities.append(make_entity(_SIMPLE_TAGS.get(name, "spoiler"), offset, length))
    elif name == "tg-emoji":
        if not arg.isdigit() or int(arg) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(make_entity("custom_emoji", offset, length, custom_emoji_id=arg))
    elif name == "a":
        url = arg or out[top.out_pos :].decode("utf-8", "replace")
        link = link_entity(offset, length, url)
        if link is not None:
            entities.append(link)
    elif name == "pre":
        if last is not None and same_span and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        else:
            entities.append(make_entity("pre", offset, length))
    elif name == "code":
        if last is not None and same_span and last["type"] == "pre" and arg:
            last["language"] = arg
        else:
            entities.append(make_entity("code", offset, length, language=arg or None))
    elif name == "blockquote":
        kind = "expandable_blockquote" if arg else "blockquote"
        entities.append(make_entity(kind, offset, length))


# --- entities Telegram finds by itself ----------------------------------------------------

_AUTO_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bot_command", re.compile(
        r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])"
    )),
    ("url", re.compile(r"(?i)(?<![\w@/])(?:https?://|www\.)[^\s<>\"]+")),
    ("email", re.compile(
        r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?!\w)"
    )),
    ("mention", re.compile(r"(?<![\w@.])@[A-Za-z0-9_]{2,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w{1,256}(?![\w#])")),
)  # fmt: skip
_TRAILING_PUNCTUATION = ".,;:!?)'\""


def detect_entities(text: str, existing: list[Entity] | None = None) -> list[Entity]:
    """Adds the url/mention/hashtag/bot_command/email entities Telegram detects itself."""
    existing = list(existing or [])
    blocked = [(e["offset"], e["offset"] + e["length"]) for e in existing if e["type"] in _OPAQUE]
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in _TRAILING_PUNCTUATION:
                    end -= 1
            if kind == "hashtag" and not any(ch.isalpha() for ch in text[start + 1 : end]):
                continue
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            offset = utf16_len(text[:start])
            length = utf16_len(text[start:end])
            if any(offset < b_end and b_start < offset + length for b_start, b_end in blocked):
                continue
            taken.append((start, end))
            found.append(make_entity(kind, offset, length))
    return sort_entities(existing + found)
