"""What residents and advisors see, in Debian's Chromium driven by Playwright, against the
real front door, bot, action server, Open311 service and Redis."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, axe_violations, bot_turns_finished, shoot

pytestmark = pytest.mark.servers
XSS = "<img src=x onerror=alert(1)>"
XSS_LINK = "[click me](javascript:alert(2))"


def open_widget(page: Page, url: str) -> None:
    page.goto(url + "/")
    page.get_by_role("button", name="Chat with us").click()
    expect(page.locator("#fd-input")).to_be_focused()


def send(page: Page, text: str) -> None:
    page.locator("#fd-input").fill(text)
    page.locator("#fd-input").press("Enter")


def last_bot(page: Page, containing: str | None = None, timeout: float = 20_000):
    bot = page.locator("li.fd-msg.fd-from-bot:not(.fd-greeting)")
    if containing:
        bot = bot.filter(has_text=containing)
    expect(bot.last).to_be_visible(timeout=timeout)
    return bot.last


def bot_count(page: Page) -> int:
    return page.locator("li.fd-msg.fd-from-bot:not(.fd-greeting)").count()


def wait_for_reply(page: Page, before: int) -> None:
    """Until the bot's turn after ``before`` bot messages has arrived (it may be several)."""
    expect(page.locator("li.fd-msg.fd-from-bot:not(.fd-greeting)")).not_to_have_count(before, timeout=20_000)
    bot_turns_finished()  # the turn's other messages are logged (one by one, after the first)...
    page.wait_for_timeout(400)  # ...and reach the page


def report_a_pothole(page: Page) -> str:
    """Answer the report's questions in the widget, using the quick replies; the reference."""
    seen = bot_count(page)
    send(page, "report a pothole")
    for _ in range(14):
        wait_for_reply(page, seen)
        seen = bot_count(page)
        message = last_bot(page)
        text = message.inner_text()
        if "Here is your report" in text:
            send(page, "send")
            done = last_bot(page, "Your reference is")
            return re.search(r"NB-\d{4}-\d{6}", done.inner_text()).group(0)
        buttons = message.get_by_role("button")
        if "postcode where the problem is" in text:
            send(page, "nb4 2qt")
        elif "Which street is it on" in text:
            send(page, "Outside 14 Elm Road")
        elif "what is the problem" in text:
            send(page, "A deep hole by the bus stop")
        elif "Would you like updates" in text:
            send(page, "no thanks")
        elif buttons.count():
            buttons.first.click()
        else:
            send(page, "next to the post box")
    raise AssertionError("the report never reached its summary")


def advisor_login(page: Page, url: str, username: str = "sam") -> None:
    page.goto(url + "/console/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Your status").select_option("available")


def test_the_whole_journey_from_faq_to_advisor_and_back(resident_page: Page, advisor_page: Page, front_door):
    resident, advisor = resident_page, advisor_page
    resident.goto(front_door.url + "/")
    expect(resident.get_by_role("button", name="Chat with us")).to_be_visible()
    assert axe_violations(resident) == [], "demo page with the widget closed"
    shoot(resident, "widget-1280-closed")
    open_widget(resident, front_door.url)
    assert axe_violations(resident, ".fd-root") == [], "widget open"

    send(resident, "when is my bin collected")
    expect(last_bot(resident, "bin")).to_be_visible()
    reference = report_a_pothole(resident)
    shoot(resident, "widget-1280-report")

    advisor_login(advisor, front_door.url)
    assert axe_violations(advisor) == [], "console"
    send(resident, "I want to talk to a person")
    expect(resident.locator(".fd-messages li").filter(has_text="queue for an advisor").last).to_be_visible(
        timeout=20_000
    )
    expect(resident.get_by_role("status").first).to_contain_text(re.compile("queue|next", re.I), timeout=10_000)
    assert axe_violations(resident, ".fd-root") == [], "widget queued"
    shoot(resident, "widget-1280-queued")

    item = advisor.locator("#queue-list li").first
    expect(item).to_contain_text(reference, timeout=10_000)  # details the bot collected, with its summary
    expect(item).to_contain_text("Bot conversation so far")
    shoot(advisor, "console-1280-queue")
    item.get_by_role("button", name="Claim").click()
    expect(resident.locator(".fd-messages li").filter(has_text="has joined the chat")).to_be_visible(timeout=10_000)
    panel = advisor.get_by_role("tabpanel")
    expect(advisor.get_by_text(reference).first).to_be_visible()  # the case made in the chat

    send(resident, "The hole is getting bigger " + XSS + " " + XSS_LINK)
    expect(panel.get_by_text(XSS, exact=False).first).to_be_visible(timeout=10_000)
    panel.get_by_label("Message to the resident").fill("Thanks, I've added that to your report.")
    panel.get_by_label("Message to the resident").press("Enter")
    expect(resident.locator("li.fd-from-advisor").filter(has_text="added that to your report")).to_be_visible()
    expect(resident.locator("li.fd-from-resident").filter(has_text=XSS)).to_be_visible()
    assert resident.locator("li.fd-msg img").count() == 0 and advisor.locator("#panels img").count() == 0
    assert (
        resident.locator("a[href^='javascript']").count() == 0 and advisor.locator("a[href^='javascript']").count() == 0
    )
    assert resident.dialogs == [] and advisor.dialogs == []  # no script ran
    assert axe_violations(resident, ".fd-root") == [], "widget with advisor"
    assert axe_violations(advisor) == [], "console with a chat"
    shoot(resident, "widget-1280-advisor")
    shoot(advisor, "console-1280-chat")

    panel.get_by_role("button", name="Hand back to bot").click()
    advisor.get_by_role("button", name="Yes, hand back").click()
    expect(resident.locator(".fd-messages li").filter(has_text="passed you back to the assistant")).to_be_visible(
        timeout=10_000
    )
    send(resident, "how do I pay my council tax")
    expect(last_bot(resident, "council tax")).to_be_visible()

    resident.get_by_role("button", name="End chat").click()
    resident.get_by_role("button", name="Yes, end chat").click()
    rating = resident.get_by_role("group", name="How was this chat?")
    expect(rating).to_be_visible(timeout=10_000)
    assert axe_violations(resident, ".fd-root") == [], "rating"
    rating.get_by_label(re.compile("^5")).check()
    resident.get_by_role("button", name="Submit rating").click()
    expect(resident.get_by_text("Thank you for your feedback").first).to_be_visible(timeout=10_000)
    with resident.expect_download() as download:
        resident.get_by_role("button", name="Download transcript").click()
    transcript = open(download.value.path(), encoding="utf-8").read()
    assert "Sam (advisor): Thanks, I've added that to your report." in transcript and reference in transcript
    shoot(resident, "widget-1280-rated")


