"""A second lapor-bot, serving Open311 as an agency's own system would, for the
wire-to-wire tests of the sending side: `python -m tests.agency_system`, configured by
DATABASE_URL, AGENCIES_FILE and PORT like the real server. It serves exactly what
`lapor-bot webhook` mounts under /open311/v2/ and /api/v1/ (bot/api/mount.py)."""

from __future__ import annotations

import os

from aiohttp import web

from bot.api.mount import mount_apis
from bot.app import build_services
from bot.settings import Settings


def main() -> None:
    """Serve the APIs until killed."""
    services = build_services(Settings(_env_file=None))  # type: ignore[call-arg]
    app = web.Application()
    mount_apis(app, services)
    web.run_app(app, host="127.0.0.1", port=int(os.environ["PORT"]), print=None, access_log=None)


if __name__ == "__main__":
    main()
