"""Reporting and tracking problems through the real bot, action server and Open311 service."""

import json
import urllib.parse
import urllib.request
from pathlib import Path

import jsonschema
import pytest

from tests.integration.conftest import Conversation, buttons_of, handoff_of, route_of, text_of

SERVICE_CODES = [
    "missed_bin",
    "pothole",
    "street_light",
    "fly_tipping",
    "graffiti",
    "dog_fouling",
    "abandoned_vehicle",
    "bin_replacement",
]
FIRST_MESSAGE = {
    "missed_bin": "my bin wasn't collected today",
    "pothole": "there's a massive pothole on our road",
    "street_light": "the street light outside my house is out",
    "fly_tipping": "someone has dumped a load of rubbish in the alley",
    "graffiti": "there's graffiti all over the bus shelter",
    "dog_fouling": "dog mess all over the pavement by the school",
    "abandoned_vehicle": "there's an abandoned car that's been left for weeks",
    "bin_replacement": "my wheelie bin has been stolen",
}


def answer_questions(conversation: Conversation, reply: list[dict], contact: str = "no thanks") -> list[dict]:
    """Answer the form's questions until the summary is shown; returns the summary reply."""
    for _ in range(12):
        text = text_of(reply)
        if "Here is your report" in text:
            return reply
        if "postcode where the problem is" in text:
            reply = conversation.say("nb4 2qt")
        elif "Which street is it on" in text:
            reply = conversation.say("Outside 14 Elm Road")
        elif "what is the problem" in text:
            reply = conversation.say("It needs sorting out please")
        elif "Would you like updates" in text:
            reply = conversation.say(contact)
        elif buttons_of(reply):
            reply = conversation.say(buttons_of(reply)[0]["payload"])  # the first option
        else:
            reply = conversation.say("blue Ford Focus")  # free-text questions (make, lamp post number...)
    raise AssertionError(f"no summary after 12 answers; last reply: {text_of(reply)}")


def case(servers, reference: str) -> dict:
    with urllib.request.urlopen(f"{servers.open311.url}requests/{reference}.json", timeout=10) as response:
        return json.loads(response.read())[0]


CASE_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "contracts" / "schemas" / "bot_case.schema.json").read_text()
)


def reference_in(reply: list[dict]) -> str:
    cases = [m["custom"] for m in reply if "case" in (m.get("custom") or {})]
    assert len(cases) == 1, reply
    jsonschema.validate(cases[0], CASE_SCHEMA)
    return cases[0]["case"]["service_request_id"]


@pytest.mark.parametrize("code", SERVICE_CODES)
def test_a_complete_report_for_every_service_gets_a_reference_that_open311_holds(servers, conversation, code):
    first = conversation.say(FIRST_MESSAGE[code])
    assert route_of(first)["name"] == f"request:{code}"
    summary = answer_questions(conversation, first)
    assert "NB4 2QT" in text_of(summary) and "Outside 14 Elm Road" in text_of(summary)
    sent = conversation.say("send")
    reference = reference_in(sent)
    assert f"Your reference is **{reference}**" in text_of(sent)
    assert "What happens next" in text_of(sent)
    stored = case(servers, reference)
    assert stored["service_code"] == code and stored["zipcode"] == "NB4 2QT"
    assert stored["description"] == "It needs sorting out please"


def test_one_answer_can_be_corrected_before_sending(servers, conversation):
    summary = answer_questions(conversation, conversation.say("pothole on station road"))
    assert "NB4 2QT" in text_of(summary)
    asked = conversation.say("change postcode")
    assert "postcode where the problem is" in text_of(asked)
    again = conversation.say("NB1 1AA")
    assert "Here is your report" in text_of(again) and "NB1 1AA" in text_of(again)
    assert case(servers, reference_in(conversation.say("send")))["zipcode"] == "NB1 1AA"


def test_cancelling_at_the_summary_sends_nothing(servers, conversation):
    answer_questions(conversation, conversation.say("graffiti on the wall by the shops"))
    reply = conversation.say("cancel")
    assert "cancelled" in text_of(reply) and "Nothing has been sent" in text_of(reply)
    assert not [m for m in reply if "case" in (m.get("custom") or {})]


def test_stopping_mid_report_and_coming_back_keeps_the_answers(conversation):
    conversation.say("report a pothole")
    conversation.say("nb4 2qt")
    stopped = conversation.say("stop")
    assert "Nothing has been sent" in text_of(stopped)
    assert {"title": "Carry on with the report", "payload": "/request_pothole"} in buttons_of(stopped)
    resumed = conversation.say("I want to report a pothole")
    assert "Which street is it on" in text_of(resumed)  # the postcode is not asked again


def test_bad_answers_are_explained_and_asked_again(conversation):
    conversation.say("report a pothole")
    assert "doesn't look like a UK postcode" in text_of(conversation.say("my house"))
    conversation.say("nb4 2qt")
    conversation.say("Station Road")
    refused = conversation.say("<script>alert(1)</script>")
    assert "plain words" in text_of(refused)
    assert "a bit long" in text_of(conversation.say("x" * 600))


