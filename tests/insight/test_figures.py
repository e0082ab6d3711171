"""The figures of a small hand-written month, worked out by hand (tests/insight/small_log.py)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict

import pytest

from insight.figures import (
    Count,
    UrgentCount,
    compute,
    group_questions,
    month_period,
    percentile,
    period_bounds,
    shipped_urgent_words,
    stem,
    words,
)
from knowledge_base import urgent
from knowledge_base.urgent import PhraseMatcher
from tests.insight.small_log import (
    AFTER_CRISIS_TEXT,
    CONTENT_GAP_TEXT,
    CRISIS_TEXT,
    SIGNPOSTED_TEXT,
    UNANSWERED_SCRIPT,
    UNANSWERED_SIGNPOSTS_TEXT,
    conversation,
    route,
    small_log,
    urgent_log,
)

OCTOBER = month_period("2026-10")


@pytest.fixture(scope="module")
def figures():
    return compute(small_log(), *OCTOBER, statuses={"NB-2026-000101": "FIXED"})


def counts(items: list[Count]) -> dict[str, int]:
    return {c.key: c.count for c in items}


def test_october_runs_from_local_midnight_in_summer_time_to_local_midnight_in_winter_time():
    first, after = period_bounds(*OCTOBER)
    assert OCTOBER == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert first.isoformat() == "2026-09-30T23:00:00+00:00"  # 00:00 BST
    assert after.isoformat() == "2026-11-01T00:00:00+00:00"  # 00:00 GMT


def test_contacts_are_conversations_started_in_the_local_period(figures):
    # c01..c18 (18); c00 started at 23:30 BST on 30 September; c_unknown never started.
    assert figures.contacts == 18


def test_contacts_per_day_use_uk_time(figures):
    per_day = {d.date: d.count for d in figures.contacts_per_day}
    assert len(per_day) == 31  # every day, zeros included
    # 1 Oct: c01 (23:30 UTC on 30 Sep = 00:30 BST) + c02 = 2; 2 Oct: c03 + c04 = 2; 5 Oct: c06 + c07 = 2
    assert per_day["2026-10-01"] == 2
    assert per_day["2026-10-02"] == 2
    assert per_day["2026-10-05"] == 2
    assert per_day["2026-10-04"] == 0
    # 31 Oct: c15 at 23:30 GMT (after the clocks went back) is still 31 October.
    assert per_day["2026-10-31"] == 1
    assert sum(per_day.values()) == 18
    assert figures.contacts_per_day[0].weekday == "Thursday"


def test_contacts_by_weekday_and_hour_use_uk_time(figures):
    grid = figures.contacts_by_weekday_hour
    assert len(grid) == 7 and all(len(row) == 24 for row in grid)
    # Monday 09:00-10:00: c06 (08:10 UTC, BST), c07 (08:40 UTC, BST), c14 (09:10 UTC, GMT) = 3
    assert grid[0][9] == 3
    # Thursday: c01 at 00:30, c02 at 09:05, c13 at 11:00, c18 at 08:45
    assert (grid[3][0], grid[3][9], grid[3][11], grid[3][8]) == (1, 1, 1, 1)
    # Saturday: c05 at 20:00, c15 at 23:30
    assert (grid[5][20], grid[5][23]) == (1, 1)
    assert sum(map(sum, grid)) == 18


def test_the_reason_for_contact_is_the_first_route_that_is_not_small_talk(figures):
    # faq: c01, c02, c09, c14, c17 = 5; handoff: c08, c13, c18 = 3; out_of_scope: c05, c11, c15 = 3;
    # request: c04, c16 = 2; track_request: c03, c10 = 2; complaint: c06; urgent: c07; c12 said only hello.
    assert counts(figures.reason_groups) == {
        "faq": 5,
        "handoff": 3,
        "out_of_scope": 3,
        "request": 2,
        "track_request": 2,
        "complaint": 1,
        "urgent": 1,
    }
    assert [c.key for c in figures.reason_groups][:3] == ["faq", "handoff", "out_of_scope"]  # largest, then A-Z
    # c09 asked about parking permits first, then the blue badge: only the first counts.
    assert counts(figures.faq_articles) == {
        "council-tax-pay": 2,
        "bin-collection-day": 1,
        "housing-repairs": 1,
        "parking-permits": 1,
    }
    assert counts(figures.requests_by_service) == {"missed_bin": 1, "pothole": 1}
    assert counts(figures.reasons)["urgent:safeguarding"] == 1
    assert figures.no_question == 1  # c12


def test_resolved_by_the_bot_means_answered_without_an_advisor_or_a_message(figures):
    # Answered by the bot: c01 c02 c03 c04 c07 c09 c10 c14 c15 c16 c17 (11)
    # minus an advisor took it: c02 c07 c14 c17 -> c01 c03 c04 c09 c10 c15 c16 = 7
    # (c05 c11: only out_of_scope; c06 c08 c13 c18: only complaint/handoff; c12: only hello)
    assert figures.resolved_by_bot == 7
    assert figures.resolved_by_bot_share == pytest.approx(7 / 18)  # 38.9%
    # advisor: c02 c06 c07 c14 c17 = 5; message: c05 c08 c18 = 3; no answer: c11 c13 = 2; no question: c12
    assert counts(figures.endings) == {
        "resolved_by_bot": 7,
        "advisor": 5,
        "message_left": 3,
        "no_answer": 2,
        "no_question": 1,
    }


def test_handoffs_by_reason_and_outcome(figures):
    # Handoff events: c02 c05 c06 c07 c08 c13 c14 c17 c18 = 9, one per conversation: 9 / 18 = 50%
    assert figures.handoff_conversations == 9
    assert figures.handoff_requests == 9
    assert figures.handoff_rate == pytest.approx(0.5)
    # resident_asked: c02 c08 c13 c14 c17 c18 = 6
    assert counts(figures.handoffs_by_reason) == {
        "resident_asked": 6,
        "complaint": 1,
        "repeated_misunderstanding": 1,
        "safeguarding": 1,
    }
    # queued: c02 c06 c07 c13 c14 c17 = 6; closed: c05 c08 = 2; no_advisor: c18 = 1
    assert counts(figures.handoffs_by_outcome) == {"queued": 6, "closed": 2, "no_advisor": 1}
    assert counts(figures.handoffs_by_priority) == {"normal": 8, "urgent": 1}
    assert (figures.claimed, figures.waits_cancelled, figures.transfers) == (5, 1, 1)


def test_waiting_and_handling_times_use_the_nearest_rank(figures):
    # Waits sorted: 30 60 120 240 600 (n = 5). Median: rank ceil(0.5 x 5) = 3 -> 120 s;
    # 90th percentile: rank ceil(0.9 x 5) = 5 -> 600 s.
    assert (figures.waiting.count, figures.waiting.median, figures.waiting.p90) == (5, 120.0, 600.0)
    # Handling sorted: 180 300 420 600 900 -> median 420 s, 90th percentile 900 s.
    assert (figures.handling.count, figures.handling.median, figures.handling.p90) == (5, 420.0, 900.0)
    # Bands are [lower, upper): 30 | 60 | 120 240 | - | 600 (exactly 10 min) | -
    assert [c.count for c in figures.waiting.bands] == [1, 1, 2, 0, 1, 0]


def test_the_nearest_rank_percentile_is_always_an_observed_value():
    values = [240, 60, 180, 120]
    assert percentile(values, 50) == 120  # rank ceil(0.5 x 4) = 2 (not 150, the average of the middle two)
    assert percentile(values, 90) == 240  # rank ceil(0.9 x 4) = 4
    assert percentile([42], 90) == 42
    assert percentile([], 50) is None


def test_ratings_count_the_last_rating_of_each_conversation(figures):
    # c01 5, c02 4 then 5 (counts as 5), c06 2, c15 3 (after midnight, still c15's), c17 5
    r = figures.ratings
    assert r.count == 5
    assert r.mean == pytest.approx(4.0)  # (5 + 5 + 2 + 3 + 5) / 5 = 20 / 5
    assert counts(r.distribution) == {"1": 0, "2": 1, "3": 1, "4": 0, "5": 3}
    assert (r.satisfied, r.satisfied_share) == (3, pytest.approx(0.6))  # 3 of 5 gave 4 or 5


def test_cases_by_type_and_by_the_statuses_supplied(figures):
    # c04 missed_bin NB-2026-000101 (FIXED), c16 pothole NB-2026-000104 (not supplied); c00 is September's.
    assert figures.cases == 2
    assert counts(figures.cases_by_type) == {"missed_bin": 1, "pothole": 1}
    assert counts(figures.cases_by_status) == {"FIXED": 1, "status unknown": 1}
    assert figures.case_statuses_known


def test_without_statuses_every_case_is_status_unknown():
    figures = compute(small_log(), *OCTOBER)
    assert counts(figures.cases_by_status) == {"status unknown": 2}
    assert not figures.case_statuses_known


def test_repeat_contact_within_seven_days_by_reference_or_contact_code(figures):
    # c03 mentions NB-2026-000100, created by c00 34 h before: repeat (reference).
    # c08 leaves a message with contact aaaa1111, as c05 did 3 days before: repeat (contact).
    # c10 mentions NB-2026-000101, created by c04 9 days 23 h before: outside the window.
    assert figures.repeat_contacts == 2
    assert figures.repeat_contact_share == pytest.approx(2 / 18)  # 11.1%
    assert (figures.repeat_by_reference, figures.repeat_by_contact) == (1, 1)


def test_bot_unavailability_and_messages_left(figures):
    assert (figures.bot_unavailable, figures.bot_unavailable_conversations) == (1, 1)  # c09
    assert figures.messages_left == 3  # c05 c08 c18
    assert figures.messages_left_saved_for_later == 1  # c18, queued


def test_unanswered_questions_are_grouped_by_shared_words(figures):
    # skip permit (c05 twice), next election (c11, c16), polling station (c15)
    assert figures.unanswered == 5
    groups = [(g.label, g.count) for g in figures.unanswered_groups]
    assert groups == [("next election", 2), ("skip permit", 2), ("script alert polling", 1)]
    skip = figures.unanswered_groups[1]
    assert skip.examples == ["Can I get a skip permit?", "how do I apply for a skip permit"]
    assert figures.unanswered_groups[2].examples == [UNANSWERED_SCRIPT]


def test_the_small_month_has_one_urgent_contact_and_leaves_no_question_out(figures):
    # c07: urgent:safeguarding, then a safeguarding handoff. Its questions were all answered.
    assert figures.urgent_contacts == 1
    assert figures.unanswered_left_out == 0 and figures.urgent_missed == 0
    rows = {c.category: c for c in figures.urgent_by_category}
    assert rows["safeguarding"] == UrgentCount(
        "safeguarding", conversations=1, routed=1, signposted=0, missed=0, handoffs=1
    )
    assert sum(c.conversations for c in figures.urgent_by_category) == 1


@pytest.fixture(scope="module")
def urgent_figures():
    return compute(urgent_log(), *OCTOBER)


def test_the_log_says_what_the_tests_assume_about_urgent_words():
    words = shipped_urgent_words()
    assert [intent for intent, _ in words.match_all(CRISIS_TEXT)] == ["urgent_crisis"]
    # These are left out for their routes, not their words.
    for text in (SIGNPOSTED_TEXT, AFTER_CRISIS_TEXT, UNANSWERED_SIGNPOSTS_TEXT, CONTENT_GAP_TEXT):
        assert words.match_all(text) == []


def test_urgent_contacts_are_counted_by_category_in_the_order_of_precedence(urgent_figures):
    f = urgent_figures
    assert [c.category for c in f.urgent_by_category] == [c.name for c in urgent.CATEGORIES]
    rows = {c.category: (c.conversations, c.routed, c.signposted, c.missed, c.handoffs) for c in f.urgent_by_category}
    assert rows == {
        "crisis": (3, 1, 1, 1, 1),  # u03 routed (1 handoff), u02 signposted, u01 missed by the bot
        "domestic_abuse": (2, 2, 0, 0, 3),  # u06, u07 (asked twice)
        "safeguarding": (0, 0, 0, 0, 0),
        "danger": (1, 0, 1, 0, 0),  # u09: signposts on the unanswered event itself
        "gas": (2, 2, 0, 0, 0),  # u04, u05
        "power": (1, 0, 1, 0, 0),  # u05: gas won, power's numbers added
        "emergency": (0, 0, 0, 0, 0),
    }
    assert f.urgent_contacts == 8  # u01 u02 u03 u04 u05 u06 u07 u09; not u08
    assert f.urgent_missed == 1  # u01
    assert counts(f.handoffs_by_reason) == {"domestic_abuse": 3, "crisis": 1, "repeated_misunderstanding": 1}


def test_questions_from_urgent_contacts_are_counted_and_never_kept(urgent_figures):
    f = urgent_figures
    assert f.unanswered_left_out == 4  # u01 (urgent words), u02 (signposts), u03 (urgent route), u09 (signposts)
    assert f.unanswered == 1
    assert [(g.label, g.examples) for g in f.unanswered_groups] == [("skip permit", [CONTENT_GAP_TEXT])]
    kept = json.dumps(asdict(f))
    for text in (CRISIS_TEXT, SIGNPOSTED_TEXT, AFTER_CRISIS_TEXT, UNANSWERED_SIGNPOSTS_TEXT):
        assert text not in kept
    for word in ("want", "bills", "rent", "shouting"):  # not even as a group's word
        assert all(word not in g.words and word not in g.label for g in f.unanswered_groups)


def test_the_shipped_urgent_phrases_screen_unanswered_questions_unless_others_are_given():
    assert compute(urgent_log(), *OCTOBER).unanswered_left_out == 4  # default: knowledge_base/urgent_phrases.yml
    no_words = compute(urgent_log(), *OCTOBER, urgent_words=PhraseMatcher({}))
    # Without phrases only the routes and signposts remain: u01's words are no longer caught.
    assert no_words.unanswered_left_out == 3 and no_words.urgent_missed == 0
    assert CRISIS_TEXT in [t for g in no_words.unanswered_groups for t in g.examples]


def test_an_urgent_route_or_signpost_this_version_does_not_know_still_leaves_questions_out():
    from tests.insight.small_log import conversation, route

    log = conversation(
        "x1",
        "2026-10-05T20:00:00",
        (10, "route", route("urgent:flood")),
        (20, "route", route("out_of_scope")),
        (21, "unanswered", {"text": "is the river safe"}),
    )
    log += conversation(
        "x2",
        "2026-10-05T21:00:00",
        (10, "route", {**route("out_of_scope"), "signposts": {"x": 1}}),
        (11, "unanswered", {"text": "what about the bridge"}),
    )
    f = compute(log, *OCTOBER)
    assert (f.unanswered, f.unanswered_left_out, f.urgent_contacts) == (0, 2, 2)
    assert all(c.conversations == 0 for c in f.urgent_by_category)


def test_question_grouping_normalises_words_and_keeps_examples_by_frequency():
    assert [s for s, _ in words("Can I get a SKIP permit for [address]?")] == ["skip", "permit"]
    assert stem("permits") == stem("permitted") == stem("permit") == "permit"
    assert stem("elections") == stem("election")
    assert stem("polling") == "poll"
    texts = ["where do I get a blue badge"] * 3 + [
        "blue badge renewal",
        "renew my blue badge",
        "when is the next election",
        "hi",
        "??",
    ]
    groups = group_questions(texts)
    assert [(g.label, g.count) for g in groups] == [("blue badge", 5), ("next election", 1), ("other", 2)]
    assert groups[0].examples[0] == "where do I get a blue badge"
    assert len(groups[0].examples) == 3  # distinct texts only


def test_figures_are_json_serialisable(figures):
    data = json.loads(json.dumps(asdict(figures)))
    assert data["contacts"] == 18
    assert data["contacts_by_weekday_hour"][0][9] == 3


def test_an_empty_period_has_no_data_rather_than_errors():
    figures = compute([], dt.date(2026, 10, 1), dt.date(2026, 10, 7))
    assert figures.contacts == 0
    assert figures.resolved_by_bot_share is None and figures.handoff_rate is None
    assert figures.waiting.median is None and figures.ratings.mean is None
    assert len(figures.contacts_per_day) == 7


def test_unanswered_questions_recorded_before_masking_improved_are_masked_again_in_the_report():
    events = conversation(
        "c99",
        "2026-10-14T10:00:00",
        (10, "route", route("out_of_scope")),
        (11, "unanswered", {"text": "can i change my nhs number 943 476 5919 on my blue badge"}),
    )

    shown = compute(events, *OCTOBER).unanswered_groups

    assert [g.examples for g in shown] == [["can i change my nhs number [nhs number] on my blue badge"]]
