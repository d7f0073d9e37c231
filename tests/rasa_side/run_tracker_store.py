"""Exercise nlu.tracker_store inside the Rasa venv against one database; print one JSON line.

Executed with .venv-rasa/bin/python by tests/test_tracker_store.py with the store's
parameters as JSON in argv[1] (SQLite file or PostgreSQL database). Rasa's own code reads
the rows back (its SQLTrackerStore.retrieve), so what we write is what Rasa would write.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered, Event, SessionStarted, SlotSet,
                                     UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker

from nlu.tracker_store import STORED, RedactingSQLTrackerStore

DOMAIN = Domain.from_dict({"intents": ["greet", "report_issue", "denounce"],
                           "slots": {"location": {"type": "text", "mappings": [{"type": "custom"}]}}})


def turn(text: str, intent: str, reply: str, at: float) -> list[Event]:
    return [UserUttered(text, {"name": intent, "confidence": 1.0}, timestamp=at),
            SlotSet("location", "phường Láng", timestamp=at),
            BotUttered(reply, timestamp=at), ActionExecuted("action_listen", timestamp=at)]


def stored_rows(store: SQLTrackerStore, sender: str) -> list[dict[str, Any]]:
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).order_by(store.SQLEvent.id)
        return [{"type": r.type_name, "intent": r.intent_name, "action": r.action_name,
                 "text": json.loads(r.data).get("text")} for r in rows]


async def main(params: dict[str, Any]) -> dict[str, Any]:
    store = RedactingSQLTrackerStore(DOMAIN, **params)
    rasa_store = SQLTrackerStore(DOMAIN, **params)  # Rasa's own reader of the same rows
    out: dict[str, Any] = {}
    threads: set[str] = set()
    save_now = store._save_now

    def spy(*args: Any) -> None:
        threads.add(threading.current_thread().name)
        save_now(*args)

    store._save_now = spy  # type: ignore[method-assign]

    # a conversation over three turns, each a retrieve → append → save, as Rasa's processor does
    tracker = DialogueStateTracker("citizen-1", DOMAIN.slots)
    tracker.update_with_events([ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=1.0),
                                ActionExecuted("action_listen", timestamp=1.0)], DOMAIN)
    await store.save(tracker)
    for i, (text, intent) in enumerate([("Xin chào", "greet"), ("rác ở ngõ 5", "report_issue"),
                                        ("phường Láng", "report_issue")]):
        loaded = await store.retrieve("citizen-1")
        out.setdefault("stored_marks", []).append(getattr(loaded, STORED, None))
        loaded.update_with_events(turn(text, intent, f"reply {i}", 2.0 + i), DOMAIN)
        await store.save(loaded)
        await store.save(loaded)  # a second save of the same tracker adds nothing
    out["rows"] = stored_rows(store, "citizen-1")
    rasa_view = await rasa_store.retrieve("citizen-1")
    out["rasa_reads"] = [e.as_dict().get("text") for e in rasa_view.events if isinstance(e, UserUttered)]

    # a tracker that did not come from this store: the count decides what is new
    outsider = await rasa_store.retrieve("citizen-1")
    outsider.update_with_events(turn("thêm một câu", "report_issue", "reply x", 9.0), DOMAIN)
    await store.save(outsider)
    out["rows_after_outsider"] = len(stored_rows(store, "citizen-1"))

    # a new session inside a turn: the old session's events stay, the new ones are appended once
    loaded = await store.retrieve("citizen-1")
    loaded.update_with_events([ActionExecuted("action_session_start", timestamp=20.0), SessionStarted(timestamp=20.0),
                               ActionExecuted("action_listen", timestamp=20.0),
                               *turn("chào lại", "greet", "reply s", 21.0)], DOMAIN)
    await store.save(loaded)
    again = await store.retrieve("citizen-1")
    out["after_new_session"] = {"total_rows": len(stored_rows(store, "citizen-1")),
                                "latest_session_events": len(again.events), "mark": getattr(again, STORED, None)}

    # a denunciation is still written redacted
    denouncer = DialogueStateTracker("citizen-2", DOMAIN.slots)
    denouncer.update_with_events([ActionExecuted("action_listen", timestamp=1.0),
                                  UserUttered("cán bộ phường X nhận tiền", {"name": "denounce", "confidence": 1.0},
                                              timestamp=2.0),
                                  ActiveLoop("denunciation_form", timestamp=2.0),
                                  SlotSet("location", "nhà tôi ở số 3", timestamp=2.0),
                                  BotUttered("Anh/chị cho biết tên?", timestamp=2.0)], DOMAIN)
    await store.save(denouncer)
    out["denunciation_texts"] = [r["text"] for r in stored_rows(store, "citizen-2") if r["text"] is not None]

    # many conversations at once on one event loop
    async def conversation(n: int) -> int:
        sender = f"crowd-{n}"
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
        tracker.update_with_events([ActionExecuted("action_listen", timestamp=1.0)], DOMAIN)
        await store.save(tracker)
        for i in range(3):
            loaded = await store.retrieve(sender)
            loaded.update_with_events(turn(f"tin {i}", "greet", "ok", 2.0 + i), DOMAIN)
            await store.save(loaded)
        return len(stored_rows(store, sender))

    out["crowd_rows"] = sorted(set(await asyncio.gather(*(conversation(n) for n in range(20)))))
    out["save_threads_outside_loop"] = threading.main_thread().name not in threads and bool(threads)
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(json.loads(sys.argv[1]))), ensure_ascii=False))
