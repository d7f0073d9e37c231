"""Public-service procedures (data/procedures.yaml): loading, matching and short answers.

Citizens ask in many ways ("làm cccd", "lam can cuoc", "đăng kí kết hôn cần j"), so matching reuses
the teencode-aware normaliser and token scoring of tourism.search. Answers only restate the YAML
fields and flag anything marked unverified, so every sentence can be traced to a source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


from nlu.text import nfc
from tourism.search import AliasMatcher, make_alias_key, normalize
from tourism.sites import (
    SitesDataError,
    load_yaml,
    numbers_in,
    optional_text,
    text_list,
    vietnamese_common_words,
)

DATA_PATH: Path = Path(__file__).resolve().parent.parent / "data" / "procedures.yaml"
ASPECTS: frozenset[str | None] = frozenset({None, "papers", "fee", "time", "where", "online"})
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REQUIRED = ("id", "name_vi", "name_en", "aliases", "papers", "fee", "processing_time", "where", "online", "sources",
             "en")
_VERIFIABLE = frozenset({"papers", "fee", "processing_time", "where", "online"})
MIN_SCORE = 62.0

# Words that carry the question, not the procedure; they weigh little when matching.
_GENERIC = frozenset(
    "lam dang ky cap xin thu tuc giay to can gi o dau bao nhieu the nao nhu khong duoc minh toi cho "
    "nop phi le mat tien online truc tuyen how do i to the a for my get register pay online".split()
)


class ProceduresDataError(ValueError):
    """Raised when procedures.yaml breaks a rule that answers rely on."""


@dataclass(frozen=True, slots=True)
class OnlineInfo:
    """Where and how to do it online; empty tuples mean no verified online route."""

    channels: tuple[str, ...]
    steps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EnglishText:
    """The English twin of every Vietnamese answer field of a procedure (same numbers)."""

    papers: tuple[str, ...]
    fee: str | None
    processing_time: str | None
    where: str | None
    steps: tuple[str, ...]
    channels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Procedure:
    """One administrative procedure; None fields are "chưa có thông tin"."""

    id: str
    category: str
    name_vi: str
    name_en: str
    aliases: tuple[str, ...]
    papers: tuple[str, ...]
    fee: str | None
    processing_time: str | None
    where: str | None
    online: OnlineInfo
    legal_basis: str | None
    unverified: frozenset[str]
    sources: tuple[str, ...]
    en: EnglishText | None = None

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi

    def text(self, field: str, lang: str = "vi") -> Any:
        """A field in the asked language (papers/steps/channels are tuples, the rest strings)."""
        if lang == "en" and self.en is not None:
            return getattr(self.en, field)
        if field in ("steps", "channels"):
            return getattr(self.online, field)
        return getattr(self, field)


def _opt(value: Any, where: str) -> str | None:
    return optional_text(value, where, ProceduresDataError)


def _strs(value: Any, where: str, allow_empty: bool = True) -> tuple[str, ...]:
    """A list of texts; a missing one (null) is an empty list here."""
    return text_list([] if value is None else value, where, allow_empty, ProceduresDataError)


def _english_text(raw: Any, vi: dict[str, Any], where: str) -> EnglishText:
    """Check `en:` against the Vietnamese fields: each one translated, item for item, same numbers."""
    if not isinstance(raw, dict):
        raise ProceduresDataError(f"{where}: an `en` mapping is required (English answers)")
    stray = set(raw) - set(vi)
    if stray:
        raise ProceduresDataError(f"{where}: unknown keys {sorted(stray)}")
    out: dict[str, Any] = {}
    for key, vi_value in vi.items():
        if isinstance(vi_value, tuple):
            en_value: Any = _strs(raw.get(key), f"{where}.{key}")
            if len(en_value) != len(vi_value):
                raise ProceduresDataError(f"{where}.{key}: {len(vi_value)} Vietnamese items, {len(en_value)} English")
            pairs = list(zip(vi_value, en_value, strict=True))
        else:
            en_value = _opt(raw.get(key), f"{where}.{key}")
            if (en_value is None) != (vi_value is None):
                raise ProceduresDataError(f"{where}.{key}: English and Vietnamese must both be given or both null")
            pairs = [(vi_value, en_value)] if vi_value is not None else []
        for vi_text, en_text in pairs:
            words = vietnamese_common_words(en_text)
            if words:
                raise ProceduresDataError(f"{where}.{key}: untranslated Vietnamese words {words} in {en_text!r}")
            if set(numbers_in(en_text)) != set(numbers_in(vi_text)):
                raise ProceduresDataError(f"{where}.{key}: numbers differ: {vi_text!r} vs {en_text!r}")
        out[key] = en_value
    return EnglishText(**out)


def _procedure(raw: Any, index: int) -> Procedure:
    if not isinstance(raw, dict):
        raise ProceduresDataError(f"procedures[{index}] must be a mapping")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise ProceduresDataError(f"procedures[{index}] ({raw.get('id')}): missing {missing}")
    pid = raw["id"]
    where = f"procedure {pid!r}"
    if not isinstance(pid, str) or not _ID_RE.match(pid):
        raise ProceduresDataError(f"{where}: id must be an ascii slug")
    online_raw = raw["online"] or {}
    if not isinstance(online_raw, dict):
        raise ProceduresDataError(f"{where}: online must be a mapping")
    unverified = frozenset(_strs(raw.get("unverified"), f"{where}.unverified"))
    if not unverified <= _VERIFIABLE:
        raise ProceduresDataError(f"{where}: unverified may only name {sorted(_VERIFIABLE)}")
    name_vi, name_en = _opt(raw["name_vi"], where), _opt(raw["name_en"], where)
    if not name_vi or not name_en:
        raise ProceduresDataError(f"{where}: names are required")
    if vietnamese_common_words(name_en):
        raise ProceduresDataError(f"{where}: name_en has untranslated words {vietnamese_common_words(name_en)}")
    vi_fields: dict[str, Any] = {
        "papers": _strs(raw["papers"], f"{where}.papers"),
        "fee": _opt(raw["fee"], f"{where}.fee"),
        "processing_time": _opt(raw["processing_time"], f"{where}.processing_time"),
        "where": _opt(raw["where"], f"{where}.where"),
        "steps": _strs(online_raw.get("steps"), f"{where}.online.steps"),
        "channels": _strs(online_raw.get("channels"), f"{where}.online.channels"),
    }
    english = _english_text(raw.get("en"), vi_fields, f"{where}.en")
    return Procedure(
        id=pid,
        category=_opt(raw.get("category"), where) or "khac",
        name_vi=name_vi,
        name_en=name_en,
        aliases=_strs(raw["aliases"], f"{where}.aliases", allow_empty=False),
        papers=_strs(raw["papers"], f"{where}.papers"),
        fee=_opt(raw["fee"], f"{where}.fee"),
        processing_time=_opt(raw["processing_time"], f"{where}.processing_time"),
        where=_opt(raw["where"], f"{where}.where"),
        online=OnlineInfo(_strs(online_raw.get("channels"), f"{where}.online.channels"),
                          _strs(online_raw.get("steps"), f"{where}.online.steps")),
        legal_basis=_opt(raw.get("legal_basis"), f"{where}.legal_basis"),
        unverified=unverified,
        sources=_strs(raw["sources"], f"{where}.sources", allow_empty=False),
        en=english,
    )


def parse_procedures(doc: Any) -> tuple[Procedure, ...]:
    """Validate a parsed YAML document (separate from IO so tests can feed broken data)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("procedures"), list):
        raise ProceduresDataError("procedures.yaml: top-level 'procedures' list is required")
    _strs(doc.get("sources"), "top-level sources", allow_empty=False)
    procs = tuple(_procedure(raw, i) for i, raw in enumerate(doc["procedures"]))
    ids = [p.id for p in procs]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ProceduresDataError(f"duplicate ids {sorted(dupes)}")
    return procs


