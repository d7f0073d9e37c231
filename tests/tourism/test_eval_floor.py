"""The held-out accuracy floor: top-1 ≥ 0.90 overall, and every nearby test right."""

from __future__ import annotations

from bench.qa_eval import FLOOR, run


def test_heldout_floor() -> None:
    rep = run()
    ok, n = rep.accuracy()
    assert n >= 150
    t_ok, t_n = rep.accuracy("tourism")
    p_ok, p_n = rep.accuracy("procedures")
    assert t_n >= 80 and p_n >= 70
    assert ok / n >= FLOOR, f"top-1 {ok}/{n}"
    assert t_ok / t_n >= FLOOR and p_ok / p_n >= FLOOR
    assert len(rep.nearby) >= 8 and all(good for _, _, good in rep.nearby)


def test_heldout_slices_present() -> None:
    rep = run()
    slices = {(r.group, r.slice) for r in rep.results}
    counts = {s: sum(1 for r in rep.results if (r.group, r.slice) == s) for s in slices}
    assert counts[("tourism", "en")] >= 25
    assert counts[("tourism", "nodiac")] >= 25
    assert counts[("procedures", "nodiac")] + counts[("procedures", "teencode")] >= 25


def test_latest_batch_is_fresh_and_above_the_floor() -> None:
    """The newest batch is the honest number (written after the last tuning): ≥ 40 items, ≥ 90%."""
    rep = run()
    latest = max(r.batch for r in rep.results)
    rows = [r for r in rep.results if r.batch == latest]
    assert latest >= 4 and len(rows) >= 40
    assert sum(r.ok for r in rows) / len(rows) >= FLOOR


def test_english_heldout_questions_get_english_answers() -> None:
    """The answer the bot gives to each English held-out question keeps no Vietnamese words."""
    rep = run()
    english = [r for r in rep.results if r.slice == "en" and r.got is not None]
    assert len(english) >= 60
    assert [(r.query, r.untranslated) for r in english if r.untranslated] == []
