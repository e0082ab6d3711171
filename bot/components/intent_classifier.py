"""Rasa graph component wrapping :class:`LinearIntentModel`.

Chosen over DIET for Front Desk: it trains in seconds, answers in well under a
millisecond, and on the held-out resident messages it routes as accurately (see
benchmarks/README.md for the comparison).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.linear_model import LinearIntentModel

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """TF-IDF word and character n-grams with multinomial logistic regression."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 10.0, "ranking_length": 10, "random_seed": 42}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearIntentModel | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.warning("No intent examples: the intent classifier is not trained.")
            return self._resource
        self.model = LinearIntentModel.train(
            [e.get(TEXT) for e in examples],
            [e.get(INTENT) for e in examples],
            c=float(self.config["C"]),
            seed=int(self.config["random_seed"]),
        )
        with self._model_storage.write_to(self._resource) as folder:
            self.model.save(folder)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as folder:
                model = LinearIntentModel.load(folder)
        except (ValueError, FileNotFoundError):
            logger.warning("Intent classifier not found in the model; it was trained without data.")
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None or not messages:
            return messages
        probabilities = self.model.predict_proba([m.get(TEXT) or "" for m in messages])
        classes = self.model.classes
        top_n = int(self.config["ranking_length"])
        for message, row in zip(messages, probabilities):
            order = row.argsort()[::-1]
            ranking = [{"name": str(classes[i]), "confidence": float(row[i])} for i in order[:top_n]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages
