"""Runtime configuration from environment variables and an optional .env file."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
# The source tree (a checkout, an editable install); in an installed wheel, site-packages.
PROJECT_ROOT = PACKAGE_DIR.parent
SAMPLE_AGENCIES_FILE = PACKAGE_DIR / "data" / "agencies.sample.toml"
SAMPLE_AREAS_FILE = PACKAGE_DIR / "data" / "areas.sample.toml"
# The catalogues live at the top of the repository; the wheel carries them as bot/locales/.
LOCALES_DIR = next(
    (path for path in (PACKAGE_DIR / "locales", PROJECT_ROOT / "locales") if path.is_dir()),
    PROJECT_ROOT / "locales",
)
SUPPORTED_LOCALES = ("id", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
WEBHOOK_URL = re.compile(r"^https?://[^/\s?#]+(/[^\s?#]*)?$")
WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DATABASE_SCHEME = re.compile(r"^([A-Za-z][\w+]*)://")
# What the token signs to make the default webhook secret; a new label would give every bot
# a new one.
WEBHOOK_SECRET_LABEL = b"lapor-bot webhook secret token"


# The databases lapor-bot runs on, by the SQLAlchemy URL's scheme.
DATABASE_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
# The catalogue text for a value refused, by pydantic's error type or our own; any other
# type is told with pydantic's own (English) words.
PROBLEMS = {
    "int_parsing": "setting.integer",
    "int_from_float": "setting.integer",
    "float_parsing": "setting.number",
    "greater_than_equal": "setting.at_least",
    "greater_than": "setting.above",
    "less_than_equal": "setting.at_most",
    "less_than": "setting.below",
    "admin_chat_id": "setting.admin_chat_id",
    "database_url_unreadable": "setting.database_url_unreadable",
    "database_url_unsupported": "setting.database_url_unsupported",
    "database_url_postgresql": "setting.database_url_postgresql",
    "database_url_sqlite": "setting.database_url_sqlite",
    "webhook_url": "setting.webhook_url",
    "http_address": "setting.http_address",
    "public_url": "setting.public_url",
    "webhook_secret": "setting.webhook_secret",
    "log_level": "setting.log_level",
    "bot_locale": "setting.bot_locale",
    "bot_timezone": "setting.bot_timezone",
}


class SettingsError(Exception):
    """A setting is missing or wrong: which one, and the catalogue text saying the fix.

    The command line prints it as one line in the operator's language (`key` with
    `setting` and `params`); str() is the same in English words for logs.
    """

    def __init__(self, setting: str, key: str, **params: object) -> None:
        super().__init__(f"{setting}: {key} {params}" if params else f"{setting}: {key}")
        self.setting = setting
        self.key = key
        self.params = params


def _problem(kind: str) -> PydanticCustomError:
    """A value refused for a reason the catalogues tell (PROBLEMS[kind])."""
    return PydanticCustomError(kind, "see PROBLEMS[{kind}]", {"kind": kind})


def check_database_url(value: str) -> str:
    """The URL of a database lapor-bot runs on, with the async driver it needs."""
    # The scheme as SQLAlchemy's URLs have it (storage reads the rest when it connects).
    scheme = DATABASE_SCHEME.match(value)
    if scheme is None:
        raise _problem("database_url_unreadable")
    drivername = scheme.group(1)
    backend = drivername.partition("+")[0]
    backend = "postgresql" if backend == "postgres" else backend
    if backend not in DATABASE_DRIVERS:
        raise PydanticCustomError(
            "database_url_unsupported", "unsupported database", {"scheme": drivername}
        )
    if drivername != DATABASE_DRIVERS[backend]:
        raise PydanticCustomError(
            f"database_url_{backend}",
            "wrong driver",
            {"scheme": drivername, "wanted": DATABASE_DRIVERS[backend]},
        )
    return value


class Settings(BaseSettings):
    """Everything the bot reads from its environment (DESIGN.md section 6)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    admin_chat_id: int | None = None
    database_url: str = "sqlite+aiosqlite:///lapor.db"
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    agencies_file: Path = SAMPLE_AGENCIES_FILE
    # The kota's kecamatan and kelurahan (bot/core/areas.py); set empty for none, and the
    # place a citizen gives stays free text only.
    areas_file: Path | None = SAMPLE_AREAS_FILE
    # Kelurahan boundaries as GeoJSON from the city's GIS office, each feature's
    # properties.code a kelurahan code: a shared location is placed by them. None ship.
    areas_boundaries_file: Path | None = None
    bot_locale: str = "id"
    bot_timezone: Annotated[str, NoDecode] = "Asia/Jakarta"
    # Drafts live at least 24 hours (ACCESSIBILITY.md rule 17); the reminder comes before expiry.
    draft_ttl_hours: int = Field(default=48, ge=24)
    draft_reminder_hours: int = Field(default=24, ge=1)
    # Multiplies the outbox's message rates (not bursts), like the emulator's RateLimits.scale.
    outbox_rate_scale: float = Field(default=1.0, gt=0)
    # Updates handled at once (python-telegram-bot's 256 by default). Each holds one of
    # the pool's 15 database connections during its turn only, not while its answer is
    # sent: fewer at once left a burst waiting on Telegram's round trips (500 reports at
    # eight at a time: citizens chatting meanwhile waited 8 s, not 2.3 s).
    concurrent_updates: int = Field(default=256, ge=1, le=256)
    # How much the process logs. Even at DEBUG, libraries that would log message text or
    # the token stay at INFO or above, and secrets are hidden (bot/logging_setup.py).
    log_level: str = "INFO"
    # Flood control per citizen: more than this many messages in the window get one polite
    # notice and are then not read until the window has passed.
    flood_messages: int = Field(default=30, ge=1)
    flood_window_seconds: int = Field(default=60, ge=1)
    # New reports one citizen may file per calendar day (in bot_timezone).
    daily_report_cap: int = Field(default=5, ge=1)
    # Sent outbox rows are deleted this many days after sending (storage/retention.py).
    outbox_retention_days: int = Field(default=30, ge=1)
    # A held report (DITUNDA) whose citizen sends nothing is archived after this many
    # working days, and the citizen told (as SP4N-LAPOR! does with incomplete reports).
    hold_expiry_working_days: int = Field(default=10, ge=1)
    # Spoken replies (Pengaturan): a speech synthesiser and an OGG/Opus encoder, by name on
    # PATH or by path; when either is missing the setting tells citizens it is unavailable.
    espeak_command: str = "espeak-ng"
    opusenc_command: str = "opusenc"

    # Webhook mode (`lapor-bot webhook`): the public address Telegram posts updates to, and
    # where this process listens for them (usually behind a TLS-terminating proxy).
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # Telegram sends it back with every update. Processes sharing one address must share
    # it too; when unset, it is derived from the token (webhook_secret_value).
    webhook_secret: SecretStr | None = None
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    # The address people and programs reach this server at (https://lapor.example.go.id),
    # for the URLs Open311's discovery gives. Unset: the X-Forwarded-Proto and
    # X-Forwarded-Host a trusted proxy sends, else the address the request came to.
    public_url: str | None = None
    # Proxies whose X-Forwarded-* headers are believed (the documented nginx: this host).
    trusted_proxies: Annotated[list[str], NoDecode] = ["127.0.0.1", "::1"]
    # Open311 service requests one api_key may post a minute and a day, unless the key has
    # its own (`lapor-bot token limits`). A staff group takes 20 messages a minute; one
    # client's cards take at most half of that, citizens' cards go first in turn.
    open311_per_minute: int = Field(default=10, ge=1)
    open311_per_day: int = Field(default=300, ge=1)
    # How often agencies' own Open311 systems are asked for updates.
    open311_poll_seconds: int = Field(default=300, ge=10)
    # `lapor-bot run`: where it serves /healthz, /metrics, the agencies' API and Open311
    # ("127.0.0.1:8081"); nothing is served when unset. The webhook serves them itself.
    http_address: str | None = None

    @field_validator("areas_file", "areas_boundaries_file", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("admin_chat_id")
    @classmethod
    def _group_id(cls, value: int | None) -> int | None:
        # Groups' ids are negative; a positive one is a person's (often the operator's own).
        if value is not None and value >= 0:
            raise _problem("admin_chat_id")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("http_address")
    @classmethod
    def _host_and_port(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if _host_port(value) is None:
            raise _problem("http_address")
        return value.strip()

    @field_validator("webhook_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not WEBHOOK_URL.match(value):
            raise _problem("webhook_url")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_address(cls, value: str | None) -> str | None:
        if value is not None and not WEBHOOK_URL.match(value):
            raise _problem("public_url")
        return value.rstrip("/") if value is not None else None

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: object) -> object:
        return (
            [part.strip() for part in value.split(",") if part.strip()]
            if isinstance(value, str)
            else value
        )

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's rule; the message never repeats the value.
        if value is not None and not WEBHOOK_SECRET.match(value.get_secret_value()):
            raise _problem("webhook_secret")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise _problem("log_level")
        return value.upper()

    @field_validator("bot_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise _problem("bot_locale")
        return value

    @field_validator("bot_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise _problem("bot_timezone") from None
        return value

    @property
    def timezone(self) -> ZoneInfo:
        """The configured time zone as an object."""
        return ZoneInfo(self.bot_timezone)

    def token(self) -> str:
        """The bot token; only call where a token is required."""
        if self.telegram_bot_token is None:
            raise SettingsError("TELEGRAM_BOT_TOKEN", "setting.missing_token")
        return self.telegram_bot_token.get_secret_value()

    def webhook_secret_value(self) -> str:
        """WEBHOOK_SECRET, or one derived from the token: the same in every process of one bot.

        A random secret per process would let only the last to register be answered; the
        token's HMAC cannot be turned back into the token, and changes when it is rotated.
        Unpadded URL-safe base64 of SHA-256 is 43 characters of Telegram's alphabet. Either
        is a secret (whoever has it can post forged updates), so logs hide it too
        (bot/logging_setup.settings_secrets).
        """
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        digest = hmac.new(self.token().encode(), WEBHOOK_SECRET_LABEL, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def http_side(self) -> tuple[str, int] | None:
        """HTTP_ADDRESS as a host and a port, or None when `run` serves no HTTP."""
        return None if self.http_address is None else _host_port(self.http_address)

    def require_webhook(self) -> str:
        """The webhook address, after the checks of require_live; one line if it is missing."""
        self.require_live()
        if not self.webhook_url:
            raise SettingsError("WEBHOOK_URL", "setting.missing_webhook_url")
        return self.webhook_url

    def require_live(self) -> None:
        """Stop with one clear line when `run`/`webhook` lacks what Telegram needs."""
        missing = [
            name
            for name, value in (
                ("TELEGRAM_BOT_TOKEN", self.telegram_bot_token),
                ("ADMIN_CHAT_ID", self.admin_chat_id),
            )
            if value is None or (isinstance(value, SecretStr) and not value.get_secret_value())
        ]
        if len(missing) == 2:
            raise SettingsError(", ".join(missing), "setting.missing_live")
        if missing == ["TELEGRAM_BOT_TOKEN"]:
            raise SettingsError("TELEGRAM_BOT_TOKEN", "setting.missing_token")
        if missing:
            raise SettingsError("ADMIN_CHAT_ID", "setting.missing_admin_chat_id")


def _host_port(value: str) -> tuple[str, int] | None:
    """("127.0.0.1", 8081) from "127.0.0.1:8081" ("[::1]:8081" for IPv6); None if not so."""
    host, colon, port = value.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        return None
    return host, int(port)


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one that names the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "?"
        kind = first["type"]
        ctx = {k: v for k, v in first.get("ctx", {}).items() if isinstance(v, str | int | float)}
        if kind in PROBLEMS:
            raise SettingsError(name, PROBLEMS[kind], **ctx) from None
        raise SettingsError(name, "setting.unreadable", detail=first["msg"]) from None
