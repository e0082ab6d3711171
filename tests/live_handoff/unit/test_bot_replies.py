"""Rasa's REST replies become one resident-facing turn; private payloads never show."""

from live_handoff.bot_replies import translate

ROUTE = {
    "custom": {"route": {"name": "faq:bin-collection-day", "intent": "faq_bin_collection_day", "confidence": 0.93}}
}


def test_paragraphs_rasa_split_are_joined_into_one_message():
    turn = translate([ROUTE, {"text": "First paragraph."}, {"text": "Second paragraph."}])
    assert turn.messages == [{"text": "First paragraph.\n\nSecond paragraph."}]
    assert turn.route["name"] == "faq:bin-collection-day"


def test_buttons_stay_with_the_text_they_belong_to():
    turn = translate(
        [
            {"text": "Intro."},
            {"text": "Which bin?", "buttons": [{"title": "Grey", "payload": "/grey"}]},
            {"text": "Afterwards."},
        ]
    )
    assert turn.messages == [
        {"text": "Intro.\n\nWhich bin?", "buttons": [{"title": "Grey", "payload": "/grey"}]},
        {"text": "Afterwards."},
    ]


def test_handoff_and_case_payloads_are_taken_out_of_what_residents_see():
    handoff = {"reason": "complaint", "priority": "normal", "summary": {}}
    turn = translate(
        [
            ROUTE,
            {"text": "Passing you to an advisor."},
            {"custom": {"handoff": handoff}},
            {"custom": {"case": {"service_request_id": "NB-2026-000001", "service_code": "pothole"}}},
        ]
    )
    assert turn.handoff == handoff and turn.case["service_code"] == "pothole"
    assert all("custom" not in m for m in turn.messages)


def test_an_empty_reply_means_the_bot_did_not_answer():
    assert translate([]).empty and translate([ROUTE]).empty
    assert not translate([{"text": "Hello"}]).empty


def test_malformed_buttons_and_entries_are_ignored():
    turn = translate(["junk", {"text": "Hi", "buttons": [{"title": "No payload"}, "x"]}])
    assert turn.messages == [{"text": "Hi"}]