@lru_cache(maxsize=4)
def load_procedures(path: str | None = None) -> tuple[Procedure, ...]:
    """Read, validate and cache procedures.yaml."""
    file = Path(path) if path else DATA_PATH
    with file.open(encoding="utf-8") as fh:
        try:
            doc = load_yaml(fh)
        except SitesDataError as exc:  # the same duplicate-key rule, reported as a procedures error
            raise ProceduresDataError(f"procedures.yaml: {exc}") from exc
        return parse_procedures(doc)


@lru_cache(maxsize=4)
def _index(path: str | None = None) -> tuple[tuple[Procedure, ...], AliasMatcher]:
    procs = load_procedures(path)
    keys = [
        tuple(k for k in (make_alias_key(a, _GENERIC) for a in (p.name_vi, p.name_en, *p.aliases)) if k)
        for p in procs
    ]
    return procs, AliasMatcher(keys, _GENERIC, order_free=True)


def get_procedure(proc_id: str, path: str | None = None) -> Procedure | None:
    return next((p for p in _index(path)[0] if p.id == proc_id), None)


def find_procedure(query: str, limit: int = 3, path: str | None = None) -> list[tuple[Procedure, float]]:
    """Procedures matching a free-text question, best first, as (procedure, score 0–~115)."""
    query = nfc(query or "")
    if not normalize(query):
        return []
    procs, matcher = _index(path)
    scored = sorted(zip(matcher.best_scores(query), procs, strict=True), key=lambda t: (-t[0], t[1].id))
    return [(p, round(s, 1)) for s, p in scored[:limit] if s >= MIN_SCORE]


# ───────────────────────────── answers ─────────────────────────────

UNKNOWN_VI = "chưa có thông tin"
UNKNOWN_EN = "unknown (not verified yet)"


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def _end(text: str) -> str:
    """Close a sentence without doubling punctuation that the data text already has."""
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def _flag(proc: Procedure, field: str, lang: str) -> str:
    if field in proc.unverified:
        return _t(lang, " (cần kiểm tra lại tại nơi nộp hồ sơ)", " (please double-check at the office)")
    return ""


