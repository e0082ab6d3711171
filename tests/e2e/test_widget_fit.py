"""The widget on small, short and zoomed screens, in Debian's Chromium against the real
front door, bot and Redis: where the transcript rests, what room it keeps, the
leave-a-message form, the downloaded transcript and which quick replies stay usable.

Zoom is emulated by its CSS size: 1280x720 at 200% is a 640x360 CSS-pixel window."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from front_door.processes import FrontDoor
from tests.e2e.conftest import axe_violations, shoot
from tests.e2e.test_browser import bot_count, last_bot, open_widget, send, wait_for_reply

pytestmark = pytest.mark.servers

BOTS = "li.fd-msg.fd-from-bot:not(.fd-greeting)"


@pytest.fixture(scope="module")
def closed_door(door_env, tmp_path_factory):
    """A front door whose contact centre is closed today (a closure from yesterday to
    tomorrow), with its own keys so its sweeps never touch the other tests' queue."""
    today = dt.datetime.now(ZoneInfo("Europe/London")).date()
    env = {
        **door_env,
        "RELAY_KEY_PREFIX": door_env["RELAY_KEY_PREFIX"] + "closed",
        "RELAY_CLOSURES": f"{today - dt.timedelta(days=1)}..{today + dt.timedelta(days=1)}",
    }
    door = FrontDoor(env, tmp_path_factory.mktemp("closed-door") / "front-door.log").start()
    yield door
    door.stop()


