"""Hostile and odd input through the real bot: every message answered clearly, nothing lost.

The corpus (tests/hostile_corpus.py) is sent at the content step; a property-based test
(hypothesis) sends generated texts and odd kinds of message at every filing step and
checks the answer, the draft and the stored text after each one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.core.intake.answers import Answers
from bot.core.intake.steps import Step
from bot.core.lifecycle import Status
from bot.core.tracking import format_code, is_valid
from bot.language.choices import normalise
from bot.sandbox.emulator import Chat, Emulator, Message, ScriptedAction, User
from handlers.private import UNIVERSAL
from storage.models import AuditEntry, HandledUpdate, OutboxMessage, Report, Reporter
from tests import factories
from tests.a11y import findings
from tests.harness import Harness
from tests.hostile_corpus import CORPUS, TELEGRAM_MAX_TEXT, readable
from tests.steps import CONTENT, code_in, consent, count, last, reports, texts
from tests.steps import to_step as walk_to_step


async def assert_stored_nothing_of_theirs(harness: Harness) -> None:
    """No person, audit or outbox row; handled updates only as bare numbers.

    An update handled to the end is noted by its number, so a redelivery is not answered
    twice; the note keeps no chat and no text.
    """
    for model in (Reporter, AuditEntry, OutboxMessage):
        assert await count(harness, model) == 0, model.__name__
    async with harness.services.sessionmaker() as session:
        notes = list(await session.scalars(select(HandledUpdate)))
    assert all(n.chat_id is None and n.replies is None and n.replies_sent for n in notes)


# --- the bot's answers, in the citizen's language -----------------------------------------


def say_id(harness: Harness, key: str, **params: object) -> str:
    """A catalogue text as the bot renders it in Indonesian."""
    return harness.services.locales.get("id")(key, **params)


# Telegram dates messages in whole seconds: three seconds apart is surely not one paste. The
# emulator's clock for dates is moved that far ahead; no test sleeps.
SPLIT_PAUSE = 3.0
LONGEST_ANSWER = 3000


def internal_error(harness: Harness) -> str:
    return say_id(harness, "error.internal")


@dataclass
class State:
    """Where a citizen is, read from the database."""

    context: str
    step: str | None
    answers: dict[str, Any] = field(default_factory=dict)


async def state(harness: Harness, user: User) -> State:
    async with harness.services.sessionmaker() as session:
        query = (
            select(Reporter)
            .where(Reporter.telegram_user_id == user.id)
            .options(selectinload(Reporter.draft))
        )
        reporter = (await session.execute(query)).scalar_one()
        draft = reporter.draft
        if draft is None:
            return State(reporter.context, None)
        # A new draft stores {}; read through Answers, every answer has its default.
        return State(reporter.context, draft.step, Answers.from_json(draft.answers).to_json())


def changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


async def send_raw(
    emulator: Emulator, user: User, *, expect: int = 1, **fields: Any
) -> list[Message]:
    """A message whose shape the scripted people cannot make (a dice, a venue, no text)."""
    chat = emulator.chat(user)
    content = fields.pop("content", None)
    msg = emulator.store.add_message(
        chat, from_bot=False, sender_id=user.id, content=content, **fields
    )
    update = emulator.queue.push("message", msg.raw, chat.id)
    return await emulator.script.wait(
        ScriptedAction(chat, msg.message_id, update, "raw message"), expect
    )


async def typed(harness: Harness, user: User, text: str) -> list[Message]:
    """Say something at a pace a person types: the flood control counts by the bot's clock."""
    harness.clock.advance(seconds=3)
    return await user.say(text)


def answered(harness: Harness, replies: list[Message]) -> None:
    """The bot said something, and it was not the apology for a failure."""
    assert replies, "the bot stayed silent"
    assert internal_error(harness) not in texts(replies)
    assert not any("Traceback" in text for text in texts(replies))


# --- the corpus at the content step -------------------------------------------------------


