"""Reading the citizen's answer to each filing step into an outcome."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TypeVar

from bot.core.intake import rules
from bot.core.intake.answers import Answers, FileRef
from bot.core.intake.steps import Step
from bot.language.choices import option
from bot.language.dates import DateError, format_date, parse_incident_date
from bot.language.i18n import Msg
from handlers import filing_area
from handlers import filing_questions as q
from handlers.inputs import InputKind
from handlers.options import choices, wrong_choice
from handlers.outcomes import CancelRequested, Goto, Next, Outcome, Problem, Stay, Submit
from handlers.turn import Turn

T = TypeVar("T")


def _kind_label(ref: FileRef) -> Msg:
    return Msg(f"file.{ref.kind}")


def _add_file(answers: Answers, ref: FileRef) -> Answers | Problem:
    if ref.size is not None and ref.size > rules.MAX_FILE_BYTES:
        return Problem("error.file_too_big", {"max_mb": rules.MAX_FILE_BYTES // (1024 * 1024)})
    if len(answers.attachments) >= rules.MAX_ATTACHMENTS:
        return Problem("error.lampiran_penuh", {"max": rules.MAX_ATTACHMENTS})
    return answers.with_(attachments=(*answers.attachments, ref))


def out_of_step(turn: Turn, step: Step, answers: Answers) -> Outcome | None:
    """Files and map points sent at another step are kept, never lost; others are refused.

    None means the step's own reader takes the message: it is then text, or the one kind
    of media that step asks for (a voice note for the content, a file as an attachment,
    a map point for the location).
    """
    sent = turn.input
    if sent.kind is InputKind.OTHER:
        return Problem("error.unsupported")
    if sent.kind is InputKind.LOCATION and step is not Step.LOKASI:
        kept = answers.with_(latitude=sent.latitude, longitude=sent.longitude)
        turn.say("filing.kept_location")
        return Stay(kept)
    if (
        sent.file is None
        or step is Step.LAMPIRAN
        or (step is Step.ISI and sent.kind is InputKind.VOICE)
    ):
        return None
    added = _add_file(answers, sent.file)
    if isinstance(added, Problem):
        return added
    turn.say("filing.kept_attachment", kind=_kind_label(sent.file))
    return Stay(added)


def _one_of(turn: Turn, pairs: Sequence[tuple[T, str]]) -> T | Problem:
    chosen = turn.pick(choices(turn.services.locales, pairs))
    return Problem(*wrong_choice(len(pairs))) if chosen is None else chosen


def klasifikasi(turn: Turn, answers: Answers) -> Outcome:
    """Pengaduan, aspirasi or permintaan informasi, by number or word."""
    chosen = _one_of(turn, q.CLASSIFICATIONS)
    return chosen if isinstance(chosen, Problem) else Next(answers.with_(classification=chosen))


def isi(turn: Turn, answers: Answers) -> Outcome:
    """What happened, typed (within limits) or as a voice note."""
    sent = turn.input
    if sent.kind is InputKind.VOICE and sent.file is not None:
        ack = Msg("filing.voice_received", {"seconds": sent.file.duration or 0})
        return Next(answers.with_(voice=sent.file, content=None), ack)
    content = sent.text.strip()
    if rules.visible_length(content) < rules.CONTENT_MIN_CHARS:
        return Problem("error.isi_pendek", {"min": rules.CONTENT_MIN_CHARS})
    if len(content) > rules.CONTENT_MAX_CHARS:
        return Problem(
            "error.isi_panjang", {"max": rules.CONTENT_MAX_CHARS, "length": len(content)}
        )
    return Next(answers.with_(content=content, voice=None, category_page=0, category_listed=False))


def kategori(turn: Turn, answers: Answers) -> Outcome:
    """The suggested category confirmed, or one by its number on the page shown, by its
    name or one of its words (the agencies file's keywords), or the next page."""
    suggested = q.offered(turn, answers)
    if suggested is not None:
        match turn.pick(choices(turn.services.locales, q.SUGGESTION)):
            case "yes":
                return Next(answers.with_(category=suggested.key, category_page=0))
            case "list":
                return Stay(answers.with_(category_listed=True, category_page=0))
        named = _named_category(turn)
        if named is None:
            return Problem(*wrong_choice(len(q.SUGGESTION)))
        return Next(answers.with_(category=named, category_page=0))
    page, more = q.category_page(turn, answers)
    if more and turn.said(q.MORE_CATEGORIES, str(len(page) + 1)):
        return Stay(answers.with_(category_page=answers.category_page + 1))
    shown = [option(c.key, c.name.values()) for c in page]
    chosen = turn.pick(shown) or _named_category(turn)
    if chosen is None:
        return Problem(*wrong_choice(len(shown) + int(more)))
    return Next(answers.with_(category=chosen, category_page=0, category_listed=False))


def _named_category(turn: Turn) -> str | None:
    """A category named by any of its names or keywords ("lampu", "lampu jln"), or the one
    whose keywords the words typed point to ("lampunya mati")."""
    categories = turn.services.directory.categories
    words = [option(c.key, (*c.name.values(), *c.keywords)) for c in categories]
    named = turn.pick(words, numbers=False)
    if named is not None or not turn.formal or turn.formal.isdigit():
        return named
    pointed = turn.services.directory.suggest(turn.formal)
    return pointed.key if pointed is not None else None


def lokasi(turn: Turn, answers: Answers) -> Outcome:
    """A typed address, a shared map point, or skipped; then its kelurahan, where the city
    has areas (handlers/filing_area.py)."""
    if answers.area_open:
        return filing_area.read(turn, answers)
    sent = turn.input
    if sent.kind is InputKind.LOCATION:
        located = answers.with_(latitude=sent.latitude, longitude=sent.longitude)
        located = filing_area.offered(turn, located.with_(location_skipped=False), point=True)
        ack = Msg("filing.location_received")
        if located.area_open:
            turn.say(ack.key)
        return filing_area.after_place(located, ack)
    if turn.said("option.lewati") or q.typed_shortcut(turn, q.SKIP) is not None:
        skipped = filing_area.settled(answers, None).with_(area_unknown=False)
        return Next(skipped.with_(location_text=None, location_skipped=True))
    text = sent.text.strip()
    if rules.visible_length(text) < rules.LOCATION_MIN_CHARS:
        return Problem("error.lokasi_pendek")
    if len(text) > rules.LOCATION_MAX_CHARS:
        return Problem("error.lokasi_panjang", {"max": rules.LOCATION_MAX_CHARS})
    typed = answers.with_(location_text=text, location_skipped=False)
    return filing_area.after_place(filing_area.offered(turn, typed, text=text))


def tanggal(turn: Turn, answers: Answers) -> Outcome:
    """A date in words or digits, not in the future, or skipped."""
    shortcut = q.typed_shortcut(turn, q.DATE_CHOICES)
    if turn.said("option.lewati") or shortcut == "skip":
        return Next(answers.with_(incident_date=None, date_skipped=True))
    today = turn.now.astimezone(turn.services.settings.timezone).date()
    if shortcut is not None:
        when = today - timedelta(days=1 if shortcut == "yesterday" else 0)
    else:
        try:
            when = _date(turn, today)
        except DateError as error:
            return Problem(f"error.tanggal_{error.reason}")
    ack = Msg("filing.date_understood", {"date": format_date(when, turn.reporter.locale)})
    return Next(answers.with_(incident_date=when, date_skipped=False), ack)


def _date(turn: Turn, today: date) -> date:
    """The date typed, in words or digits; chat words ("kmrn", "3 hr yg lalu") read too."""
    try:
        return parse_incident_date(turn.input.text, today, turn.reporter.locale)
    except DateError as error:
        if error.reason != "unreadable":
            raise
        return parse_incident_date(turn.formal, today, turn.reporter.locale)


def lampiran(turn: Turn, answers: Answers) -> Outcome:
    """Files one by one, up to the limit, then "selesai" or "lewati"."""
    sent = turn.input
    if sent.file is not None:
        added = _add_file(answers, sent.file)
        if isinstance(added, Problem):
            return added
        count = len(added.attachments)
        received = {"kind": _kind_label(sent.file), "count": count, "max": rules.MAX_ATTACHMENTS}
        return Stay(added, Msg("filing.attachment_received", received))
    done = turn.said(*(key for _, key in q.ATTACHMENT_DONE))
    if done or q.typed_shortcut(turn, q.attachment_shortcuts(answers)) is not None:
        return Next(answers)
    return Problem("error.lampiran_teks")


def privasi(turn: Turn, answers: Answers) -> Outcome:
    """Biasa, anonim, rahasia, or both."""
    chosen = _one_of(turn, q.PRIVACIES)
    return chosen if isinstance(chosen, Problem) else Next(answers.with_(privacy=chosen))


def periksa(turn: Turn, answers: Answers) -> Outcome:
    """Kirim, ubah one answer, or batal."""
    match _one_of(turn, q.REVIEW):
        case "send":
            return Submit()
        case "change":
            return Goto(Step.UBAH, editing=False)
        case "cancel":
            return CancelRequested()
        case problem:
            assert isinstance(problem, Problem)
            return problem


def ubah(turn: Turn, answers: Answers) -> Outcome:
    """Which answer to change; only that question is asked again."""
    chosen = _one_of(turn, q.CHANGES)
    return chosen if isinstance(chosen, Problem) else Goto(chosen, editing=True)