def _papers(proc: Procedure, lang: str) -> str:
    head = _t(lang, f"Giấy tờ cần cho \"{proc.name_vi}\"", f"Documents for \"{proc.name_en}\"")
    if not proc.papers:
        # the list is not verified yet, but where to ask, the fee, the time and the online portal
        # are: a citizen asking "what do I need" needs those too, not a dead end
        unknown = _t(lang, "chưa có danh sách đã kiểm chứng, nơi tiếp nhận sẽ hướng dẫn",
                     "no verified list yet; the office will tell you")
        return "\n".join([f"{head}: {unknown}.", *_facts(proc, lang)])
    body = "\n".join(f"- {p}" for p in proc.text("papers", lang))
    return f"{head}{_flag(proc, 'papers', lang)}:\n{body}"


def _online(proc: Procedure, lang: str) -> str:
    if not proc.online.channels and not proc.online.steps:
        return _t(lang, f"Nộp trực tuyến: {UNKNOWN_VI}.", f"Online: {UNKNOWN_EN}.")
    head = _t(lang, "Nộp trực tuyến qua: ", "Online via: ")
    lines = [head + "; ".join(proc.text("channels", lang)) + _flag(proc, "online", lang)]
    lines += [f"{i}. {s}" for i, s in enumerate(proc.text("steps", lang), 1)]
    return "\n".join(lines)


def _facts(proc: Procedure, lang: str) -> list[str]:
    """Where, fee, time and the online route: the overview every procedure answer can fall back on."""
    unknown = _t(lang, UNKNOWN_VI, UNKNOWN_EN)
    fee, time, where = (proc.text(f, lang) for f in ("fee", "processing_time", "where"))
    lines = [
        _end(_t(lang, "Nơi nộp: ", "Where: ") + (where + _flag(proc, "where", lang) if where else unknown)),
        _end(_t(lang, "Lệ phí: ", "Fee: ") + (fee or unknown)),
        _end(_t(lang, "Thời gian: ", "Processing time: ") + (time or unknown)),
    ]
    if proc.online.channels:
        lines.append(_t(lang, "Có thể nộp trực tuyến: ", "Online: ") + "; ".join(proc.text("channels", lang))
                     + _flag(proc, "online", lang) + ".")
    return lines


def procedure_follow_ups(proc: Procedure, aspect: str | None, lang: str) -> list[tuple[str, str]]:
    """(button title, question it sends) for the other facts of this procedure."""
    name = proc.name(lang)
    asks = [("papers", "Giấy tờ", f"{proc.name_vi} cần giấy tờ gì?", "Documents", f"Documents for {name}?"),
            ("fee", "Lệ phí", f"Lệ phí {proc.name_vi} bao nhiêu?", "Fee", f"Fee for {name}?"),
            ("time", "Thời gian", f"{proc.name_vi} mất bao lâu?", "Processing time", f"How long does {name} take?"),
            ("online", "Nộp online", f"{proc.name_vi} nộp online thế nào?", "Apply online",
             f"Apply online for {name}?")]
    return [(_t(lang, tv, te), _t(lang, qv, qe)) for key, tv, qv, te, qe in asks if key != aspect]


def answer_procedure(proc: Procedure, aspect: str | None = None, lang: str = "vi") -> str:
    """Short reply about a procedure; aspect None gives a summary and suggests follow-ups."""
    if aspect not in ASPECTS:
        raise ValueError(f"unknown aspect {aspect!r}")
    lang = "en" if lang == "en" else "vi"
    unknown = _t(lang, UNKNOWN_VI, UNKNOWN_EN)
    name = proc.name(lang)
    fee, time, where = (proc.text(f, lang) for f in ("fee", "processing_time", "where"))
    if aspect == "papers":
        return _papers(proc, lang)
    if aspect == "fee":
        head = _t(lang, f"Lệ phí {proc.name_vi}: ", f"Fee for {proc.name_en}: ")
        return _end(head + (fee + _flag(proc, "fee", lang) if fee else unknown))
    if aspect == "time":
        head = _t(lang, f"Thời gian giải quyết {proc.name_vi}: ", f"Processing time for {proc.name_en}: ")
        return _end(head + (time + _flag(proc, "processing_time", lang) if time else unknown))
    if aspect == "where":
        head = _t(lang, f"Nơi làm {proc.name_vi}: ", f"Where to apply for {proc.name_en}: ")
        return _end(head + (where + _flag(proc, "where", lang) if where else unknown))
    if aspect == "online":
        return f"{name}\n{_online(proc, lang)}"
    lines = [_end(name), *_facts(proc, lang)]
    lines.append(_t(lang, "Hỏi thêm: giấy tờ? lệ phí? thời gian? nộp online?",
                    "Ask me more: documents? fee? processing time? apply online?"))
    return "\n".join(lines)
