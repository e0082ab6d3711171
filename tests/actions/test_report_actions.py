"""Actions run on golden trackers (tests/data/trackers) against the real Open311 service."""

import datetime as dt
import json
from pathlib import Path

import aiohttp
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import route_message
from actions.clients.open311 import Open311Client, Open311Settings
from actions.reports import actions as report_actions
from service_requests.app import create_standalone_app
from service_requests.settings import Settings

TRACKERS = Path(__file__).resolve().parents[1] / "data" / "trackers"
KEY = "chat-key-0123456789"


def golden(name: str, replacements: dict[str, str] | None = None, **slots) -> Tracker:
    text = (TRACKERS / f"{name}.json").read_text()
    for old, new in (replacements or {}).items():
        text = text.replace(old, new)
    state = json.loads(text)
    state["slots"].update(slots)
    return Tracker.from_dict(state)


@pytest.fixture
async def open311(aiohttp_server, tmp_path, monkeypatch):
    settings = Settings.from_env(
        {
            "OPEN311_API_KEYS": KEY,
            "OPEN311_STAFF_KEYS": "staff-key-0123456789",
            "OPEN311_DB": str(tmp_path / "cases.sqlite3"),
        }
    )
    server = await aiohttp_server(create_standalone_app(settings))
    client = Open311Client(Open311Settings(str(server.make_url("/open311/v2/")), KEY))
    monkeypatch.setattr(report_actions, "open311", lambda: client)
    monkeypatch.setattr(route_message, "open311", lambda: client)
    return client


@pytest.fixture
def open311_down(monkeypatch, unused_tcp_port):
    client = Open311Client(Open311Settings(f"http://127.0.0.1:{unused_tcp_port}/open311/v2/", KEY, 1.0))
    monkeypatch.setattr(report_actions, "open311", lambda: client)
    monkeypatch.setattr(route_message, "open311", lambda: client)
    return client


async def test_submitting_a_confirmed_report_stores_it_and_gives_the_reference(open311):
    dispatcher = CollectingDispatcher()
    events = await report_actions.ActionSubmitReport().run(dispatcher, golden("report_ready_to_send"), {})
    reference = next(e["value"] for e in events if e.get("name") == "reference")
    assert any(f"Your reference is **{reference}**" in (m.get("text") or "") for m in dispatcher.messages)
    stored = await open311.get_request(reference)
    assert stored["attributes"] == {"surface": "road", "size": "large"}
    assert stored["description"] == "Deep hole in the left lane"
    cleared = {e["name"] for e in events if e.get("event") == "slot" and e["value"] is None}
    assert {"report_postcode", "report_answers", "report_contact"} <= cleared


async def test_when_open311_is_down_nothing_is_claimed_and_the_answers_are_kept(open311_down):
    dispatcher = CollectingDispatcher()
    events = await report_actions.ActionSubmitReport().run(dispatcher, golden("report_ready_to_send"), {})
    assert "has **not** been sent" in dispatcher.messages[0]["text"]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/request_pothole", "/handoff"]
    assert events == [{"event": "slot", "timestamp": None, "name": "report_confirmation", "value": None}]


async def test_a_recent_report_at_the_same_postcode_is_mentioned_while_validating(open311):
    await report_actions.ActionSubmitReport().run(CollectingDispatcher(), golden("report_ready_to_send"), {})
    dispatcher = CollectingDispatcher()
    # A new report, still being taken (nothing confirmed yet).
    result = await report_actions.ValidateReportForm().validate_report_postcode(
        "nb42qt", dispatcher, golden("report_ready_to_send", report_confirmation=None), {}
    )
    assert result["report_postcode"] == "NB4 2QT"
    assert "may already be reported near NB4 2QT" in dispatcher.messages[0]["text"]


async def test_tracking_a_stored_reference_reads_its_status(open311):
    events = await report_actions.ActionSubmitReport().run(CollectingDispatcher(), golden("report_ready_to_send"), {})
    reference = next(e["value"] for e in events if e.get("name") == "reference")
    dispatcher = CollectingDispatcher()
    await route_message.ActionRouteMessage().run(
        dispatcher, golden("track_known_reference", {"REFERENCE": reference}), {}
    )
    texts = [m.get("text") or "" for m in dispatcher.messages]
    assert f"Let me check {reference} for you." in texts
    assert any("We have your report and it is waiting to be looked at" in t for t in texts)


async def test_a_retry_after_an_uncertain_submission_finds_the_report_that_did_arrive(open311):
    first = await report_actions.ActionSubmitReport().run(CollectingDispatcher(), golden("report_ready_to_send"), {})
    reference = next(e["value"] for e in first if e.get("name") == "reference")
    dispatcher = CollectingDispatcher()
    retried = golden("report_ready_to_send", report_confirmation=report_actions.MAYBE_SENT)
    events = await report_actions.ActionSubmitReport().run(dispatcher, retried, {})
    assert next(e["value"] for e in events if e.get("name") == "reference") == reference
    stored = await open311.recent("pothole", "NB4 2QT", 1, dt.datetime.now(dt.timezone.utc), statuses="open,closed")
    assert len(stored) == 1  # not sent twice


