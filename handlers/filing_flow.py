"""Filing a report: one question per message, the draft saved in the database at every step."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.intake.answers import Answers
from bot.core.intake.steps import Step
from bot.language.i18n import Msg
from handlers import filing_answers as answers_of
from handlers import filing_area, guard, home, similar, submission
from handlers import filing_questions as questions
from handlers.options import wrong_choice
from handlers.outcomes import (
    CancelRequested,
    Follow,
    Goto,
    Next,
    Outcome,
    Problem,
    Stay,
    Submit,
)
from handlers.turn import Awaiting, Flow, Turn
from storage import drafts

Reader = Callable[[Turn, Answers], Outcome]

READERS: dict[Step, Reader] = {
    Step.KLASIFIKASI: answers_of.klasifikasi,
    Step.ISI: answers_of.isi,
    Step.KATEGORI: answers_of.kategori,
    Step.LOKASI: answers_of.lokasi,
    Step.TANGGAL: answers_of.tanggal,
    Step.LAMPIRAN: answers_of.lampiran,
    Step.PRIVASI: answers_of.privasi,
    Step.PERIKSA: answers_of.periksa,
    Step.UBAH: answers_of.ubah,
    Step.SERUPA: similar.read,
}


def _current(turn: Turn) -> tuple[Step, Answers]:
    draft = turn.reporter.draft
    assert draft is not None, "the router sends only reporters with a draft here"
    return Step(draft.step), Answers.from_json(draft.answers)


def _save(turn: Turn, step: Step, answers: Answers, *, editing: bool) -> None:
    draft = turn.reporter.draft
    assert draft is not None
    drafts.save(draft, step=step.value, answers=answers.to_json(), editing=editing, now=turn.now)


async def start(turn: Turn) -> None:
    """Begin a report, or continue the one the citizen left unfinished."""
    if turn.reporter.draft is None:
        if not await guard.may_start_report(turn):
            return  # the daily cap is reached: told when, and the other channels
        drafts.start(turn.session, turn.reporter, Step.KLASIFIKASI.value, turn.now)
    else:
        turn.say("filing.resume")  # the step says its number: "Langkah 3 dari 8."
    turn.go(Awaiting.FILING)
    await ask(turn)


async def start_from_message(turn: Turn, taken: Answers, said: Msg) -> None:
    """Begin a report whose content (and place or date) the citizen's message gave.

    A draft left unfinished is kept: the citizen is asked to finish it first.
    """
    if turn.reporter.draft is not None:
        await start(turn)
        return
    if not await guard.may_start_report(turn):
        return
    draft = drafts.start(turn.session, turn.reporter, Step.KLASIFIKASI.value, turn.now)
    step = Step.KLASIFIKASI.value
    drafts.save(draft, step=step, answers=taken.to_json(), editing=False, now=turn.now)
    turn.go(Awaiting.FILING)
    turn.say(said.key, **said.params)
    await ask(turn)


async def ask(turn: Turn) -> None:
    """Ask the question of the step the draft is at."""
    step, answers = _current(turn)
    questions.ask(turn, step, answers)


async def answer(turn: Turn) -> None:
    """Read the answer to the current step, save the draft, and ask what comes next."""
    step, answers = _current(turn)
    draft = turn.reporter.draft
    assert draft is not None
    outcome = answers_of.out_of_step(turn, step, answers) or READERS[step](turn, answers)
    match outcome:
        case Next(new, ack):
            turn.solved()
            if ack is not None:
                turn.say(ack.key, **ack.params)
            following = Step.PERIKSA if draft.editing else step.next_open(new.from_message)
            new, listed = await similar.look(turn, new, following)
            following = Step.SERUPA if listed else following
            _save(turn, following, new, editing=False)
            questions.ask(turn, following, new)
        case Stay(new, follow_up):
            turn.solved()
            _save(turn, step, new, editing=draft.editing)
            if follow_up is None:
                questions.ask(turn, step, new)
            else:
                questions.ask_follow_up(turn, step, follow_up)
        case Goto(target, editing):
            turn.solved()
            _save(turn, target, answers, editing=editing)
            questions.ask(turn, target, answers)
        case Problem(key, params):
            turn.problem(key, **params)
            questions.ask(turn, step, answers)
        case Submit():
            await (turn.on_behalf.submit if turn.on_behalf else submission.submit)(turn)
        case CancelRequested():
            await cancel(turn)
        case Follow() as chosen:
            turn.solved()
            if not await similar.follow(turn, chosen):
                _save(turn, similar.then(answers), answers, editing=False)
                questions.ask(turn, similar.then(answers), answers)


async def back(turn: Turn) -> None:
    """Go to the previous question; when changing one answer, back to the read-back; from
    the kelurahan question, back to the place it was asked about."""
    step, answers = _current(turn)
    draft = turn.reporter.draft
    assert draft is not None
    if answers.area_open:
        turn.solved()
        answers = filing_area.dropped(answers)
        _save(turn, step, answers, editing=draft.editing)
        questions.ask(turn, step, answers)
        return
    target = Step.PERIKSA if draft.editing else step.previous()
    if target is None:
        turn.say("filing.first_step")
        target = step
    turn.solved()
    _save(turn, target, answers, editing=False)
    questions.ask(turn, target, answers)


async def cancel(turn: Turn) -> None:
    """Ask before throwing the draft away."""
    turn.go(Awaiting.CANCEL)
    questions.ask_cancel(turn)


async def cancel_answer(turn: Turn) -> None:
    """Discard the draft on yes; otherwise carry on where the citizen was."""
    confirmed = turn.pick(questions.cancel_options(turn))
    if confirmed is None:
        key, params = wrong_choice(2)
        turn.problem(key, **params)
        questions.ask_cancel(turn)
    elif confirmed:
        await discard(turn)
    else:
        await keep(turn)


async def discard(turn: Turn) -> None:
    """Throw the draft away and return to the menu."""
    await drafts.discard(turn.session, turn.reporter)
    turn.say("cancel.done")
    home.show(turn)


async def keep(turn: Turn) -> None:
    """Keep the draft and repeat the question the citizen was at."""
    turn.go(Awaiting.FILING)
    turn.say("cancel.kept")
    await ask(turn)


async def ask_cancel(turn: Turn) -> None:
    """Repeat the cancel question."""
    questions.ask_cancel(turn)


def step_help(turn: Turn) -> str:
    """Help for the step the citizen is at."""
    step, _ = _current(turn)
    return f"help.step.{step.value}"


FLOW = Flow(ask=ask, answer=answer, back=back, cancel=cancel, help=step_help)
CANCEL_FLOW = Flow(
    ask=ask_cancel,
    answer=cancel_answer,
    back=keep,
    cancel=discard,
    help=lambda _: "help.cancel",
    own_words=("option.tidak_lanjutkan",),
)
