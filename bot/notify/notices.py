"""What a change tells the citizen and the staff, rendered into outbox rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.conversation import Awaiting
from bot.core.lifecycle import ActorKind, Status
from bot.core.outgoing import CitizenChat, FileSend, Outgoing, StaffQueue, file_kind, lane_of
from bot.core.queues import VERIFIKASI, queue_of
from bot.core.tracking import format_code
from bot.language import speech
from bot.language.accessibility import questions
from bot.language.dates import format_date
from bot.language.i18n import Listing, Msg, Translator
from bot.notify import counter_notices
from bot.notify.cards import card, card_update, citizen_text, moved_card
from bot.notify.status_text import next_step, status_label
from bot.services import Services
from storage import erasure, outbox
from storage.models import Attachment, CounterFiling, Report, Reporter, TimelineEvent


def status_line(services: Services, report: Report, locale: str) -> Msg:
    """Code, status and next step in one sentence (ACCESSIBILITY.md rule 23)."""
    next_params: dict[str, object] = {}
    if report.deadline_at is not None:
        local = services.calendar.local_date(report.deadline_at)
        next_params["deadline"] = format_date(local, locale)
    return Msg(
        "status.current",
        {
            "code": format_code(report.code),
            "label": status_label(services, report),
            "next": Msg(next_step(report), next_params),
        },
    )


def new_report(
    session: AsyncSession,
    services: Services,
    report: Report,
    reporter: Reporter | None,
    attachments: list[Attachment],
    *,
    walk_in: CounterFiling | None = None,
) -> None:
    """A new report: its card in Verifikasi, its files right after it."""
    now = report.created_at
    message = card(services, report, reporter, walk_in=walk_in)
    outbox.enqueue(
        session,
        StaffQueue(VERIFIKASI, lane=lane_of(report.client_id)),
        message,
        purpose="card",
        now=now,
        report_id=report.id,
    )
    _files(
        session,
        services,
        report,
        attachments,
        StaffQueue(VERIFIKASI, lane=lane_of(report.client_id)),
        now=now,
    )


def _files(
    session: AsyncSession,
    services: Services,
    report: Report,
    attachments: list[Attachment],
    queue: StaffQueue,
    *,
    now: datetime,
) -> None:
    t = services.locales.get(services.settings.bot_locale)
    for attachment in attachments:
        caption = f"#{format_code(report.code)}"
        if attachment.kind == "voice":
            # Its length in words too: a screen reader does not read the player's.
            caption = "\n".join((caption, t("staff.voice_note", seconds=attachment.duration or 0)))
        outbox.enqueue(
            session,
            queue,
            Outgoing(
                file=FileSend(
                    file_kind(attachment.kind),
                    attachment.file_id,
                    upload=None if attachment.file_id else attachment.id,
                ),
                text=caption,
                under_card=True,
            ),
            purpose="attachment",
            now=now,
            report_id=report.id,
        )


def transition(
    session: AsyncSession,
    services: Services,
    report: Report,
    *,
    reporter: Reporter | None,
    event: TimelineEvent,
    source_queue: str,
    attachments: list[Attachment],
    actor_name: str | None,
    walk_in: CounterFiling | None = None,
    announced: bool = False,
) -> None:
    """Tell the citizen what changed; on the staff side, keep one current card per report.

    The card is edited in place to the new status and the buttons allowed now (an outbox
    row like any other, in the chat's order and limits). A report that moves to another
    queue leaves its old card saying where it went, and its new queue gets the card (and
    the files) with a line saying what happened: that new card is the new queue's notice.
    Screen readers do not announce an edit, so whoever must notice a change in place is
    told in a new message: a one-line note under the card, unless the caller tells of the
    change itself (`announced`: an alert to the staff member who pressed, an answer where
    the command was typed, the citizen's addition under the card). A counter's report that
    no citizen has claimed yet has its citizen told through the counter (`walk_in`).
    """
    now = event.at
    if reporter is not None and report.reporter_id is not None:
        t = services.locales.get(reporter.locale)
        line = status_line(services, report, reporter.locale)
        text = t(line.key, **line.params)
        said = event.public_text if event.actor is ActorKind.STAFF else None
        text = "\n".join((text, *_officer_lines(t, said, asks=_ask_for_answer(report, reporter))))
        if event.actor is ActorKind.SYSTEM and event.public_text:
            # The bot's own reason (a hold that ran out): not an officer's words.
            text = "\n".join((text, event.public_text))
        # A held report's notice carries the officers' question: a prompt, spoken too.
        asks = report.status is Status.DITUNDA
        prompt(
            session,
            services,
            CitizenChat(report.reporter_id),
            text,
            speak=spoken(reporter) if asks else None,
            purpose="notice",
            now=now,
            report_id=report.id,
        )
    elif walk_in is not None:
        counter_notices.through_counter(session, services, report, walk_in, event)
    lane = lane_of(report.client_id)
    queue = queue_of(report)
    if queue != source_queue:
        said = change_note(services, report, event, actor_name, words=False)
        left = moved_card(services, report, said)
        outbox.enqueue(
            session,
            StaffQueue(source_queue, lane=lane),
            left,
            purpose="card",
            now=now,
            report_id=report.id,
        )
        note = change_note(services, report, event, actor_name)
        fresh = card(services, report, reporter, note=note, walk_in=walk_in)
        outbox.enqueue(
            session,
            StaffQueue(queue, lane=lane),
            fresh,
            purpose="card",
            now=now,
            report_id=report.id,
        )
        _files(session, services, report, attachments, StaffQueue(queue, lane=lane), now=now)
        return
    current = card_update(services, report, reporter, walk_in=walk_in)
    outbox.enqueue(
        session, StaffQueue(queue, lane=lane), current, purpose="card", now=now, report_id=report.id
    )
    if not announced:
        outbox.enqueue(
            session,
            StaffQueue(queue, lane=lane),
            Outgoing(
                text=change_note(services, report, event, actor_name), html=True, under_card=True
            ),
            purpose="staff_note",
            now=now,
            report_id=report.id,
        )


def change_note(
    services: Services,
    report: Report,
    event: TimelineEvent,
    actor_name: str | None,
    *,
    words: bool = True,
) -> str:
    """What changed, for the staff (HTML): the report, its status and who did it, in one
    line; with `words`, what they told the citizen on the next, set apart as their own."""
    staff = services.locales.get(services.settings.bot_locale)
    note = staff(
        "staff.status_changed",
        code=format_code(report.code),
        label=escape(staff.render(status_label(services, report))),
        actor=escape(_actor_label(staff, event, actor_name)),
    )
    if words and event.public_text:
        note = "\n".join((note, citizen_text(event.public_text)))
    return note


async def reporter_erased(
    session: AsyncSession, services: Services, report_ids: Sequence[int], now: datetime
) -> None:
    """The cards that named a reporter who erased their data, edited to say it is gone, so
    the staff group stops showing the name (an anonymous report's card never showed it)."""
    for report, walk_in in await erasure.as_erased(session, report_ids):
        if not report.anonymous:
            refresh_card(session, services, report, None, walk_in=walk_in, now=now)


def refresh_card(
    session: AsyncSession,
    services: Services,
    report: Report,
    reporter: Reporter | None,
    *,
    walk_in: CounterFiling | None,
    now: datetime,
) -> None:
    """The report's card edited to what it shows now, when that changed without a change of
    status (who the reporter is: erased, or a counter's citizen who claimed the report)."""
    outbox.enqueue(
        session,
        StaffQueue(queue_of(report), lane=lane_of(report.client_id)),
        card_update(services, report, reporter, walk_in=walk_in),
        purpose="card",
        now=now,
        report_id=report.id,
    )


def _officer_lines(t: Translator, said: str | None, *, asks: bool) -> tuple[str, ...]:
    """What the staff said and, when the citizen's next message answers it, how to answer.

    One question, and last (ACCESSIBILITY.md rule 3): when the staff ask something, the
    bot's instruction comes first and their question last; otherwise the bot asks its own.
    """
    if not asks:
        return (t("notice.officer_says", text=said),) if said else ()
    if said and questions(said):
        return (t("answer.how"), t("notice.officer_asks", text=said))
    told = (t("notice.officer_says", text=said),) if said else ()
    return (*told, t("answer.ask"))


def _ask_for_answer(report: Report, reporter: Reporter) -> bool:
    """Make the citizen's next message the answer to a held report's question, typed alone
    (no quoted reply needed, ACCESSIBILITY.md rule 1), when they are not busy elsewhere."""
    if report.status is not Status.DITUNDA or reporter.context != Awaiting.MENU:
        return False
    reporter.context = Awaiting.ANSWER
    reporter.context_report_id = report.id
    return True


def ask_rating(
    session: AsyncSession, services: Services, report: Report, reporter: Reporter, now: datetime
) -> None:
    """After SELESAI, ask the citizen to rate the answer (their next message answers it).

    A citizen in the middle of filing another report is not interrupted: the question
    still arrives, and they can answer it from the menu later.
    """
    t = services.locales.get(reporter.locale)
    if reporter.context == Awaiting.MENU:
        reporter.context = Awaiting.RATING
        reporter.context_report_id = report.id
    options = Listing((Msg("option.puas"), Msg("option.tidak_puas")))
    text = t("rating.ask", code=format_code(report.code), options=options)
    prompt(
        session,
        services,
        CitizenChat(reporter.id),
        text,
        speak=spoken(reporter),
        purpose="rating",
        now=now,
        report_id=report.id,
    )


def spoken(reporter: Reporter) -> str | None:
    """The language to speak a prompt in, when the citizen asked for spoken replies."""
    return reporter.locale if reporter.voice_replies else None


def prompt(
    session: AsyncSession,
    services: Services,
    chat: CitizenChat,
    text: str,
    *,
    speak: str | None,
    purpose: str,
    now: datetime,
    report_id: int | None = None,
) -> None:
    """A message asking the citizen something; with `speak` (a language), a voice note of
    it follows as a row of its own, made when sent.

    Decided now, from the setting as it is when the question is asked, like the language
    the text is written in; a row of its own keeps the chat's order and limits, and its
    failure cannot hold back or repeat the text.
    """
    outbox.enqueue(
        session, chat, Outgoing(text=text), purpose=purpose, now=now, report_id=report_id
    )
    # Without the programs (settings ESPEAK_COMMAND, OPUSENC_COMMAND) no copy is asked for.
    if speak is not None and speech.tools(services.settings).can_speak:
        outbox.enqueue(
            session,
            chat,
            Outgoing(text=text, speak=speak),
            purpose="voice",
            now=now,
            report_id=report_id,
        )


def _actor_label(t: Translator, event: TimelineEvent, name: str | None) -> str:
    """Who made a change, as the staff read it; a citizen is "the reporter", never named."""
    if event.actor is ActorKind.CITIZEN:
        return t("staff.reporter")
    return name or t("staff.system")
