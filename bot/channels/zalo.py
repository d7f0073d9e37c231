"""Zalo Official Account: webhook verification, event → Message, and the OA API client.

Wire formats (developers.zalo.me):
- Webhook header `X-ZEvent-Signature: mac=<hex>` with
  mac = sha256(app_id + raw body + timestamp + OA secret key), timestamp (ms) from the body.
- Send: `POST {ZALO_API_BASE_URL}/v3.0/oa/message/cs`, header `access_token`,
  JSON {"recipient": {"user_id": …}, "message": {"text": …}}; answer {"error": 0, …}.
- Refresh: `POST {ZALO_OAUTH_BASE_URL}/v4/oa/access_token`, header `secret_key`, form
  app_id, refresh_token, grant_type=refresh_token; answer {access_token, refresh_token,
  expires_in}. Refresh tokens are single use: the new pair is saved at once, in the database
  under a row lock (feedback_router.messaging.zalo_tokens), so replicas never spend one twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import Engine

from bot.message import Attachment, Location, Message, Reply
from feedback_router.core.settings import get_settings
from feedback_router.messaging.zalo_tokens import Exchanged, NoRefreshToken, TokenStore, seed_from

log = logging.getLogger(__name__)

CHANNEL = "zalo"
MAX_SKEW_SECONDS = 300
TOKEN_EXPIRED_CODES = {-216, -124, -220}  # access token invalid / expired
MESSAGE_EVENTS = {"user_send_text", "user_send_image", "user_send_location", "user_send_audio",
                  "user_send_file", "user_send_video", "user_send_sticker", "user_send_gif",
                  "user_send_link", "user_click_button"}


class ZaloError(RuntimeError):
    def __init__(self, message: str, code: int | None = None, retryable: bool = True) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


class SignatureError(ValueError):
    pass


@dataclass(frozen=True)
class ZaloSettings:
    app_id: str
    app_secret: str
    oa_secret: str
    api_base: str
    oauth_base: str
    token_file: Path

    access_token: str = ""  # ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN: seed the database once
    refresh_token: str = ""

    @classmethod
    def from_env(cls) -> ZaloSettings:
        s = get_settings()
        return cls(
            app_id=s.zalo_app_id,
            app_secret=s.zalo_app_secret.get_secret_value(),
            oa_secret=s.zalo_oa_secret_key.get_secret_value(),
            api_base=s.zalo_api_base_url.rstrip("/"),
            oauth_base=s.zalo_oauth_base_url.rstrip("/"),
            token_file=Path(s.zalo_token_file),
            access_token=s.zalo_access_token.get_secret_value(),
            refresh_token=s.zalo_refresh_token.get_secret_value(),
        )


# ---- webhook -----------------------------------------------------------------------------

def signature(app_id: str, body: bytes | str, timestamp: str, oa_secret: str) -> str:
    raw = body.decode("utf-8") if isinstance(body, bytes) else body
    return hashlib.sha256(f"{app_id}{raw}{timestamp}{oa_secret}".encode()).hexdigest()


def verify_event(raw: bytes, header: str, settings: ZaloSettings, now: float | None = None) -> dict[str, Any]:
    """Check the MAC and the event's age; return the parsed event or raise SignatureError."""
    if not settings.oa_secret or not settings.app_id:
        raise SignatureError("Zalo chưa được cấu hình (ZALO_APP_ID / ZALO_OA_SECRET_KEY not set).")
    try:
        event = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SignatureError("Nội dung không phải JSON (body is not JSON).") from exc
    if not isinstance(event, dict):
        raise SignatureError("Nội dung không phải đối tượng JSON (body is not a JSON object).")
    timestamp = str(event.get("timestamp", ""))
    given = header.strip()
    if given.startswith("mac="):
        given = given[4:].strip()
    app_id = str(event.get("app_id") or settings.app_id)
    if app_id != settings.app_id:
        raise SignatureError("Sai app_id (event for another app).")
    expected = signature(app_id, raw, timestamp, settings.oa_secret)
    if not given or not hmac.compare_digest(given.lower(), expected):
        raise SignatureError("Chữ ký không hợp lệ (bad X-ZEvent-Signature).")
    try:
        ts = int(timestamp) / 1000.0
    except ValueError as exc:
        raise SignatureError("Thiếu timestamp (timestamp missing).") from exc
    if abs((now or time.time()) - ts) > MAX_SKEW_SECONDS:
        raise SignatureError("Sự kiện quá cũ (stale event timestamp).")
    return event


