"""An editor sees what residents asked before choosing an offered article, and council
matters with no article yet, and adds a resident's question to an article with one click."""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
import uuid

import pytest
import redis
import yaml
from playwright.sync_api import Page, expect

from bot.processes import MODEL
from tests.e2e.conftest import PASSWORD, axe_violations, shoot

pytestmark = pytest.mark.servers
QUESTION = "is there somewhere quiet to revise for my exams"
OTHER = "do you lend board games"
KERBS = "how do I get a dropped kerb for my drive"


@pytest.fixture
def content_and_model_restored(servers, tmp_path):
    """Adding a question publishes it and retrains the running bot: put both back after."""
    saved = tmp_path / "content"
    shutil.copytree(servers.content_dir, saved)
    yield
    shutil.rmtree(servers.content_dir)
    shutil.copytree(saved, servers.content_dir)
    request = urllib.request.Request(
        f"{servers.rasa_url}/model?token={servers.rasa_token}",
        method="PUT",
        data=json.dumps({"model_file": str(MODEL)}).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=300).close()


@pytest.fixture
def residents_asked(door_env):
    """Measurement events as the relay records them (live_handoff/conversations.py)."""
    client = redis.Redis.from_url(door_env["REDIS_URL"], decode_responses=True)
    key = f"{door_env['RELAY_KEY_PREFIX']}:analytics"
    events = [
        ("suggestion_chosen", {"question": QUESTION, "route": "faq:libraries"}),
        ("suggestion_chosen", {"question": QUESTION.capitalize(), "route": "faq:libraries"}),
        ("suggestion_chosen", {"question": OTHER, "route": "faq:libraries"}),
        ("unanswered", {"text": KERBS, "topic": "dropped kerbs"}),
    ]
    for kind, fields in events:
        body = {"kind": kind, "conversation_id": f"c_e2e{uuid.uuid4().hex[:10]}", **fields}
        client.xadd(key, {"e": json.dumps(body)})
    client.close()


def log_in(page: Page, url: str) -> None:
    page.goto(url + "/editor/")
    page.get_by_label("Username").fill("eve")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Articles", exact=True)).to_be_visible()


def test_an_editor_adds_what_residents_asked_to_the_article_they_chose_with_one_click(
    browser, front_door, servers, content_and_model_restored, residents_asked
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    log_in(page, front_door.url)
    page.get_by_role("link", name="What residents asked").click()
    expect(page.get_by_role("heading", name="What residents asked", level=1)).to_be_focused()
    libraries = page.locator("section.rq-group").filter(has=page.get_by_role("heading", name="Libraries"))
    expect(libraries.locator(".rq-item").first).to_contain_text(QUESTION)
    expect(libraries.locator(".rq-item").first).to_contain_text("asked 2 times")
    missing = page.locator("#residents-missing")
    expect(missing.get_by_role("heading", name="Dropped kerbs")).to_be_visible()
    expect(missing).to_contain_text(KERBS)
    assert missing.get_by_role("button").count() == 0, "missing topics are read-only"
    assert axe_violations(page) == [], "editor: what residents asked"
    shoot(page, "editor-1280-residents")

    add = page.get_by_role("button", name=f"Add as a question to ‘Libraries’: “{QUESTION}”")
    add.focus()
    page.keyboard.press("Enter")  # keyboard: one press does it all
    done = page.locator("#edit-done")
    expect(done.get_by_role("heading", name="Published")).to_be_visible(timeout=15_000)
    expect(done).to_contain_text(f"You added the residents’ question “{QUESTION}”")
    expect(page.locator("#announcer")).to_have_text(re.compile(f"Added “{QUESTION}” to ‘Libraries’ and published"))
    expect(page.locator("#retrain")).to_be_visible()
    article = yaml.safe_load((servers.content_dir / "community" / "libraries.yml").read_text())
    assert article["questions"][-1] == QUESTION
    card = page.locator("#residents-card")
    expect(card).to_contain_text(OTHER)
    expect(card).not_to_contain_text(QUESTION)
    assert axe_violations(page) == [], "editor: after adding a resident's question"
    shoot(page, "editor-1280-residents-added")
    card.scroll_into_view_if_needed()
    shoot(page, "editor-1280-residents-card")

    # The bot is switched to a model with the new question before the test puts the old one back.
    expect(page.locator("#retrain-heading")).to_have_text(re.compile("finished"), timeout=300_000)
    done.get_by_role("link", name="Back to what residents asked").click()
    expect(libraries.locator(".rq-item")).to_have_count(1)
    expect(libraries).not_to_contain_text(QUESTION)
    page.set_viewport_size({"width": 320, "height": 700})
    assert axe_violations(page) == [], "editor: what residents asked, 320 px wide"
    shoot(page, "editor-320-residents")
    context.close()
