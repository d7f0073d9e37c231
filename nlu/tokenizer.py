"""Rasa tokenizer that segments Vietnamese words with underthesea."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from nlu import text as text_module
from nlu import word_segment
from nlu.fingerprint import source_fingerprint
from nlu.text import fold
from nlu.word_segment import segment


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class UnderTheSeaTokenizer(Tokenizer):
    """Vietnamese writes syllables apart ("rác thải"), so whitespace tokens split words.

    Tokens keep the text as written (entity spans stay exact); each token's lemma
    is the lowercased, diacritic-free form ("rac_thai") so that featurizers using
    lemmas treat "rác thải" and "rac thai" as the same word.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            "fold_lemma": True,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Segmentation code changes must bust Rasa's cache of tokenised training data."""
        return source_fingerprint(Path(__file__), Path(word_segment.__file__), Path(text_module.__file__))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnderTheSeaTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        fold_lemma = self._config.get("fold_lemma", True)
        tokens = []
        for word, start, end in segment(text):
            lemma = fold(word) if fold_lemma else word.lower()
            tokens.append(Token(word, start, end=end, lemma=lemma.replace(" ", "_")))
        if not tokens and text:
            tokens = [Token(text, 0, end=len(text), lemma=fold(text))]
        return self._apply_token_pattern(tokens)
