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
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
# The source tree (a checkout, an editable install); in an installed wheel, site-packages.
PROJECT_ROOT = PACKAGE_DIR.parent
SAMPLE_AGENCIES_FILE = PACKAGE_DIR / "data" / "agencies.sample.toml"
# The catalogues live at the top of the repository; the wheel carries them as bot/locales/.
LOCALES_DIR = next(
    (path for path in (PACKAGE_DIR / "locales", PROJECT_ROOT / "locales") if path.is_dir()),
    PROJECT_ROOT / "locales",
)
SUPPORTED_LOCALES = ("id", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
WEBHOOK_URL = re.compile(r"^https?://[^/\s?#]+(/[^\s?#]*)?$")
WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# What the token signs to make the default webhook secret; a new label would give every bot
# a new one.
WEBHOOK_SECRET_LABEL = b"lapor-bot webhook secret token"


class SettingsError(Exception):
    """A setting is missing or wrong; the message is one line naming what to set."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment (DESIGN.md section 6)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    admin_chat_id: int | None = None
    database_url: str = "sqlite+aiosqlite:///lapor.db"
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    agencies_file: Path = SAMPLE_AGENCIES_FILE
    bot_locale: str = "id"
    bot_timezone: Annotated[str, NoDecode] = "Asia/Jakarta"
    # Drafts live at least 24 hours (ACCESSIBILITY.md rule 17); the reminder comes before expiry.
    draft_ttl_hours: int = Field(default=48, ge=24)
    draft_reminder_hours: int = Field(default=24, ge=1)
    # Multiplies the outbox's message rates (not bursts), like the emulator's RateLimits.scale.
    outbox_rate_scale: float = Field(default=1.0, gt=0)
    # How much the process logs. Even at DEBUG, libraries that would log message text or
    # the token stay at INFO or above, and secrets are hidden (bot/logging_setup.py).
    log_level: str = "INFO"
    # Flood control per citizen: more than this many messages in the window get one polite
    # notice and are then not read until the window has passed.
    flood_messages: int = Field(default=30, ge=1)
    flood_window_seconds: int = Field(default=60, ge=1)
    # New reports one citizen may file per calendar day (in bot_timezone).
    daily_report_cap: int = Field(default=5, ge=1)
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

    @field_validator("webhook_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not WEBHOOK_URL.match(value):
            raise ValueError("must be an address such as https://lapor.example.go.id/telegram")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's rule; the message never repeats the value.
        if value is not None and not WEBHOOK_SECRET.match(value.get_secret_value()):
            raise ValueError("must be 1 to 256 characters: letters, digits, _ and -")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @field_validator("bot_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("bot_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone such as Asia/Jakarta") from exc
        return value

    @property
    def timezone(self) -> ZoneInfo:
        """The configured time zone as an object."""
        return ZoneInfo(self.bot_timezone)

    def token(self) -> str:
        """The bot token; only call where a token is required."""
        if self.telegram_bot_token is None:
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set")
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

    def require_webhook(self) -> str:
        """The webhook address, after the checks of require_live; one line if it is missing."""
        self.require_live()
        if not self.webhook_url:
            raise SettingsError(
                "Set WEBHOOK_URL, the public HTTPS address Telegram sends updates to "
                "(for example https://lapor.example.go.id/telegram)"
            )
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
        if missing:
            raise SettingsError(
                f"Set {' and '.join(missing)} (from BotFather and your staff group), "
                "or try the bot without a token: lapor-bot sandbox"
            )


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one line that names the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
        raise SettingsError(f"{name} is wrong: {first['msg']}") from None
