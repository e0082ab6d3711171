"""The report's figures, computed from measurement events. Pure: no clock, and no I/O
except reading the shipped urgent phrases when the caller passes no matcher in.

A period is a range of whole local days in Europe/London (first and last day included).
A conversation belongs to the period when its ``conversation_started`` event is inside it;
everything later that happens in that conversation counts with it, even after the period
ends (a chat started at 23:58 and answered at 00:03 is still last month's). Events before
the period are only used to recognise repeat contact.

Definitions (docs/reports.md explains them for managers):

* contact: a conversation started in the web chat.
* reason for contact: the conversation's first route that is not small talk.
* bot answer: a route that is not small talk, ``out_of_scope``, ``handoff`` or ``complaint``
  (an article, a report, tracking a report, urgent signposting).
* resolved by the bot: at least one bot answer, no advisor claimed the conversation and
  no message was left. Share = resolved / contacts.
* handoff: the conversation asked for (or was passed to) an advisor at least once
  (a ``handoff`` event, whatever its outcome). Rate = such conversations / contacts.
* waiting time: ``claimed.waited_seconds``; handling time: ``advisor_finished.handled_seconds``.
* percentiles: nearest rank. The p-th percentile of n sorted values is the value at
  position ceil(p / 100 x n) (counting from 1); the median is the 50th percentile. It is
  always a time somebody actually waited.
* satisfied: a rating of 4 or 5 (the last rating of each conversation).
* repeat contact: a conversation with a case reference (created, mentioned or given with a
  message) or a message-left contact code that another conversation had in the 7 days
  (168 hours) before.
* urgent contact: a conversation that touched an urgent category (knowledge_base/urgent.py)
  in any of these ways: a route ``urgent:<name>``; a route whose ``signposts`` name it (its
  numbers were added under another answer); a handoff with reason ``<name>``; or a question
  the bot could not answer whose words match the category's urgent phrases (the bot missed
  it). Every question the bot could not answer in an urgent contact is left out of the
  unanswered questions (only their number is kept): urgent contacts are reviewed through
  the safeguarding process, not as content gaps, and their words never reach the report.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from contracts.masking import mask
from insight.events import Event
from knowledge_base import urgent
from knowledge_base.urgent import PhraseMatcher, load_phrases

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc
REPEAT_WINDOW = dt.timedelta(days=7)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
STATUS_UNKNOWN = "status unknown"
# "Did you mean" suggestions and "no answer yet" are not answers: the resident still needs one.
NON_ANSWER_ROUTES = frozenset({"out_of_scope", "handoff", "complaint", "suggest", "missing_topic"})
# Waiting and handling times are also shown as a distribution, in these bands (seconds).
TIME_BANDS = (
    (60, "Under 1 min"),
    (120, "1 to 2 min"),
    (300, "2 to 5 min"),
    (600, "5 to 10 min"),
    (1200, "10 to 20 min"),
    (None, "20 min or more"),
)
# How a conversation ended, in the order the report lists them.
ENDINGS = ("resolved_by_bot", "advisor", "message_left", "no_answer", "no_question")
URGENT_PHRASES = Path(__file__).resolve().parent.parent / "knowledge_base" / "urgent_phrases.yml"


@dataclass
class Count:
    key: str
    count: int


@dataclass
class DayCount:
    date: str  # ISO local date
    weekday: str
    count: int
    bank_holiday: bool = False


@dataclass
class Durations:
    """Times in seconds: how many, median and 90th percentile (nearest rank), bands."""

    count: int
    median: float | None
    p90: float | None
    bands: list[Count]


@dataclass
class Ratings:
    count: int
    mean: float | None
    distribution: list[Count]  # "1" to "5"
    satisfied: int
    satisfied_share: float | None


@dataclass
class QuestionGroup:
    label: str
    count: int
    examples: list[str]
    words: list[str]


@dataclass
class UrgentCount:
    """Urgent contacts of one category (``knowledge_base.urgent``); a conversation can count
    in several categories and in several columns.

    Attributes:
        category: the category's name (``crisis``, ``gas``...).
        conversations: conversations that touched it in any way (the columns below, together).
        routed: conversations the bot sent to ``urgent:<category>``.
        signposted: conversations where its numbers were added under another answer.
        missed: conversations not routed or signposted to it where a question the bot could
            not answer named it in its words (found by the urgent phrases).
        handoffs: requests for an advisor with this category as the reason.
    """

    category: str
    conversations: int
    routed: int
    signposted: int
    missed: int
    handoffs: int


@dataclass
class Figures:
    period_start: str  # first local day, ISO
    period_end: str  # last local day, ISO (included)
    timezone: str
    contacts: int
    contacts_per_day: list[DayCount]
    contacts_by_weekday_hour: list[list[int]]  # 7 rows (Monday first) x 24 local hours
    reasons: list[Count]  # first substantive route
    reason_groups: list[Count]
    faq_articles: list[Count]
    requests_by_service: list[Count]
    no_question: int
    endings: list[Count]
    resolved_by_bot: int
    resolved_by_bot_share: float | None
    handoff_conversations: int
    handoff_rate: float | None
    handoff_requests: int
    handoffs_by_reason: list[Count]
    handoffs_by_outcome: list[Count]
    handoffs_by_priority: list[Count]
    claimed: int
    waits_cancelled: int
    transfers: int
    waiting: Durations
    handling: Durations
    ratings: Ratings
    cases: int
    cases_by_type: list[Count]
    cases_by_status: list[Count]
    case_statuses_known: bool
    repeat_contacts: int
    repeat_contact_share: float | None
    repeat_by_reference: int
    repeat_by_contact: int
    bot_unavailable: int
    bot_unavailable_conversations: int
    messages_left: int
    messages_left_saved_for_later: int
    unanswered: int  # questions shown in the groups (urgent contacts left out)
    unanswered_groups: list[QuestionGroup]
    urgent_contacts: int = 0  # conversations that touched any urgent category
    urgent_by_category: list[UrgentCount] = field(default_factory=list)  # every category, in precedence order
    urgent_missed: int = 0  # conversations missed by the bot in at least one category
    unanswered_left_out: int = 0  # questions from urgent contacts, counted but never shown
    notes: list[str] = field(default_factory=list)


# Periods -----------------------------------------------------------------------------


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """UTC instants of local midnight at the start of ``start`` and after ``end``."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    first = dt.datetime.combine(start, dt.time(0), LONDON).astimezone(UTC)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), LONDON).astimezone(UTC)
    return first, after


