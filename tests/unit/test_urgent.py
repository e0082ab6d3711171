from pathlib import Path

import pytest

from knowledge_base import load_knowledge_base, urgent
from knowledge_base.urgent import PhraseMatcher, load_phrases, missing_numbers, numbers_in

PHRASES = Path(__file__).resolve().parents[2] / "knowledge_base" / "urgent_phrases.yml"


@pytest.fixture(scope="module")
def matcher():
    return PhraseMatcher(load_phrases(PHRASES))


def test_numbers_are_read_as_written_and_999_inside_a_longer_number_does_not_count():
    assert numbers_in("Call **0800 111 999** now") == {"0800111999"}
    assert numbers_in("call **999**, or Samaritans on 116 123.") == {"999", "116123"}
    assert "999" not in numbers_in("£999 fine")


def test_an_answer_missing_a_required_number_names_it():
    assert missing_numbers("crisis", "Call 999 or NHS 111.") == ["116 123"]
    assert missing_numbers("gas", "Call 0800 111 999 now; if anyone is unwell call 999.") == []


def test_every_category_has_a_route_intent_priority_and_numbers():
    for category in urgent.CATEGORIES:
        assert category.route == f"urgent:{category.name}" and category.intent == f"urgent_{category.name}"
        assert category.priority in ("urgent", "high") and "999" in category.numbers or category.name == "power"
    assert {c.name for c in urgent.CATEGORIES if c.priority == "urgent"} == {
        "crisis",
        "domestic_abuse",
        "safeguarding",
        "danger",
    }


@pytest.mark.parametrize(
    "text, intent",
    [
        ("I've been thinking about ending my life", "urgent_crisis"),
        ("i dont want to be here anymore, i want to end it all", "urgent_crisis"),
        ("im going to hurt myself", "urgent_crisis"),
        ("my son says he wants to kill himself", "urgent_crisis"),
        ("there's a gas smell in the street", "urgent_gas"),
        ("carbon monoxide alarm going off", "urgent_gas"),
        ("it smells of rotten eggs in the stairwell", "urgent_gas"),
        ("there's a fight with knives outside the chip shop", "urgent_danger"),
        ("my ex is outside banging on the door threatening me", "urgent_domestic_abuse"),
        ("my partner hits me", "urgent_domestic_abuse"),
        ("power cut on our whole street since 6", "urgent_power"),
        ("a power line has come down across the lane", "urgent_power"),
    ],
)
def test_urgent_words_name_their_category(matcher, text, intent):
    assert matcher.match(text)[0] == intent


@pytest.mark.parametrize(
    "text",
    [
        "the noise is killing me",
        "I'm dying to know when the tip opens",
        "gas safety check for my council flat",
        "child benefit hasn't arrived",
        "fire safety in our block",
        "its on the road",
        "it's a danger to cyclists",
        "i think my neighbour is running a business from home",
        "my phone has no power",
        "power of attorney",
        "intruder alarm ringing for hours at an empty house",
    ],
)
def test_near_misses_name_no_category(matcher, text):
    assert matcher.match_all(text) == []


def test_a_message_naming_two_categories_lists_both_in_order_of_precedence(matcher):
    hits = [intent for intent, _ in matcher.match_all("I can smell gas and honestly I want to end it all")]
    assert hits == ["urgent_crisis", "urgent_gas"]


def test_shipped_urgent_answers_give_every_required_number():
    kb = load_knowledge_base()
    for category in urgent.CATEGORIES:
        assert missing_numbers(category.name, kb.messages["routes"][category.route]["text"]) == []
        for key in ("signpost", "no_advisor"):
            assert missing_numbers(category.name, kb.messages["urgent"][category.name][key]) == [], (category, key)
