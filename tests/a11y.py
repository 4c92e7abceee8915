"""Test helpers applying ACCESSIBILITY.md: every catalogue entry, every recorded message.

`check_message` (bot/language/accessibility.py) knows each automatable rule of one message; here is
what a test knows besides: who reads a catalogue key (citizens or staff), which keys are
steps or button labels, and, for a recorded conversation, the keyboards and quoted replies
the bot really sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.language.accessibility import Finding, MessageContext, check_message
from bot.sandbox.emulator import Message

# Every rule check_message knows (22 only applies to staff relays, 23 to status messages).
RULES = frozenset({2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 20, 22, 23})

# Catalogue keys read by staff in their group, or by a developer at a terminal.
STAFF_PREFIXES = ("card.", "staff.", "sandbox.", "deadline.escalated", "deadline.reminder")
# Counter officers read counter.* at the desk; receipt.* is printed for them to hand over.
STAFF_PREFIXES += ("counter.", "receipt.")
# Catalogue keys the command line prints for the operator (addresses allowed, rule 14).
OPERATOR_PREFIXES = ("cli.", "setting.", "setup.", "agencies_file.", "areas_file.")
STAFF_KEYS = frozenset({"relay.addition", "addition.file_only", "help.counter"})
# Keys that are labels of buttons (reply keyboards for citizens, card buttons for staff).
BUTTON_PREFIXES = ("option.", "menu.option.", "card.button.", "step.")
# Keys that tell a citizen where a report now stands (rule 23), with the status words
# their first sentence must hold; status.current's are its sample label's
# (tests/test_catalogues.py SAMPLES).
STATUS_NOTICES = {
    "status.current": {"id": "Menunggu verifikasi", "en": "Awaiting verification"},
    "deadline.closed": {"id": "ditutup", "en": "closed"},
    "deadline.late": {"id": "terlambat", "en": "late"},
    "rating.thanks": {"id": "ditutup", "en": "closed"},
    "rating.reopened": {"id": "dibuka kembali", "en": "reopened"},
    "follow.notice": {"id": "Menunggu verifikasi", "en": "Awaiting verification"},
}
# Relays of staff replies start with the bot's header, in either language.
RELAY_OPENINGS = ("Balasan dari ", "Reply from ")


def audience_of(key: str) -> str:
    """Who reads a catalogue entry: an operator at a terminal, staff, or a citizen."""
    if key.startswith(OPERATOR_PREFIXES):
        return "operator"
    return "staff" if is_staff_key(key) else "citizen"


def is_staff_key(key: str) -> bool:
    """The catalogue key is read by staff (or an operator), not by citizens."""
    return key in STAFF_KEYS or key.startswith((*STAFF_PREFIXES, *OPERATOR_PREFIXES))


def catalogue_context(key: str, text: str, locale: str) -> MessageContext:
    """How a catalogue entry is sent: a step (filing.ask.*), a button, to whom, and the
    status it tells of."""
    return MessageContext(
        is_step=key.startswith("filing.ask."),
        buttons=(text,) if key.startswith(BUTTON_PREFIXES) else (),
        locale=locale,
        audience=audience_of(key),
        status=STATUS_NOTICES.get(key, {}).get(locale),
    )


def findings(
    text: str,
    *,
    locale: str,
    buttons: Iterable[str] = (),
    audience: str = "citizen",
    entities: Iterable[str] = (),
    status: str | None = None,
) -> list[Finding]:
    """Findings for one message; steps and staff relays are recognised by their opening."""
    context = MessageContext(
        is_step=text.startswith(("Langkah ", "Step ")),
        is_staff_relay=text.startswith(RELAY_OPENINGS),
        buttons=tuple(buttons),
        locale=locale,
        audience=audience,
        entities=tuple(entities),
        status=status,
    )
    return [finding for finding in check_message(text, context) if finding.rule in RULES]


def keyboard_labels(message: Message) -> list[str]:
    """The labels of a message's reply keyboard or inline keyboard."""
    markup = message.reply_markup or {}
    rows = markup.get("keyboard") or markup.get("inline_keyboard") or []
    return [button["text"] for row in rows for button in row]


def conversation_findings(
    messages: Sequence[Message], *, locale: str = "id", audience: str = "citizen"
) -> list[tuple[str, Finding]]:
    """Every finding in the bot's messages of a recorded conversation, with its text.

    Besides check_message's rules, a message to a citizen sent as a quoted reply breaks
    rule 19 (VoiceOver reads the quoted message first).
    """
    found: list[tuple[str, Finding]] = []
    for message in messages:
        if not message.from_bot:
            continue
        text = message.text or message.caption or ""
        labels = keyboard_labels(message)
        kinds = [entity["type"] for entity in message.entities]
        found += [
            (text, finding)
            for finding in findings(
                text, locale=locale, buttons=labels, audience=audience, entities=kinds
            )
        ]
        if audience == "citizen" and message.reply_to_message_id is not None:
            found.append((text, Finding(19, "sent as a quoted reply")))
    return found


def assert_accessible(
    messages: Sequence[Message], *, locale: str = "id", audience: str = "citizen"
) -> None:
    """Every bot message of a recorded conversation meets the checked rules."""
    found = conversation_findings(messages, locale=locale, audience=audience)
    assert found == [], "\n".join(f"rule {f.rule}: {f.message} in {text!r}" for text, f in found)
