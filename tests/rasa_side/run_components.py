"""Run our Rasa components inside the Rasa venv and print what they produce as JSON.

The test suite runs in the app venv (Python 3.11), where Rasa cannot be
installed; this script is executed with .venv-rasa/bin/python by the tests.
"""

from __future__ import annotations

import json
import sys

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.entity_extractor import VietnameseEntityExtractor
from nlu.normalizer import VietnameseNormalizer
from nlu.tokenizer import UnderTheSeaTokenizer


def main() -> None:
    texts = json.loads(sys.stdin.read())
    normalizer = VietnameseNormalizer()
    tokenizer = UnderTheSeaTokenizer({**UnderTheSeaTokenizer.get_default_config()})
    extractor = VietnameseEntityExtractor()
    out = []
    for text in texts:
        msg = Message.build(text=text)
        normalizer.process([msg])
        tokenizer.process([msg])
        extractor.process([msg])
        out.append({
            "text": msg.get("text"),
            "original": msg.get("original_text"),
            "tokens": [[t.text, t.start, t.end, t.lemma] for t in msg.get("text_tokens")],
            "entities": msg.get("entities", []),
        })
    training = TrainingData([Message.build(text=t, intent="x") for t in texts])
    training = normalizer.process_training_data(training)
    registered = sorted(
        name for name in DefaultV1Recipe._registered_components
        if name in {"VietnameseNormalizer", "UnderTheSeaTokenizer", "VietnameseEntityExtractor"}
    )
    print(json.dumps({"messages": out, "training_texts": [m.get("text") for m in training.training_examples],
                      "registered": registered}, ensure_ascii=False))


if __name__ == "__main__":
    main()