def test_reload_and_a_relay_restart_keep_the_history_with_nothing_twice(resident_page: Page, front_door):
    page = resident_page
    open_widget(page, front_door.url)
    send(page, "when is my bin collected")
    last_bot(page, "bin")
    send(page, "how do I pay my council tax")
    last_bot(page, "council tax")
    before = page.locator("li.fd-msg:not(.fd-greeting)").all_inner_texts()

    page.reload()
    page.get_by_role("button", name="Chat with us").click()
    expect(page.locator("li.fd-msg:not(.fd-greeting)")).to_have_count(len(before), timeout=10_000)
    assert page.locator("li.fd-msg:not(.fd-greeting)").all_inner_texts() == before

    front_door.stop()  # the network drops: the relay goes away and comes back
    expect(page.get_by_role("status").first).to_contain_text(re.compile("reconnect", re.I), timeout=15_000)
    front_door.start()
    send(page, "what about parking permits")
    last_bot(page, "permit", timeout=30_000)
    texts = page.locator("li.fd-msg:not(.fd-greeting)").all_inner_texts()
    assert texts[: len(before)] == before and len(texts) == len(set(texts)), texts


def test_residents_are_told_how_long_the_chat_is_kept_before_they_type(resident_page: Page, front_door):
    page = resident_page
    open_widget(page, front_door.url)

    note = page.locator("li.fd-greeting .fd-privacy")

    expect(note).to_contain_text("We keep this chat for 90 days, then delete it.")
    expect(note).to_contain_text("Please do not type bank card details.")
    link = note.get_by_role("link", name="How we use your information (opens in a new tab)")
    expect(link).to_have_attribute("href", "https://www.northbridge.example/privacy/web-chat")


def test_keyboard_only_open_send_quick_reply_close(resident_page: Page, front_door):
    page = resident_page
    page.goto(front_door.url + "/")
    launcher = page.get_by_role("button", name="Chat with us")
    for _ in range(40):  # Tab from the top of the page until the launcher has focus
        page.keyboard.press("Tab")
        if launcher.evaluate("b => b === document.activeElement"):
            break
    else:
        raise AssertionError("the launcher cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#fd-input")).to_be_focused()
    page.keyboard.type("report a pothole")
    page.keyboard.press("Enter")
    last_bot(page, "postcode")
    page.keyboard.type("NB4 2QT")
    page.keyboard.press("Enter")
    last_bot(page, "Which street")
    page.keyboard.type("Outside 14 Elm Road")
    page.keyboard.press("Enter")
    last_bot(page, "what is the problem")
    page.keyboard.type("A deep hole")
    page.keyboard.press("Enter")
    with_buttons = last_bot(page, "road, the pavement")
    seen = bot_count(page)
    first = with_buttons.get_by_role("button").first
    for _ in range(60):  # Shift+Tab back from the message box to the first quick reply
        if first.evaluate("b => b === document.activeElement"):
            break
        page.keyboard.press("Shift+Tab")
    else:
        raise AssertionError("the quick replies cannot be reached with the keyboard")
    page.keyboard.press("Enter")
    expect(page.locator("li.fd-msg.fd-from-bot:not(.fd-greeting)")).to_have_count(seen + 1, timeout=20_000)
    page.locator("#fd-input").focus()
    page.keyboard.press("Escape")
    expect(page.locator("#fd-panel")).to_be_hidden()
    expect(launcher).to_be_focused()


