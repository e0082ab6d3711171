"""Rasa component: messages matching an urgent phrase always get an urgent intent.

The matching itself is pure and lives in ``knowledge_base/urgent.py``.

Runs after the intent classifier and before the FallbackClassifier. The phrases come
from ``knowledge_base/urgent_phrases.yml`` at training time and are stored in the model,
so the running bot, ``python -m knowledge_base try`` and the tests all apply the same list.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge_base.urgent import PhraseMatcher, UrgentPhrasesError, load_phrases

__all__ = ["UrgentPhraseMatcher", "PhraseMatcher", "UrgentPhrasesError", "load_phrases"]

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UrgentPhraseMatcher(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"phrases_file": "knowledge_base/urgent_phrases.yml"}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        phrases: dict[str, list[str]] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.phrases = phrases or {}
        self.matcher = PhraseMatcher(self.phrases)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UrgentPhraseMatcher:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        self.phrases = load_phrases(Path(self.config["phrases_file"]))
        self.matcher = PhraseMatcher(self.phrases)
        with self._model_storage.write_to(self._resource) as folder:
            (folder / "urgent_phrases.json").write_text(json.dumps(self.phrases), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UrgentPhraseMatcher:
        try:
            with model_storage.read_from(resource) as folder:
                phrases = json.loads((folder / "urgent_phrases.json").read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("No urgent phrases in the model; urgent routing relies on the classifier alone.")
            phrases = {}
        return cls(config, model_storage, resource, phrases)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # button payloads name their intent themselves
            hits = self.matcher.match_all(text)
            if not hits:
                continue
            intent, words = hits[0]
            prediction = {"name": intent, "confidence": 1.0}
            ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != intent]
            message.set(INTENT, prediction, add_to_output=True)
            message.set("intent_ranking", [prediction] + ranking, add_to_output=True)
            message.set("urgent_phrase", words, add_to_output=True)
            # Every category named, in order of precedence: the others add their numbers.
            message.set("urgent_categories", [i for i, _ in hits], add_to_output=True)
        return messages
