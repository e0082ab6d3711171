"""A report with a photo in Chromium at 375 px, by keyboard: the widget's photo panel, a bad
file refused in words, the summary, media_url on the case, and the advisor's thumbnail."""

from __future__ import annotations

import io
import json
import re
import urllib.request

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import advisor_available, axe_violations, shoot
from tests.e2e.test_browser import advisor_login, bot_count, last_bot, open_widget, send, wait_for_reply
from tests.live_handoff.unit.test_photo_images import jpeg_with_gps

pytestmark = pytest.mark.servers


@pytest.fixture
def phone(browser: Browser, front_door):
    context = browser.new_context(viewport={"width": 375, "height": 740}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def answer_until(page: Page, wanted: str, seen: int) -> int:
    """Answer the report's questions until the bot asks something containing ``wanted``."""
    for _ in range(14):
        wait_for_reply(page, seen)
        seen = bot_count(page)
        text = last_bot(page).inner_text()
        if wanted in text:
            return seen
        if "postcode where the problem is" in text:
            send(page, "nb4 2qt")
        elif "Which street is it on" in text:
            send(page, "Outside 14 Elm Road")
        elif "what is the problem" in text:
            send(page, "A deep hole by the bus stop")
        elif "Would you like updates" in text:
            send(page, "no thanks")
        elif last_bot(page).get_by_role("button").count():
            last_bot(page).get_by_role("button").first.click()
        else:
            send(page, "next to the post box")
    raise AssertionError(f"the bot never asked {wanted!r}")


def choose_file(page: Page, name: str, mime: str, data: bytes) -> None:
    """Keyboard only: from the message box, Shift+Tab to "Add a photo", Enter, pick the file."""
    page.locator("#fd-input").focus()
    page.keyboard.press("Shift+Tab")
    add = page.get_by_role("button", name=re.compile("^Add (a|another) photo$"))
    expect(add).to_be_focused()
    with page.expect_file_chooser() as chooser:
        add.press("Enter")  # on the button even if a late bot message moved focus meanwhile
    chooser.value.set_files({"name": name, "mimeType": mime, "buffer": data})


def test_a_resident_adds_a_photo_by_keyboard_at_375px_and_the_advisor_sees_it(
    phone: Page, advisor_page: Page, front_door, servers
):
    page = phone
    open_widget(page, front_door.url)
    seen = bot_count(page)
    send(page, "report a pothole")
    answer_until(page, "what is the problem", seen)  # the whole turn: it may have more than one message
    panel = page.get_by_role("group", name=re.compile("^Photos"))
    expect(panel).to_be_visible(timeout=10_000)
    assert page.locator(".fd-chip", has_text="Add a photo").count() == 0  # a panel, not a chip

    choose_file(page, "pothole.txt.jpg", "image/jpeg", b"this is not a photo\n" * 40)
    expect(panel.locator(".fd-error")).to_contain_text("not a photo we can take", timeout=10_000)
    choose_file(page, "pothole.jpg", "image/jpeg", jpeg_with_gps())
    expect(page.get_by_role("status").first).to_contain_text("Photo 1 added", timeout=10_000)
    change = panel.get_by_role("button", name="Change photos")  # the panel folds to one line
    expect(change).to_be_focused()
    change.press("Enter")
    expect(panel.get_by_role("button", name="Remove photo 1")).to_be_visible()
    expect(panel.locator(".fd-error")).to_be_hidden()
    expect(panel.locator("li.fd-photo img")).to_have_attribute("src", re.compile("^data:image/jpeg"))
    assert axe_violations(page, ".fd-root") == [], "widget with a photo"
    shoot(page, "widget-375-photo")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width})"

    seen = bot_count(page)
    send(page, "A deep hole by the bus stop")
    answer_until(page, "Here is your report", seen)
    assert "Photos: 1" in last_bot(page, "Here is your report").inner_text()
    send(page, "send")
    reference = re.search(r"NB-\d{4}-\d{6}", last_bot(page, "Your reference is").inner_text()).group(0)
    expect(page.get_by_role("status").first).to_contain_text("sent with your report", timeout=10_000)
    expect(panel).to_be_hidden()

    with urllib.request.urlopen(f"{servers.open311.url}requests/{reference}.json") as response:
        media_url = json.load(response)[0]["media_url"]
    assert media_url and "/photos/" in media_url
    with urllib.request.urlopen(media_url) as response:
        assert response.headers["Content-Type"] == "image/jpeg"
        photo = Image.open(io.BytesIO(response.read()))
    assert dict(photo.getexif()) == {}

    advisor = advisor_page
    errors: list[str] = []
    advisor.on("pageerror", lambda e: errors.append(str(e)))
    advisor.on("console", lambda m: errors.append(m.text) if "Could not handle" in m.text else None)
    advisor_login(advisor, front_door.url)
    expect(advisor.get_by_role("status").filter(has_text="Your status is now Available")).to_be_visible(timeout=10_000)
    advisor_available("sam")  # presence reaches the relay
    send(page, "I want to talk to a person")
    try:
        expect(page.locator(".fd-messages li").filter(has_text="queue for an advisor").last).to_be_visible(
            timeout=20_000
        )
    finally:
        shoot(page, "widget-375-photo-queued")
    item = advisor.locator("#queue-list li").first
    expect(item).to_contain_text(reference, timeout=20_000)
    item.get_by_role("button", name="Claim").click()
    thumbnail = advisor.get_by_role("img", name=f"Photo 1 from the resident, sent with {reference}")
    expect(thumbnail).to_be_visible(timeout=10_000)
    # Shown is not loaded: the browser fetches the image after laying out its element.
    image = thumbnail.element_handle()
    advisor.wait_for_function("img => img.complete", arg=image, timeout=10_000)
    assert advisor.evaluate("img => img.naturalWidth", image) > 0, "the photo loads"
    assert errors == [], "the console handled every frame"
    assert axe_violations(advisor) == [], "console with a photo"
    shoot(advisor, "console-1280-photo")
