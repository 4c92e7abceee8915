"""Checking rendered messages against ACCESSIBILITY.md rules 3 to 8, 10 and 12 to 14."""

from __future__ import annotations

from collections.abc import Iterable

from bot.accessibility import Finding, MessageContext, check_message

# The rules issue 2 asks every catalogue entry and recorded conversation to satisfy.
RULES = frozenset({3, 4, 5, 6, 7, 8, 10, 12, 13, 14})


def findings(text: str, *, locale: str, buttons: Iterable[str] = ()) -> list[Finding]:
    """Findings of the checked rules for one message; steps are recognised by their opening."""
    is_step = text.startswith(("Langkah ", "Step "))
    context = MessageContext(is_step=is_step, buttons=tuple(buttons), locale=locale)
    return [finding for finding in check_message(text, context) if finding.rule in RULES]
