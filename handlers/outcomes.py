"""What reading one answer of the filing conversation can lead to."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.intake.answers import Answers
from bot.core.intake.steps import Step
from bot.language.i18n import Msg


@dataclass(frozen=True)
class Next:
    """The answer is good: keep it and go on (back to the read-back when changing one)."""

    answers: Answers
    ack: Msg | None = None


@dataclass(frozen=True)
class Stay:
    """Keep what was sent and stay on the step: a short follow-up, or the question again."""

    answers: Answers
    follow_up: Msg | None = None


@dataclass(frozen=True)
class Goto:
    """Jump to another step (choosing an answer to change, or the read-back)."""

    step: Step
    editing: bool = False


@dataclass(frozen=True)
class Problem:
    """The answer cannot be used: say why and ask the same question again."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Submit:
    """The citizen confirmed the read-back: create the report."""


@dataclass(frozen=True)
class CancelRequested:
    """The citizen chose batal on the read-back: confirm before discarding."""


@dataclass(frozen=True)
class Follow:
    """The citizen chose to follow a similar report listed to them instead of filing."""

    code: int


Outcome = Next | Stay | Goto | Problem | Submit | CancelRequested | Follow
