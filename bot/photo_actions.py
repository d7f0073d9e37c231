"""Photos (and voice notes) a citizen sends: acknowledged at once, attached to the report.

Why here: the photo arrived stored but nobody said so and it never reached the ticket.
Every channel hands files to Rasa in the message metadata (bot.gateway); the ``photos``
slot's custom mapping (bot.turn_slots) runs on every turn and keeps them (at most five). A photo sent
without words arrives as /share_photo and action_acknowledge_photo says "Đã nhận ảnh (tổng
cộng N)" (Rasa does not deliver what a slot-mapping action says, so the acknowledgement is
a rule's action; a photo whose caption starts a report is acknowledged by
action_classify_report). action_submit_report passes them to create_ticket, which keeps them on
the ticket (feedback_router.tickets.files) for staff of the owning unit.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from feedback_router.tickets.files import MAX_PER_REPORT

SLOT = "photos"
KINDS = ("image", "audio", "video")


def _lang(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("lang") == "en" else "vi"


def new_files(tracker: Tracker) -> list[dict[str, Any]]:
    """Files of the latest message, as plain references (kind, path, mime, size)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    out = []
    for item in metadata.get("attachments") or []:
        if isinstance(item, dict) and item.get("kind") in KINDS and isinstance(item.get("path"), str):
            out.append({"kind": item["kind"], "path": item["path"], "mime": item.get("mime"),
                        "size": item.get("size")})
    return out


def kept(tracker: Tracker) -> list[dict[str, Any]]:
    """The files waiting for the next report filed in this conversation."""
    value = tracker.get_slot(SLOT)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def acknowledgement(count: int, total: int, lang: str) -> str:
    if lang == "en":
        return (f"Photo received ({total} in all). It will be attached to your report."
                if count == 1 else f"{count} files received ({total} in all). They will be attached to your report.")
    what = "ảnh" if count == 1 else f"{count} tệp"
    return f"Đã nhận {what} (tổng cộng {total}). Ảnh sẽ được gửi kèm phản ánh của bạn."


def acknowledge(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Say that the files of the latest message were received (photo with a caption, read
    by the action the caption's intent chose)."""
    files = new_files(tracker)
    held = {k["path"] for k in kept(tracker)}
    lang = _lang(tracker)
    if files and all(f["path"] not in held for f in files):  # dropped: five already held
        dispatcher.utter_message(text=("At most 5 files per report; this one was not added." if lang == "en"
                                       else "Mỗi phản ánh nhận tối đa 5 ảnh/tệp; tệp này chưa được thêm."))
    elif files:
        dispatcher.utter_message(text=acknowledgement(len(files), len(held), lang), json_message={"photos": len(held)})


def photo_events(tracker: Tracker) -> list[dict[str, Any]]:
    """The ``photos`` slot's update for this turn: the latest message's files added to those
    held (five at most). Part of bot.turn_slots.ActionExtractTurn (run on every user message)."""
    files = new_files(tracker)
    if not files:
        return []
    before = kept(tracker)
    known = {f["path"] for f in before}
    together = (before + [f for f in files if f["path"] not in known])[:MAX_PER_REPORT]
    return [SlotSet(SLOT, together)] if len(together) > len(before) else []


class ActionAcknowledgePhoto(Action):
    """A photo with no words: say it was received; outside a report ask what it shows (the
    report form asks its own next question)."""

    def name(self) -> str:
        return "action_acknowledge_photo"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        lang = _lang(tracker)
        acknowledge(dispatcher, tracker)
        if tracker.active_loop_name:
            return []
        english = "What does it show? Describe the problem and where it is, and I will file a report."
        vietnamese = "Ảnh này phản ánh việc gì? Bạn mô tả sự việc và địa điểm, tôi sẽ gửi phản ánh kèm ảnh."
        dispatcher.utter_message(text=english if lang == "en" else vietnamese)
        return []
