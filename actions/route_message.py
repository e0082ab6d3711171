"""The routing action: every resident message gets exactly one route and its reply."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.open311 import Open311RejectedError, Open311UnavailableError
from actions.handoff import build_handoff
from actions.reports import texts
from actions.reports.actions import MAYBE_SENT, entity_value, switch_report, track
from actions.reports.service import knowledge_base, open311
from bot.components.patterns import normalise_postcode, normalise_reference
from knowledge_base.replies import render_route
from knowledge_base.routes import HANDOFF, OUT_OF_SCOPE, decide_route, signposts

logger = logging.getLogger(__name__)


class ActionRouteMessage(Action):
    def name(self) -> Text:
        return "action_route_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb = knowledge_base()
        message = tracker.latest_message or {}
        route, intent, confidence = decide_route(message, kb.articles)
        if route.startswith("faq:") and route[4:] not in kb.articles:
            # The model knows an article that editors have since removed.
            route = OUT_OF_SCOPE
        misunderstandings = int(tracker.get_slot("misunderstandings") or 0)
        reference = normalise_reference(entity_value(message, "reference") or message.get("text") or "")
        postcode = normalise_postcode(entity_value(message, "postcode") or "")
        extra = signposts(message, route)
        reply = render_route(
            route, kb, text=message.get("text") or "", reference=reference,
            misunderstandings=misunderstandings, signposts=extra,
        )

        metadata = {"name": route, "intent": intent, "confidence": round(confidence, 4)}
        if extra:
            metadata["signposts"] = extra
        dispatcher.utter_message(json_message={"route": metadata})
        events: List[Dict[Text, Any]] = []
        status = await track(reference) if route == "track_request" and reference else None
        if route.startswith("request:"):
            events = await self._start_report(route.split(":", 1)[1], reply.text, dispatcher, tracker)
        else:
            dispatcher.utter_message(
                text=reply.text,
                buttons=[{"title": b.title, "payload": b.payload} for b in reply.buttons],
            )
        if status:
            dispatcher.utter_message(text=status, buttons=[{"title": "Talk to an advisor", "payload": "/handoff"}]
                                     if status == texts.TRACK_UNAVAILABLE else [])
        if reply.handoff and route == HANDOFF:
            dispatcher.utter_message(json_message=build_handoff(
                default_reason=reply.handoff["reason"],
                default_priority=reply.handoff["priority"],
                previous_route=tracker.get_slot("route"),
                route=route,
                intent=intent,
                confidence=confidence,
                details=_details(tracker, reference, postcode),
                events=tracker.events,
            ))
        return events + [
            SlotSet("route", route),
            SlotSet("misunderstandings", misunderstandings + 1 if route == OUT_OF_SCOPE else 0),
        ]

    @staticmethod
    async def _start_report(service_code: str, intro: str, dispatcher: CollectingDispatcher,
                            tracker: Tracker) -> List[Dict[Text, Any]]:
        """Start (or resume) the report form once the Open311 service has given its questions."""
        try:
            await open311().service_definition(service_code, fresh=True)
        except (Open311UnavailableError, Open311RejectedError) as exc:
            logger.warning("Cannot start a %s report: %s", service_code, exc)
            dispatcher.utter_message(text=texts.UNAVAILABLE_AT_START,
                                     buttons=[{"title": "Talk to an advisor", "payload": "/handoff"}])
            return []
        dispatcher.utter_message(text=intro)
        events: List[Dict[Text, Any]] = []
        if tracker.get_slot("report_service") != service_code:
            events += switch_report(tracker, service_code)  # a different problem: start afresh
        events.append(SlotSet("report_stopped", None))
        retrying = (tracker.get_slot("report_confirmation") == MAYBE_SENT
                    and (tracker.latest_message or {}).get("text") == f"/request_{service_code}")
        if not retrying:  # a retry after an uncertain submission checks first, then sends
            events.append(SlotSet("report_confirmation", None))
        events.append(FollowupAction("report_form"))
        return events


def _details(tracker: Tracker, reference: str | None, postcode: str | None) -> Dict[str, str]:
    """What the resident already gave, for the advisor (never asked again)."""
    details = {
        "reference": reference or tracker.get_slot("reference") or "",
        "postcode": postcode or tracker.get_slot("report_postcode") or tracker.get_slot("postcode") or "",
        "report_service": tracker.get_slot("report_service") or "",
        "report_location": tracker.get_slot("report_location") or "",
        "report_description": tracker.get_slot("report_description") or "",
    }
    for code, value in (tracker.get_slot("report_answers") or {}).items():
        details[f"report_{code}"] = str(value)
    return details
