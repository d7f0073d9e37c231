"""Checks on the Rasa NLU training data, the held-out evaluation set and the
teencode map (data/nlu/*.yml, data/nlu_eval/heldout.yaml, data/teencode.yaml).

Standard library + PyYAML only, so it runs in the app venv without Rasa:
    .venv/bin/python -m pytest tests/test_nlu_data.py -q
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache, cache
from pathlib import Path

import pytest
import yaml
from nlu.text import fold

ROOT = Path(__file__).resolve().parent.parent
NLU_DIR = ROOT / "data" / "nlu"
HELDOUT_FILE = ROOT / "data" / "nlu_eval" / "heldout.yaml"
# A second batch written later, before tuning, by someone who had not seen the
# first set's errors; reported separately by bench/nlu_eval.py.
HELDOUT_FRESH_FILE = ROOT / "data" / "nlu_eval" / "heldout_fresh.yaml"
# The hard batch (issue 18): long, phone-transcript, dialect, mixed and English messages,
# emergencies with the number they must get, denunciations, figurative complaint words.
HELDOUT_HARD_FILE = ROOT / "data" / "nlu_eval" / "heldout_hard.yaml"
TEENCODE_FILE = ROOT / "data" / "teencode.yaml"

# ------------------------------------------------------------------ the contract

PLAIN_INTENTS = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "bot_challenge",
    "out_of_scope",
    "inform",
    "check_status",
    "ask_procedure",
    "ask_tourism",
    "suggest",
    "denounce",
    "book_appointment",
    "cancel_appointment",
)
REPORT_CATEGORIES = (
    "waste",
    "flooding_drainage",
    "road_damage",
    "traffic_order",
    "street_lighting",
    "trees_parks",
    "pollution_noise",
    "construction_violation",
    "urban_order",
    "water_supply",
    "electricity",
    "food_safety",
    "public_security",
    "admin_procedure",
    "health_service",
    "education",
    "tourism_service",
    "other",
)
EMERGENCY_CATEGORIES = ("fire", "crime", "medical", "rescue")
RETRIEVAL = {"report_issue": REPORT_CATEGORIES, "emergency": EMERGENCY_CATEGORIES}
TRAINING_INTENTS = (
    PLAIN_INTENTS
    + tuple(f"report_issue/{c}" for c in REPORT_CATEGORIES)
    + tuple(f"emergency/{c}" for c in EMERGENCY_CATEGORIES)
)
MIN_TRAINING_EXAMPLES = 40
# Categories and intents that are easy to confuse get more examples.
MIN_TRAINING_EXAMPLES_RICH = 48
RICH = tuple(f"report_issue/{c}" for c in REPORT_CATEGORIES) + (
    "ask_procedure",
    "ask_tourism",
    "suggest",
    "denounce",
    "inform",
)

SLICES = ("accented", "plain", "teencode", "english")
ENTITY_TYPES = ("ward", "district", "street", "alley", "phone", "ticket_code")
MIN_HELDOUT = 450
MIN_HELDOUT_PER_LABEL = 10
MIN_HELDOUT_PLAIN_OR_TEENCODE = 150
MIN_HELDOUT_ENGLISH = 40
MIN_HELDOUT_WARD_MENTIONS = 80
MIN_HELDOUT_FRESH = 120
MIN_HELDOUT_FRESH_PER_LABEL = 4

# The 126 wards (phường) and communes (xã) of Hanoi in force since 1 July 2025
# (Resolution 1656/NQ-UBTVQH15: 51 phường + 75 xã). Held-out ward values must be
# one of these, written "phường X" / "xã X".
CURRENT_WARDS = (
    "Hoàn Kiếm", "Cửa Nam", "Ba Đình", "Ngọc Hà", "Giảng Võ", "Hai Bà Trưng", "Vĩnh Tuy",
    "Bạch Mai", "Đống Đa", "Kim Liên", "Văn Miếu - Quốc Tử Giám", "Láng", "Ô Chợ Dừa",
    "Hồng Hà", "Lĩnh Nam", "Hoàng Mai", "Vĩnh Hưng", "Tương Mai", "Định Công", "Hoàng Liệt",
    "Yên Sở", "Thanh Xuân", "Khương Đình", "Phương Liệt", "Cầu Giấy", "Nghĩa Đô", "Yên Hòa",
    "Tây Hồ", "Phú Thượng", "Tây Tựu", "Phú Diễn", "Xuân Đỉnh", "Đông Ngạc", "Thượng Cát",
    "Từ Liêm", "Xuân Phương", "Tây Mỗ", "Đại Mỗ", "Long Biên", "Bồ Đề", "Việt Hưng",
    "Phúc Lợi", "Hà Đông", "Dương Nội", "Yên Nghĩa", "Phú Lương", "Kiến Hưng", "Thanh Liệt",
    "Chương Mỹ", "Sơn Tây", "Tùng Thiện",
)
CURRENT_COMMUNES = (
    "Thanh Trì", "Đại Thanh", "Nam Phù", "Ngọc Hồi", "Thượng Phúc", "Thường Tín",
    "Chương Dương", "Hồng Vân", "Phú Xuyên", "Phượng Dực", "Chuyên Mỹ", "Đại Xuyên",
    "Thanh Oai", "Bình Minh", "Tam Hưng", "Dân Hòa", "Vân Đình", "Ứng Thiên", "Hòa Xá",
    "Ứng Hòa", "Mỹ Đức", "Hồng Sơn", "Phúc Sơn", "Hương Sơn", "Phú Nghĩa", "Xuân Mai",
    "Trần Phú", "Hòa Phú", "Quảng Bị", "Minh Châu", "Quảng Oai", "Vật Lại", "Cổ Đô",
    "Bất Bạt", "Suối Hai", "Ba Vì", "Yên Bài", "Đoài Phương", "Phúc Thọ", "Phúc Lộc",
    "Hát Môn", "Thạch Thất", "Hạ Bằng", "Tây Phương", "Hòa Lạc", "Yên Xuân", "Quốc Oai",
    "Hưng Đạo", "Kiều Phú", "Phú Cát", "Hoài Đức", "Dương Hòa", "Sơn Đồng", "An Khánh",
    "Đan Phượng", "Ô Diên", "Liên Minh", "Gia Lâm", "Thuận An", "Bát Tràng", "Phù Đổng",
    "Thư Lâm", "Đông Anh", "Phúc Thịnh", "Thiên Lộc", "Vĩnh Thanh", "Mê Linh", "Yên Lãng",
    "Tiến Thắng", "Quang Minh", "Sóc Sơn", "Đa Phúc", "Nội Bài", "Trung Giã", "Kim Anh",
)
WARD_VALUES = frozenset(
    [f"phường {n}" for n in CURRENT_WARDS] + [f"xã {n}" for n in CURRENT_COMMUNES]
)

# ------------------------------------------------------------------ text helpers

_ENGLISH_WORDS = frozenset(
    "the a an is are was were be been do does did how what what's where when which who can "
    "could would i i'm my me you your we our us they it it's that that's this there there's "
    "to of in on at for from with and or not no yes please near any all just now very much "
    "hi hello bye goodbye thanks thank help right correct open ticket tickets get visit price "
    "time news status report book cancel appointment".split()
)


def dup_key(text: str) -> str:
    """Exact-duplicate key: folded, lowercased, whitespace collapsed."""
    return " ".join(fold(text).split())


def near_key(text: str) -> str:
    """Near-duplicate key: as dup_key, and also without digits and punctuation
    ("ngõ 12 Láng Hạ ngập" and "ngõ 14 Láng Hạ ngập!!" meet)."""
    no_digits = re.sub(r"\d+", " ", fold(text))
    return " ".join(re.sub(r"[^\w\s]|_", " ", no_digits).split())


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


def looks_english(text: str) -> bool:
    """ASCII text where common English words make up a good part of the tokens
    (plain Vietnamese "ngay cang to" has one accidental English word, not 30%)."""
    words = re.findall(r"[a-z']+", text.lower())
    if not text.isascii() or not words:
        return False
    hits = sum(1 for w in words if w in _ENGLISH_WORDS)
    return hits >= 1 and hits / len(words) >= 0.3


# ------------------------------------------------------------------ loading


@lru_cache(maxsize=1)
def training() -> dict[str, list[tuple[str, str]]]:
    """intent -> [(text, file name)], from every data/nlu/*.yml."""
    out: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(NLU_DIR.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(doc, dict), path
        assert str(doc.get("version")) == "3.1", f"{path.name}: version must be \"3.1\""
        for block in doc.get("nlu") or []:
            if "intent" not in block:
                continue
            examples = block.get("examples")
            assert isinstance(examples, str), f"{path.name}: {block['intent']}: examples block"
            for line in examples.splitlines():
                if not line.strip():
                    continue
                assert line.startswith("- "), f"{path.name}: bad example line {line!r}"
                out.setdefault(block["intent"], []).append((line[2:].strip(), path.name))
    return out


def all_training_texts() -> list[tuple[str, str]]:
    return [(text, intent) for intent, items in training().items() for text, _ in items]


@lru_cache(maxsize=1)
def heldout() -> list[dict]:
    doc = yaml.safe_load(HELDOUT_FILE.read_text(encoding="utf-8"))
    assert isinstance(doc, list), "heldout.yaml must be a list of items"
    return doc


@lru_cache(maxsize=1)
def heldout_fresh() -> list[dict]:
    doc = yaml.safe_load(HELDOUT_FRESH_FILE.read_text(encoding="utf-8"))
    assert isinstance(doc, list), "heldout_fresh.yaml must be a list of items"
    return doc


def all_heldout() -> list[dict]:
    """Both held-out batches: the rules on items and on leaks apply to each."""
    return heldout() + heldout_fresh()


@lru_cache(maxsize=1)
def teencode() -> dict:
    doc = yaml.safe_load(TEENCODE_FILE.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def label(item: dict) -> str:
    if item.get("category"):
        return f"{item['intent']}/{item['category']}"
    return item["intent"]


# ------------------------------------------------------------------ training data


def test_training_files_exist():
    names = {p.name for p in NLU_DIR.glob("*.yml")}
    for expected in ("chitchat.yml", "emergency.yml", "procedures.yml", "tourism.yml"):
        assert expected in names


@pytest.mark.parametrize("intent", TRAINING_INTENTS)
def test_every_contract_intent_has_enough_examples(intent):
    n = len(training().get(intent, []))
    minimum = MIN_TRAINING_EXAMPLES_RICH if intent in RICH else MIN_TRAINING_EXAMPLES
    assert n >= minimum, f"{intent}: {n} examples, need ≥ {minimum}"


def test_no_intent_outside_the_contract():
    unknown = set(training()) - set(TRAINING_INTENTS)
    assert not unknown, f"intents not in the contract: {sorted(unknown)}"


def test_no_bare_retrieval_intent():
    # A retrieval intent is always trained with its category ("report_issue/waste").
    assert "report_issue" not in training() and "emergency" not in training()


def test_no_exact_duplicates():
    seen: dict[str, str] = {}
    clashes = []
    for text, intent in all_training_texts():
        key = dup_key(text)
        if key in seen:
            clashes.append((text, intent, seen[key]))
        seen[key] = intent
    assert not clashes, f"duplicates (text, intent, first intent): {clashes[:20]}"


def test_no_near_duplicates():
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for text, intent in all_training_texts():
        key = near_key(text)
        if key in seen and seen[key][0] != text:
            clashes.append((text, intent, seen[key]))
        seen.setdefault(key, (text, intent))
    assert not clashes, f"near duplicates: {clashes[:20]}"


def test_no_entity_annotations_in_training():
    # Entities come from rule/gazetteer components; Rasa annotation syntax
    # "[text](entity)" or "[text]{...}" must not appear.
    bad = [t for t, _ in all_training_texts() if re.search(r"\]\s*[({]", t)]
    assert not bad, bad


def test_training_text_is_nfc_and_clean():
    for text, _intent in all_training_texts():
        assert text == unicodedata.normalize("NFC", text), f"not NFC: {text!r}"
        assert text == text.strip() and "  " not in text, f"whitespace: {text!r}"
        assert "\t" not in text, text


def test_training_has_no_diacritics_share():
    """~20% of examples are typed without diacritics or in teencode, and every
    report/emergency category has some, so plain phone typing is learned."""
    texts = [t for t, _ in all_training_texts()]
    vietnamese = [t for t in texts if not looks_english(t)]
    plain = [t for t in vietnamese if not has_diacritics(t)]
    share = len(plain) / len(vietnamese)
    assert 0.12 <= share <= 0.4, f"share without diacritics {share:.2f}"
    for intent in TRAINING_INTENTS:
        if "/" not in intent:
            continue
        items = [t for t, _ in training()[intent] if not looks_english(t)]
        n_plain = sum(1 for t in items if not has_diacritics(t))
        assert n_plain >= 3, f"{intent}: only {n_plain} examples without diacritics"


def test_tourism_is_at_least_30_percent_english():
    texts = [t for t, _ in training()["ask_tourism"]]
    english = [t for t in texts if looks_english(t)]
    assert len(english) / len(texts) >= 0.30, f"{len(english)}/{len(texts)} English"


def test_some_english_tourism_complaints():
    texts = [t for t, _ in training()["report_issue/tourism_service"]]
    assert sum(1 for t in texts if looks_english(t)) >= 8


def test_examples_vary_in_length():
    for intent in RICH:
        lengths = [len(t.split()) for t, _ in training()[intent]]
        assert min(lengths) <= 6 and max(lengths) >= 12, f"{intent}: lengths {min(lengths)}..{max(lengths)}"


# ------------------------------------------------------------------ held-out set


def test_heldout_size():
    assert len(heldout()) >= MIN_HELDOUT


def test_heldout_items_are_valid():
    for item in all_heldout():
        assert set(item) <= {"text", "intent", "category", "slice", "entities"}, item
        text = item["text"]
        assert isinstance(text, str) and text.strip() == text and text, item
        assert text == unicodedata.normalize("NFC", text), f"not NFC: {text!r}"
        intent = item["intent"]
        assert intent in PLAIN_INTENTS or intent in RETRIEVAL, item
        if intent in RETRIEVAL:
            assert item.get("category") in RETRIEVAL[intent], item
        else:
            assert "category" not in item, item
        assert item.get("slice") in SLICES, item


def test_heldout_slice_matches_text():
    for item in all_heldout():
        text, slice_ = item["text"], item["slice"]
        if slice_ == "accented":
            assert has_diacritics(text), f"accented slice without diacritics: {text!r}"
        elif slice_ == "plain":
            assert not has_diacritics(text), f"plain slice with diacritics: {text!r}"
        elif slice_ == "english":
            assert looks_english(text), f"english slice not English: {text!r}"


def test_heldout_covers_every_label():
    counts = Counter(label(item) for item in heldout())
    for name in TRAINING_INTENTS:
        assert counts[name] >= MIN_HELDOUT_PER_LABEL, f"{name}: {counts[name]} held-out items"


def test_heldout_slice_counts():
    counts = Counter(item["slice"] for item in heldout())
    assert counts["plain"] + counts["teencode"] >= MIN_HELDOUT_PLAIN_OR_TEENCODE, counts
    assert counts["english"] >= MIN_HELDOUT_ENGLISH, counts
    english = Counter(item["intent"] for item in heldout() if item["slice"] == "english")
    assert english["ask_tourism"] >= english.most_common(1)[0][1], english


def test_heldout_entities_are_valid():
    ward_items = 0
    for item in all_heldout():
        entities = item.get("entities") or []
        folded_text = fold(item["text"])
        for ent in entities:
            assert set(ent) == {"entity", "value"}, ent
            kind, value = ent["entity"], ent["value"]
            assert kind in ENTITY_TYPES, ent
            assert value == unicodedata.normalize("NFC", value), ent
            if kind == "ward":
                assert value in WARD_VALUES, f"not a current ward/commune: {value!r}"
                name = value.split(" ", 1)[1]
                name_key = " ".join(re.sub(r"[^\w]", " ", fold(name)).split())
                text_key = " ".join(re.sub(r"[^\w]", " ", folded_text).split())
                assert name_key in text_key, f"{value!r} not in {item['text']!r}"
            elif kind == "phone":
                assert re.fullmatch(r"0\d{9}", value), ent
                assert value in re.sub(r"\D", "", item["text"]), ent
            elif kind == "ticket_code":
                assert re.fullmatch(r"HN-\d{4}-[0-9A-Z]{4}", value), ent
                assert value.lower() in item["text"].lower(), ent
            elif kind == "district":
                assert re.match(r"(quận|huyện|thị xã) ", value), ent
                assert fold(re.sub(r"^(quận|huyện|thị xã) ", "", value)) in folded_text, ent
            else:  # street, alley: canonical value, text may lack diacritics
                core = re.sub(r"^(đường|phố|ngõ|ngách|hẻm) ", "", value)
                assert fold(core) in folded_text, f"{value!r} not in {item['text']!r}"
        if any(e["entity"] == "ward" for e in entities) and item in heldout():
            ward_items += 1
    assert ward_items >= MIN_HELDOUT_WARD_MENTIONS, ward_items


def test_ward_mentions_are_annotated():
    """A held-out text that names a current ward with its prefix carries the entity."""
    prefixes = r"(?:(?:phuong|xa)\s+|[px]\.\s*|p\s+)"
    for item in all_heldout():
        folded = fold(item["text"])
        annotated = {fold(e["value"].split(" ", 1)[1]) for e in item.get("entities") or [] if e["entity"] == "ward"}
        for name in CURRENT_WARDS + CURRENT_COMMUNES:
            key = fold(name)
            if re.search(rf"\b{prefixes}{re.escape(key)}\b", folded):
                assert key in annotated, f"{name!r} mentioned but not annotated: {item['text']!r}"


def test_fresh_heldout_size_and_coverage():
    assert len(heldout_fresh()) >= MIN_HELDOUT_FRESH
    assert len(all_heldout()) >= MIN_HELDOUT
    counts = Counter(label(item) for item in heldout_fresh())
    for name in TRAINING_INTENTS:
        assert counts[name] >= MIN_HELDOUT_FRESH_PER_LABEL, f"{name}: {counts[name]} fresh held-out items"
    slices = Counter(item["slice"] for item in heldout_fresh())
    assert all(slices[s] >= 20 for s in SLICES), slices


def test_heldout_has_no_duplicates():
    keys = Counter(near_key(item["text"]) for item in all_heldout())
    dups = [k for k, n in keys.items() if n > 1]
    assert not dups, dups[:20]


def test_heldout_never_in_training():
    train_exact = {dup_key(t) for t, _ in all_training_texts()}
    train_near = {near_key(t) for t, _ in all_training_texts()}
    leaked = [
        item["text"]
        for item in all_heldout()
        if dup_key(item["text"]) in train_exact or near_key(item["text"]) in train_near
    ]
    assert not leaked, leaked[:20]


# ------------------------------------------------------------------ hard held-out set

HARD_SLICES = ("long", "transcript", "dialect", "mixed", "english")
HARD_TAGS = ("hazard", "slang", "near_denounce", "asr")
EMERGENCY_NUMBER = {"fire": "114", "rescue": "114", "crime": "113", "medical": "115", None: "112"}
MIN_HELDOUT_HARD = 300


@lru_cache(maxsize=1)
def heldout_hard() -> list[dict]:
    doc = yaml.safe_load(HELDOUT_HARD_FILE.read_text(encoding="utf-8"))
    assert isinstance(doc, list), "heldout_hard.yaml must be a list of items"
    return doc


def test_hard_heldout_items_are_valid():
    items = heldout_hard()
    assert len(items) >= MIN_HELDOUT_HARD
    for item in items:
        assert set(item) <= {"text", "intent", "category", "number", "slice", "tag"}, item
        text = item["text"]
        assert isinstance(text, str) and text.strip() == text and text, item
        assert text == unicodedata.normalize("NFC", text), f"not NFC: {text!r}"
        intent = item["intent"]
        assert intent in PLAIN_INTENTS or intent in RETRIEVAL, item
        if intent == "emergency":
            # The number the first reply must give follows from the type (LABELLING.md).
            assert item.get("category") in (*EMERGENCY_CATEGORIES, None), item
            assert item.get("number") == EMERGENCY_NUMBER[item.get("category")], item
        elif intent == "report_issue":
            assert item.get("category") in REPORT_CATEGORIES and "number" not in item, item
        else:
            assert "category" not in item and "number" not in item, item
        assert item["slice"] in HARD_SLICES, item
        assert item.get("tag") in (None, *HARD_TAGS), item
        if item["slice"] == "english":
            assert text.isascii(), f"english slice not English: {text!r}"
        if item["slice"] == "transcript":
            assert text == text.lower() and not re.search(r"[.,!?;:]", text), f"not transcript-like: {text!r}"


def test_hard_heldout_covers_what_matters():
    items = heldout_hard()
    slices = Counter(item["slice"] for item in items)
    assert all(slices[s] >= 25 for s in HARD_SLICES), slices
    emergencies = [i for i in items if i["intent"] == "emergency"]
    assert len(emergencies) >= 60
    for number in ("112", "113", "114", "115"):
        assert sum(1 for i in emergencies if i["number"] == number) >= 4, number
    for name in HARD_SLICES:  # every slice carries emergencies and denunciations
        assert any(i["slice"] == name for i in emergencies), name
        assert any(i["slice"] == name and i["intent"] == "denounce" for i in items), name
    assert sum(1 for i in items if i["intent"] == "denounce") >= 30
    assert sum(1 for i in items if i["intent"] == "out_of_scope") >= 40
    tags = Counter(item.get("tag") for item in items)
    assert tags["hazard"] >= 20 and tags["slang"] >= 15, tags


def _word_set(text: str) -> frozenset[str]:
    return frozenset(near_key(text).split())


class _SimilarIndex:
    """Training word sets indexed by word, so that a Jaccard ≥ 0.8 test looks only at sets
    sharing enough words (the scan over ~25,000 sets per item took a minute of the suite)."""

    def __init__(self, sets: list[frozenset[str]]) -> None:
        self.sets = sets
        self.by_word: dict[str, list[int]] = {}
        for k, words in enumerate(sets):
            for w in words:
                self.by_word.setdefault(w, []).append(k)

    def any_similar(self, words: frozenset[str], threshold: float = 0.8) -> bool:
        shared = Counter(k for w in words for k in self.by_word.get(w, ()))
        need = threshold * len(words)  # |A∩B| ≥ t·|A∪B| ≥ t·|A|
        return any(
            n >= need and n / len(words | self.sets[k]) >= threshold for k, n in shared.items()
        )


@cache
def _training_index() -> _SimilarIndex:
    return _SimilarIndex([_word_set(t) for t, _ in all_training_texts()])


def test_hard_heldout_never_in_training_nor_other_batches():
    """No exact or near duplicate, and no training example sharing ≥ 80% of its words
    with a hard item (examples written after the hard set must be genuinely different)."""
    train = all_training_texts()
    train_exact = {dup_key(t) for t, _ in train}
    train_near = {near_key(t) for t, _ in train}
    index = _training_index()
    other = {near_key(item["text"]) for item in all_heldout()}
    keys = Counter(near_key(item["text"]) for item in heldout_hard())
    assert not [k for k, n in keys.items() if n > 1]
    leaked, similar = [], []
    for item in heldout_hard():
        text = item["text"]
        if dup_key(text) in train_exact or near_key(text) in train_near or near_key(text) in other:
            leaked.append(text)
            continue
        words = _word_set(text)
        if len(words) < 4:
            continue
        if index.any_similar(words):
            similar.append(text)
    assert not leaked, leaked[:20]
    assert not similar, similar[:20]


# ------------------------------------------------------------------ later hard batches

# Each written before the model or the safety layer ran on it (issue 18): heldout_hard2.yaml
# (session 4) adds `short` (a problem + an address only) and `accented` (a plain one-sentence
# message); heldout_hard3.yaml (session 5) adds `plain` (Vietnamese typed without marks) and
# `teencode`; heldout_hard6.yaml (session 7, 400) was written blind after session 6's training
# data and safety rules, with the same slices (heldout_hard4.yaml and heldout_hard5.yaml, each
# written and measured blind, were then read as dev sets and are now training data:
# data/nlu/dev_batches.yml); heldout_hard8.yaml (session 7, 318) was written blind after the
# seventh batch (316, now training too) had been measured, and is measured once.
# name → (file, slices, least items, least denunciations, least out-of-scope).
HARD2_SLICES = (*HARD_SLICES, "short", "accented")
LATER_HARD = {
    "hard2": (ROOT / "data" / "nlu_eval" / "heldout_hard2.yaml", HARD2_SLICES, 100, 0, 0),
    "hard3": (ROOT / "data" / "nlu_eval" / "heldout_hard3.yaml", (*HARD2_SLICES, "plain", "teencode"), 120, 12, 15),
    "hard6": (ROOT / "data" / "nlu_eval" / "heldout_hard6.yaml", (*HARD2_SLICES, "plain", "teencode"), 400, 40, 55),
    "hard8": (ROOT / "data" / "nlu_eval" / "heldout_hard8.yaml", (*HARD2_SLICES, "plain", "teencode"), 300, 30, 45),
}


@cache
def later_hard(name: str) -> tuple[dict, ...]:
    doc = yaml.safe_load(LATER_HARD[name][0].read_text(encoding="utf-8"))
    assert isinstance(doc, list), f"{LATER_HARD[name][0].name} must be a list of items"
    return tuple(doc)


@pytest.mark.parametrize("name", list(LATER_HARD))
def test_later_hard_items_are_valid_and_cover_what_matters(name: str):
    _file, slices, least, least_denounce, least_oos = LATER_HARD[name]
    items = later_hard(name)
    assert len(items) >= least
    for item in items:
        assert set(item) <= {"text", "intent", "category", "number", "slice", "tag"}, item
        text = item["text"]
        assert text == unicodedata.normalize("NFC", text) and text.strip() == text, item
        if item["intent"] == "emergency":
            assert item.get("number") == EMERGENCY_NUMBER[item.get("category")], item
        elif item["intent"] == "report_issue":
            assert item.get("category") in REPORT_CATEGORIES and "number" not in item, item
        else:
            assert item["intent"] in PLAIN_INTENTS and "category" not in item, item
        assert item["slice"] in slices and item.get("tag") in (None, *HARD_TAGS), item
        if item["slice"] == "english":
            assert text.isascii(), text
        if item["slice"] == "transcript":
            assert text == text.lower() and not re.search(r"[.,!?;:]", text), text
    numbers = Counter(i["number"] for i in items if i["intent"] == "emergency")
    assert all(numbers[n] >= 4 for n in ("112", "113", "114", "115")), numbers
    intents = Counter(i["intent"] for i in items)
    assert intents["denounce"] >= least_denounce and intents["out_of_scope"] >= least_oos, intents


@pytest.mark.parametrize("name", list(LATER_HARD))
def test_later_hard_never_in_training_nor_earlier_batches(name: str):
    """As for the first hard batch: no exact or near duplicate of a training example, of an
    earlier batch or within the batch, and no training example sharing ≥ 80% of its words
    with an item (examples written after a batch must be genuinely different from it)."""
    train = all_training_texts()
    train_near = {near_key(t) for t, _ in train} | {dup_key(t) for t, _ in train}
    index = _training_index()
    earlier = [*all_heldout(), *heldout_hard()]
    for other in list(LATER_HARD)[:list(LATER_HARD).index(name)]:
        earlier += later_hard(other)
    other_keys = {near_key(i["text"]) for i in earlier}
    keys = Counter(near_key(i["text"]) for i in later_hard(name))
    assert not [k for k, n in keys.items() if n > 1]
    leaked, similar = [], []
    for item in later_hard(name):
        text = item["text"]
        if near_key(text) in train_near | other_keys or dup_key(text) in train_near:
            leaked.append(text)
            continue
        words = _word_set(text)
        if len(words) >= 4 and index.any_similar(words):
            similar.append(text)
    assert not leaked, leaked[:20]
    assert not similar, similar[:20]


# ------------------------------------------------------------------ teencode map


def test_teencode_loads_with_sources():
    doc = teencode()
    assert isinstance(doc.get("sources"), list) and len(doc["sources"]) >= 3
    for source in doc["sources"]:
        assert source.get("url") and source.get("title"), source
    assert isinstance(doc.get("tokens"), dict) and len(doc["tokens"]) >= 20
    assert isinstance(doc.get("prefixes"), dict) and doc["prefixes"]


def test_teencode_keys_are_well_formed():
    doc = teencode()
    for key, value in doc["tokens"].items():
        key = str(key)
        assert re.fullmatch(r"\w+", key), f"token key must be one word: {key!r}"
        assert key == key.lower() == unicodedata.normalize("NFC", key), key
        assert isinstance(value, str) and value.strip() == value and value, (key, value)
        assert value == unicodedata.normalize("NFC", value), value
    for key, value in doc["prefixes"].items():
        key = str(key)
        assert re.fullmatch(r"\w+\.", key), f"prefix must be letters + '.': {key!r}"
        assert key == key.lower(), key
        assert isinstance(value, str) and value, (key, value)


def test_teencode_no_key_maps_to_itself():
    doc = teencode()
    for section in ("tokens", "prefixes"):
        for key, value in doc[section].items():
            assert fold(str(key)).rstrip(".") != fold(value), f"{section}: {key!r} → {value!r}"


def test_teencode_ambiguous_entries_are_left_out_with_notes():
    doc = teencode()
    ambiguous = doc.get("ambiguous") or {}
    assert len(ambiguous) >= 5
    expanded = {str(k) for k in doc["tokens"]} | {str(k) for k in doc["prefixes"]}
    for key, entry in ambiguous.items():
        assert str(key) not in expanded, f"{key!r} is both ambiguous and expanded"
        assert entry.get("notes"), f"{key!r} needs notes"
        assert len(entry.get("readings") or []) >= 2, key
    # The ones the brief calls out as context-dependent.
    for key in ("bn", "mk", "dk"):
        assert key in ambiguous


def test_teencode_required_entries():
    doc = teencode()
    tokens, prefixes = doc["tokens"], doc["prefixes"]
    expected = {"ko": "không", "k": "không", "dc": "được", "đc": "được", "j": "gì", "ng": "người", "vs": "với"}
    for key, value in expected.items():
        assert tokens.get(key) == value, key
    assert prefixes.get("p.") == "phường" and prefixes.get("q.") == "quận"


def test_dev_batches_keep_to_the_labelling_guide():
    """data/nlu/dev_batches.yml holds the session-5/6 dev sets, moved into training: the
    emergencies among them are typed (an untyped one, 112, has no training label)."""
    doc = yaml.safe_load((NLU_DIR / "dev_batches.yml").read_text(encoding="utf-8"))
    labels = {block["intent"] for block in doc["nlu"]}
    assert {"emergency/fire", "emergency/rescue", "emergency/crime", "emergency/medical", "denounce",
            "out_of_scope"} <= labels
    assert not any(label in ("emergency", "report_issue") for label in labels)

