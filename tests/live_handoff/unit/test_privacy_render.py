"""The subject access page and document: pure, no services."""

from live_handoff.privacy.finding import selector
from live_handoff.privacy.gather import Conversation, Found
from live_handoff.privacy.render import document, html_page, when
from live_handoff.store import LoggedEvent


def found() -> Found:
    events = [
        LoggedEvent(
            "1-0", {"type": "message", "from": "resident", "text": "<script>alert(1)</script> & hi", "at": "t"}, "all"
        ),
        LoggedEvent("2-0", {"type": "note", "author": "Sam", "text": "private note", "at": "t"}, "advisors"),
    ]
    result = Found(selector("email", "jo@example.com"))
    result.conversations["c_1"] = Conversation("c_1", {"mode": "closed", "token": "secret-hash", "rating": "4"}, events)
    result.analytics = [("5-0", {"kind": "unanswered", "conversation_id": "c_1", "text": "q"})]
    result.cases["NB-2026-000001"] = {
        "service_request_id": "NB-2026-000001",
        "description": "<b>bin</b>",
        "history": [],
    }
    return result


def test_the_document_holds_the_conversation_note_and_case_without_the_token():
    doc = document(found(), "dpo.jo", "SAR 1", "2026-12-06T00:00:00+00:00")
    conversation = doc["conversations"][0]
    assert "token" not in conversation["fields"] and conversation["rating"] == {"score": "4", "comment": ""}
    assert [e["audience"] for e in conversation["events"]] == ["all", "advisors"]
    assert conversation["residents_questions"][0]["text"] == "q"
    assert doc["summary"]["advisor_notes"] == 1 and doc["summary"]["cases"] == 1


def test_the_page_is_british_english_without_scripts_and_escapes_everything_written():
    page = html_page(document(found(), "dpo.jo", "SAR <1>", "2026-12-06T00:00:00+00:00"))
    assert '<html lang="en-GB">' in page and "<h1>" in page and "<table>" in page and "@media print" in page
    assert "<script" not in page and "<b>bin" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; hi" in page
    assert "Advisor&#x27;s note (Sam)" in page and "staff only" in page


def test_times_are_shown_in_uk_time_as_people_read_them():
    assert when("2026-07-01T09:05:00+00:00") == "1 Jul 2026, 10:05"
    assert when("2026-12-06T00:21:28.123+00:00") == "6 Dec 2026, 00:21"
    assert when("not a time") == "not a time" and when(None) == ""
