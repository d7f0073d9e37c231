"""The one inbound path every channel uses: dedupe, then the gateway, then mark done."""

from __future__ import annotations

import logging

from bot.channels import dedupe
from bot.gateway import Gateway, GatewayError
from bot.message import Message, Reply

log = logging.getLogger(__name__)

UNAVAILABLE = ("Trợ lý tạm thời không phản hồi, vui lòng thử lại sau ít phút "
               "(assistant temporarily unavailable).")


class Duplicate(Exception):
    """This update was already handled (or is being handled) elsewhere."""


def converse(gateway: Gateway, message: Message, update_key: str | None) -> list[Reply]:
    """Hand one message to the gateway exactly once per update key.

    Raises `Duplicate` for a repeat and `GatewayError` when Rasa is down (the key is then
    marked failed, so the platform's own re-delivery gets another chance).
    """
    if update_key is not None and not dedupe.claim(message.channel, update_key):
        raise Duplicate(update_key)
    try:
        replies = gateway.handle(message)
    except GatewayError:
        if update_key is not None:
            dedupe.finish(message.channel, update_key, ok=False)
        raise
    except Exception:
        if update_key is not None:
            dedupe.finish(message.channel, update_key, ok=False)
        raise
    if update_key is not None:
        dedupe.finish(message.channel, update_key, ok=True)
    return replies
