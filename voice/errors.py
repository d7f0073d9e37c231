"""Audio error types with a bilingual message.

Why bilingual: the Vietnamese text can be shown to the citizen as is (the channel adapter
sends it back in the chat), while logs and developers get the English one.
"""

from __future__ import annotations


class AudioError(ValueError):
    """Input audio cannot be used. ``message_vi`` is safe to show to the user."""

    def __init__(self, message_vi: str, message_en: str, detail: str = "") -> None:
        self.message_vi = message_vi
        self.message_en = message_en
        self.detail = detail  # tool output for logs; never shown to users
        super().__init__(f"{message_vi} / {message_en}")


class UnsupportedAudio(AudioError):
    """Not an audio format we accept (or no audio track in the container)."""


class CorruptAudio(AudioError):
    """Looks like a known audio format but cannot be decoded."""


class AudioTooLarge(AudioError):
    """Bigger than the configured byte limit; refused before decoding."""


class AudioToolMissing(AudioError):
    """ffmpeg (Debian package) is not installed on this machine."""
