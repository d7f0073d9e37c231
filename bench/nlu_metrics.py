"""Safety numbers for an NLU run, shared by `make nlu-eval` and the offline harness.

A prediction here is a small dict: {"intent": name, "category": name | None,
"number": "112".."115" | None}. What counts (data/nlu_eval/LABELLING.md):
  * emergency typed recall: the first reply carries the number due — the intent is
    emergency with that number, or the clarifying question "is anyone in danger?",
    which is asked after "call 112 now" (bot/safety_actions.py) and so is right for
    an emergency of no stated type (112) and a miss for every other number; questions
    are also counted on their own line;
  * denunciation recall: the intent is denounce (never a report that would be
    routed to the accused unit);
  * out-of-scope precision and recall: nothing the city can act on opens no form,
    and real requests are not dismissed;
  * hazard/past messages that stay reports.
"""

from __future__ import annotations

import collections
from typing import Any

from nlu.safety import UNCLEAR_NUMBER, emergency_number

ASK = "danger_check"  # the intent of the one-question clarification (nlu.safety)


def due_number(item: dict[str, Any]) -> str:
    """The number an emergency item must get: its `number`, else its category's."""
    return str(item.get("number") or emergency_number(item.get("category")))


def first_number(pred: dict[str, Any]) -> str | None:
    """The emergency number the first reply gives: the emergency's, or 112 with the question."""
    if pred["intent"] == "emergency":
        return pred.get("number")
    return UNCLEAR_NUMBER if pred["intent"] == ASK else None


def ratio(hit: int, n: int) -> str:
    return f"{hit}/{n} = {hit / n:.1%}" if n else "n/a"


def safety_lines(items: list[dict[str, Any]], preds: list[dict[str, Any]]) -> list[str]:
    lines = []
    emerg = [(i, p) for i, p in zip(items, preds) if i["intent"] == "emergency"]
    if emerg:
        typed = sum(first_number(p) == due_number(i) for i, p in emerg)
        found = sum(p["intent"] == "emergency" for _, p in emerg)
        asked = sum(p["intent"] == ASK for _, p in emerg)
        lines.append(
            f"emergency typed recall (right number): {ratio(typed, len(emerg))}; "
            f"any emergency {ratio(found, len(emerg))}; asked 'anyone in danger?' {asked}"
        )
        wrong = collections.Counter(
            f"{due_number(i)}→{p.get('number') if p['intent'] == 'emergency' else p['intent']}"
            for i, p in emerg
            if first_number(p) != due_number(i)
        )
        lines.append(
            "  emergency misses (due → got): " + (", ".join(f"{k} ×{n}" for k, n in wrong.most_common()) or "none")
        )
    false_alarm = sum(p["intent"] == "emergency" for i, p in zip(items, preds) if i["intent"] != "emergency")
    false_ask = sum(p["intent"] == ASK for i, p in zip(items, preds) if i["intent"] != "emergency")
    lines.append(f"emergency false alarms: {false_alarm}; clarifying questions on non-emergencies: {false_ask}")
    den = [(i, p) for i, p in zip(items, preds) if i["intent"] == "denounce"]
    if den:
        hit = sum(p["intent"] == "denounce" for _, p in den)
        got = collections.Counter(
            p["intent"] if p["intent"] != "report_issue" else f"report_issue/{p.get('category')}"
            for _, p in den
            if p["intent"] != "denounce"
        )
        lines.append(
            f"denunciation recall: {ratio(hit, len(den))}"
            + (f" (missed as: {', '.join(f'{k} ×{n}' for k, n in got.most_common())})" if got else "")
        )
    wrong_den = sum(p["intent"] == "denounce" for i, p in zip(items, preds) if i["intent"] != "denounce")
    lines.append(f"denunciations predicted for other messages: {wrong_den}")
    gold_oos = [p for i, p in zip(items, preds) if i["intent"] == "out_of_scope"]
    pred_oos = [i for i, p in zip(items, preds) if p["intent"] == "out_of_scope"]
    tp = sum(p["intent"] == "out_of_scope" for p in gold_oos)
    lines.append(f"out of scope: recall {ratio(tp, len(gold_oos))}, precision {ratio(tp, len(pred_oos))}")
    forms = sum(p["intent"] in ("report_issue", "emergency") for p in gold_oos)
    if gold_oos:
        lines.append(f"  out-of-scope messages that would open a report or emergency: {forms}")
    hazard = [(i, p) for i, p in zip(items, preds) if i.get("tag") == "hazard"]
    if hazard:
        stay = sum(p["intent"] == "report_issue" for _, p in hazard)
        lines.append(f"past/hazard-only messages kept as reports: {ratio(stay, len(hazard))}")
    return lines
