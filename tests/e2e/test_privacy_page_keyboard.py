"""The data protection officer's page (/manager/privacy/) by keyboard alone, in Debian's
Chromium against the real front door and Redis: every control is reached by Tab in reading
order with a focus indicator one can see, headings and labels are in order, and a search,
its confirmation step and the erasure are done without a mouse.

Screenshots of the focused controls go to ZOOM_SHOTS (default /tmp/zoom-shots/)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PASSWORD, add_user, axe_violations
from tests.e2e.test_browser import last_bot, open_widget, send

pytestmark = pytest.mark.servers

SHOTS = Path(os.environ.get("ZOOM_SHOTS", "/tmp/zoom-shots"))

# What the focused element looks like: an outline or a ring drawn with box-shadow, and
# whether it sits where the resident of the page can see it.
FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const ring = s.boxShadow !== 'none';
  return {
    tag: e.tagName.toLowerCase(), name: (e.labels && e.labels[0] ? e.labels[0].textContent : e.textContent).trim(),
    type: e.type || '', outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor, ring: s.boxShadow,
    visible: outline || ring, onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight,
  };
}"""

CONTROLS = """() => [...document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])'
)].filter(e => !e.disabled && e.getClientRects().length).length"""


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def tab_through(page: Page, name: str) -> list[dict]:
    """Tab from the top of the page to its end, as a keyboard user would: what took focus."""
    page.wait_for_load_state("load")  # the style sheets, after a form's POST
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")
    seen: list[dict] = []
    for step in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS)
        if focused is None or (seen and focused == seen[0]):
            break
        seen.append(focused)
        if step < 12:
            shot(page, f"dpo-{name}-tab-{step + 1:02d}")
    return seen


def assert_keyboard_pass(page: Page, name: str) -> list[dict]:
    seen = tab_through(page, name)
    print(f"\n{name}: " + " | ".join(f"{f['name'][:30]} ({'ring' if f['visible'] else 'NO RING'})" for f in seen))
    missing = [f for f in seen if not f["visible"] or not f["onScreen"]]
    assert missing == [], f"{name}: focus cannot be seen on {missing}"
    assert len(seen) == page.evaluate(CONTROLS), f"{name}: Tab does not reach every control: {seen}"
    levels = page.evaluate("[...document.querySelectorAll('h1, h2, h3, h4')].map(h => Number(h.tagName[1]))")
    assert levels[0] == 1 and levels.count(1) == 1, f"{name}: headings {levels}"
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"{name}: a heading level is skipped: {levels}"
    # What is read and tabbed is what is seen: headings and controls run down the page.
    tops = page.evaluate("""() => [...document.querySelectorAll(
      'h1, h2, h3, main a[href], main button, main input:not([type=hidden]), main select')]
      .filter(e => e.getClientRects().length)
      .map(e => [e.textContent.trim().slice(0, 30) || e.name, Math.round(e.getBoundingClientRect().top)])""")
    backwards = [(a, b) for a, b in zip(tops, tops[1:]) if b[1] < a[1] - 8]
    assert backwards == [], f"{name}: shown above what comes before it: {backwards}"
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
        ".filter(e => !e.labels || !e.labels.length).map(e => e.name)"
    )
    assert unlabelled == [], f"{name}: fields without a label: {unlabelled}"
    assert axe_violations(page) == [], name
    return seen


def tab_to(page: Page, label: str) -> None:
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == label:
            return
    raise AssertionError(f"Tab never reached {label!r}")


def test_the_privacy_officer_searches_and_erases_by_keyboard_alone(browser: Browser, front_door, door_env):
    add_user(door_env, "dee", "Dee Rowe", roles=("dpo",))
    resident = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True).new_page()
    open_widget(resident, front_door.url)
    send(resident, "when is my bin collected")
    last_bot(resident, "bin")
    cid = resident.evaluate(
        "Object.keys(sessionStorage).filter(k => k.startsWith('frontdesk:'))"
        ".map(k => JSON.parse(sessionStorage.getItem(k)).conversation_id)[0]"
    )
    assert re.fullmatch(r"c_[\w-]{22}", cid), cid
    resident.context.close()

    page = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True).new_page()
    page.goto(front_door.url + "/manager/privacy/")
    page.get_by_label("Username").focus()
    page.keyboard.type("dee")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Subject access and erasure", level=1)).to_be_visible(timeout=10_000)
    assert_keyboard_pass(page, "search")
    shot(page, "dpo-search-page")

    # The skip link is the first stop and takes the keyboard past the staff navigation.
    page.evaluate("window.scrollTo(0, 0)")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Search by")).to_be_focused()
    page.evaluate("document.activeElement.blur()")

    # The search, by keyboard: the kind by typing its first letter, then the fields.
    page.get_by_label("Search by").focus()
    page.keyboard.press("c")  # "Case reference" first, then "Conversation id"
    page.keyboard.press("c")
    expect(page.get_by_label("Search by")).to_have_value("conversation")
    page.keyboard.press("Tab")
    page.keyboard.type(cid)
    page.keyboard.press("Tab")
    page.keyboard.type("SAR 2026-101")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="What is held", level=1)).to_be_visible(timeout=10_000)
    assert_keyboard_pass(page, "held")
    shot(page, "dpo-held-page")

    tab_to(page, "Erase…")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Erase: are you sure?", level=1)).to_be_visible()
    seen = assert_keyboard_pass(page, "confirm")
    assert [f["name"] for f in seen][-3:] == [
        "I have checked who is asking and want to erase this. It cannot be undone.",
        "Erase now",
        "Cancel",
    ], seen

    # Unticked, "Erase now" erases nothing: the browser sends focus back to the box.
    tab_to(page, "Erase now")
    page.keyboard.press("Enter")
    expect(page.get_by_label(re.compile("^I have checked who is asking"))).to_be_focused()
    expect(page.get_by_role("heading", name="Erase: are you sure?", level=1)).to_be_visible()
    page.keyboard.press("Space")
    expect(page.get_by_label(re.compile("^I have checked who is asking"))).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Erased", level=1)).to_be_visible(timeout=10_000)
    expect(page.get_by_role("status")).to_have_text("The erasure is done and recorded.")
    assert_keyboard_pass(page, "erased")
    page.context.close()
