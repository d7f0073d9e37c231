"""Entry point for a WSGI server: `bot.web.wsgi:app`."""

from bot.web import create_app
from feedback_router.civic.identity_crypto import require_key
from feedback_router.core.settings import startup_check

startup_check("web")  # unsafe secrets outside development: the WSGI server does not start
require_key()
app = create_app()
