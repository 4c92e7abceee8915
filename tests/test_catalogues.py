"""The gettext catalogues: complete in both languages, used consistently, and accessible."""

from __future__ import annotations

import ast
import re
import string

import pytest

from bot.app import COMMANDS
from bot.core.intake.steps import Step
from bot.core.lifecycle import Status
from bot.core.transitions import JOINING_ACTIONS, SYSTEM_ACTIONS, Action, Refusal
from bot.language import informal
from bot.language.accessibility import check_message
from bot.language.i18n import Lines, Listing, Msg, load_locales
from bot.notify.card_buttons import TEXT_ACTIONS
from bot.settings import PROJECT_ROOT
from handlers.staff_commands import ACTION_COMMANDS
from handlers.staff_text import HINTED_RULES, Denial
from tests.a11y import RULES, STATUS_NOTICES, catalogue_context

LOCALES = load_locales()
CITIZEN_ACTIONS = (Action.SUPPLY, Action.DISPUTE)
SOURCE = LOCALES.catalogues["id"]
# Keyword lists, not messages: comma-separated words a citizen may type.
KEYWORD_KEYS = {key for key in SOURCE if key.startswith("word.") or key.endswith(".words")}
MESSAGE_KEYS = sorted(set(SOURCE) - KEYWORD_KEYS)

SAMPLES: dict[str, object] = {
    "city": "Kota Bandung",
    "phone": "022-1500-000",
    "sms": "1708",
    # The bot's username, set apart as handlers/unserved.py sends it.
    "bot": "\u2068@LaporBandungBot\u2069",
    "options": Listing(("Pengaduan", "Aspirasi", "Permintaan informasi")),
    "number": 2,
    "total": 8,
    "step": 4,
    "min": 20,
    "max": 5,
    "max_mb": 20,
    "count": 2,
    "length": 3412,
    "seconds": 12,
    "example": "22 November 2026",
    "code": "726-4185",
    "spelled": "7 2 6, 4 1 8 5",
    "deadline": "30 November 2026",
    "date": "25 November 2026",
    "time": "10.00 WIB",
    "label": Msg("status.menunggu_verifikasi"),
    "next": Msg("status.next.menunggu_verifikasi", {"deadline": "30 November 2026"}),
    "agency": "Dinas Perhubungan",
    "queue": "Verifikasi",
    "category": "Jalan rusak",
    "value": "Jalan Braga nomor 12",
    "content": "Jalan di depan sekolah berlubang besar sejak dua minggu.",
    "summary": Lines((Msg("readback.klasifikasi", {"value": "Pengaduan"}),)),
    "entries": Listing(
        (
            Msg(
                "timeline.entry",
                {"date": "25 November 2026", "time": "10.00 WIB", "label": "diterima"},
            ),
        )
    ),
    "reports": Listing(("726-4185, Jalan rusak, Menunggu verifikasi",)),
    "url": "http://127.0.0.1:8081/bot",
    "labels": "Pengaduan | Aspirasi",
    "kind": "Pengaduan",
    "lat": "-6.91750",
    "lon": "107.61910",
    "name": "Siti Rahma",
    "text": "Mohon sebutkan nomor rumah yang tepat.",
    "actor": "Petugas Dina",
    "left": "sisa 2 hari kerja",
    "days": 2,
    "language": Msg("option.bahasa_id"),
    "simple": Msg("settings.off"),
    "voice": Msg("settings.unavailable"),
    "hints": Listing((Msg("staff.hint.rule_7"), Msg("staff.hint.rule_10"))),
    "start": "5 Oktober 2026",
    "end": "29 November 2026",
    "period": "8 minggu terakhir, 5 Oktober 2026 sampai 29 November 2026",
    "when": "Minggu mulai 5 Oktober 2026",
    "parts": "Menunggu verifikasi 3, Ditunda 2, Diteruskan 5, Ditindaklanjuti 4, Selesai 10, "
    "Bukan wewenang 3, Diarsipkan 3",
    "share": 75,
    "month": "November 2026",
    "year_month": "2026-11",
    # The counter (issue 18).
    "counter": "Loket Mal Pelayanan Publik",
    "who": Msg("counter.who", {"name": "Siti Rahma, 081234567890"}),
    "said": Msg("counter.notice.said", {"text": "Mohon sebutkan nomor rumah yang tepat."}),
    "pin": "482-913",
    "words": "tujuh dua enam, empat satu delapan tiga",
    "found": Msg("filing.found_place", {"value": "Jalan Sukajadi"}),
    # Areas (issue 16): among the sample city's longest names.
    "kelurahan": "Cisaranten Bina Harapan",
    "kecamatan": "Cibeunying Kaler",
    "kota": "Kota Bandung",
    "open": 3,
    "done": 12,
    # The command line's, for the operator (issue 14).
    "setting": "DATABASE_URL",
    "command": "lapor-bot token",
    "ge": 24,
    "gt": 0,
    "le": 100,
    "lt": 65536,
    "detail": "Input should be a valid boolean",
    "scheme": "postgresql",
    "wanted": "postgresql+asyncpg",
    "folder": "/var/lib/lapor-bot",
    "path": "/var/lib/lapor-bot/lapor.db",
    "host": "db.internal",
    "port": 5432,
    "user": "lapor",
    "database": "lapor",
    "username": "LaporBandungBot",
    "chat_id": -1001234567890,
    "title": "Staf Pengaduan Kota Bandung",
    "right": "Kelola Topik",
    "reason": "Permission denied",
    "names": "TELEGRAM_BOT_TOKEN, ADMIN_CHAT_ID",
    "min_length": 1,
    "line": 40,
    "column": 13,
    "officer": 123456789,
    # Levels (issue 16): an area's Kemendagri code.
    "area": "32.73.02.1004",
    # Followers and duplicates (issue 16).
    "other": "516-7391",
    "moved": 1,
    "metres": 50,
    "status": Msg("similar.status.menunggu"),
}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_catalogues_have_the_same_keys_and_no_empty_text() -> None:
    assert set(LOCALES.catalogues["en"]) == set(SOURCE)
    assert all(
        text.strip() for catalogue in LOCALES.catalogues.values() for text in catalogue.values()
    )


