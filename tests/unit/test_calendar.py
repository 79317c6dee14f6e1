"""SEC Working Days and "within N Working Days of D" deadlines (ledger.calendar).

Oracles: the England and Wales bank holidays published on gov.uk for 2021-2025 (weekday dates,
including substitute days and one-off holidays), typed in by hand below, and dates counted by
hand on a calendar. Property tests tie the three functions together.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.calendar import (
    CONVENTION,
    LONDON,
    Deadline,
    WorkingDayError,
    add_working_days,
    bank_holidays,
    deadline,
    is_within,
    is_working_day,
    working_days_between,
)
from ledger.errors import LedgerError

# gov.uk England and Wales bank holidays (the days off: substitute days, not the weekend dates).
GOV_UK_ENGLAND_AND_WALES = {
    2021: ["01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"],
    2022: ["01-03", "04-15", "04-18", "05-02", "06-02", "06-03", "08-29", "09-19", "12-26", "12-27"],
    2023: ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"],
    2024: ["01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26"],
    2025: ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"],
}


def d(iso: str) -> date:
    return date.fromisoformat(iso)


def test_weekday_bank_holidays_match_the_published_england_and_wales_list() -> None:
    for year, days in GOV_UK_ENGLAND_AND_WALES.items():
        published = {d(f"{year}-{md}") for md in days}
        weekday_holidays = {h for h in bank_holidays(year, year) if h.weekday() < 5}
        assert weekday_holidays == published, year


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Christmas 2021 on a weekend: substitute days Mon 27 and Tue 28; New Year substitute 3 Jan.
        ("2021-12-24", True), ("2021-12-25", False), ("2021-12-26", False), ("2021-12-27", False),
        ("2021-12-28", False), ("2021-12-29", True), ("2021-12-31", True), ("2022-01-03", False),
        ("2022-01-04", True),
        # Christmas 2022 on a Sunday: Boxing Day Mon 26, Christmas substitute Tue 27; 2 Jan 2023.
        ("2022-12-26", False), ("2022-12-27", False), ("2022-12-28", True), ("2023-01-02", False),
        # Easter 2024.
        ("2024-03-28", True), ("2024-03-29", False), ("2024-04-01", False), ("2024-04-02", True),
        # Early May, spring and summer bank holidays 2024.
        ("2024-05-06", False), ("2024-05-27", False), ("2024-08-26", False), ("2024-08-27", True),
        # One-off: spring bank holiday moved to Thu 2 June 2022, Platinum Jubilee Fri 3 June.
        ("2022-05-30", True), ("2022-06-02", False), ("2022-06-03", False),
        ("2022-09-19", False),  # State Funeral of Queen Elizabeth II
        ("2023-05-08", False),  # Coronation of King Charles III
        ("2020-05-08", False), ("2020-05-04", True),  # early May moved to VE Day in 2020
        # Scotland and Northern Ireland only: Working Days in England and Wales.
        ("2024-01-02", True), ("2024-08-05", True), ("2024-12-02", True), ("2024-03-18", True),
        ("2024-07-12", True),
        # Weekends.
        ("2024-06-01", False), ("2024-06-02", False), ("2024-06-03", True),
    ],
)
def test_is_working_day(day: str, working: bool) -> None:
    assert is_working_day(d(day)) is working


@pytest.mark.parametrize(
    ("trigger", "n", "due"),
    [
        ("2021-12-23", 1, "2021-12-24"),
        ("2021-12-23", 2, "2021-12-29"),  # over the weekend and both substitute days
        ("2021-12-24", 1, "2021-12-29"),
        ("2021-12-31", 1, "2022-01-04"),  # New Year's Day substitute on Mon 3 Jan
        ("2024-03-28", 1, "2024-04-02"),  # Good Friday and Easter Monday
        ("2024-03-28", 5, "2024-04-08"),  # §13.26: 5 WD of a TAG decision on Maundy Thursday
        ("2022-06-01", 1, "2022-06-06"),  # Platinum Jubilee weekend
        ("2022-09-16", 1, "2022-09-20"),  # State Funeral
        ("2023-05-05", 1, "2023-05-09"),  # Coronation
        ("2024-12-16", 10, "2025-01-02"),  # §13.4: 10 WD of a DCC decision over Christmas
        ("2024-06-01", 1, "2024-06-03"),  # a Saturday trigger: day 1 is the Monday
        ("2024-06-01", 0, "2024-06-01"),  # n == 0: the trigger itself, even on a weekend
        ("2024-06-03", 0, "2024-06-03"),
    ],
)
def test_add_working_days(trigger: str, n: int, due: str) -> None:
    assert add_working_days(d(trigger), n) == d(due)


def test_add_working_days_rejects_a_negative_count_naming_it() -> None:
    with pytest.raises(WorkingDayError, match="n must be >= 0, got -1") as caught:
        add_working_days(d("2024-01-10"), -1)
    assert isinstance(caught.value, LedgerError)


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        ("2021-12-24", "2021-12-29", 1),
        ("2021-12-23", "2022-01-04", 5),
        ("2024-03-28", "2024-04-02", 1),
        ("2024-06-01", "2024-06-02", 0),  # Saturday to Sunday
        ("2024-06-03", "2024-06-03", 0),  # same day
        ("2021-12-29", "2021-12-24", -1),  # end before start: the negative of the reverse
        ("2024-06-02", "2024-06-03", 1),  # the end day counts, the start day does not
    ],
)
def test_working_days_between(start: str, end: str, count: int) -> None:
    assert working_days_between(d(start), d(end)) == count


def test_deadline_ends_at_the_end_of_the_due_day_in_london_summer_time() -> None:
    limit = deadline(d("2024-03-28"), 1)  # British Summer Time from 31 March 2024
    assert limit == Deadline(
        trigger=d("2024-03-28"), working_days=1, due=d("2024-04-02"),
        ends_at=datetime(2024, 4, 2, 23, 59, 59, 999999, tzinfo=LONDON), convention=CONVENTION,
    )
    assert limit.ends_at.utcoffset() == timedelta(hours=1)
    assert is_within(limit, datetime(2024, 4, 2, 22, 59, 59, tzinfo=UTC))
    # 23:30 UTC on the due day is already 00:30 the next day in London: too late.
    assert not is_within(limit, datetime(2024, 4, 2, 23, 30, tzinfo=UTC))


def test_deadline_in_winter_is_midnight_utc_and_the_last_microsecond_counts() -> None:
    limit = deadline(d("2024-12-16"), 10)
    assert limit.due == d("2025-01-02")
    assert limit.ends_at.utcoffset() == timedelta(0)
    assert is_within(limit, limit.ends_at)
    assert not is_within(limit, limit.ends_at + timedelta(microseconds=1))
    assert is_within(limit, datetime(2024, 12, 1, tzinfo=UTC))  # only the end is checked


def test_deadline_states_its_convention() -> None:
    limit = deadline(d("2024-01-10"), 5)
    assert limit.convention == CONVENTION
    for words in ("England and Wales", "Nth Working Day after D", "Europe/London", "day 0"):
        assert words in CONVENTION
    assert limit.as_json() == {
        "trigger": "2024-01-10", "working_days": 5, "due": "2024-01-17",
        "ends_at": "2024-01-17T23:59:59.999999+00:00", "convention": CONVENTION,
    }


def test_is_within_rejects_a_naive_datetime() -> None:
    with pytest.raises(WorkingDayError, match="timezone-aware"):
        is_within(deadline(d("2024-01-10"), 5), datetime(2024, 1, 11, 12, 0))


def test_bank_holidays_rejects_a_reversed_year_range() -> None:
    with pytest.raises(WorkingDayError, match="last_year 2023 is before first_year 2024"):
        bank_holidays(2024, 2023)


def test_bank_holidays_over_a_range_is_the_union_of_its_years() -> None:
    assert bank_holidays(2021, 2023) == bank_holidays(2021, 2021) | bank_holidays(2022, 2022) | (
        bank_holidays(2023, 2023)
    )


# --- properties ---------------------------------------------------------------------------------

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2080, 12, 31))
counts = st.integers(min_value=0, max_value=300)


@given(dates, st.integers(min_value=1, max_value=300))
def test_the_nth_working_day_after_is_a_working_day(start: date, n: int) -> None:
    assert is_working_day(add_working_days(start, n))


@given(dates, counts)
def test_working_days_between_inverts_add_working_days(start: date, n: int) -> None:
    assert working_days_between(start, add_working_days(start, n)) == n


@given(dates, counts)
def test_add_working_days_is_strictly_monotonic_and_skips_no_working_day(start: date, n: int) -> None:
    here, there = add_working_days(start, n), add_working_days(start, n + 1)
    assert here < there
    assert working_days_between(here, there) == 1


@given(dates, counts, counts)
def test_add_working_days_composes(start: date, m: int, n: int) -> None:
    assert add_working_days(add_working_days(start, m), n) == add_working_days(start, m + n)


@given(dates, dates, dates)
def test_working_days_between_is_a_signed_difference(a: date, b: date, c: date) -> None:
    assert working_days_between(a, b) + working_days_between(b, c) == working_days_between(a, c)
    assert working_days_between(a, b) == -working_days_between(b, a)


@given(dates, counts)
def test_deadline_due_is_add_working_days_and_ends_on_that_day_in_london(start: date, n: int) -> None:
    limit = deadline(start, n)
    assert limit.due == add_working_days(start, n)
    assert limit.ends_at.astimezone(LONDON).date() == limit.due
    assert not is_within(limit, limit.ends_at + timedelta(microseconds=1))


@given(dates, st.integers(min_value=0, max_value=800))
def test_working_days_between_counts_each_working_day_after_start(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    one_by_one = sum(is_working_day(start + timedelta(days=i)) for i in range(1, span + 1))
    assert working_days_between(start, end) == one_by_one
