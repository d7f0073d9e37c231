"""Duplicate detection on the corpus of colliding alleys across wards and neighbouring
streets (tests/duplicates/corpus.yaml): no pair that must stay apart is joined or even
offered, and every true duplicate is joined (same address) or offered (likely)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bench.duplicates_eval import CORPUS, EXPECTS, evaluate, load_corpus
from feedback_router.core.db import make_engine
from nlu.entities import ward_unit_for


@pytest.fixture
def engine(db_url: str) -> Engine:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def test_corpus_file_is_valid() -> None:
    pairs = load_corpus()
    assert "Sources:" in CORPUS.read_text(encoding="utf-8")
    assert len({p["id"] for p in pairs}) == len(pairs)
    assert {p["expect"] for p in pairs} == set(EXPECTS)
    for pair in pairs:
        for side in (pair["first"], pair["second"]):
            assert side.get("location") or ("lat" in side and "lon" in side), pair["id"]
    typed_wards = {ward_unit_for(side.get("location")) for p in pairs for side in (p["first"], p["second"])}
    assert len(typed_wards - {None}) >= 12  # the collisions span many wards, not one


def test_corpus_has_no_wrong_joins_and_finds_every_duplicate(engine: Engine) -> None:
    outcomes = evaluate(engine, load_corpus())
    wrong = [o.id for o in outcomes if o.expect == "distinct" and (o.auto or o.offered)]
    assert wrong == []
    assert [o.id for o in outcomes if o.expect == "auto" and not o.auto] == []
    assert [o.id for o in outcomes if o.expect == "offer" and (o.auto or not o.offered)] == []
