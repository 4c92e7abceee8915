"""Runs the emulator on its own, for a bot or a benchmark in another process.

    python -m bot.sandbox.emulator --port 8081 --limits --scale 10

It prints the Bot API base URLs; drive people through the control API
(``/_emulator/...``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal

from bot.sandbox.emulator.emulator import Emulator
from bot.sandbox.emulator.flood_control import RateLimits


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--username", default="lapor_test_bot")
    parser.add_argument("--limits", action="store_true", help="enforce Telegram's flood limits")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every rate limit")
    return parser


async def _serve(args: argparse.Namespace) -> None:
    limits = RateLimits(enabled=args.limits, scale=args.scale)
    emu = Emulator(bot_token=args.token, bot_username=args.username, limits=limits)
    await emu.start(args.host, args.port)
    print(
        json.dumps(
            {
                "base_url": emu.base_url,
                "base_file_url": emu.base_file_url,
                "control_url": emu.control_url,
                "token": emu.token,
            }
        ),
        flush=True,
    )
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, done.set)
    try:
        await done.wait()
    finally:
        await emu.stop()


def main() -> None:
    asyncio.run(_serve(_parser().parse_args()))


if __name__ == "__main__":
    main()
