"""Loading and validating content: every problem names the file, the field and what is wrong."""

import re
from pathlib import Path

import pytest

from knowledge_base.articles import DEFAULT_MESSAGES_FILE, ContentError, load_knowledge_base, unwrap_paragraphs

GOOD = """\
id: {id}
title: Test article
topic: {topic}
owner: Test team
last_reviewed: 2026-10-01
questions: [{questions}]
answer: |
  This is an answer that is long enough to pass the schema
  and wraps over two lines.

  - first point
  - second point
links:
  - title: More about it
    url: https://www.northbridge.example/test
"""


def questions(prefix: str) -> str:
    return ", ".join(f"{prefix} question {i}" for i in range(10))


def write(folder: Path, topic: str, article_id: str, text: str) -> Path:
    path = folder / "content" / topic / f"{article_id}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def kb_dir(tmp_path):
    write(tmp_path, "topic-a", "first", GOOD.format(id="first", topic="topic-a", questions=questions("first")))
    copy_messages(tmp_path)
    return tmp_path


def copy_messages(folder: Path) -> None:
    """The shipped messages, with article buttons pointing at the test article."""
    text = re.sub(r'route: "faq:[a-z0-9-]+"', 'route: "faq:first"', DEFAULT_MESSAGES_FILE.read_text())
    (folder / "messages.yml").write_text(text)


def load(folder: Path):
    return load_knowledge_base(folder / "content", folder / "messages.yml")


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load(folder)
    return [str(p) for p in info.value.problems]


def test_a_valid_article_loads_with_unquoted_date_and_unwrapped_answer(kb_dir):
    kb = load(kb_dir)
    article = kb.article("first")
    assert article.last_reviewed.isoformat() == "2026-10-01"
    assert "schema and wraps" in article.answer
    assert "- first point\n- second point" in article.answer
    assert article.links[0].url == "https://www.northbridge.example/test"


def test_missing_field_is_named_with_its_file(kb_dir):
    text = GOOD.format(id="second", topic="topic-a", questions=questions("second")).replace("owner: Test team\n", "")
    write(kb_dir, "topic-a", "second", text)
    assert problems_of(kb_dir) == ["content/topic-a/second.yml (field: owner): is missing; every article needs it"]


def test_too_few_questions_is_reported(kb_dir):
    text = GOOD.format(id="second", topic="topic-a", questions="one, two, three")
    write(kb_dir, "topic-a", "second", text)
    [problem] = problems_of(kb_dir)
    assert "second.yml (field: questions)" in problem and "at least 10" in problem


def test_html_in_an_answer_is_refused(kb_dir):
    text = GOOD.format(id="second", topic="topic-a", questions=questions("second")).replace(
        "- first point", "- <script>alert(1)</script>"
    )
    write(kb_dir, "topic-a", "second", text)
    [problem] = problems_of(kb_dir)
    assert "(field: answer)" in problem and "HTML" in problem


def test_invalid_yaml_reports_line_and_column(kb_dir):
    write(kb_dir, "topic-a", "second", "id: second\ntitle: [unclosed\n")
    [problem] = problems_of(kb_dir)
    assert problem.startswith("content/topic-a/second.yml: is not valid YAML at line")


def test_id_must_match_file_name_and_topic_the_folder(kb_dir):
    write(kb_dir, "topic-b", "second", GOOD.format(id="other", topic="topic-a", questions=questions("second")))
    found = problems_of(kb_dir)
    assert any("(field: id)" in p and "file name" in p for p in found)
    assert any("(field: topic)" in p and "folder name" in p for p in found)


def test_the_same_question_under_two_articles_is_refused(kb_dir):
    write(kb_dir, "topic-a", "second", GOOD.format(id="second", topic="topic-a", questions=questions("first")))
    found = problems_of(kb_dir)
    assert any("also a question of article 'first'" in p for p in found)


def test_bad_date_and_bad_link_are_explained(kb_dir):
    text = GOOD.format(id="second", topic="topic-a", questions=questions("second"))
    text = text.replace("2026-10-01", "1st October").replace(
        "https://www.northbridge.example/test", "javascript:alert(1)"
    )
    write(kb_dir, "topic-a", "second", text)
    found = problems_of(kb_dir)
    assert any("(field: last_reviewed)" in p and "YYYY-MM-DD" in p for p in found)
    assert any("(field: links.0.url)" in p for p in found)


def test_every_problem_in_every_file_is_reported_at_once(kb_dir):
    write(kb_dir, "topic-a", "second", "id: second\n")
    write(kb_dir, "topic-a", "third", "::: not yaml")
    found = problems_of(kb_dir)
    assert any("second.yml" in p for p in found) and any("third.yml" in p for p in found)


def test_unknown_field_is_reported_as_a_likely_typo(kb_dir):
    text = GOOD.format(id="second", topic="topic-a", questions=questions("second")) + "ofer_advisor: true\n"
    write(kb_dir, "topic-a", "second", text)
    [problem] = problems_of(kb_dir)
    assert "(field: ofer_advisor)" in problem and "not a known field" in problem


def test_broken_messages_file_is_reported(kb_dir):
    (kb_dir / "messages.yml").write_text("routes: {}\n", encoding="utf-8")
    found = problems_of(kb_dir)
    assert any(p.startswith("messages.yml (field: labels)") for p in found)


def test_paragraph_unwrapping_keeps_lists_and_blank_lines():
    text = "First line\nsecond line.\n\nIntro:\n- item one\n- item two\ncontinues\n"
    assert unwrap_paragraphs(text) == "First line second line.\n\nIntro:\n- item one\n- item two continues"


def test_a_messages_file_missing_an_urgent_route_is_refused(kb_dir):
    path = kb_dir / "messages.yml"
    path.write_text(path.read_text().replace('"urgent:safeguarding":', '"urgent:safeguardin":'))
    found = problems_of(kb_dir)
    assert "messages.yml (field: routes.urgent:safeguarding): is missing; the bot needs a message for it" in found


def test_a_button_to_an_unknown_route_or_article_is_refused(kb_dir):
    path = kb_dir / "messages.yml"
    text = path.read_text().replace('route: "faq:first"', 'route: "faq:no-such-article"', 1)
    path.write_text(text.replace("route: handoff}", "route: smalltalk:hello}", 1))
    found = problems_of(kb_dir)
    assert any("'faq:no-such-article' is not a route the bot knows" in p for p in found)
    assert any("'smalltalk:hello' is not a route the bot knows" in p for p in found)


def test_numbered_lists_keep_their_lines():
    assert unwrap_paragraphs("Steps:\n1. Apply online\n2. Upload proof") == "Steps:\n1. Apply online\n2. Upload proof"


def test_an_urgent_answer_that_lost_its_helpline_number_is_refused(tmp_path):
    import shutil

    from knowledge_base.articles import DEFAULT_CONTENT_DIR, DEFAULT_MESSAGES_FILE

    messages = tmp_path / "messages.yml"
    text = Path(DEFAULT_MESSAGES_FILE).read_text(encoding="utf-8")
    messages.write_text(text.replace("call **116 123**", "call **Samaritans**", 1), encoding="utf-8")
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    with pytest.raises(ContentError, match=r"routes\.urgent:crisis\.text.*must give 116 123"):
        load_knowledge_base(content, messages)
