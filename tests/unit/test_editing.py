"""Publishing changes only the lines that changed, so version control shows the edit."""

import datetime as dt
import shutil

import pytest

from knowledge_base.articles import DEFAULT_CONTENT_DIR, DEFAULT_MESSAGES_FILE, ContentError
from knowledge_base.editing import history, publish


@pytest.fixture
def content(tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, copy)
    return copy


def test_an_answer_edit_rewrites_only_the_answer_and_review_date(content, tmp_path):
    path = content / "council-tax" / "council-tax-pay.yml"
    before = path.read_text()
    publish(
        content,
        DEFAULT_MESSAGES_FILE,
        "council-tax-pay",
        {"answer": "You can pay online at any time.\n\nOr pay by phone on 01632 960100."},
        "eve",
        tmp_path / "audit.jsonl",
        today=dt.date(2026, 11, 23),
    )
    after = path.read_text()

    def outside_answer(text):
        lines = text.splitlines()
        start = (
            lines.index("answer: |")
            if "answer: |" in lines
            else next(i for i, line in enumerate(lines) if line.startswith("answer:"))
        )
        end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith(" ")), len(lines))
        return [line for line in lines[:start] + lines[end:] if not line.startswith("last_reviewed")]

    assert outside_answer(after) == outside_answer(before)  # questions, links, comments: untouched
    assert 'last_reviewed: "2026-11-23"' in after and "Or pay by phone on 01632 960100." in after
    entry = history(tmp_path / "audit.jsonl")[0]
    assert entry["who"] == "eve" and entry["changed"] == ["answer"]


def test_a_broken_change_writes_nothing(content, tmp_path):
    path = content / "council-tax" / "council-tax-pay.yml"
    before = path.read_text()
    with pytest.raises(ContentError):
        publish(
            content,
            DEFAULT_MESSAGES_FILE,
            "council-tax-pay",
            {"links": [{"title": "x", "url": "ftp://x"}]},
            "eve",
            tmp_path / "audit.jsonl",
        )
    assert path.read_text() == before and not (tmp_path / "audit.jsonl").exists()
