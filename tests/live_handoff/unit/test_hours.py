"""Live chat is offered only when advisors are in, and residents are told plainly when that is."""

from __future__ import annotations

import datetime as dt

import pytest

from live_handoff import hours
from live_handoff.hours import LONDON, build, describe_opening, is_open, next_opening, parse_dates, parse_weekly

UTC = dt.timezone.utc


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def standard() -> hours.OpeningHours:
    return build("Mon-Fri 08:30-17:00", "2026-11-27")


# Opening and closing


def test_a_weekday_inside_hours_is_open(standard):
    assert is_open(standard, london(2026, 11, 23, 10, 0))  # Monday


def test_a_weekday_before_opening_is_closed(standard):
    assert not is_open(standard, london(2026, 11, 23, 8, 29))


def test_opening_time_exactly_is_open(standard):
    assert is_open(standard, london(2026, 11, 23, 8, 30))


def test_five_pm_exactly_is_closed(standard):
    assert is_open(standard, london(2026, 11, 23, 16, 59, 59))
    assert not is_open(standard, london(2026, 11, 23, 17, 0))


def test_the_weekend_is_closed(standard):
    assert not is_open(standard, london(2026, 11, 21, 10, 0))  # Saturday
    assert not is_open(standard, london(2026, 11, 22, 10, 0))  # Sunday


@pytest.mark.parametrize("holiday", [dt.date(2026, 12, 25), dt.date(2026, 12, 28), dt.date(2027, 1, 1)])
def test_england_and_wales_bank_holidays_are_closed(standard, holiday):
    assert holiday.weekday() < 5
    assert not is_open(standard, dt.datetime.combine(holiday, dt.time(10, 0), tzinfo=LONDON))


def test_the_package_knows_boxing_day_2026_moves_to_monday_the_28th():
    known = hours.bank_holidays()
    assert dt.date(2026, 12, 28) in known
    assert dt.date(2026, 12, 26) not in known  # a Saturday: the holiday is the substitute day


def test_a_scotland_only_bank_holiday_is_open():
    # 2 January is a bank holiday in Scotland but not in England and Wales.
    assert dt.date(2026, 1, 2) not in hours.bank_holidays()
    assert is_open(build(), london(2026, 1, 2, 10, 0))


def test_a_council_closure_date_from_the_spec_is_closed(standard):
    assert not is_open(standard, london(2026, 11, 27, 10, 0))  # a Friday
    assert is_open(standard, london(2026, 11, 26, 10, 0))


def test_a_summer_utc_time_is_read_as_british_summer_time(standard):
    # 07:45 UTC is 08:45 BST: open, though 07:45 is before opening on the clock.
    assert is_open(standard, dt.datetime(2026, 7, 15, 7, 45, tzinfo=UTC))


def test_a_winter_utc_time_is_read_as_greenwich_mean_time(standard):
    assert not is_open(standard, dt.datetime(2026, 1, 14, 8, 15, tzinfo=UTC))
    assert is_open(standard, dt.datetime(2026, 1, 14, 8, 45, tzinfo=UTC))


def test_a_naive_time_is_refused(standard):
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(standard, dt.datetime(2026, 11, 23, 10, 0))


def test_a_saturday_morning_rule_opens_saturday_only_in_the_morning():
    weekend = build("Mon-Fri 08:30-17:00; Sat 09:00-12:30")
    assert is_open(weekend, london(2026, 11, 21, 12, 0))
    assert not is_open(weekend, london(2026, 11, 21, 12, 30))
    assert not is_open(weekend, london(2026, 11, 22, 10, 0))


# Next opening


def test_when_open_the_next_opening_is_now(standard):
    now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert next_opening(standard, now) == now
    assert next_opening(standard, now).tzinfo is LONDON


def test_before_opening_the_next_opening_is_later_today(standard):
    assert next_opening(standard, london(2026, 11, 23, 7, 0)) == london(2026, 11, 23, 8, 30)


def test_the_next_opening_after_friday_evening_is_monday_morning(standard):
    assert next_opening(standard, london(2026, 11, 20, 17, 0)) == london(2026, 11, 23, 8, 30)


def test_the_next_opening_after_christmas_eve_skips_the_bank_holidays():
    assert next_opening(build(), london(2026, 12, 24, 17, 30)) == london(2026, 12, 29, 8, 30)


def test_the_next_opening_across_christmas_skips_council_closures_too():
    shutdown = build(closures_spec="2026-12-29..2026-12-31")
    assert next_opening(shutdown, london(2026, 12, 24, 17, 30)) == london(2027, 1, 4, 8, 30)


def test_the_next_opening_is_in_local_time_across_the_clocks_changing(standard):
    # Clocks go back on Sunday 25 October 2026: Monday opens at 08:30 GMT, not BST.
    opening = next_opening(standard, london(2026, 10, 23, 18, 0))
    assert opening == dt.datetime(2026, 10, 26, 8, 30, tzinfo=UTC)


