"""Rasa actions for reporting a problem and tracking it, over Open311."""

from __future__ import annotations

import abc
import datetime as dt
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients.open311 import Open311RejectedError, Open311UnavailableError, Open311UncertainError
from actions.reports import flow, photos, reading, texts
from actions.reports import location as shared_location
from actions.reports.interruptions import CONTINUE, interruption
from actions.reports.report_key import report_key
from actions.reports.service import advisor_hours, knowledge_base, open311
from bot.components.patterns import normalise_reference
from knowledge_base.replies import render_route
from knowledge_base.routes import signposts

logger = logging.getLogger(__name__)
DUPLICATE_DAYS = 14
MAYBE_SENT = "maybe_sent"  # report_confirmation after a submission whose fate is unknown
REPORT_SLOTS = (
    "report_postcode",
    "report_location",
    "report_description",
    "report_attribute",
    "report_contact",
    "report_confirmation",
    "report_failures",
    "report_changing",
)
LEFT = "left"  # report_confirmation when the resident said they did not want this report


def switch_report(tracker: Tracker, service_code: str) -> list[EventType]:
    """Start a report of another kind, keeping what identifies the place and the contact."""
    keep = {s: tracker.get_slot(s) for s in ("report_postcode", "report_location", "report_contact")}
    shared = shared_location.stored(tracker.current_slot_values())
    if shared:  # the place may be only the shared position: it goes with the place
        keep["report_answers"] = shared_location.with_location({}, shared)
    return clear_report() + [SlotSet(k, v) for k, v in keep.items() if v] + [SlotSet("report_service", service_code)]


def clear_report() -> list[EventType]:
    return [SlotSet(s, None) for s in REPORT_SLOTS] + [
        SlotSet("report_answers", None),
        SlotSet("report_service", None),
        SlotSet("report_stopped", None),
    ]


def entity_value(message: dict[str, Any], name: str) -> str | None:
    """The first value of an entity in a parsed message."""
    for entity in message.get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


LEAVE_SLOTS = frozenset({"report_postcode", "report_location", "report_description"})


def succeeded(key: str, tracker: Tracker) -> dict[str, int] | None:
    """The failure counts once ``key`` has a good answer."""
    failures = dict(tracker.get_slot("report_failures") or {})
    failures.pop(key, None)
    return failures or None


