"""A Rasa input channel whose only job is to expose `GET /healthz` at the root.

Rasa 3.6 has `/` and `/status` but no health endpoint that says whether the
model is loaded; every process here must answer `/healthz` the same way, and an
input channel is Rasa's supported way to add routes to its server.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class HealthChannel(InputChannel):
    """Answers 200 once the agent has a model, 503 while it is still loading."""

    @classmethod
    def name(cls) -> str:
        return "healthz"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> HealthChannel:
        return cls()

    def url_prefix(self) -> str:
        return "/"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        bp = Blueprint("healthz_channel", __name__)

        @bp.route("/healthz", methods=["GET"])
        async def healthz(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            ready = bool(agent is not None and agent.is_ready())
            body = {"status": "ok" if ready else "loading", "service": "rasa",
                    "model": getattr(agent, "model_id", None) if ready else None}
            return response.json(body, status=200 if ready else 503)

        return bp
