"""In Chromium: a resident whose message the case system would refuse keeps the form with the
error beside the field; a supervisor deals with a message set aside using the keyboard only.

Its own front door (with the built-in Open311 service, the contact centre closed and no Rasa),
so it needs neither the bot nor the shared front door's state."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
import uuid

import pytest
import redis
from playwright.sync_api import Page, expect

from front_door.processes import FrontDoor
from tests.e2e.conftest import PASSWORD, _page, add_user, axe_violations, shoot

API_KEY = "chat-key-0123456789"
STAFF_KEY = "staff-key-0123456789"


@pytest.fixture(scope="module")
def closed_door(redis_server, tmp_path_factory):
    from tests.front_door.conftest import build_widget

    build_widget()  # the widget bundle the front door serves (make widget)
    folder = tmp_path_factory.mktemp("closed-door")
    this_year = dt.date.today().year
    door = FrontDoor({}, folder / "front-door.log")
    env = {
        "REDIS_URL": redis_server.url,
        "RASA_URL": "http://127.0.0.1:9",
        "RELAY_KEY_PREFIX": f"s{uuid.uuid4().hex[:8]}",
        "RELAY_CLOSURES": f"{this_year - 1}-01-01..{this_year + 1}-12-31",
        "OPEN311_API_KEYS": API_KEY,
        "OPEN311_STAFF_KEYS": STAFF_KEY,
        "OPEN311_DB": str(folder / "cases.sqlite3"),
        "OPEN311_URL": f"{door.url}/open311/v2/",
        "OPEN311_API_KEY": API_KEY,
        "OPEN311_STAFF_KEY": STAFF_KEY,
    }
    door.env = env
    add_user({**os.environ, **env}, "olu", "Olu Bello", roles=("supervisor",))
    door.start()
    yield door, env
    door.stop()


def leave_form(page: Page, email: str) -> None:
    form = page.get_by_role("form", name="Leave a message")
    form.get_by_label("Your message").fill("Please call me about my council tax")
    form.get_by_label("Phone number").fill("01632 960123")
    form.get_by_label("Email address").fill(email)
    form.get_by_role("button", name="Send message").click()


def test_a_refused_email_keeps_the_form_and_a_supervisor_deletes_a_set_aside_message_by_keyboard(browser, closed_door):
    door, env = closed_door
    # A message an older relay acknowledged without checking waits at the head of the outbox.
    poison = {"key": "c_old:m1", "conversation_id": "c_old", "left_at": int(time.time() * 1000) - 60_000}
    poison.update({"text": "Call me on 07700 900461", "name": "Jo \ud800", "phone": "07700 900461", "email": ""})
    store = redis.Redis.from_url(env["REDIS_URL"])
    store.rpush(f"{env['RELAY_KEY_PREFIX']}:outbox", json.dumps(poison))

    context, page = _page(browser)
    page.goto(door.url + "/")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_role("button", name="Talk to an advisor").click()
    page.get_by_role("button", name="Leave a message").last.click()
    leave_form(page, "javascript:x@example.zz")
    email = page.get_by_label("Email address")
    expect(email).to_have_attribute("aria-invalid", "true", timeout=10_000)
    expect(email).to_be_focused()
    expect(page.locator("#fd-lm-email-error")).to_contain_text('Your email address cannot contain < > or "javascript:"')
    expect(page.locator("#fd-lm-text")).to_have_value("Please call me about my council tax")
    shoot(page, "leave-message-refused-email")
    email.fill("jo.bloggs@example.org")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("log")).to_contain_text(re.compile(r"reference NB-\d{4}-\d+"), timeout=15_000)
    context.close()

    context, page = _page(browser)
    page.goto(door.url + "/staff/?next=/manager/set-aside/")
    page.get_by_label("Username").focus()
    page.keyboard.type("olu")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Messages set aside", level=1)).to_be_visible(timeout=10_000)
    section = page.get_by_role("region", name=re.compile("Message 1"))
    expect(section).to_contain_text("cannot be sent (a lone surrogate)")
    expect(section).to_contain_text("c_old")
    expect(section.locator("dd").nth(4)).not_to_contain_text("07700 900461")  # the message is masked
    expect(section.locator("dd").nth(6)).to_have_text("07700 900461")  # the contact details are not
    assert axe_violations(page) == [], "the set-aside page"
    tab_to(page, "Delete…")
    shoot(page, "set-aside-page-delete-focused")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Delete this message?")).to_be_visible()
    tab_to(page, "Delete now")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("The message is deleted.")
    expect(page.get_by_text("No messages are set aside")).to_be_visible()
    shoot(page, "set-aside-page-after-delete")
    context.close()
    store.close()


def tab_to(page: Page, label: str) -> None:
    """Press Tab until the button ``label`` has the focus, as a keyboard user would."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == label:
            return
    raise AssertionError(f"Tab never reached {label!r}")
