"""Run resident messages through the trained Rasa model, exactly as the bot does.

Rasa is imported lazily: it takes seconds, and `build`/`check` do not need it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.components.patterns import normalise_reference
from knowledge_base.articles import KnowledgeBase
from knowledge_base.fallbacks import refine
from knowledge_base.replies import Reply, render_report_confirm, render_route
from knowledge_base.routes import decide_route, signposts
from knowledge_base.settings import DEFAULT_MODEL

__all__ = ["DEFAULT_MODEL", "ModelNotFoundError", "RouteParser", "Routing", "preview", "routing_from_parse"]


class ModelNotFoundError(Exception):
    """No trained model where one was expected."""


@dataclass(frozen=True)
class Routing:
    text: str
    intent: str
    confidence: float
    route: str
    entities: tuple[dict[str, Any], ...]
    signposts: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    topic: str | None = None
    confirm: bool = False  # the bot asks "Do you want to report ...?" before starting

    @property
    def reference(self) -> str | None:
        for entity in self.entities:
            if entity.get("entity") == "reference":
                return normalise_reference(str(entity.get("value", "")))
        return None


def routing_from_parse(parsed: dict[str, Any], kb: KnowledgeBase) -> Routing:
    """Turn Rasa's parse result into a route (the same rule the action server applies)."""
    route, intent, confidence = decide_route(parsed, kb.articles)
    fallback = refine(parsed, route, kb.articles, kb.topics, kb.article_texts())
    return Routing(
        text=parsed.get("text", ""),
        intent=intent,
        confidence=confidence,
        route=fallback.route,
        entities=tuple(parsed.get("entities") or ()),
        signposts=tuple(signposts(parsed, fallback.route)),
        suggestions=fallback.suggestions,
        topic=fallback.topic,
        confirm=fallback.confirm,
    )


class RouteParser:
    """The trained model, loaded once, parsing one message at a time."""

    def __init__(self, model_path: Path | str = DEFAULT_MODEL):
        """Load ``model_path`` (the process's ``Settings.model`` when it has settings)."""
        model_path = Path(model_path)
        if not model_path.exists():
            raise ModelNotFoundError(f"No trained model at {model_path}. Run `make model` (or `make up`) first.")
        from rasa.core.agent import Agent  # slow import, only when needed
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.ERROR)  # Rasa logs every parsed message at debug level

        self._loop = asyncio.new_event_loop()
        self._agent = Agent.load(str(model_path))

    def parse(self, text: str) -> dict[str, Any]:
        return self._loop.run_until_complete(self._agent.parse_message(text))

    def route(self, text: str, kb: KnowledgeBase) -> Routing:
        return routing_from_parse(self.parse(text), kb)

    def close(self) -> None:
        self._loop.close()


def preview(routing: Routing, kb: KnowledgeBase) -> Reply:
    """The reply a resident would get to this message as their first message."""
    if routing.confirm:
        return render_report_confirm(routing.route.split(":", 1)[1], kb, routing.suggestions)
    return render_route(
        routing.route,
        kb,
        text=routing.text,
        reference=routing.reference,
        signposts=routing.signposts,
        suggestions=routing.suggestions,
        topic=routing.topic if routing.route != "handoff" else None,
    )
