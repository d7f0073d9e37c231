"""The web chat page (served at `/`)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from feedback_router.messaging.web_identity import new_identity, web_identity

chat_bp = Blueprint("chat", __name__, template_folder="templates", static_folder="static",
                    static_url_path="/static/chat")


@chat_bp.get("/")
def chat_page():  # type: ignore[no-untyped-def]
    web_identity()  # issue the identity cookie with the page, before the first message
    return render_template("chat.html")


@chat_bp.post("/api/v1/chat/new")
def new_conversation():  # type: ignore[no-untyped-def]
    """'Trò chuyện mới': a fresh identity, so the old conversation (and its inbox) is left behind."""
    new_identity()
    return jsonify(ok=True)
