"""Flask app factory: JSON API, web chat page, health endpoint."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from bot.gateway import Gateway
from feedback_router.core.settings import get_settings

MAX_REQUEST_BYTES = 64 * 1024


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    settings = get_settings()
    app.config.update(
        SECRET_KEY=settings.secret_key.get_secret_value(),
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        JSON_AS_ASCII=False,
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["gateway"] = app.config.get("GATEWAY") or Gateway()

    from bot.web.api import api_bp
    from bot.web.chat import chat_bp
    from bot.web.health import health_bp
    from bot.web.nlu_api import nlu_bp
    from bot.web.telegram_webhook import telegram_bp
    from bot.web.zalo_webhook import zalo_bp
    from bot.web.device_api import device_bp
    from bot.web.chat_uploads import uploads_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(chat_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(nlu_bp)
    app.register_blueprint(telegram_bp)
    app.register_blueprint(zalo_bp)
    app.register_blueprint(device_bp)
    app.register_blueprint(uploads_bp)

    from feedback_router.dashboard import dashboard_bp
    from feedback_router.public.views import status_bp  # /status/<code>, /reports: no login
    from feedback_router.dashboard.errors import for_exception as dashboard_error_page
    from feedback_router.public.open311 import open311_bp

    app.register_blueprint(dashboard_bp)
    app.register_blueprint(status_bp)
    app.register_blueprint(open311_bp)
    from feedback_router.dashboard.civic_views import civic_bp  # suggestions, denunciations
    app.register_blueprint(civic_bp)
    from feedback_router.dashboard.booking_views import booking_bp  # desk staff: day list, arrivals
    app.register_blueprint(booking_bp)
    from feedback_router.dashboard.files import files_bp  # a ticket's photos: staff of its unit only
    app.register_blueprint(files_bp)

    from bot.web import limits, security  # issue 14: headers, cookies, identity, rate limits
    from feedback_router.messaging import web_identity

    from feedback_router.dashboard.moderation_views import moderation_bp  # public text (issue 14)
    app.register_blueprint(moderation_bp)

    security.install(app, settings)
    web_identity.install(app)
    limits.install(app, settings)
    from feedback_router.dashboard.work_views import work_bp  # map, bulk actions, reply templates
    app.register_blueprint(work_bp)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        page = dashboard_error_page(exc)  # a browser on a dashboard page gets HTML, not JSON
        if page is not None:
            return page
        from bot.web.security import bilingual_error

        return jsonify(error=bilingual_error(exc)), exc.code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        logging.getLogger("bot.web").exception("unhandled error")
        page = dashboard_error_page(exc)
        if page is not None:
            return page
        return jsonify(error="Lỗi máy chủ, vui lòng thử lại (internal error)."), 500

    return app
