"""The last entity step of the pipeline: one clean, canonical list of entities for the bot.

After DIET, the RegexEntityExtractor and the EntitySynonymMapper, a message can carry the same
dossier code twice (DIET and the regex), half a code, a plate as typed ("47a12345") or a
12-digit number that cannot be a CCCD. This component (see entity_values.combine):

- rewrites license_plate to `47A-123.45` / `47B1-123.45` / `47L-1234`, dossier_code without
  spaces around its separators, cccd to its 12 digits; drops those that are not valid;
- removes overlaps (the regex extractor is the authority on those three types);
- labels every entity it passes on with its own name as `extractor`, keeping the original one
  in `source_extractor`. `rasa test nlu` scores extractors by that label, so its
  EntityNormaliser_report.json is the score of the entities the bot actually receives: the
  combined output of all extractors, which scripts/nlu_gate.py gates on.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, EXTRACTOR, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.entity_values import combine

SOURCE_EXTRACTOR = "source_extractor"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class EntityNormaliser(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Whose entities win for dossier_code, license_plate and cccd when spans overlap.
            "authority": "RegexEntityExtractor",
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **(config or {})}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityNormaliser:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            if not entities:
                continue
            combined = []
            for entity in combine(entities, message.get(TEXT) or "", self._config["authority"]):
                if entity.pop("changed", False):
                    self.add_processor_name(entity)
                entity.setdefault(SOURCE_EXTRACTOR, entity.get(EXTRACTOR))
                entity[EXTRACTOR] = self.name
                combined.append(entity)
            message.set(ENTITIES, combined, add_to_output=True)
        return messages
