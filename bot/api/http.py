"""What the API sub-applications share: their services, reading query values, and errors
that become JSON answers (never a traceback)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.services import Services

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
# Wakes the outbox dispatcher after a commit that wrote rows (a no-op when there is none).
WAKE: web.AppKey[Callable[[], None]] = web.AppKey("wake")

# JSON Schema's "date-time" (RFC 3339 section 5.6), checked before Python reads it.
RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
EXAMPLE = "2026-11-25T10:00:00+07:00"
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
# A character other than a blank: the documents' pattern for texts people must write.
VISIBLE = re.compile(r"[^ \t\r\n]")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Turns an error into the API's own JSON shape.
Render = Callable[[web.Request, "ApiError"], web.Response]


class ApiError(Exception):
    """An answer other than success: HTTP status, a stable reason, and a catalogue text."""

    def __init__(
        self,
        status: int,
        reason: str,
        key: str,
        params: Mapping[str, object] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.key = key
        self.params = dict(params or {})
        self.headers = dict(headers or {})


def services_of(request: web.Request) -> Services:
    """The services of the (sub-)application answering this request."""
    return request.config_dict[SERVICES]


def describe(request: web.Request, error: ApiError) -> str:
    """The error's text in the service's language."""
    services = services_of(request)
    return services.locales.get(services.settings.bot_locale)(error.key, **error.params)


def instant(value: str, name: str) -> datetime:
    """An RFC 3339 date and time with its offset (2026-11-25T10:00:00+07:00, or Z), in UTC.

    Instants beyond what the database keeps are taken as its first or last one.
    """
    if not RFC3339.fullmatch(value):
        raise ApiError(
            400, "bad_datetime", "api.error.datetime", {"name": name, "example": EXAMPLE}
        )
    try:
        parsed = datetime.fromisoformat(value.upper())
    except ValueError:
        raise ApiError(
            400, "bad_datetime", "api.error.datetime", {"name": name, "example": EXAMPLE}
        ) from None
    try:
        return min(max(parsed.astimezone(UTC), EARLIEST), LATEST)
    except OverflowError:
        return EARLIEST if parsed.year < 2000 else LATEST


def visible(value: object, *, low: int = 1, high: int) -> bool:
    """A text of low to high characters, not only blanks (the documents' VISIBLE pattern)."""
    return (
        isinstance(value, str) and low <= len(value) <= high and VISIBLE.search(value) is not None
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f}" if size >= 1_000_000 else f"{size / 1_000_000:.1f}"


def error_middleware(render: Render, *, not_found: str = "api.error.not_found") -> Middleware:
    """Every failure as the API's JSON error: ours, aiohttp's (404, 405), and the unexpected."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as error:
            return render(request, error)
        except web.HTTPMethodNotAllowed as error:
            answer = render(
                request, ApiError(405, "method_not_allowed", "api.error.method_not_allowed")
            )
            answer.headers["Allow"] = ", ".join(sorted(error.allowed_methods))
            return answer
        except web.HTTPNotFound:
            return render(request, ApiError(404, "not_found", not_found))
        except web.HTTPRequestEntityTooLarge as error:
            # aiohttp's own answer is plain text; the documents promise the API's format.
            limit = getattr(error, "max_size", 0) or request.client_max_size
            return render(
                request,
                ApiError(413, "too_large", "api.error.too_large", {"max": _megabytes(limit)}),
            )
        except web.HTTPException:
            raise
        except Exception:
            # The log gets the traceback; the caller gets a sentence and no detail.
            log.exception("API request %s %s failed", request.method, request.path)
            return render(request, ApiError(500, "internal", "api.error.internal"))

    return middleware
