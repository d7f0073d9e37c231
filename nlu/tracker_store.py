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

Two costs of Rasa's store are also cut here, because the tracker store is where a Rasa
replica spent most of its time under load (issue 15, docs/numbers.md):

- Rasa runs its SQL synchronously inside the event loop, so every round trip to the
  database (and every commit's WAL flush) stalls all the other conversations that replica
  is serving. Reads and writes run in a worker thread here; the per-conversation lock
  (Rasa's lock store) still guarantees one turn at a time per conversation.
- Before each save Rasa counts the stored events of the conversation to find the new ones.
  The tracker we handed out already knows: it carries how many of its events are stored
  (set when it was loaded and after every save); the count query runs only for a tracker
  that did not come from this store.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Sequence
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

FORM = "denunciation_form"
START_INTENT = "denounce"
SEALED_PREFIX = "sealed:"
REDACTED = "[redacted]"
SAFE_VALUES = {"formal", "anonymous", "-"}
STORED = "_hanoi_stored_events"  # on a tracker: how many of its events are in the database


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
    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        return await asyncio.to_thread(self._retrieve_now, sender_id, fetch_events_from_all_sessions)

    def _retrieve_now(self, sender_id: str, all_sessions: bool) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            rows = (self._event_query(session, sender_id, fetch_events_from_all_sessions=all_sessions)
                    .with_entities(self.SQLEvent.data).all())
        if not (self.domain and rows):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(data) for (data,) in rows],
                                                 self.domain.slots)
        if not all_sessions and len(tracker.events) == len(rows):
            setattr(tracker, STORED, len(rows))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        events = list(tracker.events)  # read on the loop: the thread never sees the tracker change
        await asyncio.to_thread(self._save_now, tracker.sender_id, events, getattr(tracker, STORED, None))
        setattr(tracker, STORED, len(events))

    def _save_now(self, sender_id: str, events: list[Event], stored: int | None) -> None:
        with self.session_scope() as session:
            if stored is None:
                stored = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
            hidden = sensitive_positions(events)
            rows = [self._row(sender_id, redact(event) if i in hidden else event)
                    for i, event in itertools.islice(enumerate(events), stored, len(events))]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
                session.commit()

    @staticmethod
    def _row(sender_id: str, event: Event) -> dict[str, Any]:
        """The columns Rasa's own save writes for one event."""
        data = event.as_dict()
        return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
                "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"), "data": json.dumps(data)}
