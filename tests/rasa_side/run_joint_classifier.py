"""Train, persist, load and run JointIntentCategoryClassifier inside the Rasa venv.

Executed with .venv-rasa/bin/python by tests/test_rasa_components.py; prints one
JSON line with what the trained and the reloaded component predict.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.joint_classifier import JointIntentCategoryClassifier
from nlu.joint_model import _tfidf
from nlu.normalizer import VietnameseNormalizer
from nlu.tokenizer import UnderTheSeaTokenizer

TRAINING = {
    "greet": ["xin chào", "chào bạn", "hello", "chào ad nhé"],
    "report_issue/waste": ["rác thải đầy ngõ không ai thu gom", "xe rác không đến thu", "rác chất đống bốc mùi",
                           "bãi rác tự phát ven đường"],
    "report_issue/street_lighting": ["đèn đường hỏng tối om", "cột đèn chiếu sáng không sáng",
                                     "đèn đường tắt cả tuần", "ngõ tối vì đèn cháy bóng"],
    "emergency/fire": ["cháy nhà rồi cứu với", "khói lửa bốc lên từ tầng hai", "cháy to quá gọi cứu hỏa",
                       "nổ bình gas cháy lan"],
}


def _message(text: str, label: str) -> Message:
    intent = label.split("/", 1)[0]
    data = {TEXT: text, INTENT: intent}
    if "/" in label:
        data[INTENT_RESPONSE_KEY] = label
    return Message(data=data)


def _run(component: JointIntentCategoryClassifier, texts: list[str]) -> list[dict]:
    normalizer = VietnameseNormalizer()
    tokenizer = UnderTheSeaTokenizer({**UnderTheSeaTokenizer.get_default_config()})
    out = []
    for text in texts:
        msg = Message.build(text=text)
        normalizer.process([msg])
        tokenizer.process([msg])
        component.process([msg])
        out.append({"intent": msg.get(INTENT), "intent_ranking": msg.get("intent_ranking"),
                    "response_selector": msg.get("response_selector")})
    return out


def main() -> None:
    texts = json.loads(sys.stdin.read())
    normalizer = VietnameseNormalizer()
    tokenizer = UnderTheSeaTokenizer({**UnderTheSeaTokenizer.get_default_config()})
    training = TrainingData([_message(t, label) for label, items in TRAINING.items() for t in items])
    training = normalizer.process_training_data(training)
    tokenizer.process_training_data(training)
    with tempfile.TemporaryDirectory() as tmp:
        storage = LocalModelStorage(Path(tmp))
        resource = Resource("joint_classifier")
        config = {**JointIntentCategoryClassifier.get_default_config(), "classifier": "svm", "C": 1.0}
        trained = JointIntentCategoryClassifier.create(config, storage, resource, None)  # type: ignore[arg-type]
        trained.train(training)
        before = _run(trained, texts)
        model = trained.model
        assert model is not None
        blocks = (model.word, model.syllable, model.char, model.accent)
        tfidf_diff = max(float(abs(vec.transform(texts) - _tfidf(vec, texts, idf)).max())
                         for vec, idf in zip(blocks, model._idfs))
        loaded = JointIntentCategoryClassifier.load(config, storage, resource, None)  # type: ignore[arg-type]
        after = _run(loaded, texts)
    print(json.dumps({"trained": before, "loaded": after, "n_training": len(training.intent_examples),
                      "tfidf_diff": tfidf_diff}, ensure_ascii=False))


if __name__ == "__main__":
    main()
