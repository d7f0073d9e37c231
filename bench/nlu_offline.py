"""Offline NLU harness: fit candidate intent/category models in seconds, without Rasa.

Reproduces the Rasa pipeline's text processing (nlu.text.normalize, underthesea
words with folded lemmas, diacritic-free copies of accented training examples)
and fits `nlu.joint_model.JointModel` variants, or the previous pipeline's
intent-then-category logistic regressions ("baseline"), on data/nlu/*.yml. Scores
on both held-out batches and, with --cv, by 5-fold cross-validation on training.

Run in the Rasa venv (it has scikit-learn):
    PYTHONPATH=. .venv-rasa/bin/python -m bench.nlu_offline [--cv] [name=value ...]
The numbers that count are `make nlu-eval` on the real Rasa model.
"""

from __future__ import annotations

import collections
import functools
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bench.nlu_metrics import safety_lines
from nlu import safety
from nlu.joint_model import JointModel, word_string
from nlu.text import fold, normalize
from nlu.word_segment import segment

ROOT = Path(__file__).resolve().parent.parent
NLU_DIR = ROOT / "data" / "nlu"
HELDOUT = {"original": ROOT / "data/nlu_eval/heldout.yaml", "fresh": ROOT / "data/nlu_eval/heldout_fresh.yaml",
           "hard": ROOT / "data/nlu_eval/heldout_hard.yaml",
           "hard2": ROOT / "data/nlu_eval/heldout_hard2.yaml",
           "hard3": ROOT / "data/nlu_eval/heldout_hard3.yaml",
           "hard6": ROOT / "data/nlu_eval/heldout_hard6.yaml",
           "hard8": ROOT / "data/nlu_eval/heldout_hard8.yaml"}


def load_training() -> list[tuple[str, str]]:
    """(raw text, full label) from every data/nlu/*.yml, as Rasa reads them."""
    out = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu") or []:
            if "intent" not in block or not isinstance(block.get("examples"), str):
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    out.append((line[2:].strip(), block["intent"]))
    return out


@functools.cache
def words_of(text: str) -> str:
    return word_string(w for w, _, _ in segment(text))


def prepare(raw: str) -> tuple[str, str]:
    text = normalize(raw)
    return words_of(text), text


def training_rows(pairs: list[tuple[str, str]], augment: bool = True) -> tuple[list[str], list[str], list[str]]:
    words, texts, labels = [], [], []
    for raw, label in pairs:
        text = normalize(raw)
        words.append(words_of(text))
        texts.append(text)
        labels.append(label)
        plain = fold(text)
        if augment and plain != text.lower():
            words.append(words_of(plain))
            texts.append(plain)
            labels.append(label)
    return words, texts, labels


class Baseline:
    """The session-1 pipeline: intent LR (C=1) over counts, then per-intent category LR (C=2)."""

    def __init__(self, config: dict[str, Any]) -> None:
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression

        self.word = CountVectorizer(ngram_range=(1, 2))
        self.char = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5))
        self.intent = LogisticRegression(C=1.0, max_iter=500, class_weight="balanced", random_state=42)
        self.cats: dict[str, Any] = {}
        self.make_cat = lambda: LogisticRegression(C=2.0, max_iter=2000, class_weight="balanced", random_state=42)

    def _x(self, words: list[str], fit: bool) -> Any:
        from scipy.sparse import hstack

        if fit:
            return hstack([self.word.fit_transform(words), self.char.fit_transform(words)]).tocsr()
        return hstack([self.word.transform(words), self.char.transform(words)]).tocsr()

    def fit(self, words: list[str], texts: list[str], labels: list[str]) -> Baseline:
        x = self._x(words, True)
        intents = [lab.split("/")[0] for lab in labels]
        self.intent.fit(x, intents)
        for retrieval in ("report_issue", "emergency"):
            idx = [i for i, lab in enumerate(intents) if lab == retrieval]
            self.cats[retrieval] = self.make_cat().fit(x[idx], [labels[i].split("/")[1] for i in idx])
        return self

    def predict(self, words: list[str], texts: list[str]) -> list[dict[str, Any]]:
        x = self._x(words, False)
        intents = self.intent.predict(x)
        out = []
        for i, intent in enumerate(intents):
            cat_for = {}
            for retrieval, model in self.cats.items():
                cat_for[retrieval] = str(model.predict(x[i])[0])
            out.append({"intent": str(intent), "category_for": cat_for})
        return out


class Joint:
    def __init__(self, config: dict[str, Any]) -> None:
        self.use_safety = bool(config.pop("safety", True))
        self.model = JointModel(config)

    def fit(self, words: list[str], texts: list[str], labels: list[str]) -> Joint:
        self.model.fit(words, texts, labels)
        return self

    def predict(self, words: list[str], texts: list[str]) -> list[dict[str, Any]]:
        probs = self.model.label_probs(words, texts)
        out = []
        for row, text in zip(probs, texts):
            decided = self.model.decide(row)
            if self.use_safety:  # as nlu/joint_classifier.py does before FallbackClassifier
                decided = safety.refine(text, decided)
                if decided["intent"] == safety.ASK_INTENT:
                    out.append({"intent": safety.ASK_INTENT, "category_for": {}})
                    continue
            cat_for = {r: self.model.categories_for(row, r)[0][0] for r in ("report_issue", "emergency")}
            if decided["categories"]:  # the category the live component reports (safety may set it)
                cat_for[decided["intent"]] = decided["categories"][0][0]
            (_, top), (_, second) = decided["intent_ranking"][:2]
            # FallbackClassifier in config.yml: threshold 0.3, ambiguity_threshold 0.05
            intent = "nlu_fallback" if top < 0.3 or top - second < 0.05 else decided["intent"]
            out.append({"intent": intent, "category_for": cat_for})
        return out


