"""File-carrying messages (uploads, file_id resends, albums) and getFile."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator import bot_api_errors
from bot.sandbox.emulator.flood_control import Send
from bot.sandbox.emulator.methods.outbound import PendingMessage, caption_of, commit, prepare
from bot.sandbox.emulator.methods.registry import api_method
from bot.sandbox.emulator.params import MAX_UPLOAD_BYTES, Params, Upload
from bot.sandbox.emulator.state import JSON, StoredFile

if TYPE_CHECKING:
    from bot.sandbox.emulator.world import World

ALBUM_KINDS = ("photo", "video", "document", "audio")
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
_URL_FILE_SIZE = 64_000  # Telegram would fetch a URL; the emulator invents a plausible file
_album_ids = itertools.count(13_000_000_000_000_000)


def _upload_for(p: Params, field: str) -> Upload | None:
    upload = p.uploads.get(field)
    value = p.get(field)
    if upload is None and isinstance(value, str) and value.startswith("attach://"):
        upload = p.uploads.get(value[len("attach://") :])
        if upload is None:
            raise bot_api_errors.bad_request(f"file {value} not found in the request")
    return upload


def input_files(world: World, p: Params, field: str, kind: str) -> list[StoredFile]:
    """The file(s) a send refers to: a multipart upload, an existing file_id, or a URL."""
    upload = _upload_for(p, field)
    if upload is not None:
        size = len(upload.data)
        if size == 0:
            raise bot_api_errors.bad_request(bot_api_errors.FILE_EMPTY)
        if size > MAX_UPLOAD_BYTES:
            raise bot_api_errors.BotApiError(413, bot_api_errors.ENTITY_TOO_LARGE)
        if kind == "photo":
            return world.store.photo_sizes(size, upload.data)
        attrs = _attributes(kind, p, upload.filename, upload.content_type)
        return [world.store.new_file(kind, size, upload.data, **attrs)]
    value = p.get(field)
    if not isinstance(value, str) or not value:
        raise bot_api_errors.bad_request(f"there is no {field} in the request")
    if value.startswith(("http://", "https://")):
        if kind == "photo":
            return world.store.photo_sizes(_URL_FILE_SIZE)
        name = value.rstrip("/").rsplit("/", 1)[-1] or None
        attrs = _attributes(kind, p, name, None)
        return [world.store.new_file(kind, _URL_FILE_SIZE, **attrs)]
    existing = world.store.files.get(value)
    if existing is None:
        raise bot_api_errors.bad_request(bot_api_errors.WRONG_FILE_ID)
    if (existing.kind == "photo") != (kind == "photo"):
        raise bot_api_errors.bad_request(bot_api_errors.FILE_TYPE_MISMATCH)
    return [existing]


def _attributes(kind: str, p: Params, name: str | None, mime: str | None) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if kind in ("document", "audio", "video", "animation"):
        attrs["file_name"] = name
        attrs["mime_type"] = mime
    if kind == "voice":
        attrs["mime_type"] = "audio/ogg"
    if kind in ("voice", "audio", "video", "animation", "video_note"):
        attrs["duration"] = p.get_int("duration", 0)
    if kind in ("video", "animation"):
        attrs["width"] = p.get_int("width", 640)
        attrs["height"] = p.get_int("height", 360)
    if kind in ("video_note", "sticker"):
        side = p.get_int("length", 240) if kind == "video_note" else 512
        attrs["width"] = attrs["height"] = side
    return attrs


def media_content(kind: str, files: list[StoredFile]) -> tuple[JSON, str]:
    """Message JSON fields for the media, and the file_id a test would use."""
    main = files[-1]
    if kind == "photo":
        return {"photo": [f.describe() for f in files]}, main.file_id
    body = main.describe()
    if kind == "video_note":
        body["length"] = body.pop("width", 240)
        body.pop("height", None)
    if kind == "sticker":
        body.update({"type": "regular", "is_animated": False, "is_video": False, "emoji": "👍"})
    content: JSON = {kind: body}
    if kind == "animation":
        content["document"] = dict(body)
    return content, main.file_id


def _send_file(kind: str, method: str) -> None:
    async def handler(world: World, p: Params) -> Any:
        out = prepare(world, p, method)
        files = input_files(world, p, kind, kind)
        if kind not in ("sticker", "video_note"):
            out.caption = caption_of(p)
            out.source = p.get_str("caption")
        out.media = kind
        out.content, out.file_id = media_content(kind, files)
        return commit(world, out).raw

    api_method(method)(handler)


for _kind, _method in (
    ("photo", "sendPhoto"),
    ("document", "sendDocument"),
    ("voice", "sendVoice"),
    ("audio", "sendAudio"),
    ("video", "sendVideo"),
    ("animation", "sendAnimation"),
    ("video_note", "sendVideoNote"),
    ("sticker", "sendSticker"),
):
    _send_file(_kind, _method)


@api_method("sendMediaGroup")
async def send_media_group(world: World, p: Params) -> Any:
    items = p.get_json("media")
    if not isinstance(items, list) or not 2 <= len(items) <= 10:
        raise bot_api_errors.bad_request("wrong number of media items")
    base = prepare(world, p, "sendMediaGroup")
    prepared: list[PendingMessage] = []
    for item in items:
        if not isinstance(item, dict) or item.get("type") not in ALBUM_KINDS:
            raise bot_api_errors.bad_request("wrong media type")
        kind = str(item["type"])
        item_params = Params(values=dict(item), uploads=p.uploads)
        files = input_files(world, item_params, "media", kind)
        out = PendingMessage(base.chat, "sendMediaGroup", base.thread_id, base.reply_to)
        out.caption = caption_of(item_params)
        out.media = kind
        out.content, out.file_id = media_content(kind, files)
        prepared.append(out)
    world.limiter.acquire(base.chat.id, base.chat.type != "private")
    album = str(next(_album_ids))
    result = []
    for out in prepared:
        out.extra = {**base.extra, "media_group_id": album}
        result.append(commit(world, out, rate_limited=False).raw)
    world.send_log.record(Send(world.clock(), base.chat.id, "sendMediaGroup"))
    return result


@api_method("getFile")
async def get_file(world: World, p: Params) -> Any:
    stored = world.store.files.get(p.get_str("file_id") or "")
    if stored is None:
        raise bot_api_errors.bad_request(bot_api_errors.GETFILE_WRONG_ID)
    if stored.size > MAX_DOWNLOAD_BYTES:
        raise bot_api_errors.bad_request(bot_api_errors.FILE_TOO_BIG)
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }
