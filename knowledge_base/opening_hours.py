"""Advisors' opening hours as configured (``RELAY_OPENING_HOURS``) and in words.

Shared by the relay (when to offer a live advisor) and the bot (what its texts say about
when advisors are there), so the two can never disagree. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

DEFAULT_WEEKLY = "Mon-Fri 08:30-17:00"

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAYS = {**{name[:3]: i for i, name in enumerate(DAY_NAMES)}, **{name: i for i, name in enumerate(DAY_NAMES)}}
_RULE = re.compile(r"^(?P<days>.+?)\s+(?P<open>\d{1,2}:\d{2})\s*-\s*(?P<close>\d{1,2}:\d{2})$")


def _parse_day(token: str, part: str) -> int:
    day = _DAYS.get(token.strip().lower())
    if day is None:
        raise ValueError(f"unknown day {token.strip()!r} in {part!r} (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)")
    return day


def _parse_days(text: str, part: str) -> list[int]:
    days: list[int] = []
    for item in text.split(","):
        if not item.strip():
            raise ValueError(f"empty day in {part!r}")
        if "-" in item:
            first, _, last = item.partition("-")
            start, end = _parse_day(first, part), _parse_day(last, part)
            if end < start:
                # Wrap-around ranges (Sat-Mon) are more likely a typo than intended.
                raise ValueError(f"day range {item.strip()!r} in {part!r} runs backwards")
            days.extend(range(start, end + 1))
        else:
            days.append(_parse_day(item, part))
    return days


def _parse_time(text: str, part: str) -> dt.time:
    if text == "24:00":  # open until midnight: the last moment of the day
        return dt.time.max
    hour, _, minute = text.partition(":")
    try:
        return dt.time(int(hour), int(minute))
    except ValueError:
        raise ValueError(f"bad time {text!r} in {part!r} (use 24-hour HH:MM)") from None


def parse_weekly(spec: str) -> dict[int, tuple[dt.time, dt.time]]:
    """Parse weekly opening hours.

    Args:
        spec: Rules separated by ``;``, each days then a time range, e.g.
            ``"Mon-Fri 08:30-17:00; Sat 09:00-12:30"`` or ``"Mon,Wed 09:00-12:00"``.
            Day names are case-insensitive.

    Returns:
        Weekday (0 = Monday) to (open, close).

    Raises:
        ValueError: If any rule is malformed, quoting the offending part.
    """
    weekly: dict[int, tuple[dt.time, dt.time]] = {}
    for raw in spec.split(";"):
        part = raw.strip()
        if not part:
            continue
        match = _RULE.match(part)
        if not match:
            raise ValueError(f"cannot read opening hours {part!r} (expected e.g. 'Mon-Fri 08:30-17:00')")
        opens, closes = _parse_time(match["open"], part), _parse_time(match["close"], part)
        if closes <= opens:
            raise ValueError(f"closing time is not after opening time in {part!r}")
        for day in _parse_days(match["days"], part):
            if day in weekly:
                # Two rules for one day would silently let the later one win.
                raise ValueError(f"{DAY_NAMES[day].title()} is given more than once (at {part!r})")
            weekly[day] = (opens, closes)
    if not weekly:
        # A contact centre that is never open is a configuration mistake, not a policy.
        raise ValueError(f"no opening hours in {spec!r}")
    return weekly


def _clock(moment: dt.time) -> str:
    if moment == dt.time.max:
        return "midnight"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def _day_list(days: list[int]) -> str:
    """[0, 1, 2, 3, 4] -> "Monday to Friday"; [0, 2] -> "Monday and Wednesday"."""
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    names = [
        DAY_NAMES[r[0]].title()
        if len(r) == 1
        else f"{DAY_NAMES[r[0]].title()} {'and' if len(r) == 2 else 'to'} {DAY_NAMES[r[-1]].title()}"
        for r in runs
    ]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def weekly_in_words(weekly: Mapping[int, tuple[dt.time, dt.time]]) -> str:
    """``{0..4: (08:30, 17:00)}`` -> "Monday to Friday, 8:30am to 5pm" (groups days with the same times)."""
    groups: dict[tuple[dt.time, dt.time], list[int]] = {}
    for day in sorted(weekly):
        groups.setdefault(weekly[day], []).append(day)
    parts = [f"{_day_list(days)}, {_clock(opens)} to {_clock(closes)}" for (opens, closes), days in groups.items()]
    return "; ".join(parts)


def advisor_hours_text(env: Mapping[str, str]) -> str:
    """When advisors are there, in words: ``RELAY_HOURS_TEXT`` if set, else from ``RELAY_OPENING_HOURS``.

    Raises:
        ValueError: ``RELAY_OPENING_HOURS`` cannot be read (naming the part).
    """
    if env.get("RELAY_HOURS_TEXT"):
        return env["RELAY_HOURS_TEXT"].strip()
    return weekly_in_words(parse_weekly(env.get("RELAY_OPENING_HOURS") or DEFAULT_WEEKLY))
