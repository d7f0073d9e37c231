"""The one message type every channel produces and the gateway consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nlu.text import validate_user_text

CHANNELS = {"web", "telegram", "zalo", "device", "hotline", "api"}


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not (-90 <= self.latitude <= 90 and -180 <= self.longitude <= 180):
            raise ValueError("Toạ độ không hợp lệ (invalid coordinates).")


@dataclass(frozen=True)
class Attachment:
    kind: str  # image | audio | file
    path: str  # where the channel stored it (var/uploads/…)
    mime: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Message:
    """An inbound message: text, attachments and/or a location, from one sender.

    `sender_id` is namespaced by channel ("telegram:123") so two channels' ids
    never collide and an answer can find its way back days later.
    """

    channel: str
    sender_id: str
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    location: Location | None = None
    message_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"Kênh không hỗ trợ (unknown channel): {self.channel!r}")
        if not self.sender_id.startswith(self.channel + ":") or len(self.sender_id) > 200:
            raise ValueError("sender_id phải có dạng '<kênh>:<id>' (sender_id must be '<channel>:<id>').")
        text = validate_user_text(self.text, allow_empty=bool(self.location or self.attachments))
        object.__setattr__(self, "text", text)


@dataclass(frozen=True)
class Reply:
    """One bot reply; channels render buttons as their own quick replies."""

    text: str
    buttons: tuple[dict[str, str], ...] = ()
    custom: dict[str, Any] | None = None
    image: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        if self.buttons:
            out["buttons"] = [dict(b) for b in self.buttons]
        if self.custom:
            out["custom"] = self.custom
        if self.image:
            out["image"] = self.image
        return out
