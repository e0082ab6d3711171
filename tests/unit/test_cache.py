"""Answer edits are picked up without a restart; a broken edit never takes answers away."""

import os

import pytest

from knowledge_base.articles import ContentError
from knowledge_base.cache import KnowledgeBaseCache
from tests.unit.test_articles import GOOD, copy_messages, questions, write


@pytest.fixture
def folder(tmp_path):
    write(tmp_path, "topic-a", "first", GOOD.format(id="first", topic="topic-a", questions=questions("first")))
    copy_messages(tmp_path)
    return tmp_path


def touch_later(path):
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_an_edited_answer_is_served_on_the_next_read(folder):
    cache = KnowledgeBaseCache(folder / "content", folder / "messages.yml")
    assert "long enough" in cache.get().article("first").answer
    path = folder / "content" / "topic-a" / "first.yml"
    path.write_text(path.read_text().replace("This is an answer", "This is the NEW answer"))
    touch_later(path)
    assert cache.get().article("first").answer.startswith("This is the NEW answer")


def test_a_broken_edit_keeps_the_last_good_version(folder, caplog):
    cache = KnowledgeBaseCache(folder / "content", folder / "messages.yml")
    before = cache.get()
    path = folder / "content" / "topic-a" / "first.yml"
    path.write_text("id: first\nanswer: [broken\n")
    touch_later(path)
    assert cache.get() is before
    assert "edit rejected" in caplog.text


def test_broken_content_at_start_is_an_error_not_an_empty_bot(folder):
    (folder / "content" / "topic-a" / "first.yml").write_text("::: nonsense")
    with pytest.raises(ContentError):
        KnowledgeBaseCache(folder / "content", folder / "messages.yml").get()
