"""Intent + category text classifier, independent of Rasa.

One linear model over *full* labels ("greet", "report_issue/waste",
"emergency/fire", …). The intent's probability is the sum over its categories,
and a category is the best label inside the chosen intent. A flat model works
better than intent-then-category here because "report_issue" is eighteen
different topics: as one class it has no coherent vocabulary, while each of
its categories does (README, "Measured numbers"). A second SVM trained on the
intents alone is mixed in (`intent_mix`): the two err on different messages.

Features are built here rather than by Rasa featurizers so that the offline
harness (bench/nlu_offline.py) and the Rasa component (nlu/joint_classifier.py)
fit exactly the same model:
  * word 1–2-grams over underthesea words, diacritic-folded ("rac_thai");
  * syllable 1–2-grams over the folded text: text typed without diacritics is
    segmented differently from accented text, syllables meet in both;
  * char_wb 1–4-grams over the folded text: typos, teencode, English morphology;
  * syllable 1–2-grams *with* diacritics: "lụa" (silk) and "lửa" (fire) fold to
    the same letters, accented text should not lose the difference.
Only the standard library, scikit-learn, scipy and `nlu.text` / `nlu.word_segment`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.text import fold

_NON_WORD_RE = re.compile(r"[^\w\s]|_", re.UNICODE)
DEFAULT_CONFIG: dict[str, Any] = {
    "classifier": "svm",  # "svm" (LinearSVC, softmax over margins) or "lr" (logistic regression)
    "svm_scale": 5.0,  # margins × this before the softmax: confidences for FallbackClassifier
    "C": 1.0,
    "class_weight": "balanced",
    "max_iter": 3000,
    "word_ngrams": 2,
    "syllable_ngrams": 2,
    "char_min": 1,
    "char_max": 4,
    "char_weight": 1.0,
    "word_weight": 1.0,
    "syllable_weight": 1.0,
    "accent_weight": 1.0,
    # weight of a second SVM trained on intents alone ("report_issue" as one class),
    # mixed into each intent's probability mass
    "intent_mix": 0.5,
    # n-grams seen in fewer training examples than this are dropped: the hapaxes of four
    # feature blocks over ~11k examples are most of the model's size and generalise least
    "min_df": 2,
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


def accented_string(text: str) -> str:
    """Lowercase syllables with their diacritics ("lụa" and "lửa" stay apart)."""
    return " ".join(_NON_WORD_RE.sub(" ", unicodedata.normalize("NFC", text).lower()).split())


def _identity(text: str) -> str:
    return text


def _tfidf(vec: TfidfVectorizer, data: Sequence[str], idf: np.ndarray) -> csr_matrix:
    """`vec.transform(data)` without sklearn's per-call checks and idf matrix rebuild.

    Same numbers (sublinear tf, idf, l2 rows; tested against `transform`), several
    times faster on one short message, which is what a live parse is.
    """
    counts = CountVectorizer.transform(vec, data).astype(np.float64)
    counts.data = (np.log(counts.data) + 1.0) * idf[counts.indices]
    lengths = np.diff(counts.indptr)
    rows = np.repeat(np.arange(counts.shape[0]), lengths)
    norms = np.sqrt(np.bincount(rows, weights=counts.data**2, minlength=counts.shape[0]))
    norms[norms == 0] = 1.0
    counts.data /= np.repeat(norms, lengths)
    return counts


class _Linear:
    """The fitted part of a linear classifier a prediction needs: weights, biases, classes.

    What JointModel.load() rebuilds instead of an sklearn estimator: no pickle, and no
    per-object reconstruction as in skops (a 13 s load for the 2026-12 training data)."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, classes: list[str], probabilistic: bool) -> None:
        self.coef_, self.intercept_ = coef.astype(np.float64), intercept.astype(np.float64)
        self.classes_ = np.array(classes, dtype=object)
        if probabilistic:
            self.predict_proba = self._predict_proba

    def decision_function(self, x: Any) -> np.ndarray:
        return np.asarray(x @ self.coef_.T) + self.intercept_

    def _predict_proba(self, x: Any) -> np.ndarray:  # multinomial logistic regression
        scores = self.decision_function(x)
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)