def event_key(event: dict[str, Any]) -> str:
    """Stable id of an event across re-deliveries: msg_id for messages, else name+user+time."""
    msg_id = (event.get("message") or {}).get("msg_id")
    if msg_id:
        return str(msg_id)
    user = (event.get("sender") or event.get("follower") or {}).get("id", "")
    return f"{event.get('event_name')}:{user}:{event.get('timestamp')}"


def _coords(payload: dict[str, Any]) -> Location | None:
    c = payload.get("coordinates") or {}
    lat = c.get("latitude", c.get("lat"))
    lon = c.get("longitude", c.get("long"))
    try:
        return Location(float(lat), float(lon))
    except (TypeError, ValueError):
        return None


def fetch_attachment(url: str, kind: str, max_bytes: int = 20 * 1024 * 1024) -> Attachment | None:
    """Download a user's image/audio/file from Zalo's CDN into var/uploads/zalo/."""
    from bot.channels import attachments

    try:
        resp = requests.get(url, timeout=20, stream=True)
        resp.raise_for_status()
        data = b""
        for chunk in resp.iter_content(65536):
            data += chunk
            if len(data) > max_bytes:
                log.warning("zalo attachment over %d bytes: skipped", max_bytes)
                return None
    except requests.RequestException as exc:
        log.warning("zalo attachment download failed: %s", exc.__class__.__name__)
        return None
    if kind == "image":
        fmt = attachments.sniff_image(data) or "jpeg"
        return attachments.store_bytes(CHANNEL, data, kind="image", suffix="." + ("jpg" if fmt == "jpeg" else fmt),
                                       mime=attachments.IMAGE_MIMES.get(fmt))
    if kind == "audio":
        return attachments.store_bytes(CHANNEL, data, kind="audio", suffix=".m4a",
                                       mime=resp.headers.get("Content-Type"))
    return attachments.store_bytes(CHANNEL, data, kind="file", suffix=".bin", mime=resp.headers.get("Content-Type"))


def to_message(event: dict[str, Any]) -> Message | None:
    """A user's event as one Message, or None for events that need no conversation."""
    name = event.get("event_name", "")
    if name not in MESSAGE_EVENTS and name != "follow":
        return None
    user = str((event.get("sender") or event.get("follower") or {}).get("id", ""))
    if not user:
        return None
    sender = f"{CHANNEL}:{user}"
    key = event_key(event)
    if name == "follow":
        return Message(channel=CHANNEL, sender_id=sender, text="/greet", message_id=key)
    msg = event.get("message") or {}
    text = str(msg.get("text") or "")
    location = None
    atts: list[Attachment] = []
    for item in msg.get("attachments") or []:
        kind, payload = item.get("type"), item.get("payload") or {}
        if kind == "location":
            location = _coords(payload) or location
        elif kind in ("image", "audio", "file", "video") and payload.get("url"):
            att = fetch_attachment(str(payload["url"]), "file" if kind == "video" else kind)
            if att is not None:
                atts.append(att)
    if name == "user_send_location" and location is not None:
        text = ""  # Zalo puts the address/URL in text; the coordinates are what counts
    metadata: dict[str, Any] = {}
    if name == "user_send_audio" and atts:
        from bot.channels.attachments import transcribe

        heard = transcribe(atts[0].path)
        if heard:
            text, metadata = heard, {"transcribed": True}
        else:
            metadata = {"untranscribed_audio": True}
    if name in ("user_send_sticker", "user_send_gif") and not text:
        return None
    return Message(channel=CHANNEL, sender_id=sender, text=text[:2000], attachments=tuple(atts),
                   location=location, message_id=key, metadata=metadata)


