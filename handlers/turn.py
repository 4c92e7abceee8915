"""One citizen message being answered: its unit of work and the replies it produces."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.conversation import Awaiting
from bot.language.choices import Option, pick
from bot.language.i18n import Msg
from bot.services import Services
from handlers.inputs import Input, InputKind
from storage.models import Reporter

Label = Msg | str
T = TypeVar("T")


@dataclass(frozen=True)
class Reply:
    """A message to send after the unit of work commits."""

    text: Msg
    # Reply-keyboard rows; their labels are the very words a person would type.
    buttons: tuple[tuple[Label, ...], ...] | None = None
    remove_keyboard: bool = False


@dataclass
class Turn:
    """The state one update works on: session, reporter, what they sent, what we answer."""

    session: AsyncSession
    services: Services
    reporter: Reporter
    input: Input
    now: datetime
    replies: list[Reply] = field(default_factory=list)
    # Set when the unit of work wrote outbox rows, so the dispatcher is woken after commit.
    outbox_written: bool = False
    # Set when someone files for another person (a counter officer for a walk-in citizen):
    # the chat's filing steps run unchanged, and hand over to it where they end.
    on_behalf: OnBehalf | None = None

    def say(self, key: str, /, **params: object) -> None:
        """Queue a statement; the keyboard already shown stays."""
        self.replies.append(Reply(Msg(key, params)))

    def ask(
        self, key: str, /, buttons: tuple[tuple[Label, ...], ...] | None = None, **params: object
    ) -> None:
        """Queue a question with its shortcut buttons (none removes the old keyboard)."""
        self.replies.append(Reply(Msg(key, params), buttons, remove_keyboard=buttons is None))

    def go(self, context: Awaiting) -> None:
        """Make the next message answer another flow's question."""
        if self.reporter.context != context.value:
            self.reporter.context = context.value
            self.reporter.tries = 0

    def problem(self, key: str, /, **params: object) -> None:
        """Say what was wrong with an answer; from the second failure on, offer help too."""
        self.reporter.tries += 1
        self.say(key, **params)
        if self.reporter.tries >= 2:
            self.say("help.offer", **self.city())

    def solved(self) -> None:
        """The current question was answered: failures no longer count."""
        self.reporter.tries = 0

    def said(self, *keys: str) -> bool:
        """The citizen typed one of these catalogue words (any locale) or a given literal.

        A key may be a label (``option.lewati``: its text and ``.words`` synonyms) or a
        keyword list (``word.batal``: comma-separated words).
        """
        word = self.input.word
        if not word:
            return False
        locales = self.services.locales
        typed = (word, self.formal)
        return any(said == key or said in locales.typed(key) for key in keys for said in typed)

    @cached_property
    def formal(self) -> str:
        """What was typed, folded, its chat words in their formal form ("" for non-text)."""
        # Once a turn (a copy with another input folds afresh): `said` reads it for each key.
        if self.input.kind is not InputKind.TEXT:
            return ""
        return self.services.locales.formal(self.input.text)

    def pick(self, options: Sequence[Option[T]], *, numbers: bool = True) -> T | None:
        """The option typed by number or word, chat words read as their formal form."""
        chosen = pick(self.input.text, options, numbers=numbers)
        if chosen is None and self.input.kind is InputKind.TEXT:
            chosen = pick(self.formal, options, numbers=numbers)
        return chosen

    def delivered(self) -> None:
        """Note that outbox rows were written in this unit of work."""
        self.outbox_written = True

    def city(self) -> dict[str, object]:
        """Parameters naming the city and its other channels, for help texts."""
        city = self.services.directory.city
        return {"city": city.name, "phone": city.phone, "sms": city.sms}


TurnStep = Callable[[Turn], Awaitable[None]]


@dataclass(frozen=True)
class OnBehalf:
    """How the filing steps end for someone filing on another's behalf (handlers.counter_desk)."""

    # Files the finished draft (instead of handlers.submission.submit).
    submit: TurnStep
    # Where a cancelled draft returns to (instead of the citizen's menu).
    home: Callable[[Turn], None]


@dataclass(frozen=True)
class Flow:
    """A conversation flow: how to ask its question, read an answer, go back, get help.

    `help` gives the catalogue key of the help for where the citizen is in the flow.
    """

    ask: TurnStep
    answer: TurnStep
    back: TurnStep
    cancel: TurnStep
    help: Callable[[Turn], str]
    # Choices whose words the flow reads before the universal ones: "tidak jadi" cancels
    # a step, but at "batalkan laporan ini?" it is the answer "no".
    own_words: tuple[str, ...] = ()
