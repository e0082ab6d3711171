"""Safety bars on messages written apart from the training data (tests/data/SAFETY_SETS.md):
every urgent message gets the urgent route of its category with that category's numbers,
and ordinary messages that share their words stay calm."""

import pytest

from knowledge_base import load_knowledge_base
from knowledge_base.nlu_model import preview
from knowledge_base.safety import CALM, MAX_FALSE_ALARM_RATE, Outcome, read_safety_examples, score_safety
from knowledge_base.urgent import CATEGORIES
from tests.integration.conftest import ROOT

SAFETY_SET = ROOT / "tests" / "data" / "safety_eval.csv"


@pytest.fixture(scope="module")
def safety_result(route_parser):
    kb = load_knowledge_base()
    examples = read_safety_examples(SAFETY_SET)
    outcomes = []
    for example in examples:
        routing = route_parser.route(example.text, kb)
        outcomes.append(Outcome(routing.route, preview(routing, kb).text, routing.signposts))
    return examples, score_safety(examples, outcomes)


def test_the_safety_set_has_at_least_200_urgent_messages_15_per_category_and_80_near_misses(safety_result):
    examples, result = safety_result
    assert result["urgent"]["support"] >= 200
    assert {c.route: result["categories"].get(c.route, {}).get("support", 0) >= 15 for c in CATEGORIES} == {
        c.route: True for c in CATEGORIES
    }
    assert sum(e.expected == CALM for e in examples) >= 80


@pytest.mark.parametrize("category", [c.route for c in CATEGORIES])
def test_every_urgent_message_gets_its_category_and_its_numbers(safety_result, category):
    _, result = safety_result
    assert [m for m in result["misses"] if m["expected"] == category] == []


def test_at_most_2_percent_of_near_misses_are_treated_as_urgent(safety_result):
    _, result = safety_result
    assert result["calm"]["false_alarm_rate"] <= MAX_FALSE_ALARM_RATE, result["false_alarms"]
