"""Forward channel messages to Rasa's REST webhook and return its replies."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from urllib.parse import quote

import requests

from bot.message import Message, Reply
from bot.rasa_transport import rasa_session, timeouts
from feedback_router.core.settings import get_settings

log = logging.getLogger(__name__)


class GatewayError(RuntimeError):
    """Rasa could not be reached or answered badly; the message was not processed."""


def _token_params() -> dict[str, str]:
    token = get_settings().rasa_token.get_secret_value()
    return {"token": token} if token else {}


def rasa_url() -> str:
    return get_settings().rasa_url.rstrip("/")


def _rasa_text(message: Message) -> str:
    # A shared location becomes an intent payload: no NLU guess, exact coordinates.
    if message.location is not None and not message.text.strip():
        payload = {"latitude": message.location.latitude, "longitude": message.location.longitude}
        return "/share_location" + json.dumps(payload)
    if message.attachments and not message.text.strip():
        return "/share_photo"  # a photo or voice note alone: collected by the `photos` slot, no NLU guess
    if message.text.startswith("/"):
        return message.text  # button payloads ("/affirm") pass as they are
    return message.text


def with_custom_joined(replies: list[Reply]) -> list[Reply]:
    """Rasa's REST channel sends an action's json_message as a separate, text-less item; put it
    back on the text it belongs to ("Mã phản ánh …" + {"ticket": …}), so that storing and
    delivering replies, which skip text-less ones, never loses it."""
    out: list[Reply] = []
    for reply in replies:
        if out and reply.custom and not (reply.text or reply.image or reply.buttons) and out[-1].custom is None:
            out[-1] = replace(out[-1], custom=reply.custom)
        else:
            out.append(reply)
    return out


class Gateway:
    """The single door into the conversation engine for every channel."""

    def __init__(self, base_url: str | None = None, timeout: float = 30.0) -> None:
        self.base_url = (base_url or rasa_url()).rstrip("/")
        self.timeout = timeouts(timeout)  # (connect, read): bot.rasa_transport says why
        self._http = rasa_session()  # shared keep-alive pool, retries only what is safe to retry

    def handle(self, message: Message) -> list[Reply]:
        body = {
            "sender": message.sender_id,
            "message": _rasa_text(message),
            "metadata": {
                "channel": message.channel,
                "message_id": message.message_id,
                "location": None if message.location is None else {
                    "latitude": message.location.latitude, "longitude": message.location.longitude},
                "attachments": [a.__dict__ for a in message.attachments],
                **message.metadata,
            },
        }
        try:
            resp = self._http.post(f"{self.base_url}/webhooks/rest/webhook", json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise GatewayError(f"Rasa unreachable: {exc.__class__.__name__}") from exc
        if resp.status_code != 200:
            raise GatewayError(f"Rasa answered HTTP {resp.status_code}")
        try:
            items = resp.json()
        except ValueError as exc:
            raise GatewayError("Rasa answered with invalid JSON") from exc
        return with_custom_joined([self._to_reply(item) for item in items if isinstance(item, dict)])

    def parse(self, text: str) -> dict:
        """Rasa's NLU parse of one text (no dialogue state touched)."""
        try:
            resp = self._http.post(f"{self.base_url}/model/parse", json={"text": text}, params=_token_params(),
                                   timeout=self.timeout)  # Rasa's --auth-token guards /model/parse
        except requests.RequestException as exc:
            raise GatewayError(f"Rasa unreachable: {exc.__class__.__name__}") from exc
        if resp.status_code != 200:
            raise GatewayError(f"Rasa answered HTTP {resp.status_code}")
        return resp.json()

    def _tracker_url(self, sender_id: str, tail: str) -> str:
        # Rasa (Sanic) does not unquote path parameters: the ':' of "telegram:42" stays as it is.
        return f"{self.base_url}/conversations/{quote(sender_id, safe=':')}/{tail}"

    def _events(self, sender_id: str) -> list[dict]:
        try:
            resp = self._http.get(self._tracker_url(sender_id, "tracker"),
                                  params={"include_events": "ALL", **_token_params()}, timeout=self.timeout)
        except requests.RequestException as exc:
            raise GatewayError(f"Rasa unreachable: {exc.__class__.__name__}") from exc
        if resp.status_code != 200:
            raise GatewayError(f"Rasa answered HTTP {resp.status_code}")
        return list(resp.json().get("events") or [])

    def answered(self, sender_id: str, message_id: str) -> list[Reply] | None:
        """The replies Rasa gave to `message_id` if its tracker already holds that turn
        ([] when it was processed without an answer), else None.

        A replayed message (the process that sent it died before recording the answer) must
        not be processed twice: the dialogue would see the same words again.
        """
        found: list[Reply] | None = None
        current: list[Reply] | None = None
        for event in self._events(sender_id):
            kind = event.get("event")
            if kind == "user":
                mine = str((event.get("metadata") or {}).get("message_id")) == str(message_id)
                current = [] if mine else None
                if mine and not found:
                    found = current
            elif kind == "bot" and current is not None:
                data = event.get("data") or {}
                current.append(self._to_reply({"text": event.get("text"), **data}))
        return found

    def times_processed(self, sender_id: str, message_id: str) -> int:
        """How many times Rasa's tracker received `message_id` (each try of a failed turn)."""
        return sum(1 for e in self._events(sender_id) if e.get("event") == "user"
                   and str((e.get("metadata") or {}).get("message_id")) == str(message_id))

    def undo(self, sender_id: str, message_id: str) -> None:
        """Put the dialogue back where it was before `message_id` was first processed, so that
        a turn whose actions failed (Rasa answered nothing) can be sent again: the slots and
        the active form it changed are set back with ordinary events. (Rasa's own `rewind`
        event cannot be used: inside a form it reverts to before the form started.)"""
        slots: dict[str, object] = {}
        loop: str | None = None
        before: tuple[dict[str, object], str | None] | None = None
        for event in self._events(sender_id):
            kind = event.get("event")
            if kind == "user" and before is None and \
                    str((event.get("metadata") or {}).get("message_id")) == str(message_id):
                before = (dict(slots), loop)
            elif kind == "slot":
                slots[str(event.get("name"))] = event.get("value")
            elif kind == "active_loop":
                loop = event.get("name")
            elif kind in ("restart", "session_started"):
                slots, loop = {}, None
        if before is None:
            return
        old_slots, old_loop = before
        restore: list[dict] = [{"event": "slot", "name": name, "value": old_slots.get(name)}
                               for name in sorted(set(slots) | set(old_slots))
                               if slots.get(name) != old_slots.get(name)]
        if loop != old_loop:
            restore.append({"event": "active_loop", "name": old_loop})
        if not restore:
            return
        try:
            resp = self._http.post(self._tracker_url(sender_id, "tracker/events"), params=_token_params(),
                                   json=restore, timeout=self.timeout)
        except requests.RequestException as exc:
            raise GatewayError(f"Rasa unreachable: {exc.__class__.__name__}") from exc
        if resp.status_code != 200:
            raise GatewayError(f"Rasa answered HTTP {resp.status_code}")

    @staticmethod
    def _to_reply(item: dict) -> Reply:
        buttons = tuple(
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in item.get("buttons") or []
        )
        return Reply(text=item.get("text") or "", buttons=buttons,
                     custom=item.get("custom"), image=item.get("image"))
