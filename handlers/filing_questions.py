"""The questions of the filing conversation and the read-back, as catalogue messages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TypedDict, TypeVar

from bot.core.agencies import Category
from bot.core.intake import rules
from bot.core.intake.answers import Answers
from bot.core.intake.steps import CHANGEABLE, TOTAL, Step
from bot.core.lifecycle import Classification, Privacy
from bot.language.choices import Option, pick
from bot.language.dates import format_date
from bot.language.i18n import Lines, Listing, Msg, own_words
from handlers import filing_area, similar
from handlers.options import buttons, choices, listing
from handlers.turn import Turn
from storage.models import Draft

CLASSIFICATIONS = (
    (Classification.PENGADUAN, "option.pengaduan"),
    (Classification.ASPIRASI, "option.aspirasi"),
    (Classification.PERMINTAAN_INFORMASI, "option.permintaan_informasi"),
)
PRIVACIES = (
    (Privacy.BIASA, "option.biasa"),
    (Privacy.ANONIM, "option.anonim"),
    (Privacy.RAHASIA, "option.rahasia"),
    (Privacy.ANONIM_RAHASIA, "option.anonim_rahasia"),
)
REVIEW = (("send", "option.kirim"), ("change", "option.ubah"), ("cancel", "option.batal"))
CHANGES = tuple((step, f"step.{step.value}") for step in CHANGEABLE)
CANCEL = ((True, "option.ya_batalkan"), (False, "option.tidak_lanjutkan"))
SKIP = (("skip", "option.lewati"),)
DATE_SHORTCUTS = (("today", "option.hari_ini"), ("yesterday", "option.kemarin"))
DATE_CHOICES = (*DATE_SHORTCUTS, *SKIP)
ATTACHMENT_DONE = (("done", "option.selesai"), ("skip", "option.lewati"))
# Simple mode shows no buttons, so a step's shortcut words are a numbered list as well
# (ACCESSIBILITY.md rule 1): with no file yet the choice is to skip, then to be done.
FIRST_ATTACHMENT = SKIP
MORE_ATTACHMENTS = (("done", "option.selesai"),)
MORE_CATEGORIES = "option.halaman_berikutnya"
# The category the content suggests, offered alone first: right, or the whole list.
SUGGESTION = (("yes", "option.kategori_benar"), ("list", "option.kategori_lain"))
T = TypeVar("T")
# The question a step asks in simple mode instead, its shortcuts numbered under it.
NUMBERED = {
    "filing.ask.lokasi": "filing.ask.lokasi_nomor",
    "filing.ask.tanggal": "filing.ask.tanggal_nomor",
    "filing.ask.lampiran": "filing.ask.lampiran_nomor",
    "filing.ask.lampiran_ada": "filing.ask.lampiran_ada_nomor",
    "filing.attachment_received": "filing.attachment_received_nomor",
}


class StepNumber(TypedDict):
    """The "Langkah N dari M" parameters of a step's question."""

    number: int
    total: int


def _step(step: Step) -> StepNumber:
    return {"number": step.number, "total": TOTAL}


def suggestion(turn: Turn, answers: Answers) -> Category | None:
    """The category the content's words point to ("lampu jln" is lampu jalan), if any."""
    if not answers.content:
        return None
    return turn.services.directory.suggest(turn.services.locales.formal(answers.content))


def offered(turn: Turn, answers: Answers) -> Category | None:
    """The suggested category while it is offered alone, before the list is asked for."""
    return None if answers.category_listed else suggestion(turn, answers)


