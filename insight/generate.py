"""A realistic month of measurement events, for demonstrations and tests of the report.

Seeded, so the same month and seed always give the same events. What it models:

* volume: Mondays busiest, weekends and bank holidays quiet; peaks 9-11am and 7-9pm,
  little at night (all in UK time);
* what residents ask: a council's usual mix (bins, council tax, parking, housing, reports
  of potholes, missed bins and fly-tipping, tracking a report, and questions the bot cannot
  answer, drawn from ~40 topics with paraphrases);
* urgent contacts, about 1.7 in 100, in every category of knowledge_base/urgent.py: each
  gets the category's advice and many are passed to an advisor with the category as the
  reason (most with a gas smell or a power cut just take the numbers); a few ordinary
  answers carry urgent numbers underneath (``signposts``), some of them for questions the
  bot could not answer; and a handful of urgent messages the bot missed (answered
  ``out_of_scope``) whose words the urgent phrases match;
* the contact centre: open Monday to Friday 08:30-17:00 except bank holidays; in hours a
  handoff is queued and claimed (waits lognormal, median about 3 minutes, handling median
  about 7 minutes), some residents give up waiting; out of hours the handoff is "closed"
  and some residents leave a message;
* ratings skewed positive; cases for reports; repeat contact (references of recent cases
  mentioned again, messages from the same contact code); two short bot outages.

Within a conversation every event is later than the one before (started < route <
handoff < claimed < finished < closed < rating), and no event falls outside the month.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable, Mapping
from typing import TypeVar
from zoneinfo import ZoneInfo

from insight.events import Event, from_ms, to_ms
from insight.figures import month_period, period_bounds
from knowledge_base import urgent

LONDON = ZoneInfo("Europe/London")
SITE = "https://www.northbridge.gov.uk"

WEEKDAY_WEIGHT = (1.35, 1.15, 1.08, 1.03, 0.95, 0.48, 0.42)
HOLIDAY_WEIGHT = 0.45
HOUR_WEIGHT = (
    0.6,
    0.35,
    0.2,
    0.15,
    0.15,
    0.3,
    0.8,
    2.0,
    4.2,
    6.6,
    7.2,
    6.6,
    5.4,
    5.1,
    4.9,
    4.6,
    4.2,
    3.8,
    3.7,
    4.9,
    5.7,
    5.3,
    3.3,
    1.6,
)
OPENS, CLOSES = dt.time(8, 30), dt.time(17, 0)

# Urgent categories: conversations per 100 that the bot sends there, the share then passed
# to an advisor (the others take the numbers and go: the gas emergency line and 105 are the
# right place for a gas smell or a power cut), and the advisors' median handling time (s).
URGENT_VOLUMES = {
    "crisis": (0.35, 0.7, 1200),
    "domestic_abuse": (0.25, 0.75, 1100),
    "safeguarding": (0.35, 0.8, 900),
    "danger": (0.15, 0.35, 600),
    "gas": (0.12, 0.15, 360),
    "power": (0.15, 0.1, 300),
    "emergency": (0.3, 0.6, 700),
}
MAIN_ROUTES = {
    "faq": 56,
    "request": 16,
    "track_request": 5,
    "handoff": 6,
    "complaint": 2,
    "out_of_scope": 9.5,
    **{urgent.BY_NAME[name].route: weight for name, (weight, _, _) in URGENT_VOLUMES.items()},
    "signposted": 0.5,
    "missed_urgent": 0.06,
    "none": 3,
}
# Answers with another category's urgent numbers added underneath: (route, category, what
# the resident wrote if the bot could not answer it) -> weight.
SIGNPOSTED = {
    ("faq:council-tax-arrears", "crisis", None): 30,
    ("faq:homelessness", "domestic_abuse", None): 15,
    ("faq:housing-repairs", "gas", None): 10,
    ("faq:housing-register", "domestic_abuse", None): 7,
    ("faq:adult-social-care", "safeguarding", None): 5,
    ("out_of_scope", "crisis", "everything is on top of me since I lost my job and I don't know who to talk to"): 12,
    ("out_of_scope", "crisis", "I feel so alone since my wife died and I can't face the paperwork"): 8,
}
# Urgent messages the bot answered out_of_scope (a model older than the phrases), by category.
MISSED_URGENT = {
    "crisis": "I can't cope any more with all this debt",
    "safeguarding": "the kids next door are left on their own every night",
    "gas": "strong smell of gas in the stairwell of our flats",
    "power": "no power on our whole street since last night",
    "emergency": "the road outside is flooding and it's coming into the houses",
}
ARTICLES = {
    "bin-collection-day": 14,
    "council-tax-pay": 9,
    "recycling": 5,
    "bulky-waste": 5,
    "garden-waste": 4,
    "council-tax-bands": 3,
    "council-tax-discounts": 4,
    "council-tax-support": 3,
    "council-tax-moving-home": 4,
    "council-tax-arrears": 3,
    "parking-permits": 5,
    "parking-fines": 4,
    "blue-badge": 2,
    "bus-pass": 2,
    "housing-repairs": 5,
    "housing-register": 3,
    "homelessness": 1.5,
    "housing-benefit": 3,
    "recycling-centre": 4,
    "school-admissions": 4,
    "free-school-meals": 1.5,
    "children-families": 1,
    "adult-social-care": 1.5,
    "libraries": 1.5,
    "contact-opening-hours": 2,
    "customer-service-centres": 1,
    "register-birth": 1,
    "register-death": 1,
    "electoral-register": 1.5,
    "planning-applications": 2,
    "building-control": 0.5,
    "noise-complaints": 2,
    "pest-control": 1.5,
    "food-hygiene": 0.5,
    "licences": 1,
    "business-rates": 1,
    "jobs": 1,
    "councillors": 0.5,
    "freedom-of-information": 0.3,
    "accessibility-languages": 0.3,
    "get-online-help": 0.3,
}
TOPICS = {
    "bin": "bins-recycling",
    "recycling": "bins-recycling",
    "garden": "bins-recycling",
    "bulky": "bins-recycling",
    "council-tax": "council-tax",
    "parking": "parking-transport",
    "blue": "parking-transport",
    "bus": "parking-transport",
    "housing": "housing",
    "homelessness": "housing",
}
SERVICES = {
    "missed_bin": 34,
    "pothole": 18,
    "fly_tipping": 15,
    "street_light": 10,
    "bin_replacement": 8,
    "graffiti": 5,
    "dog_fouling": 5,
    "abandoned_vehicle": 5,
}
ADVISORS = ("a.patel", "j.okafor", "s.murray", "l.chen", "r.evans", "m.hughes", "k.byrne")
STATUS_CHANGES = {
    "IN_PROGRESS": 30,
    "ACTION_SCHEDULED": 20,
    "FIXED": 30,
    "DUPLICATE": 5,
    "NOT_COUNCILS_RESPONSIBILITY": 5,
    "NO_FURTHER_ACTION": 5,
    "INVESTIGATING": 5,
}
ADVISOR_SCORES = {5: 56, 4: 26, 3: 8, 2: 4, 1: 6}
BOT_SCORES = {5: 50, 4: 28, 3: 10, 2: 5, 1: 7}
UNHELPED_SCORES = {5: 8, 4: 12, 3: 20, 2: 25, 1: 35}

# What residents ask that the bot cannot answer yet: topic -> paraphrases. Weighted by
# position (earlier topics come up more often).
UNANSWERED = (
    (
        "skip permit",
        [
            "can I get a skip permit",
            "how do I apply for a skip permit",
            "skip permit for outside my house",
            "do I need a permit for a skip on the road",
            "skip permits cost",
        ],
    ),
    (
        "blue badge",
        [
            "where do I get a blue badge",
            "how to apply for a blue badge",
            "renew my blue badge",
            "my blue badge has expired what do I do",
        ],
    ),
    (
        "christmas bins",
        [
            "christmas bin collection dates",
            "are bin collections different over christmas",
            "when are the bins collected at christmas",
            "christmas bin days",
        ],
    ),
    (
        "next election",
        [
            "when is the next election",
            "next local election date",
            "when are the council elections",
            "date of the next elections",
        ],
    ),
    (
        "food bank",
        [
            "where is the nearest food bank",
            "food bank vouchers",
            "how do I get a food bank referral",
            "food bank opening times",
        ],
    ),
    (
        "energy bills",
        [
            "help with energy bills",
            "household support fund",
            "cost of living payment",
            "can the council help with my energy bills",
        ],
    ),
    (
        "dropped kerb",
        [
            "how do I apply for a dropped kerb",
            "dropped kerb application",
            "can I get a dropped kerb",
            "dropped kerb for my drive cost",
        ],
    ),
    ("polling station", ["where is my polling station", "find my polling station", "polling station address"]),
    ("postal vote", ["how do I get a postal vote", "apply for a postal vote", "postal vote form"]),
    ("allotment", ["how do I get an allotment", "allotment waiting list", "rent an allotment plot"]),
    (
        "swimming pool",
        ["swimming pool opening times", "when is the swimming pool open", "leisure centre swimming times"],
    ),
    (
        "street party",
        ["street party road closure", "permission for a street party", "how do I organise a street party"],
    ),
    (
        "tree cutting",
        [
            "tree outside my house needs cutting back",
            "who cuts the trees on my street",
            "overhanging tree from the park",
        ],
    ),
    ("bonfire", ["can I have a bonfire in my garden", "bonfire rules", "neighbour bonfire smoke every weekend"]),
    ("gritting", ["when will my road be gritted", "gritting routes", "is my street on a gritting route"]),
    ("stray dog", ["I found a stray dog", "stray dog who do I call", "dog warden contact"]),
    ("school term dates", ["school term dates", "when is half term", "inset days this year school term"]),
    ("wedding", ["can we get married at the town hall", "book a wedding ceremony", "wedding ceremony prices"]),
    ("burial", ["how do I book a burial", "cemetery opening times", "buy a grave plot at the cemetery"]),
    (
        "ev charging",
        [
            "electric car charging points",
            "where can I charge my electric car",
            "ev charging on my street",
            "charging point for electric cars",
        ],
    ),
    (
        "parking suspension",
        ["parking bay suspension for moving house", "suspend a parking bay", "parking suspension cost"],
    ),
    ("rent", ["how do I pay my rent", "pay council rent", "rent account balance"]),
    (
        "disabled adaptations",
        ["grant for a stair lift", "disabled facilities grant", "adapt my bathroom for a wheelchair"],
    ),
    ("right to buy", ["right to buy my council house", "buy my council flat right to buy"]),
    ("clinical waste", ["sharps bin collection", "clinical waste collection", "needle disposal bin"]),
    ("sandbags", ["can I get sandbags", "where do I collect sandbags", "sandbags before the storm"]),
    ("council meeting", ["when is the next council meeting", "watch the council meeting", "council meeting agenda"]),
    ("market stall", ["how do I get a market stall", "rent a market stall", "market stall prices"]),
    ("asbestos", ["how do I get rid of asbestos", "asbestos disposal", "asbestos in my garage"]),
    ("citizenship ceremony", ["book a citizenship ceremony", "citizenship ceremony dates"]),
    ("pavement licence", ["pavement licence for cafe tables", "tables and chairs pavement licence"]),
    ("knotweed", ["japanese knotweed on council land", "japanese knotweed next door"]),
    ("tell us once", ["tell us once service", "what is tell us once"]),
    ("high hedge", ["neighbours hedge is too high", "high hedge complaint"]),
    ("shopping trolley", ["abandoned shopping trolley", "shopping trolleys dumped in the river"]),
    ("gp", ["how do I register with a gp", "book a doctor appointment"]),
    ("passport", ["renew my passport", "passport office opening hours"]),
    ("bus times", ["bus times to the hospital", "when is the next bus to town"]),
    ("weather", ["what is the weather tomorrow", "weather this weekend"]),
    ("hospital parking", ["hospital car park prices", "parking at the hospital"]),
)
LEAD_INS = ("", "", "", "", "hi ", "hello, ", "please ", "quick question ")
TAILS = ("", "", "", "", "?", " please", " thanks", " my postcode is [postcode]", " I live at [address]")


T = TypeVar("T")


def _pick(rng: random.Random, weights: Mapping[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _lognormal(rng: random.Random, median: float, sigma: float, low: float, high: float) -> float:
    return min(high, max(low, rng.lognormvariate(math.log(median), sigma)))


def _bank_holidays() -> frozenset[dt.date]:
    try:
        from contracts.calendar import bank_holidays

        return bank_holidays()
    except Exception:  # noqa: BLE001 - demo data must not depend on the relay's extras
        return frozenset()


class _Month:
    """The state of one generated month: events so far, cases, contact codes."""

    def __init__(
        self,
        rng: random.Random,
        start_ms: int,
        end_ms: int,
        holidays: frozenset[dt.date],
        first_reference: int,
        year: int,
    ) -> None:
        self.rng = rng
        self.start_ms, self.end_ms = start_ms, end_ms
        self.holidays = holidays
        self.next_reference = first_reference
        self.year = year
        self.events: list[tuple[int, int, Event]] = []  # (ms, order, event)
        self.cases: list[tuple[int, str]] = []  # (created ms, reference)
        self.contacts: list[tuple[int, str]] = []  # (ms, contact code)
        self.outages: list[tuple[int, int]] = []
        self.unanswered_weights = [1 / (i + 1) ** 0.75 for i in range(len(UNANSWERED))]
        self.conversation_number = 0

    # Helpers ---------------------------------------------------------------------------

    def reference(self) -> str:
        self.next_reference += 1
        return f"NB-{self.year}-{self.next_reference:06d}"

    def is_open(self, ms: int) -> bool:
        moment = from_ms(ms).astimezone(LONDON)
        return moment.weekday() < 5 and moment.date() not in self.holidays and OPENS <= moment.time() < CLOSES

    def in_outage(self, ms: int) -> tuple[int, int] | None:
        return next(((a, b) for a, b in self.outages if a <= ms < b), None)

    def recent(self, items: list[tuple[int, str]], now: int, days: float) -> list[str]:
        low = now - int(days * 86_400_000)
        return [value for at, value in items if low <= at < now]

    def unanswered_text(self, topic: int | None = None) -> tuple[int, str]:
        rng = self.rng
        if topic is None:
            topic = rng.choices(range(len(UNANSWERED)), weights=self.unanswered_weights)[0]
        text = rng.choice(UNANSWERED[topic][1])
        text = rng.choice(LEAD_INS) + text + rng.choice(TAILS)
        if rng.random() < 0.15:
            text = text[:1].upper() + text[1:]
        return topic, text

    # One conversation --------------------------------------------------------------------

    def conversation(self, start: int) -> None:
        rng = self.rng
        self.conversation_number += 1
        cid = f"c_{rng.getrandbits(96):024x}"
        log: list[tuple[int, str, dict]] = []
        clock = [start]

        def add(kind: str, after: tuple[float, float] = (0.0, 0.0), **data: object) -> int:
            clock[0] += max(1, int(rng.uniform(*after) * 1000))
            log.append((clock[0], kind, data))
            return clock[0]

        main = _pick(rng, MAIN_ROUTES)
        article = _pick(rng, ARTICLES) if main == "faq" else None
        page = "/"
        if article and rng.random() < 0.5:
            topic = next((v for k, v in TOPICS.items() if article.startswith(k)), "services")
            page = f"/{topic}/{article}"
        elif rng.random() < 0.2:
            page = "/contact-us"
        log.append((start, "conversation_started", {"page": SITE + page}))
        if rng.random() < 0.3:
            add("route", (4, 30), route="smalltalk:greet", confidence=round(rng.uniform(0.9, 1.0), 3))
        if main == "none":
            self.finish_bot(cid, log, clock, helped=False)
            return

        # The bot may be down when the resident first asks.
        first_turn = clock[0] + int(rng.uniform(8, 60) * 1000)
        outage = self.in_outage(first_turn)
        if outage:
            clock[0] = first_turn
            log.append((clock[0], "bot_unavailable", {}))
            choice = rng.random()
            if choice < 0.45:
                self.handoff(cid, log, clock, "resident_asked", "normal")
                return
            if choice < 0.8:
                clock[0] = max(clock[0], outage[1]) + int(rng.uniform(20, 240) * 1000)
                if self.in_outage(clock[0]):
                    log.append((clock[0], "bot_unavailable", {}))
                    self.finish_bot(cid, log, clock, helped=False)
                    return
            else:
                self.emit(cid, log)
                return
        elif rng.random() < 0.002:
            add("bot_unavailable", (8, 60))

        if main in urgent.BY_ROUTE:
            category = urgent.BY_ROUTE[main]
            add("route", (8, 60), route=main, confidence=round(rng.uniform(0.75, 0.99), 3))
            if rng.random() < URGENT_VOLUMES[category.name][1]:
                # "Talk to an advisor" under urgent advice: the reason is the category (actions/handoff.py).
                add("route", (20, 90), route="handoff", confidence=1.0)
                self.handoff(cid, log, clock, category.name, category.priority, after=(0.5, 2))
            else:
                self.finish_bot(cid, log, clock, helped=True)
            return

        if main in ("handoff", "complaint"):
            recent = self.recent(self.cases, clock[0], 7)
            if recent and rng.random() < (0.15 if main == "handoff" else 0.3):
                add("reference_mentioned", (8, 60), reference=rng.choice(recent))
            add("route", (1, 4), route=main, confidence=round(rng.uniform(0.75, 0.99), 3))
            reason = "resident_asked" if main == "handoff" else "complaint"
            self.handoff(cid, log, clock, reason, "normal", after=(5, 40) if main == "handoff" else (20, 90))
            return

        if main == "signposted":
            route, signposted, text = _pick(rng, SIGNPOSTED)
            add(
                "route",
                (8, 60),
                route=route,
                confidence=round(rng.uniform(0.3 if text else 0.6, 0.9), 3),
                signposts=[signposted],
            )
            if text:
                add("unanswered", (0.01, 0.05), text=text)
            if rng.random() < 0.3:
                add("route", (20, 120), route="handoff", confidence=round(rng.uniform(0.8, 0.99), 3))
                self.handoff(cid, log, clock, "resident_asked", "normal")
                return
            self.finish_bot(cid, log, clock, helped=not text)
            return

        if main == "missed_urgent":
            add("route", (8, 60), route="out_of_scope", confidence=round(rng.uniform(0.2, 0.5), 3))
            add("unanswered", (0.01, 0.05), text=rng.choice(list(MISSED_URGENT.values())))
            if rng.random() < 0.5:
                add("route", (15, 60), route="handoff", confidence=round(rng.uniform(0.8, 0.99), 3))
                self.handoff(cid, log, clock, "resident_asked", "normal")
                return
            self.finish_bot(cid, log, clock, helped=False)
            return

        if main == "track_request":
            reference = self.chased_reference(clock[0])
            add("reference_mentioned", (8, 60), reference=reference)
            add("route", (1, 4), route="track_request", confidence=round(rng.uniform(0.8, 0.99), 3))
            clock[0] += int(rng.uniform(5, 30) * 1000)
            if rng.random() < 0.12:  # not happy with the progress: wants a person
                add("route", (20, 90), route="handoff", confidence=round(rng.uniform(0.8, 0.99), 3))
                self.handoff(cid, log, clock, "resident_asked", "normal")
                return
            self.finish_bot(cid, log, clock, helped=True)
            return

        if main == "request":
            service = _pick(rng, SERVICES)
            add("route", (8, 60), route=f"request:{service}", confidence=round(rng.uniform(0.7, 0.99), 3))
            if rng.random() < 0.88:
                reference = self.reference()
                created = add("case_created", (50, 240), service_code=service, reference=reference)
                self.cases.append((created, reference))
                if rng.random() < 0.25:
                    self.status_change(created, reference)
                self.finish_bot(cid, log, clock, helped=True)
            else:  # gave up half-way through the form
                self.finish_bot(cid, log, clock, helped=False)
            return

        if main == "faq":
            add("route", (8, 60), route=f"faq:{article}", confidence=round(rng.uniform(0.6, 0.99), 3))
            if rng.random() < 0.2:
                add(
                    "route", (20, 120), route=f"faq:{_pick(rng, ARTICLES)}", confidence=round(rng.uniform(0.6, 0.99), 3)
                )
            if rng.random() < 0.08:
                add("route", (15, 90), route="handoff", confidence=round(rng.uniform(0.8, 0.99), 3))
                self.handoff(cid, log, clock, "resident_asked", "normal")
                return
            self.finish_bot(cid, log, clock, helped=True)
            return

        # out_of_scope: what the bot could not answer.
        asked_topic, asked = self.unanswered_text()
        add("route", (8, 60), route="out_of_scope", confidence=round(rng.uniform(0.2, 0.55), 3))
        add("unanswered", (0.01, 0.05), text=asked)
        roll = rng.random()
        if roll < 0.35:  # says it again differently; the bot offers an advisor
            _, again = self.unanswered_text(asked_topic)
            add("route", (15, 60), route="out_of_scope", confidence=round(rng.uniform(0.2, 0.55), 3))
            add("unanswered", (0.01, 0.05), text=again)
            if rng.random() < 0.55:
                self.handoff(cid, log, clock, "repeated_misunderstanding", "normal")
                return
            self.finish_bot(cid, log, clock, helped=False)
        elif roll < 0.6:  # asks something else the bot knows
            add("route", (15, 90), route=f"faq:{_pick(rng, ARTICLES)}", confidence=round(rng.uniform(0.6, 0.99), 3))
            self.finish_bot(cid, log, clock, helped=True)
        else:
            self.finish_bot(cid, log, clock, helped=False)

    def chased_reference(self, now: int) -> str:
        """A reference a resident asks about: mostly a case from the last week."""
        rng = self.rng
        recent = self.recent(self.cases, now, 7)
        older = [ref for at, ref in self.cases if at < now - 7 * 86_400_000]
        roll = rng.random()
        if recent and roll < 0.8:
            return rng.choice(recent)
        if older and roll < 0.92:
            return rng.choice(older)
        return f"NB-{self.year - (1 if rng.random() < 0.2 else 0)}-{rng.randint(1000, 3999):06d}"

    def status_change(self, created: int, reference: str) -> None:
        rng = self.rng
        when = created + int(rng.uniform(0.5, 6) * 86_400_000)
        for _ in range(30):
            if self.is_open(when):
                break
            when += 3_600_000
        if self.is_open(when) and when < self.end_ms:
            self.events.append(
                (
                    when,
                    0,
                    Event(
                        from_ms(when),
                        "case_status_changed",
                        None,
                        {
                            "reference": reference,
                            "extended_status": _pick(rng, STATUS_CHANGES),
                            "advisor": rng.choice(ADVISORS),
                        },
                    ),
                )
            )

    def handoff(
        self, cid: str, log: list, clock: list, reason: str, priority: str, after: tuple[float, float] = (5, 40)
    ) -> None:
        rng = self.rng
        clock[0] += max(1, int(rng.uniform(*after) * 1000))
        moment = from_ms(clock[0]).astimezone(LONDON)
        if not self.is_open(clock[0]):
            outcome = "closed"
        else:
            busy = 0.08 if moment.time() < dt.time(9, 0) or moment.weekday() == 0 else 0.03
            outcome = "no_advisor" if rng.random() < busy else "queued"
        log.append((clock[0], "handoff", {"reason": reason, "priority": priority, "outcome": outcome}))
        if outcome != "queued":
            if rng.random() < (0.45 if outcome == "closed" else 0.4):
                self.leave_message(cid, log, clock)
            self.finish_bot(cid, log, clock, helped=False, rate=0.05)
            return
        median: float = {"urgent": 45, "high": 70}.get(priority, 170)
        if moment.weekday() == 0 or 9 <= moment.hour < 12:
            median *= 1.3
        wait = _lognormal(rng, median, 0.75, 5, 2700)
        patience = rng.expovariate(1 / 1500)
        if priority == "normal" and patience < wait:
            clock[0] += max(1, int(patience * 1000))
            log.append((clock[0], "wait_cancelled", {}))
            self.finish_bot(cid, log, clock, helped=False, rate=0.05)
            return
        clock[0] += max(1, int(wait * 1000))
        claimed_at = clock[0]
        advisor = rng.choice(ADVISORS)
        log.append(
            (
                clock[0],
                "claimed",
                {"advisor": advisor, "waited_seconds": round(wait, 1), "reason": reason, "priority": priority},
            )
        )
        handling_median = {"complaint": 560, **{name: v[2] for name, v in URGENT_VOLUMES.items()}}.get(reason, 420)
        handled = _lognormal(rng, handling_median, 0.55, 30, 5400)
        if rng.random() < 0.03:
            other = rng.choice([a for a in ADVISORS if a != advisor])
            clock[0] += max(1, int(handled * rng.uniform(0.2, 0.6) * 1000))
            log.append((clock[0], "transferred", {"advisor": advisor, "to": other}))
            advisor = other
        clock[0] = max(clock[0] + 1, claimed_at + int(handled * 1000))
        handled = (clock[0] - claimed_at) / 1000
        how = _pick(rng, {"advisor": 70, "resident": 24, "handed_back": 6})
        log.append(
            (clock[0], "advisor_finished", {"how": how, "advisor": advisor, "handled_seconds": round(handled, 1)})
        )
        if how == "handed_back":
            if rng.random() < 0.4:
                clock[0] += int(rng.uniform(30, 300) * 1000)
                log.append((clock[0], "closed", {"by": "resident"}))
            self.emit(cid, log)
            return
        clock[0] += rng.randint(2, 40)
        log.append((clock[0], "closed", {"by": how}))
        if rng.random() < 0.4:
            scores = dict(ADVISOR_SCORES)
            if wait > 600:
                scores = {5: 30, 4: 25, 3: 15, 2: 12, 1: 18}
            clock[0] += int(rng.uniform(5, 90) * 1000)
            log.append((clock[0], "rating", {"score": _pick(rng, scores), "advisor": advisor}))
        self.emit(cid, log)

    def leave_message(self, cid: str, log: list, clock: list) -> None:
        rng = self.rng
        clock[0] += int(rng.uniform(40, 300) * 1000)
        recent = self.recent(self.contacts, clock[0], 7)
        code = rng.choice(recent) if recent and rng.random() < 0.12 else f"{rng.getrandbits(64):016x}"
        self.contacts.append((clock[0], code))
        if rng.random() < 0.97:
            reference = self.reference()
            log.append((clock[0], "message_left", {"reference": reference, "queued": False, "contact": code}))
        else:  # the case service was down: kept and sent later, no reference yet
            log.append((clock[0], "message_left", {"queued": True, "contact": code}))

    def finish_bot(self, cid: str, log: list, clock: list, helped: bool, rate: float | None = None) -> None:
        """The end of a conversation with the bot: thanks, sometimes an explicit end and a rating
        (residents who got what they came for rate more often)."""
        rng = self.rng
        rate = (0.22 if helped else 0.08) if rate is None else rate
        if helped and rng.random() < 0.15:
            clock[0] += int(rng.uniform(10, 60) * 1000)
            log.append((clock[0], "route", {"route": "smalltalk:thanks", "confidence": round(rng.uniform(0.9, 1), 3)}))
        if rng.random() < 0.3:
            clock[0] += int(rng.uniform(10, 120) * 1000)
            log.append((clock[0], "closed", {"by": "resident"}))
            if rng.random() < rate:
                clock[0] += int(rng.uniform(3, 40) * 1000)
                log.append(
                    (
                        clock[0],
                        "rating",
                        {"score": _pick(rng, BOT_SCORES if helped else UNHELPED_SCORES), "advisor": ""},
                    )
                )
        self.emit(cid, log)

    def emit(self, cid: str, log: list) -> None:
        """Keep the conversation's events that fall inside the month (a chat still going at
        midnight on the last day continues in next month's log)."""
        for order, (ms, kind, data) in enumerate(log):
            if ms < self.end_ms:
                self.events.append((ms, order, Event(from_ms(ms), kind, cid, dict(data))))


