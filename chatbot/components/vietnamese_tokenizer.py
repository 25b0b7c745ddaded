"""A Rasa tokenizer for Vietnamese on underthesea, with offsets that always fit the message.

Words are grouped the Vietnamese way ("tra cứu", "hồ sơ", "căn cước") by
`underthesea.word_tokenize`; each token's start and end are found in the ORIGINAL message
(see vietnamese_text.align), so entity spans and Rasa's offset checks hold even when
underthesea rewrites characters. The featurizers read each token's lemma: teencode expanded
and diacritics folded, so "ko đc" and "không được", "tra cuu" and "tra cứu" look alike to them.

At training time every example with diacritics also gets a diacritic-free twin with the same
intent and entity spans ("toi muon tra cuu ho so"), because a quarter of citizens type that way.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from underthesea import word_tokenize

from components.vietnamese_text import align, lemma, normalise_with_map, strip_diacritics


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # Add a diacritic-free copy of every training example that has diacritics.
            "augment_without_diacritics": True,
        }

    @staticmethod
    def supported_languages() -> list[str] | None:
        return ["vi"]

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        normalised, _ = normalise_with_map(text)
        pieces = align(text, word_tokenize(normalised))
        if not pieces and text.strip():  # emoji only, punctuation only: one token for the lot
            stripped = text.strip()
            start = text.index(stripped)
            return [Token(stripped, start, start + len(stripped), lemma=lemma(stripped) or stripped)]
        return [Token(p.text, p.start, p.end, lemma=lemma(p.word) or p.text) for p in pieces]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        if self._config.get("augment_without_diacritics", True):
            twins = [
                twin for example in training_data.training_examples if (twin := diacritic_free_twin(example))
            ]
            if twins:
                training_data = training_data.merge(TrainingData(training_examples=twins))
        return super().process_training_data(training_data)


def diacritic_free_twin(example: Message) -> Message | None:
    """The same NLU example typed without diacritics, entity spans unchanged; None if nothing to strip."""
    text = example.get(TEXT)
    if not text or not example.get(INTENT) or example.get("action_name"):
        return None
    if unicodedata.normalize("NFC", text) != text:
        return None  # entity offsets count decomposed characters; stripping would move them
    stripped = strip_diacritics(text)
    if stripped == text:
        return None
    entities = []
    for entity in example.get(ENTITIES) or []:
        copy = dict(entity)
        span = text[entity["start"] : entity["end"]]
        if copy.get("value") == span:  # a literal value follows the text; a synonym's stays canonical
            copy["value"] = stripped[entity["start"] : entity["end"]]
        entities.append(copy)
    data = {key: value for key, value in example.data.items() if key not in (TEXT, ENTITIES)}
    data[TEXT] = stripped
    if entities:
        data[ENTITIES] = entities
    return Message(data=data)
