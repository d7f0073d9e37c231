"""Read the category chosen for a retrieval intent out of a Rasa parse result.

Shared by the Rasa actions, the parse API and the evaluation script so that all
three read `response_selector` the same way.
"""

from __future__ import annotations

from typing import Any


def selected_category(parse: dict[str, Any], retrieval_intent: str) -> tuple[str | None, float]:
    """The sub-intent chosen for `retrieval_intent`, e.g. report_issue/waste → ("waste", 0.93)."""
    selector = parse.get("response_selector") or {}
    for key in (retrieval_intent, "default"):
        response = (selector.get(key) or {}).get("response") or {}
        full = response.get("intent_response_key") or ""
        if full.startswith(retrieval_intent + "/"):
            return full.split("/", 1)[1], float(response.get("confidence") or 0.0)
    return None, 0.0
