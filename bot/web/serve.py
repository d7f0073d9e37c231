"""Run the web app with waitress (a production WSGI server, no dev reloader)."""

from __future__ import annotations

import logging

from waitress import serve

from bot.web import create_app
from feedback_router.civic.identity_crypto import require_key
from feedback_router.core.settings import startup_check


def main() -> None:
    settings = startup_check("web")  # unsafe secrets outside development: no start
    logging.basicConfig(level=settings.log_level,
                        format='{"time":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":"%(message)s"}')
    require_key()  # the inspectors' pages decrypt identities: no DENOUNCE_KEY, no start
    serve(create_app(), host=settings.web_host, port=settings.web_port, threads=settings.web_threads)


if __name__ == "__main__":
    main()