def month_period(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY-MM``."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", month.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"month {month!r} is not YYYY-MM")
    first = dt.date(int(match[1]), int(match[2]), 1)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def previous_month(today: dt.date) -> str:
    """``YYYY-MM`` of the calendar month before ``today``'s."""
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def local(when: dt.datetime) -> dt.datetime:
    return when.astimezone(LONDON)


# Small helpers -------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: the value at position ceil(p/100 x n) of the sorted values
    (1-based); None when there are no values."""
    if not values:
        return None
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def durations(values: Sequence[float]) -> Durations:
    bands = []
    lower = 0.0
    for upper, label in TIME_BANDS:
        bands.append(Count(label, sum(1 for v in values if v >= lower and (upper is None or v < upper))))
        lower = upper or lower
    return Durations(count=len(values), median=percentile(values, 50), p90=percentile(values, 90), bands=bands)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def counted(counter: Counter) -> list[Count]:
    """Largest first, then by key, so equal counts always come out in the same order."""
    return [Count(str(k), n) for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))]


def is_smalltalk(route: str | None) -> bool:
    return not route or route.startswith("smalltalk:")


def reason_group(route: str) -> str:
    """faq, request, urgent, handoff, complaint, track_request, out_of_scope (or the route)."""
    if route.startswith("faq:"):
        return "faq"
    if route.startswith("request:"):
        return "request"
    if route.startswith("urgent:"):
        return "urgent"
    return route


def is_bot_answer(route: str | None) -> bool:
    return not is_smalltalk(route) and route not in NON_ANSWER_ROUTES


# The figures -----------------------------------------------------------------------------


def shipped_urgent_words() -> PhraseMatcher:
    """The bot's own urgent phrases (``knowledge_base/urgent_phrases.yml``), read now, so a
    long-running front door sees the phrases of the model it serves.

    Raises:
        knowledge_base.urgent.UrgentPhrasesError: the file is missing or invalid. The report
            fails rather than risk showing an urgent message as a content gap.
    """
    return PhraseMatcher(load_phrases(URGENT_PHRASES))


def compute(
    events: Iterable[Event],
    start: dt.date,
    end: dt.date,
    statuses: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
    holidays: Iterable[dt.date] = (),
    urgent_words: PhraseMatcher | None = None,
) -> Figures:
    """All figures for the local days ``start`` to ``end`` (both included).

    Args:
        events: Measurement events, in any order; may include events before the period
            (used for repeat contact) and after it (the end of the period's conversations).
        statuses: Current extended status of case references, if known (from Open311);
            cases without one are counted as "status unknown".
        notes: Remarks to show with the figures (a failed status lookup...).
        holidays: Bank holidays, marked in the contacts per day.
        urgent_words: Finds urgent categories in what residents wrote; defaults to the
            shipped phrases (:func:`shipped_urgent_words`). Never optional in effect: the
            unanswered questions are always screened.
    """
    matcher = urgent_words if urgent_words is not None else shipped_urgent_words()
    events = sorted(events, key=lambda e: e.at)
    first, after = period_bounds(start, end)

    started: dict[str, dt.datetime] = {}
    for event in events:
        if event.kind == "conversation_started" and event.conversation_id and first <= event.at < after:
            started.setdefault(event.conversation_id, event.at)
    by_conversation: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        if event.conversation_id in started and event.at >= started[event.conversation_id]:
            by_conversation[event.conversation_id].append(event)
    ours = [e for cid in started for e in by_conversation[cid]]

    def kinds(*wanted: str) -> list[Event]:
        return [e for e in ours if e.kind in wanted]

    contacts = len(started)

    # Contacts by day and by weekday x hour (local time).
    per_day: Counter = Counter()
    grid = [[0] * 24 for _ in range(7)]
    for when in started.values():
        moment = local(when)
        per_day[moment.date()] += 1
        grid[moment.weekday()][moment.hour] += 1
    holidays = set(holidays)
    days = []
    day = start
    while day <= end:
        days.append(DayCount(day.isoformat(), WEEKDAYS[day.weekday()], per_day[day], day in holidays))
        day += dt.timedelta(days=1)

    # Reasons: the first route that is not small talk.
    first_route: dict[str, str] = {}
    answered: set[str] = set()
    for event in kinds("route"):
        route = event.get("route")
        if is_smalltalk(route) or event.conversation_id is None:
            continue
        first_route.setdefault(event.conversation_id, str(route))
        if is_bot_answer(route):
            answered.add(event.conversation_id)
    reasons = Counter(first_route.values())
    groups = Counter(reason_group(r) for r in first_route.values())
    articles = Counter(r.split(":", 1)[1] for r in first_route.values() if r.startswith("faq:"))
    services = Counter(r.split(":", 1)[1] for r in first_route.values() if r.startswith("request:"))

    # How conversations ended.
    with_advisor = {e.conversation_id for e in kinds("claimed")}
    left_message = {e.conversation_id for e in kinds("message_left")}
    resolved = answered - with_advisor - left_message
    endings: Counter[str] = Counter()
    for cid in started:
        if cid in with_advisor:
            endings["advisor"] += 1
        elif cid in left_message:
            endings["message_left"] += 1
        elif cid in resolved:
            endings["resolved_by_bot"] += 1
        elif cid in first_route:
            endings["no_answer"] += 1
        else:
            endings["no_question"] += 1

    # Handoffs.
    handoffs = kinds("handoff")
    handoff_conversations = {e.conversation_id for e in handoffs}

    # Times.
    waits = [float(e.get("waited_seconds")) for e in kinds("claimed") if _number(e.get("waited_seconds"))]
    handled = [float(e.get("handled_seconds")) for e in kinds("advisor_finished") if _number(e.get("handled_seconds"))]

    # Ratings: the last one of each conversation.
    last_rating: dict[str, int] = {}
    for event in kinds("rating"):
        score = event.get("score")
        if (
            isinstance(score, (int, float))
            and not isinstance(score, bool)
            and 1 <= score <= 5
            and event.conversation_id is not None
        ):
            last_rating[event.conversation_id] = int(score)
    scores = list(last_rating.values())
    satisfied = sum(1 for s in scores if s >= 4)
    ratings = Ratings(
        count=len(scores),
        mean=sum(scores) / len(scores) if scores else None,
        distribution=[Count(str(s), scores.count(s)) for s in range(1, 6)],
        satisfied=satisfied,
        satisfied_share=share(satisfied, len(scores)),
    )

    # Cases.
    created = kinds("case_created")
    supplied = statuses is not None
    statuses = dict(statuses or {})
    case_types = Counter(str(e.get("service_code") or "unknown") for e in created)
    case_statuses = Counter(statuses.get(str(e.get("reference")), STATUS_UNKNOWN) or STATUS_UNKNOWN for e in created)

    # Repeat contact.
    repeats, by_reference, by_contact = repeat_contacts(events, set(started))

    # Reliability and messages.
    unavailable = kinds("bot_unavailable")
    messages = kinds("message_left")
    asked = [e for e in kinds("unanswered") if str(e.get("text") or "").strip()]

    # Urgent contacts, and the unanswered questions kept out of sight because of them.
    urgent_seen = urgent_contacts(ours, matcher)
    urgent_conversations = set().union(*urgent_seen.values()) if urgent_seen else set()
    # Masked again as read: events recorded before masking learnt a kind of personal data
    # (NHS numbers, dates of birth...) stay in Redis for the retention period.
    unanswered_texts = [mask(str(e.get("text"))) for e in asked if e.conversation_id not in urgent_conversations]
    left_out = len(asked) - len(unanswered_texts)
    urgent_reasons = Counter(str(e.get("reason")) for e in handoffs if e.get("reason") in urgent.BY_NAME)
    by_category, missed = [], set()
    for category in urgent.CATEGORIES:
        routed = urgent_seen.get(("routed", category.name), set())
        signposted = urgent_seen.get(("signposted", category.name), set())
        named = urgent_seen.get(("named", category.name), set())
        handed = urgent_seen.get(("handoff", category.name), set())
        not_recognised = named - routed - signposted
        missed |= not_recognised
        by_category.append(
            UrgentCount(
                category=category.name,
                conversations=len(routed | signposted | named | handed),
                routed=len(routed),
                signposted=len(signposted),
                missed=len(not_recognised),
                handoffs=urgent_reasons[category.name],
            )
        )

    return Figures(
        period_start=start.isoformat(),
        period_end=end.isoformat(),
        timezone="Europe/London",
        contacts=contacts,
        contacts_per_day=days,
        contacts_by_weekday_hour=grid,
        reasons=counted(reasons),
        reason_groups=counted(groups),
        faq_articles=counted(articles),
        requests_by_service=counted(services),
        no_question=contacts - len(first_route),
        endings=[Count(k, endings[k]) for k in ENDINGS],
        resolved_by_bot=len(resolved),
        resolved_by_bot_share=share(len(resolved), contacts),
        handoff_conversations=len(handoff_conversations),
        handoff_rate=share(len(handoff_conversations), contacts),
        handoff_requests=len(handoffs),
        handoffs_by_reason=counted(Counter(str(e.get("reason") or "unknown") for e in handoffs)),
        handoffs_by_outcome=counted(Counter(str(e.get("outcome") or "unknown") for e in handoffs)),
        handoffs_by_priority=counted(Counter(str(e.get("priority") or "unknown") for e in handoffs)),
        claimed=len(with_advisor),
        waits_cancelled=len(kinds("wait_cancelled")),
        transfers=len(kinds("transferred")),
        waiting=durations(waits),
        handling=durations(handled),
        ratings=ratings,
        cases=len(created),
        cases_by_type=counted(case_types),
        cases_by_status=counted(case_statuses),
        case_statuses_known=supplied,
        repeat_contacts=len(repeats),
        repeat_contact_share=share(len(repeats), contacts),
        repeat_by_reference=len(by_reference),
        repeat_by_contact=len(by_contact),
        bot_unavailable=len(unavailable),
        bot_unavailable_conversations=len({e.conversation_id for e in unavailable}),
        messages_left=len(messages),
        messages_left_saved_for_later=sum(1 for e in messages if e.get("queued") is True),
        unanswered=len(unanswered_texts),
        unanswered_groups=group_questions(unanswered_texts),
        urgent_contacts=len(urgent_conversations),
        urgent_by_category=by_category,
        urgent_missed=len(missed),
        unanswered_left_out=left_out,
        notes=list(notes),
    )


def _names(value: object) -> list[str]:
    """The names in a ``signposts`` field. Names this version does not know are kept too: any
    signpost at all makes the conversation an urgent contact (only known ones are tabled)."""
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    names = [str(v) for v in value if str(v).strip()] if isinstance(value, (list, tuple)) else []
    return names or ["unknown"]  # a malformed signpost still counts as one


def urgent_contacts(events: Iterable[Event], matcher: PhraseMatcher) -> dict[tuple[str, str], set[str]]:
    """Which conversations touched which urgent category, and how.

    Returns:
        ``{(how, category name): {conversation ids}}`` where ``how`` is ``routed`` (any route
        ``urgent:<name>``), ``signposted`` (a route's ``signposts``), ``handoff`` (a handoff
        with the category as reason) or ``named`` (a question the bot could not answer
        whose words match the category's urgent phrases). An ``unanswered`` event that
        carries a ``route`` or ``signposts`` of its own counts like a route event.
    """
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for event in events:
        cid = event.conversation_id
        if not cid:
            continue
        if event.kind in ("route", "unanswered"):
            route = str(event.get("route") or "")
            if route.startswith("urgent:"):  # a category this version does not know is still urgent
                found[("routed", route.split(":", 1)[1])].add(cid)
            for name in _names(event.get("signposts")):
                found[("signposted", name)].add(cid)
        if event.kind == "handoff" and event.get("reason") in urgent.BY_NAME:
            found[("handoff", str(event.get("reason")))].add(cid)
        if event.kind == "unanswered" and str(event.get("text") or "").strip():
            for intent, _ in matcher.match_all(str(event.get("text"))):
                found[("named", urgent.BY_INTENT[intent].name)].add(cid)
    return dict(found)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def repeat_contacts(events: Sequence[Event], conversations: set[str]) -> tuple[set[str], set[str], set[str]]:
    """Which of ``conversations`` are repeat contact.

    A conversation is a repeat when a case reference it created, mentioned or was given
    with a message (``case_created``, ``reference_mentioned``, ``message_left``), or the
    contact code of a message it left, was seen in *another* conversation in the 7 days
    before. Returns (repeats, repeats by reference, repeats by contact code); one
    conversation can be in both of the last two.
    """
    seen: dict[tuple[str, str], list[tuple[dt.datetime, str]]] = defaultdict(list)
    keyed: list[tuple[dt.datetime, str, tuple[str, str]]] = []
    for event in sorted(events, key=lambda e: e.at):
        cid = event.conversation_id
        if not cid:
            continue
        keys = []
        if event.kind in ("case_created", "reference_mentioned", "message_left") and event.get("reference"):
            keys.append(("reference", str(event.get("reference")).upper()))
        if event.kind == "message_left" and event.get("contact"):
            keys.append(("contact", str(event.get("contact"))))
        for key in keys:
            keyed.append((event.at, cid, key))
            seen[key].append((event.at, cid))
    repeats: set[str] = set()
    by: dict[str, set[str]] = {"reference": set(), "contact": set()}
    for at, cid, key in keyed:
        if cid not in conversations:
            continue
        if any(other != cid and at - REPEAT_WINDOW <= when < at for when, other in seen[key]):
            repeats.add(cid)
            by[key[0]].add(cid)
    return repeats, by["reference"], by["contact"]


# Questions the bot could not answer -------------------------------------------------------

STOPWORDS = frozenset(
    """
a about above after again against all am an and any are as at be because been before being below between
both but by can cant could did didnt do does doesnt doing dont down during each few for from further get
got had has have having he her here hers herself him himself his how i id if im in into is isnt it its
itself ive just let lets me more most my myself need needs no nor not now of off on once only or other
our ours out over own please pls same she should so some such than thank thanks that thats the their
theirs them then there these they this those through to too under until up very want wanted was we were
what whats when where which while who whom why will with wont would you your yours yourself hi hello hey
also ok okay im u ur us know like get getting go going find help anyone someone something way much many
council councils northbridge borough apply application quick question postcode live every
""".split()
)
_WORD = re.compile(r"[a-z0-9]+")
_MASK = re.compile(r"\[[a-z ]+\]")  # [postcode], [email]... put in by the relay's masking


def stem(word: str) -> str:
    """A small, predictable stemmer: plural -s, -ing and -ed, a final e, a doubled final
    consonant ("permitted" and "permits" -> "permit", "elections" -> "election")."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeioulsz":
        word = word[:-1]
    return word


def words(text: str) -> list[tuple[str, str]]:
    """(stem, original word) of the words that carry meaning, in order, each stem once."""
    out, seen = [], set()
    for word in _WORD.findall(_MASK.sub(" ", text.lower().replace("'", "").replace("\u2019", ""))):
        if word in STOPWORDS or word.isdigit() or len(word) < 2:
            continue
        root = stem(word)
        if root not in seen and root not in STOPWORDS:
            seen.add(root)
            out.append((root, word))
    return out


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


class _Group:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self.stems: list[set[str]] = []
        self.orders: list[tuple[str, ...]] = []
        self.text_count: Counter = Counter()  # word order -> texts with it
        self.frequency: Counter = Counter()  # stem -> texts containing it
        self.positions: dict[str, list[float]] = defaultdict(list)
        self.forms: dict[str, Counter] = defaultdict(Counter)

    def add(self, text: str, found: list[tuple[str, str]]) -> None:
        self.texts.append(text)
        self.stems.append({s for s, _ in found})
        self.orders.append(tuple(s for s, _ in found))
        self.text_count[self.orders[-1]] += 1
        for index, (root, word) in enumerate(found):
            self.frequency[root] += 1
            self.positions[root].append(index / max(1, len(found) - 1))
            self.forms[root][word] += 1

    def common(self) -> list[str]:
        ordered = sorted(self.frequency, key=lambda s: (-self.frequency[s], s))
        return ordered

    def signature(self) -> set[str]:
        """Its most common words: those in at least half its texts (at most 6)."""
        half = len(self.texts) / 2
        return set([s for s in self.common() if self.frequency[s] >= half][:6])

    def label(self) -> str:
        """Its 2-3 most common words (a third only if in 2 of 3 texts), in their usual order."""
        ordered = self.common()
        chosen = ordered[:2] + [s for s in ordered[2:3] if self.frequency[s] >= len(self.texts) * 2 / 3]
        # In the order of the most frequent text that has them all, else their usual order.
        for text_stems, order in sorted(zip(self.stems, self.orders), key=lambda x: -self.text_count[x[1]]):
            if set(chosen) <= text_stems:
                chosen.sort(key=order.index)
                break
        else:
            chosen.sort(key=lambda s: sum(self.positions[s]) / len(self.positions[s]))
        return " ".join(self.form(s) for s in chosen)

    def form(self, root: str) -> str:
        """How residents usually wrote a word (most often; then the shortest)."""
        return min(self.forms[root].items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0]


def group_questions(texts: Sequence[str], threshold: float = 0.3, examples: int = 5) -> list[QuestionGroup]:
    """Group what residents asked, so an editor can turn a group into an article.

    Texts are normalised (lower case, stopwords dropped, words stemmed) and taken most
    frequent first; each joins the group whose most common words it overlaps most
    (Jaccard >= ``threshold``), or starts a new group. Groups come largest first, each
    with a label (its most common words), its size and up to ``examples`` distinct texts,
    most frequent first. Texts with no meaningful words are grouped as "other", listed last.
    """
    frequency = Counter(" ".join(t.split()) for t in texts if t.strip())
    order = sorted(frequency, key=lambda t: (-frequency[t], t.lower(), t))
    groups: list[_Group] = []
    other = _Group()
    for text in order:
        found = words(text)
        if not found:
            for _ in range(frequency[text]):
                other.add(text, found)
            continue
        stems = {s for s, _ in found}
        best, best_score = None, 0.0
        for group in groups:
            score = jaccard(stems, group.signature())
            if score > best_score:
                best, best_score = group, score
        if best is None or best_score < threshold:
            best = _Group()
            groups.append(best)
        for _ in range(frequency[text]):
            best.add(text, found)
    out = []
    for group in groups + ([other] if other.texts else []):
        distinct = Counter(group.texts)
        shown = [t for t, _ in sorted(distinct.items(), key=lambda kv: (-kv[1], kv[0]))][:examples]
        label = group.label() if group is not other else "other"
        out.append(
            QuestionGroup(
                label=label or "other",
                count=len(group.texts),
                examples=shown,
                words=[group.form(s) for s in group.common()[:5]],
            )
        )
    # Largest first; texts with no meaningful words ("hi", "??") last, whatever their number.
    out.sort(key=lambda g: (g.label == "other" and not g.words, -g.count, g.label))
    return out
