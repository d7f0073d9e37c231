"""Run the web app with waitress (a production WSGI server, no dev reloader)."""

from __future__ import annotations

import logging
import os

from waitress import serve

from bot.web import create_app
from feedback_router.identity_crypto import require_key


def main() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format='{"time":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":"%(message)s"}')
    host = os.environ.get("WEB_HOST", "127.0.0.1")
    port = int(os.environ.get("WEB_PORT", "8000"))
    require_key()  # the inspectors' pages decrypt identities: no DENOUNCE_KEY, no start
    serve(create_app(), host=host, port=port, threads=int(os.environ.get("WEB_THREADS", "8")))


if __name__ == "__main__":
    main()
