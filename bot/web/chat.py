"""The web chat page (served at `/`)."""

from __future__ import annotations

from flask import Blueprint, render_template

chat_bp = Blueprint("chat", __name__, template_folder="templates", static_folder="static",
                    static_url_path="/static/chat")


@chat_bp.get("/")
def chat_page():  # type: ignore[no-untyped-def]
    return render_template("chat.html")
