"""Time and working days: times are shown in UK local time with their offset."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from contracts.calendar import bank_holidays

UK = ZoneInfo("Europe/London")
END_OF_DAY = dt.time(17, 0)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays()


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """5pm UK time on the ``days``-th working day after ``start``."""
    day = start.astimezone(UK).date()
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=UK)


def to_open311(moment: dt.datetime | None) -> str | None:
    """ISO 8601 with the UK offset, e.g. 2026-11-23T10:15:00+00:00."""
    return moment.astimezone(UK).isoformat(timespec="seconds") if moment else None
