"""The service counter: an officer files a report for a walk-in citizen.

An officer of a counter in the agencies file types "loket" in a private chat with the bot,
or in a topic of the staff group (or the counter's own group). The bot asks the citizen's
name and phone, both optional, and then runs the chat's own filing steps, rules and
read-back (handlers/filing_flow.py) on the desk's conversation row instead of a
citizen's. At "kirim" the report is filed through the one filing use case as the counter's
channel, and the officer gets the code, the claim PIN and the receipt to print (normal and
large print). "pinbaru" with a code gives a report of the counter a new PIN and receipt,
and "warga" with a code tells the officer, privately, the contact the citizen left.

Replies in a private chat go out like a citizen's (kept for redelivery); in a group they go
through the outbox to the topic, with inline buttons that type their label. The receipts
are sent once, right after commit, and never stored: the database keeps only the PIN's
hash, so a receipt that did not arrive is replaced with "pinbaru".
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace

from telegram import InputFile, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import filters

from bot.core.agencies import Counter
from bot.core.claims import format_pin, hash_pin, new_pin, spell_pin
from bot.core.conversation import Awaiting
from bot.core.intake import rules
from bot.core.intake.steps import Step
from bot.core.outgoing import Button, ChatTarget, Outgoing
from bot.core.tracking import CodeError, format_code, parse_code, spell_code
from bot.language.i18n import Translator
from bot.notify.desk_buttons import DeskPress, DeskPressError, decode
from bot.notify.receipts import ReceiptFile, receipt_files, receipt_words
from bot.services import Services
from bot.transport.context import LaporContext
from bot.workflow import claiming
from bot.workflow.filing import DraftIncomplete, WalkIn, submit_draft
from handlers import filing_flow, private, staff_replies
from handlers import filing_questions as questions
from handlers.inputs import Input, InputKind, read_input
from handlers.options import buttons
from handlers.redelivery import owed_replies, send_owed
from handlers.submission import verification_deadline
from handlers.turn import Flow, OnBehalf, Reply, Turn
from storage import audit, handled, outbox
from storage import counter as counter_store
from storage.models import CounterDesk, Report

log = logging.getLogger(__name__)

# Words that work at every step of the desk, as in the citizen's chat (less settings and
# erasure, which are the officer's own business in their own chat).
UNIVERSAL = (
    "word.menu",
    "word.start",
    "word.bantuan",
    "word.ulang",
    "word.kembali",
    "word.batal",
    "word.lanjut",
)
COMMANDS = {"loket": "word.loket", "pinbaru": "word.pinbaru", "warga": "word.warga"}
# The desk's commands typed with a slash in a group ("/loket", "/pinbaru@lapor_bot 726-4183").
COMMAND_PATTERN = r"^/(loket|pinbaru|warga)(@\w+)?(\s|$)"
SKIP = (("skip", "option.lewati"),)
NAME_MAX = 128
PHONE_DIGITS = (8, 15)
CONTACT_ACTION = "counter_contact"
PURPOSE = "desk"


@dataclass(frozen=True)
class Place:
    """Where the officer serves: their private chat, or a group's topic."""

    chat_id: int
    thread_id: int | None = None
    private: bool = True


@dataclass(frozen=True)
class Issued:
    """A PIN given in this unit of work, for a receipt sent once it is committed."""

    report: Report
    pin: str


@dataclass
class Desk:
    """One officer's message at the desk: who, where, their desk row, what to print after."""

    row: CounterDesk
    counter: Counter
    officer_id: int
    place: Place
    issued: list[Issued] = field(default_factory=list)

    def serving_here(self) -> bool:
        """The officer is serving a walk-in citizen in this very chat and topic."""
        row = self.row
        busy = row.reporter.context != Awaiting.MENU
        return busy and (row.chat_id, row.thread_id) == (self.place.chat_id, self.place.thread_id)

    # --- the citizen's name and phone, before the filing steps ---------------------------

    async def start(self, turn: Turn) -> None:
        """Serve here: continue an unfinished report, or begin with the citizen's name."""
        self.row.chat_id, self.row.thread_id = self.place.chat_id, self.place.thread_id
        if turn.reporter.draft is not None:
            await filing_flow.start(turn)
            return
        self.row.citizen_name = self.row.citizen_phone = None
        turn.go(Awaiting.COUNTER_NAME)
        await self.ask_name(turn)

    async def ask_name(self, turn: Turn) -> None:
        """Ask the walk-in citizen's name (optional)."""
        turn.ask("counter.ask.name", buttons(SKIP), counter=self.counter.name)

    async def answer_name(self, turn: Turn) -> None:
        """Keep the name, or none; then ask the phone."""
        if turn.said("option.lewati"):
            self.row.citizen_name = None
        else:
            name = " ".join(turn.input.text.split())
            if turn.input.kind is not InputKind.TEXT or rules.visible_length(name) < 2:
                turn.problem("counter.name_invalid")
                await self.ask_name(turn)
                return
            self.row.citizen_name = name[:NAME_MAX]
        turn.go(Awaiting.COUNTER_PHONE)
        await self.ask_phone(turn)

    async def ask_phone(self, turn: Turn) -> None:
        """Ask the walk-in citizen's phone (optional)."""
        turn.ask("counter.ask.phone", buttons(SKIP))

    async def answer_phone(self, turn: Turn) -> None:
        """Keep the phone, or none; then the chat's filing steps begin."""
        if turn.said("option.lewati"):
            self.row.citizen_phone = None
        else:
            phone = read_phone(turn.input.text)
            if phone is None:
                turn.problem("counter.phone_invalid")
                await self.ask_phone(turn)
                return
            self.row.citizen_phone = phone
        await filing_flow.start(turn)

    async def back_to_name(self, turn: Turn) -> None:
        """From the phone back to the name."""
        turn.go(Awaiting.COUNTER_NAME)
        await self.ask_name(turn)

    async def first(self, turn: Turn) -> None:
        """Back from the first question: there is none before it."""
        turn.say("filing.first_step")
        await self.ask_name(turn)

    async def leave(self, turn: Turn) -> None:
        """Stop serving; an unfinished report stays for "loket"."""
        if turn.reporter.draft is not None:
            turn.go(Awaiting.MENU)
            turn.say("counter.left")
        else:
            self.close(turn)

    def close(self, turn: Turn) -> None:
        """The walk-in citizen is served (or the report was cancelled)."""
        turn.go(Awaiting.MENU)
        self.row.citizen_name = self.row.citizen_phone = None
        turn.say("counter.closed")

    def flows(self) -> dict[str, Flow]:
        """The desk's flows: the name and phone, then the chat's own filing flows."""
        return {
            Awaiting.COUNTER_NAME: Flow(
                self.ask_name, self.answer_name, self.first, self.leave, lambda _: "help.counter"
            ),
            Awaiting.COUNTER_PHONE: Flow(
                self.ask_phone,
                self.answer_phone,
                self.back_to_name,
                self.leave,
                lambda _: "help.counter",
            ),
            Awaiting.FILING: filing_flow.FLOW,
            Awaiting.CANCEL: filing_flow.CANCEL_FLOW,
        }

    # --- the end of the filing steps -------------------------------------------------------

    async def file(self, turn: Turn) -> None:
        """File the finished draft for the walk-in citizen; the receipt follows the commit."""
        draft = turn.reporter.draft
        assert draft is not None
        pin = new_pin()
        pin_hash = await asyncio.to_thread(hash_pin, pin)
        row = self.row
        walk_in = WalkIn(
            row.counter, self.officer_id, self.place.chat_id, row.citizen_name,
            row.citizen_phone, pin_hash,
        )  # fmt: skip
        try:
            submitted = await submit_draft(
                turn.session, turn.services, turn.reporter, draft, now=turn.now, walk_in=walk_in
            )
        except DraftIncomplete as missing:
            turn.say("filing.incomplete")
            draft.step = missing.step
            questions.ask(turn, Step(missing.step), questions.answers_of(draft))
            return
        report = submitted.report
        code = format_code(report.code)
        if submitted.created:
            turn.delivered()
            self.issued.append(Issued(report, pin))
            turn.say(
                "counter.filed",
                code=code,
                spelled=spell_code(report.code),
                deadline=verification_deadline(turn, report),
            )
        else:
            turn.say("counter.already_filed", code=code)
        self.close(turn)

    def on_behalf(self) -> OnBehalf:
        """How the chat's filing steps end at this desk."""
        return OnBehalf(submit=self.file, home=self.close)

    # --- the officer's commands ------------------------------------------------------------

    async def reissue(self, turn: Turn, words: str) -> None:
        """A new PIN (and receipt) for an unclaimed report of this counter."""
        report_and_filing = await self._own_report(turn, words, "counter.usage.pinbaru")
        if report_and_filing is None:
            return
        report, filing = report_and_filing
        fresh = await claiming.reissue(
            turn.session, report, filing, officer_user_id=self.officer_id,
            chat_id=self.place.chat_id, now=turn.now,
        )  # fmt: skip
        code = format_code(report.code)
        if fresh is None:
            turn.say("counter.pin_claimed", code=code)
            return
        self.issued.append(Issued(report, fresh.pin))
        turn.say("counter.pin_new", code=code)

    async def contact(self, turn: Turn, words: str) -> None:
        """The name and phone a citizen left, told privately and audited."""
        if not self.place.private:
            turn.say("counter.contact_private_only")
            return
        report_and_filing = await self._own_report(turn, words, "counter.usage.warga")
        if report_and_filing is None:
            return
        report, filing = report_and_filing
        audit.record(
            turn.session, at=turn.now, actor_user_id=self.officer_id, chat_id=self.place.chat_id,
            action=CONTACT_ACTION, report_id=report.id, allowed=True,
        )  # fmt: skip
        code = format_code(report.code)
        if filing.citizen_name is None and filing.citizen_phone is None:
            turn.say("counter.contact_none", code=code)
            return
        none = turn.services.locales.get(turn.reporter.locale)("counter.not_given")
        turn.say(
            "counter.contact",
            code=code,
            name=filing.citizen_name or none,
            phone=filing.citizen_phone or none,
        )

    async def _own_report(
        self, turn: Turn, words: str, usage: str
    ) -> tuple[Report, counter_store.CounterFiling] | None:
        """The report a command names, if this counter filed it; otherwise say how to ask."""
        try:
            code = parse_code(words)
        except CodeError:
            turn.say(usage)
            return None
        found = await counter_store.filing_by_code(turn.session, code)
        if found is None or found[1].counter != self.counter.key:
            turn.say("counter.not_ours", code=format_code(code))
            return None
        return found