@pytest.mark.parametrize("width", [1280, 320])
def test_the_widget_and_console_fit_and_pass_axe_at_each_width(browser, front_door, width):
    context = browser.new_context(viewport={"width": width, "height": 720}, bypass_csp=True)
    page = context.new_page()
    open_widget(page, front_door.url)
    send(page, "when is my bin collected")
    last_bot(page, "bin")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width} px ({scroll})"
    assert axe_violations(page, ".fd-root") == []
    shoot(page, f"widget-{width}-open")
    console = context.new_page()
    console.goto(front_door.url + "/console/")
    assert axe_violations(console) == []
    shoot(console, f"console-{width}-login")
    context.close()


TEXT_SPACING = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important; "
    "word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"
)


@pytest.mark.parametrize("adjust", ["text-200", "text-spacing"])
def test_the_widget_still_fits_with_larger_text_or_wider_spacing(browser, front_door, adjust):
    context = browser.new_context(viewport={"width": 320, "height": 640}, bypass_csp=True)
    page = context.new_page()
    open_widget(page, front_door.url)
    if adjust == "text-200":
        page.evaluate("document.documentElement.style.fontSize = '200%'")
    else:
        page.add_style_tag(content=TEXT_SPACING)
    send(page, "when is my bin collected")
    last_bot(page, "bin")
    # Visually hidden text (for screen readers) is clipped on purpose.
    clipped = page.evaluate("""() => [...document.querySelectorAll('.fd-root *')]
        .filter(e => e.offsetParent && !e.classList.contains('fd-vh') && getComputedStyle(e).overflowX === 'hidden' && e.scrollWidth > e.clientWidth + 1)
        .map(e => e.className)""")
    assert clipped == [], f"text cut off with {adjust}: {clipped}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    expect(page.locator("#fd-input")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    shoot(page, f"widget-320-{adjust}")
    context.close()


def test_a_resident_in_crisis_can_call_999_and_samaritans_with_one_tap(resident_page: Page, front_door):
    page = resident_page
    open_widget(page, front_door.url)
    send(page, "i dont want to be here anymore, i want to end it all")
    answer = last_bot(page, "Samaritans")
    assert answer.get_by_role("link", name="116 123").get_attribute("href") == "tel:116123"
    assert answer.get_by_role("link", name="999", exact=True).first.get_attribute("href") == "tel:999"
    assert answer.get_by_role("link", name="111", exact=True).first.get_attribute("href") == "tel:111"
    shoot(page, "widget-crisis-answer")


def test_a_supervisor_reads_any_chat_in_the_console_read_only_and_advisors_have_no_such_field(
    resident_page: Page, advisor_page: Page, browser, front_door
):
    open_widget(resident_page, front_door.url)
    send(resident_page, "when is my bin collected")
    last_bot(resident_page, "bin")
    stored = resident_page.evaluate(
        "() => Object.entries(sessionStorage).find(([key]) => key.startsWith('frontdesk:'))[1]"
    )
    cid = json.loads(stored)["conversation_id"]
    advisor_login(advisor_page, front_door.url, "sam")
    expect(advisor_page.get_by_label("Your status")).to_be_visible()
    expect(advisor_page.get_by_label("Read a chat by its id")).to_be_hidden()

    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    supervisor = context.new_page()
    advisor_login(supervisor, front_door.url, "olu")
    field = supervisor.get_by_label("Read a chat by its id")
    field.fill("c_" + "x" * 22)
    field.press("Enter")
    expect(supervisor.locator("#open-notice")).to_contain_text("no longer exists", timeout=10_000)
    field.fill(cid)
    supervisor.get_by_role("button", name="Read", exact=True).click()

    panel = supervisor.get_by_role("tabpanel")
    expect(panel.get_by_text("when is my bin collected").first).to_be_visible(timeout=10_000)
    expect(panel.get_by_text("Read only.")).to_be_visible()
    expect(panel.get_by_label("Reply to resident")).to_be_disabled()
    expect(panel.get_by_role("button", name="Close chat")).to_be_disabled()
    expect(panel.get_by_label("Private note (only advisors see it)")).to_be_visible()
    expect(supervisor.locator("#chats-count")).to_have_text("(0 of 3)")
    assert axe_violations(supervisor) == [], "console reading a chat"
    shoot(supervisor, "console-1280-supervisor-reading")
    context.close()
