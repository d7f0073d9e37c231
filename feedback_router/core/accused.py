"""Which unit a text accuses: never hand a denunciation to the accused (Luật Tố cáo 2018).

Used by denunciations (recorded as subject_unit_id, hidden from that unit) and by ticket
routing (feedback_router.tickets.routing.route): a report that accuses the very unit it would
be routed to ("đội trật tự phường thu tiền của hàng rong" filed as urban_order in that
ward) goes to the inspectorate instead.
"""

from __future__ import annotations

import functools
import re

from feedback_router.core.catalog import catalog
from nlu import safety
from nlu.entities import ward_unit_for
from nlu.text import fold

TRAFFIC_POLICE_UNIT = "csgt-ha-noi"
CITY_POLICE_UNIT = "cong-an-ha-noi"
_TRAFFIC_POLICE_RE = re.compile(r"\b(?:csgt|canh sat giao thong|traffic (?:police|cops?|officers?))\b")
_POLICE_RE = re.compile(r"\b(?:cong an|canh sat|police|cops?)\b")
# People of a ward/commune: the accusation targets the ward the report is about.
_WARD_STAFF_RE = re.compile(
    r"\b(?:phuong|xa|to dan pho|to truong|doi trat tu|trat tu do thi|ubnd|uy ban|chu tich|mot cua|dia chinh"
    r"|truong thon|ward|commune)\b(?! hoi)")


@functools.lru_cache(maxsize=1)
def _unit_aliases() -> list[tuple[str, str]]:
    """(folded alias, unit id), longest first: "so xay dung" → so-xay-dung."""
    aliases: list[tuple[str, str]] = []
    for unit in catalog().units.values():
        if unit.kind in ("ward", "commune", "triage", "emergency"):
            continue  # wards are found by the gazetteer; triage/emergency lines are not denounced bodies
        name = fold(unit.name).split(" – ")[0].split(" (")[0].strip()
        aliases.append((name, unit.id))
        for suffix in (" thanh pho ha noi", " tp ha noi", " ha noi"):
            if name.endswith(suffix):
                aliases.append((name.removesuffix(suffix).strip(), unit.id))
    return sorted(aliases, key=lambda a: -len(a[0]))


def subject_unit_for(text: str) -> str | None:
    """The unit the text accuses, if one is named (a department or a ward/commune)."""
    folded = fold(text)
    for alias, unit_id in _unit_aliases():
        if len(alias) >= 6 and re.search(r"(?<![a-z0-9])" + re.escape(alias) + r"(?![a-z0-9])", folded):
            return unit_id
    return ward_unit_for(text)


def accused_unit(text: str, ward_unit_id: str | None = None) -> str | None:
    """The unit a report accuses of bribery, extortion, "bảo kê" or abuse of power
    (nlu.safety's accusation cues), or None when it accuses nobody. Unnamed ward
    staff ("đội trật tự phường", "cán bộ phường") mean the ward of the place."""
    if not safety.signals(text).accusation:
        return None
    folded = fold(text)
    if _TRAFFIC_POLICE_RE.search(folded):
        return TRAFFIC_POLICE_UNIT
    if _POLICE_RE.search(folded):  # ward police are the city police's
        return CITY_POLICE_UNIT
    named = subject_unit_for(text)
    if named:
        return named
    return ward_unit_id if _WARD_STAFF_RE.search(folded) else None
