"""Rasa component: messages matching an urgent phrase always get an urgent intent.

Runs after the intent classifier and before the FallbackClassifier. The phrases come
from ``knowledge_base/urgent_phrases.yml`` at training time and are stored in the model,
so the running bot, ``python -m knowledge_base try`` and the tests all apply the same list.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)
URGENT_INTENTS = ("urgent_safeguarding", "urgent_emergency")


class UrgentPhrasesError(Exception):
    """The urgent phrases file is missing or holds an invalid pattern."""


def load_phrases(path: Path) -> dict[str, list[str]]:
    """Read and check the phrases file: ``{intent: [regex, ...]}``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UrgentPhrasesError(f"{path}: cannot be read: {exc}") from exc
    phrases: dict[str, list[str]] = {}
    for intent, patterns in data.items():
        if intent not in URGENT_INTENTS:
            raise UrgentPhrasesError(f"{path}: {intent!r} is not one of {', '.join(URGENT_INTENTS)}")
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
            raise UrgentPhrasesError(f"{path}: {intent} must be a list of non-empty strings")
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise UrgentPhrasesError(f"{path}: {intent}: pattern {pattern!r} is invalid: {exc}") from exc
        phrases[intent] = patterns
    return phrases


class PhraseMatcher:
    """Pure matching logic, kept apart from Rasa for unit tests."""

    def __init__(self, phrases: dict[str, list[str]]):
        self._compiled = [
            (intent, re.compile(pattern, re.IGNORECASE))
            for intent in URGENT_INTENTS
            for pattern in phrases.get(intent, [])
        ]

    def match(self, text: str) -> Optional[tuple[str, str]]:
        """``(intent, matched words)`` for the first urgent phrase found, else None."""
        cleaned = " ".join(text.replace("\u2019", "'").split())
        for intent, pattern in self._compiled:
            found = pattern.search(cleaned)
            if found:
                return intent, found.group(0)
        return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UrgentPhraseMatcher(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"phrases_file": "knowledge_base/urgent_phrases.yml"}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 phrases: Optional[dict[str, list[str]]] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.phrases = phrases or {}
        self.matcher = PhraseMatcher(self.phrases)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "UrgentPhraseMatcher":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        self.phrases = load_phrases(Path(self.config["phrases_file"]))
        self.matcher = PhraseMatcher(self.phrases)
        with self._model_storage.write_to(self._resource) as folder:
            (folder / "urgent_phrases.json").write_text(json.dumps(self.phrases), encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "UrgentPhraseMatcher":
        try:
            with model_storage.read_from(resource) as folder:
                phrases = json.loads((folder / "urgent_phrases.json").read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("No urgent phrases in the model; urgent routing relies on the classifier alone.")
            phrases = {}
        return cls(config, model_storage, resource, phrases)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # button payloads name their intent themselves
            found = self.matcher.match(text)
            if not found:
                continue
            intent, words = found
            prediction = {"name": intent, "confidence": 1.0}
            ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != intent]
            message.set(INTENT, prediction, add_to_output=True)
            message.set("intent_ranking", [prediction] + ranking, add_to_output=True)
            message.set("urgent_phrase", words, add_to_output=True)
        return messages