async def test_a_retry_finds_the_report_that_did_arrive_although_its_description_comes_back_masked(open311):
    personal = {"report_description": "Deep hole outside 14 Mill Lane, ring me on 07700 900123"}
    first = await report_actions.ActionSubmitReport().run(
        CollectingDispatcher(), golden("report_ready_to_send", **personal), {}
    )
    reference = next(e["value"] for e in first if e.get("name") == "reference")
    stored = await open311.recent("pothole", "NB4 2QT", 1, dt.datetime.now(dt.timezone.utc), statuses="open,closed")
    assert stored[0]["description"] == "Deep hole outside [address], ring me on [phone]"  # the chat has no staff key
    retried = golden("report_ready_to_send", report_confirmation=report_actions.MAYBE_SENT, **personal)
    events = await report_actions.ActionSubmitReport().run(CollectingDispatcher(), retried, {})
    assert next(e["value"] for e in events if e.get("name") == "reference") == reference
    stored = await open311.recent("pothole", "NB4 2QT", 1, dt.datetime.now(dt.timezone.utc), statuses="open,closed")
    assert len(stored) == 1  # not sent twice


async def test_tracking_a_message_left_for_the_contact_centre_explains_kindly_that_it_is_private(open311):
    async with aiohttp.ClientSession() as session:
        async with session.post(
            open311.settings.base_url + "requests.json",
            data={
                "api_key": KEY,
                "service_code": "contact_centre_message",
                "description": "Please call me about my council tax account 1234567890",
                "phone": "01632 960123",
                "attribute[conversation_id]": "c_abcdef123456",
            },
        ) as response:
            assert response.status == 201
            reference = (await response.json())[0]["service_request_id"]
    assert await open311.get_request(reference) is None  # the chat has no staff key, and needs none
    dispatcher = CollectingDispatcher()
    await route_message.ActionRouteMessage().run(
        dispatcher, golden("track_known_reference", {"REFERENCE": reference}), {}
    )
    text = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "If it's the reference for a message you left for our contact centre" in text
    assert "an advisor replies to you directly, using the contact details you gave" in text
    assert "1234567890" not in text and "council tax" not in text


async def test_a_retry_that_cannot_check_keeps_the_uncertainty_and_sends_nothing(open311_down):
    dispatcher = CollectingDispatcher()
    retried = golden("report_ready_to_send", report_confirmation=report_actions.MAYBE_SENT)
    events = await report_actions.ActionSubmitReport().run(dispatcher, retried, {})
    assert "can't tell whether your report arrived" in dispatcher.messages[0]["text"]
    assert events == [
        {"event": "slot", "timestamp": None, "name": "report_confirmation", "value": report_actions.MAYBE_SENT}
    ]


async def test_try_again_after_an_uncertain_submission_keeps_the_check(open311):
    tracker = golden("report_ready_to_send", report_confirmation=report_actions.MAYBE_SENT)
    tracker.latest_message = {
        "text": "/request_pothole",
        "intent": {"name": "request_pothole", "confidence": 1.0},
        "intent_ranking": [],
        "entities": [],
    }
    events = await route_message.ActionRouteMessage().run(CollectingDispatcher(), tracker, {})
    assert {"event": "slot", "timestamp": None, "name": "report_confirmation", "value": None} not in events
    assert {"event": "followup", "timestamp": None, "name": "report_form"} in events


async def test_a_question_about_something_else_mid_report_is_answered_and_not_kept_as_an_answer(open311):
    tracker = golden(
        "report_ready_to_send",
        requested_slot="report_location",
        report_location="when is my bin day?",
        report_confirmation=None,
    )
    tracker.latest_message = {
        "text": "when is my bin day?",
        "intent": {"name": "faq_bin_collection_day", "confidence": 0.97},
        "intent_ranking": [{"name": "faq_bin_collection_day", "confidence": 0.97}],
        "entities": [],
    }
    dispatcher = CollectingDispatcher()
    events = await report_actions.ValidateReportForm().run(dispatcher, tracker, {})
    assert {"event": "slot", "timestamp": None, "name": "report_location", "value": None} in events
    assert {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None} in events
    assert dispatcher.messages[0]["custom"]["route"]["name"] == "faq:bin-collection-day"


async def test_stop_at_the_summary_pauses_rather_than_deletes(open311):
    result = await report_actions.ValidateReportForm().validate_report_confirmation(
        "stop", CollectingDispatcher(), golden("report_ready_to_send"), {}
    )
    assert result == {"report_confirmation": None, "report_stopped": True}
