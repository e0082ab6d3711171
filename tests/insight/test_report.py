"""The HTML report: headline figures, escaping, accessibility, CSP-friendly styles."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import pytest

from insight import charts
from insight.figures import compute, month_period
from insight.report import (
    CSS_PATH,
    CSS_URL,
    HANDOFF_REASONS,
    ROUTES,
    SUGGESTION,
    Names,
    duration,
    headlines,
    render_html,
)
from knowledge_base import urgent
from tests.insight.small_log import (
    AFTER_CRISIS_TEXT,
    CONTENT_GAP_TEXT,
    CRISIS_TEXT,
    SIGNPOSTED_TEXT,
    UNANSWERED_SIGNPOSTS_TEXT,
    small_log,
    urgent_log,
)


@pytest.fixture(scope="module")
def figures():
    return compute(small_log(), *month_period("2026-10"))


@pytest.fixture(scope="module")
def page(figures):
    return render_html(figures, "Council insight: October 2026")


class Structure(HTMLParser):
    """What the tests look at: tags with their attributes, and the text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Structure:
    parsed = Structure()
    parsed.feed(html)
    return parsed


def test_the_page_starts_with_every_headline_figure_worked_out_by_hand(page):
    glance = page[page.index('id="at-a-glance"') : page.index('id="contacts"')]
    for text in (
        "18",  # contacts
        "38.9%",  # resolved by the bot: 7 / 18
        "50.0%",  # handoff rate: 9 / 18
        "2 min",  # median wait: 120 s
        "60.0%",  # satisfied: 3 of 5 ratings
        "11.1%",
    ):  # repeat contact: 2 / 18
        assert f'<p class="headline-value">{text}</p>' in glance
    assert "9 in 10 waited 10 min or less" in glance  # p90 = 600 s


def test_every_headline_has_a_plain_english_explanation(figures, page):
    found = headlines(figures)
    assert [h.label for h in found] == [
        "Contacts",
        "Resolved by the bot",
        "Handoff rate",
        "Median wait for an advisor",
        "Satisfied",
        "Repeat contact",
    ]
    for headline in found:
        assert headline.explanation.endswith(".") and len(headline.explanation) > 30
        assert headline.explanation in page.replace("&#x27;", "'")


def test_text_from_residents_is_escaped(page):
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; where is my polling station" in page
    assert not any(tag == "script" for tag, _ in parse(page).tags)


def test_the_title_is_escaped_too(figures):
    assert "<b>" not in render_html(figures, "Insight <b>bold</b>")


def test_unanswered_groups_come_with_examples_and_a_suggestion(page):
    section = page[page.index('id="unanswered"') :]
    assert section.index("Next election") < section.index("Skip permit")
    assert "Can I get a skip permit?" in section
    assert section.count(SUGGESTION) == 3


def section_of(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}"')
    return page[start : page.index("</section>", start)]


def cells(html: str, label: str) -> list[str]:
    """The numbers in the table row headed ``label``."""
    row = html[html.index(f'<th scope="row">{escape(label)}</th>') :]
    return re.findall(r'<td class="num">([^<]*)</td>', row[: row.index("</tr>")])


@pytest.fixture(scope="module")
def urgent_page():
    return render_html(compute(urgent_log(), *month_period("2026-10")), "Council insight: October 2026")


def test_urgent_contacts_are_tabled_by_category_with_the_labels_of_the_urgent_module(urgent_page):
    table = section_of(urgent_page, "urgent")
    # Conversations, urgent advice, numbers under another answer, missed by the bot, handoffs.
    assert cells(table, urgent.BY_NAME["crisis"].label) == ["3", "1", "1", "1", "1"]
    assert cells(table, urgent.BY_NAME["domestic_abuse"].label) == ["2", "2", "0", "0", "3"]
    assert cells(table, urgent.BY_NAME["gas"].label) == ["2", "2", "0", "0", "0"]
    assert cells(table, urgent.BY_NAME["power"].label) == ["1", "0", "1", "0", "0"]
    assert cells(table, urgent.BY_NAME["emergency"].label) == ["0", "0", "0", "0", "0"]
    assert "8 conversations (88.9% of contacts) were urgent contacts" in table
    assert "The bot did not recognise 1 conversation as urgent" in table
    assert "1 conversation (100.0% of contacts) was an urgent contact" in section_of(
        render_html(
            compute([e for e in urgent_log() if e.conversation_id == "u01"], *month_period("2026-10")),
            "One conversation",
        ),
        "urgent",
    )
    assert 'id="chart-urgent"' in table
    reasons = section_of(urgent_page, "handoffs")
    assert cells(reasons, urgent.BY_NAME["domestic_abuse"].label)[0] == "3"