def as_prediction(pred: dict[str, Any]) -> dict[str, Any]:
    """The shape bench.nlu_metrics reads: intent, category, emergency number."""
    intent = pred["intent"]
    category = pred["category_for"].get(intent)
    return {"intent": intent, "category": category,
            "number": safety.emergency_number(category) if intent == "emergency" else None}


def score(items: list[dict[str, Any]], preds: list[dict[str, Any]]) -> dict[str, float]:
    res: dict[str, float] = {}
    groups: dict[str, list[int]] = collections.defaultdict(list)
    for i, item in enumerate(items):
        groups["all"].append(i)
        groups[item.get("slice", "accented")].append(i)
        if item.get("slice") in ("plain", "teencode"):
            groups["plain+teen"].append(i)
    for name, idx in groups.items():
        res[f"int_{name}"] = sum(items[i]["intent"] == preds[i]["intent"] for i in idx) / len(idx)
    # As in bench/nlu_eval.py: a category counts only when the intent is right too
    # (the live model gives no report category to a message it took for a question).
    def hit(i: int) -> bool:
        item, pred = items[i], preds[i]
        return pred["intent"] == item["intent"] and pred["category_for"].get(item["intent"]) == item["category"]

    cat_idx = [i for i, it in enumerate(items) if it.get("category")]
    res["cat"] = sum(hit(i) for i in cat_idx) / len(cat_idx)
    eng = [i for i in cat_idx if items[i].get("slice") == "english"]
    if eng:
        res["cat_en"] = sum(hit(i) for i in eng) / len(eng)
    return res


def confusions(items: list[dict[str, Any]], preds: list[dict[str, Any]], n: int = 12) -> str:
    c = collections.Counter()
    for item, p in zip(items, preds):
        if item["intent"] != p["intent"]:
            c[(item["intent"], p["intent"])] += 1
        elif item.get("category") and p["category_for"].get(item["intent"]) != item["category"]:
            c[(item["category"], p["category_for"].get(item["intent"]))] += 1
    return ", ".join(f"{g}→{p}×{k}" for (g, p), k in c.most_common(n))


def run(kind: str, config: dict[str, Any], cv: bool, show_confusions: bool) -> None:
    pairs = load_training()
    maker = Baseline if kind == "baseline" else Joint
    started = time.perf_counter()
    model = maker(config).fit(*training_rows(pairs, augment=config.get("augment", True)))
    fit_s = time.perf_counter() - started
    line = [f"{kind} {config}", f"fit {fit_s:.1f}s"]
    for name, path in HELDOUT.items():
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
        prepared = [prepare(it["text"]) for it in items]
        preds = model.predict([p[0] for p in prepared], [p[1] for p in prepared])
        s = score(items, preds)
        if name.startswith(("hard", "dev")):
            line.append(f"{name}: int {s['int_all']:.3f} " + " ".join(
                f"{k[4:]} {v:.3f}" for k, v in sorted(s.items()) if k.startswith("int_") and k != "int_all")
                + f" | cat {s['cat']:.3f}")
            line.extend("  " + x for x in safety_lines(items, [as_prediction(p) for p in preds]))
        else:
            line.append(f"{name}: int {s['int_all']:.3f} acc {s['int_accented']:.3f} pt {s['int_plain+teen']:.3f} "
                        f"en {s['int_english']:.3f} | cat {s['cat']:.3f} en {s.get('cat_en', float('nan')):.3f}")
        if show_confusions:
            line.append(f"  {name} confusions: {confusions(items, preds)}")
    if cv:
        from sklearn.model_selection import StratifiedKFold

        labels = np.array([lab for _, lab in pairs])
        accs, cats = [], []
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(labels, labels):
            m = maker(config).fit(*training_rows([pairs[i] for i in tr], augment=config.get("augment", True)))
            test = [pairs[i] for i in te]
            prepared = [prepare(t) for t, _ in test]
            preds = m.predict([p[0] for p in prepared], [p[1] for p in prepared])
            accs.append(np.mean([p["intent"] == lab.split("/")[0] for p, (_, lab) in zip(preds, test)]))
            cat_hits = [p["intent"] == lab.split("/")[0] and p["category_for"][lab.split("/")[0]] == lab.split("/")[1]
                        for p, (_, lab) in zip(preds, test) if "/" in lab]
            cats.append(np.mean(cat_hits))
        line.append(f"cv5: int {np.mean(accs):.3f} cat {np.mean(cats):.3f}")
    print("\n  ".join(line), flush=True)


def _parse_value(v: str) -> Any:
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return {"none": None, "true": True, "false": False}.get(v.lower(), v)


def main(argv: list[str]) -> None:
    kind = "joint"
    config: dict[str, Any] = {}
    for arg in argv:
        if arg in ("--cv", "--confusions"):
            continue
        if arg == "baseline":
            kind = "baseline"
        elif "=" in arg:
            k, v = arg.split("=", 1)
            config[k] = _parse_value(v)
    run(kind, config, "--cv" in argv, "--confusions" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
