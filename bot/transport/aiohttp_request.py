"""Bot API calls over aiohttp: python-telegram-bot's request interface, without httpx.

python-telegram-bot sends through httpx by default, whose pure-Python connection pool
costs more CPU per call than the rest of answering a citizen (and, without sniffio
installed, retries a failing import on every call). aiohttp, already the web server's
library, does the same HTTP in C. Timeouts keep python-telegram-bot's meaning and
defaults; failures become its TimedOut and NetworkError, never carrying the token.
"""

from __future__ import annotations

import re

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_TOKEN = re.compile(r"bot\d+:[A-Za-z0-9_-]+")


def _seconds(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _add(first: float | None, second: float | None) -> float | None:
    return None if first is None or second is None else first + second


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of `connections` kept-alive connections."""

    def __init__(
        self,
        connections: int = 256,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (python-telegram-bot adds it to long polls)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(  # noqa: PLR0917 - python-telegram-bot's signature
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make the call; the status code and the body."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        body: aiohttp.FormData | dict[str, str] | None = fields
        if files:
            body = aiohttp.FormData()
            for name, value in (fields or {}).items():
                body.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        write = self._media_write_timeout if files else self._write_timeout
        connect = _seconds(connect_timeout, self._connect_timeout)
        timeout = aiohttp.ClientTimeout(
            # Waiting for a free connection counts towards connecting, as in aiohttp.
            connect=_add(_seconds(pool_timeout, self._pool_timeout), connect),
            sock_connect=connect,
            sock_read=_seconds(read_timeout, self._read_timeout),
            # aiohttp has no write timeout of its own; a whole upload gets this long.
            total=_add(_seconds(write_timeout, write), _seconds(read_timeout, self._read_timeout))
            if files
            else None,
        )
        try:
            async with session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            detail = _TOKEN.sub("bot<token>", str(error).replace(url, "<url>"))
            raise NetworkError(f"aiohttp.{type(error).__name__}: {detail}") from error
