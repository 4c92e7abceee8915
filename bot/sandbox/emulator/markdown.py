"""MarkdownV2 and legacy Markdown, parsed with tdlib's rules and error wording."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox.emulator.entities import (
    SPACE,
    Entity,
    EntityParseError,
    ParsedText,
    Utf8Bytes,
    link_entity,
    make_entity,
    sort_entities,
    utf16_units,
)

_MD_TYPE_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline",
    "strikethrough": "Strikethrough", "spoiler": "Spoiler", "code": "Code", "pre": "Pre",
    "pre_code": "PreCode", "text_link": "TextUrl", "custom_emoji": "CustomEmoji",
    "blockquote": "BlockQuote", "expandable_blockquote": "ExpandableBlockQuote",
}  # fmt: skip
_MD_RESERVED = frozenset(b"_*[]()~`>#+-=|{}.!\n")


@dataclass
class _OpenMd:
    kind: str
    argument: str
    offset: int
    byte_offset: int
    out_pos: int


def _reserved(char: int) -> EntityParseError:
    return EntityParseError(
        f"Character '{chr(char)}' is reserved and must be escaped with the preceding '\\'"
    )


def _cant_find_end(top: _OpenMd) -> EntityParseError:
    return EntityParseError(
        f"Can't find end of {_MD_TYPE_NAMES[top.kind]} entity at byte offset {top.byte_offset}"
    )


class _MarkdownV2:
    def __init__(self, source: str) -> None:
        self.src = Utf8Bytes(source)
        self.out = bytearray()
        self.entities: list[Entity] = []
        self.stack: list[_OpenMd] = []
        self.units = 0
        self.have_blockquote = False
        self.can_start_blockquote = True

    def parse(self) -> ParsedText:
        src = self.src
        i = 0
        while i < src.size:
            c = src[i]
            if c == ord("\\") and 0 < src[i + 1] <= 126:
                i += 1
                self.units += 1
                self.out.append(src[i])
                if src[i] != ord("\r"):
                    self.can_start_blockquote = src[i] == ord("\n")
                i += 1
                continue
            reserved = _MD_RESERVED
            if self.stack and self.stack[-1].kind in ("code", "pre", "pre_code"):
                reserved = frozenset(b"`")
            if c not in reserved:
                units = utf16_units(c)
                self.units += units
                if units and c != ord("\r"):
                    self.can_start_blockquote = False
                self.out.append(c)
                i += 1
                continue
            i = self._close(i) if self._is_end(i) else self._open(i)
            i += 1
        self._finish()
        return ParsedText(self.out.decode("utf-8", "replace"), sort_entities(self.entities))

    def _is_end(self, i: int) -> bool:
        if not self.stack:
            return False
        src, c = self.src, self.src[i]
        line_ends = c == ord("\n") and (i + 1 == src.size or src[i + 1] != ord(">"))
        if self.have_blockquote and line_ends:
            return True
        kind = self.stack[-1].kind
        double = src[i + 1] == c
        checks: dict[str, Callable[[], bool]] = {
            "bold": lambda: c == ord("*"),
            "italic": lambda: c == ord("_") and not double,
            "code": lambda: c == ord("`"),
            "pre": lambda: c == ord("`") and double and src[i + 2] == c,
            "pre_code": lambda: c == ord("`") and double and src[i + 2] == c,
            "text_link": lambda: c == ord("]"),
            "underline": lambda: c == ord("_") and double,
            "strikethrough": lambda: c == ord("~"),
            "spoiler": lambda: c == ord("|") and double,
            "custom_emoji": lambda: c == ord("]"),
        }
        check = checks.get(kind)
        return check() if check is not None else False

    def _open(self, i: int) -> int:
        src, c = self.src, self.src[i]
        byte_offset = i
        argument = ""
        kind: str
        if c == ord("_"):
            kind = "italic"
            if src[i + 1] == ord("_"):
                kind = "underline"
                i += 1
        elif c == ord("*"):
            kind = "bold"
        elif c == ord("~"):
            kind = "strikethrough"
        elif c == ord("|"):
            if src[i + 1] != ord("|"):
                raise _reserved(c)
            i += 1
            kind = "spoiler"
        elif c == ord("["):
            kind = "text_link"
        elif c == ord("`"):
            kind = "code"
            if src[i + 1] == ord("`") and src[i + 2] == ord("`"):
                kind, argument, i = self._open_pre(i + 3)
        elif c == ord("!"):
            if src[i + 1] != ord("["):
                raise _reserved(c)
            i += 1
            kind = "custom_emoji"
        elif c == ord("\n"):
            self.units += 1
            self.out.append(c)
            self.can_start_blockquote = True
            return i
        elif c == ord(">"):
            if not self.can_start_blockquote:
                raise _reserved(c)
            if self.have_blockquote:
                return i
            kind = "blockquote"
            self.have_blockquote = True
        else:
            raise _reserved(c)
        self.stack.append(_OpenMd(kind, argument, self.units, byte_offset, len(self.out)))
        return i

    def _open_pre(self, i: int) -> tuple[str, str, int]:
        src = self.src
        kind, argument = "pre", ""
        language_end = i
        while src[language_end] not in SPACE and src[language_end] != ord("`"):
            language_end += 1
        if i != language_end and language_end < src.size and src[language_end] != ord("`"):
            kind = "pre_code"
            argument = src.data[i:language_end].decode("utf-8", "replace")
            i = language_end
        if src[i] in b"\n\r":
            if src[i + 1] in b"\n\r" and src[i] != src[i + 1]:
                i += 2
            else:
                i += 1
        return kind, argument, i - 1

    def _close(self, i: int) -> int:
        src, c = self.src, self.src[i]
        top = self.stack[-1]
        kind = top.kind
        if c == ord("\n") and kind != "blockquote":
            after_spoiler = top.byte_offset == i - 2 or (
                top.byte_offset == i - 3 and self.out[-1:] == b"\r"
            )
            if kind != "spoiler" or not after_spoiler:
                raise _cant_find_end(top)
            self.stack.pop()
            top = self.stack[-1]
            if top.kind != "blockquote":
                raise _cant_find_end(top)
            kind = "expandable_blockquote"
        argument = top.argument
        skip = self.units == top.offset
        extra: dict[str, Any] = {}
        if kind in ("underline", "spoiler"):
            i += 1
        elif kind in ("pre", "pre_code"):
            i += 2
        elif kind == "text_link":
            if src[i + 1] != ord("("):
                url = self.out[top.out_pos :].decode("utf-8", "replace")
            else:
                url, i = self._read_url(i + 2, "a URL")
            link = link_entity(top.offset, self.units - top.offset, url)
            skip = skip or link is None
            if link is not None:
                kind = link["type"]
                extra = {k: v for k, v in link.items() if k not in ("type", "offset", "length")}
        elif kind == "custom_emoji":
            if src[i + 1] != ord("("):
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            url, i = self._read_url(i + 2, "a custom emoji URL")
            match = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
            if match is None or int(match.group(1)) == 0:
                raise EntityParseError("Invalid custom emoji identifier specified")
            extra = {"custom_emoji_id": match.group(1)}
        elif kind in ("blockquote", "expandable_blockquote"):
            self.have_blockquote = False
            self.out.append(c)
            self.can_start_blockquote = True
            self.units += 1
            skip = False
        if not skip:
            length = self.units - top.offset
            if kind == "pre_code":
                extra = {"language": argument}
                kind = "pre"
            self.entities.append(make_entity(kind, top.offset, length, **extra))
        self.stack.pop()
        return i

    def _read_url(self, i: int, what: str) -> tuple[str, int]:
        src = self.src
        begin = i
        url = bytearray()
        while i < src.size and src[i] != ord(")"):
            if src[i] == ord("\\") and 0 < src[i + 1] <= 126:
                url.append(src[i + 1])
                i += 2
                continue
            url.append(src[i])
            i += 1
        if src[i] != ord(")"):
            raise EntityParseError(f"Can't find end of {what} at byte offset {begin}")
        return url.decode("utf-8", "replace"), i

    def _finish(self) -> None:
        if self.have_blockquote and self.stack:
            kind = "blockquote"
            top = self.stack[-1]
            if top.kind == "spoiler" and top.byte_offset == self.src.size - 2:
                self.stack.pop()
                kind = "expandable_blockquote"
            if self.stack and self.stack[-1].kind == "blockquote":
                self.have_blockquote = False
                top = self.stack.pop()
                if self.units != top.offset:
                    self.entities.append(make_entity(kind, top.offset, self.units - top.offset))
        if self.stack:
            raise _cant_find_end(self.stack[-1])


def parse_markdown_v2(source: str) -> ParsedText:
    return _MarkdownV2(source).parse()


def parse_markdown(source: str) -> ParsedText:  # noqa: PLR0915
    """Legacy Markdown: _italic_, *bold*, `code`, ```pre```, [text](url)."""
    src = Utf8Bytes(source)
    out = bytearray()
    entities: list[Entity] = []
    units = 0
    i = 0
    while i < src.size:
        c = src[i]
        if c == ord("\\") and src[i + 1] in b"_*`[":
            out.append(src[i + 1])
            units += 1
            i += 2
            continue
        if c not in b"_*`[":
            units += utf16_units(c)
            out.append(c)
            i += 1
            continue
        begin = i
        end_char = ord("]") if c == ord("[") else c
        is_pre = False
        language = ""
        i += 1
        if c == ord("`") and src[i] == ord("`") and src[i + 1] == ord("`"):
            i += 2
            is_pre = True
            language_end = i
            while src[language_end] not in SPACE and src[language_end] != ord("`"):
                language_end += 1
            if i != language_end and language_end < src.size and src[language_end] != ord("`"):
                language = src.data[i:language_end].decode("utf-8", "replace")
                i = language_end
            if src[i] in b"\n\r":
                i += 2 if src[i + 1] in b"\n\r" and src[i] != src[i + 1] else 1
        offset = units
        while i < src.size and (
            src[i] != end_char or (is_pre and not (src[i + 1] == ord("`") == src[i + 2]))
        ):
            units += utf16_units(src[i])
            out.append(src[i])
            i += 1
        if i == src.size:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {begin}")
        if units != offset:
            length = units - offset
            if c == ord("_"):
                entities.append(make_entity("italic", offset, length))
            elif c == ord("*"):
                entities.append(make_entity("bold", offset, length))
            elif c == ord("["):
                if src[i + 1] != ord("("):
                    url = src.data[begin + 1 : i].decode("utf-8", "replace")
                else:
                    i += 2
                    url_begin = i
                    while i < src.size and src[i] != ord(")"):
                        i += 1
                    url = src.data[url_begin:i].decode("utf-8", "replace")
                link = link_entity(offset, length, url)
                if link is not None:
                    entities.append(link)
            elif is_pre:
                entities.append(make_entity("pre", offset, length, language=language or None))
            else:
                entities.append(make_entity("code", offset, length))
        if is_pre:
            i += 2
        i += 1
    return ParsedText(out.decode("utf-8", "replace"), sort_entities(entities))