# ---- OA API client ------------------------------------------------------------------------

def render_text(reply: Reply) -> str:
    """Zalo cs text messages have no quick replies: list the options to type instead."""
    text = reply.text
    if reply.buttons:
        text += "\n" + "\n".join(f"• {b['title']}" for b in reply.buttons)
    if (reply.custom or {}).get("ask") == "location":
        text += "\n(Bạn có thể bấm + → Vị trí để gửi vị trí hiện tại.)"
    if reply.image:
        text += f"\n{reply.image}"
    return text.strip()


class ZaloClient:
    """OA message API v3 with access-token refresh on expiry (proactive and on -216)."""

    def __init__(self, settings: ZaloSettings | None = None, timeout: float = 15.0,
                 engine: Engine | None = None) -> None:
        self.settings = settings or ZaloSettings.from_env()
        self.timeout = timeout
        self.http = requests.Session()
        cfg = self.settings
        # tokens live in the database, shared by every web app and delivery worker
        self.tokens = TokenStore(cfg.app_id, lambda: seed_from(cfg.token_file, cfg.access_token, cfg.refresh_token),
                                 engine=engine)

    def access_token(self) -> str:
        tokens = self.tokens.current()
        if tokens.usable():
            return tokens.access_token
        return self.refresh(stale=tokens.access_token)

    def refresh(self, stale: str = "") -> str:
        """A new access token; one process at a time, the others take its result (zalo_tokens)."""
        try:
            return self.tokens.refresh(stale, self._exchange).access_token
        except NoRefreshToken as exc:
            raise ZaloError(str(exc), retryable=False) from exc

    def _exchange(self, refresh_token: str) -> Exchanged:
        """One call to Zalo's OAuth endpoint: spends ``refresh_token``."""
        try:
            resp = self.http.post(
                f"{self.settings.oauth_base}/v4/oa/access_token",
                headers={"secret_key": self.settings.app_secret},
                data={"app_id": self.settings.app_id, "refresh_token": refresh_token,
                      "grant_type": "refresh_token"},
                timeout=self.timeout)
            body = resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise ZaloError(f"token refresh failed: {exc.__class__.__name__}") from exc
        if not body.get("access_token"):
            raise ZaloError(f"token refresh refused: {body.get('error')} {body.get('error_name', '')}",
                            code=_int(body.get("error")))
        try:
            expires_in = float(body.get("expires_in") or 3600)
        except (TypeError, ValueError):
            expires_in = 3600.0
        return Exchanged(str(body["access_token"]), body.get("refresh_token") or None, expires_in)

    def send_text(self, user_id: str, text: str) -> str:
        """Send one cs text message; returns Zalo's message_id. Raises ZaloError."""
        body = {"recipient": {"user_id": user_id}, "message": {"text": text[:2000]}}
        token = self.access_token()
        for attempt in range(2):
            try:
                resp = self.http.post(f"{self.settings.api_base}/v3.0/oa/message/cs",
                                      headers={"access_token": token}, json=body, timeout=self.timeout)
            except requests.RequestException as exc:
                raise ZaloError(f"Zalo unreachable: {exc.__class__.__name__}") from exc
            if resp.status_code >= 500:
                raise ZaloError(f"Zalo answered HTTP {resp.status_code}")
            try:
                data = resp.json()
            except ValueError as exc:
                raise ZaloError("Zalo answered invalid JSON") from exc
            code = _int(data.get("error"))
            if code == 0:
                return str((data.get("data") or {}).get("message_id", ""))
            if code in TOKEN_EXPIRED_CODES and attempt == 0:
                token = self.refresh(stale=token)
                continue
            raise ZaloError(f"Zalo error {code}: {data.get('message', '')}", code=code,
                            retryable=code in TOKEN_EXPIRED_CODES or code == -32)  # -32: rate limit
        raise ZaloError("Zalo access token rejected after refresh", code=-216)

    def send_reply(self, user_id: str, reply: Reply) -> str | None:
        text = render_text(reply)
        return self.send_text(user_id, text) if text else None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
