"""Intent + category text classifier, independent of Rasa.

One linear model over *full* labels ("greet", "report_issue/waste",
"emergency/fire", …). The intent's probability is the sum over its categories,
and a category is the best label inside the chosen intent. A flat model works
better than intent-then-category here because "report_issue" is eighteen
different topics: as one class it has no coherent vocabulary, while each of
its categories does (README, "Measured numbers").

Features are built here rather than by Rasa featurizers so that the offline
harness (bench/nlu_offline.py) and the Rasa component (nlu/joint_classifier.py)
fit exactly the same model:
  * word 1–2-grams over underthesea words, diacritic-folded ("rac_thai");
  * syllable 1–2-grams over the folded text: text typed without diacritics is
    segmented differently from accented text, syllables meet in both;
  * char_wb 2–5-grams over the folded text: typos, teencode, English morphology.
Only the standard library, scikit-learn, scipy and `nlu.text` / `nlu.word_segment`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.text import fold

_NON_WORD_RE = re.compile(r"[^\w\s]|_", re.UNICODE)
# Rasa's button payloads ("/affirm") never reach the model.
DEFAULT_CONFIG: dict[str, Any] = {
    "C": 10.0,
    "class_weight": "balanced",
    "max_iter": 3000,
    "word_ngrams": 2,
    "syllable_ngrams": 2,
    "char_min": 2,
    "char_max": 5,
    "char_weight": 1.0,
    "word_weight": 1.0,
    "syllable_weight": 1.0,
}


def word_string(words: Iterable[str]) -> str:
    """Folded words joined by spaces, syllables inside a word joined by "_"."""
    out = []
    for word in words:
        folded = _NON_WORD_RE.sub(" ", fold(word)).split()
        if folded:
            out.append("_".join(folded))
    return " ".join(out)


def syllable_string(text: str) -> str:
    return " ".join(_NON_WORD_RE.sub(" ", fold(text)).split())


def _identity(text: str) -> str:
    return text


class JointModel:
    """TF-IDF feature blocks + one multinomial logistic regression over full labels."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = {**DEFAULT_CONFIG, **(config or {})}
        c = self.config
        self.word = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, c["word_ngrams"]),
                                    sublinear_tf=True, lowercase=False, preprocessor=_identity)
        self.syllable = TfidfVectorizer(analyzer="word", token_pattern=r"\S+",
                                        ngram_range=(1, c["syllable_ngrams"]), sublinear_tf=True,
                                        lowercase=False, preprocessor=_identity)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(c["char_min"], c["char_max"]),
                                    sublinear_tf=True, lowercase=False, min_df=1)
        if c.get("classifier", "lr") == "svm":
            from sklearn.svm import LinearSVC

            self.clf = LinearSVC(C=c["C"], class_weight=c["class_weight"], max_iter=c["max_iter"], random_state=42)
        else:
            self.clf = LogisticRegression(C=c["C"], class_weight=c["class_weight"], max_iter=c["max_iter"],
                                          random_state=42)

    # -- features
    def _blocks(self, words: Sequence[str], texts: Sequence[str]) -> tuple[list[str], list[str]]:
        return list(words), [syllable_string(t) for t in texts]

    def _matrix(self, words: Sequence[str], texts: Sequence[str], fit: bool) -> Any:
        w, s = self._blocks(words, texts)
        c = self.config
        parts = []
        for vec, data, weight in ((self.word, w, c["word_weight"]), (self.syllable, s, c["syllable_weight"]),
                                  (self.char, s, c["char_weight"])):
            if not weight:
                continue
            m = vec.fit_transform(data) if fit else vec.transform(data)
            parts.append(m * weight)
        return hstack(parts).tocsr()

    # -- training / prediction
    def fit(self, words: Sequence[str], texts: Sequence[str], labels: Sequence[str]) -> JointModel:
        """`words`: word_string() of each text's segmentation; `texts`: normalised texts."""
        self.clf.fit(self._matrix(words, texts, fit=True), list(labels))
        return self

    def label_probs(self, words: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        x = self._matrix(words, texts, fit=False)
        if hasattr(self.clf, "predict_proba"):
            return self.clf.predict_proba(x)
        scores = self.clf.decision_function(x) * self.config.get("svm_scale", 5.0)
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    @property
    def labels(self) -> list[str]:
        return [str(x) for x in self.clf.classes_]

    def decide(self, probs: np.ndarray) -> dict[str, Any]:
        """Intent ranking (summed over categories) and the category within the best intent."""
        intents: dict[str, float] = {}
        for label, p in zip(self.labels, probs):
            intent = label.split("/", 1)[0]
            intents[intent] = intents.get(intent, 0.0) + float(p)
        ranking = sorted(intents.items(), key=lambda kv: -kv[1])
        best = ranking[0][0]
        cats = sorted(((lab.split("/", 1)[1], float(p) / max(intents[best], 1e-12))
                       for lab, p in zip(self.labels, probs) if lab.startswith(best + "/")),
                      key=lambda kv: -kv[1])
        return {"intent": best, "intent_ranking": ranking, "categories": cats}

    def categories_for(self, probs: np.ndarray, intent: str) -> list[tuple[str, float]]:
        """Category ranking inside a given intent (used when the intent is known)."""
        pairs = [(lab.split("/", 1)[1], float(p)) for lab, p in zip(self.labels, probs)
                 if lab.startswith(intent + "/")]
        total = sum(p for _, p in pairs) or 1.0
        return sorted(((c, p / total) for c, p in pairs), key=lambda kv: -kv[1])


Segmenter = Callable[[str], list[str]]
