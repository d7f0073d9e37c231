"""Units and categories from data/*.yaml, validated once at start.

Data errors (a category routed to a unit that does not exist, a duplicate id)
must stop the process at start rather than misroute a citizen's report later.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from feedback_router.core.config import DATA_DIR

UNIT_KINDS = {"department", "police", "emergency", "utility", "ward", "commune", "inspection", "triage"}
SCOPES = {"local", "network", "emergency"}
URGENCIES = {"emergency", "urgent", "normal"}
TRIAGE_UNIT_ID = "triage"


class CatalogError(ValueError):
    """The data files contradict themselves; the message says where."""


@dataclass(frozen=True)
class UnitInfo:
    id: str
    name: str
    name_en: str | None
    kind: str
    hotline: str | None


@dataclass(frozen=True)
class Category:
    id: str
    intent: str
    name_vi: str
    name_en: str
    scope: str
    unit: str | None
    urgency: str
    hotline: str | None


@dataclass(frozen=True)
class Catalog:
    units: dict[str, UnitInfo]
    categories: dict[str, Category]

    def unit(self, unit_id: str) -> UnitInfo:
        return self.units[unit_id]


def _nfc(value: object) -> str | None:
    return None if value is None else unicodedata.normalize("NFC", str(value))


def _load_yaml(path: Path) -> dict:
    if not path.exists():
        raise CatalogError(f"missing data file: {path}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise CatalogError(f"{path.name}: expected a mapping at top level")
    if not raw.get("sources"):
        raise CatalogError(f"{path.name}: every data file must list its sources")
    return raw


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    units_raw = _load_yaml(data_dir / "units.yaml").get("units") or []
    units: dict[str, UnitInfo] = {}
    for row in units_raw:
        unit = UnitInfo(
            id=str(row["id"]),
            name=_nfc(row["name"]) or "",
            name_en=_nfc(row.get("name_en")),
            kind=str(row["kind"]),
            hotline=_nfc(row.get("hotline")),
        )
        if unit.id in units:
            raise CatalogError(f"units.yaml: duplicate unit id {unit.id!r}")
        if unit.kind not in UNIT_KINDS:
            raise CatalogError(f"units.yaml: unit {unit.id!r} has unknown kind {unit.kind!r}")
        units[unit.id] = unit
    if TRIAGE_UNIT_ID not in units:
        raise CatalogError("units.yaml: the triage unit is required (reports of unknown place)")

    cats_raw = _load_yaml(data_dir / "categories.yaml").get("categories") or []
    categories: dict[str, Category] = {}
    for row in cats_raw:
        cat = Category(
            id=str(row["id"]),
            intent=str(row["intent"]),
            name_vi=_nfc(row["name_vi"]) or "",
            name_en=_nfc(row.get("name_en")) or "",
            scope=str(row["scope"]),
            unit=row.get("unit"),
            urgency=str(row.get("urgency") or "normal"),
            hotline=_nfc(row.get("hotline")),
        )
        if cat.id in categories:
            raise CatalogError(f"categories.yaml: duplicate category {cat.id!r}")
        if cat.scope not in SCOPES:
            raise CatalogError(f"categories.yaml: {cat.id!r} has unknown scope {cat.scope!r}")
        if cat.urgency not in URGENCIES:
            raise CatalogError(f"categories.yaml: {cat.id!r} has unknown urgency {cat.urgency!r}")
        if cat.unit is not None and cat.unit not in units:
            raise CatalogError(f"categories.yaml: {cat.id!r} routes to unknown unit {cat.unit!r}")
        if cat.scope != "local" and cat.unit is None:
            raise CatalogError(f"categories.yaml: {cat.id!r} ({cat.scope}) needs a unit")
        categories[cat.id] = cat
    return Catalog(units=units, categories=categories)


@functools.lru_cache(maxsize=1)
def catalog() -> Catalog:
    return load_catalog()
