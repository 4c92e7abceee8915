"""HTTP control API under /_emulator/: the scripted actions for other processes.

For the terminal/browser sandbox and for benchmarks that run the bot in its own
process. Actions return at once with the update id; ``GET .../wait`` long-polls
for the bot's answer.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox.emulator import by_hand
from bot.sandbox.emulator.scripted import ScriptedAction, Scripter
from bot.sandbox.emulator.state import Chat, Message, User

if TYPE_CHECKING:
    from bot.sandbox.emulator.world import World

PREFIX = "/_emulator"
MEDIA_KINDS = ("photo", "document", "voice", "audio", "video", "video_note", "animation", "sticker")
RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def message_dict(msg: Message) -> dict[str, Any]:
    data = dataclasses.asdict(msg)
    data["deleted"] = msg.deleted
    return data


def user_dict(user: User) -> dict[str, Any]:
    data = user.to_json()
    data.update(started=user.started, blocked=user.blocked, deactivated=user.deactivated)
    return data


def chat_dict(chat: Chat) -> dict[str, Any]:
    data = chat.to_json()
    data["members"] = [{"user_id": m.user.id, "status": m.status} for m in chat.members.values()]
    data["topics"] = [t.to_json() for t in chat.topics.values() if not t.deleted]
    return data


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, default=str))


class ControlApi:
    def __init__(self, world: World, script: Scripter) -> None:
        self.world = world
        self.script = script

    def register(self, app: web.Application) -> None:
        routes: list[tuple[str, str, RouteHandler]] = [
            ("GET", "", self.info),
            ("GET", "/users", self.list_users),
            ("POST", "/users", self.create_user),
            ("POST", "/users/{user_id}/{action}", self.user_action),
            ("POST", "/supergroups", self.create_supergroup),
            ("POST", "/supergroups/{chat_id}/members", self.add_member),
            ("POST", "/supergroups/{chat_id}/topics", self.create_topic),
            ("DELETE", "/supergroups/{chat_id}/topics/{thread_id}", self.delete_topic),
            ("GET", "/chats", self.list_chats),
            ("GET", "/chats/{chat_id}/messages", self.messages),
            ("GET", "/chats/{chat_id}/wait", self.wait),
            ("GET", "/chats/{chat_id}/changes", self.changes),
            ("POST", "/updates/{update_id}/resend", self.resend_update),
            ("GET", "/faults", self.get_faults),
            ("POST", "/faults", self.set_faults),
            ("GET", "/holds", self.list_holds),
            ("POST", "/holds", self.create_hold),
            ("POST", "/holds/{hold_id}/release", self.release_hold),
            ("GET", "/limits", self.get_limits),
            ("POST", "/limits", self.set_limits),
            ("GET", "/calls", self.calls),
            ("GET", "/stats", self.stats),
            ("GET", "/callback_answers", self.callback_answers),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, PREFIX + path, self._guard(handler))
        app.router.add_get(PREFIX + "/", self._guard(self.info))

    @staticmethod
    def _guard(handler: RouteHandler) -> RouteHandler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except ControlError as exc:
                return _json({"error": str(exc)}, exc.status)
            except (LookupError, KeyError) as exc:
                return _json({"error": str(exc)}, 404)
            except (ValueError, TypeError, RuntimeError) as exc:
                return _json({"error": str(exc)}, 400)

        return guarded

    # --- helpers -----------------------------------------------------------------------

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        if not request.body_exists:
            return {}
        try:
            body = await request.json()
        except ValueError:
            raise ControlError(400, "the body must be a JSON object") from None
        if not isinstance(body, dict):
            raise ControlError(400, "the body must be a JSON object")
        return body

    def _user(self, raw: Any) -> User:
        try:
            user = self.world.store.users.get(int(raw))
        except (TypeError, ValueError):
            user = None
        if user is None or user.is_bot:
            raise ControlError(404, f"no user {raw}")
        return user

    def _chat(self, raw: Any) -> Chat:
        try:
            chat = self.world.store.chats.get(int(raw))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise ControlError(404, f"no chat {raw}")
        return chat

    def _optional_chat(self, body: dict[str, Any]) -> Chat | None:
        return self._chat(body["chat_id"]) if body.get("chat_id") is not None else None

    @staticmethod
    def _action_reply(action: ScriptedAction) -> web.Response:
        return _json(
            {
                "update_id": action.update.update_id if action.update else None,
                "chat_id": action.chat.id,
                "message_id": action.message.message_id if action.message else None,
                "after": action.after_id,
            }
        )

    # --- world -----------------------------------------------------------------------------

    async def info(self, request: web.Request) -> web.Response:
        world = self.world
        return _json(
            {
                "bot": world.bot.to_json(),
                "base_url": world.base_url,
                "base_file_url": world.base_file_url,
                "users": len(world.store.users) - 1,
                "chats": len(world.store.chats),
                "pending_updates": len(world.queue.pending),
                "webhook": world.queue.webhook.url if world.queue.webhook else None,
            }
        )

    async def list_users(self, request: web.Request) -> web.Response:
        users = [u for u in self.world.store.users.values() if not u.is_bot]
        return _json([user_dict(u) for u in users])

    async def create_user(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if not body.get("first_name"):
            raise ControlError(400, "first_name is required")
        user = self.script.add_user(
            first_name=str(body["first_name"]),
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code"),
            started=bool(body.get("started", True)),
            user_id=body.get("id"),
        )
        return _json(user_dict(user), 201)

    async def create_supergroup(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if not body.get("title"):
            raise ControlError(400, "title is required")
        members = [self._user(u) for u in body.get("members", [])]
        admins = [self._user(u) for u in body.get("admins", [])]
        owner = self._user(body["owner"]) if body.get("owner") is not None else None
        chat = self.world.store.add_supergroup(
            title=str(body["title"]),
            forum=bool(body.get("forum", False)),
            members=members,
            admins=admins,
            owner=owner,
            bot_admin=bool(body.get("bot_admin", True)),
            bot_rights=body.get("bot_rights"),
        )
        return _json(chat_dict(chat), 201)

    async def add_member(self, request: web.Request) -> web.Response:
        chat = self._chat(request.match_info["chat_id"])
        body = await self._body(request)
        self.world.store.add_member(chat, self._user(body.get("user_id")), bool(body.get("admin")))
        return _json(chat_dict(chat))

    async def create_topic(self, request: web.Request) -> web.Response:
        chat = self._chat(request.match_info["chat_id"])
        body = await self._body(request)
        by = self._user(body["by"]) if body.get("by") is not None else None
        thread_id = by_hand.create_topic(self.world, chat, str(body.get("name", "")), by=by)
        return _json({"message_thread_id": thread_id}, 201)

    async def delete_topic(self, request: web.Request) -> web.Response:
        chat = self._chat(request.match_info["chat_id"])
        by_hand.delete_topic(chat, int(request.match_info["thread_id"]))
        return _json({"ok": True})

    async def user_action(self, request: web.Request) -> web.Response:
        user = self._user(request.match_info["user_id"])
        action = request.match_info["action"]
        body = await self._body(request)
        script = self.script
        if action in ("block", "unblock"):
            (by_hand.block_bot if action == "block" else by_hand.unblock_bot)(self.world, user)
            return _json(user_dict(user))
        if action == "deactivate":
            user.deactivated = True
            return _json(user_dict(user))
        chat = self._optional_chat(body)
        thread_id, reply_to = body.get("thread_id"), body.get("reply_to")
        if action == "say":
            done = script.act_say(user, str(body.get("text", "")), chat, thread_id, reply_to)
        elif action == "press":
            done = script.act_press(user, str(body.get("label", "")), chat, body.get("message_id"))
        elif action == "edit":
            done = script.act_edit(user, int(body["message_id"]), str(body["text"]), chat)
        elif action == "location":
            done = script.act_location(
                user, float(body["latitude"]), float(body["longitude"]),
                chat=chat, thread_id=thread_id, reply_to=reply_to,
            )  # fmt: skip
        elif action == "contact":
            done = script.act_contact(
                user, str(body.get("phone_number", "+6281234567890")), chat=chat
            )
        elif action in MEDIA_KINDS:
            done = script.act_media(
                user, action, chat=chat, caption=body.get("caption"), size=body.get("size"),
                file_name=body.get("file_name"), mime_type=body.get("mime_type"),
                duration=body.get("duration"), thread_id=thread_id, reply_to=reply_to,
            )  # fmt: skip
        else:
            raise ControlError(404, f"unknown action {action!r}")
        return self._action_reply(done)

    async def list_chats(self, request: web.Request) -> web.Response:
        return _json([chat_dict(c) for c in self.world.store.chats.values()])

    async def messages(self, request: web.Request) -> web.Response:
        chat = self._chat(request.match_info["chat_id"])
        after = int(request.query.get("after", "0"))
        thread = request.query.get("thread_id")
        history = chat.history(int(thread) if thread else None)
        return _json([message_dict(m) for m in history if m.message_id > after])

    async def wait(self, request: web.Request) -> web.Response:
        chat = self._chat(request.match_info["chat_id"])
        after = int(request.query.get("after", "0"))
        timeout = min(float(request.query.get("timeout", "5")), 60.0)
        world = self.world
        deadline = world.clock() + timeout
        while True:
            new = self.script.new_bot_messages(chat, after)
            remaining = deadline - world.clock()
            if new or remaining <= 0:
                return _json([message_dict(m) for m in new])
            await world.activity(min(remaining, 0.05))

    async def changes(self, request: web.Request) -> web.Response:
        """Long-poll until the chat's revision differs from ``revision`` (a message sent,
        edited or deleted), or ``timeout`` seconds pass: {"revision": the chat's now}."""
        chat = self._chat(request.match_info["chat_id"])
        seen = int(request.query.get("revision", "-1"))
        timeout = min(float(request.query.get("timeout", "5")), 60.0)
        world = self.world
        deadline = world.clock() + timeout
        while chat.revision == seen and deadline > world.clock():
            await world.activity(min(deadline - world.clock(), 0.05))
        return _json({"revision": chat.revision})

    # --- knobs and records -------------------------------------------------------------------

    async def resend_update(self, request: web.Request) -> web.Response:
        """Deliver an update again, as Telegram does when it was never confirmed."""
        update = self.world.queue.resend(int(request.match_info["update_id"]))
        return _json({"update_id": update.update_id})

    async def get_faults(self, request: web.Request) -> web.Response:
        return _json({"injected": self.world.faults.injected, "active": self.world.faults.active})

    async def set_faults(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        faults = self.world.faults
        if body.get("clear"):
            faults.clear()
        if "fail_next" in body:
            spec = body["fail_next"]
            faults.fail_next(
                spec.get("count", 1), spec.get("status", 500), spec.get("methods"),
                spec.get("chat_id"),
            )  # fmt: skip
        if "fail_randomly" in body:
            spec = body["fail_randomly"]
            faults.fail_randomly(
                spec["fraction"], spec.get("status", 502), spec.get("methods"), spec.get("seed"),
                spec.get("chat_id"),
            )  # fmt: skip
        if "delay_next" in body:
            spec = body["delay_next"]
            faults.delay_next(
                spec["seconds"], spec.get("count", 1), spec.get("methods"), spec.get("status")
            )
        return await self.get_faults(request)

    async def list_holds(self, request: web.Request) -> web.Response:
        return _json([hold.to_json() for hold in self.world.faults.holds.values()])

    async def create_hold(self, request: web.Request) -> web.Response:
        """Park matching calls: {"methods", "chat_id", "after", "min_offset"}, all optional."""
        body = await self._body(request)
        hold = self.world.faults.hold(
            body.get("methods"),
            chat_id=int(body["chat_id"]) if body.get("chat_id") is not None else None,
            after=int(body.get("after", 0)),
            min_offset=int(body["min_offset"]) if body.get("min_offset") is not None else None,
        )
        return _json(hold.to_json(), 201)

    async def release_hold(self, request: web.Request) -> web.Response:
        """Let the parked calls through, or drop them with {"deliver": false}."""
        hold = self.world.faults.holds[int(request.match_info["hold_id"])]
        body = await self._body(request)
        hold.release(deliver=bool(body.get("deliver", True)))
        return _json(hold.to_json())

    async def get_limits(self, request: web.Request) -> web.Response:
        return _json(dataclasses.asdict(self.world.limiter.limits))

    async def set_limits(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self.world.limiter.limits.update(**body)
        self.world.limiter.reset()
        return await self.get_limits(request)

    async def calls(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        since = float(request.query.get("since", "0"))
        calls = [c for c in self.world.calls(method) if c.time >= since]
        return _json([dataclasses.asdict(c) for c in calls])

    async def stats(self, request: web.Request) -> web.Response:
        world = self.world
        return _json(
            {
                "rate_limited": world.rate_limited_count,
                "sends": len(world.send_log.sends),
                "max_sends_per_second": world.max_rate_observed(1.0),
                "faults_injected": world.faults.injected,
                "pending_updates": len(world.queue.pending),
                "api_calls": len(world.api_calls),
                "unanswered_callbacks": len(world.unanswered_callbacks()),
            }
        )

    async def callback_answers(self, request: web.Request) -> web.Response:
        return _json([dataclasses.asdict(a) for a in self.world.callback_answers])