def read_phone(text: str) -> str | None:
    """A phone number as typed ("0812-3456-7890", "+62 812 3456 7890"), kept as digits with
    an optional leading plus; None when it cannot be one."""
    stripped = text.strip()
    digits = "".join(ch for ch in stripped if ch.isdigit())
    allowed = set("0123456789+-. ()")
    if not stripped or any(ch not in allowed for ch in stripped) or "+" in stripped[1:]:
        return None
    if not PHONE_DIGITS[0] <= len(digits) <= PHONE_DIGITS[1]:
        return None
    return ("+" if stripped.startswith("+") else "") + digits


def _command(turn: Turn) -> tuple[str | None, str]:
    """The desk command a message starts with ("loket", "/pinbaru@bot 726-4183"), and the
    words after it."""
    if turn.input.kind is not InputKind.TEXT:
        return None, ""
    head, _, rest = turn.input.text.strip().partition(" ")
    word = head.lstrip("/").split("@")[0]
    bare = replace(turn, input=Input(InputKind.TEXT, word))
    found = next((name for name, key in COMMANDS.items() if bare.said(key)), None)
    return found, rest.strip()


async def _route(desk: Desk, turn: Turn) -> None:
    """A desk command, a universal word, or the answer to the desk's current question."""
    command, words = _command(turn)
    if command == "loket":
        await desk.start(turn)
        return
    if command == "pinbaru":
        await desk.reissue(turn, words)
        return
    if command == "warga":
        await desk.contact(turn, words)
        return
    flows = desk.flows()
    context = turn.reporter.context
    if context in (Awaiting.FILING, Awaiting.CANCEL) and turn.reporter.draft is None:
        context = Awaiting.MENU
    flow = flows.get(context)
    if flow is None:
        return  # not serving: only the commands above do anything
    universal = next((key for key in UNIVERSAL if turn.said(key)), None)
    match universal:
        case "word.menu" | "word.start":
            await desk.leave(turn)
        case "word.ulang":
            await flow.ask(turn)
        case "word.bantuan":
            turn.say(flow.help(turn))
            await flow.ask(turn)
        case "word.kembali":
            await flow.back(turn)
        case "word.batal":
            await flow.cancel(turn)
        case "word.lanjut" if turn.reporter.draft is not None:
            await filing_flow.start(turn)
        case _:
            await flow.answer(turn)


