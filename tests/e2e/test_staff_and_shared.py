"""Staff sign-in at /staff/ in Chromium, the managers' month picker and empty state, and the
shared Markdown renderer's XSS table (tests/js/xss_cases.json) run on the real DOM."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from bot.processes import ROOT
from tests.e2e.conftest import PASSWORD, axe_violations, shoot

CASES = json.loads((ROOT / "tests" / "js" / "xss_cases.json").read_text())

RUN_TABLE = """async (cases) => {
  const { render } = await import('/shared/markdown.js');
  const allowed = new Set(['P', 'BR', 'UL', 'LI', 'STRONG', 'A', 'SPAN']);
  const results = [];
  for (const c of cases) {
    const box = document.createElement('div');
    document.body.append(box);
    box.append(render(c.input, { linkClass: 'chat-link' }));
    await new Promise((r) => setTimeout(r, 20));  // give any injected handler its chance
    const tags = [...box.querySelectorAll('*')].map((e) => e.tagName).filter((t) => !allowed.has(t));
    const attrs = [...box.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name))
      .filter((n) => !['href', 'class', 'target', 'rel'].includes(n));
    const text = [...box.children].map((b) => b.tagName === 'UL'
      ? [...b.children].map((li) => li.textContent).join('\\n')
      : [...b.childNodes].map((n) => (n.nodeName === 'BR' ? '\\n' : n.textContent)).join('')).join('\\n\\n');
    results.push({ name: c.name, tags, attrs, text,
      links: [...box.querySelectorAll('a')].map((a) => [a.firstChild.textContent, a.getAttribute('href')]) });
    box.remove();
  }
  return { results, xss: window.__xss === undefined ? null : window.__xss };
}"""


def sign_in(page: Page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_the_xss_table_renders_safely_in_chromium(advisor_page: Page, front_door):
    page = advisor_page
    page.goto(front_door.url + "/staff/")
    outcome = page.evaluate(RUN_TABLE, CASES)
    assert outcome["xss"] is None, "a payload ran"
    for case, result in zip(CASES, outcome["results"]):
        assert result["tags"] == [] and result["attrs"] == [], case["name"]
        assert result["links"] == case["links"], case["name"]
        assert result["text"] == case["text"], case["name"]


def test_an_advisor_asking_for_the_console_signs_in_at_staff_and_comes_back(advisor_page: Page, front_door):
    page = advisor_page
    page.goto(front_door.url + "/console/")
    expect(page).to_have_url(re.compile(r"/staff/\?next=%2Fconsole%2F"))
    expect(page.get_by_role("heading", name="Log in to Front Desk")).to_be_visible()
    assert axe_violations(page) == [], "staff sign-in"
    shoot(page, "staff-1280-signin")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your username.")
    expect(page.get_by_label("Username")).to_be_focused()
    sign_in(page, "sam")
    expect(page).to_have_url(front_door.url + "/console/")
    expect(page.get_by_label("Your status")).to_be_visible()


def test_an_outside_next_address_is_refused_and_the_roles_pages_are_listed(browser, front_door):
    context = browser.new_context(viewport={"width": 375, "height": 740}, bypass_csp=True)
    page = context.new_page()
    page.goto(front_door.url + "/staff/?next=https://evil.example/")
    sign_in(page, "olu")
    expect(page.get_by_role("heading", name="Your pages")).to_be_visible()
    assert page.url.startswith(front_door.url + "/staff/")
    expect(page.get_by_role("status")).to_contain_text("not one of your pages")
    links = page.locator("#page-list a")
    expect(links).to_have_text(["Advisor console", "Managers' report", "Messages set aside"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_violations(page) == [], "staff pages at 375 px"
    shoot(page, "staff-375-pages")
    page.get_by_role("link", name="Managers' report").click()
    expect(page.get_by_label("Month")).to_be_visible()
    context.close()


def test_a_manager_picks_a_month_and_an_empty_month_says_so(browser, front_door):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(front_door.url + "/manager/")
    expect(page).to_have_url(re.compile(r"/staff/\?next="))
    sign_in(page, "mina")
    expect(page).to_have_url(re.compile(r"/manager/$"))
    month = page.get_by_label("Month")
    expect(month).to_be_visible()
    shoot(page, "manager-1280-report")
    month.fill("2025-11")
    page.get_by_role("button", name="Show report").click()
    expect(page).to_have_url(re.compile(r"month=2025-11"))
    expect(page.get_by_role("heading", name="There were no conversations in November 2025.")).to_be_visible()
    assert axe_violations(page) == [], "managers' page, empty month"
    shoot(page, "manager-1280-empty")
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "manager-375-empty")
    context.close()


def test_an_advisor_finds_a_canned_answer_shown_as_residents_see_it(advisor_page: Page, front_door):
    page = advisor_page
    page.goto(front_door.url + "/console/")
    sign_in(page, "priya")
    expect(page.get_by_label("Your status")).to_be_visible()
    page.get_by_label("Search the council’s answers").fill("pay council tax")
    page.get_by_role("button", name="Search", exact=True).click()
    answer = page.locator("#answers-list li").first
    expect(answer.get_by_role("button", name=re.compile("^Insert"))).to_be_visible(timeout=10_000)
    answer.locator("summary").click()
    # The same renderer as the widget: phone numbers are tel: links for advisors too.
    expect(answer.locator(".ev-body a[href^='tel:']").first).to_be_visible()
