"""An editor changes an answer in the editors' page and a resident sees it in the widget."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, axe_violations, shoot
from tests.e2e.test_browser import last_bot, open_widget, send

pytestmark = pytest.mark.servers


@pytest.fixture
def content_restored(servers, tmp_path):
    saved = tmp_path / "content"
    shutil.copytree(servers.content_dir, saved)
    yield
    shutil.rmtree(servers.content_dir)
    shutil.copytree(saved, servers.content_dir)


def test_an_answer_published_in_the_editor_reaches_the_widget_within_seconds(
    browser, front_door, content_restored, resident_page: Page
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    editor = context.new_page()
    editor.goto(front_door.url + "/editor/")
    editor.get_by_label("Username").fill("eve")
    editor.get_by_label("Password").fill(PASSWORD)
    editor.get_by_role("button", name="Log in").click()
    expect(editor.get_by_role("heading", name="Articles")).to_be_visible()
    assert axe_violations(editor) == [], "editor: article list"
    editor.goto(front_door.url + "/editor/#/articles/council-tax-pay")
    answer = editor.get_by_label(re.compile("^Answer"))
    expect(answer).to_be_visible()
    answer.fill(answer.input_value() + "\n\nFrom 1 December you can also pay at any Post Office.")
    expect(editor.locator("#preview, .preview").filter(has_text="Post Office").first).to_be_visible(timeout=5_000)
    assert axe_violations(editor) == [], "editor: editing with preview"
    shoot(editor, "editor-1280-edit")
    editor.get_by_role("button", name="Publish changes").click()
    expect(editor.get_by_role("heading", name="Published")).to_be_visible(timeout=15_000)

    open_widget(resident_page, front_door.url)
    send(resident_page, "how can I pay my council tax")
    expect(last_bot(resident_page, "council tax")).to_contain_text("Post Office", timeout=15_000)
    context.close()
