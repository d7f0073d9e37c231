"""Rasa component: intent and category from one linear model (nlu.joint_model).

Replaces LogisticRegressionClassifier + CategoryClassifier. It sets the intent
and its ranking like any intent classifier (FallbackClassifier after it works
as before) and, for report_issue / emergency, the category in the
ResponseSelector's output shape (`response_selector.default.response.
intent_response_key`), which nlu.selection reads for actions, the parse API
and nlu-eval.

It builds its own features from the normalised text and the underthesea
tokens (so it needs no Rasa featurizer), which lets bench/nlu_offline.py fit
the very same model outside Rasa.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT, TEXT_TOKENS
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu import joint_model, safety
from nlu import text as text_module
from nlu.fingerprint import source_fingerprint
from nlu.joint_model import DEFAULT_CONFIG, JointModel, word_string

log = logging.getLogger(__name__)
RETRIEVAL_INTENTS = ("report_issue", "emergency")
MODEL_FILE = "joint_model.json"  # beside joint_model.npz (JointModel.save)


def _words(message: Message) -> str:
    tokens = message.get(TEXT_TOKENS) or []
    return word_string(t.text for t in tokens)


def _label(example: Message) -> str | None:
    intent = example.get(INTENT)
    if not intent:
        return None
    return example.get(INTENT_RESPONSE_KEY) or intent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class JointIntentCategoryClassifier(GraphComponent):
    """Flat linear model over "intent" and "intent/category" labels."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DEFAULT_CONFIG, "ranking_length": 10, "category_ranking_length": 5}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 model: JointModel | None = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The model's source code, so that Rasa's training cache never restores a model
        trained by an older nlu/joint_model.py (Rasa fingerprints only config and data)."""
        return source_fingerprint(Path(__file__), Path(joint_model.__file__), Path(text_module.__file__))

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> JointIntentCategoryClassifier:
        return cls(config, model_storage, resource)

    def _model_config(self) -> dict[str, Any]:
        return {k: v for k, v in self.config.items() if k in DEFAULT_CONFIG}

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples
                    if e.get(TEXT) and _label(e) and not str(e.get(TEXT)).startswith("/")]
        model = JointModel(self._model_config())
        model.fit([_words(e) for e in examples], [e.get(TEXT) for e in examples], [_label(e) for e in examples])
        self.model = model
        log.info("joint intent/category model: %d examples, %d labels", len(examples), len(model.labels))
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            self.model.save(model_dir)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> JointIntentCategoryClassifier:
        model = None
        try:
            with model_storage.read_from(resource) as model_dir:
                model = JointModel.load(model_dir)
        except (ValueError, FileNotFoundError):
            log.warning("no trained joint model found in %s", resource.name)
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if self.model is None or not text:
                continue
            probs = self.model.label_probs([_words(message)], [text])[0]
            # Safety rules (nlu.safety) before FallbackClassifier: a danger cue makes an
            # emergency even when the model hesitates, an accusation against an official a
            # denunciation, a figurative "cháy túi" out of scope.
            decided = safety.refine(text, self.model.decide(probs))
            ranking = [{"name": name, "confidence": conf}
                       for name, conf in decided["intent_ranking"][: self.config["ranking_length"]]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
            intent = ranking[0]["name"]
            if intent not in RETRIEVAL_INTENTS or not decided["categories"]:
                continue
            cats = [{"intent_response_key": f"{intent}/{name}", "confidence": conf}
                    for name, conf in decided["categories"][: self.config["category_ranking_length"]]]
            best = cats[0]
            message.set("response_selector", {
                "all_retrieval_intents": list(RETRIEVAL_INTENTS),
                "default": {
                    "response": {"intent_response_key": best["intent_response_key"],
                                 "confidence": best["confidence"], "responses": None,
                                 "utter_action": f"utter_{best['intent_response_key']}"},
                    "ranking": cats,
                },
            }, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