async def test_every_corpus_text_at_the_content_step_is_answered_and_nothing_is_lost(
    harness: Harness, citizen: User
) -> None:
    await consent(citizen)
    question = last(await walk_to_step(citizen, 2))
    assert question.startswith("Langkah 2 dari 8.")
    classification = (await state(harness, citizen)).answers["classification"]
    for item in CORPUS:
        before = await state(harness, citizen)
        replies = await typed(harness, citizen, item.text)
        answered(harness, replies)
        after = await state(harness, citizen)
        assert after.answers["classification"] == classification, item.name
        if after.context != "filing":
            # A universal word as a command with junk after it: the menu, the draft kept.
            assert after.answers == before.answers, item.name
            resumed = await typed(harness, citizen, "lanjut")
            assert last(resumed) == question, item.name
        elif after.step == Step.KATEGORI.value:
            kept = readable(item.text).strip()
            assert after.answers["content"] == kept, item.name
            assert 20 <= len(kept) <= 3000, item.name
            assert last(await typed(harness, citizen, "kembali")) == question, item.name
        else:
            assert after.step == Step.ISI.value, item.name
            assert after.answers == before.answers, item.name
            assert len(replies) >= 2 and last(replies) == question, (item.name, texts(replies))
        if len(item.text) > LONGEST_ANSWER:
            # Else the next text reads as the rest of a paste.
            harness.emulator.dates.advance(SPLIT_PAUSE)


async def test_blank_long_and_control_character_texts_get_their_own_answers(
    harness: Harness, citizen: User
) -> None:
    await consent(citizen)
    question = last(await walk_to_step(citizen, 2))
    for blank in (" \n\t ", "\u200b\u200d", "\u3164\u3164"):
        replies = await citizen.say(blank)
        assert texts(replies)[0] == say_id(harness, "input.blank")
        assert last(replies) == question
    # Telegram refuses an empty message; a client bug or a forged update still gets an answer.
    empty = await send_raw(harness.emulator, citizen, text="")
    assert texts(empty)[0] == say_id(harness, "input.blank")
    assert last(empty) == question
    nul = "Laporan\x00dengan karakter\x1b[31m nol\r\ndan baris baru, di Jalan Riau."
    await citizen.say(nul)
    after = await state(harness, citizen)
    assert (
        after.answers["content"] == "Laporandengan karakter[31m nol\ndan baris baru, di Jalan Riau."
    )
    await citizen.say("kembali")
    # Twenty invisible characters and one letter are one character long to the eye.
    padded = await citizen.say("\u200b" * 20 + "x")
    assert texts(padded)[0] == say_id(harness, "error.isi_pendek", min=20)
    longest = await citizen.say("a" * TELEGRAM_MAX_TEXT)
    assert texts(longest)[0] == say_id(harness, "error.isi_panjang", max=3000, length=4096)


