"""The pothole report at 200% zoom and on a phone, in Debian's Chromium against the real front
door, bot, action server and Redis: the photo panel keeps to one line once a photo is added,
and the bot's newest question (with its "Use my location" button) arrives in view without
taking focus from someone typing.

200% zoom is emulated as the browser does it: a 1280x800 window at device scale factor 2 is
a 640x400 CSS-pixel viewport. Screenshots go to ZOOM_SHOTS (default /tmp/zoom-shots/)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import axe_violations
from tests.e2e.test_browser import bot_count, last_bot, open_widget, send, wait_for_reply
from tests.e2e.test_photos_browser import answer_until
from tests.live_handoff.unit.test_photo_images import jpeg_with_gps

pytestmark = pytest.mark.servers

SHOTS = Path(os.environ.get("ZOOM_SHOTS", "/tmp/zoom-shots"))
SIZES = {"zoom200": (640, 400, 2), "phone": (375, 667, 2)}
HERE = {"latitude": 52.4521, "longitude": -1.5012, "accuracy": 20}


def new_page(browser: Browser, size: str, **options) -> Page:
    width, height, scale = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=scale, bypass_csp=True, **options
    )
    return context.new_page()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def settle(page: Page) -> None:
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')", timeout=5_000)
    page.wait_for_timeout(200)


def height_share(page: Page, selector: str) -> float:
    """How much of the window's height the element takes."""
    return page.evaluate("s => document.querySelector(s).getBoundingClientRect().height / window.innerHeight", selector)


def inside_log(page: Page, element) -> dict[str, float]:
    """The element's box and the transcript's visible box, in window pixels."""
    return element.evaluate("""e => { const r = e.getBoundingClientRect();
        const l = document.querySelector('.fd-log').getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, logTop: l.top, logBottom: l.bottom}; }""")


def focused(page: Page) -> str:
    return page.evaluate("document.activeElement.textContent")


def add_photo(page: Page) -> None:
    """Keyboard only: Shift+Tab from the message box into the photo panel, opening it with
    "Change" once it has photos, then Tab to "Add another photo"."""
    page.locator("#fd-input").focus()
    page.keyboard.press("Shift+Tab")
    add = page.locator(".fd-photos").get_by_role("button", name=re.compile("^Add (a|another) photo$"))
    if focused(page) == "Change photos":
        page.keyboard.press("Enter")
        for _ in range(8):
            page.keyboard.press("Tab")
            if add.evaluate("b => b === document.activeElement"):
                break
    expect(add).to_be_focused()
    with page.expect_file_chooser() as chooser:
        add.press("Enter")
    chooser.value.set_files({"name": "pothole.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()})


@pytest.mark.parametrize("size", ["zoom200", "phone"])
def test_the_photo_panel_keeps_to_one_line_once_a_photo_is_added(browser, front_door, size):
    page = new_page(browser, size)
    open_widget(page, front_door.url)
    seen = bot_count(page)
    send(page, "report a pothole")
    answer_until(page, "what is the problem", seen)
    panel = page.get_by_role("group", name=re.compile("^Photos"))
    expect(panel).to_be_visible()
    settle(page)
    offered = height_share(page, ".fd-photos")
    shot(page, f"{size}-photos-offered")
    one_line = "(b => b.getBoundingClientRect().height + 16)(document.querySelector('.fd-photos-head .fd-btn'))"
    line = page.evaluate(one_line)
    assert page.locator(".fd-photos").bounding_box()["height"] <= line, "the offered panel is not one line"

    add_photo(page)
    expect(page.locator(".fd-status")).to_contain_text("Photo 1 added", timeout=10_000)
    toggle = panel.get_by_role("button", name="Change photos")
    expect(toggle).to_be_focused()  # the button the resident pressed went behind "Change"
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.wait_for_timeout(500)  # the thumbnail
    add_photo(page)
    expect(page.locator(".fd-status")).to_contain_text("Photo 2 added", timeout=10_000)
    expect(panel).to_have_accessible_name("Photos: 2 added")
    page.wait_for_timeout(500)
    settle(page)
    added = height_share(page, ".fd-photos")
    log = height_share(page, ".fd-log")
    shot(page, f"{size}-photos-two-added")
    print(f"\n{size}: photo panel {offered:.0%} of the window when offered, {added:.0%} with two photos; log {log:.0%}")
    assert added <= 0.15, f"with two photos the panel takes {added:.0%} of the window"
    assert page.locator(".fd-photos").bounding_box()["height"] <= line, "with photos, the panel is not one line"
    assert offered <= 0.15, f"the offered panel takes {offered:.0%} of the window"
    assert axe_violations(page, ".fd-root") == []

    # Opened, by keyboard: the thumbnails in one row, each with its Remove button.
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel.get_by_role("button", name="Done photos")).to_have_attribute("aria-expanded", "true")
    expect(panel.locator("li.fd-photo")).to_have_count(2)
    tops = panel.locator("li.fd-photo").evaluate_all("items => items.map(i => i.getBoundingClientRect().top)")
    assert len(set(tops)) == 1, f"the thumbnails are not in one row: {tops}"
    settle(page)
    opened = height_share(page, ".fd-photos")
    shot(page, f"{size}-photos-opened")
    print(f"{size}: opened, the photo panel takes {opened:.0%}")
    assert opened <= 0.35, f"opened, the panel takes {opened:.0%} of the window"
    page.keyboard.press("Tab")
    expect(panel.get_by_role("button", name="Remove photo 1")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".fd-status")).to_contain_text("Photo 1 removed")
    expect(panel.get_by_role("button", name="Remove photo 1")).to_be_focused()  # the other photo, now the first
    expect(panel).to_have_accessible_name("Photos: 1 added")
    assert axe_violations(page, ".fd-root") == []
    page.context.close()


@pytest.mark.parametrize("size,motion", [("zoom200", "reduce"), ("phone", "no-preference")])
def test_the_location_question_arrives_with_its_button_in_view_and_focus_stays_where_the_resident_types(
    browser, front_door, size, motion
):
    page = new_page(browser, size, geolocation=HERE, permissions=["geolocation"], reduced_motion=motion)
    open_widget(page, front_door.url)
    seen = bot_count(page)
    send(page, "there's a massive pothole on our road")
    page.keyboard.type("nb4 2")  # the resident starts on the answer before the question arrives
    wait_for_reply(page, seen)
    question = last_bot(page, "postcode")
    if motion == "reduce":  # nothing moves: the question is in place as it arrives
        assert page.evaluate("document.getAnimations().length") == 0
    else:
        settle(page)
    control = question.locator(".fd-location-control")
    where = {
        "button": inside_log(page, control.get_by_role("button", name="Use my location")),
        "with its words": inside_log(page, control),
    }
    shot(page, f"{size}-location-question")
    print(f"\n{size}: location control {where}")
    for name, box in where.items():
        assert box["logTop"] - 1 <= box["top"] and box["bottom"] <= box["logBottom"] + 1, f"{name}: {box}"
    expect(page.locator("#fd-input")).to_be_focused()
    expect(page.locator("#fd-input")).to_have_value("nb4 2")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
    page.context.close()
