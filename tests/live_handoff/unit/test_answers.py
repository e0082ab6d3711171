"""Canned answers: advisors find the article a resident needs by typing a few words."""

import pytest

from knowledge_base.articles import load_knowledge_base
from live_handoff.answers import search, words


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("council tax pay", "council-tax-pay"),
        ("bin collection day", "bin-collection-day"),
        ("parking permit", "parking-permits"),
    ],
)
def test_a_few_words_find_the_right_article_first(kb, query, expected):
    found = search(kb, query)
    assert found and found[0].id == expected, [a.id for a in found]
    assert found[0].answer  # the same text the bot would send


def test_nothing_to_search_for_finds_nothing(kb):
    assert search(kb, "the and of") == [] and search(kb, "") == []


def test_plurals_match_singulars():
    assert words("Bins") == words("bin")
