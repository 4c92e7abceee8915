"""One outbox message as one Bot API call: copy, file by id, voice note made now, or text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode

from bot.core.outgoing import Outgoing
from bot.delivery.destinations import Place
from bot.delivery.failures import Failure, FailureKind, Undeliverable
from bot.language import speech
from bot.transport.voice import send_voice

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class _SendFile(Protocol):
    """What sendPhoto, sendDocument, sendVoice, sendAudio and sendVideo have in common."""

    async def __call__(
        self,
        chat_id: int,
        file: str | InputFile,
        /,
        *,
        caption: str | None,
        parse_mode: str | None,
        message_thread_id: int | None,
        reply_markup: InlineKeyboardMarkup | None,
        reply_parameters: ReplyParameters | None,
    ) -> Message: ...


def tagged(place: Place, text: str | None) -> str | None:
    """Text with the queue's hashtag in front, in a staff group without topics."""
    if place.tag is None:
        return text
    return f"{place.tag}\n{text}" if text else place.tag


@dataclass(frozen=True)
class Upload:
    """A file's bytes sent for the first time, and the file id Telegram gave them."""

    data: bytes
    file_name: str | None = None
    file_id: str = ""
    file_unique_id: str = ""


async def send(
    bot: Bot,
    place: Place,
    message: Outgoing,
    reply_to: int | None,
    *,
    voice: speech.Tools | None = None,
    upload: Upload | None = None,
) -> tuple[int, Upload | None]:
    """Send and return the new message's id; Bot API errors propagate as raised.

    `voice` is the speaking programs found, for rows that are a prompt's spoken copy;
    `upload` the bytes of a file Telegram does not have yet, returned with its file id.
    """
    if message.speak is not None:
        return await _spoken(bot, place, message.text or "", message.speak, voice), None
    markup = _markup(message)
    # A card deleted by hand must not fail the message meant to go under it.
    reply = (
        ReplyParameters(reply_to, allow_sending_without_reply=True)
        if reply_to is not None
        else None
    )
    chat_id, thread_id = place.chat_id, place.thread_id
    if message.copy is not None:
        copied = await bot.copy_message(
            chat_id,
            message.copy.from_chat_id,
            message.copy.message_id,
            message_thread_id=thread_id,
            reply_markup=markup,
            reply_parameters=reply,
        )
        return copied.message_id, None
    text = tagged(place, message.text)
    parse_mode = ParseMode.HTML if message.html else None
    if message.file is not None:
        methods: dict[str, _SendFile] = {
            "photo": bot.send_photo,
            "document": bot.send_document,
            "voice": bot.send_voice,
            "audio": bot.send_audio,
            "video": bot.send_video,
        }
        file: str | InputFile = message.file.file_id
        if upload is not None:
            file = InputFile(upload.data, filename=upload.file_name, attach=True)
        sent = await methods[message.file.kind](
            chat_id,
            file,
            caption=text,
            parse_mode=parse_mode,
            message_thread_id=thread_id,
            reply_markup=markup,
            reply_parameters=reply,
        )
        if upload is not None:
            upload = _uploaded(sent, upload)
        return sent.message_id, upload
    if isinstance(bot, DeliveryBot):
        message_id = await bot.send_text(
            chat_id, text or "", parse_mode=parse_mode, message_thread_id=thread_id,
            reply_markup=markup, reply_parameters=reply,
        )  # fmt: skip
        return message_id, None
    sent = await bot.send_message(
        chat_id,
        text or "",
        parse_mode=parse_mode,
        message_thread_id=thread_id,
        reply_markup=markup,
        reply_parameters=reply,
        link_preview_options=NO_PREVIEW,
    )
    return sent.message_id, None


class DeliveryBot(Bot):
    """The dispatcher's Bot: a text message sent without building the Message it returns.

    Of a sent message the dispatcher keeps only its id, and reading Telegram's answer into
    a Message (its chat, its sender, its entities) cost a third of the call's CPU.
    """

    __slots__ = ()

    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        parse_mode: str | None,
        message_thread_id: int | None,
        reply_markup: InlineKeyboardMarkup | None,
        reply_parameters: ReplyParameters | None,
    ) -> int:
        """sendMessage, without a link preview; the new message's id. Errors as send_message."""
        data: dict[str, object] = {
            "chat_id": chat_id,
            "text": text,
            "parse_mode": parse_mode,
            "message_thread_id": message_thread_id,
            "reply_markup": reply_markup,
            "reply_parameters": reply_parameters,
            "link_preview_options": NO_PREVIEW,
        }
        result = await self._post("sendMessage", data)
        return int(result["message_id"])


def _uploaded(sent: Message, upload: Upload) -> Upload:
    """The upload with the file id Telegram gave it (a photo's largest size)."""
    found = sent.photo[-1] if sent.photo else sent.effective_attachment
    file_id = getattr(found, "file_id", "")
    unique = getattr(found, "file_unique_id", "")
    return Upload(upload.data, upload.file_name, str(file_id or ""), str(unique or ""))


async def edit(bot: Bot, place: Place, message: Outgoing, message_id: int) -> None:
    """Edit one of our messages to say `message` (text and buttons); errors propagate.

    A card without buttons loses its keyboard: an edit that omits reply_markup removes it.
    """
    await bot.edit_message_text(
        tagged(place, message.text) or "",
        chat_id=place.chat_id,
        message_id=message_id,
        parse_mode=ParseMode.HTML if message.html else None,
        reply_markup=_markup(message),
        link_preview_options=NO_PREVIEW,
    )


def _markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(button.label, callback_data=button.data) for button in row]
            for row in message.buttons
        ]
    )


async def _spoken(
    bot: Bot, place: Place, text: str, locale: str, voice: speech.Tools | None
) -> int:
    """A prompt read aloud. One that cannot be made ends its own row only: the prompt's
    text was a row of its own, sent before it."""
    note = await speech.voice_note(text, locale, voice) if voice is not None else None
    if note is None:
        raise Undeliverable(Failure(FailureKind.FAILED, "the voice note could not be made"))
    sent = await send_voice(bot, place.chat_id, note, place.thread_id)
    return sent.message_id
