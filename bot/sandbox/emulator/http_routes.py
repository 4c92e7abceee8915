"""aiohttp routes speaking the Bot API: /bot<token>/<method> and /file/bot<token>/<path>."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox.emulator import bot_api_errors
from bot.sandbox.emulator.faults import fault_error
from bot.sandbox.emulator.methods import REGISTRY
from bot.sandbox.emulator.params import MAX_UPLOAD_BYTES, Params, read_params, too_large
from bot.sandbox.emulator.state import ApiCall

if TYPE_CHECKING:
    from bot.sandbox.emulator.world import World

log = logging.getLogger(__name__)
_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
# Leaves room for multipart framing around a file right at the 50 MB limit.
_MULTIPART_SLACK = 1024 * 1024


class ApiServer:
    def __init__(self, world: World) -> None:
        self.world = world

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 2 * _MULTIPART_SLACK)
        app.router.add_route("*", "/bot{token}/{method}", self.handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self.handle_file)
        return app

    def _token_error(self, token: str) -> bot_api_errors.BotApiError | None:
        if token == self.world.token:
            return None
        if _TOKEN_SHAPE.match(token):
            return bot_api_errors.BotApiError(401, bot_api_errors.UNAUTHORIZED)
        return bot_api_errors.BotApiError(404, bot_api_errors.NOT_FOUND)

    async def handle_method(self, request: web.Request) -> web.Response:
        world = self.world
        started = world.clock()
        name = request.match_info["method"]
        failure = self._token_error(request.match_info["token"])
        entry = REGISTRY.get(name.lower())
        if failure is None and entry is None:
            failure = bot_api_errors.BotApiError(404, bot_api_errors.NOT_FOUND)
        method = entry[0] if entry is not None else name
        params = Params()
        if failure is None and too_large(request, MAX_UPLOAD_BYTES + _MULTIPART_SLACK):
            failure = bot_api_errors.BotApiError(413, bot_api_errors.ENTITY_TOO_LARGE)
            # Read the upload to the end so the client sees the 413 and not a broken pipe.
            while await request.content.readany():
                pass
        if failure is None:
            try:
                params = await read_params(request)
            except bot_api_errors.BotApiError as exc:
                failure = exc
        if failure is not None or entry is None:
            failure = failure or bot_api_errors.BotApiError(404, bot_api_errors.NOT_FOUND)
            return self._reply(method, params, started, failure)
        try:
            result = await self._call(method, entry[1], params)
        except bot_api_errors.BotApiError as exc:
            return self._reply(method, params, started, exc)
        except Exception:
            log.exception("emulator failed in %s", method)
            failure = bot_api_errors.BotApiError(500, bot_api_errors.SERVER_ERRORS[500])
            return self._reply(method, params, started, failure)
        return self._reply(method, params, started, None, result)

    async def _call(self, method: str, handler: Any, params: Params) -> Any:
        offset = params.get_int("offset") if method == "getUpdates" else None
        chat_id = self._chat_of(method, params)
        hold = self.world.faults.holding(method, chat_id, offset)
        if hold is not None and not await self.world.held(hold):
            raise fault_error(502)
        fault = self.world.faults.draw(method, chat_id)
        if fault is not None:
            if fault.delay > 0:
                await self.world.sleep(fault.delay)
            if fault.status is not None:
                raise fault_error(fault.status)
        return await handler(self.world, params)

    def _chat_of(self, method: str, params: Params) -> int | None:
        if method == "answerCallbackQuery":
            query = self.world.store.callback_queries.get(params.get_str("callback_query_id") or "")
            return query.chat_id if query is not None else None
        chat = self.world.store.resolve_chat(params.get("chat_id"))
        return chat.id if chat is not None else None

    def _reply(
        self,
        method: str,
        params: Params,
        started: float,
        failure: bot_api_errors.BotApiError | None,
        result: Any = None,
    ) -> web.Response:
        world = self.world
        chat_id = self._chat_of(method, params)
        status = failure.code if failure is not None else 200
        world.record_call(
            ApiCall(
                method=method,
                params=params.for_record(),
                status=status,
                time=started,
                description=failure.description if failure is not None else None,
                chat_id=chat_id,
            )
        )
        if method != "getUpdates":
            world.touch(chat_id)
        body = failure.payload() if failure is not None else {"ok": True, "result": result}
        return web.json_response(body, status=status)

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        failure = self._token_error(request.match_info["token"])
        stored = self.world.store.file_paths.get(request.match_info["path"])
        if failure is None and stored is None:
            failure = bot_api_errors.BotApiError(404, bot_api_errors.NOT_FOUND)
        if failure is not None or stored is None:
            failure = failure or bot_api_errors.BotApiError(404, bot_api_errors.NOT_FOUND)
            return web.json_response(failure.payload(), status=failure.code)
        return web.Response(body=stored.content(), content_type="application/octet-stream")