def _group_message(t: Translator, reply: Reply) -> Outgoing:
    """A reply in a group: plain text, its shortcut labels as buttons that type them."""
    rows: list[tuple[Button, ...]] = []
    for row in reply.buttons or ():
        pressed = []
        for label in row:
            words = t.render(label)
            data = DeskPress(words).encode()
            if data is not None:
                pressed.append(Button(words, data))
        if pressed:
            rows.append(tuple(pressed))
    return Outgoing(text=t(reply.text.key, **reply.text.params), buttons=tuple(rows))


async def serve(
    update: Update, context: LaporContext, counter: Counter, place: Place, sent: Input
) -> bool:
    """Handle an officer's message at the desk; False when it is not for the desk."""
    user = update.effective_user
    assert user is not None
    services = context.services
    locale = services.settings.bot_locale
    async with services.sessionmaker.begin() as session:
        now = services.clock()
        row = await counter_store.desk_of(session, user.id)
        if row is None:
            row = counter_store.open_desk(session, user.id, counter.key, locale, now)
        desk = Desk(row, counter, user.id, place)
        turn = Turn(session, services, row.reporter, sent, now, on_behalf=desk.on_behalf())
        if _command(turn)[0] is None and not desk.serving_here():
            session.expunge_all()  # nothing of this is for the desk: nothing is written
            return False
        row.counter, row.updated_at = counter.key, now
        await _route(desk, turn)
        if place.private:
            owed = owed_replies(turn.replies, row.reporter)
        else:
            owed = []
            t = services.locales.get(locale)
            for reply in turn.replies:
                here = ChatTarget(place.chat_id, place.thread_id)
                message = _group_message(t, reply)
                outbox.enqueue(session, here, message, purpose=PURPOSE, now=now)
            turn.delivered()
        await handled.record(
            session, update.update_id, chat_id=place.chat_id, replies=owed, now=now
        )
    if turn.outbox_written:
        context.bot_data.wake_dispatcher()
    # Drawn before the answer goes out, so the answer and its receipt arrive together.
    receipts = [await _receipt(context, services, counter, item) for item in desk.issued]
    await send_owed(context, update.update_id, place.chat_id, owed)
    for receipt in receipts:
        await _send_receipt(context, place, receipt)
    return True


@dataclass(frozen=True)
class Printable:
    """A receipt drawn for one PIN: its files and their captions."""

    files: tuple[ReceiptFile, ...]
    captions: tuple[str, ...]


