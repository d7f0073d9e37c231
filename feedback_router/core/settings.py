"""One validated settings object for every process (web app, action server, workers).

Why one object: the app used to read ``os.environ`` in a dozen modules with a dozen defaults,
and nothing refused a production start with ``SECRET_KEY=dev-only-change-me``. Now:

* ``get_settings()`` reads every variable the app uses, validated by pydantic-settings, with
  defaults that are safe on a developer laptop (the embedded ``development`` mode).
* ``APP_ENV`` is ``development`` (default), ``test`` or ``production``. Outside development a
  process refuses to start (:func:`startup_check`) with a default or missing ``SECRET_KEY``,
  database password, ``RASA_TOKEN`` or ``DENOUNCE_KEY``.
* Variables keep their historic names (``SECRET_KEY``, ``DATABASE_URL`` …). Each may also be given
  as ``HANOI_<NAME>``; an unknown ``HANOI_*`` variable is a typo and refused in every mode.
* Every process logs its effective configuration at start with secrets masked.

The object reflects the environment of the moment (tests change it with monkeypatch): it is
rebuilt when the environment changes and cached otherwise.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "HANOI_"  # optional namespace; unknown names under it are refused
DEFAULT_SECRET_KEY = "dev-only-change-me"
# Values that ship in this repository or in tutorials: never acceptable outside development.
KNOWN_DEFAULTS = frozenset({"", DEFAULT_SECRET_KEY, "change-me", "changeme", "secret", "password",
                            "postgres", "hanoi", "test", "test-secret", "dev", "admin"})
MIN_SECRET_KEY_CHARS = 32
_OFF = frozenset({"off", "0", "false", "no"})  # how CHANNELS_ASR / CHANNELS_TTS are switched off

log = logging.getLogger("feedback_router.core.settings")


class SettingsError(RuntimeError):
    """The configuration is unsafe or malformed: the process must not start."""


def _env(name: str, default: Any = None, **kw: Any) -> Any:
    return Field(default, validation_alias=AliasChoices(PREFIX + name, name), **kw)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=True, populate_by_name=True)

    app_env: Literal["development", "test", "production"] = _env("APP_ENV", "development")
    # web app
    secret_key: SecretStr = _env("SECRET_KEY", DEFAULT_SECRET_KEY)
    web_host: str = _env("WEB_HOST", "127.0.0.1")
    web_port: int = _env("WEB_PORT", 8000, ge=1, le=65535)
    web_threads: int = _env("WEB_THREADS", 8, ge=1, le=512)
    max_request_bytes: int = _env("MAX_REQUEST_BYTES", 64 * 1024, ge=1024)
    web_max_photo_bytes: int = _env("WEB_MAX_PHOTO_BYTES", 5 * 1024 * 1024, ge=1024)
    session_cookie_secure: bool | None = _env("SESSION_COOKIE_SECURE", None)  # None: Secure outside development
    force_https: bool = _env("FORCE_HTTPS", False)
    public_base_url: str = _env("PUBLIC_BASE_URL", "")  # Open311 discovery; never the Host header
    api_tokens: SecretStr = _env("API_TOKENS", "")  # integrators allowed to choose sender_id
    open311_api_keys: SecretStr = _env("OPEN311_API_KEYS", "")
    device_admin_token: SecretStr = _env("DEVICE_ADMIN_TOKEN", "")
    log_level: str = _env("LOG_LEVEL", "INFO")
    # data
    database_url: SecretStr = _env("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'hanoi.db'}")
    redis_url: str = _env("REDIS_URL", "")
    upload_dir: Path = _env("UPLOAD_DIR", Path("var/uploads"))
    # where uploads and synthesized speech go (feedback_router.messaging.blobs): "directory" is
    # UPLOAD_DIR (a volume every replica mounts), "database" the blobs table (nothing to mount)
    blob_store: Literal["directory", "database"] = _env("BLOB_STORE", "directory")
    voice_recordings_dir: Path = _env("VOICE_RECORDINGS_DIR", Path("var/recordings"))
    retention_days: int = _env("RETENTION_DAYS", 90, ge=1, le=3650)
    denounce_key: SecretStr = _env("DENOUNCE_KEY", "")
    denounce_key_file: str = _env("DENOUNCE_KEY_FILE", "")
    # internal services
    rasa_url: str = _env("RASA_URL", "http://127.0.0.1:5005")
    rasa_token: SecretStr = _env("RASA_TOKEN", "")
    actions_host: str = _env("ACTIONS_HOST", "127.0.0.1")
    actions_port: int = _env("ACTIONS_PORT", 5055, ge=1, le=65535)
    # action calls run at once on the action server's thread pool (bot/action_server.py)
    actions_threads: int = _env("ACTIONS_THREADS", 8, ge=1, le=64)
    # unset matters: the inbound queue then skips its action-server health check (another host's
    # configuration); see action_server_url_given
    action_server_url: str = _env("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
    actions_token: SecretStr = _env("ACTIONS_TOKEN", "")  # shared secret header Rasa → action server
    # channels (bot/channels, bot/web; docs in bot/channels/__init__.py)
    telegram_bot_token: SecretStr = _env("TELEGRAM_BOT_TOKEN", "")
    telegram_webhook_secret: SecretStr = _env("TELEGRAM_WEBHOOK_SECRET", "")
    telegram_mode: Literal["webhook", "polling"] = _env("TELEGRAM_MODE", "webhook")
    zalo_app_secret: SecretStr = _env("ZALO_APP_SECRET", "")
    zalo_oa_secret_key: SecretStr = _env("ZALO_OA_SECRET_KEY", "")
    zalo_access_token: SecretStr = _env("ZALO_ACCESS_TOKEN", "")
    zalo_refresh_token: SecretStr = _env("ZALO_REFRESH_TOKEN", "")
    # workers
    delivery_poll_seconds: float = _env("DELIVERY_POLL_SECONDS", 2.0, gt=0)
    sla_check_seconds: float = _env("SLA_CHECK_SECONDS", 60.0, gt=0)
    booking_check_seconds: float = _env("BOOKING_CHECK_SECONDS", 300.0, gt=0)
    retention_check_seconds: float = _env("RETENTION_CHECK_SECONDS", 3600.0, gt=0)
    # the inbound queue and the outbox (feedback_router/messaging/inbound_queue.py, docs/channels.md)
    inbound_lease_seconds: float = _env("INBOUND_LEASE_SECONDS", 120.0, gt=0)
    inbound_retry_seconds: float = _env("INBOUND_RETRY_SECONDS", 2.0, gt=0)
    inbound_max_backoff_seconds: float = _env("INBOUND_MAX_BACKOFF_SECONDS", 60.0, gt=0)
    inbound_empty_retries: int = _env("INBOUND_EMPTY_RETRIES", 5, ge=1)
    outbox_lease_seconds: float = _env("OUTBOX_LEASE_SECONDS", 120.0, gt=0)
    delivery_inbound: Literal["on", "off"] = _env("DELIVERY_INBOUND", "on")
    # the household device's upload limits (bot/web/device_api.py)
    device_max_audio_bytes: int = _env("DEVICE_MAX_AUDIO_BYTES", 5 * 1024 * 1024, ge=1)
    device_max_photo_bytes: int = _env("DEVICE_MAX_PHOTO_BYTES", 5 * 1024 * 1024, ge=1)
    # dashboard map tiles (feedback_router/dashboard/maps.py): OpenStreetMap unless a city tile server
    dashboard_tile_url: str = _env("DASHBOARD_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    dashboard_tile_attribution: str = _env(
        "DASHBOARD_TILE_ATTRIBUTION",
        "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> contributors")
    # the rest is read here by bot/ and feedback_router/, except: RASA_HOST/RASA_PORT/RASA_TRACKER_DB and
    # READY_TIMEOUT (scripts/, make run) and the voice ones (AUDIOSOCKET_*, VOSK_*, ASR_ENGINE, PIPER_VOICE,
    # VOICE_RECORDINGS_DIR: voice/config.py, a lower layer that cannot import this module); declared so a
    # malformed value fails at start and is shown
    rasa_host: str = _env("RASA_HOST", "127.0.0.1")
    rasa_port: int = _env("RASA_PORT", 5005, ge=1, le=65535)
    rasa_tracker_db: str = _env("RASA_TRACKER_DB", "")
    telegram_api_base_url: str = _env("TELEGRAM_API_BASE_URL", "https://api.telegram.org")
    telegram_webhook_url: str = _env("TELEGRAM_WEBHOOK_URL", "")
    zalo_app_id: str = _env("ZALO_APP_ID", "")
    zalo_api_base_url: str = _env("ZALO_API_BASE_URL", "https://openapi.zalo.me")
    zalo_oauth_base_url: str = _env("ZALO_OAUTH_BASE_URL", "https://oauth.zaloapp.com")
    zalo_token_file: str = _env("ZALO_TOKEN_FILE", "var/zalo_tokens.json")
    channels_asr: str = _env("CHANNELS_ASR", "auto")
    channels_tts: str = _env("CHANNELS_TTS", "auto")
    delivery_health_host: str = _env("DELIVERY_HEALTH_HOST", "127.0.0.1")
    delivery_health_port: int = _env("DELIVERY_HEALTH_PORT", 8093, ge=1, le=65535)
    hotline_health_host: str = _env("HOTLINE_HEALTH_HOST", "127.0.0.1")
    hotline_health_port: int = _env("HOTLINE_HEALTH_PORT", 8092, ge=1, le=65535)
    audiosocket_host: str = _env("AUDIOSOCKET_HOST", "127.0.0.1")
    audiosocket_port: int = _env("AUDIOSOCKET_PORT", 9092, ge=1, le=65535)
    vosk_ws_host: str = _env("VOSK_WS_HOST", "127.0.0.1")
    vosk_ws_port: int = _env("VOSK_WS_PORT", 2700, ge=1, le=65535)
    vosk_model_dir: str = _env("VOSK_MODEL_DIR", "")
    asr_engine: str = _env("ASR_ENGINE", "auto")
    piper_voice: str = _env("PIPER_VOICE", "")
    booking_seed_days: int = _env("BOOKING_SEED_DAYS", 14)
    booking_reminder_hour: int = _env("BOOKING_REMINDER_HOUR", 7)
    sla_ack_hours: float = _env("SLA_ACK_HOURS", 8.0)
    sla_urgent_hours: float = _env("SLA_URGENT_HOURS", 4.0)
    sla_normal_hours: float = _env("SLA_NORMAL_HOURS", 40.0)
    sla_working_hours: str = _env("SLA_WORKING_HOURS", "08:00-12:00,13:00-17:00")
    sla_extra_holidays: str = _env("SLA_EXTRA_HOLIDAYS", "")
    ready_timeout: float = _env("READY_TIMEOUT", 600.0)
    dashboard_password: SecretStr = _env("DASHBOARD_PASSWORD", "")
    # rate limits (Flask-Limiter syntax)
    login_limit: str = _env("RATE_LIMIT_LOGIN", "10 per 15 minutes")
    chat_limit: str = _env("RATE_LIMIT_CHAT", "60 per minute")
    upload_limit: str = _env("RATE_LIMIT_UPLOAD", "20 per hour")
    status_limit: str = _env("RATE_LIMIT_STATUS", "30 per minute")
    support_limit: str = _env("RATE_LIMIT_SUPPORT", "10 per hour")
    login_lockout_failures: int = _env("LOGIN_LOCKOUT_FAILURES", 5, ge=1)
    login_lockout_seconds: int = _env("LOGIN_LOCKOUT_SECONDS", 900, ge=1)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @property
    def development(self) -> bool:
        return self.app_env == "development"

    @property
    def asr_on(self) -> bool:
        """CHANNELS_ASR: anything but off/0/false/no (any case) lets voice notes be transcribed."""
        return self.channels_asr.lower() not in _OFF

    @property
    def tts_on(self) -> bool:
        """CHANNELS_TTS: anything but off/0/false/no (any case) lets replies carry speech."""
        return self.channels_tts.lower() not in _OFF

    @property
    def action_server_url_given(self) -> str:
        """ACTION_SERVER_URL as set, or "" when unset: only a configured address may be health-checked
        (the embedded default would point another host's web app at its own loopback)."""
        return self.action_server_url if "action_server_url" in self.model_fields_set else ""

    @property
    def cookies_secure(self) -> bool:
        return (not self.development) if self.session_cookie_secure is None else self.session_cookie_secure

    def api_token_list(self) -> list[str]:
        return [t.strip() for t in self.api_tokens.get_secret_value().split(",") if t.strip()]

    def unsafe_reasons(self) -> list[str]:
        """Why this configuration must not run outside development (empty: it may)."""
        reasons = []
        key = self.secret_key.get_secret_value()
        if key in KNOWN_DEFAULTS or len(key) < MIN_SECRET_KEY_CHARS:
            reasons.append(f"SECRET_KEY is missing, a default or shorter than {MIN_SECRET_KEY_CHARS} characters "
                           "(generate one: python -c 'import secrets; print(secrets.token_urlsafe(48))')")
        url = make_url(self.database_url.get_secret_value())
        if url.get_backend_name() == "sqlite":
            if self.app_env == "production":
                reasons.append("DATABASE_URL is SQLite: production uses PostgreSQL with a password")
        elif (url.password or "") in KNOWN_DEFAULTS:
            reasons.append("DATABASE_URL has no password or a default one (change-me…)")
        if self.rasa_token.get_secret_value() in KNOWN_DEFAULTS:
            reasons.append("RASA_TOKEN is missing or a default: Rasa must run with --auth-token")
        if not self.denounce_key.get_secret_value().strip():
            reasons.append("DENOUNCE_KEY is missing (python -m feedback_router.civic.identity_crypto genkey)")
        return reasons

    def masked(self) -> dict[str, Any]:
        """The effective configuration as printed at start: secrets shown as '***' (or 'unset')."""
        out: dict[str, Any] = {}
        for name, value in self:
            if name == "database_url":
                out[name] = make_url(value.get_secret_value()).render_as_string(hide_password=True)
            elif isinstance(value, SecretStr):
                out[name] = "***" if value.get_secret_value() else "unset"
            else:
                out[name] = str(value) if isinstance(value, Path) else value
        return out


def _known_names() -> set[str]:
    names: set[str] = set()
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(str(c) for c in alias.choices)
    return names


def typo_variables(env: Mapping[str, str]) -> list[str]:
    """``HANOI_*`` variables that name no setting (with the closest real name, if any)."""
    known = _known_names()
    bad = []
    for name in sorted(env):
        if name.startswith(PREFIX) and name not in known:
            close = difflib.get_close_matches(name, [k for k in known if k.startswith(PREFIX)], n=1)
            bad.append(f"{name} (did you mean {close[0]}?)" if close else name)
    return bad


def load(env: Mapping[str, str] | None = None) -> Settings:
    """Build and validate the settings from ``env`` (default: the process environment)."""
    env = dict(os.environ if env is None else env)
    typos = typo_variables(env)
    if typos:
        raise SettingsError("unknown configuration variable(s): " + ", ".join(typos))
    try:
        return _from(env)
    except ValidationError as exc:
        problems = "; ".join(f"{'/'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"invalid configuration: {problems}") from exc


def _from(env: Mapping[str, str]) -> Settings:
    data = {}
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        assert isinstance(alias, AliasChoices)
        for choice in alias.choices:
            if str(choice) in env:
                data[name] = env[str(choice)]
                break
    return Settings.model_validate(data)


_cache: tuple[int, Settings] | None = None


def _environment_key() -> int:
    """A cheap fingerprint of the environment. Settings are read on every request (several
    times), and hashing `os.environ.items()` decodes every variable each time (≈ 44 µs, ≈ 5% of
    the web process's CPU under load); CPython's encoded mapping behind it hashes in ≈ 6 µs."""
    raw = getattr(os.environ, "_data", None)
    return hash(tuple(raw.items())) if isinstance(raw, dict) else hash(frozenset(os.environ.items()))


def get_settings() -> Settings:
    """The validated settings for the current environment (cached until it changes)."""
    global _cache
    key = _environment_key()
    if _cache is None or _cache[0] != key:
        _cache = (key, load())
    return _cache[1]


def startup_check(process: str, settings: Settings | None = None) -> Settings:
    """Called first by every process: refuse an unsafe configuration, then log the effective one."""
    try:
        settings = settings or get_settings()
    except SettingsError as exc:
        raise SystemExit(f"{process}: refusing to start: {exc}") from exc
    reasons = [] if settings.development else settings.unsafe_reasons()
    if reasons:
        raise SystemExit(f"{process}: refusing to start in APP_ENV={settings.app_env}:\n  - "
                         + "\n  - ".join(reasons))
    print(json.dumps({"process": process, "effective_configuration": settings.masked()}, ensure_ascii=False),
          file=sys.stderr, flush=True)
    if settings.development:
        log.warning("%s: APP_ENV=development (embedded defaults; never expose this to the internet)", process)
    return settings