def category_page(turn: Turn, answers: Answers) -> tuple[list[Category], bool]:
    """Categories on the current page, the suggested one first, and whether more follow."""
    directory = turn.services.directory
    ordered = list(directory.categories)
    suggested = suggestion(turn, answers)
    if suggested is not None:
        ordered.remove(suggested)
        ordered.insert(0, suggested)
    size = rules.CATEGORIES_PER_PAGE
    pages = max(1, -(-len(ordered) // size))
    page = answers.category_page % pages
    return ordered[page * size : (page + 1) * size], pages > 1


def answers_of(draft: Draft) -> Answers:
    """The typed answers stored in a draft."""
    return Answers.from_json(draft.answers)


def ask(turn: Turn, step: Step, answers: Answers) -> None:
    """Ask the question of a step."""
    ASKERS[step](turn, answers)


def ask_follow_up(turn: Turn, step: Step, follow_up: Msg) -> None:
    """A short question on the same step (another attachment, another category page)."""
    if turn.reporter.simple_mode and follow_up.key in NUMBERED:
        options = listing(MORE_ATTACHMENTS)
        turn.ask(NUMBERED[follow_up.key], _buttons(step), options=options, **follow_up.params)
        return
    turn.ask(follow_up.key, _buttons(step), **follow_up.params)


def attachment_shortcuts(answers: Answers) -> tuple[tuple[str, str], ...]:
    """The numbered shortcuts of the attachment step in simple mode, as now shown."""
    return MORE_ATTACHMENTS if answers.attachments else FIRST_ATTACHMENT


def typed_shortcut(turn: Turn, pairs: Sequence[tuple[T, str]]) -> T | None:
    """In simple mode, the shortcut the citizen picked by its number in the list shown.

    Its words are read by the step itself, in any mode; a number only means a shortcut
    where one was numbered, so elsewhere it stays an answer (a date, an address).
    """
    if not turn.reporter.simple_mode:
        return None
    return pick(turn.input.text, [Option(value, frozenset()) for value, _ in pairs])


def _ask_with_shortcuts(
    turn: Turn,
    key: str,
    keyboard: tuple[tuple[Msg | str, ...], ...],
    shortcuts: Sequence[tuple[object, str]],
    **params: object,
) -> None:
    """A free answer with shortcut words: as buttons, or in simple mode numbered too."""
    if turn.reporter.simple_mode:
        turn.ask(NUMBERED[key], keyboard, options=listing(shortcuts), **params)
    else:
        turn.ask(key, keyboard, **params)


def _buttons(step: Step) -> tuple[tuple[Msg | str, ...], ...] | None:
    return buttons(ATTACHMENT_DONE) if step is Step.LAMPIRAN else None


def _choice(
    step: Step, pairs: Sequence[tuple[object, str]], per_row: int
) -> Callable[[Turn, Answers], None]:
    """An asker for a step whose answer is one of a fixed, numbered list."""

    def ask_choice(turn: Turn, _: Answers) -> None:
        turn.ask(
            f"filing.ask.{step.value}",
            buttons(pairs, per_row=per_row),
            options=listing(pairs),
            **_step(step),
        )

    return ask_choice


def _isi(turn: Turn, _: Answers) -> None:
    turn.ask("filing.ask.isi", min=rules.CONTENT_MIN_CHARS, **_step(Step.ISI))


def _kategori(turn: Turn, answers: Answers) -> None:
    locale = turn.reporter.locale
    suggested = offered(turn, answers)
    if suggested is not None:
        turn.ask(
            "filing.ask.kategori_saran",
            buttons(SUGGESTION),
            options=listing(SUGGESTION),
            category=suggested.label(locale),
            **_step(Step.KATEGORI),
        )
        return
    page, more = category_page(turn, answers)
    labels: list[Msg | str] = [category.label(locale) for category in page]
    if more:
        labels.append(Msg(MORE_CATEGORIES))
    turn.ask(
        "filing.ask.kategori",
        tuple(tuple(labels[i : i + 2]) for i in range(0, len(labels), 2)),
        options=Listing(tuple(labels)),
        **_step(Step.KATEGORI),
    )


def _lokasi(turn: Turn, answers: Answers) -> None:
    if filing_area.ask(turn, answers):
        return
    _ask_with_shortcuts(turn, "filing.ask.lokasi", buttons(SKIP), SKIP, **_step(Step.LOKASI))


def _tanggal(turn: Turn, _: Answers) -> None:
    today = turn.now.astimezone(turn.services.settings.timezone).date()
    example = format_date(today - timedelta(days=3), turn.reporter.locale)
    _ask_with_shortcuts(
        turn,
        "filing.ask.tanggal",
        (tuple(Msg(key) for _, key in DATE_SHORTCUTS), (Msg("option.lewati"),)),
        DATE_CHOICES,
        example=example,
        **_step(Step.TANGGAL),
    )


def _lampiran(turn: Turn, answers: Answers) -> None:
    count = len(answers.attachments)
    _ask_with_shortcuts(
        turn,
        "filing.ask.lampiran_ada" if count else "filing.ask.lampiran",
        buttons(ATTACHMENT_DONE),
        attachment_shortcuts(answers),
        max=rules.MAX_ATTACHMENTS,
        count=count,
        **_step(Step.LAMPIRAN),
    )


def _periksa(turn: Turn, answers: Answers) -> None:
    if answers.voice is not None:
        turn.say("readback.voice", seconds=answers.voice.duration or 0)
    if answers.content:
        turn.say("readback.content", content=own_words(answers.content))
    # Apart from the question: together they took longer than 25 s to hear (rule 5).
    turn.say("readback.summary", summary=readback(turn, answers))
    turn.ask(
        "filing.ask.periksa",
        buttons(REVIEW, per_row=3),
        options=listing(REVIEW),
        **_step(Step.PERIKSA),
    )


def readback(turn: Turn, answers: Answers) -> Lines:
    """Every answer except the content, one sentence each."""
    directory = turn.services.directory
    lines: list[Msg] = []
    if answers.classification is not None:
        key = dict(CLASSIFICATIONS)[answers.classification]
        lines.append(Msg("readback.klasifikasi", {"value": Msg(key)}))
    if answers.category is not None:
        label = directory.category(answers.category).label(turn.reporter.locale)
        lines.append(Msg("readback.kategori", {"value": label}))
    if answers.location_text and answers.latitude is not None:
        place = own_words(answers.location_text)
        lines.append(Msg("readback.lokasi_keduanya", {"value": place}))
    elif answers.location_text:
        lines.append(Msg("readback.lokasi", {"value": own_words(answers.location_text)}))
    elif answers.latitude is not None:
        lines.append(Msg("readback.lokasi_peta"))
    else:
        lines.append(Msg("readback.lokasi_kosong"))
    area = filing_area.readback_line(turn, answers)
    if area is not None:
        lines.append(area)
    if answers.incident_date is not None:
        when = format_date(answers.incident_date, turn.reporter.locale)
        lines.append(Msg("readback.tanggal", {"value": when}))
    else:
        lines.append(Msg("readback.tanggal_kosong"))
    count = len(answers.attachments)
    lines.append(
        Msg("readback.lampiran", {"count": count}) if count else Msg("readback.lampiran_kosong")
    )
    if answers.privacy is not None:
        lines.append(Msg("readback.privasi", {"value": Msg(dict(PRIVACIES)[answers.privacy])}))
    return Lines(tuple(lines))


def ask_cancel(turn: Turn) -> None:
    """Confirm before the draft is thrown away."""
    turn.ask("cancel.ask", buttons(CANCEL, per_row=1), options=listing(CANCEL))


def cancel_options(turn: Turn) -> list[Option[bool]]:
    """The yes/no choices of the cancel question."""
    return choices(turn.services.locales, CANCEL)


ASKERS = {
    Step.KLASIFIKASI: _choice(Step.KLASIFIKASI, CLASSIFICATIONS, per_row=1),
    Step.ISI: _isi,
    Step.KATEGORI: _kategori,
    Step.LOKASI: _lokasi,
    Step.TANGGAL: _tanggal,
    Step.LAMPIRAN: _lampiran,
    Step.PRIVASI: _choice(Step.PRIVASI, PRIVACIES, per_row=2),
    Step.PERIKSA: _periksa,
    Step.UBAH: _choice(Step.UBAH, CHANGES, per_row=3),
    Step.SERUPA: similar.ask,
}
