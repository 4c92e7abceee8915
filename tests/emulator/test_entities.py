"""The emulator's parsers against vectors from tdlib's own message entity tests."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator.entities import EntityParseError, detect_entities, parse_html
from bot.sandbox.emulator.markdown import parse_markdown, parse_markdown_v2

HTML_ERRORS = [
    ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
    ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
    ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
    ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
    ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
    ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
    ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
    ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
    ("🏟 🏟&lt;<i>a</em   >", 'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"'),
    ("<b>laporan", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("&#xDFDF;", "Text contains invalid Unicode characters after decoding HTML entities, "
     "check for unmatched surrogate code units"),
]  # fmt: skip


@pytest.mark.parametrize(("source", "message"), HTML_ERRORS)
def test_html_errors_match_tdlib(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert str(caught.value) == message


HTML_OK = [
    ("&ge;&lt;&gt;&amp;&quot;&laquo;&#65;&#x42;", '&ge;<>&"&laquo;AB', []),
    ("➡️ ➡️<i>➡️ ➡️</i>", "➡️ ➡️➡️ ➡️", [{"type": "italic", "offset": 5, "length": 5}]),
    (
        "🏟 🏟<i>🏟 &gt;<b aba   =   caba>&lt🏟</b></i>",
        "🏟 🏟🏟 ><🏟",
        [{"type": "italic", "offset": 5, "length": 7}, {"type": "bold", "offset": 9, "length": 3}],
    ),
    ("🏟 🏟&lt;<i>a</>", "🏟 🏟<a", [{"type": "italic", "offset": 6, "length": 1}]),
    (
        "<a   href=  'telegram.org?&lt;'   > </a>",
        " ",
        [{"type": "text_link", "offset": 0, "length": 1, "url": "http://telegram.org/?<"}],
    ),
    ("<a> </a>", " ", []),
    (
        '🏟 🏟&lt;<pre><code class="language-fift">🏟 🏟&lt;</></>',
        "🏟 🏟<🏟 🏟<",
        [{"type": "pre", "offset": 6, "length": 6, "language": "fift"}],
    ),
    (
        '<pre><code class="language-py">x</code> </pre>',
        "x ",
        [{"type": "pre", "offset": 0, "length": 2}, {"type": "code", "offset": 0, "length": 1}],
    ),
    (
        '<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler><u>c</u><s>d</s>',
        "abcd",
        [
            {"type": "spoiler", "offset": 0, "length": 1},
            {"type": "spoiler", "offset": 1, "length": 1},
            {"type": "underline", "offset": 2, "length": 1},
            {"type": "strikethrough", "offset": 3, "length": 1},
        ],
    ),
    (
        "<blockquote expandable>q</blockquote><blockquote>r</blockquote>",
        "qr",
        [
            {"type": "expandable_blockquote", "offset": 0, "length": 1},
            {"type": "blockquote", "offset": 1, "length": 1},
        ],
    ),
    (
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "👍",
        [
            {
                "type": "custom_emoji",
                "offset": 0,
                "length": 2,
                "custom_emoji_id": "5368324170671202286",
            }
        ],
    ),
]


@pytest.mark.parametrize(("source", "text", "entities"), HTML_OK)
def test_html_parses_like_tdlib(source: str, text: str, entities: list[dict[str, object]]) -> None:
    parsed = parse_html(source)
    assert parsed.text == text
    assert parsed.entities == entities


def test_markdown_v2_entities_and_escapes() -> None:
    source = r"*Laporan* _baru_ __u__ ~s~ ||x|| `c` [link](https://lapor.go.id) \."
    parsed = parse_markdown_v2(source)
    assert parsed.text == "Laporan baru u s x c link ."
    kinds = [(e["type"], e["offset"], e["length"]) for e in parsed.entities]
    assert kinds == [
        ("bold", 0, 7),
        ("italic", 8, 4),
        ("underline", 13, 1),
        ("strikethrough", 15, 1),
        ("spoiler", 17, 1),
        ("code", 19, 1),
        ("text_link", 21, 4),
    ]
    assert parsed.entities[-1]["url"] == "https://lapor.go.id/"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Nomor 12.", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("a-b", "Character '-' is reserved and must be escaped with the preceding '\\'"),
        ("*tebal", "Can't find end of Bold entity at byte offset 0"),
        ("é [x](http://a.b", "Can't find end of a URL at byte offset 7"),
    ],
)
def test_markdown_v2_errors(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_markdown_v2(source)
    assert str(caught.value) == message


def test_markdown_v2_blockquote_and_pre_language() -> None:
    parsed = parse_markdown_v2(">kutipan\n>lanjut\n```python\nprint(1)```")
    assert parsed.text == "kutipan\nlanjut\nprint(1)"
    assert parsed.entities[0] == {"type": "blockquote", "offset": 0, "length": 15}
    assert parsed.entities[1] == {"type": "pre", "offset": 15, "length": 8, "language": "python"}


def test_legacy_markdown() -> None:
    parsed = parse_markdown("*tebal* _miring_ `kode` [tautan](http://lapor.go.id)")
    assert parsed.text == "tebal miring kode tautan"
    assert [e["type"] for e in parsed.entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(EntityParseError, match="Can't find end of the entity starting at byte"):
        parse_markdown("*tebal")


def test_detected_entities_use_utf16_offsets_and_skip_code() -> None:
    text = "😀 /start@lapor_test_bot lihat https://lapor.go.id/x. #LPR2024 @siti_r a@b.co"
    found = detect_entities(text)
    spans = {e["type"]: text.encode("utf-16-le")[e["offset"] * 2 : (e["offset"] + e["length"]) * 2]
             .decode("utf-16-le") for e in found}  # fmt: skip
    assert spans == {
        "bot_command": "/start@lapor_test_bot",
        "url": "https://lapor.go.id/x",
        "hashtag": "#LPR2024",
        "mention": "@siti_r",
        "email": "a@b.co",
    }
    inside_code = detect_entities("see https://x.id", [{"type": "code", "offset": 4, "length": 12}])
    assert [e["type"] for e in inside_code] == ["code"]
