"""Our Rasa components, run for real inside the Rasa venv."""

from __future__ import annotations

import json
import subprocess
import unicodedata

import pytest

from scripts.procs import ROOT, base_env

TEXTS = [
    "Ở ngõ 12 Láng Hạ rác thải ba ngày không ai thu gom",
    unicodedata.normalize("NFD", "Đường Nguyễn Trãi ngập quáaaaa!!!"),
    "rac thai   ko ai thu gom",
    "/affirm",
]


@pytest.fixture(scope="module")
def result() -> dict:
    proc = subprocess.run(
        [str(ROOT / ".venv-rasa/bin/python"), "-m", "tests.rasa_side.run_components"],
        input=json.dumps(TEXTS), capture_output=True, text=True, cwd=ROOT,
        env=base_env(), timeout=300, check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_components_are_registered_with_the_recipe(result: dict) -> None:
    assert result["registered"] == ["UnderTheSeaTokenizer", "VietnameseEntityExtractor", "VietnameseNormalizer"]


def test_tokenizer_keeps_vietnamese_words_whole(result: dict) -> None:
    words = [t[0] for t in result["messages"][0]["tokens"]]
    for word in ("rác thải", "thu gom", "Láng Hạ"):
        assert word in words
    first = result["messages"][0]
    for text, start, end, _lemma in first["tokens"]:
        assert first["text"][start:end] == text


def test_lemmas_are_diacritic_free_so_plain_text_matches(result: dict) -> None:
    lemmas = {t[0]: t[3] for t in result["messages"][0]["tokens"]}
    assert lemmas["rác thải"] == "rac_thai"
    plain = [t[3] for t in result["messages"][2]["tokens"]]
    assert "rac_thai" in plain or {"rac", "thai"} <= set(plain)


def test_normalizer_nfc_squeeze_teencode(result: dict) -> None:
    second = result["messages"][1]
    assert second["text"] == unicodedata.normalize("NFC", second["text"])
    assert "quá!" in second["text"] and "aaa" not in second["text"]
    assert second["original"] == TEXTS[1]
    third = result["messages"][2]["text"]
    assert "  " not in third
    assert "không" in third  # "ko" expanded from data/teencode.yaml


def test_button_payloads_pass_untouched(result: dict) -> None:
    assert result["messages"][3]["text"] == "/affirm"
    assert result["training_texts"][3] == "/affirm"


def test_entity_extractor_finds_alley_and_street(result: dict) -> None:
    ents = {(e["entity"], e["value"]) for e in result["messages"][0]["entities"]}
    assert ("alley", "ngõ 12") in ents
    assert ("street", "Láng Hạ") in ents


def test_training_data_gets_diacritic_free_copies(result: dict) -> None:
    texts = result["training_texts"]
    assert texts[: len(TEXTS)] == [m["text"] for m in result["messages"]]
    assert "o ngo 12 lang ha rac thai ba ngay khong ai thu gom" in texts
    assert "/affirm" in texts and texts.count("/affirm") == 1  # payloads are not copied


JOINT_TEXTS = ["rác thải không ai thu gom cả tuần", "den duong hong roi", "cháy nhà ở ngõ 5, cứu với", "chào bạn"]


@pytest.fixture(scope="module")
def joint() -> dict:
    proc = subprocess.run(
        [str(ROOT / ".venv-rasa/bin/python"), "-m", "tests.rasa_side.run_joint_classifier"],
        input=json.dumps(JOINT_TEXTS), capture_output=True, text=True, cwd=ROOT,
        env=base_env(), timeout=300, check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_joint_classifier_sets_intent_and_category(joint: dict) -> None:
    waste, light, fire, greet = joint["trained"]
    assert waste["intent"]["name"] == "report_issue"
    assert waste["response_selector"]["default"]["response"]["intent_response_key"] == "report_issue/waste"
    # typed without diacritics, still the right category (folded features)
    assert light["response_selector"]["default"]["response"]["intent_response_key"] == "report_issue/street_lighting"
    assert fire["intent"]["name"] == "emergency"
    assert fire["response_selector"]["default"]["response"]["intent_response_key"] == "emergency/fire"
    assert greet["intent"]["name"] == "greet" and greet["response_selector"] is None


def test_joint_classifier_ranking_is_a_distribution(joint: dict) -> None:
    for result in joint["trained"]:
        ranking = result["intent_ranking"]
        assert [r["name"] for r in ranking][0] == result["intent"]["name"]
        assert sorted({r["name"] for r in ranking}) == ["emergency", "greet", "report_issue"]
        assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
        assert ranking == sorted(ranking, key=lambda r: -r["confidence"])


def test_joint_classifier_persists_and_loads(joint: dict) -> None:
    assert joint["n_training"] > 16  # diacritic-free copies were added by the normaliser
    # weights are stored as float32 (JointModel.save): the same decisions, confidences within 1e-5
    for loaded, trained in zip(joint["loaded"], joint["trained"], strict=True):
        assert loaded["intent"]["name"] == trained["intent"]["name"]
        assert [r["name"] for r in loaded["intent_ranking"]] == [r["name"] for r in trained["intent_ranking"]]
        for a, b in zip(loaded["intent_ranking"], trained["intent_ranking"], strict=True):
            assert abs(a["confidence"] - b["confidence"]) < 1e-5
        chosen = [(r or {}).get("default", {}).get("response", {}).get("intent_response_key")
                  for r in (loaded["response_selector"], trained["response_selector"])]
        assert chosen[0] == chosen[1]


def test_fast_tfidf_matches_sklearn(joint: dict) -> None:
    # nlu.joint_model._tfidf replaces TfidfVectorizer.transform at parse time for speed.
    assert joint["tfidf_diff"] < 1e-12