def test_urgent_contacts_never_appear_among_the_questions_the_bot_could_not_answer(urgent_page):
    # A crisis message the bot answered out_of_scope, one with crisis numbers added, one in a
    # conversation routed to crisis, one with signposts on the event: nowhere in the page.
    for text in (CRISIS_TEXT, SIGNPOSTED_TEXT, AFTER_CRISIS_TEXT, UNANSWERED_SIGNPOSTS_TEXT):
        assert text not in urgent_page and escape(text) not in urgent_page
    unanswered = section_of(urgent_page, "unanswered")
    assert CONTENT_GAP_TEXT in unanswered and unanswered.count(SUGGESTION) == 1
    assert "The bot could not answer 1 question outside urgent contacts." in unanswered
    assert (
        "4 questions the bot could not answer came from urgent contacts and are left out of this section" in unanswered
    )
    assert "reviewed through the council&#x27;s safeguarding process, not as content gaps" in unanswered


def test_a_month_with_no_left_out_question_says_nothing_about_them(page):
    unanswered = section_of(page, "unanswered")
    assert "outside urgent contacts" not in unanswered and "left out" not in unanswered
    assert cells(section_of(page, "urgent"), urgent.BY_NAME["safeguarding"].label) == ["1", "1", "0", "0", "1"]


def test_route_and_reason_names_come_from_the_urgent_module():
    names = Names()
    for category in urgent.CATEGORIES:
        assert HANDOFF_REASONS[category.name] == category.label
        assert category.label in ROUTES[category.route] == names.route(category.route)


def test_styles_are_linked_for_the_front_door_or_copied_in_for_a_file(figures, page):
    assert f'<link rel="stylesheet" href="{CSS_URL}">' in page
    assert "<style" not in page
    standalone = render_html(figures, "Council insight", inline_css=True)
    assert "<style>" in standalone and "<link" not in standalone
    assert CSS_PATH.read_text(encoding="utf-8").split("\n")[2] in standalone
    for html in (page, standalone):
        assert not any("style" in attrs for _, attrs in parse(html).tags)  # CSP: no style attributes
        assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "https://" not in html


def test_every_chart_is_an_image_with_a_title_and_a_description_and_a_table_nearby(page):
    tags = parse(page).tags
    svgs = [attrs for tag, attrs in tags if tag == "svg"]
    assert len(svgs) >= 10
    for attrs in svgs:
        assert attrs["role"] == "img"
        title, desc = attrs["aria-labelledby"].split()
        assert f'<title id="{title}">' in page and f'<desc id="{desc}">' in page
    tables = page.count("<table")
    assert tables >= len(svgs)
    assert page.count("<caption") == tables
    headers = [attrs for tag, attrs in tags if tag == "th"]
    assert headers and all(attrs.get("scope") in ("col", "row") for attrs in headers)


def test_headings_are_in_order_and_the_language_is_british_english(page):
    assert '<html lang="en-GB">' in page
    levels = [int(tag[1]) for tag, _ in parse(page).tags if re.fullmatch(r"h[1-6]", tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))


def test_the_same_numbers_are_in_the_tables(page):
    daily = page[page.index('id="table-daily"') :]
    assert re.search(r"Thu 1 Oct</th><td class=\"num\">2</td>", daily)
    heat = page[page.index('id="table-heatmap"') :]
    monday = heat[heat.index("Monday</th>") : heat.index("</tr>", heat.index("Monday</th>"))]
    assert re.findall(r"<td class=\"num\">(\d+)</td>", monday)[9] == "3"  # Monday 09:00, three contacts


def test_durations_read_naturally():
    assert [duration(s) for s in (None, 45, 60, 155, 3900)] == ["no data", "45 s", "1 min", "2 min 35 s", "1 h 5 min"]


def test_chart_colours_have_enough_contrast():
    for colour in (charts.BAR, charts.BAR_ALT, charts.CELL_BORDER, charts.SECONDARY_TEXT):
        assert charts.contrast(colour, charts.BACKGROUND) >= 3
    assert charts.contrast(charts.TEXT, charts.BACKGROUND) >= 4.5
    for step in range(101):
        fill = charts.mix(charts.HEAT_LOW, charts.HEAT_HIGH, step / 100)
        assert charts.contrast(charts.text_on(fill), fill) >= 4.5


def test_an_empty_period_still_renders():
    import datetime as dt

    from insight.figures import compute as compute_figures

    html = render_html(compute_figures([], dt.date(2026, 10, 1), dt.date(2026, 10, 7)), "Empty week")
    assert "no data" in html and "No conversations were started in this period." in html
