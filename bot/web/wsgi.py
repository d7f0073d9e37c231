"""Entry point for a WSGI server: `bot.web.wsgi:app`."""

from bot.web import create_app

app = create_app()
