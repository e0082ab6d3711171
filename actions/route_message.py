"""The routing action: every resident message gets exactly one route and its reply."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import build_handoff
from bot.components.patterns import normalise_postcode, normalise_reference
from knowledge_base.cache import KnowledgeBaseCache
from knowledge_base.replies import render_route
from knowledge_base.routes import HANDOFF, OUT_OF_SCOPE, decide_route

logger = logging.getLogger(__name__)
_knowledge_base = KnowledgeBaseCache()


def _entity(tracker: Tracker, name: str) -> str | None:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


class ActionRouteMessage(Action):
    def name(self) -> Text:
        return "action_route_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb = _knowledge_base.get()
        message = tracker.latest_message or {}
        route, intent, confidence = decide_route(message, kb.articles)
        if route.startswith("faq:") and route[4:] not in kb.articles:
            # The model knows an article that editors have since removed.
            route = OUT_OF_SCOPE
        misunderstandings = int(tracker.get_slot("misunderstandings") or 0)
        reference = normalise_reference(_entity(tracker, "reference") or "")
        postcode = normalise_postcode(_entity(tracker, "postcode") or "")
        reply = render_route(
            route, kb, text=message.get("text") or "", reference=reference,
            misunderstandings=misunderstandings,
        )

        dispatcher.utter_message(json_message={
            "route": {"name": route, "intent": intent, "confidence": round(confidence, 4)}
        })
        dispatcher.utter_message(
            text=reply.text,
            buttons=[{"title": b.title, "payload": b.payload} for b in reply.buttons],
        )
        if reply.handoff and route == HANDOFF:
            dispatcher.utter_message(json_message=build_handoff(
                default_reason=reply.handoff["reason"],
                default_priority=reply.handoff["priority"],
                previous_route=tracker.get_slot("route"),
                route=route,
                intent=intent,
                confidence=confidence,
                details={"reference": reference or tracker.get_slot("reference") or "",
                         "postcode": postcode or tracker.get_slot("postcode") or ""},
                events=tracker.events,
            ))
        return [
            SlotSet("route", route),
            SlotSet("misunderstandings", misunderstandings + 1 if route == OUT_OF_SCOPE else 0),
        ]