def new_page(browser: Browser, width: int, height: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    return context.new_page()


def box(page: Page, selector: str) -> dict[str, float]:
    """The element's box in the window, as the resident sees it."""
    return page.evaluate(
        """s => { const r = document.querySelector(s).getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, height: r.height, left: r.left, right: r.right}; }""",
        selector,
    )


def message_box(message) -> dict[str, float]:
    return message.evaluate("""e => { const r = e.getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, height: r.height}; }""")


def settle(page: Page) -> None:
    """Until the entrance animations (and the scrolling that follows them) are over."""
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')", timeout=5_000)
    page.wait_for_timeout(200)


def assert_header_in_view(page: Page) -> None:
    header, panel = box(page, ".fd-header"), box(page, ".fd-panel")
    assert header["top"] >= panel["top"] - 0.5 and header["top"] >= 0, (header, panel)
    close = page.get_by_role("button", name="Close chat").bounding_box()
    viewport = page.viewport_size
    assert close and close["y"] >= 0 and close["y"] + close["height"] <= viewport["height"], close
    assert page.evaluate("document.querySelector('.fd-panel').scrollTop") == 0


@pytest.mark.parametrize("width,height", [(1280, 720), (375, 667)])
def test_a_long_answer_is_shown_from_its_start_and_a_short_one_keeps_the_latest_in_view(
    browser, front_door, width, height
):
    page = new_page(browser, width, height)
    open_widget(page, front_door.url)
    send(page, "when is my bin collected")
    last_bot(page, "bin")
    seen = bot_count(page)
    send(page, "how do I pay my council tax")
    wait_for_reply(page, seen)
    settle(page)
    answer = last_bot(page, "council tax")
    log, top = box(page, ".fd-log"), message_box(answer)
    assert top["height"] > log["height"], "the answer must be longer than the log for this test to mean anything"
    assert log["top"] - 1 <= top["top"] <= log["top"] + 24, (
        f"the answer's start is not at the top of the log: {top} in {log}"
    )
    shoot(page, f"fit-{width}-long-answer-start")

    seen = bot_count(page)
    send(page, "thank you")
    wait_for_reply(page, seen)
    settle(page)
    short, log = message_box(last_bot(page, "welcome")), box(page, ".fd-log")
    assert log["top"] - 1 <= short["top"] and short["bottom"] <= log["bottom"] + 1, (
        f"short answer out of view: {short} in {log}"
    )
    at_end = page.evaluate("(l => l.scrollHeight - l.scrollTop - l.clientHeight)(document.querySelector('.fd-log'))")
    assert at_end <= 2, f"the log is {at_end} px from its end after a short answer"
    shoot(page, f"fit-{width}-short-answer-end")
    page.context.close()


@pytest.mark.parametrize("width,height", [(375, 667), (640, 360)])
def test_on_a_phone_or_at_200_percent_zoom_the_transcript_keeps_half_the_panel_and_the_closed_note_one_line(
    browser, closed_door, width, height
):
    page = new_page(browser, width, height)
    open_widget(page, closed_door.url)
    send(page, "how do I pay my council tax")
    last_bot(page, "council tax")
    more = page.get_by_role("button", name="More")
    expect(more).to_be_visible(timeout=10_000)  # the closed note arrives with the relay's welcome
    settle(page)

    log, panel = box(page, ".fd-log"), box(page, ".fd-panel")
    assert log["height"] >= 0.5 * panel["height"], f"the transcript has {log['height']} of {panel['height']} px"
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.fd-notice-text')).lineHeight)")
    note = box(page, ".fd-notice-text")
    assert note["height"] < 1.5 * line, f"the closed note takes {note['height']} px, more than one line of {line}"
    assert_header_in_view(page)
    assert axe_violations(page, ".fd-root") == []
    shoot(page, f"fit-{width}x{height}-closed-note")

    assert more.get_attribute("aria-expanded") == "false"
    assert more.get_attribute("aria-controls") == "fd-notice-text"
    more.click()
    less = page.get_by_role("button", name="Less")
    expect(less).to_have_attribute("aria-expanded", "true")
    expect(less).to_be_focused()
    note = box(page, ".fd-notice-text")
    assert note["height"] > 1.5 * line, "expanded, the note shows all its lines"
    assert page.evaluate("(e => e.scrollWidth <= e.clientWidth + 1)(document.querySelector('.fd-notice-text'))")
    assert "not available" in page.locator(".fd-notice-text").inner_text()
    shoot(page, f"fit-{width}x{height}-closed-note-more")
    page.keyboard.press("Enter")  # the keyboard closes it again
    expect(page.get_by_role("button", name="More")).to_have_attribute("aria-expanded", "false")
    assert box(page, ".fd-notice-text")["height"] < 1.5 * line
    page.context.close()


@pytest.mark.parametrize("width,height", [(1280, 720), (375, 667)])
def test_the_leave_a_message_form_scrolls_inside_the_panel_and_the_header_stays_in_view(
    browser, closed_door, width, height
):
    page = new_page(browser, width, height)
    open_widget(page, closed_door.url)
    send(page, "I want to talk to a person")
    leave = page.locator("li.fd-msg").get_by_role("button", name="Leave a message").last
    expect(leave).to_be_visible(timeout=20_000)
    leave.click()
    expect(page.get_by_role("heading", name="Leave a message")).to_be_focused()
    settle(page)
    assert_header_in_view(page)
    assert axe_violations(page, ".fd-root") == []
    shoot(page, f"fit-{width}-leave-form-top")

    footer = box(page, ".fd-footer")
    for _ in range(12):  # Tab through the form, down to its last button
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const r = document.activeElement.getBoundingClientRect();
            return {top: r.top, bottom: r.bottom, text: document.activeElement.textContent}; }""")
        assert_header_in_view(page)
        assert footer["top"] - 1 <= focused["top"] and focused["bottom"] <= footer["bottom"] + 1, (
            f"the focused control is outside the form's area: {focused} in {footer}"
        )
        if focused["text"] == "Cancel":
            break
    else:
        raise AssertionError("Tab never reached the form's Cancel button")
    scrolled = page.evaluate("document.querySelector('.fd-footer').scrollTop")
    assert scrolled > 0, "the form should have scrolled inside its own area"
    shoot(page, f"fit-{width}-leave-form-end")

    page.get_by_role("button", name="Send message").click()  # errors show inside the form, header still there
    expect(page.get_by_text("Error: Enter your message")).to_be_visible()
    assert_header_in_view(page)
    page.context.close()


def test_after_a_reload_the_panel_opens_on_the_latest_message(browser, front_door):
    page = new_page(browser, 375, 667)
    open_widget(page, front_door.url)
    for question, answer in [
        ("when is my bin collected", "bin"),
        ("how do I pay my council tax", "council tax"),
        ("thank you", "welcome"),
        ("what about parking permits", "permit"),
    ]:
        seen = bot_count(page)
        send(page, question)
        wait_for_reply(page, seen)
        last_bot(page, answer)
    count = page.locator("li.fd-msg:not(.fd-greeting)").count()

    page.reload()
    page.get_by_role("button", name="Chat with us").click()
    expect(page.locator("li.fd-msg:not(.fd-greeting)")).to_have_count(count, timeout=10_000)
    expect(page.locator("li.fd-greeting")).to_have_count(1)
    page.wait_for_timeout(800)  # the replay settles (500 ms quiet) and its last mode is applied
    settle(page)
    log, latest = box(page, ".fd-log"), message_box(page.locator(BOTS).last)
    assert log["top"] - 1 <= latest["top"] < log["bottom"] - 40, f"the latest answer is not in view: {latest} in {log}"
    assert page.evaluate("document.querySelector('.fd-log').scrollTop") > 0
    shoot(page, "fit-375-after-reload")
    page.context.close()


def test_the_downloaded_transcript_is_plain_text_without_markdown(browser, front_door):
    page = new_page(browser, 1280, 720)
    open_widget(page, front_door.url)
    send(page, "how do I pay my council tax")
    answer = last_bot(page, "council tax")
    expect(answer.locator("strong").first).to_be_visible()  # shown formatted in the panel
    page.get_by_role("button", name="End chat").click()
    page.get_by_role("button", name="Yes, end chat").click()
    download_button = page.get_by_role("button", name="Download transcript")
    expect(download_button).to_be_visible(timeout=10_000)
    with page.expect_download() as download:
        download_button.click()
    transcript = open(download.value.path(), encoding="utf-8").read()
    assert "You: how do I pay my council tax" in transcript
    assert "**" not in transcript and "](" not in transcript, transcript
    assert "- Direct Debit: the easiest way." in transcript, transcript
    assert "Set up a Direct Debit (https://www.northbridge.example/council-tax/direct-debit)" in transcript, transcript
    expect(page.locator(".fd-status")).to_contain_text("transcript has been downloaded")
    shoot(page, "fit-1280-transcript-downloaded")
    page.context.close()


def test_every_quick_reply_of_the_latest_bot_turn_stays_usable_and_older_turns_are_retired(browser, front_door):
    page = new_page(browser, 1280, 720)
    open_widget(page, front_door.url)
    send(page, "report a pothole")
    last_bot(page, "postcode")
    seen = bot_count(page)
    # Inside a report, a question about something else is answered (with its own buttons)
    # and the report is paused (with a "Carry on" button): one turn, two messages with buttons.
    send(page, "when is my bin collected?")
    expect(page.locator(BOTS).filter(has_text="paused")).to_be_visible(timeout=20_000)
    page.wait_for_timeout(400)
    bots = page.locator(BOTS)
    with_buttons = [bots.nth(i) for i in range(seen, bots.count()) if bots.nth(i).locator(".fd-quick").count()]
    assert len(with_buttons) >= 2, "this bot turn should have several messages with buttons"
    for message in with_buttons:
        for button in message.locator(".fd-quick button").all():
            expect(button).to_be_visible()
            expect(button).to_be_enabled()
    for button in bots.nth(seen - 1).locator(".fd-quick button").all():
        expect(button).to_be_hidden()
    with_buttons[-1].locator(".fd-quick").scroll_into_view_if_needed()  # for the picture: both sets of buttons
    shoot(page, "fit-1280-turn-buttons")

    # A button of the turn's first message still works, and then the turn is history.
    first = with_buttons[0].locator(".fd-quick button").first
    title = first.inner_text()
    seen = bot_count(page)
    first.click()
    expect(page.locator("li.fd-from-resident").last).to_contain_text(title)
    wait_for_reply(page, seen)
    for message in with_buttons:
        for button in message.locator(".fd-quick button").all():
            expect(button).to_be_hidden()
    assert axe_violations(page, ".fd-root") == []
    page.context.close()
