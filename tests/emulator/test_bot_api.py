"""The Bot API surface, driven by a real python-telegram-bot Bot over HTTP."""

from __future__ import annotations

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError

from bot.sandbox.emulator import Emulator, User


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(x, callback_data=x)] for x in labels])


async def test_get_me_and_wrong_tokens(emu: Emulator, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "lapor_test_bot", True)
    stranger = Bot("123456:WRONG", base_url=emu.base_url)
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await stranger.initialize()
    await stranger.shutdown()
    assert (emu.api_calls[-1].status, emu.api_calls[-1].description) == (401, "Unauthorized")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{emu.base_url}not-a-token/getMe") as resp:
            assert resp.status == 404
            assert (await resp.json())["description"] == "Not Found"
        async with http.post(f"{emu.base_url}{emu.token}/noSuchMethod") as resp:
            assert resp.status == 404


async def test_json_form_and_case_insensitive_methods(emu: Emulator, alice: User) -> None:
    async with aiohttp.ClientSession() as http:
        url = f"{emu.base_url}{emu.token}"
        async with http.post(f"{url}/SENDMESSAGE", json={"chat_id": alice.id, "text": "123"}) as r:
            body = await r.json()
        assert body["ok"] and body["result"]["text"] == "123"
        form = {
            "chat_id": str(alice.id),
            "text": "true",
            "reply_markup": '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}',
        }
        async with http.post(f"{url}/sendmessage", data=form) as r:
            body = await r.json()
        assert body["result"]["text"] == "true"
        assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    assert [m.text for m in emu.history(alice)] == ["123", "true"]
    assert [c.method for c in emu.calls()] == ["sendMessage", "sendMessage"]


async def test_html_is_parsed_into_text_and_entities(emu: Emulator, bot: Bot, alice: User) -> None:
    sent = await bot.send_message(
        alice.id,
        "<b>Laporan</b> &lt;LPR-1&gt; diterima &amp; <a href='https://lapor.go.id/t/1'>dilacak</a>",
        parse_mode="HTML",
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert sent.text == "Laporan <LPR-1> diterima & dilacak"
    stored = emu.bot_messages(alice)[-1]
    assert stored.text == sent.text
    assert stored.parse_mode == "HTML"
    assert stored.link_preview_disabled
    assert stored.entities == [
        {"type": "bold", "offset": 0, "length": 7},
        {"type": "text_link", "offset": 27, "length": 7, "url": "https://lapor.go.id/t/1"},
    ]
    assert stored.raw["chat"] == {
        "id": alice.id, "type": "private", "first_name": "Siti", "last_name": "Rahma",
        "username": "siti",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("a <foo> b", 'Unsupported start tag "foo" at byte offset 2'),
        ("<b>tebal", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("5 < 6", 'Unsupported start tag "" at byte offset 2'),
    ],
)
async def test_html_errors_reach_the_bot(
    emu: Emulator, bot: Bot, alice: User, text: str, description: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(alice.id, text, parse_mode="HTML")
    # PTB strips "Bad Request: " and capitalize()s the rest, lowering every other letter.
    assert caught.value.message == f"Can't parse entities: {description}".capitalize()
    assert emu.calls("sendMessage")[-1].description == (
        f"Bad Request: can't parse entities: {description}"
    )
    assert emu.history(alice) == []


async def test_markdown_v2_reserved_character(bot: Bot, alice: User) -> None:
    with pytest.raises(BadRequest, match=r"character '\.' is reserved"):
        await bot.send_message(alice.id, "Terima kasih.", parse_mode="MarkdownV2")
    sent = await bot.send_message(alice.id, r"*Terima* kasih\.", parse_mode="MarkdownV2")
    assert sent.text == "Terima kasih."


async def test_text_and_caption_length_limits(emu: Emulator, bot: Bot, alice: User) -> None:
    exact = await bot.send_message(alice.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    assert exact.text == "a" * 4096
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alice.id, "a" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "<b> </b>", parse_mode="HTML")
    await bot.send_photo(alice.id, b"\x89PNG fake", caption="c" * 1024)
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(alice.id, b"\x89PNG fake", caption="c" * 1025)
    assert [m.media for m in emu.history(alice)] == [None, "photo"]


async def test_callback_data_and_button_count_limits(bot: Bot, alice: User) -> None:
    await bot.send_message(alice.id, "ok", reply_markup=keyboard("x" * 64))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.id, "no", reply_markup=keyboard("x" * 65))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.id, "no", reply_markup=keyboard("é" * 33))
    many = InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"{r}{c}", callback_data=f"{r}{c}") for c in range(8)]
         for r in range(13)]
    )  # fmt: skip
    with pytest.raises(BadRequest, match="Reply_markup_too_long"):
        await bot.send_message(alice.id, "no", reply_markup=many)


