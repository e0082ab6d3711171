"""The council insight report: one self-contained HTML page from a ``Figures``.

No JavaScript and no external resources. Styles are either linked (``/reports/report.css``,
for pages served behind the front door's CSP ``style-src 'self'``) or, for a file opened
on its own, copied into a ``<style>`` element (``inline_css=True``). No element carries a
``style`` attribute. Every string that comes from the data is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from insight import charts
from insight.figures import ENDINGS, STATUS_UNKNOWN, Figures, share
from knowledge_base import urgent

CSS_PATH = Path(__file__).with_name("report.css")
CSS_URL = "/reports/report.css"
SUGGESTION = "Add as question variants to an existing article, or write a new article."
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
GROUPS_SHOWN = 20

REASON_GROUPS = {
    "faq": "Information from an article",
    "request": "Report a problem",
    "track_request": "Track a report",
    "handoff": "Asked for an advisor",
    "complaint": "Complaint",
    "urgent": "Urgent: a person at risk or an emergency",
    "out_of_scope": "Question the bot could not answer",
}
ROUTES = {
    "track_request": "Track a report",
    "handoff": "Asked for an advisor",
    "complaint": "Complaint",
    **{c.route: f"{c.label} (urgent)" for c in urgent.CATEGORIES},
    "out_of_scope": "Question the bot could not answer",
}
ENDING_NAMES = {
    "resolved_by_bot": "Resolved by the bot",
    "advisor": "Talked to an advisor",
    "message_left": "Left a message for the contact centre",
    "no_answer": "Left without an answer",
    "no_question": "No question asked",
}
HANDOFF_REASONS = {
    "resident_asked": "Resident asked for an advisor",
    "repeated_misunderstanding": "Bot did not understand twice",
    "complaint": "Complaint",
    **{c.name: c.label for c in urgent.CATEGORIES},
    "service_unavailable": "Reporting service unavailable",
}
OUTCOMES = {
    "queued": "Joined the queue",
    "closed": "Contact centre closed",
    "no_advisor": "Open, but no advisor free",
}
PRIORITIES = {"urgent": "Urgent", "high": "High", "normal": "Normal"}
STATUSES = {
    "OPEN": "Open",
    "INVESTIGATING": "Investigating",
    "IN_PROGRESS": "In progress",
    "ACTION_SCHEDULED": "Action scheduled",
    "FIXED": "Fixed",
    "DUPLICATE": "Duplicate",
    "NOT_COUNCILS_RESPONSIBILITY": "Not the council's responsibility",
    "NO_FURTHER_ACTION": "No further action",
    "INTERNAL_REFERRAL": "Passed to another team",
    "CLOSED": "Closed",
    STATUS_UNKNOWN: "Status unknown",
}
HOUR_LABELS = [f"{h:02d}" for h in range(24)]
SHORT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# Formatting ------------------------------------------------------------------------------


def number(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def percent(value: float | None) -> str:
    return "no data" if value is None else f"{value * 100:.1f}%"


def duration(seconds: float | None) -> str:
    """``45 s``, ``2 min 35 s``, ``1 h 5 min``; "no data" for None."""
    if seconds is None:
        return "no data"
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        minutes, rest = divmod(whole, 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, rest = divmod(whole, 3600)
    return f"{hours} h {rest // 60} min"


def long_date(day: dt.date) -> str:
    return f"{day.strftime('%A')} {day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: dt.date) -> str:
    return f"{SHORT_DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1][:3]}"


def period_text(start: dt.date, end: dt.date) -> str:
    if start.year == end.year and start.month == end.month:
        return f"{start.day} to {end.day} {MONTHS[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]} to {end.day} {MONTHS[end.month - 1]} {end.year}"
    return f"{start.day} {MONTHS[start.month - 1]} {start.year} to {end.day} {MONTHS[end.month - 1]} {end.year}"


def tidy(identifier: str) -> str:
    """``council-tax-pay`` -> ``Council tax pay``."""
    text = identifier.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else identifier


class Names:
    """Readable names for keys in the figures; unknown keys are tidied, never dropped."""

    def __init__(self, labels: Mapping[str, str] | None = None) -> None:
        self.labels = dict(labels or {})

    def article(self, article_id: str) -> str:
        return self.labels.get(f"article:{article_id}") or tidy(article_id)

    def service(self, code: str) -> str:
        return self.labels.get(f"service:{code}") or tidy(code)

    def route(self, route: str) -> str:
        if route.startswith("faq:"):
            return f"Article: {self.article(route[4:])}"
        if route.startswith("request:"):
            return f"Report: {self.service(route[8:])}"
        return ROUTES.get(route) or tidy(route)


# Headlines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    explanation: str


def headlines(f: Figures) -> list[Headline]:
    """The "At a glance" numbers, each with one plain-English sentence."""
    days = len(f.contacts_per_day) or 1
    out = [
        Headline(
            "Contacts",
            number(f.contacts),
            f"Conversations residents started in the web chat, about {number(round(f.contacts / days))} a day."
            if f.contacts
            else "No conversations were started in this period.",
        )
    ]
    out.append(
        Headline(
            "Resolved by the bot",
            percent(f.resolved_by_bot_share),
            f"{number(f.resolved_by_bot)} of {number(f.contacts)} conversations got an answer from the bot and "
            "needed neither an advisor nor a message to the contact centre.",
        )
    )
    out.append(
        Headline(
            "Handoff rate",
            percent(f.handoff_rate),
            f"{number(f.handoff_conversations)} conversations asked for, or were passed to, an advisor, "
            "whether or not one was free at the time.",
        )
    )
    if f.waiting.count:
        wait_text = (
            f"Half of the {number(f.waiting.count)} residents who reached an advisor waited this long or "
            f"less; 9 in 10 waited {duration(f.waiting.p90)} or less."
        )
    else:
        wait_text = "No resident reached an advisor in this period, so there is no waiting time."
    out.append(Headline("Median wait for an advisor", duration(f.waiting.median), wait_text))
    out.append(
        Headline(
            "Satisfied",
            percent(f.ratings.satisfied_share),
            f"Of the {number(f.ratings.count)} residents who rated their chat, the share who gave 4 or 5 out of 5."
            if f.ratings.count
            else "No resident rated a chat in this period.",
        )
    )
    out.append(
        Headline(
            "Repeat contact",
            percent(f.repeat_contact_share),
            f"{number(f.repeat_contacts)} conversations were about a case or message from the 7 days before: "
            "contact that a quicker fix or a clearer update could have avoided.",
        )
    )
    return out


# Building blocks --------------------------------------------------------------------------


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def table(
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    table_id: str,
    numeric: Sequence[int] = (),
    css_class: str = "",
) -> str:
    """A table with a caption, column headers and the first cell of each row as a row
    header; columns in ``numeric`` are right-aligned. Cells are escaped."""
    right_aligned = set(numeric)
    table_class = f' class="{css_class}"' if css_class else ""
    out = [
        f'<div class="table-wrap" role="region" aria-labelledby="{table_id}-caption" tabindex="0">',
        f'<table id="{table_id}"{table_class}>',
        f'<caption id="{table_id}-caption">{_e(caption)}</caption><thead><tr>',
    ]
    for i, header in enumerate(headers):
        cls = ' class="num"' if i in right_aligned else ""
        out.append(f'<th scope="col"{cls}>{_e(header)}</th>')
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>")
        for i, cell in enumerate(row):
            cls = ' class="num"' if i in right_aligned else ""
            if i == 0:
                out.append(f'<th scope="row"{cls}>{_e(cell)}</th>')
            else:
                out.append(f"<td{cls}>{_e(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _desc(items: Sequence[tuple[str, float]], unit: str, shown: int = 8) -> str:
    total = sum(v for _, v in items)
    parts = [f"{label}: {number(v) if isinstance(v, int) else v} {unit}".rstrip() for label, v in items[:shown]]
    more = f"; and {len(items) - shown} more" if len(items) > shown else ""
    return f"Total {number(total)} {unit}. ".replace("  ", " ") + "; ".join(parts) + more + "."


def bars(
    items: Sequence[tuple[str, int]],
    title: str,
    chart_id: str,
    unit: str,
    caption: str,
    first_header: str,
    shares: bool = True,
    limit: int | None = None,
) -> str:
    """A bar chart and the same numbers in a table (with shares of the total)."""
    if not items or not any(v for _, v in items):
        return f"<p>No {_e(unit)} in this period.</p>"
    total = sum(v for _, v in items)
    charted = list(items[:limit]) if limit else list(items)
    title_text = title if not limit or len(items) <= limit else f"{title} (largest {limit})"
    svg = charts.bar_chart(charted, title_text, _desc(charted, unit), chart_id)
    headers = [first_header, unit[:1].upper() + unit[1:]] + (["Share"] if shares else [])
    rows = [[label, number(v)] + ([percent(v / total)] if shares else []) for label, v in items]
    if shares and len(items) > 1:
        rows.append(["Total", number(total), "100.0%"])
    return svg + table(caption, headers, rows, f"{chart_id}-table", numeric=(1, 2))


def section(section_id: str, heading: str, body: str) -> str:
    return (
        f'<section id="{section_id}" aria-labelledby="{section_id}-heading">'
        f'<h2 id="{section_id}-heading">{_e(heading)}</h2>{body}</section>'
    )


def _p(text: str) -> str:
    return f"<p>{_e(text)}</p>"


# Sections --------------------------------------------------------------------------------


def _at_a_glance(f: Figures) -> str:
    items = []
    for h in headlines(f):
        items.append(
            f'<li class="headline"><h3>{_e(h.label)}</h3><p class="headline-value">{_e(h.value)}</p>'
            f"<p>{_e(h.explanation)}</p></li>"
        )
    return section("at-a-glance", "At a glance", f'<ul class="headlines">{"".join(items)}</ul>')


def _contacts(f: Figures) -> str:
    days = [(dt.date.fromisoformat(d.date), d) for d in f.contacts_per_day]
    body = []
    if f.contacts and days:
        busiest = max(days, key=lambda x: (x[1].count, -x[0].toordinal()))
        quietest = min(days, key=lambda x: (x[1].count, x[0].toordinal()))
        average = f.contacts / len(days)
        body.append(
            _p(
                f"Residents started {number(f.contacts)} conversations over {len(days)} days, "
                f"{average:,.0f} a day on average. The busiest day was {long_date(busiest[0])} "
                f"({number(busiest[1].count)}); the quietest was {long_date(quietest[0])} "
                f"({number(quietest[1].count)})."
            )
        )
    holidays = any(d.bank_holiday for _, d in days)
    legend = ("Weekdays", "Weekends and bank holidays" if holidays else "Weekends")
    columns = [(str(day.day), d.count) for day, d in days]
    marked = [day.weekday() >= 5 or d.bank_holiday for day, d in days]
    desc = (
        f"Conversations started each day, {len(days)} columns, {legend[1].lower()} in a darker colour. "
        + ("; ".join(f"{short_date(day)}: {d.count}" for day, d in days))
        + "."
    )
    body.append("<h3>Contacts per day</h3>")
    body.append(
        charts.column_chart(
            columns,
            "Contacts per day",
            desc,
            "chart-daily",
            highlight=marked,
            legend=legend,
            axis_label="Conversations started",
        )
    )
    rows = [[short_date(day) + (" (bank holiday)" if d.bank_holiday else ""), number(d.count)] for day, d in days]
    rows.append(["Total", number(f.contacts)])
    body.append(table("Contacts per day", ["Day", "Conversations started"], rows, "table-daily", numeric=(1,)))

    grid = f.contacts_by_weekday_hour
    body.append("<h3>When residents get in touch</h3>")
    if f.contacts:
        peak_value = max(max(row) for row in grid)
        peak_day, peak_hour = next((i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if v == peak_value)
        hour_totals = [sum(row[h] for row in grid) for h in range(24)]
        top_hours = sorted(range(24), key=lambda h: (-hour_totals[h], h))[:3]
        summary = (
            f"Busiest hour of the week: {charts_weekday(peak_day)} {peak_hour:02d}:00 to "
            f"{(peak_hour + 1) % 24:02d}:00 ({number(peak_value)} conversations over the period). "
            "Busiest hours of the day overall: "
            + ", ".join(f"{h:02d}:00 ({number(hour_totals[h])})" for h in top_hours)
            + "."
        )
        body.append(_p(summary + " Times are UK time (the hour each conversation started)."))
    else:
        summary = "No conversations."
    body.append(
        charts.heatmap(
            grid,
            SHORT_DAYS,
            HOUR_LABELS,
            "Contacts by day of the week and hour",
            "Grid of 7 days (rows, Monday first) by 24 hours (columns, UK time); darker cells "
            "mean more conversations started, and each cell shows its number. " + summary,
            "chart-heatmap",
        )
    )
    rows = [[charts_weekday(i)] + [number(v) for v in row] + [number(sum(row))] for i, row in enumerate(grid)]
    body.append(
        table(
            "Conversations started by day of the week (rows) and hour starting (columns), UK time",
            ["Day"] + HOUR_LABELS + ["Total"],
            rows,
            "table-heatmap",
            numeric=range(1, 26),
            css_class="grid",
        )
    )
    return section("contacts", "Contacts", "".join(body))


def charts_weekday(index: int) -> str:
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[index]


def _reasons(f: Figures, names: Names) -> str:
    body = [
        _p(
            "The reason for a conversation is the first thing the resident asked about, leaving out greetings "
            "and small talk."
            + (
                f" {number(f.no_question)} conversations asked nothing (they only opened the "
                "chat or said hello) and are not in these tables."
                if f.no_question
                else ""
            )
        )
    ]
    groups = [(REASON_GROUPS.get(c.key) or tidy(c.key), c.count) for c in f.reason_groups]
    body.append("<h3>Reasons for contact</h3>")
    body.append(bars(groups, "Reasons for contact", "chart-reasons", "conversations", "Reasons for contact", "Reason"))
    body.append("<h3>Articles residents asked about</h3>")
    articles = [(names.article(c.key), c.count) for c in f.faq_articles]
    body.append(
        bars(
            articles,
            "Articles residents asked about",
            "chart-articles",
            "conversations",
            "Conversations by the article that answered the first question",
            "Article",
            limit=15,
        )
    )
    body.append("<h3>Problems reported</h3>")
    services = [(names.service(c.key), c.count) for c in f.requests_by_service]
    body.append(
        bars(
            services,
            "Problems residents started to report",
            "chart-requests",
            "conversations",
            "Conversations that started with reporting a problem, by service",
            "Service",
        )
    )
    return section("reasons", "Why residents got in touch", "".join(body))


def _endings(f: Figures) -> str:
    counts = {c.key: c.count for c in f.endings}
    items = [(ENDING_NAMES[k], counts.get(k, 0)) for k in ENDINGS]
    body = [
        _p(
            "Every conversation is counted once, in the first of these that applies: an advisor took it; "
            "the resident left a message; the bot answered at least one question; the resident asked "
            "something but left with no answer from the bot, no advisor and no message (for example a "
            "question the bot could not answer, or a request for an advisor when none was available); "
            "the resident asked nothing."
        )
    ]
    body.append(
        bars(items, "How conversations ended", "chart-endings", "conversations", "How conversations ended", "Ending")
    )
    return section("endings", "How conversations ended", "".join(body))


def _handoffs(f: Figures) -> str:
    body = [
        _p(
            f"{number(f.handoff_conversations)} conversations ({percent(f.handoff_rate)}) asked for an advisor "
            f"{number(f.handoff_requests)} times in all. Advisors took {number(f.claimed)} conversations; "
            f"{number(f.waits_cancelled)} times a resident stopped waiting before an advisor joined, and "
            f"advisors passed {number(f.transfers)} conversations to a colleague."
        )
    ]
    body.append("<h3>Why residents were passed to an advisor</h3>")
    reasons = [(HANDOFF_REASONS.get(c.key) or tidy(c.key), c.count) for c in f.handoffs_by_reason]
    body.append(
        bars(
            reasons,
            "Requests for an advisor by reason",
            "chart-handoff-reasons",
            "requests",
            "Requests for an advisor by reason",
            "Reason",
        )
    )
    body.append("<h3>What happened when they asked</h3>")
    outcomes = [(OUTCOMES.get(c.key) or tidy(c.key), c.count) for c in f.handoffs_by_outcome]
    body.append(
        bars(
            outcomes,
            "Requests for an advisor by outcome",
            "chart-handoff-outcomes",
            "requests",
            "Requests for an advisor by what happened",
            "Outcome",
        )
    )
    priorities = [[PRIORITIES.get(c.key) or tidy(c.key), number(c.count)] for c in f.handoffs_by_priority]
    if priorities:
        body.append(
            table(
                "Requests for an advisor by priority",
                ["Priority", "Requests"],
                priorities,
                "table-handoff-priority",
                numeric=(1,),
            )
        )
    return section("handoffs", "Handoffs to an advisor", "".join(body))


def _times(f: Figures) -> str:
    body = [
        _p(
            "Waiting time runs from joining the queue to an advisor joining the chat; residents who gave up "
            "waiting are not included. Handling time runs from the advisor joining to the advisor closing the "
            "chat, the resident ending it, or the advisor handing it back to the bot. The median is the middle "
            "time: half were shorter. The 90th percentile is the time 9 in 10 were within. Both are worked out "
            "by nearest rank, so they are always a time that actually happened."
        )
    ]
    rows = [
        ["Waiting for an advisor", number(f.waiting.count), duration(f.waiting.median), duration(f.waiting.p90)],
        ["Handling by an advisor", number(f.handling.count), duration(f.handling.median), duration(f.handling.p90)],
    ]
    body.append(
        table(
            "Waiting and handling times",
            ["Measure", "Chats", "Median", "90th percentile"],
            rows,
            "table-times",
            numeric=(1, 2, 3),
        )
    )
    body.append("<h3>How long residents waited</h3>")
    body.append(
        bars(
            [(c.key, c.count) for c in f.waiting.bands],
            "Waiting times",
            "chart-waiting",
            "chats",
            "Chats by waiting time",
            "Waiting time",
        )
    )
    body.append("<h3>How long advisors spent on a chat</h3>")
    body.append(
        bars(
            [(c.key, c.count) for c in f.handling.bands],
            "Handling times",
            "chart-handling",
            "chats",
            "Advisor chats by handling time",
            "Handling time",
        )
    )
    return section("times", "Waiting and handling times", "".join(body))


def _ratings(f: Figures) -> str:
    r = f.ratings
    if r.count:
        text = (
            f"{number(r.count)} residents rated their chat. The average score was {r.mean:.2f} out of 5; "
            f"{number(r.satisfied)} ({percent(r.satisfied_share)}) gave 4 or 5, which we count as satisfied."
        )
    else:
        text = "No resident rated a chat in this period."
    items = [(f"{c.key} out of 5", c.count) for c in reversed(r.distribution)]
    return section(
        "ratings",
        "Satisfaction",
        _p(text) + bars(items, "Ratings", "chart-ratings", "ratings", "Ratings residents gave", "Score"),
    )


def _cases(f: Figures, names: Names) -> str:
    body = [
        _p(
            f"The bot took {number(f.cases)} reports of problems (cases), each with a reference. Messages left "
            "for the contact centre are counted separately, under service reliability and messages."
        )
    ]
    body.append("<h3>Cases by type</h3>")
    body.append(
        bars(
            [(names.service(c.key), c.count) for c in f.cases_by_type],
            "Cases by type",
            "chart-case-types",
            "cases",
            "Cases by type",
            "Type",
        )
    )
    body.append("<h3>Cases by current status</h3>")
    if not f.case_statuses_known:
        body.append(
            '<p class="note">The current status of cases was not looked up for this report, so every case '
            "shows as status unknown. Run the report with --open311 to include it.</p>"
        )
    body.append(
        bars(
            [(STATUSES.get(c.key) or tidy(c.key), c.count) for c in f.cases_by_status],
            "Cases by status",
            "chart-case-status",
            "cases",
            "Cases by current status",
            "Status",
        )
    )
    return section("cases", "Cases", "".join(body))


def _repeats(f: Figures) -> str:
    body = [
        _p(
            f"{number(f.repeat_contacts)} conversations ({percent(f.repeat_contact_share)}) were repeat contact: "
            "in the 7 days before, another conversation had created or mentioned the same case reference, or "
            "the resident had left a message with the same phone number or email address (compared as a "
            "one-way code; the report never sees them). This is the avoidable contact councils track: "
            "residents chasing something they already told us about."
        )
    ]
    rows = [("Same case reference", f.repeat_by_reference), ("Same phone or email in a message", f.repeat_by_contact)]
    body.append(
        charts.bar_chart(rows, "Repeat contact by what linked it", _desc(rows, "conversations"), "chart-repeats")
    )
    body.append(
        table(
            "Repeat contact by what linked it (a conversation can be linked both ways)",
            ["Linked by", "Conversations"],
            [[k, number(v)] for k, v in rows] + [["Repeat contact (all)", number(f.repeat_contacts)]],
            "table-repeats",
            numeric=(1,),
        )
    )
    return section("repeat-contact", "Repeat contact", "".join(body))


def _reliability(f: Figures) -> str:
    body = [
        _p(
            "When the bot cannot be reached the resident is told and offered an advisor. A message left for the "
            "contact centre becomes a case; if the case service was down the message is saved and sent later."
        )
    ]
    rows = [
        ["Times the bot could not be reached", number(f.bot_unavailable)],
        ["Conversations affected", number(f.bot_unavailable_conversations)],
        ["Messages left for the contact centre", number(f.messages_left)],
        ["of which saved to send later", number(f.messages_left_saved_for_later)],
    ]
    body.append(
        table("Service reliability and messages", ["Measure", "Number"], rows, "table-reliability", numeric=(1,))
    )
    return section("reliability", "Service reliability and messages", "".join(body))


def _plural(count: int, one: str, many: str) -> str:
    return f"{number(count)} {one if count == 1 else many}"


URGENT_REVIEW = (
    "Such contacts are reviewed through the council's safeguarding process, not as content gaps, "
    "so this report counts them and never shows what residents wrote."
)


def _urgent(f: Figures) -> str:
    conversations = _plural(f.urgent_contacts, "conversation", "conversations")
    were = "was an urgent contact" if f.urgent_contacts == 1 else "were urgent contacts"
    body = [
        _p(
            f"{conversations} ({percent(share(f.urgent_contacts, f.contacts))} of contacts) {were}: the bot "
            "gave urgent advice or added urgent numbers under another answer, the resident was passed to an "
            "advisor for an urgent reason, or words in a question the bot could not answer named an urgent "
            "matter. " + URGENT_REVIEW
        )
    ]
    rows = [(urgent.BY_NAME[c.category].label, c) for c in f.urgent_by_category]
    if f.urgent_contacts:
        items = [(label, c.conversations) for label, c in rows]
        body.append(
            charts.bar_chart(items, "Urgent contacts by category", _desc(items, "conversations"), "chart-urgent")
        )
    body.append(
        table(
            "Urgent contacts by category (a conversation can count in more than one category and column)",
            [
                "Category",
                "Conversations",
                "Urgent advice",
                "Numbers under another answer",
                "Missed by the bot",
                "Handoffs to an advisor",
            ],
            [
                [
                    label,
                    number(c.conversations),
                    number(c.routed),
                    number(c.signposted),
                    number(c.missed),
                    number(c.handoffs),
                ]
                for label, c in rows
            ],
            "table-urgent",
            numeric=(1, 2, 3, 4, 5),
        )
    )
    if f.urgent_missed:
        body.append(
            f'<p class="note">The bot did not recognise '
            f"{_e(_plural(f.urgent_missed, 'conversation', 'conversations'))} as urgent although words in a "
            "question it could not answer match its urgent phrases (missed by the bot). Raise them with the "
            "knowledge base team: the model in use may predate the phrases, or need more examples.</p>"
        )
    return section("urgent", "Urgent contacts", "".join(body))


def _unanswered(f: Figures) -> str:
    groups = f.unanswered_groups
    body = [
        _p(
            f"The bot could not answer {_plural(f.unanswered, 'question', 'questions')}"
            + (" outside urgent contacts" if f.unanswered_left_out else "")
            + ". Similar questions are grouped below, largest group first, with up to 5 examples as residents "
            "wrote them (personal details are masked before they are stored). Each group is a candidate for a "
            "new article or for extra question variants on an existing one."
        )
    ]
    if f.unanswered_left_out:
        came = (
            "came from an urgent contact and is" if f.unanswered_left_out == 1 else "came from urgent contacts and are"
        )
        body.append(
            f'<p class="note">{_e(_plural(f.unanswered_left_out, "question", "questions"))} the bot could '
            f"not answer {came} left out of this section: counted here, never shown. "
            f"{_e(URGENT_REVIEW)}</p>"
        )
    if not groups:
        return section("unanswered", "Questions the bot could not answer", "".join(body))
    top = [(tidy(g.label), g.count) for g in groups[:10]]
    body.append(
        charts.bar_chart(top, "Largest groups of unanswered questions", _desc(top, "questions"), "chart-unanswered")
    )
    body.append(
        table(
            "Groups of unanswered questions",
            ["Group", "Questions"],
            [[tidy(g.label), number(g.count)] for g in groups[:GROUPS_SHOWN]],
            "table-unanswered",
            numeric=(1,),
        )
    )
    for index, group in enumerate(groups[:GROUPS_SHOWN], start=1):
        examples = "".join(f"<li>{_e(text)}</li>" for text in group.examples)
        body.append(
            f'<div class="group"><h3 id="group-{index}">{_e(tidy(group.label))}</h3>'
            f"<p>Asked {number(group.count)} time{'s' if group.count != 1 else ''}. Examples:</p>"
            f'<ul class="examples">{examples}</ul>'
            f'<p class="suggestion">Suggestion: {_e(SUGGESTION)}</p></div>'
        )
    if len(groups) > GROUPS_SHOWN:
        rest = groups[GROUPS_SHOWN:]
        body.append(_p(f"{len(rest)} smaller groups ({number(sum(g.count for g in rest))} questions) are not shown."))
    return section("unanswered", "Questions the bot could not answer", "".join(body))


DEFINITIONS = (
    ("Contact", "A conversation a resident started in the web chat. Times are UK time."),
    ("Reason for contact", "The first thing asked in a conversation, leaving out greetings and small talk."),
    (
        "Resolved by the bot",
        "The bot answered at least one question (an article, a report, tracking a report or "
        "urgent advice) and no advisor took the conversation and no message was left. Shown as "
        "a share of all contacts.",
    ),
    (
        "Handoff",
        "A conversation that asked for, or was passed to, an advisor at least once, whatever happened next. "
        "The handoff rate is a share of all contacts.",
    ),
    ("Waiting time", "From joining the queue to an advisor joining the chat."),
    ("Handling time", "From an advisor joining to the chat ending or being handed back to the bot."),
    (
        "Median and 90th percentile",
        "Nearest rank: sort the times; the median is the one at position n/2 rounded "
        "up, the 90th percentile the one at 0.9 x n rounded up.",
    ),
    ("Satisfied", "A rating of 4 or 5 out of 5 (the last rating given in a conversation)."),
    (
        "Repeat contact",
        "A conversation with a case reference or message contact that another conversation had in "
        "the 7 days before it.",
    ),
    (
        "Urgent contact",
        "A conversation the bot sent to an urgent category, where it added a category's urgent "
        "numbers under another answer, that was passed to an advisor for an urgent reason, or where "
        "a question the bot could not answer matches the bot's urgent phrases (missed by the bot). "
        "Counted by category; what residents wrote is never shown.",
    ),
    (
        "Questions the bot could not answer",
        "What residents asked when the bot said it could not help, except in "
        "urgent contacts: every such question in an urgent contact is left out "
        "and only counted, because urgent contacts are reviewed through the "
        "safeguarding process, not as content gaps.",
    ),
)


def _definitions() -> str:
    items = "".join(f"<dt>{_e(term)}</dt><dd>{_e(text)}</dd>" for term, text in DEFINITIONS)
    return section("definitions", "How these figures are worked out", f'<dl class="definitions">{items}</dl>')


SECTIONS = (
    ("at-a-glance", "At a glance"),
    ("contacts", "Contacts"),
    ("reasons", "Why residents got in touch"),
    ("urgent", "Urgent contacts"),
    ("endings", "How conversations ended"),
    ("handoffs", "Handoffs to an advisor"),
    ("times", "Waiting and handling times"),
    ("ratings", "Satisfaction"),
    ("cases", "Cases"),
    ("repeat-contact", "Repeat contact"),
    ("reliability", "Service reliability and messages"),
    ("unanswered", "Questions the bot could not answer"),
    ("definitions", "How these figures are worked out"),
)


def render_html(
    figures: Figures, title: str, inline_css: bool = False, labels: Mapping[str, str] | None = None, produced: str = ""
) -> str:
    """The whole report page.

    Args:
        figures: What ``figures.compute`` returned.
        title: The page title and main heading.
        inline_css: Copy report.css into a ``<style>`` element (for a file opened on its
            own) instead of linking ``/reports/report.css``.
        labels: Readable names (``article:<id>``, ``service:<code>``; see labels.load).
        produced: When the report was made, shown under the heading if given.
    """
    names = Names(labels)
    start, end = dt.date.fromisoformat(figures.period_start), dt.date.fromisoformat(figures.period_end)
    if inline_css:
        css = CSS_PATH.read_text(encoding="utf-8").replace("</", "<\\/")
        style = f"<style>{css}</style>"
    else:
        style = f'<link rel="stylesheet" href="{CSS_URL}">'
    notes = "".join(f'<p class="note">{_e(note)}</p>' for note in figures.notes)
    contents = "".join(f'<li><a href="#{sid}">{_e(text)}</a></li>' for sid, text in SECTIONS)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>{style}</head><body>",
        '<div class="page"><header class="masthead">',
        '<p class="organisation">Northbridge Borough Council</p>',
        f"<h1>{_e(title)}</h1>",
        f'<p class="period">Web chat, {_e(period_text(start, end))} (UK time)</p>',
        f'<p class="produced">Produced {_e(produced)}</p>' if produced else "",
        "</header><main>",
        notes,
        f'<nav class="contents" aria-label="Contents"><h2>Contents</h2><ol>{contents}</ol></nav>',
        _at_a_glance(figures),
        _contacts(figures),
        _reasons(figures, names),
        _urgent(figures),
        _endings(figures),
        _handoffs(figures),
        _times(figures),
        _ratings(figures),
        _cases(figures, names),
        _repeats(figures),
        _reliability(figures),
        _unanswered(figures),
        _definitions(),
        "</main></div></body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"
