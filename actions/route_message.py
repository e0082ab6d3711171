"""The routing action: every resident message gets exactly one route and its reply."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.open311 import Open311RejectedError, Open311UnavailableError
from actions.handoff import build_handoff
from actions.reports import texts
from actions.reports.actions import MAYBE_SENT, entity_value, resume_interrupted_send, switch_report, track
from actions.reports.reading import yes_or_no
from actions.reports.service import advisor_hours, knowledge_base, open311, settings
from bot.components.patterns import normalise_postcode, normalise_reference
from knowledge_base.fallbacks import SUGGEST, refine
from knowledge_base.replies import render_report_confirm, render_route
from knowledge_base.routes import HANDOFF, OUT_OF_SCOPE, decide_route, signposts

NO_THANKS = "smalltalk:no_thanks"

logger = logging.getLogger(__name__)


class ActionRouteMessage(Action):
    def __init__(self) -> None:
        # rasa-sdk creates every action when the server starts: a malformed setting stops
        # it there, naming the variable, not at a resident's first message.
        settings()

    def name(self) -> str:
        return "action_route_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        resumed = resume_interrupted_send(tracker, dispatcher)  # "send" again after a crash mid-send
        if resumed is not None:
            return resumed
        kb = knowledge_base()
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        route, intent, confidence = decide_route(message, kb.articles)
        if route.startswith("faq:") and route[4:] not in kb.articles:
            # The model knows an article that editors have since removed.
            route = OUT_OF_SCOPE
        pending = tracker.get_slot("pending_report")
        answer = yes_or_no(text) if pending and not route.startswith("urgent:") else None
        if answer is not None:
            return await self._answer_report_question(pending, answer, intent, confidence, dispatcher, tracker)
        fallback = refine(message, route, kb.articles, kb.topics, kb.article_texts())
        route = fallback.route
        if fallback.confirm and tracker.get_slot("report_service") != route.split(":", 1)[1]:
            return self._ask_before_report(route, intent, confidence, fallback.suggestions, dispatcher)
        misunderstandings = int(tracker.get_slot("misunderstandings") or 0)
        reference = normalise_reference(entity_value(message, "reference") or text)
        postcode = normalise_postcode(entity_value(message, "postcode") or "")
        extra = signposts(message, route)
        reply = render_route(
            route,
            kb,
            text=text,
            reference=reference,
            misunderstandings=misunderstandings,
            signposts=extra,
            suggestions=fallback.suggestions,
            topic=fallback.topic if route != HANDOFF else None,
            advisor_hours=advisor_hours(),
        )

        metadata: dict[str, Any] = {"name": route, "intent": intent, "confidence": round(confidence, 4)}
        if extra:
            metadata["signposts"] = extra
        if fallback.suggestions:
            metadata["suggestions"] = list(fallback.suggestions)
        if fallback.topic and route != HANDOFF:
            metadata["topic"] = fallback.topic[:80]
        dispatcher.utter_message(json_message={"route": metadata})
        events: list[dict[str, Any]] = []
        status = await track(reference) if route == "track_request" and reference else None
        if route.startswith("request:"):
            events = await self._start_report(route.split(":", 1)[1], reply.text, dispatcher, tracker)
        else:
            dispatcher.utter_message(
                text=reply.text,
                buttons=[{"title": b.title, "payload": b.payload} for b in reply.buttons],
            )
        if status:
            dispatcher.utter_message(
                text=status,
                buttons=[{"title": "Talk to an advisor", "payload": "/handoff"}]
                if status == texts.TRACK_UNAVAILABLE
                else [],
            )
        if reply.handoff and route == HANDOFF:
            details = _details(tracker, reference, postcode)
            if fallback.topic:
                details["asked_about"] = fallback.topic[:200]  # "speak to someone about my housing benefit"
            dispatcher.utter_message(
                json_message=build_handoff(
                    default_reason=reply.handoff["reason"],
                    default_priority=reply.handoff["priority"],
                    previous_route=tracker.get_slot("route"),
                    route=route,
                    intent=intent,
                    confidence=confidence,
                    details=details,
                    events=tracker.events,
                )
            )
        missed = route in (OUT_OF_SCOPE, SUGGEST)
        return events + [
            SlotSet("route", route),
            SlotSet("misunderstandings", misunderstandings + 1 if missed else 0),
            SlotSet("pending_report", None),
        ]

    @staticmethod
    def _ask_before_report(
        route: str, intent: str, confidence: float, alternatives: tuple[str, ...], dispatcher: CollectingDispatcher
    ) -> list[dict[str, Any]]:
        """ "Do you want to report a missed bin?", with any article that may be meant instead."""
        kb = knowledge_base()
        service_code = route.split(":", 1)[1]
        reply = render_report_confirm(service_code, kb, alternatives)
        dispatcher.utter_message(
            json_message={
                "route": {"name": route, "intent": intent, "confidence": round(confidence, 4), "confirm": True}
            }
        )
        dispatcher.utter_message(
            text=reply.text, buttons=[{"title": b.title, "payload": b.payload} for b in reply.buttons]
        )
        return [SlotSet("pending_report", service_code), SlotSet("route", route)]

    async def _answer_report_question(
        self,
        service_code: str,
        yes: bool,
        intent: str,
        confidence: float,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> list[dict[str, Any]]:
        """The resident's yes or no to "Do you want to report ...?"."""
        kb = knowledge_base()
        route = f"request:{service_code}" if yes else NO_THANKS
        dispatcher.utter_message(
            json_message={"route": {"name": route, "intent": intent, "confidence": round(confidence, 4)}}
        )
        events: list[dict[str, Any]] = [
            SlotSet("pending_report", None),
            SlotSet("route", route),
            SlotSet("misunderstandings", 0),
        ]
        if not yes:
            dispatcher.utter_message(text=render_route(NO_THANKS, kb).text)
            return events
        intro = render_route(route, kb).text
        return await self._start_report(service_code, intro, dispatcher, tracker) + events

    @staticmethod
    async def _start_report(
        service_code: str, intro: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Start (or resume) the report form once the Open311 service has given its questions."""
        try:
            await open311().service_definition(service_code, fresh=True)
        except (Open311UnavailableError, Open311RejectedError) as exc:
            logger.warning("Cannot start a %s report: %s", service_code, exc)
            dispatcher.utter_message(
                text=texts.UNAVAILABLE_AT_START, buttons=[{"title": "Talk to an advisor", "payload": "/handoff"}]
            )
            return []
        dispatcher.utter_message(text=intro)
        events: list[dict[str, Any]] = []
        if tracker.get_slot("report_service") != service_code:
            events += switch_report(tracker, service_code)  # a different problem: start afresh
        events += [SlotSet("report_stopped", None), SlotSet("report_failures", None), SlotSet("report_changing", None)]
        retrying = (
            tracker.get_slot("report_confirmation") == MAYBE_SENT
            and (tracker.latest_message or {}).get("text") == f"/request_{service_code}"
        )
        if not retrying:  # a retry after an uncertain submission checks first, then sends
            events.append(SlotSet("report_confirmation", None))
        events.append(FollowupAction("report_form"))
        return events


def _details(tracker: Tracker, reference: str | None, postcode: str | None) -> dict[str, str]:
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