def test_no_opening_within_sixty_days_is_an_error():
    closed = hours.OpeningHours(
        weekly={0: (dt.time(9), dt.time(17))}, closed_dates=parse_dates("2026-11-01..2027-03-01")
    )
    with pytest.raises(ValueError, match="60 days"):
        next_opening(closed, london(2026, 11, 2, 10, 0))


# What residents are told


def test_before_opening_residents_are_told_today(standard):
    assert describe_opening(standard, london(2026, 11, 23, 7, 0)) == "today at 8:30am"


def test_after_closing_residents_are_told_tomorrow(standard):
    assert describe_opening(standard, london(2026, 11, 23, 18, 0)) == "tomorrow at 8:30am"


def test_just_after_midnight_in_summer_residents_are_told_today(standard):
    # 23:30 UTC on Monday is 00:30 BST on Tuesday: Tuesday's opening is "today", not "tomorrow".
    assert describe_opening(standard, dt.datetime(2026, 7, 13, 23, 30, tzinfo=UTC)) == "today at 8:30am"


def test_further_ahead_residents_are_told_the_day_and_date():
    assert describe_opening(build(), london(2026, 12, 24, 17, 30)) == "on Tuesday 29 December at 8:30am"


def test_the_date_has_no_leading_zero():
    assert describe_opening(build(), london(2026, 12, 31, 18, 0)) == "on Monday 4 January at 8:30am"


def test_whole_hours_are_said_without_minutes():
    nine = build("Mon-Fri 09:00-17:00")
    assert describe_opening(nine, london(2026, 11, 23, 18, 0)) == "tomorrow at 9am"


def test_afternoon_openings_use_pm():
    afternoons = build("Mon-Fri 13:15-17:00")
    assert describe_opening(afternoons, london(2026, 11, 23, 9, 0)) == "today at 1:15pm"
    assert describe_opening(build("Mon-Fri 12:00-17:00"), london(2026, 11, 23, 9, 0)) == "today at 12pm"


def test_when_already_open_residents_are_told_now(standard):
    assert describe_opening(standard, london(2026, 11, 23, 10, 17)) == "now"


# Parsing configuration


def test_weekday_ranges_single_days_and_lists_are_read():
    weekly = parse_weekly("mon-WED 08:30-17:00; Thu 10:00-16:00; Sat,sun 09:00-12:30")
    assert weekly[0] == weekly[2] == (dt.time(8, 30), dt.time(17, 0))
    assert weekly[3] == (dt.time(10, 0), dt.time(16, 0))
    assert weekly[5] == weekly[6] == (dt.time(9, 0), dt.time(12, 30))
    assert 4 not in weekly


@pytest.mark.parametrize(
    "spec, message",
    [
        ("Mon-Fri 17:00-08:30", "closing time is not after opening time in 'Mon-Fri 17:00-08:30'"),
        ("Mon-Fry 08:30-17:00", "unknown day 'Fry'"),
        ("Mon-Fri 08:30-25:00", "bad time '25:00'"),
        ("Mon-Fri 8.30-17.00", "cannot read opening hours 'Mon-Fri 8.30-17.00'"),
        ("Fri-Mon 08:30-17:00", "day range 'Fri-Mon'.*runs backwards"),
        ("Mon-Fri 08:30-17:00; Fri 09:00-12:00", "Friday is given more than once"),
        ("", "no opening hours"),
    ],
)
def test_bad_opening_hours_are_refused_with_the_bad_part_quoted(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_weekly(spec)


def test_closure_dates_and_inclusive_ranges_are_read():
    assert parse_dates("2026-12-24, 2026-12-29..2026-12-31") == {
        dt.date(2026, 12, 24),
        dt.date(2026, 12, 29),
        dt.date(2026, 12, 30),
        dt.date(2026, 12, 31),
    }


def test_no_closures_is_an_empty_set():
    assert parse_dates("") == frozenset()


@pytest.mark.parametrize(
    "spec, message",
    [
        ("2026-12-24, 24/12/2026", "bad date '24/12/2026'"),
        ("2026-02-30", "bad date '2026-02-30'"),
        ("2026-12-31..2026-12-29", "date range '2026-12-31..2026-12-29' runs backwards"),
    ],
)
def test_bad_closure_dates_are_refused_naming_the_item(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_dates(spec)


def test_24_00_means_open_until_midnight():
    weekly = hours.parse_weekly("Mon-Sun 00:00-24:00")
    built = hours.OpeningHours(weekly=weekly, closed_dates=frozenset())
    late = dt.datetime(2026, 11, 23, 23, 59, 59, tzinfo=LONDON)
    assert hours.is_open(built, late)
