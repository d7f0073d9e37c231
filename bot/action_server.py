"""Run the rasa_sdk action server with a `/healthz` route, bound to 127.0.0.1.

rasa_sdk's own CLI binds every interface and has `/health` only; every process
here must answer `/healthz` and stay local unless configured otherwise.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from feedback_router.core.catalog import catalog
from feedback_router.booking.desks import desk_data
from feedback_router.civic.data import civic
from feedback_router.civic.identity_crypto import require_key
from feedback_router.core.settings import get_settings, startup_check

ACTIONS_TOKEN_HEADER = "X-Actions-Token"


class ThreadedActionExecutor(ActionExecutor):
    """Runs each action call on a worker thread with its own event loop.

    Our actions are `async def run` but call SQLAlchemy (blocking) inside; on rasa_sdk's
    single event loop one slow query stalled every conversation (issue 15). On a thread
    each call blocks only itself; `ACTIONS_THREADS` (default 8, below the database pool's
    10 in feedback_router.core.db) bounds how many run at once. Streaming calls (a sink queue
    bound to the server's loop) stay on the server's loop.
    """

    def __init__(self, threads: int) -> None:
        super().__init__()
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="action")
        self._local = threading.local()

    def _run_here(self, action_call: dict[str, Any]) -> Any:
        loop = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
        return loop.run_until_complete(super().run(action_call))

    async def run(self, action_call: dict[str, Any], sink: Any = None, dispatcher: Any = None) -> Any:
        if sink is not None or dispatcher is not None:
            return await super().run(action_call, sink=sink, dispatcher=dispatcher)
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._run_here, action_call)


def build_app():  # type: ignore[no-untyped-def]
    executor = ThreadedActionExecutor(get_settings().actions_threads)
    executor.register_package("bot.actions")
    executor.register_package("bot.knowledge_actions")
    executor.register_package("bot.booking_actions")
    executor.register_package("bot.civic_actions")
    executor.register_package("bot.smalltalk_actions")
    executor.register_package("bot.turn_slots")
    executor.register_package("bot.feedback_actions")
    app = create_app(executor)
    catalog()  # fail at start, not at the first report, if data/ is inconsistent
    desk_data()  # same for data/desks.yaml (booking desks, hours, procedures)
    civic()  # same for data/civic.yaml
    require_key()  # no DENOUNCE_KEY in production: refuse to start (identity_crypto)

    token = get_settings().actions_token.get_secret_value()
    if token:
        @app.on_request
        async def _shared_secret(request: Request):  # type: ignore[no-untyped-def]
            """Only Rasa may call actions: endpoints.yml sends ACTIONS_TOKEN as X-Actions-Token."""
            if request.path == "/healthz":
                return None
            given = request.headers.get(ACTIONS_TOKEN_HEADER, "")
            if not hmac.compare_digest(given.encode(), token.encode()):
                return response.json({"error": "Cần X-Actions-Token (action server token required)."}, status=401)
            return None

    @app.get("/healthz")
    async def healthz(_: Request) -> HTTPResponse:
        return response.json({"status": "ok", "service": "actions",
                              "actions": len(executor.actions)})

    return app


def main() -> None:
    settings = startup_check("actions")  # unsafe secrets outside development: no start
    logging.basicConfig(level=settings.log_level,
                        format='{"time":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":"%(message)s"}')
    app = build_app()
    app.run(host=settings.actions_host, port=settings.actions_port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
