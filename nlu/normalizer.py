"""Rasa component that normalises Vietnamese text before it is segmented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu import text as text_module
from nlu.fingerprint import source_fingerprint
from nlu.text import fold, normalize

ORIGINAL_TEXT = "original_text"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class VietnameseNormalizer(GraphComponent):
    """Applies `nlu.text.normalize` to training and live messages alike.

    Running it inside the pipeline (not only in the gateway) guarantees that the
    model never sees text normalised differently from what it was trained on,
    whichever client calls Rasa. The text as typed is kept in `original_text`.
    """

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = {**self.get_default_config(), **(config or {})}

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Add a diacritic-free copy of each accented training example, generated
        # here rather than written by hand: many citizens type without accents.
        return {"augment_without_diacritics": True}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Rasa caches this component's output on training data by config only; the
        normalisation code and the teencode map must bust that cache too."""
        return source_fingerprint(Path(__file__), Path(text_module.__file__), text_module.TEENCODE_FILE)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseNormalizer:
        return cls(config)

    @staticmethod
    def _normalize_message(message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text or text.startswith("/"):
            return  # "/intent{...}" payloads from buttons must pass untouched
        if message.get(ORIGINAL_TEXT) is None:
            message.set(ORIGINAL_TEXT, text)
        message.set(TEXT, normalize(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalize_message(example)
        if not self.config["augment_without_diacritics"]:
            return training_data
        extra = []
        for example in training_data.intent_examples:
            text = example.get(TEXT) or ""
            plain = fold(text)
            if text.startswith("/") or plain == text.lower() or example.get("entities"):
                continue
            copy = Message(data={**example.data, TEXT: plain, ORIGINAL_TEXT: example.get(ORIGINAL_TEXT)})
            extra.append(copy)
        return training_data.merge(TrainingData(training_examples=extra))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalize_message(message)
        return messages
