"""A Rasa tokenizer for Vietnamese on underthesea, with offsets that always fit the message.

Words are grouped the Vietnamese way ("tra cứu", "hồ sơ", "căn cước") by
`underthesea.word_tokenize`; each token's start and end are found in the ORIGINAL message
(see vietnamese_text.align), so entity spans and Rasa's offset checks hold even when
underthesea rewrites characters. The featurizers read each token's lemma: teencode expanded
and diacritics folded, so "ko đc" and "không được", "tra cuu" and "tra cứu" look alike to them.

Entity boundaries are protected (see protected_spans): the message is cut around regex matches
(nlu_data/regexes.yml: dossier codes, plates, CCCD numbers; each match is one token whose lemma
is the pattern's name, e.g. `__dossier_code__`) and around lexicon entries (lookup tables,
synonyms, annotated entity texts), and underthesea segments each piece on its own, so it can no
longer glue "so" to "66.24133" or "bi" to "trom". The tokenizer learns those patterns and
entries from the training data and stores them in the model, like the RegexFeaturizer does.

At training time every example with diacritics also gets a diacritic-free twin with the same
intent and entity spans ("toi muon tra cuu ho so"), because a quarter of citizens type that way.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.nlu.utils.pattern_utils import read_lookup_table_file
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file
from underthesea import word_tokenize

from components import protected_spans, vietnamese_text
from components.protected_spans import SpanGuard, segment
from components.vietnamese_text import lemma, strip_diacritics

logger = logging.getLogger(__name__)

_GUARD_FILE = "protected_spans.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
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
            # Never glue regex matches (codes, plates, CCCD) to their neighbours: one token each.
            "protect_regexes": True,
            # Never glue lookup entries, synonyms and annotated entity texts to their neighbours.
            "protect_lexicon": True,
        }

    @staticmethod
    def supported_languages() -> list[str] | None:
        return ["vi"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Rasa fingerprints only this class's source: add the helpers it delegates to, so a
        change in them retrains (and does not reuse a cached tokenization)."""
        sources = "".join(inspect.getsource(module) for module in (vietnamese_text, protected_spans))
        return hashlib.sha256(sources.encode("utf-8")).hexdigest()

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        guard: SpanGuard | None = None,
    ) -> None:
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self.guard = guard or SpanGuard()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> VietnameseTokenizer:
        guard = None
        try:
            with model_storage.read_from(resource) as model_dir:
                stored = read_json_file(model_dir / _GUARD_FILE)
            guard = SpanGuard(stored["regexes"], stored["lexicon"])
        except (ValueError, FileNotFoundError):
            logger.warning(f"No protected spans stored for '{resource.name}': tokenizing without them.")
        return cls(config, model_storage, resource, guard)

    def train(self, training_data: TrainingData) -> Resource:
        regexes, lexicon = self.spans_from(training_data, self._config)
        self.guard = SpanGuard(regexes, lexicon)
        if self._model_storage is not None and self._resource is not None:
            with self._model_storage.write_to(self._resource) as model_dir:
                dump_obj_as_json_to_file(
                    model_dir / _GUARD_FILE, {"regexes": regexes, "lexicon": self.guard.lexicon}
                )
        return self._resource

    @staticmethod
    def spans_from(training_data: TrainingData, config: dict[str, Any]) -> tuple[list[dict], list[str]]:
        """The regexes and the lexicon to protect, as the training data defines them."""
        regexes = list(training_data.regex_features) if config.get("protect_regexes", True) else []
        lexicon: set[str] = set()
        if config.get("protect_lexicon", True):
            for table in training_data.lookup_tables:
                elements = table["elements"]
                lexicon.update(elements if isinstance(elements, list) else read_lookup_table_file(elements))
            lexicon.update(training_data.entity_synonyms)  # surface forms (keys), not the values
            regex_names = {item["name"] for item in regexes}
            for example in training_data.entity_examples:
                for entity in example.get(ENTITIES) or []:
                    if entity[ENTITY_ATTRIBUTE_TYPE] not in regex_names:
                        lexicon.add(example.get(TEXT)[entity["start"] : entity["end"]])
        return regexes, sorted(lexicon)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        pieces = segment(text, word_tokenize, self.guard)
        if not pieces and text.strip():  # emoji only, punctuation only: one token for the lot
            stripped = text.strip()
            start = text.index(stripped)
            return [Token(stripped, start, start + len(stripped), lemma=lemma(stripped) or stripped)]
        return [
            Token(p.text, p.start, p.end, lemma=f"__{p.regex}__" if p.regex else (lemma(p.word) or p.text))
            for p in pieces
        ]

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
