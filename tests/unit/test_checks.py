"""kb-check findings: what an editor is told to improve, and what is left alone."""

import datetime as dt

import pytest

from knowledge_base import checks, load_knowledge_base
from tests.unit.test_articles import GOOD, copy_messages, load, questions, write


@pytest.fixture
def folder(tmp_path):
    write(tmp_path, "topic-a", "first", GOOD.format(id="first", topic="topic-a", questions=questions("first")))
    copy_messages(tmp_path)
    return tmp_path


def add(folder, article_id, **changes):
    text = GOOD.format(id=article_id, topic="topic-a", questions=changes.pop("questions", questions(article_id)))
    for old, new in changes.get("replace", {}).items():
        text = text.replace(old, new)
    write(folder, "topic-a", article_id, text)


def test_shipped_content_has_nothing_to_improve():
    kb = load_knowledge_base()
    today = max(a.last_reviewed for a in kb.articles.values())
    assert (
        checks.near_duplicate_questions(kb)
        + checks.link_problems(kb)
        + checks.stale_articles(kb, today)
        + checks.hard_to_read(kb)
    ) == []


def test_nearly_the_same_question_under_two_articles_is_found(folder):
    add(folder, "second", questions=", ".join(["First question 1!"] + [f"second q {i}" for i in range(9)]))
    found = checks.near_duplicate_questions(load(folder))
    assert len(found) == 1 and "nearly the same as 'First question 1!' in article 'second'" in found[0].message


def test_links_that_are_not_https_or_say_click_here_are_found(folder):
    add(
        folder,
        "second",
        replace={
            "- first point": "- see [click here](https://www.northbridge.example/x)",
            "- second point": "- or [the old site](http://old.northbridge.example)",
        },
    )
    messages = [f.message for f in checks.link_problems(load(folder))]
    assert any("does not say where it goes" in m for m in messages)
    assert any("'http://old.northbridge.example' is not a full https:// address" in m for m in messages)


def test_articles_not_reviewed_for_12_months_are_listed():
    kb = load_knowledge_base()
    oldest = min(a.last_reviewed for a in kb.articles.values())
    assert checks.stale_articles(kb, oldest + dt.timedelta(days=364)) == []
    assert len(checks.stale_articles(kb, oldest + dt.timedelta(days=400))) >= 1


def test_hard_answers_score_low_and_plain_ones_high():
    plain = "You can pay online. It takes five minutes. You need your bill."
    hard = (
        "Notwithstanding the aforementioned considerations, residents experiencing circumstances "
        "necessitating administrative reconsideration should communicate comprehensively documented "
        "representations, incorporating substantiating evidentiary documentation, to the appropriate "
        "departmental representatives."
    )
    assert checks.reading_ease(plain) > 80 > 20 > checks.reading_ease(hard)


def test_questions_the_model_sends_elsewhere_are_listed(folder):
    kb = load(folder)
    found = checks.misrouted_questions(kb, lambda text: "out_of_scope" if text.endswith("3") else "faq:first")
    assert [f.field for f in found] == ["questions.3"]
