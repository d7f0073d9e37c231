"""data/civic.yaml: suggestion topics → units, and the denunciation notice (Luật Tố cáo 2018).

Validated once at load against the unit catalog, so a topic pointing at a unit that does
not exist stops the process at start instead of misrouting a citizen's idea later.
"""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from feedback_router.core.catalog import TRIAGE_UNIT_ID, Catalog, CatalogError, _load_yaml, _nfc, catalog
from feedback_router.core.codes import ALPHABET
from feedback_router.core.config import DATA_DIR
from nlu.text import fold
from nlu import clock

WARD = "ward"


@dataclass(frozen=True)
class Topic:
    id: str
    name_vi: str
    unit: str  # a unit id, or "ward": the ward/commune named in the text
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class CivicData:
    topics: tuple[Topic, ...]
    inspection_unit: str
    notice_vi: str
    choice_vi: str


def load_civic(data_dir: Path = DATA_DIR, cat: Catalog | None = None) -> CivicData:
    cat = cat or catalog()
    raw = _load_yaml(data_dir / "civic.yaml")
    topics: list[Topic] = []
    for row in raw.get("suggestion_topics") or []:
        topic = Topic(id=str(row["id"]), name_vi=_nfc(row["name_vi"]) or "", unit=str(row["unit"]),
                      keywords=tuple(fold(str(k)).strip() for k in row.get("keywords") or []))
        if topic.unit != WARD and topic.unit not in cat.units:
            raise CatalogError(f"civic.yaml: topic {topic.id!r} routes to unknown unit {topic.unit!r}")
        if not topic.keywords or not all(topic.keywords):
            raise CatalogError(f"civic.yaml: topic {topic.id!r} needs non-empty keywords")
        if any(t.id == topic.id for t in topics):
            raise CatalogError(f"civic.yaml: duplicate topic {topic.id!r}")
        topics.append(topic)
    den = raw.get("denunciation") or {}
    inspection = str(den.get("inspection_unit") or "")
    if inspection not in cat.units or cat.units[inspection].kind != "inspection":
        raise CatalogError(f"civic.yaml: inspection_unit {inspection!r} must be a unit of kind 'inspection'")
    notice, choice = _nfc(den.get("notice_vi")), _nfc(den.get("choice_vi"))
    if not notice or not choice:
        raise CatalogError("civic.yaml: denunciation.notice_vi and choice_vi are required")
    return CivicData(tuple(topics), inspection, notice.strip(), choice.strip())


@functools.lru_cache(maxsize=1)
def civic() -> CivicData:
    return load_civic()


def _has_keyword(folded: str, keyword: str) -> bool:
    return re.search(r"(?<![a-z0-9])" + re.escape(keyword) + r"(?![a-z0-9])", folded) is not None


def topic_for(text: str, data: CivicData | None = None) -> Topic | None:
    folded = fold(text)
    for topic in (data or civic()).topics:
        if any(_has_keyword(folded, k) for k in topic.keywords):
            return topic
    return None


def route_suggestion(text: str, ward_unit_id: str | None) -> tuple[str, str]:
    """(topic id, unit id): a city-wide topic goes to its department; a ward matter to the
    ward named; nothing recognised → the ward named, else the triage desk (a supervisor
    reassigns), exactly as a complaint with an unknown place."""
    topic = topic_for(text)
    if topic is not None and topic.unit != WARD:
        return topic.id, topic.unit
    unit = ward_unit_id if ward_unit_id and ward_unit_id in catalog().units else TRIAGE_UNIT_ID
    return (topic.id if topic else "other"), unit


def new_code(prefix: str, today: date | None = None) -> str:
    day = today or clock.hanoi_today()
    return f"{prefix}-{day:%d%m}-" + "".join(secrets.choice(ALPHABET) for _ in range(4))
