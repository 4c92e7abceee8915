"""Choosing the parser for a Bot API parse_mode."""

from __future__ import annotations

from bot.sandbox.emulator.entities import ParsedText, parse_html
from bot.sandbox.emulator.markdown import parse_markdown, parse_markdown_v2


def parse(text: str, parse_mode: str | None) -> ParsedText:
    """Parses ``text`` per ``parse_mode`` (case-insensitive); raises EntityParseError."""
    mode = (parse_mode or "").strip().lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    return ParsedText(text, [])


class UnsupportedParseMode(ValueError):
    pass


def check_parse_mode(parse_mode: str | None) -> None:
    if parse_mode and parse_mode.strip().lower() not in ("html", "markdownv2", "markdown"):
        raise UnsupportedParseMode(f"unsupported parse_mode {parse_mode!r}")