async def test_unreachable_users_get_telegrams_403s(emu: Emulator, bot: Bot) -> None:
    blocked, gone = emu.add_user("Budi"), emu.add_user("Wati")
    stranger = emu.add_user("Asep", started=False)
    emu.block_bot(blocked)
    emu.deactivate(gone)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(blocked.id, "halo")
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(gone.id, "halo")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "halo")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999_999, "halo")
    assert [c.status for c in emu.calls("sendMessage")] == [403, 403, 403, 400]
    blocked_update = emu.pending_updates[0]
    assert blocked_update.kind == "my_chat_member"
    assert blocked_update.payload["new_chat_member"]["status"] == "kicked"


async def test_edits_follow_telegram_rules(emu: Emulator, bot: Bot, alice: User) -> None:
    msg = await bot.send_message(alice.id, "Status: baru", reply_markup=keyboard("Lihat"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Status: baru", alice.id, msg.message_id,
                                    reply_markup=keyboard("Lihat"))  # fmt: skip
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", alice.id, 999)
    edited = await bot.edit_message_text("<i>Status: selesai</i>", alice.id, msg.message_id,
                                         parse_mode="HTML")  # fmt: skip
    assert isinstance(edited, type(msg)) and edited.edit_date is not None
    stored = emu.message(alice, msg.message_id)
    assert (stored.text, stored.edited, stored.reply_markup) == ("Status: selesai", True, None)
    await bot.edit_message_reply_markup(alice.id, msg.message_id, reply_markup=keyboard("Nilai"))
    assert stored.button_labels == ["Nilai"]
    assert await bot.delete_message(alice.id, msg.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, msg.message_id)
    assert emu.history(alice) == []


async def test_edits_of_messages_deleted_by_hand_or_too_old_are_refused(
    emu: Emulator, bot: Bot, alice: User
) -> None:
    group = emu.add_supergroup("Staf", forum=True, members=[alice], admins=[alice])
    gone = await bot.send_message(group.id, "kartu lama", reply_markup=keyboard("Selesai"))
    kept = await bot.send_message(group.id, "kartu", reply_markup=keyboard("Selesai"))
    emu.delete_by_hand(group, gone.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("kartu baru", group.id, gone.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_reply_markup(group.id, gone.message_id)
    # Telegram sets bots' own messages no edit time limit today; older rules did.
    emu.edit_time_limit = 0.0
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("kartu baru", group.id, kept.message_id)
    emu.edit_time_limit = 3600.0
    await bot.edit_message_text("kartu baru", group.id, kept.message_id)
    stored = emu.message(group, kept.message_id)
    assert (stored.text, stored.reply_markup) == ("kartu baru", None), "the keyboard is gone too"
    assert [c.status for c in emu.calls("editMessageText")] == [400, 400, 200]


async def test_replies_and_reply_parameters(emu: Emulator, bot: Bot, alice: User) -> None:
    first = await bot.send_message(alice.id, "pertama")
    reply = await bot.send_message(
        alice.id, "balasan", reply_parameters=ReplyParameters(first.message_id)
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "pertama"
    assert emu.message(alice, reply.message_id).reply_to_message_id == first.message_id
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.id, "x", reply_parameters=ReplyParameters(404))
    lenient = await bot.send_message(
        alice.id, "x", reply_parameters=ReplyParameters(404, allow_sending_without_reply=True)
    )
    assert lenient.reply_to_message is None


async def test_reply_keyboard_is_tracked_per_chat(emu: Emulator, bot: Bot, alice: User) -> None:
    chat = emu.chat(alice)
    markup = ReplyKeyboardMarkup([["Pengaduan", "Aspirasi"]], resize_keyboard=True,
                                 input_field_placeholder="Pilih")  # fmt: skip
    sent = await bot.send_message(alice.id, "Pilih jenis", reply_markup=markup)
    assert sent.reply_markup is None  # Telegram never echoes reply keyboards back
    assert chat.reply_keyboard is not None
    assert chat.reply_keyboard["input_field_placeholder"] == "Pilih"
    await bot.send_message(alice.id, "Balas", reply_markup=ForceReply())
    assert chat.reply_keyboard is not None
    await bot.send_message(alice.id, "Selesai", reply_markup=ReplyKeyboardRemove())
    assert chat.reply_keyboard is None


async def test_copy_hides_the_sender_and_forward_names_it(
    emu: Emulator, bot: Bot, alice: User
) -> None:
    staff = emu.add_supergroup("Staf", members=[alice])
    emu.script.act_media(alice, "photo", caption="jalan rusak")
    original = emu.history(alice)[-1]
    copied = await bot.copy_message(staff.id, alice.id, original.message_id)
    copy = emu.message(staff, copied.message_id)
    assert copy.from_bot and copy.sender_id == emu.bot.id
    assert (copy.caption, copy.media, copy.file_id) == ("jalan rusak", "photo", original.file_id)
    assert "forward_origin" not in copy.raw
    forwarded = await bot.forward_message(staff.id, alice.id, original.message_id)
    assert forwarded.forward_origin is not None
    assert forwarded.forward_origin.sender_user.id == alice.id  # type: ignore[attr-defined]
    with pytest.raises(BadRequest, match="Message to copy not found"):
        await bot.copy_message(staff.id, alice.id, 999)


async def test_files_get_file_download_and_resend(emu: Emulator, bot: Bot, alice: User) -> None:
    uploaded = await bot.send_document(alice.id, b"%PDF-1.4 surat", filename="surat.pdf")
    assert uploaded.document is not None and uploaded.document.file_name == "surat.pdf"
    file = await bot.get_file(uploaded.document.file_id)
    assert file.file_size == len(b"%PDF-1.4 surat")
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 surat"
    again = await bot.send_document(alice.id, uploaded.document.file_id)
    assert again.document is not None and again.document.file_id == uploaded.document.file_id
    emu.script.act_media(alice, "voice", size=30_000)
    voice_id = emu.history(alice)[-1].file_id
    assert voice_id is not None
    voice = await bot.get_file(voice_id)
    assert len(await voice.download_as_bytearray()) == 30_000
    emu.script.act_media(alice, "document", size=21 * 1024 * 1024)
    big_id = emu.history(alice)[-1].file_id
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(big_id or "")
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(alice.id, "no-such-file-id")


async def test_uploads_over_50_mb_are_refused(emu: Emulator, bot: Bot, alice: User) -> None:
    with pytest.raises(NetworkError, match="Request Entity Too Large"):
        await bot.send_document(alice.id, b"\0" * (50 * 1024 * 1024 + 1), filename="big.bin")
    assert emu.history(alice) == []
    assert emu.calls("sendDocument")[-1].status == 413


async def test_answer_callback_query_limits(emu: Emulator, bot: Bot, alice: User) -> None:
    await bot.send_message(alice.id, "Pilih", reply_markup=keyboard("Ya"))
    emu.script.act_press(alice, "Ya")
    query = emu.unanswered_callbacks()[0]
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query.id, "x" * 201)
    assert await bot.answer_callback_query(query.id, "Tercatat", show_alert=True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query.id)
    answer = emu.callback_answers[0]
    assert (answer.user_id, answer.text, answer.show_alert) == (alice.id, "Tercatat", True)
    assert emu.unanswered_callbacks() == []


async def test_commands_chat_info_and_members(emu: Emulator, bot: Bot, alice: User) -> None:
    assert await bot.set_my_commands([BotCommand("lapor", "Buat laporan")])
    assert [c.command for c in await bot.get_my_commands()] == ["lapor"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Lapor!", "x")])
    chat = await bot.get_chat(alice.id)
    assert (chat.type, chat.first_name) == ("private", "Siti")
    member = await bot.get_chat_member(alice.id, alice.id)
    assert member.status == "member"
    assert await bot.send_chat_action(alice.id, "typing")
    assert emu.chat_actions[-1][:2] == (alice.id, "typing")


async def test_albums_locations_and_contacts(emu: Emulator, bot: Bot, alice: User) -> None:
    album = await bot.send_media_group(
        alice.id,
        [
            InputMediaPhoto(b"\x89PNG one", caption="<b>foto</b> 1", parse_mode="HTML"),
            InputMediaDocument(b"%PDF two", filename="dua.pdf"),
        ],
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    assert album[0].caption == "foto 1" and album[1].document is not None
    await bot.send_location(alice.id, latitude=-6.9175, longitude=107.6191)
    await bot.send_contact(alice.id, phone_number="+62221234567", first_name="Call Center")
    kinds = [m.media for m in emu.history(alice)]
    assert kinds == ["photo", "document", "location", "contact"]
    assert emu.history(alice)[2].raw["location"] == {"latitude": -6.9175, "longitude": 107.6191}
    assert len(emu.send_log.sends) == 3  # an album counts once
