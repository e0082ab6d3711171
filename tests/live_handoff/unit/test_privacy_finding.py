"""Finding a person in what the relay logged: pure matching, no services."""

import json

import pytest

from contracts.contact import normalise_phone, phones_in
from live_handoff.privacy.finding import (
    SelectorError,
    case_references,
    mentions,
    redact_analytics,
    selector,
    visible_fields,
)
from live_handoff.privacy.gather import could_mention


@pytest.mark.parametrize(
    ("kind", "value", "normal"),
    [
        ("email", "  Jo.Bloggs@Example.COM ", "jo.bloggs@example.com"),
        ("phone", "+44 (0)7700 900123", "07700900123"),
        ("phone", "07700-900-123", "07700900123"),
        ("reference", "nb 2026 000123", "NB-2026-000123"),
        ("conversation", "c_abcdefghijklmnopqrstuv", "c_abcdefghijklmnopqrstuv"),
    ],
)
def test_identifiers_are_normalised_as_people_write_them(kind, value, normal):
    assert selector(kind, value).value == normal


@pytest.mark.parametrize(
    ("kind", "value"),
    [("email", "jo at example"), ("phone", "12345"), ("reference", "123"), ("conversation", "c_short"), ("name", "Jo")],
)
def test_what_is_not_an_identifier_is_refused_with_a_reason(kind, value):
    with pytest.raises(SelectorError):
        selector(kind, value)


def test_an_email_is_found_in_any_case_inside_a_sentence_but_not_inside_a_longer_address():
    who = selector("email", "jo@example.com")
    assert mentions([{"text": "Email me at JO@Example.com please."}], who)
    assert not mentions([{"text": "email bojo@example.com"}], who)
    assert not mentions([{"text": "jo@example.community"}], who)


def test_a_phone_number_is_found_however_it_is_spaced_and_a_reference_is_not_taken_for_one():
    who = selector("phone", "07700 900123")
    assert mentions([{"text": "ring me on +44 7700 900 123"}], who)
    assert mentions([{"email": "", "phone": "07700900123"}], who)
    assert not mentions([{"text": "ring me on 07700 900124"}], who)
    assert phones_in("my case is NB-2026-000123") == set()
    assert normalise_phone("0163 296 0123") == "01632960123"


def test_matching_looks_inside_nested_events_and_hash_fields():
    who = selector("reference", "NB-2026-000042")
    assert mentions([{"cases": '["NB-2026-000042"]'}], who)
    assert mentions([{"type": "message", "buttons": [{"title": "About nb2026000042"}]}], who)
    assert not mentions([{"text": "NB-2026-000043"}], who)


def test_an_export_never_shows_the_resume_token_hash():
    assert visible_fields({"mode": "closed", "token": "abc", "rating": "5"}) == {"mode": "closed", "rating": "5"}


def test_erased_conversations_keep_codes_and_counts_but_lose_free_text_and_editors_questions():
    erased = {"c_1"}
    assert redact_analytics({"kind": "unanswered", "conversation_id": "c_1", "text": "my name is Jo"}, erased) is None
    assert redact_analytics({"kind": "suggestion_chosen", "conversation_id": "c_1", "question": "q"}, erased) is None
    assert redact_analytics(
        {"kind": "message_left", "conversation_id": "c_1", "reference": "NB-2026-000001", "contact": "ab12"}, erased
    ) == {"kind": "message_left", "conversation_id": "c_1", "reference": "NB-2026-000001"}
    assert redact_analytics({"kind": "rating", "conversation_id": "c_1", "score": 4}, erased) == {
        "kind": "rating",
        "conversation_id": "c_1",
        "score": 4,
    }
    other = {"kind": "unanswered", "conversation_id": "c_2", "text": "bins"}
    assert redact_analytics(other, erased) is other


def test_cases_made_in_a_conversation_come_from_its_cases_field_and_its_events():
    events = [
        {"kind": "case_created", "reference": "NB-2026-000002"},
        {"kind": "message_left", "reference": ""},
        {"kind": "reference_mentioned", "reference": "NB-2026-000009"},  # perhaps someone else's
    ]
    assert case_references({"cases": '["NB-2026-000001"]'}, events) == {"NB-2026-000001", "NB-2026-000002"}


def test_the_quick_test_on_raw_records_never_misses_what_the_full_match_finds():
    raw = json.dumps({"text": "ring me on +44\u00a07700 900 123 about NB-2026-000042 or JO@example.com"})
    assert "\\u00a0" in raw  # written by a client that escapes everything
    for kind, value in (("phone", "07700900123"), ("reference", "NB-2026-000042"), ("email", "jo@example.com")):
        who = selector(kind, value)
        assert could_mention(raw, who) and mentions([json.loads(raw)], who)
    assert not could_mention(raw, selector("phone", "07700 900124"))
    assert not could_mention(raw, selector("email", "sam@example.com"))