def test_a_recent_open_report_at_the_same_postcode_is_mentioned(servers, conversation):
    first = answer_questions(conversation, conversation.say("fly tipping in the lane behind the shops"))
    earlier = reference_in(conversation.say("send")) if first else None
    second = Conversation(servers.rasa_url)
    second.say("someone dumped a mattress on the pavement")
    reply = second.say("NB4 2QT")
    assert "may already be reported" in text_of(reply) and earlier in text_of(reply)
    assert "Which street is it on" in text_of(reply)  # they can still add theirs


def test_tracking_a_known_reference_gives_its_status_in_plain_english(servers, conversation):
    answer_questions(conversation, conversation.say("the street light by the church is flickering"))
    reference = reference_in(conversation.say("send"))
    update = urllib.request.Request(
        f"{servers.open311.url}requests/{reference}/status.json",
        method="POST",
        data=urllib.parse.urlencode(
            {
                "api_key": servers.open311.env["OPEN311_STAFF_KEYS"],
                "extended_status": "ACTION_SCHEDULED",
                "status_notes": "Engineer booked",
                "updated_by": "Test Officer",
            }
        ).encode(),
    )
    urllib.request.urlopen(update, timeout=10)
    reply = Conversation(servers.rasa_url).say(f"what's happening with {reference.lower()}")
    assert route_of(reply)["name"] == "track_request"
    assert "Work is booked in" in text_of(reply) and "Engineer booked" in text_of(reply)


def test_tracking_an_unknown_or_mistyped_reference_is_explained(conversation):
    unknown = conversation.say("any update on NB-2026-999999")
    assert "can't find a report with the reference NB-2026-999999" in text_of(unknown)
    mistyped = conversation.say("any news on NB-2026-12")
    assert route_of(mistyped)["name"] == "track_request"
    assert "NB, the year and six numbers" in text_of(mistyped)


def test_a_person_asked_for_mid_report_gets_what_was_already_given(conversation):
    conversation.say("report a pothole")
    conversation.say("nb4 2qt")
    conversation.say("Mill Lane by the school")
    handoff = handoff_of(conversation.say("I want to speak to a real person"))
    assert handoff["summary"]["details"]["postcode"] == "NB4 2QT"
    assert handoff["summary"]["details"]["report_location"] == "Mill Lane by the school"


def test_an_urgent_message_mid_report_gets_the_urgent_answer_at_once(conversation):
    conversation.say("report a pothole")
    reply = conversation.say("my neighbour's kids are being hit by their dad")
    assert route_of(reply)["name"] == "urgent:safeguarding"
    assert "999" in text_of(reply) and "Nothing has been sent" in text_of(reply)


def test_when_open311_is_down_the_resident_is_told_and_nothing_given_is_lost(servers, conversation):
    summary = answer_questions(conversation, conversation.say("my recycling bin wasn't emptied"))
    assert "Here is your report" in text_of(summary)
    servers.open311.stop()
    try:
        failed = conversation.say("send")
        assert "has **not** been sent" in text_of(failed)
        assert {"title": "Talk to an advisor", "payload": "/handoff"} in buttons_of(failed)
        assert not [m for m in failed if "case" in (m.get("custom") or {})]
        cannot_start = Conversation(servers.rasa_url).say("there's a pothole on my road")
        assert "isn't answering just now" in text_of(cannot_start)
        tracking = Conversation(servers.rasa_url).say("any news on NB-2026-000001")
        assert "can't check reports just now" in text_of(tracking)
    finally:
        servers.open311.start()
    retry = conversation.say("/request_missed_bin")
    assert "Here is your report" in text_of(retry)  # nothing asked again
    assert reference_in(conversation.say("send")).startswith("NB-")


def test_a_question_about_something_else_mid_report_is_answered_and_the_report_waits(conversation):
    conversation.say("report a pothole")
    conversation.say("nb4 2qt")
    reply = conversation.say("when is my bin collection day?")
    assert route_of(reply)["name"] == "faq:bin-collection-day"
    assert "Nothing has been sent" in text_of(reply)
    resumed = conversation.say("/request_pothole")
    assert "Which street is it on" in text_of(resumed)


@pytest.mark.parametrize("answer", ["its on the road", "on the pavement by the bus stop"])
def test_an_answer_about_where_the_pothole_is_is_taken_as_the_answer_not_an_alarm(conversation, answer):
    conversation.say("report a pothole")
    conversation.say("nb4 2qt")
    reply = conversation.say(answer)
    # The answer's turn carries the report's own route, marked as continuing it.
    assert route_of(reply)["name"] == "request:pothole" and route_of(reply)["continues"] is True, reply
    assert "999" not in text_of(reply)


def test_a_gas_smell_mid_report_interrupts_with_the_gas_emergency_number(conversation):
    conversation.say("report a missed bin")
    reply = conversation.say("hang on i can smell gas in the hallway")
    assert route_of(reply)["name"] == "urgent:gas"
    assert "0800 111 999" in text_of(reply)


def test_a_crisis_mid_report_gets_samaritans_at_once(conversation):
    conversation.say("report a pothole")
    conversation.say("nb4 2qt")
    reply = conversation.say("honestly i dont want to be here anymore")
    assert route_of(reply)["name"] == "urgent:crisis"
    assert "116 123" in text_of(reply) and "999" in text_of(reply)
