"""A client of the emulator's control API (``/_emulator/...``) for the benchmark process."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

import aiohttp


class ControlError(RuntimeError):
    """The control API answered with an error."""


class Control:
    """Creates people, starts loads, reads answer times and deliveries."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=900))

    async def __aenter__(self) -> Control:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.http.close()

    async def get(self, path: str, **params: Any) -> Any:
        async with self.http.get(self.url + path, params=params) as response:
            return await self._read(response)

    async def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self.http.post(self.url + path, json=body or {}) as response:
            return await self._read(response)

    @staticmethod
    async def _read(response: aiohttp.ClientResponse) -> Any:
        data = await response.json()
        if response.status >= 400:
            raise ControlError(f"{response.url.path}: {data.get('error', data)}")
        return data

    async def staff_group(self) -> int:
        """A forum supergroup with one officer, the bot an administrator; its chat id."""
        officer = await self.post("/users", {"first_name": "Petugas", "username": "petugas"})
        group = await self.post(
            "/supergroups",
            {
                "title": "Staf Pengaduan",
                "forum": True,
                "members": [officer["id"]],
                "admins": [officer["id"]],
            },
        )
        return int(group["id"])

    async def until_answering(self, seconds: float = 240.0) -> None:
        """Wait until the bot answers a first message (it has started and is polling)."""
        probe = await self.post("/users", {"first_name": "Uji"})
        said = await self.post(f"/users/{probe['id']}/say", {"text": "/start"})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            answer = await self.get(f"/chats/{probe['id']}/wait", after=said["after"], timeout=5)
            if answer:
                return
        raise TimeoutError(f"the bot did not answer within {seconds:.0f} s")

    async def load(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Run a scripted load to its end and return its status."""
        await self.post("/load", spec)
        while True:
            status = await self.get("/load", wait=60)
            if not status["running"]:
                return dict(status)