async def test_a_hostile_report_reaches_the_database_and_the_staff_card_verbatim(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    content = (
        "\u202eJalan\u200b rusak 🚧 <b>parah</b> & <script>x</script> *tebal* _miring_ "
        "{city} %s '; DROP TABLE reports; -- \u2067عربي\u2069 Z̷a̵l̶g̷o̸ 𝕁𝕒𝕝𝕒𝕟"
    )
    location = "<i>Jl</i> Braga & 'Dago' \u200f{phone}"
    # As sent, less what reorders text (issue 15: an override shown on a card misleads).
    sent, content = content, readable(content)
    assert "\u202e" not in content and "\u2067" not in content and "\u200b" in content
    await consent(citizen)
    await walk_to_step(citizen, 2)
    await citizen.say(sent)
    await citizen.say("1")
    await citizen.say(location)
    for answer in ("lewati", "lewati", "1"):
        review = await citizen.say(answer)
    assert f"Isi laporan Anda: \u2068{content}\u2069" in texts(review)
    code = code_in(await citizen.say("kirim"))
    await emulator.wait_idle(settle=0.3)

    [report] = await reports(harness)
    assert (report.content, report.location_text) == (content, location)
    group = emulator.chat(harness.admin_chat_id)
    [card] = [
        m
        for m in emulator.bot_messages(group)
        if format_code(code) in (m.text or "") and m.button_labels
    ]
    assert content in (card.text or ""), "the card shows the text exactly, escaped for HTML"
    # Isolated, so its right-to-left override cannot reorder the card's own words.
    assert f"\u2068{content}\u2069" in (card.text or "")
    assert location in (card.text or "")


# --- kinds of message -----------------------------------------------------------------------


async def test_every_kind_of_message_gets_a_clear_answer_and_the_same_question(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    await consent(citizen)
    question = last(await walk_to_step(citizen, 2))
    before = await state(harness, citizen)
    refused: list[tuple[str, Callable[[], Awaitable[list[Message]]]]] = [
        ("input.sticker", citizen.send_sticker),
        ("input.video_note", citizen.send_video_note),
        ("input.poll", lambda: citizen.send_poll("Setuju jalan diperbaiki?", ["Ya", "Tidak"])),
        ("input.contact", citizen.send_contact),
        (
            "error.unsupported",
            lambda: send_raw(
                emulator, citizen, media="dice", content={"dice": {"emoji": "🎲", "value": 4}}
            ),
        ),
    ]
    for key, send in refused:
        replies = await send()
        assert texts(replies)[0] == say_id(harness, key), key
        assert last(replies) == question, key
    assert (await state(harness, citizen)).answers == before.answers, "nothing was stored"

    gif = await citizen.send_animation(caption="jalan berlubang")
    assert texts(gif)[0] == say_id(
        harness, "filing.kept_attachment", kind=say_id(harness, "file.document")
    )
    assert last(gif) == question
    venue = {"latitude": -6.9218, "longitude": 107.6071}
    place = {
        "location": venue,
        "venue": {"location": venue, "title": "Alun-alun", "address": "Jalan Asia Afrika"},
    }
    replies = await send_raw(emulator, citizen, media="venue", content=place)
    assert texts(replies)[0] == say_id(harness, "filing.kept_location")
    after = await state(harness, citizen)
    assert (after.answers["latitude"], after.answers["longitude"]) == (-6.9218, 107.6071)
    sent_gif = next(m for m in emulator.history(citizen) if m.media == "animation")
    assert [a["file_id"] for a in after.answers["attachments"]] == [sent_gif.file_id]
    assert after.answers["classification"] == before.answers["classification"]

    menu = last(await citizen.say("menu"))
    replies = await citizen.send_sticker()
    assert texts(replies)[0] == say_id(harness, "input.sticker") and last(replies) == menu

    stranger = emulator.add_user(first_name="Budi")
    greeting = last(await stranger.say("/start"))
    assert last(await stranger.send_sticker()) == greeting, "before consent: the consent question"
    assert await count(harness, Reporter) == 1, "nothing of the stranger is stored"


async def test_files_over_the_limit_are_refused_clearly_and_smaller_ones_kept(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    too_big = say_id(harness, "error.file_too_big", max_mb=20)
    await consent(citizen)
    question = last(await walk_to_step(citizen, 2))
    voice = await citizen.send_voice(size=21 * 1024 * 1024, duration=3000)
    assert texts(voice)[0] == too_big and last(voice) == question
    video = await emulator.script.send_media(citizen, "video", size=30 * 1024 * 1024)
    assert texts(video)[0] == too_big and last(video) == question
    await citizen.say(CONTENT)
    for answer in ("1", "lewati", "lewati"):
        step6 = await citizen.say(answer)
    question = last(step6)
    document = await citizen.send_document(size=25 * 1024 * 1024, file_name="rekaman.zip")
    assert texts(document)[0] == too_big and last(document) == question
    assert (await state(harness, citizen)).answers["attachments"] == ()
    kept = await citizen.send_document(size=19 * 1024 * 1024, file_name="foto-jalan.pdf")
    assert "lampiran 1 dari 5" in last(kept)


async def test_a_pasted_text_telegram_split_in_three_is_refused_whole(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    await consent(citizen)
    question = last(await walk_to_step(citizen, 2))
    before = await state(harness, citizen)
    pasted = (CONTENT + " ") * 112  # about 10,000 characters
    parts = [pasted[i : i + TELEGRAM_MAX_TEXT] for i in range(0, len(pasted), TELEGRAM_MAX_TEXT)]
    assert len(parts) == 3 and 1000 < len(parts[-1]) < 3000, "the last part alone would fit"
    # A Telegram client sends the parts at once, before any answer arrives.
    actions = [emulator.script.act_say(citizen, part) for part in parts]
    replies = await emulator.script.wait(actions[0], expect=8)
    split = say_id(harness, "input.split_part", max=3000)
    offer = say_id(harness, "help.offer", phone=harness.services.directory.city.phone)
    assert texts(replies) == [
        say_id(harness, "error.isi_panjang", max=3000, length=TELEGRAM_MAX_TEXT),
        question,
        split,
        offer,
        question,
        split,
        offer,
        question,
    ]
    after = await state(harness, citizen)
    assert after.answers == before.answers and after.step == Step.ISI.value
    emulator.dates.advance(SPLIT_PAUSE)  # a message typed later is read as usual
    assert last(await citizen.say(CONTENT)).startswith("Langkah 3 dari 8.")


# --- edits, other chats, stale and forged buttons, junk commands ------------------------------


async def test_edited_messages_are_not_reread_and_a_moving_live_location_is_quiet(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    await consent(citizen)
    await walk_to_step(citizen, 3)
    before = await state(harness, citizen)
    mine = [m for m in emulator.history(citizen) if not m.from_bot]
    content_message = next(m for m in mine if m.text == CONTENT)
    edited = await citizen.edit_message(
        content_message.message_id, "Isi yang diubah setelah dikirim.", expect=1
    )
    assert texts(edited) == [say_id(harness, "error.edited")]
    assert (await state(harness, citizen)).answers == before.answers

    shared = emulator.script.act_location(citizen, -6.9, 107.6)
    await emulator.script.wait(shared)
    calls = len(emulator.calls("sendMessage"))
    raw = dict(shared.message.raw) if shared.message else {}
    raw["location"] = {"latitude": -6.91, "longitude": 107.61, "live_period": 900}
    raw["edit_date"] = int(time.time())
    emulator.queue.push("edited_message", raw, citizen.id)
    await emulator.wait_idle(settle=0.3)
    assert len(emulator.calls("sendMessage")) == calls, "a live location moving is not answered"


def pointer(harness: Harness) -> str:
    """The answer in a group the bot does not serve, as the bot renders it in Indonesian."""
    city = harness.services.directory.city
    name = "\u2068@lapor_test_bot\u2069"
    return say_id(
        harness, "unserved.private_only", city=city.name, bot=name, phone=city.phone, sms=city.sms
    )


# Addressed to the bot in a group it does not serve: commands (citizens' and staff's, with
# or without its name) and mentions. Each gets the same pointer and nothing else.
ADDRESSED = (
    "/start",
    "/bantuan",
    "/menu@lapor_test_bot",
    "/Start@Lapor_Test_Bot",
    "/teruskan 726-4185 dishub",
    "/blokir 726-4185 iseng",
    "/laporan 726-4185",
    "/antrean",
    "/statistik",
    "/ekspor 2026-11",
    "/hapusdata",
    "halo @lapor_test_bot, jalan depan rumah saya rusak",
    "@LAPOR_TEST_BOT tolong",
)
# Chatter in the same group: not addressed to this bot, so not answered.
CHATTER = (
    "Arisan besok pukul 19.00 di rumah Bu Rina.",
    "/start@arisan_bot",
    "coba ketik /start ke bot itu",
    "@joko nanti saya transfer",
)


async def test_a_group_the_bot_does_not_serve_is_pointed_to_the_private_chat_storing_nothing(
    harness: Harness, emulator: Emulator, citizen: User, caplog: pytest.LogCaptureFixture
) -> None:
    for logger in ("bot", "handlers", "storage"):
        caplog.set_level(logging.DEBUG, logger=logger)
    stranger = emulator.add_user(first_name="Joko")
    # The bot is an administrator there, so it sees every message, not only those for it.
    other = emulator.add_supergroup(title="Grup Arisan RT 5", members=[stranger])
    planted = emulator.store.add_message(
        other, from_bot=True, sender_id=emulator.bot.id, text="lama"
    )
    expected = pointer(harness)
    assert expected.startswith("Maaf, layanan pengaduan Kota Bandung hanya ada di obrolan pribadi")
    assert "@lapor_test_bot" in expected and "SMS 1708" in expected
    assert findings(expected, locale="id") == []

    answers: list[Message] = []
    for text in ADDRESSED:
        answers += await stranger.say_in(other, text, expect=1)
    answers += await stranger.say_in(other, "balasan", reply_to=planted.message_id, expect=1)
    answers += await stranger.say_in(
        other, "terima kasih", reply_to=answers[0].message_id, expect=1
    )
    answers += await stranger.send_photo_in(other, caption="foto buat @lapor_test_bot", expect=1)
    assert [m.text for m in answers] == [expected] * (len(ADDRESSED) + 3)
    assert all(m.reply_to_message_id is None for m in answers), "not sent as quoted replies"

    said = emulator.store.add_message(other, from_bot=False, sender_id=stranger.id, text="hai")
    for text in CHATTER:
        await stranger.say_in(other, text, expect=0)
    await stranger.say_in(other, "iya", reply_to=said.message_id, expect=0)
    await stranger.send_photo_in(other, caption="foto arisan", expect=0)
    # An edited command was answered as first sent; the edit is not answered again.
    first = next(m for m in emulator.history(other) if m.text == "/start" and not m.from_bot)
    await stranger.edit_message(first.message_id, "/laporan 726-4185", chat=other)
    await emulator.wait_idle(settle=0.3)
    assert emulator.bot_messages(other) == [planted, *answers]

    await assert_stored_nothing_of_theirs(harness)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for text in ("726-4185", "jalan depan rumah", "arisan", "Joko", str(stranger.id)):
        assert text not in logged
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "Apakah Anda setuju?" in last(await citizen.say("/start")), "the bot still answers"


async def test_in_a_forum_it_does_not_serve_the_bot_answers_in_the_topic_it_was_asked_in(
    harness: Harness, emulator: Emulator
) -> None:
    stranger = emulator.add_user(first_name="Joko")
    forum = emulator.add_supergroup(title="Forum Warga", forum=True, members=[stranger])
    # A topic the bot opened (this group was once its staff group): a message in it arrives
    # as a reply to the topic's opening, which is the bot's, and is still chatter.
    topic, opening = emulator.store.create_topic(forum, "Info", emulator.bot)
    await stranger.say_in(forum, "rapat RW hari Minggu", thread_id=topic.thread_id, expect=0)
    [answer] = await stranger.say_in(forum, "/start", thread_id=topic.thread_id, expect=1)
    assert (answer.text, answer.thread_id) == (pointer(harness), topic.thread_id)
    [general] = await stranger.say_in(forum, "/bantuan", expect=1)
    assert (general.text, general.thread_id) == (pointer(harness), None)
    await emulator.wait_idle(settle=0.3)
    assert emulator.bot_messages(forum) == [opening, answer, general]
    await assert_stored_nothing_of_theirs(harness)


async def test_channel_posts_get_no_answer_and_store_nothing(
    harness: Harness, emulator: Emulator, citizen: User, caplog: pytest.LogCaptureFixture
) -> None:
    """Silence by design: an answer in a channel would be published to every subscriber,
    and a post there is the channel's own, not someone writing to the bot."""
    channel = Chat(id=-1001999999999, type="channel", title="Info Kota")
    emulator.store.chats[channel.id] = channel
    post = {
        "message_id": 7,
        "sender_chat": channel.to_json(),
        "chat": channel.to_json(),
        "date": int(time.time()),
        "text": "/start @lapor_test_bot",
    }
    emulator.queue.push("channel_post", post, channel.id)
    emulator.queue.push(
        "edited_channel_post", {**post, "text": "/menu", "edit_date": int(time.time())}, channel.id
    )
    await emulator.wait_idle(settle=0.3)

    assert emulator.bot_messages(channel) == []
    assert [c for c in emulator.calls() if c.chat_id == channel.id] == []
    await assert_stored_nothing_of_theirs(harness)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert "Apakah Anda setuju?" in last(await citizen.say("/start")), "the bot still answers"


async def test_a_button_from_an_old_keyboard_gets_the_current_question_again(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    await consent(citizen)
    step1 = (await walk_to_step(citizen, 1))[-1]
    question = last(await walk_to_step_from(citizen, 1, 5))
    before = await state(harness, citizen)
    replies = await citizen.press("Aspirasi", message_id=step1.message_id)
    assert last(replies) == question
    assert (await state(harness, citizen)).answers == before.answers


async def walk_to_step_from(citizen: User, start: int, step: int) -> list[Message]:
    answers = ["1", "1", CONTENT, "1", "Jalan Braga nomor 12, RT 3 RW 5", "kemarin", "lewati", "2"]
    replies: list[Message] = []
    for answer in answers[start:step]:
        replies = await citizen.say(answer)
    return replies


async def test_stale_and_forged_card_buttons_change_nothing_and_are_audited(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    code = await factories.report(harness, citizen)
    group = emulator.chat(harness.admin_chat_id)
    admin = next(m.user for m in group.members.values() if m.status == "administrator")
    old = [
        m
        for m in emulator.bot_messages(group)
        if format_code(code) in (m.text or "") and m.button_labels
    ][-1]
    shown = deepcopy(old.reply_markup)
    await admin.press_in(group, old.message_id, "Teruskan ke DSDABM", expect=0)
    await emulator.wait_idle(settle=0.3)
    [report] = await reports(harness)
    assert report.status is Status.DITERUSKAN
    assert old.button_labels == [], "the card was edited: its buttons are gone"

    # A press on the buttons a client still shows from before the change: refused with
    # the status the report has now.
    old.reply_markup = shown
    answers = len(emulator.callback_answers)
    await admin.press_in(group, old.message_id, "Teruskan ke DSDABM", expect=0)
    unknown = next(c for c in range(7264185, 9999999) if is_valid(str(c)) and c != code)
    forged = [
        "",
        "x" * 64,
        "r1:teruskan:0000000",
        f"r1::{unknown}",
        f"r1:hapus:{code}",
        f"r1:teruskan:{code}:' OR 1=1",
        f"r1:teruskan:{code}:tidakada",
        "r1:teruskan:１２３４５６７",
        "\x00\u202e",
    ]
    for data in forged:
        button = old.reply_markup["inline_keyboard"][0][0]
        button["callback_data"] = data
        await admin.press_in(group, old.message_id, button["text"], expect=0)
    await emulator.wait_idle(settle=0.3)
    alerts = emulator.callback_answers[answers:]
    assert len(alerts) == 1 + len(forged)
    assert all(a.text and a.show_alert for a in alerts), "every refusal is read aloud"
    assert (alerts[0].text or "").startswith(f"Laporan {format_code(code)} berstatus Diteruskan")
    [report] = await reports(harness)
    assert (report.status, report.agency) == (Status.DITERUSKAN, "dsdabm")
    async with harness.services.sessionmaker() as session:
        refused = (
            (await session.execute(select(AuditEntry).where(~AuditEntry.allowed))).scalars().all()
        )
    assert len(refused) >= len(forged), "each refused press is in the audit log"

    # A button forged onto a message in the citizen's private chat.
    notice = emulator.bot_messages(citizen)[-1]
    notice.reply_markup = {
        "inline_keyboard": [[{"text": "Teruskan", "callback_data": f"r1:teruskan:{code}:dishub"}]]
    }
    await citizen.press("Teruskan", message_id=notice.message_id, expect=0)
    await emulator.wait_idle(settle=0.3)
    assert emulator.callback_answers[-1].text == say_id(harness, "staff.refused.not_staff")
    [report] = await reports(harness)
    assert report.agency == "dsdabm"


async def test_commands_with_junk_arguments_are_read_as_the_command_or_refused_clearly(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    await consent(citizen)
    question = last(await walk_to_step(citizen, 2))
    assert "Apa yang bisa kami bantu" in last(await citizen.say("/start ' OR 1=1 --"))
    assert last(await citizen.say("/lanjut 💥💥")) == question
    assert texts(await citizen.say("/batal <b>sekarang</b>"))[-1] == last(
        await citizen.say("ulang")
    )
    assert last(await citizen.say("tidak")) == question
    helped = await citizen.say("/bantuan@lapor_test_bot ; DROP TABLE drafts")
    assert len(helped) >= 2 and last(helped) == question
    assert (await state(harness, citizen)).step == Step.ISI.value

    group = emulator.chat(harness.admin_chat_id)
    admin = next(m.user for m in group.members.values() if m.status == "administrator")
    answers = {
        "/teruskan junk": say_id(harness, "staff.usage.teruskan"),
        "/laporan ' OR 1=1 --": say_id(harness, "staff.usage.laporan"),
        "/tunda 999-9999 apa": say_id(harness, "staff.usage.tunda"),
        "/blokir": say_id(harness, "staff.usage.blokir"),
        "/bukablokir <script>": say_id(harness, "staff.usage.bukablokir"),
        "/cari %": say_id(harness, "staff.search_empty"),
        "/cari ' OR '1'='1": say_id(harness, "staff.search_empty"),
    }
    for command, expected in answers.items():
        await admin.say_in(group, command, expect=0)
        await emulator.wait_idle(settle=0.3)
        assert texts(emulator.bot_messages(group))[-1] == expected, command
    assert await count(harness, Report) == 0

    command = next(m for m in reversed(emulator.history(group)) if not m.from_bot)
    await admin.edit_message(command.message_id, "/laporan 726-4185", chat=group, expect=0)
    await emulator.wait_idle(settle=0.3)
    assert texts(emulator.bot_messages(group))[-1] == say_id(harness, "staff.edited")


# --- the property: any text or odd message at any step ----------------------------------------

# Each step gets its own seed, so a run is repeatable and the steps see different examples.
settings.register_profile(
    "hostile",
    max_examples=6,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# HOSTILE_PROFILE=hostile-deep explores more, with fresh random examples each run.
settings.register_profile("hostile-deep", settings.get_profile("hostile"), max_examples=60)
PROFILE_NAME = os.environ.get("HOSTILE_PROFILE", "hostile")
PROFILE = settings.get_profile(PROFILE_NAME)

STATIONS = (
    Step.KLASIFIKASI,
    Step.ISI,
    Step.KATEGORI,
    Step.LOKASI,
    Step.TANGGAL,
    Step.LAMPIRAN,
    Step.PRIVASI,
    Step.PERIKSA,
)
ADVANCE = {
    Step.KLASIFIKASI: "1",
    Step.ISI: CONTENT,
    Step.KATEGORI: "1",
    Step.LOKASI: "Jalan Braga nomor 12, RT 3 RW 5",
    Step.TANGGAL: "kemarin",
    Step.LAMPIRAN: "lewati",
    Step.PRIVASI: "2",
}
# The answers a text at each step may change; every other answer must stay as it was.
TEXT_FIELDS = {
    Step.KLASIFIKASI: {"classification"},
    Step.ISI: {"content", "voice", "category_page"},
    Step.KATEGORI: {"category", "category_page"},
    Step.LOKASI: {"location_text", "location_skipped"},
    Step.TANGGAL: {"incident_date", "date_skipped"},
    Step.LAMPIRAN: set(),
    Step.PRIVASI: {"privacy"},
    Step.PERIKSA: set(),
}
# Answers some step takes, so that examples also move the citizen on (and back).
PLAUSIBLE = (
    "1",
    "2",
    "3",
    "4",
    "9",
    CONTENT,
    "  Sampah tidak diangkut seminggu di Jalan Cikutra nomor 3.  ",
    "Jalan Dago nomor 5",
    "hari ini",
    "13 November 2026",
    "1 Januari 2099",
    "lewati",
    "selesai",
    "kirim",
    "ubah",
)
ODD = ("sticker", "animation", "video_note", "poll", "contact", "photo", "big_document", "location")


def _universal_words(harness: Harness) -> set[str]:
    locales = harness.services.locales
    return {
        normalise(word) for key in UNIVERSAL for word in locales.forms(key) | locales.words(key)
    }


def _message_strategy(universal: set[str]) -> st.SearchStrategy[tuple[str, str]]:
    def plain(text: str) -> bool:
        head = text.split(maxsplit=1)[0] if text.split() else text
        return normalise(text) not in universal and normalise(head) not in universal

    texts_ = st.one_of(
        st.text(min_size=1, max_size=40),
        st.text(st.characters(codec="utf-8"), min_size=1, max_size=400),
        st.sampled_from([item.text for item in CORPUS]),
        st.sampled_from(PLAUSIBLE),
        # Over the address limit, up to the content limit; longer ones come from the corpus.
        st.integers(290, LONGEST_ANSWER).map(lambda n: ("Jalan rusak. " * 250)[:n]),
    ).filter(plain)
    return st.one_of(texts_.map(lambda t: ("text", t)), st.sampled_from(ODD).map(lambda k: (k, "")))


@dataclass
class Walker:
    """One citizen driven step by step, at a pace a person could type (flood control is on)."""

    harness: Harness
    emulator: Emulator
    citizen: User
    question: str = ""
    sent: list[tuple[str, str, str]] = field(default_factory=list)

    async def say(self, text: str) -> list[Message]:
        self.harness.clock.advance(seconds=3)
        return await self.citizen.say(text)

    async def send(self, kind: str, text: str) -> list[Message]:
        self.harness.clock.advance(seconds=3)
        citizen = self.citizen
        match kind:
            case "text":
                return await citizen.say(text)
            case "sticker":
                return await citizen.send_sticker()
            case "animation":
                return await citizen.send_animation()
            case "video_note":
                return await citizen.send_video_note()
            case "poll":
                return await citizen.send_poll("Jalan diperbaiki?", ["Ya", "Tidak"])
            case "contact":
                return await citizen.send_contact()
            case "photo":
                return await citizen.send_photo()
            case "big_document":
                return await citizen.send_document(size=21 * 1024 * 1024)
            case _:
                return await citizen.send_location(-6.9175, 107.6191)

    async def advance(self, station: Step) -> None:
        """Answer the station's question correctly, to reach the next one."""
        for _ in range(3):
            self.question = last(await self.say(ADVANCE[station]))
            if (await state(self.harness, self.citizen)).step != station.value:
                return
            # Else read as the rest of a long paste just sent.
            self.emulator.dates.advance(SPLIT_PAUSE)
        raise AssertionError(f"could not leave {station}")

    async def refile(self) -> None:
        """The report went (kirim was typed at the read-back): start another to the end."""
        for answer in ("1", *ADVANCE.values()):
            replies = await self.say(answer)
        self.question = last(replies)

    async def back_to(self, station: Step) -> None:
        """Return to the station after an answer that moved the citizen on."""
        for _ in range(4):
            now = await state(self.harness, self.citizen)
            if now.step is None:
                await self.refile()
            elif now.context != "filing" or now.step != station.value:
                self.question = last(await self.say("kembali"))
            else:
                return
        raise AssertionError(f"could not return to {station} after {self.sent[-6:]}")

    async def probe(self, station: Step, kind: str, text: str) -> None:
        """Send one message at the station, check the property, and return to the station."""
        self.sent.append((station.value, kind, text[:80]))
        try:
            await self._probe(station, kind, text)
        except AssertionError as failure:
            raise AssertionError(f"{failure}; the last messages were {self.sent[-6:]}") from None
        finally:
            await self.back_to(station)

    async def _probe(self, station: Step, kind: str, text: str) -> None:
        before = await state(self.harness, self.citizen)
        replies = await self.send(kind, text)
        answered(self.harness, replies)
        after = await state(self.harness, self.citizen)
        moved = (after.context, after.step) != (before.context, before.step)
        if after.step is not None:
            allowed = self._allowed(station, kind)
            assert changed(before.answers, after.answers) <= allowed, (station, kind, text)
            self._stored_exactly(before.answers, after.answers, kind, text)
        if not moved and after.answers == before.answers:
            assert len(replies) >= 2, "a problem is explained before the question"
            assert last(replies) == self.question, (station, kind, text, texts(replies))
        elif not moved:
            # Something was kept (a file, a map point, the next page of categories): the
            # step's question, as "ulang" repeats it, is what an invalid answer brings next.
            self.question = last(await self.say("ulang"))

    def _allowed(self, station: Step, kind: str) -> set[str]:
        if kind == "text":
            return TEXT_FIELDS[station]
        if kind == "location":
            return {"latitude", "longitude", "location_skipped"}
        return {"attachments"}

    def _stored_exactly(
        self, before: dict[str, Any], after: dict[str, Any], kind: str, text: str
    ) -> None:
        for key in ("content", "location_text"):
            if before.get(key) != after.get(key) and after.get(key) is not None:
                assert kind == "text" and after[key] == readable(text).strip(), (key, text)
        if before.get("attachments") != after.get("attachments"):
            sent = [m for m in self.emulator.history(self.citizen) if not m.from_bot][-1]
            assert [a["file_id"] for a in after["attachments"]] == [
                *(a["file_id"] for a in before["attachments"]),
                sent.file_id,
            ]


async def test_property_any_message_at_any_step_is_answered_and_keeps_the_draft(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    walker = Walker(harness, emulator, citizen)
    await consent(citizen)
    walker.question = last(await walker.say("1"))
    loop = asyncio.get_running_loop()
    messages = _message_strategy(_universal_words(harness))
    for station in STATIONS:
        await asyncio.to_thread(_explorer(walker, station, messages, loop))
        if station in ADVANCE:
            await walker.advance(station)


def _explorer(
    walker: Walker,
    station: Step,
    messages: st.SearchStrategy[tuple[str, str]],
    loop: asyncio.AbstractEventLoop,
) -> Callable[[], None]:
    """Hypothesis runs on a worker thread; each example is a probe on the bot's loop."""

    @PROFILE
    @given(messages)
    def explore(message: tuple[str, str]) -> None:
        probe = walker.probe(station, *message)
        asyncio.run_coroutine_threadsafe(probe, loop).result(timeout=120)

    if PROFILE_NAME == "hostile":
        return seed(STATIONS.index(station))(explore)  # type: ignore[no-any-return]
    return explore