@pytest.mark.parametrize("key", MESSAGE_KEYS)
def test_translations_take_the_same_placeholders(key: str) -> None:
    assert placeholders(LOCALES.catalogues["en"][key]) == placeholders(SOURCE[key])


def _literal_keys() -> set[str]:
    prefixes = {key.split(".")[0] for key in SOURCE}
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            if "emulator" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    value = node.value
                    if (
                        re.fullmatch(r"[a-z_]+(\.[a-z0-9_]*[a-z0-9])+", value)
                        and value.split(".")[0] in prefixes
                    ):
                        found.add(value)
    return found


def test_every_key_named_in_code_exists() -> None:
    missing = sorted(key for key in _literal_keys() if key not in SOURCE)
    assert missing == []


def _built_keys() -> list[str]:
    """Keys the code builds from names rather than writing out."""
    built = [status.label_key for status in Status] + [status.next_step_key for status in Status]
    built += [f"timeline.{status.value.lower()}" for status in Status]
    built += [f"help.step.{step.value}" for step in Step]
    built += [
        f"step.{step.value}" for step in Step if step not in (Step.PERIKSA, Step.UBAH, Step.SERUPA)
    ]
    built += [f"file.{kind}" for kind in ("photo", "document", "voice", "audio", "video")]
    built += [f"error.tanggal_{reason}" for reason in ("unreadable", "future", "invalid")]
    built += [f"command.{name}" for name in COMMANDS]
    built += [f"filing.ask.{step.value}" for step in (Step.KLASIFIKASI, Step.PRIVASI, Step.UBAH)]
    built += [
        f"card.button.{action.value}"
        for action in Action
        if action not in (*CITIZEN_ACTIONS, *SYSTEM_ACTIONS, *JOINING_ACTIONS)
    ]
    built += [f"staff.how_to.{action.value}" for action in TEXT_ACTIONS]
    built += [f"staff.usage.{command}" for command in (*ACTION_COMMANDS, "laporan")]
    built += [f"staff.refused.{reason.value}" for reason in (*Refusal, *Denial)]
    built += [f"staff.hint.rule_{rule}" for rule in HINTED_RULES]
    # Chat words: every word.informal.* list is read (bot/language/informal.py).
    built += [key for key in SOURCE if key.startswith(informal.PREFIX)]
    return built


def test_keys_built_from_names_exist() -> None:
    assert [key for key in _built_keys() if key not in SOURCE] == []


def test_no_text_is_left_unused() -> None:
    used = _literal_keys() | set(_built_keys())
    used |= {f"{key}.words" for key in used}
    assert sorted(set(SOURCE) - used) == []


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("key", MESSAGE_KEYS)
def test_every_message_meets_the_accessibility_rules(locale: str, key: str) -> None:
    t = LOCALES.get(locale)
    text = t(key, **{name: SAMPLES[name] for name in placeholders(SOURCE[key])})
    found = check_message(text, catalogue_context(key, text, locale))
    assert [finding for finding in found if finding.rule in RULES] == []


def test_status_notices_are_checked_for_their_status() -> None:
    """Rule 23 is applied to keys that exist, with the status words in both languages."""
    assert set(STATUS_NOTICES) <= set(SOURCE)
    assert all(set(words) == {"id", "en"} for words in STATUS_NOTICES.values())
    for locale in ("id", "en"):
        label = LOCALES.get(locale).render(SAMPLES["label"])
        assert label == STATUS_NOTICES["status.current"][locale], "the sample label's words"


@pytest.mark.parametrize("locale", ["id", "en"])
def test_keywords_are_single_lowercase_words_or_phrases(locale: str) -> None:
    for key in KEYWORD_KEYS:
        for word in LOCALES.catalogues[locale][key].split(","):
            assert word.strip() and word.strip() == word.strip().casefold(), (key, word)
