"""Scripted load inside the emulator: many people typing at once, none of them over HTTP.

A benchmark posts one spec to ``/_emulator/load``; each citizen then types the script,
sending the next line only once the bot's whole answer to the last one has arrived
(``expect`` messages a step, or quiet for ``settle`` seconds while the counts are not
known yet). With ``rate`` the steps are also paced so that all citizens together offer
that many updates a second; without it they type as fast as they are answered. The
load lives in the emulator's process so that the load generator is not the bottleneck.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox.emulator.scripted import Scripter
from bot.sandbox.emulator.state import User

if TYPE_CHECKING:
    from bot.sandbox.emulator.world import World

PREFIX = "/_emulator"
FIRST_USER_ID = 7_000_000_000


@dataclass(frozen=True)
class LoadSpec:
    """Who types what, and how fast."""

    citizens: int
    script: tuple[str, ...]
    expect: tuple[int, ...] | None = None
    first_user_id: int = FIRST_USER_ID
    rate: float | None = None
    settle: float = 0.5
    step_timeout: float = 60.0

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> LoadSpec:
        script = tuple(str(line) for line in body.get("script", ()))
        if not script or not all(script):
            raise ValueError("script must be a list of non-empty lines")
        expect = body.get("expect")
        if expect is not None:
            expect = tuple(int(n) for n in expect)
            if len(expect) != len(script) or min(expect) < 1:
                raise ValueError("expect needs a count of at least 1 for every script line")
        citizens = int(body.get("citizens", 1))
        rate = body.get("rate")
        if citizens < 1 or (rate is not None and float(rate) <= 0):
            raise ValueError("citizens must be at least 1 and rate positive")
        return cls(
            citizens=citizens,
            script=script,
            expect=expect,
            first_user_id=int(body.get("first_user_id", FIRST_USER_ID)),
            rate=None if rate is None else float(rate),
            settle=float(body.get("settle", 0.5)),
            step_timeout=float(body.get("step_timeout", 60.0)),
        )


def citizens(script: Scripter, count: int, first_user_id: int) -> list[User]:
    """The citizens with ids ``first_user_id`` onwards, created when missing."""
    found = []
    for index in range(count):
        user = script.world.store.users.get(first_user_id + index)
        if user is None:
            user = script.add_user(
                first_name=f"Warga {index}", language_code="id", user_id=first_user_id + index
            )
        found.append(user)
    return found


@dataclass
class LoadRun:
    """One load: its progress and, in settle mode, the messages each step got."""

    script: Scripter
    spec: LoadSpec
    started: float = 0.0
    finished: float | None = None
    steps_done: int = 0
    citizens_done: int = 0
    timeouts: int = 0
    counts: list[int] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        people = citizens(self.script, self.spec.citizens, self.spec.first_user_id)
        self.started = self.script.world.clock()
        try:
            await asyncio.gather(*(self._citizen(i, u) for i, u in enumerate(people)))
        finally:
            self.finished = self.script.world.clock()

    async def _citizen(self, index: int, user: User) -> None:
        spec, world, timing = self.spec, self.script.world, self.script.world.timing
        interval = spec.citizens / spec.rate if spec.rate else 0.0
        offset = index / spec.rate if spec.rate else 0.0
        for step, line in enumerate(spec.script):
            if spec.rate:
                delay = self.started + offset + step * interval - world.clock()
                if delay > 0:
                    await asyncio.sleep(delay)
            before = timing.sent_count(user.id)
            self.script.act_say(user, line)
            if spec.expect is not None:
                answered = await timing.wait_sent(
                    user.id, before + spec.expect[step], spec.step_timeout
                )
            else:
                answered = await self._settle(user.id, before)
                if index == 0:
                    self.counts.append(timing.sent_count(user.id) - before)
            if not answered:
                self.timeouts += 1
                return
            self.steps_done += 1
        self.citizens_done += 1

    async def _settle(self, chat_id: int, before: int) -> bool:
        timing = self.script.world.timing
        if not await timing.wait_sent(chat_id, before + 1, self.spec.step_timeout):
            return False
        while await timing.wait_sent(chat_id, timing.sent_count(chat_id) + 1, self.spec.settle):
            pass
        return True

    def status(self) -> dict[str, Any]:
        end = self.finished if self.finished is not None else self.script.world.clock()
        elapsed = end - self.started if self.started else 0.0
        return {
            "running": self.finished is None,
            "citizens": self.spec.citizens,
            "citizens_done": self.citizens_done,
            "steps_done": self.steps_done,
            "timeouts": self.timeouts,
            "elapsed_seconds": elapsed,
            "updates_per_second": self.steps_done / elapsed if elapsed > 0 else None,
            "counts": self.counts,
        }


def _most_in(times: list[float], window: float) -> int:
    """Most of these (sorted) times in any ``window`` seconds."""
    best, start = 0, 0
    for end, time in enumerate(times):
        while time - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, default=str))


class LoadApi:
    """Control routes for load, answer times and deliveries."""

    def __init__(self, world: World, script: Scripter) -> None:
        self.world = world
        self.script = script
        self.current: LoadRun | None = None

    def register(self, app: web.Application) -> None:
        app.router.add_post(PREFIX + "/load", self.start)
        app.router.add_get(PREFIX + "/load", self.status)
        app.router.add_post(PREFIX + "/load/users", self.users)
        app.router.add_get(PREFIX + "/load/deliveries", self.deliveries)
        app.router.add_get(PREFIX + "/timing", self.timing)
        app.router.add_post(PREFIX + "/timing/reset", self.reset_timing)

    async def start(self, request: web.Request) -> web.Response:
        if self.current is not None and self.current.finished is None:
            return _json({"error": "a load is already running"}, 409)
        try:
            spec = LoadSpec.from_json(await request.json())
        except (ValueError, TypeError, AttributeError) as exc:
            return _json({"error": str(exc)}, 400)
        run = LoadRun(self.script, spec)
        run.task = asyncio.get_running_loop().create_task(run.run())
        self.current = run
        return _json({"started": True}, 202)

    async def status(self, request: web.Request) -> web.Response:
        run = self.current
        if run is None:
            return _json({"error": "no load was started"}, 404)
        wait = min(float(request.query.get("wait", "0")), 300.0)
        if wait > 0 and run.task is not None and not run.task.done():
            await asyncio.wait({run.task}, timeout=wait)
        return _json(run.status())

    async def users(self, request: web.Request) -> web.Response:
        body = await request.json()
        count, first = int(body["count"]), int(body.get("first_user_id", FIRST_USER_ID))
        citizens(self.script, count, first)
        return _json({"count": count, "first_user_id": first}, 201)

    async def deliveries(self, request: web.Request) -> web.Response:
        """Sends to the chats ``first_user_id`` .. +``count`` (a group's id and 1 for a
        group): reach, duplicates, pace, and the most in any ``window`` seconds."""
        first = int(request.query.get("first_user_id", FIRST_USER_ID))
        count = int(request.query["count"])
        window = float(request.query.get("window", "1"))
        sends = [s for s in self.world.send_log.sends if first <= s.chat_id < first + count]
        per_chat: dict[int, int] = {}
        for send in sends:
            per_chat[send.chat_id] = per_chat.get(send.chat_id, 0) + 1
        times = [s.time for s in sends]
        return _json(
            {
                "max_in_window": _most_in(times, window),
                "sends": len(sends),
                "chats_reached": len(per_chat),
                "duplicates": len(sends) - len(per_chat),
                "first": min(times, default=None),
                "last": max(times, default=None),
                "max_per_second": self.world.max_rate_observed(1.0),
                "rate_limited": self.world.rate_limited_count,
                "faults_injected": self.world.faults.injected,
            }
        )

    async def timing(self, request: web.Request) -> web.Response:
        """Answer times; of the citizens ``first_user_id`` .. +``count`` only, if given."""
        chats = None
        if "count" in request.query:
            first = int(request.query.get("first_user_id", FIRST_USER_ID))
            chats = range(first, first + int(request.query["count"]))
        return _json(self.world.timing.summary(chats))

    async def reset_timing(self, request: web.Request) -> web.Response:
        self.world.timing.reset()
        return _json({"ok": True})
