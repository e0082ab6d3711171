"""What a routed turn teaches editors (live_handoff.editor_events.editor_events): which
offered article residents chose, and what the bot could not answer. Pure, no Redis."""

from __future__ import annotations

import json

import pytest

from live_handoff.editor_events import editor_events

SUGGEST = {"name": "suggest", "confidence": 0.41, "suggestions": ["faq:children-families", "faq:libraries"]}
QUESTION = "anything for kids to do near SW1A 1AA"


def offer_after(question: str = QUESTION, route: dict | None = None) -> str:
    events, remember = editor_events(route or SUGGEST, question, "")
    assert events == [] and remember
    return remember


def test_a_suggestion_remembers_the_masked_question_and_the_offered_articles():
    offer = json.loads(offer_after())
    assert offer == {
        "question": "anything for kids to do near [postcode]",
        "suggestions": ["faq:children-families", "faq:libraries"],
    }


def test_pressing_an_offered_article_records_the_question_that_led_to_it_and_forgets_the_offer():
    events, remember = editor_events({"name": "faq:libraries", "confidence": 1.0}, "/faq_libraries", offer_after())
    assert events == [
        ("suggestion_chosen", {"question": "anything for kids to do near [postcode]", "route": "faq:libraries"})
    ]
    assert remember == ""


def test_an_offer_remembered_with_weaker_masking_is_masked_again_when_the_choice_is_recorded():
    remembered = json.dumps({"question": "my NI is QQ 12 34 56 C, who do I ask", "suggestions": ["faq:libraries"]})
    events, _ = editor_events({"name": "faq:libraries", "confidence": 1.0}, "/faq_libraries", remembered)
    assert events == [
        ("suggestion_chosen", {"question": "my NI is [ni number], who do I ask", "route": "faq:libraries"})
    ]


def test_an_unanswered_question_is_recorded_with_every_kind_of_personal_data_masked():
    asked = "im dave, NI QQ123456C, born 01/02/1980, reg AB12 CDE, Rose Cottage, Mill Lane: who empties bins"
    events, _ = editor_events({"name": "out_of_scope", "confidence": 0.2}, asked, "")
    assert events == [
        (
            "unanswered",
            {"text": "im [name], NI [ni number], born [date of birth], reg [vehicle], [address]: who empties bins"},
        )
    ]


def test_an_article_that_was_not_offered_records_nothing_and_the_offer_ends():
    events, remember = editor_events({"name": "faq:council-tax-pay"}, "/faq_council_tax_pay", offer_after())
    assert (events, remember) == ([], "")


def test_typing_words_that_reach_an_offered_article_is_not_pressing_its_button():
    events, remember = editor_events({"name": "faq:libraries"}, "library opening times", offer_after())
    assert (events, remember) == ([], "")


def test_an_offer_is_only_answered_once():
    offer = offer_after()
    editor_events({"name": "smalltalk:thanks"}, "thanks", offer)  # the relay forgets it here
    events, remember = editor_events({"name": "faq:libraries"}, "/faq_libraries", "")
    assert (events, remember) == ([], None)


def test_a_new_suggestion_replaces_the_last_offer():
    _, remember = editor_events({"name": "suggest", "suggestions": ["faq:youth-services"]}, "youth club", offer_after())
    assert json.loads(remember) == {"question": "youth club", "suggestions": ["faq:youth-services"]}


@pytest.mark.parametrize(
    "route",
    [
        {"name": "faq:libraries", "signposts": ["crisis"]},
        {"name": "urgent:crisis"},
    ],
    ids=["signposted", "urgent"],
)
def test_a_turn_with_urgent_numbers_records_nothing_even_for_an_offered_article(route):
    events, remember = editor_events(route, "/faq_libraries", offer_after())
    assert (events, remember) == ([], "")


def test_a_suggestion_with_urgent_numbers_is_not_remembered():
    events, remember = editor_events({**SUGGEST, "signposts": ["crisis"]}, "I can't cope with the kids", "")
    assert (events, remember) == ([], None)


def test_a_suggestion_without_articles_or_from_a_button_is_not_remembered():
    assert editor_events({"name": "suggest", "suggestions": []}, QUESTION, "") == ([], None)
    assert editor_events({"name": "suggest", "suggestions": ["handoff", 3]}, QUESTION, "") == ([], None)
    assert editor_events(SUGGEST, "/faq_libraries", "") == ([], None)


def test_a_missing_topic_is_recorded_as_unanswered_with_its_topic_and_masked_text():
    route = {"name": "missing_topic", "topic": "dropped kerbs", "confidence": 0.2}
    events, remember = editor_events(route, "can I get a dropped kerb outside 12 Acacia Road", "")
    assert events == [("unanswered", {"text": "can I get a dropped kerb outside [address]", "topic": "dropped kerbs"})]
    assert remember is None


def test_a_missing_topic_without_a_name_is_recorded_like_out_of_scope():
    events, _ = editor_events({"name": "missing_topic"}, "who fixes the kerb", "")
    assert events == [("unanswered", {"text": "who fixes the kerb"})]
    assert editor_events({"name": "out_of_scope"}, "banana bread", "")[0] == [("unanswered", {"text": "banana bread"})]


@pytest.mark.parametrize("name", ["missing_topic", "out_of_scope"])
def test_an_unanswered_turn_that_carried_urgent_numbers_is_never_kept(name):
    events, _ = editor_events({"name": name, "topic": "kerbs", "signposts": ["danger"]}, "someone is outside", "")
    assert events == []


def test_long_questions_are_cut_to_300_characters():
    events, _ = editor_events({"name": "missing_topic"}, "kerb " * 100, "")
    assert len(events[0][1]["text"]) == 300
    assert len(json.loads(offer_after("kerb " * 100))["question"]) == 300


def test_an_unreadable_offer_is_forgotten_without_recording():
    assert editor_events({"name": "faq:libraries"}, "/faq_libraries", "not json") == ([], "")
    assert editor_events({"name": "faq:libraries"}, "/faq_libraries", '{"suggestions": "faq:libraries"}') == ([], "")