def _day_counts(rng: random.Random, days: list[dt.date], total: int, holidays: frozenset[dt.date]) -> list[int]:
    weights = [HOLIDAY_WEIGHT if d in holidays else WEEKDAY_WEIGHT[d.weekday()] for d in days]
    scale = total / sum(weights)
    return [max(0, round(rng.gauss(w * scale, math.sqrt(w * scale)))) for w in weights]


def _local_ms(day: dt.date, seconds: float) -> int:
    # Aware + timedelta is wall-clock arithmetic: 02:30 on the day the clocks change is 02:30 local.
    return to_ms(dt.datetime.combine(day, dt.time(0), LONDON) + dt.timedelta(seconds=seconds))


def generate(
    month: str = "2026-10", seed: int = 1, conversations: int = 3000, holidays: Iterable[dt.date] | None = None
) -> list[Event]:
    """About ``conversations`` conversations' events for ``month`` (``YYYY-MM``), in time
    order. ``holidays`` defaults to England and Wales bank holidays."""
    rng = random.Random(seed)
    first, last = month_period(month)
    start, end = period_bounds(first, last)
    holidays = frozenset(_bank_holidays() if holidays is None else holidays)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    state = _Month(
        rng,
        to_ms(start),
        to_ms(end),
        holidays,
        year=first.year,
        first_reference=3000 * first.month + rng.randint(0, 999),
    )

    # Two bot outages of 20-50 minutes in busy hours.
    for _ in range(2):
        day = rng.choice(days)
        begin = _local_ms(day, rng.uniform(9, 20) * 3600)
        state.outages.append((begin, begin + int(rng.uniform(20, 50) * 60_000)))

    starts = []
    for day, count in zip(days, _day_counts(rng, days, conversations, holidays)):
        hours = rng.choices(range(24), weights=HOUR_WEIGHT, k=count)
        for hour in hours:
            ms = _local_ms(day, hour * 3600 + rng.uniform(0, 3600))
            if state.start_ms <= ms < state.end_ms:
                starts.append(ms)
    starts.sort()

    # Advisors sign in and out on working days.
    for day in days:
        if day.weekday() >= 5 or day in holidays:
            continue
        for advisor in ADVISORS:
            if rng.random() < 0.15:
                continue  # not working today
            on = _local_ms(day, 8 * 3600 + rng.uniform(20, 35) * 60)
            lunch = _local_ms(day, 12 * 3600 + rng.uniform(0, 90) * 60)
            off = _local_ms(day, 17 * 3600 + rng.uniform(0, 10) * 60)
            for ms, status in ((on, "available"), (lunch, "away"), (lunch + 1_800_000, "available"), (off, "away")):
                state.events.append(
                    (ms, 0, Event(from_ms(ms), "presence", None, {"advisor": advisor, "status": status}))
                )

    for ms in starts:
        state.conversation(ms)
    state.events.sort(key=lambda item: (item[0], item[1]))
    return [event for _, _, event in state.events]