class JointModel:
    """TF-IDF feature blocks + one linear classifier over full labels."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = {**DEFAULT_CONFIG, **(config or {})}
        c = self.config
        self.word = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, c["word_ngrams"]),
                                    sublinear_tf=True, lowercase=False, preprocessor=_identity, min_df=c["min_df"])
        self.syllable = TfidfVectorizer(analyzer="word", token_pattern=r"\S+",
                                        ngram_range=(1, c["syllable_ngrams"]), sublinear_tf=True,
                                        lowercase=False, preprocessor=_identity, min_df=c["min_df"])
        self.accent = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2),
                                      sublinear_tf=True, lowercase=False, preprocessor=_identity, min_df=c["min_df"])
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(c["char_min"], c["char_max"]),
                                    sublinear_tf=True, lowercase=False, min_df=c["min_df"])
        if c["classifier"] == "svm":
            from sklearn.svm import LinearSVC

            self.clf = LinearSVC(C=c["C"], class_weight=c["class_weight"], max_iter=c["max_iter"], random_state=42)
        else:
            self.clf = LogisticRegression(C=c["C"], class_weight=c["class_weight"], max_iter=c["max_iter"],
                                          random_state=42)

    # -- features
    def _blocks(self, words: Sequence[str], texts: Sequence[str]) -> tuple[list[str], list[str]]:
        return list(words), [syllable_string(t) for t in texts]

    def _feature_blocks(self) -> list[tuple[TfidfVectorizer, str, float]]:
        """(vectorizer, the text form it reads, weight) in feature order; a zero weight drops
        the block. save() and load() keep idf arrays and vocabularies in this same order."""
        c = self.config
        blocks = ((self.word, "words", c["word_weight"]), (self.syllable, "syllables", c["syllable_weight"]),
                  (self.char, "syllables", c["char_weight"]), (self.accent, "accented", c["accent_weight"]))
        return [block for block in blocks if block[2]]

    def _matrix(self, words: Sequence[str], texts: Sequence[str], fit: bool) -> Any:
        w, s = self._blocks(words, texts)
        parts = []
        if fit:
            self._idfs: list[np.ndarray] = []
        for vec, form, weight in self._feature_blocks():
            data = [accented_string(t) for t in texts] if form == "accented" else {"words": w, "syllables": s}[form]
            if fit:
                m = vec.fit_transform(data)
                self._idfs.append(vec.idf_.astype(np.float64))
            else:
                m = _tfidf(vec, data, self._idfs[len(parts)])
            parts.append(m * weight)
        return hstack(parts).tocsr()

    # -- training / prediction
    def fit(self, words: Sequence[str], texts: Sequence[str], labels: Sequence[str]) -> JointModel:
        """`words`: word_string() of each text's segmentation; `texts`: normalised texts."""
        x = self._matrix(words, texts, fit=True)
        self.clf.fit(x, list(labels))
        self.intent_clf = None
        if self.config["intent_mix"]:
            from sklearn.svm import LinearSVC

            self.intent_clf = LinearSVC(C=self.config["C"], class_weight=self.config["class_weight"],
                                        max_iter=self.config["max_iter"], random_state=42)
            self.intent_clf.fit(x, [lab.split("/", 1)[0] for lab in labels])
        return self

    # -- persistence: JSON (config, labels, vocabularies) + .npz (idf, weights), no pickle
    def _vectorizers(self) -> list[TfidfVectorizer]:
        return [vec for vec, _, _ in self._feature_blocks()]

    def save(self, directory: Path) -> None:
        arrays: dict[str, np.ndarray] = {f"idf{i}": idf for i, idf in enumerate(self._idfs)}
        # float32 weights: half the model package; probabilities move by < 1e-5
        arrays["coef"], arrays["intercept"] = self.clf.coef_.astype(np.float32), self.clf.intercept_.astype(np.float32)
        meta: dict[str, Any] = {
            "config": self.config,
            "labels": self.labels,
            "vocabularies": [sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__) for vec in self._vectorizers()],
            "intent_classes": None,
        }
        if getattr(self, "intent_clf", None) is not None:
            arrays["intent_coef"] = self.intent_clf.coef_.astype(np.float32)
            arrays["intent_intercept"] = self.intent_clf.intercept_.astype(np.float32)
            meta["intent_classes"] = [str(x) for x in self.intent_clf.classes_]
        (directory / "joint_model.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        np.savez(directory / "joint_model.npz", **arrays)

    @classmethod
    def load(cls, directory: Path) -> JointModel:
        meta = json.loads((directory / "joint_model.json").read_text(encoding="utf-8"))
        model = cls(meta["config"])
        with np.load(directory / "joint_model.npz", allow_pickle=False) as arrays:
            model._idfs = [arrays[f"idf{i}"] for i in range(len(meta["vocabularies"]))]
            probabilistic = model.config["classifier"] != "svm"
            model.clf = _Linear(arrays["coef"], arrays["intercept"], meta["labels"], probabilistic)
            model.intent_clf = None
            if meta["intent_classes"] is not None:
                model.intent_clf = _Linear(arrays["intent_coef"], arrays["intent_intercept"],
                                           meta["intent_classes"], False)
        for vec, terms in zip(model._vectorizers(), meta["vocabularies"]):
            vec.vocabulary_ = {term: i for i, term in enumerate(terms)}
        return model

    def _softmax(self, scores: np.ndarray) -> np.ndarray:
        scores = scores * self.config["svm_scale"]
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    def label_probs(self, words: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        x = self._matrix(words, texts, fit=False)
        if hasattr(self.clf, "predict_proba"):
            probs = self.clf.predict_proba(x)
        else:
            probs = self._softmax(self.clf.decision_function(x))
        if getattr(self, "intent_clf", None) is None:
            return probs
        # Mix in an intent-level model: rescale each intent's labels to the mixed mass.
        w = self.config["intent_mix"]
        other = self._softmax(self.intent_clf.decision_function(x))
        col = {str(c): i for i, c in enumerate(self.intent_clf.classes_)}
        owner = np.array([col[lab.split("/", 1)[0]] for lab in self.labels])
        summed = np.zeros_like(other)
        np.add.at(summed.T, owner, probs.T)
        mixed = (1 - w) * summed + w * other
        return probs / np.maximum(summed[:, owner], 1e-12) * mixed[:, owner]

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
        # Both retrieval rankings, for nlu.safety when it overrides the intent.
        return {"intent": best, "intent_ranking": ranking, "categories": cats,
                "report_categories": self.categories_for(probs, "report_issue"),
                "emergency_categories": self.categories_for(probs, "emergency")}

    def categories_for(self, probs: np.ndarray, intent: str) -> list[tuple[str, float]]:
        """Category ranking inside a given intent (used when the intent is known)."""
        pairs = [(lab.split("/", 1)[1], float(p)) for lab, p in zip(self.labels, probs)
                 if lab.startswith(intent + "/")]
        total = sum(p for _, p in pairs) or 1.0
        return sorted(((c, p / total) for c, p in pairs), key=lambda kv: -kv[1])

