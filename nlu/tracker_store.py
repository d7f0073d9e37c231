"""Rasa's SQL tracker store, minus what a denouncer says (runs in the Rasa venv).

Rasa keeps every conversation event (the user's words, slot values, the bot's replies)
in its tracker store, keyed by the sender id. For a denunciation that would put the
denouncer's name, address, phone and accusation next to their channel identity, in
plaintext, in a second database — exactly what Luật Tố cáo 2018 and feedback_router/
identity_crypto.py keep out of the app's own database. This store writes those events
redacted: from the user message that starts a denunciation (intent ``denounce``) until
the turn the form is left, user texts, bot texts and slot values are replaced by
``[redacted]``. Slot values the actions sealed with DENOUNCE_KEY (``sealed:`` + Fernet
token) are kept, so the form still has what it collected when the next message reloads
the tracker; so are booleans and the two mode words.

Configured in endpoints.yml (``type: nlu.tracker_store.RedactingSQLTrackerStore``) with
the same parameters as Rasa's ``type: SQL``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

FORM = "denunciation_form"
START_INTENT = "denounce"
SEALED_PREFIX = "sealed:"
REDACTED = "[redacted]"
SAFE_VALUES = {"formal", "anonymous", "-"}


def sensitive_positions(events: Sequence[Event]) -> set[int]:
    """Indexes of the user/bot/slot events said during a denunciation."""
    active: str | None = None
    sensitive = False
    positions: set[int] = set()
    for i, event in enumerate(events):
        if isinstance(event, ActiveLoop):
            active = event.name
            sensitive = sensitive or active == FORM
        if isinstance(event, UserUttered):
            intent = (event.intent or {}).get("name")
            sensitive = sensitive or intent == START_INTENT or active == FORM
        if sensitive and isinstance(event, UserUttered | BotUttered | SlotSet):
            positions.add(i)
        if isinstance(event, ActionExecuted) and event.action_name == "action_listen" and active != FORM:
            sensitive = False  # the denunciation is over (filed or cancelled)
    return positions


def _keep_slot_value(name: str, value: Any) -> bool:
    if name == "requested_slot" or value is None or isinstance(value, bool | int | float):
        return True
    return isinstance(value, str) and (value.startswith(SEALED_PREFIX) or value in SAFE_VALUES)


def redact(event: Event) -> Event:
    data = event.as_dict()
    kind = data.get("event")
    if kind == "user":
        data["text"] = REDACTED
        parse = dict(data.get("parse_data") or {})
        parse["text"] = REDACTED
        parse["entities"] = []
        parse.pop("response_selector", None)
        data["parse_data"] = parse
    elif kind == "bot":
        data["text"] = REDACTED
        data["data"] = {}
    elif kind == "slot" and not _keep_slot_value(str(data.get("name")), data.get("value")):
        data["value"] = REDACTED
    else:
        return event
    return Event.from_parameters(data)


class RedactingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        events = list(tracker.events)
        hidden = sensitive_positions(events)
        for i, event in itertools.islice(enumerate(events), stored, len(events)):
            yield redact(event) if i in hidden else event
