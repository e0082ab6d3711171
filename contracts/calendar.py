"""England and Wales bank holidays: working-day deadlines, the advisors' opening hours and
the insight report's quiet days all close on the same days."""

from __future__ import annotations

import datetime as dt
import functools

from govuk_bank_holidays.bank_holidays import BankHolidays


@functools.lru_cache(maxsize=1)
def bank_holidays() -> frozenset[dt.date]:
    """England and Wales bank holidays known to the installed ``govuk-bank-holidays``.

    Uses the copy bundled with the package, so it never goes online; the list only runs
    a couple of years ahead, so upgrading the package keeps it current.

    Returns:
        All known England and Wales bank holiday dates, substitute days included.
    """
    holidays = BankHolidays(use_cached_holidays=True).get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    return frozenset(holiday["date"] for holiday in holidays)