async def _receipt(
    context: LaporContext, services: Services, counter: Counter, item: Issued
) -> Printable:
    """A new PIN's receipt in normal and large print (drawn off the event loop)."""
    t = services.locales.get(services.settings.bot_locale)
    report, now = item.report, services.clock()
    words = receipt_words(
        services, report, counter_name=counter.name, pin=item.pin,
        bot_username=context.bot.username, issued_at=now,
    )  # fmt: skip
    code = format_code(report.code)
    files = await asyncio.to_thread(receipt_files, words, code, now)
    captions = (
        t("counter.receipt", code=code, pin=format_pin(item.pin), spelled=spell_pin(item.pin)),
        t("counter.receipt_large", code=code),
    )
    return Printable(files, captions)


async def _send_receipt(context: LaporContext, place: Place, receipt: Printable) -> None:
    """The receipt as documents where the officer is; never stored, so never sent twice."""
    try:
        for file, caption in zip(receipt.files, receipt.captions, strict=True):
            await context.bot.send_document(
                place.chat_id,
                InputFile(file.pdf, filename=file.name),
                caption=caption,
                message_thread_id=place.thread_id,
            )
    except TelegramError as error:
        # The PIN is nowhere else: the officer asks for a new one ("pinbaru").
        log.warning("a counter receipt was not sent: %s", type(error).__name__)


# --- the handlers bot/app.py registers ------------------------------------------------------


class CounterOfficer(filters.MessageFilter):
    """A message from an officer of a counter in the agencies file, in their private chat,
    the staff group or a counter's own group."""

    def __init__(self, services: Services) -> None:
        super().__init__(name="CounterOfficer")
        self.services = services

    def filter(self, message: Message) -> bool:
        """Decided from the agencies file and settings alone (no database in a filter)."""
        user = message.from_user
        if user is None or self.services.directory.counter_of(user.id) is None:
            return False
        private = message.chat.type == ChatType.PRIVATE
        return private or _served_group(self.services, message.chat_id)


def _place(message: Message) -> Place:
    if message.chat.type == ChatType.PRIVATE:
        return Place(message.chat_id)
    thread = message.message_thread_id if message.is_topic_message else None
    return Place(message.chat_id, thread, private=False)


def _in_staff_group(services: Services, message: Message) -> bool:
    return message.chat_id == services.settings.admin_chat_id


def _served_group(services: Services, chat_id: int) -> bool:
    """The staff group, or a counter's own group."""
    if chat_id == services.settings.admin_chat_id:
        return True
    return any(c.chat_id == chat_id for c in services.directory.counters.values())


async def on_officer_message(update: Update, context: LaporContext) -> None:
    """An officer's message: for the desk when serving there or a desk command; otherwise
    what it would be from anyone (their own citizen chat, or a reply to a card)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    services = context.services
    counter = services.directory.counter_of(user.id)
    place = _place(message)
    if counter is not None and await serve(update, context, counter, place, read_input(message)):
        return
    if place.private:
        await private.on_private_message(update, context)
    elif message.reply_to_message is not None and _in_staff_group(services, message):
        await staff_replies.on_staff_reply(update, context)


async def on_desk_press(update: Update, context: LaporContext) -> None:
    """A press on a desk button in a group: the officer typed its words."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or query.message is None:
        return
    services = context.services
    t = services.locales.get(services.settings.bot_locale)
    counter = services.directory.counter_of(user.id)
    try:
        words = decode(query.data or "").words
    except DeskPressError:
        words = ""
    message = query.message
    thread = getattr(message, "message_thread_id", None)
    place = Place(message.chat.id, thread, private=message.chat.type == ChatType.PRIVATE)
    sent = Input(InputKind.TEXT, words, chat_id=message.chat.id, message_id=message.message_id)
    taken = False
    if words and counter is not None:
        taken = await serve(update, context, counter, place, sent)
    # A new message answers a press that was taken; one that was not gets an alert, since a
    # screen reader does not read a toast (ACCESSIBILITY.md rule 18).
    alert = None if taken else t("counter.press_not_yours")
    await query.answer(alert, show_alert=alert is not None)
