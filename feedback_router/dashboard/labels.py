"""Vietnamese words for what the database stores as ids: staff read "Rác thải, vệ sinh môi
trường" and "UBND phường Láng", never "waste" or "ubnd-phuong-lang".

History notes written by the services in English ("routed to hapulico: network operator")
stay as they are in the database (the audit trail is not rewritten); they are translated
when shown.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

from feedback_router.core.catalog import catalog
from feedback_router.tickets.lifecycle import STATUS_VI

URGENCY_VI = {"emergency": "Khẩn cấp", "urgent": "Khẩn", "normal": "Thường"}

ROLE_VI = {"operator": "cán bộ đơn vị", "supervisor": "giám sát", "admin": "quản trị", "inspector": "thanh tra"}

EVENT_KIND_VI = {
    "status": "Đổi trạng thái", "reply": "Trả lời", "note": "Ghi chú nội bộ", "reassign": "Chuyển đơn vị",
    "escalation": "Cảnh báo quá hạn", "report": "Báo cáo trùng", "merge": "Gộp", "rating": "Đánh giá",
    "reopen": "Mở lại", "split": "Tách", "callback": "Gọi lại",
}

ROUTE_REASON_VI = {
    "local matter: ward/commune of the place": "việc tại địa bàn: UBND phường/xã nơi xảy ra",
    "local matter, place unknown: category's operator": "việc tại địa bàn, chưa rõ nơi: đơn vị chuyên ngành",
    "local matter, place unknown: triage": "việc tại địa bàn, chưa rõ nơi: bộ phận phân loại",
    "network operator": "đơn vị quản lý mạng lưới",
    "emergency operator": "lực lượng khẩn cấp",
    "city operator": "đơn vị cấp thành phố",
}

ACTOR_VI = {"system:assistant": "Trợ lý ảo", "system:sla": "Hệ thống (hạn xử lý)", "system:hotline": "Tổng đài"}

_ROUTED = re.compile(r"^routed to (?P<unit>[\w.-]+): (?P<reason>.*)$", re.S)
_REASSIGNED = re.compile(r"^(?P<old>[\w.-]+) → (?P<new>[\w.-]+): (?P<reason>.*)$", re.S)


@lru_cache(maxsize=1)
def _category_names() -> dict[str, str]:
    return {c.id: c.name_vi for c in catalog().categories.values()}


def category_vi(category_id: str | None) -> str:
    return _category_names().get(category_id or "", category_id or "(không rõ)")


def unit_vi(unit_id: str | None, names: dict[str, str] | None = None) -> str:
    """A unit's name from the loaded catalog (or the units table rows passed in)."""
    if not unit_id:
        return "(không rõ)"
    if names and unit_id in names:
        return names[unit_id]
    info = catalog().units.get(unit_id)
    return info.name if info else unit_id


def status_vi(status: str) -> str:
    return STATUS_VI.get(status, status)


def urgency_vi(urgency: str) -> str:
    return URGENCY_VI.get(urgency, urgency)


def event_kind_vi(kind: str) -> str:
    return EVENT_KIND_VI.get(kind, kind)


def actor_vi(actor: str) -> str:
    if actor in ACTOR_VI:
        return ACTOR_VI[actor]
    if actor.startswith("staff:"):
        return "Cán bộ " + actor.split(":", 1)[1]
    if actor.startswith("citizen") or ":" in actor:
        return "Người dân"
    return actor


def event_note_vi(note: str | None, names: dict[str, str] | None = None) -> str:
    """A stored history note in Vietnamese ("routed to hapulico: network operator" →
    "Chuyển đến Công ty … (đơn vị quản lý mạng lưới)")."""
    if not note:
        return ""
    m = _ROUTED.match(note)
    if m:
        reason = ROUTE_REASON_VI.get(m["reason"], m["reason"])
        return f"Chuyển đến {unit_vi(m['unit'], names)} ({reason})"
    m = _REASSIGNED.match(note)
    if m:
        return f"{unit_vi(m['old'], names)} → {unit_vi(m['new'], names)}: {m['reason']}"
    return note


@lru_cache(maxsize=1)
def ward_options() -> tuple[tuple[str, str], ...]:
    """Wards and communes by name (diacritics ignored in the order), for the ward filter."""
    from nlu.text import fold

    return tuple(sorted(((u.id, u.name) for u in catalog().units.values() if u.kind in ("ward", "commune")),
                        key=lambda x: fold(x[1])))


@lru_cache(maxsize=1)
def unit_options() -> tuple[tuple[str, str], ...]:
    """Every unit in force (data/units.yaml) by name: where a ticket may be sent."""
    from nlu.text import fold

    return tuple(sorted(((u.id, u.name) for u in catalog().units.values()), key=lambda x: fold(x[1])))


def options_html(pairs: tuple[tuple[str, str], ...], selected: str = "") -> Markup:
    """<option> elements for ~150 units, built in Python: the queue renders three such lists
    on every request and Jinja loops made that the slowest part of the page."""
    return Markup("".join(_options(pairs)).replace(f'value="{escape(selected)}">', f'value="{escape(selected)}" '
                                                                                    'selected>', 1)
                  if selected else "".join(_options(pairs)))


@lru_cache(maxsize=8)
def _options(pairs: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(f'<option value="{escape(uid)}">{escape(name)}</option>' for uid, name in pairs)
