"""Hostile and odd texts a citizen can send, each with a name a failure report can show.

Telegram refuses an empty message and cuts a text over 4096 characters into several
messages before the bot sees it, so the longest texts here are 4096 characters and the
empty text and the 10,000-character paste are tested apart (tests/test_hostile.py).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

TELEGRAM_MAX_TEXT = 4096


@dataclass(frozen=True)
class Hostile:
    """One text of the corpus."""

    name: str
    text: str


def _long_sentence(length: int) -> str:
    words = "Jalan berlubang di depan pasar membuat pengendara motor sering terjatuh. "
    return (words * (length // len(words) + 1))[:length]


CORPUS: tuple[Hostile, ...] = (
    # Whitespace only, and characters that draw nothing.
    Hostile("one space", " "),
    Hostile("spaces", "      "),
    Hostile("tab", "\t"),
    Hostile("newlines", "\n\n\n"),
    Hostile("mixed blanks", " \n \t \u00a0 \u3000 "),
    Hostile("zero-width space", "\u200b"),
    Hostile("zero-width mix", "\u200b\u200c\u200d\u2060\ufeff"),
    Hostile("hangul filler", "\u3164\u3164\u3164"),
    Hostile("blank braille", "\u2800" * 25),
    Hostile("invisible but long", "\u200b" * 30),
    # Lengths at and over the limits.
    Hostile("telegram maximum", "a" * TELEGRAM_MAX_TEXT),
    Hostile("telegram maximum in words", _long_sentence(TELEGRAM_MAX_TEXT)),
    Hostile("one over the content limit", _long_sentence(3001)),
    Hostile("exactly the content limit", _long_sentence(3000)),
    Hostile("exactly the minimum", "Lampu jalan mati!!!!"),
    Hostile("one under the minimum", "Lampu jalan mati!!!"),
    Hostile("one long word", "x" * 3500),
    # Direction overrides and marks.
    Hostile(
        "right-to-left override",
        "\u202eJalan rusak di depan rumah nomor 12 sejak minggu lalu, mohon diperbaiki.",
    ),
    Hostile(
        "override inside", "Tagihan air \u202e000.005 pR\u202c naik tanpa pemberitahuan sejak Mei."
    ),
    Hostile(
        "arabic with marks", "\u200fطريق مكسور أمام المدرسة منذ أسبوعين ويحتاج إلى إصلاح\u200f"
    ),
    Hostile("isolates", "\u2067\u2066Sampah menumpuk\u2069 di TPS Cicadas sejak Senin\u2069"),
    # Zero-width characters inside real words.
    Hostile(
        "zero-width inside", "Jalan\u200b rusak\u200d berlubang di depan sekolah dasar negeri."
    ),
    Hostile("zero-width choice", "1\u200b"),
    Hostile("byte order mark first", "\ufeffPohon tumbang menutup jalan Dago sejak tadi pagi."),
    # Emoji.
    Hostile("one emoji", "😡"),
    Hostile("emoji around text", "🚧🚧🚧 Jalan rusak parah di depan Pasar Baru 🚧🚧🚧"),
    Hostile("family emoji", "👨‍👩‍👧‍👦 Keluarga kami terganggu bising pabrik setiap malam 👨‍👩‍👧‍👦"),
    Hostile("flag and skin tone", "🇮🇩👍🏽"),
    Hostile("keycap one", "1️⃣"),
    # HTML, Markdown and template syntax.
    Hostile("html tags", "<b>Jalan</b> rusak di depan <i>sekolah</i> & pasar <u>Kosambi</u>."),
    Hostile("script tag", "<script>alert('lapor')</script> lampu jalan mati di Jalan Riau"),
    Hostile("html entities", "&lt;b&gt; &amp;amp; &quot; &#39; &nbsp; sampah tidak diangkut"),
    Hostile("telegram link tag", '<a href="tg://user?id=1">klik di sini</a> untuk laporan palsu'),
    Hostile("closing tags", "</code></pre></b></i></a> drainase tersumbat di Antapani"),
    Hostile("markdown", "*tebal* _miring_ `kode` [tautan](http://contoh.id) ~coret~ ||rahasia||"),
    Hostile("markdown code block", "```\nSELECT * FROM reports;\n```\nSaluran air meluap."),
    Hostile("escaped markdown", r"\*bukan tebal\* \_bukan miring\_ angkot ngetem sembarangan"),
    Hostile("format braces", "{city} {phone} {0} {{}} {content!r} %s %d ${jndi:ldap://x}"),
    # SQL-looking strings.
    Hostile("sql drop", "'; DROP TABLE reports; --"),
    Hostile("sql tautology", "1' OR '1'='1"),
    Hostile("bobby tables", "Robert'); DROP TABLE reporters;-- laporan tentang parkir liar"),
    Hostile("sql sleep", "1; SELECT pg_sleep(10); -- jalan berlubang di Jalan Asia Afrika"),
    Hostile("sql union", "x' UNION SELECT chat_id, first_name FROM reporters --"),
    Hostile("like wildcards", "%_%\\"),
    # Control characters.
    Hostile("nul alone", "\x00"),
    Hostile("nul inside", "Laporan\x00dengan\x00karakter nol di tengah kalimat yang panjang."),
    Hostile(
        "terminal escapes", "\x07\x08\x1b[31mMERAH\x1b[0m lampu lalu lintas mati di perempatan"
    ),
    Hostile("carriage returns", "Baris pertama\r\nbaris kedua\rbaris ketiga tentang sampah liar."),
    Hostile(
        "delete and next line", "\x7f\u0085Pedagang kaki lima menutup trotoar Jalan Dalem Kaum."
    ),
    Hostile("line separators", "Air PDAM keruh\u2028sejak tiga hari\u2029di Cibiru."),
    # Unicode oddities.
    Hostile("combining marks", "Z̷̢͈a̵l̶g̷o̸ j̴a̷l̵a̶n̸ r̵u̴s̷a̸k̶ d̸i̶ d̷e̵p̴a̸n̷ p̵a̴s̶a̷r̸"),
    Hostile("mathematical letters", "𝕁𝕒𝕝𝕒𝕟 𝕣𝕦𝕤𝕒𝕜 𝕕𝕚 𝕕𝕖𝕡𝕒𝕟 𝕤𝕖𝕜𝕠𝕝𝕒𝕙"),
    Hostile("full-width word", "ｍｅｎｕ ｌａｐｏｒａｎ"),
    Hostile("full-width digit", "１"),
    Hostile("arabic-indic digit", "١"),
    Hostile("huge number", "99999999999999999999999999"),
    Hostile("negative and decimal", "-1.5e9"),
    Hostile("look-alike cyrillic", "кирим"),
    Hostile("private use", "\ue000\uf8ff laporan dengan karakter pribadi"),
    Hostile("non-characters", "\ufffe\uffff\ufffd sampah menumpuk"),
    # Commands with junk arguments, and slashes.
    Hostile("start with sql", "/start ' OR 1=1 --"),
    Hostile("menu addressed", "/menu@lapor_test_bot sekarang juga"),
    Hostile("unknown command", "/hapus semua laporan"),
    Hostile("slash alone", "/"),
    Hostile("double slash", "//"),
    Hostile("slash and number", "/ 1"),
)


# Embeddings, overrides and isolates reorder text; marks (LRM, RLM, ALM) do not.
REORDERING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def readable(text: str) -> str:
    """The text as the bot keeps it: control characters other than line breaks and tabs,
    the characters that reorder text and the noncharacters U+FFFE/F dropped, carriage
    returns made line breaks, in NFC (written apart from the bot's own code)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        ch
        for ch in text
        if ch in "\n\t"
        or (
            unicodedata.category(ch) not in ("Cc", "Cs")
            and ch not in REORDERING
            and ch not in "\ufffe\uffff"
        )
    )
    return unicodedata.normalize("NFC", kept)
