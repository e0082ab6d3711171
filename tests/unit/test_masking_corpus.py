"""The masking gate: residents' messages in their own words (tests/data/masking_corpus.yml),
each with what must be hidden and what must be kept. Below 97% of lines passing, the
suite fails and prints the failing lines and the score per kind.

The same report: ``python -m contracts.masking_score tests/data/masking_corpus.yml``."""

from __future__ import annotations

from bot.processes import ROOT
from contracts.masking import mask
from contracts.masking_score import PASS_MARK, load, score

CORPUS = ROOT / "tests" / "data" / "masking_corpus.yml"
MINIMUM_LINES = 150


def test_the_corpus_has_enough_lines_each_saying_what_to_hide_or_keep():
    entries = load(CORPUS)
    assert len(entries) >= MINIMUM_LINES
    assert all(entry.get("hide") or entry.get("keep") for entry in entries)


def test_masking_passes_at_least_97_percent_of_the_corpus():
    result = score(load(CORPUS))
    assert result.ratio >= PASS_MARK, result.report()


def test_masking_any_corpus_line_twice_changes_nothing_more():
    once = [line.masked for line in score(load(CORPUS)).lines]
    assert [text for text in once if mask(text) != text] == []


def test_a_line_fails_when_something_to_hide_is_shown_or_something_to_keep_is_lost():
    result = score(
        [
            {"kind": "phone", "text": "ring 07700 900123", "hide": ["07700 900123"], "keep": ["ring"]},
            {"kind": "keep_only", "text": "I have 3 bins", "keep": ["3 bins", "four bins"]},
            {"kind": "name", "text": "it's Mrs Patel", "hide": ["Patel"]},
        ]
    )
    assert [line.passed for line in result.lines] == [True, False, True]
    assert result.by_kind() == {"phone": (1, 1), "keep_only": (0, 1), "name": (1, 1)}
    assert "lost: 'four bins'" in result.report()
