"""The staff card of a report: its facts (user text escaped) and the buttons for its status."""

from __future__ import annotations

from html import escape

from bot.core import queues
from bot.core.outgoing import Outgoing
from bot.core.tracking import format_code
from bot.language.dates import format_date
from bot.language.i18n import Translator
from bot.notify.card_buttons import buttons_for
from bot.notify.status_text import agency_name, status_label
from bot.services import Services
from storage.models import CounterFiling, Report, Reporter


def citizen_text(text: str) -> str:
    """Citizen-written text, escaped and isolated so a direction mark in it cannot reorder
    the card's own words around it (Unicode FSI ... PDI; screen readers say nothing)."""
    return f"\u2068{escape(text)}\u2069"


# Room on the card for the rest of its lines within Telegram's 4,096 characters.
CARD_CONTENT_MAX = 3000


def reporter_name(reporter: Reporter) -> str:
    """How a named report's card shows its reporter: name and @username, as Telegram has them."""
    name = " ".join(part for part in (reporter.first_name, reporter.last_name) if part)
    if reporter.username:
        name = f"{name} (@{reporter.username})" if name else f"@{reporter.username}"
    return name or "-"


def walk_in_line(t: Translator, services: Services, report: Report, walk_in: CounterFiling) -> str:
    """The citizen a counter served: the counter, and the name and phone they gave unless
    they chose anonim or rahasia (then never shown to agencies, as the issue requires)."""
    counter = escape(services.directory.queue_name(walk_in.counter) or walk_in.counter)
    given = [part for part in (walk_in.citizen_name, walk_in.citizen_phone) if part]
    if report.anonymous or report.confidential:
        return t("card.reporter_counter_hidden", counter=counter)
    if not given:
        return t("card.reporter_counter_unnamed", counter=counter)
    return t("card.reporter_counter", counter=counter, name=citizen_text(", ".join(given)))


def _reporter_line(
    t: Translator,
    services: Services,
    report: Report,
    reporter: Reporter | None,
    walk_in: CounterFiling | None,
) -> str:
    if walk_in is not None:
        line = walk_in_line(t, services, report, walk_in)
        return line if walk_in.claimed_at is None else "\n".join((line, t("card.counter_claimed")))
    if report.anonymous:
        return t("card.reporter_anonymous")
    if report.channel != "telegram":
        return t("card.reporter_other_channel")  # Open311 keeps no person at all
    if reporter is None or report.reporter_id is None:
        # Only erasure (/hapusdata) unlinks a report filed in the chat from its reporter.
        return t("card.reporter_erased")
    return t("card.reporter", name=citizen_text(reporter_name(reporter)))


def card_text(
    services: Services,
    report: Report,
    reporter: Reporter | None,
    walk_in: CounterFiling | None = None,
) -> str:
    """The card's text in the staff language, HTML-escaped where the citizen wrote it;
    `walk_in` is the counter's record of a report filed there."""
    locale = services.settings.bot_locale
    t = services.locales.get(locale)
    directory = services.directory
    lines = [
        t(
            "card.title",
            code=format_code(report.code),
            kind=t(f"option.{report.classification.value}"),
        ),
        t(
            "card.status",
            label=escape(t.render(status_label(services, report))),
            deadline=format_date(services.calendar.local_date(report.deadline_at), locale)
            if report.deadline_at
            else t("card.no_deadline"),
        ),
        t(
            "card.category",
            category=escape(directory.category(report.category).label(locale)),
            agency=escape(agency_name(services, report)),
        ),
    ]
    if report.location_text:
        lines.append(t("card.location", value=citizen_text(report.location_text)))
    if report.latitude is not None and report.longitude is not None:
        lines.append(
            t("card.map_point", lat=f"{report.latitude:.5f}", lon=f"{report.longitude:.5f}")
        )
    kelurahan = services.areas.kelurahan_by_code(report.kelurahan_code)
    if kelurahan is not None:
        kecamatan = services.areas.kecamatan_of(kelurahan).name
        lines.append(t("card.area", kelurahan=escape(kelurahan.name), kecamatan=escape(kecamatan)))
    if report.address_id:
        lines.append(t("georeport.card.address_id", value=citizen_text(report.address_id)))
    if report.media_url:
        lines.append(t("georeport.card.media_url", value=citizen_text(report.media_url)))
    if report.incident_date is not None:
        lines.append(t("card.incident_date", date=format_date(report.incident_date, locale)))
    lines.append(_reporter_line(t, services, report, reporter, walk_in))
    if report.followers:
        lines.append(t("card.followers", count=report.followers))
    if report.confidential:
        lines.append(t("card.confidential"))
    if report.content:
        # Open311 allows 4,000 characters; the card keeps within Telegram's 4,096.
        shown = report.content[:CARD_CONTENT_MAX]
        lines.append(t("card.content", content=citizen_text(shown)))
        if len(report.content) > CARD_CONTENT_MAX:
            lines.append(t("georeport.card.content_cut", count=CARD_CONTENT_MAX))
    elif report.channel != "telegram":
        lines.append(t("georeport.card.no_description"))
    else:
        lines.append(t("card.voice_content"))
    lines.append(t("card.how_to_reply"))
    return "\n".join(lines)


def card(
    services: Services,
    report: Report,
    reporter: Reporter | None,
    *,
    note: str | None = None,
    walk_in: CounterFiling | None = None,
) -> Outgoing:
    """A new card, remembered as the report's card once sent: a new report's, or the one a
    report gets in the queue it moved to, starting with the note saying what happened."""
    text = card_text(services, report, reporter, walk_in)
    return Outgoing(
        text=f"{note}\n{text}" if note else text,
        html=True,
        buttons=buttons_for(services, report),
        link="card",
    )


def card_update(
    services: Services,
    report: Report,
    reporter: Reporter | None,
    *,
    walk_in: CounterFiling | None = None,
) -> Outgoing:
    """The report's card in its queue, edited to show the report as it stands now."""
    return Outgoing(
        text=card_text(services, report, reporter, walk_in),
        html=True,
        buttons=buttons_for(services, report),
        link="card",
        edit_card=True,
    )


def moved_card(services: Services, report: Report, note: str) -> Outgoing:
    """The card a report left behind in its old queue, edited to say where it went.

    No buttons and none of the report's content: the report is handled elsewhere now, and
    an agency's own group keeps nothing of a report no longer in its queue.
    """
    t = services.locales.get(services.settings.bot_locale)
    return Outgoing(
        text="\n".join((note, escape(moved_to(services, t, report)))),
        html=True,
        link="card",
        edit_card=True,
    )


def moved_to(services: Services, t: Translator, report: Report) -> str:
    """Where the report's card went, for those who knew it in another queue (plain text)."""
    key = queues.queue_of(report)
    return t("card.moved_to", queue=services.directory.queue_name(key) or key.capitalize())