def failed(
    key: str,
    problem: str,
    value: str,
    tracker: Tracker,
    dispatcher: CollectingDispatcher,
    question: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An answer that could not be used: say why; the second time explain with an example and
    ways out; never ask a third time (go on without it where the report can, else pause)."""
    failures = dict(tracker.get_slot("report_failures") or {})
    failures[key] = failures.get(key, 0) + 1
    slot = key if key.startswith("report_") else "report_attribute"
    if failures[key] == 1:
        dispatcher.utter_message(text=problem)
        return {slot: None, "report_failures": failures}
    if failures[key] == 2:
        text, buttons = flow.second_failure(key, problem, question)
        dispatcher.utter_message(text=text, buttons=buttons)
        return {slot: None, "report_failures": failures}
    failures.pop(key)
    values, text = flow.third_failure(key, value, question, tracker.current_slot_values())
    buttons = [flow.ADVISOR_BUTTON] if values.get("report_stopped") else []
    dispatcher.utter_message(text=text, buttons=buttons)
    if slot == "report_attribute" and "report_answers" in values:
        values["report_attribute"] = None
    return {slot: values.pop(slot, None), **values, "report_failures": failures or None}


def explained_already(tracker: Tracker, key: str) -> bool:
    """The second failure's explanation stands in for asking the question a third time."""
    return (tracker.get_slot("report_failures") or {}).get(key) == 2


def _short_dont_know(message: dict[str, Any]) -> bool:
    text = message.get("text") or ""
    return len(text.split()) <= 6 and reading.dont_know(text) and not text.startswith("/")


def _is_stop(text: str) -> bool:
    return (text or "").strip().lower().strip(".! ") in texts.STOP_WORDS


class ValidateReportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_report_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        message = tracker.latest_message or {}
        if tracker.get_slot("requested_slot") is None:
            # Activation (no question asked yet), in the turn action_route_message answered:
            # take what the first
            # message already said ("missed bin at NB7 5HD") so it is not asked again.
            return await self._first_details(message, dispatcher, tracker) + await super().run(
                dispatcher, tracker, domain
            )
        kb = knowledge_base()
        requested = tracker.get_slot("requested_slot")
        text = message.get("text") or ""
        route = interruption(message, tracker.get_slot("report_service"), kb.articles, requested)
        if (
            route
            and not message.get("urgent_phrase")
            and (
                (requested == "report_postcode" and _short_dont_know(message))
                or (requested == "report_contact" and reading.is_contact_attempt(text))
            )
        ):
            # "i dont know it" answers "what is the postcode?" and "ring me" answers "would you
            # like updates?", though out of context the model hears distress; urgent words
            # (the phrase lists) still interrupt.
            route = None
        if requested in shared_location.ASKED_AT and shared_location.is_location_message(message):
            route = None  # "Use my location" answers the question, whatever the model hears in it
        clear_answer = [SlotSet(requested, None)] if requested else []
        if tracker.get_slot("report_stopped"):
            # The form is ending (the Open311 service stopped answering mid-report): whatever
            # Rasa took from this message is not an answer to keep.
            return clear_answer + [SlotSet("requested_slot", None)]
        if not route or route == CONTINUE:
            # Every bot turn starts with its route metadata; a report's turns carry the report's.
            report_route = self._report_route(tracker, message)
            if requested in shared_location.ASKED_AT and shared_location.is_location_message(message):
                report_route["location"] = shared_location.outcome(message)  # counted by the relay
            dispatcher.utter_message(json_message={"route": report_route})
        if route == CONTINUE:
            return clear_answer  # the same question is asked again
        if not route and requested in LEAVE_SLOTS and reading.is_leaving(text):
            return clear_answer + [SlotSet("report_confirmation", LEFT), SlotSet("requested_slot", None)]
        if not route:
            return await super().run(dispatcher, tracker, domain)
        if route.startswith("request:"):  # a "Report ..." button from an earlier message: switch report
            service_code = route.split(":", 1)[1]
            dispatcher.utter_message(text=render_route(route, kb).text)
            return switch_report(tracker, service_code) + [SlotSet("requested_slot", None)]
        reference = normalise_reference(entity_value(message, "reference") or text)
        extra = signposts(message, route)
        reply = render_route(route, kb, text=text, reference=reference, signposts=extra, advisor_hours=advisor_hours())
        metadata = {
            "name": route,
            "intent": (message.get("intent") or {}).get("name", ""),
            "confidence": round(float((message.get("intent") or {}).get("confidence") or 0), 4),
        }
        if extra:
            metadata["signposts"] = extra
        dispatcher.utter_message(json_message={"route": metadata})
        dispatcher.utter_message(
            text=reply.text, buttons=[{"title": b.title, "payload": b.payload} for b in reply.buttons]
        )
        if route == "track_request" and reference:
            dispatcher.utter_message(text=await track(reference))
        # requested_slot None ends the form; action_submit_report then says the report is paused.
        return (
            [SlotSet("report_stopped", True), SlotSet("route", route)]
            + clear_answer
            + [SlotSet("requested_slot", None)]
        )

    @staticmethod
    def _report_route(tracker: Tracker, message: dict[str, Any]) -> dict[str, Any]:
        intent = message.get("intent") or {}
        return {
            "name": f"request:{tracker.get_slot('report_service')}",
            "intent": intent.get("name") or "",
            "confidence": round(float(intent.get("confidence") or 0), 4),
            "continues": True,
        }

    async def _first_details(
        self, message: dict[str, Any], dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        text = message.get("text") or ""
        if text.startswith("/"):
            return []
        events: list[EventType] = []
        postcode = reading.postcode_in(entity_value(message, "postcode") or text)
        if postcode and not tracker.get_slot("report_postcode"):
            events.append(SlotSet("report_postcode", postcode))
            await self._mention_recent_reports(tracker.get_slot("report_service"), postcode, dispatcher)
        address = reading.address_in(text)
        if address and not tracker.get_slot("report_location"):
            events.append(SlotSet("report_location", address))
        return events

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot("report_stopped"):
            return []
        try:
            definition = await open311().service_definition(tracker.get_slot("report_service") or "")
        except (Open311UnavailableError, Open311RejectedError):
            return domain_slots  # the questions are asked again once the service answers
        pending = flow.next_question(definition, tracker.get_slot("report_answers") or {})
        return [s for s in domain_slots if s != "report_attribute" or pending is not None]

    async def _stop_or(
        self, value: Any, slot: str, check, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        if value is None:  # cleared on purpose (a new report, or a correction): nothing to check
            return {slot: None}
        if _is_stop(value):
            return {slot: None, "report_stopped": True}
        cleaned, problem = check(value)
        if problem:
            return failed(slot, problem, value, tracker, dispatcher)
        return {slot: cleaned, "report_failures": succeeded(slot, tracker)}

    async def validate_report_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is not None and shared_location.is_location_message(tracker.latest_message or {}):
            return self._take_location("report_postcode", dispatcher, tracker)
        if value is not None and not _is_stop(value) and not reading.postcode_in(value) and reading.dont_know(value):
            return {
                "report_postcode": flow.POSTCODE_NOT_KNOWN,
                "report_failures": succeeded("report_postcode", tracker),
            }
        result = await self._stop_or(value, "report_postcode", flow.check_postcode, dispatcher, tracker)
        postcode = result.get("report_postcode")
        if postcode and postcode != flow.POSTCODE_NOT_KNOWN:
            # "16 Station Road, NB4 2QT" answers the next question too.
            address = reading.address_in(value)
            if address and not tracker.get_slot("report_location"):
                result["report_location"] = address
            if tracker.get_slot("report_confirmation") not in ("send", MAYBE_SENT):
                # Not when a confirmed report is sent again: the case it finds may be its own.
                await self._mention_recent_reports(tracker.get_slot("report_service"), postcode, dispatcher)
        return result

    async def _mention_recent_reports(self, service_code: str, postcode: str, dispatcher: CollectingDispatcher) -> None:
        try:
            recent = await open311().recent(service_code, postcode, DUPLICATE_DAYS, dt.datetime.now(dt.timezone.utc))
        except (Open311UnavailableError, Open311RejectedError):
            return  # not knowing about duplicates must not stop a report
        if recent and any(r.get("service_request_id") for r in recent):
            references = ", ".join(
                f"{r.get('service_request_id')} ({flow.STATUS_TEXT.get(r.get('extended_status', ''), r.get('status', 'open'))})"
                for r in recent[:3]
                if r.get("service_request_id")
            )
            dispatcher.utter_message(text=texts.ALREADY_REPORTED.format(postcode=postcode, references=references))

    async def validate_report_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is not None and shared_location.is_location_message(tracker.latest_message or {}):
            return self._take_location("report_location", dispatcher, tracker)
        slots = tracker.current_slot_values()
        if isinstance(value, str) and shared_location.stored(slots) and shared_location.is_skip(value):
            return {
                "report_location": shared_location.LOCATION_ONLY,
                "report_failures": succeeded("report_location", tracker),
            }
        if isinstance(value, str) and reading.postcode_in(value) and reading.without_postcode(value):
            value = reading.without_postcode(value)  # the postcode was given already
        return await self._stop_or(value, "report_location", flow.check_location, dispatcher, tracker)

    @staticmethod
    def _take_location(slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """Keep the position shared with "Use my location", or say why not and ask again.

        At the postcode question the position stands in for the postcode; at the street
        question it stands in for the street. Either way a street may still be typed.
        """
        found, problem = shared_location.read_location(tracker.latest_message or {})
        if found is None:
            dispatcher.utter_message(text=problem)
            return {slot: None}
        dispatcher.utter_message(text=shared_location.confirmation(found))
        values: dict[str, Any] = {
            "report_answers": shared_location.with_location(tracker.current_slot_values(), found),
            "report_failures": succeeded(slot, tracker),
        }
        values[slot] = flow.POSTCODE_NOT_KNOWN if slot == "report_postcode" else shared_location.LOCATION_ONLY
        return values

    async def validate_report_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if photos.is_offer(value):
            return {"report_description": None}  # "Add a photo" is not a description
        return await self._stop_or(value, "report_description", flow.check_description, dispatcher, tracker)

    async def validate_report_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"report_contact": None}
        if _is_stop(value):
            return {"report_contact": None, "report_stopped": True}
        cleaned, problem = flow.check_contact(value)
        if problem:
            return failed("report_contact", problem, value, tracker, dispatcher)
        return {"report_contact": cleaned, "report_failures": succeeded("report_contact", tracker)}

    async def validate_report_attribute(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None or value == "done":
            return {"report_attribute": value}
        if _is_stop(value):
            return {"report_attribute": None, "report_stopped": True}
        answers = dict(tracker.get_slot("report_answers") or {})
        try:
            definition = await open311().service_definition(tracker.get_slot("report_service") or "")
        except (Open311UnavailableError, Open311RejectedError):
            dispatcher.utter_message(text=texts.UNAVAILABLE_AT_START)
            return {"report_attribute": None, "report_stopped": True}
        question = flow.next_question(definition, answers)
        if question is None:
            return {"report_attribute": "done"}
        answer, problem = flow.answer_question(question, value)
        if problem:
            result = failed(question["code"], problem, value, tracker, dispatcher, question)
            if "report_answers" in result:  # an optional question left out after two tries
                result["report_attribute"] = (
                    None if flow.next_question(definition, result["report_answers"]) else "done"
                )
            return result
        answers[question["code"]] = answer
        failures = dict(tracker.get_slot("report_failures") or {})
        failures.pop(question["code"], None)
        # Cleared again so the form asks the next question (required_slots decides if there is one).
        return {
            "report_attribute": None if flow.next_question(definition, answers) else "done",
            "report_answers": answers,
            "report_failures": failures or None,
        }

    async def validate_report_confirmation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None or value in ("send", "cancel", MAYBE_SENT, LEFT):
            return {"report_confirmation": value}
        if _is_stop(value):
            return {"report_confirmation": None, "report_stopped": True}
        if value.strip().lower() == "keep":  # "Keep it as it is" while choosing what to change
            return {"report_confirmation": None, "report_changing": None}
        try:
            definition = await open311().service_definition(tracker.get_slot("report_service") or "")
        except (Open311UnavailableError, Open311RejectedError):
            definition = {"attributes": []}
        choice, _ = flow.interpret_confirmation(value)
        correction = None if choice in ("send", "cancel") else reading.correction_in(value, definition)
        if correction:
            return await self._correct(correction, definition, dispatcher, tracker)
        if choice in ("send", "cancel"):
            return {"report_confirmation": choice, "report_changing": None, "report_failures": None}
        if choice == "change":
            return {"report_confirmation": None, "report_changing": True}
        result = failed("report_confirmation", texts.UNCLEAR_CONFIRMATION, value, tracker, dispatcher)
        return {**result, "report_stopped": result.get("report_stopped")}

    async def _correct(
        self,
        correction: reading.Correction,
        definition: dict[str, Any],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> dict[str, Any]:
        """Ask one answer again, or take the new value the resident typed (then the summary again)."""
        done = {"report_confirmation": None, "report_changing": None, "report_failures": None}
        field, value = correction.field, correction.value
        if field in flow.FIXED_FIELDS:
            if value is None:
                return {**done, field: None}
            check = {
                "report_postcode": flow.check_postcode,
                "report_location": flow.check_location,
                "report_description": flow.check_description,
                "report_contact": flow.check_contact,
            }[field]
            cleaned, problem = check(value)
            if problem:
                dispatcher.utter_message(text=problem)
                return {**done, field: None}
            label = flow.FIXED_FIELDS[field].lower()
            shown = "no updates" if cleaned == flow.NO_CONTACT else cleaned
            dispatcher.utter_message(text=texts.CHANGED.format(what=label, value=shown))
            return {**done, field: cleaned}
        answers = dict(tracker.get_slot("report_answers") or {})
        question = next((a for a in flow.questions(definition) if a["code"] == field), None)
        if question is None:
            return done
        if value is None:
            answers.pop(field, None)
            return {**done, "report_answers": answers, "report_attribute": None}
        answers[field] = value
        dispatcher.utter_message(
            text=texts.CHANGED.format(
                what=f"\u201c{flow.question_label(question)}\u201d", value=flow.answer_label(question, value)
            )
        )
        return {**done, "report_answers": answers}


class _AskFixedQuestion(Action, abc.ABC):
    """Asks one of the questions every report has; subclasses name the slot and the text."""

    question: str = ""
    buttons: tuple[tuple[str, str], ...] = ()

    @abc.abstractmethod
    def name(self) -> str:
        """The ``action_ask_<slot>`` name Rasa's form calls."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if not explained_already(tracker, self.name().removeprefix("action_ask_")):
            dispatcher.utter_message(text=self.question, buttons=[{"title": t, "payload": p} for t, p in self.buttons])
        return []


class ActionAskReportPostcode(_AskFixedQuestion):
    question = texts.ASK_POSTCODE
    buttons = ((shared_location.BUTTON["title"], shared_location.BUTTON["payload"]),)

    def name(self) -> str:
        return "action_ask_report_postcode"


class ActionAskReportLocation(_AskFixedQuestion):
    question = texts.ASK_LOCATION
    buttons = ((shared_location.BUTTON["title"], shared_location.BUTTON["payload"]),)

    def name(self) -> str:
        return "action_ask_report_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if shared_location.stored(tracker.current_slot_values()) and not explained_already(tracker, "report_location"):
            # A position is shared already: a street or landmark is a help, not a must.
            dispatcher.utter_message(text=shared_location.ASK_LANDMARK, buttons=[{"title": "Skip", "payload": "skip"}])
            return []
        return await super().run(dispatcher, tracker, domain)


class ActionAskReportDescription(_AskFixedQuestion):
    question = texts.ASK_DESCRIPTION
    buttons = ((photos.ADD_PHOTO["title"], photos.ADD_PHOTO["payload"]),)  # the widget's photo picker

    def name(self) -> str:
        return "action_ask_report_description"


class ActionAskReportContact(_AskFixedQuestion):
    buttons = (("No thanks", "no thanks"),)

    @property
    def question(self) -> str:  # type: ignore[override]
        return flow.contact_question(open311().settings.contact_retention_days)

    def name(self) -> str:
        return "action_ask_report_contact"


class ActionAskReportAttribute(Action):
    def name(self) -> str:
        return "action_ask_report_attribute"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            definition = await open311().service_definition(tracker.get_slot("report_service") or "")
        except (Open311UnavailableError, Open311RejectedError):
            dispatcher.utter_message(
                text=texts.UNAVAILABLE_AT_START, buttons=[{"title": "Talk to an advisor", "payload": "/handoff"}]
            )
            return [SlotSet("report_stopped", True)]
        question = flow.next_question(definition, tracker.get_slot("report_answers") or {})
        if question is None or explained_already(tracker, question["code"]):
            return []
        buttons = [{"title": v["name"], "payload": v["key"]} for v in question.get("values") or []]
        if not question.get("required") and not buttons:
            buttons = [{"title": "Skip", "payload": "skip"}]
        dispatcher.utter_message(text=question["description"], buttons=buttons)
        return []


class ActionAskReportConfirmation(Action):
    def name(self) -> str:
        return "action_ask_report_confirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if explained_already(tracker, "report_confirmation"):
            return []
        service_code = tracker.get_slot("report_service") or ""
        try:
            definition = await open311().service_definition(service_code)
        except (Open311UnavailableError, Open311RejectedError):
            definition = {"attributes": []}
        slots = tracker.current_slot_values()
        if tracker.get_slot("report_changing"):
            # The answers as buttons, and nothing after them: they stay on screen to be pressed.
            dispatcher.utter_message(
                text=texts.CHANGE_WHICH,
                buttons=flow.change_buttons(slots, definition) + [{"title": "Keep it as it is", "payload": "keep"}],
            )
            return []
        name = service_code.replace("_", " ").capitalize()
        lines = flow.summary_lines(name, slots, definition)
        photo_line = photos.summary_line(photos.waiting(tracker.latest_message.get("metadata")))
        lines += [photo_line] if photo_line else []
        dispatcher.utter_message(
            text="\n\n".join([texts.SUMMARY_INTRO, "\n".join(lines), texts.SUMMARY_OUTRO]),
            buttons=[
                {"title": "Send report", "payload": "send"},
                {"title": "Change an answer", "payload": "change"},
                {"title": "Cancel", "payload": "cancel"},
            ],
        )
        return []


class ActionSubmitReport(Action):
    def name(self) -> str:
        return "action_submit_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("report_stopped"):
            dispatcher.utter_message(
                text=texts.STOPPED,
                buttons=[
                    {"title": "Carry on with the report", "payload": f"/request_{tracker.get_slot('report_service')}"}
                ],
            )
            events = [
                SlotSet("report_stopped", None),
                SlotSet("report_confirmation", None),
                SlotSet("requested_slot", None),
            ]
            if tracker.get_slot("report_attribute") != "done":
                events.append(SlotSet("report_attribute", None))
            return events
        if tracker.get_slot("report_confirmation") == "cancel":
            dispatcher.utter_message(text=texts.CANCELLED)
            return clear_report()
        if tracker.get_slot("report_confirmation") == LEFT:
            dispatcher.utter_message(text=texts.LEFT)
            return clear_report()
        service_code = tracker.get_slot("report_service") or ""
        slots = tracker.current_slot_values()
        sent_photos = photos.waiting(tracker.latest_message.get("metadata"))
        form = photos.with_photos(flow.submission(service_code, slots), sent_photos)
        retry = [
            {"title": "Try again", "payload": f"/request_{service_code}"},
            {"title": "Talk to an advisor", "payload": "/handoff"},
        ]
        created = None
        if tracker.get_slot("report_confirmation") == MAYBE_SENT:
            try:
                created = await self._already_arrived(service_code, form)
            except (Open311UnavailableError, Open311RejectedError) as exc:
                # Not knowing whether the first one arrived, sending again could duplicate it.
                logger.warning("Could not check whether an uncertain report arrived: %s", exc)
                dispatcher.utter_message(text=texts.MAYBE_SENT, buttons=retry)
                return [SlotSet("report_confirmation", MAYBE_SENT)]
        # The same key for every send of this report: a resend after a failure, or after this
        # server died before answering, gets the case the first send made, not a second one.
        key = report_key(tracker.sender_id, tracker.events)
        try:
            created = created or await open311().submit(form, key)
        except Open311UncertainError as exc:
            logger.warning("Report may or may not have arrived: %s", exc)
            dispatcher.utter_message(text=texts.MAYBE_SENT, buttons=retry)
            return [SlotSet("report_confirmation", MAYBE_SENT)]  # so a retry checks before sending
        except Open311UnavailableError as exc:
            logger.warning("Report not sent, Open311 unavailable: %s", exc)
            dispatcher.utter_message(text=texts.NOT_SENT, buttons=retry)
            return [SlotSet("report_confirmation", None)]
        except Open311RejectedError as exc:
            logger.error("Open311 refused a report (HTTP %s): %s", exc.status, exc.description)
            dispatcher.utter_message(text=texts.REJECTED, buttons=retry[1:])
            return [SlotSet("report_confirmation", None)]
        reference = created.get("service_request_id")
        if not reference:  # accepted, but the service gives the reference later (an Open311 token)
            dispatcher.utter_message(text=texts.RECEIVED_NO_REFERENCE)
            return clear_report()
        parts = [texts.SUBMITTED.format(reference=reference)]
        if created.get("service_notice"):
            parts.append(f"What happens next: {created['service_notice']}")
        try:
            stored = await open311().get_request(reference)
        except (Open311UnavailableError, Open311RejectedError):
            stored = None  # the report is made; only the target date is missing
        target = flow.expected_by(stored) if stored else None
        if target:
            parts.append(target)
        related = flow.related_service(service_code, tracker.get_slot("report_description") or "")
        if related:
            parts.append(related)
        dispatcher.utter_message(text="\n\n".join(parts))
        case = {"service_request_id": reference, "service_code": service_code}
        if sent_photos:
            case["photos"] = [p["id"] for p in sent_photos]  # the relay keeps them with the case
        dispatcher.utter_message(json_message={"case": case})
        return clear_report() + [SlotSet("reference", reference)]

    @staticmethod
    async def _already_arrived(service_code: str, form: dict[str, str]) -> dict[str, Any] | None:
        """After an uncertain submission: the same report, if it did arrive (same place and words)."""
        if "zipcode" not in form:
            return None  # nothing to look it up by; the resend's submission key finds it instead
        recent = await open311().recent(
            service_code, form["zipcode"], DUPLICATE_DAYS, dt.datetime.now(dt.timezone.utc), statuses="open,closed"
        )
        for request in recent:
            if flow.same_report(request, form):
                return {
                    "service_request_id": request["service_request_id"],
                    "service_notice": request.get("service_notice"),
                }
        return None


def resume_interrupted_send(tracker: Tracker, dispatcher: CollectingDispatcher) -> list[EventType] | None:
    """Send again a report whose sending never finished, when the resident repeats "send".

    ``report_confirmation`` stays "send" outside the form only when action_submit_report
    never returned (the action server died mid-send, and Rasa dropped the action's events);
    every way it does return clears it. The relay's "Try again" then resends "send": the
    form runs again with every answer kept and submits under the same key, so the case
    already stored is found and its reference given (nothing is asked again).

    Returns:
        The events that run the form again, or None when this message is not such a resend.
    """
    service_code = tracker.get_slot("report_service")
    text = (tracker.latest_message or {}).get("text") or ""
    if (
        tracker.active_loop_name
        or tracker.get_slot("report_confirmation") != "send"
        or not service_code
        or not tracker.get_slot("report_description")
        or flow.interpret_confirmation(text)[0] != "send"
    ):
        return None
    intent = (tracker.latest_message or {}).get("intent") or {}
    route = {
        "name": f"request:{service_code}",
        "intent": intent.get("name") or "",
        "confidence": round(float(intent.get("confidence") or 0), 4),
        "continues": True,
    }
    dispatcher.utter_message(json_message={"route": route})
    logger.info("Sending again a %s report whose first send did not finish", service_code)
    return [
        SlotSet("route", route["name"]),
        SlotSet("report_stopped", None),
        SlotSet("report_changing", None),
        FollowupAction("report_form"),
    ]


async def track(reference: str) -> str:
    """What is happening with a reported problem, from the Open311 service."""
    try:
        found = await open311().get_request(reference)
    except (Open311UnavailableError, Open311RejectedError):
        return texts.TRACK_UNAVAILABLE
    if found is None:
        return texts.TRACK_NOT_FOUND.format(reference=reference)
    return flow.status_in_plain_english(found)
