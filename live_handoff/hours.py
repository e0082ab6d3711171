"""Contact-centre opening hours: when a live advisor can be offered, and how to say when.

Hours are configured as short strings (``"Mon-Fri 08:30-17:00"``) so they can live in
environment variables; closures are England and Wales bank holidays plus any dates the
council adds (Christmas shutdown, training days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from zoneinfo import ZoneInfo

from contracts.calendar import bank_holidays
from knowledge_base.opening_hours import DAY_NAMES, parse_weekly

LONDON = ZoneInfo("Europe/London")

# How far next_opening looks before giving up: longer than any plausible closure, short
# enough that a misconfiguration (no open days at all) fails fast rather than looping.
SEARCH_DAYS = 60

_MONTH_NAMES = (
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


@dataclass(frozen=True)
class OpeningHours:
    """When the contact centre takes live chats.

    Attributes:
        weekly: Weekday (0 = Monday) to (open, close) local times; a missing day is closed.
        closed_dates: Local dates with no service at all (bank holidays and closures).
        zone: The zone the times above are in.
    """

    weekly: Mapping[int, tuple[dt.time, dt.time]]
    closed_dates: frozenset[dt.date]
    zone: ZoneInfo = LONDON


def _parse_date(text: str, item: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"bad date {text.strip()!r} in {item!r} (use YYYY-MM-DD)") from None


def parse_dates(spec: str) -> frozenset[dt.date]:
    """Parse closure dates.

    Args:
        spec: Comma-separated ISO dates and inclusive ranges, e.g.
            ``"2026-12-24, 2026-12-29..2026-12-31"``. Empty means none.

    Returns:
        Every date named or covered by a range.

    Raises:
        ValueError: If an item is not a date or a range runs backwards, naming the item.
    """
    dates: set[dt.date] = set()
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        if ".." in item:
            first, _, last = item.partition("..")
            start, end = _parse_date(first, item), _parse_date(last, item)
            if end < start:
                raise ValueError(f"date range {item!r} runs backwards")
            dates.update(start + dt.timedelta(days=n) for n in range((end - start).days + 1))
        else:
            dates.add(_parse_date(item, item))
    return frozenset(dates)


def build(weekly_spec: str = "Mon-Fri 08:30-17:00", closures_spec: str = "") -> OpeningHours:
    """Opening hours from configuration strings, with bank holidays closed.

    Args:
        weekly_spec: See :func:`parse_weekly`.
        closures_spec: Council closure dates; see :func:`parse_dates`.

    Returns:
        The combined opening hours in Europe/London.

    Raises:
        ValueError: If either spec is malformed.
    """
    weekly = MappingProxyType(parse_weekly(weekly_spec))
    return OpeningHours(weekly=weekly, closed_dates=bank_holidays() | parse_dates(closures_spec))


def _local(hours: OpeningHours, when: dt.datetime) -> dt.datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        # A naive time could be UTC or local; guessing wrong is an hour off half the year.
        raise ValueError(f"when must be timezone-aware, got {when!r}")
    return when.astimezone(hours.zone)


def _hours_on(hours: OpeningHours, day: dt.date) -> tuple[dt.time, dt.time] | None:
    if day in hours.closed_dates:
        return None
    return hours.weekly.get(day.weekday())


def is_open(hours: OpeningHours, when: dt.datetime) -> bool:
    """Whether live chat is open at a moment.

    Args:
        hours: The opening hours.
        when: A timezone-aware moment.

    Returns:
        True if ``when`` falls on an open day, from opening time up to (not including) closing.

    Raises:
        ValueError: If ``when`` is naive.
    """
    local = _local(hours, when)
    today = _hours_on(hours, local.date())
    return today is not None and today[0] <= local.time() < today[1]


def next_opening(hours: OpeningHours, when: dt.datetime) -> dt.datetime:
    """The first moment at or after ``when`` that live chat is open.

    Args:
        hours: The opening hours.
        when: A timezone-aware moment.

    Returns:
        ``when`` itself (in ``hours.zone``) if open, otherwise the next opening time.

    Raises:
        ValueError: If ``when`` is naive, or nothing opens within 60 days.
    """
    local = _local(hours, when)
    if is_open(hours, local):
        return local
    for offset in range(SEARCH_DAYS + 1):
        day = local.date() + dt.timedelta(days=offset)
        times = _hours_on(hours, day)
        if times is None:
            continue
        opening = dt.datetime.combine(day, times[0], tzinfo=hours.zone)
        if opening > local:
            return opening
    raise ValueError(f"no opening time within {SEARCH_DAYS} days of {local.isoformat()}")


def _clock(moment: dt.datetime) -> str:
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def describe_opening(hours: OpeningHours, when: dt.datetime) -> str:
    """When live chat next opens, in words a resident reads after "We're next open ...".

    Args:
        hours: The opening hours.
        when: A timezone-aware moment the wording is relative to.

    Returns:
        ``"now"`` if open at ``when``; otherwise ``"today at 8:30am"``,
        ``"tomorrow at 9am"`` or ``"on Tuesday 29 December at 8:30am"``.

    Raises:
        ValueError: As for :func:`next_opening`.
    """
    local = _local(hours, when)
    opening = next_opening(hours, local)
    if opening == local:
        # "today at 10:17am" for the current minute would read as a mistake.
        return "now"
    days_ahead = (opening.date() - local.date()).days
    if days_ahead == 0:
        return f"today at {_clock(opening)}"
    if days_ahead == 1:
        return f"tomorrow at {_clock(opening)}"
    # Built by hand: strftime's %-d (no leading zero) is not portable and %A/%B follow the locale.
    day = f"{DAY_NAMES[opening.weekday()].title()} {opening.day} {_MONTH_NAMES[opening.month - 1]}"
    return f"on {day} at {_clock(opening)}"
