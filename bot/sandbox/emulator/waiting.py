"""Waiting on an event with a timeout, without asyncio.wait_for's lost cancellations.

On Python 3.11 ``wait_for`` can swallow a task's cancellation when the awaited
event fires at the same moment, which left emulator shutdown hanging forever;
``asyncio.timeout`` does not have that race.
"""

from __future__ import annotations

import asyncio


async def wait_event(event: asyncio.Event, seconds: float) -> bool:
    """True if ``event`` was set within ``seconds``."""
    try:
        async with asyncio.timeout(max(0.0, seconds)):
            await event.wait()
    except TimeoutError:
        return False
    return True
