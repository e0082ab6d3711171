""" "Use my location" in Debian's Chromium with a faked position, against the real front
door, bot, action server and Open311 service: by keyboard alone, at 375 px, and refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import axe_violations, shoot
from tests.e2e.test_browser import advisor_login, bot_count, last_bot, open_widget, send, wait_for_reply

pytestmark = pytest.mark.servers

HERE = {"latitude": 52.4521, "longitude": -1.5012, "accuracy": 20}


def phone(browser: Browser, granted: bool) -> Page:
    context = browser.new_context(
        viewport={"width": 375, "height": 667},
        bypass_csp=True,
        geolocation=HERE,
        permissions=["geolocation"] if granted else [],
    )
    return context.new_page()


def ask_for_a_pothole(page: Page, url: str):
    open_widget(page, url)
    seen = bot_count(page)
    send(page, "there's a massive pothole on our road")
    wait_for_reply(page, seen)
    return last_bot(page, "postcode")


def test_a_resident_shares_their_location_by_keyboard_alone_and_hears_it_back_in_words(browser, front_door):
    page = phone(browser, granted=True)
    question = ask_for_a_pothole(page, front_door.url)
    button = question.get_by_role("button", name="Use my location")
    expect(button).to_be_visible()
    described = button.evaluate("b => document.getElementById(b.getAttribute('aria-describedby')).textContent")
    assert "Optional" in described and "this report only" in described and "type a street" in described
    shoot(page, "location-375-offered")
    assert axe_violations(page, ".fd-panel") == []
    for _ in range(20):  # from the message box, back through the page by keyboard to the button
        if page.evaluate("document.activeElement.classList.contains('fd-location')"):
            break
        page.keyboard.press("Shift+Tab")
    else:
        raise AssertionError("the location button cannot be reached by keyboard")
    seen = bot_count(page)
    page.keyboard.press("Enter")
    wait_for_reply(page, seen)
    said = last_bot(page, "current location")
    expect(said).to_contain_text("I'll use your current location (accuracy about 20 m)")
    expect(said.get_by_role("link", name="check it on a map")).to_have_attribute(
        "href", "https://www.openstreetmap.org/?mlat=52.45210&mlon=-1.50120#map=18/52.45210/-1.50120"
    )
    expect(page.locator("li.fd-msg.fd-from-resident").last).to_contain_text("Use my location")
    expect(last_bot(page, "street name or landmark").get_by_role("button", name="Skip")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "location-375-confirmed")
    page.context.close()


def test_a_refused_location_is_explained_and_the_resident_types_the_postcode_instead(browser, front_door):
    page = phone(browser, granted=False)
    question = ask_for_a_pothole(page, front_door.url)
    residents = page.locator("li.fd-msg.fd-from-resident").count()
    question.get_by_role("button", name="Use my location").click()
    problem = question.locator(".fd-location-problem")
    expect(problem).to_be_visible(timeout=20_000)
    expect(problem).to_contain_text("type the street")
    expect(page.locator(".fd-status")).to_contain_text("type the street")
    assert page.locator("li.fd-msg.fd-from-resident").count() == residents, "nothing is sent"
    shoot(page, "location-375-refused")
    seen = bot_count(page)
    send(page, "nb4 2qt")
    wait_for_reply(page, seen)
    expect(last_bot(page, "Which street")).to_be_visible()
    page.context.close()


def test_the_advisor_sees_the_shared_location_in_the_chat_and_on_the_case(browser, front_door):
    page = phone(browser, granted=True)
    question = ask_for_a_pothole(page, front_door.url)
    seen = bot_count(page)
    question.get_by_role("button", name="Use my location").click()
    wait_for_reply(page, seen)
    for _ in range(8):  # the rest of the report, by its buttons and short answers
        message = last_bot(page)
        text = message.inner_text()
        if "Here is your report" in text:
            expect(message).to_contain_text("Map location: Your current location (accuracy about 20 m)")
            break
        seen = bot_count(page)
        if "what is the problem" in text:
            send(page, "A deep hole in the middle of the lane")
        elif "Would you like updates" in text:
            send(page, "no thanks")
        else:
            message.get_by_role("button").first.click()  # Skip, then the first option of each question
        wait_for_reply(page, seen)
    seen = bot_count(page)
    send(page, "send")
    reference = re.search(r"NB-\d{4}-\d{6}", last_bot(page, "Your reference is").inner_text()).group(0)

    console = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True).new_page()
    advisor_login(console, front_door.url, "priya")
    expect(console.get_by_text("Your status is now Available.")).to_be_visible(timeout=10_000)
    # The console's socket is welcomed (and has told the relay it is available) before the
    # resident asks: the status line is announced as soon as it is chosen, connected or not.
    expect(console.locator("#console-view")).not_to_have_attribute("aria-busy", "true", timeout=20_000)
    seen = bot_count(page)
    send(page, "I want to talk to a person")
    wait_for_reply(page, seen)
    queued = page.locator(".fd-messages li").filter(has_text=re.compile("queue for an advisor|no advisors are free"))
    expect(queued.last).to_contain_text("queue for an advisor", timeout=30_000)
    item = console.locator("#queue-list li").filter(has_text=reference).first
    expect(item).to_be_visible(timeout=20_000)
    item.get_by_role("button", name="Claim").click()
    panel = console.get_by_role("tabpanel")
    chat_link = panel.get_by_role("link", name="check it on a map").first
    expect(chat_link).to_have_attribute("href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=52\.45210&"))
    console.get_by_role("button", name=f"Check status of {reference}").click()
    case_link = console.locator("#case-result").get_by_role("link", name="Open in OpenStreetMap")
    expect(case_link).to_have_attribute(
        "href", "https://www.openstreetmap.org/?mlat=52.45210&mlon=-1.50120#map=18/52.45210/-1.50120"
    )
    expect(console.locator("#case-result")).to_contain_text("52.45210, -1.50120")
    assert axe_violations(console, "#case-result") == []
    shoot(console, "console-1280-case-location")
    console.context.close()
    page.context.close()
