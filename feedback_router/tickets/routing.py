"""Decide which unit handles a report: category × place."""

from __future__ import annotations

from dataclasses import dataclass

from feedback_router.core.catalog import TRIAGE_UNIT_ID, Catalog, catalog

INSPECTORATE_UNIT_ID = "thanh-tra-thanh-pho"  # data/civic.yaml inspection_unit (checked by a test)


@dataclass(frozen=True)
class Route:
    unit_id: str
    unit_name: str
    urgency: str
    hotline: str | None
    reason: str

    def as_dict(self) -> dict[str, str | None]:
        return {"unit_id": self.unit_id, "unit_name": self.unit_name,
                "urgency": self.urgency, "hotline": self.hotline}


def route(category: str, ward_unit_id: str | None = None, cat: Catalog | None = None,
          accused_unit_id: str | None = None) -> Route:
    """Local matters go to the ward/commune of the place, networks to their operator.

    A local matter whose place is unknown goes to the triage queue rather than to
    a guessed ward: a supervisor assigns it, so nothing is silently misrouted.
    A report accusing the unit it would go to (feedback_router.core.accused) goes to the
    city inspectorate instead: a denunciation is never handled by the accused.
    """
    cat = cat or catalog()
    category_info = cat.categories.get(category) or cat.categories["other"]
    if category_info.scope == "local":
        if ward_unit_id and ward_unit_id in cat.units:
            unit_id, reason = ward_unit_id, "local matter: ward/commune of the place"
        elif category_info.unit:
            unit_id, reason = category_info.unit, "local matter, place unknown: category's operator"
        else:
            unit_id, reason = TRIAGE_UNIT_ID, "local matter, place unknown: triage"
    else:
        unit_id, reason = category_info.unit or TRIAGE_UNIT_ID, f"{category_info.scope} operator"
    if accused_unit_id and accused_unit_id == unit_id:
        unit_id, reason = INSPECTORATE_UNIT_ID, f"accuses {accused_unit_id}, the unit it would go to: inspectorate"
    unit = cat.units[unit_id]
    hotline = category_info.hotline or (unit.hotline if category_info.scope == "emergency" else None)
    return Route(unit_id, unit.name, category_info.urgency, hotline, reason)
