from pathlib import Path

import pytest

from bot.components.urgent_matcher import PhraseMatcher, UrgentPhrasesError, load_phrases
from knowledge_base import load_knowledge_base

PHRASES = Path(__file__).resolve().parents[2] / "knowledge_base" / "urgent_phrases.yml"


@pytest.fixture(scope="module")
def matcher():
    return PhraseMatcher(load_phrases(PHRASES))


@pytest.mark.parametrize(
    "text, intent",
    [
        ("my neighbour's kids are home alone every night", "urgent_safeguarding"),
        ("I think my dad is being financially abused by his carer", "urgent_safeguarding"),
        ("my friend says she doesn't feel safe at home", "urgent_safeguarding"),
        ("there's a strong smell of gas in the stairwell", "urgent_gas"),
        ("lamp post sparking outside number 4", "urgent_emergency"),
        ("a tree has come down across Mill Lane", "urgent_emergency"),
        ("water is pouring through the ceiling of my flat", "urgent_emergency"),
        ("no heating and it's freezing, I've got a baby", "urgent_emergency"),
    ],
)
def test_urgent_phrases_are_recognised(matcher, text, intent):
    assert matcher.match(text)[0] == intent


@pytest.mark.parametrize(
    "text",
    [
        "how do I pay my council tax",
        "dog grooming licence",
        "the lamp column has been hit by a van",
        "the bin men were rude to me",
        "when is my bin day",
    ],
)
def test_ordinary_messages_are_not_urgent(matcher, text):
    assert matcher.match(text) is None


def test_no_knowledge_base_question_triggers_an_urgent_phrase(matcher):
    kb = load_knowledge_base()
    hits = [(a.id, q) for a in kb.articles.values() for q in a.questions if matcher.match(q)]
    assert hits == []


def test_an_invalid_pattern_is_reported_with_the_file(tmp_path):
    path = tmp_path / "urgent.yml"
    path.write_text("urgent_emergency:\n  - '(unclosed'\n", encoding="utf-8")
    with pytest.raises(UrgentPhrasesError, match="urgent.yml: urgent_emergency: pattern"):
        load_phrases(path)


def test_an_unknown_intent_is_reported(tmp_path):
    path = tmp_path / "urgent.yml"
    path.write_text("urgent_fire:\n  - 'fire'\n", encoding="utf-8")
    with pytest.raises(UrgentPhrasesError, match="not one of"):
        load_phrases(path)
