"""Reading the citizen's answer to each filing step into an outcome."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TypeVar

from bot.core.intake import rules
from bot.core.intake.answers import Answers, FileRef
from bot.core.intake.steps import Step
from bot.language.choices import option, pick
from bot.language.dates import DateError, format_date, parse_incident_date
from bot.language.i18n import Msg
from handlers import filing_questions as q
from handlers.inputs import InputKind
from handlers.options import choices
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
    chosen = pick(turn.input.text, choices(turn.services.locales, pairs))
    return Problem("error.choice", {"count": len(pairs)}) if chosen is None else chosen


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
    return Next(answers.with_(content=content, voice=None, category_page=0))


def kategori(turn: Turn, answers: Answers) -> Outcome:
    """A category by its number on the page shown, by name from any page, or the next page."""
    page, more = q.category_page(turn, answers)
    if more and turn.said(q.MORE_CATEGORIES, str(len(page) + 1)):
        return Stay(answers.with_(category_page=answers.category_page + 1))
    shown = [option(c.key, c.name.values()) for c in page]
    everywhere = [option(c.key, c.name.values()) for c in turn.services.directory.categories]
    chosen = pick(turn.input.text, shown) or pick(turn.input.text, everywhere, numbers=False)
    if chosen is None:
        return Problem("error.choice", {"count": len(shown) + int(more)})
    return Next(answers.with_(category=chosen, category_page=0))


def lokasi(turn: Turn, answers: Answers) -> Outcome:
    """A typed address, a shared map point, or skipped."""
    sent = turn.input
    if sent.kind is InputKind.LOCATION:
        located = answers.with_(latitude=sent.latitude, longitude=sent.longitude)
        return Next(located.with_(location_skipped=False), Msg("filing.location_received"))
    if turn.said("option.lewati") or q.typed_shortcut(turn, q.SKIP) is not None:
        return Next(answers.with_(location_text=None, location_skipped=True))
    text = sent.text.strip()
    if rules.visible_length(text) < rules.LOCATION_MIN_CHARS:
        return Problem("error.lokasi_pendek")
    if len(text) > rules.LOCATION_MAX_CHARS:
        return Problem("error.lokasi_panjang", {"max": rules.LOCATION_MAX_CHARS})
    return Next(answers.with_(location_text=text, location_skipped=False))


def tanggal(turn: Turn, answers: Answers) -> Outcome:
    """A date in words or digits, not in the future, or skipped."""
    sent = turn.input
    shortcut = q.typed_shortcut(turn, q.DATE_CHOICES)
    if turn.said("option.lewati") or shortcut == "skip":
        return Next(answers.with_(incident_date=None, date_skipped=True))
    today = turn.now.astimezone(turn.services.settings.timezone).date()
    if shortcut is not None:
        when = today - timedelta(days=1 if shortcut == "yesterday" else 0)
    else:
        try:
            when = parse_incident_date(sent.text, today, turn.reporter.locale)
        except DateError as error:
            return Problem(f"error.tanggal_{error.reason}")
    ack = Msg("filing.date_understood", {"date": format_date(when, turn.reporter.locale)})
    return Next(answers.with_(incident_date=when, date_skipped=False), ack)


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
