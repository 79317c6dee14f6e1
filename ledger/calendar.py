"""SEC Working Days and deadlines of the form "within N Working Days of D".

Appendix AK uses "Working Day" without defining it (§1.1 imports capitalised terms from Section A
of the Code): a day other than a Saturday, a Sunday or a bank holiday in England and Wales.
Bank holidays come from the ``holidays`` package, country GB, subdivision ENG (England and
Wales share one list), including substitute days and one-off proclaimed holidays.

Convention (domain/README.md "Deadlines"; catalogue A38), stored with every computed deadline:

- the trigger date D is day 0 and need not itself be a Working Day;
- "within N Working Days of D" ends at the end of the Nth Working Day after D, that is at
  23:59:59.999999 Europe/London on that day (an act at any instant up to then is in time);
- N == 0 is allowed and gives D itself (no Appendix AK window is 0; it keeps the identity
  ``working_days_between(d, add_working_days(d, n)) == n`` true for every n >= 0).

Windows used by Appendix AK: 5 WD (§13.26), 10 WD (§13.4, §13.7, §20.37), 20 WD (§20.12),
20/40/60 WD (§15.1), and in §20.2 a 5 WD submission window and a 10 WD notice lead time; the
tables citing them are in ``ledger.rules`` (``routes``, ``deadlines``).

A one-off bank holiday proclaimed after the installed ``holidays`` release is unknown to it, so
the convention names the release that computed each deadline.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib.metadata import version
from zoneinfo import ZoneInfo

import holidays

from ledger.errors import LedgerError

LONDON = ZoneInfo("Europe/London")
HOLIDAY_COUNTRY = "GB"
HOLIDAY_SUBDIVISION = "ENG"
CONVENTION_ID = "ak-working-days/v1"
HOLIDAYS_VERSION = version("holidays")
CONVENTION = (
    f"{CONVENTION_ID}: Working Day = not Saturday, Sunday or a bank holiday in England and Wales "
    f"(python-holidays {HOLIDAYS_VERSION}, {HOLIDAY_COUNTRY}/{HOLIDAY_SUBDIVISION}); "
    "'within N Working Days of D' ends at the end of the Nth Working Day after D "
    "(23:59:59.999999 Europe/London); D is day 0 and need not be a Working Day"
)
_SATURDAY = 5


class WorkingDayError(LedgerError, ValueError):
    """A working-day calculation was asked for with an invalid argument (named in the message)."""


@dataclass(frozen=True)
class Deadline:
    """The end of a window of ``working_days`` Working Days after ``trigger``.

    ``due`` is the last day of the window (the Nth Working Day after ``trigger``); ``ends_at`` is
    the last instant of ``due`` in Europe/London (aware); ``convention`` states how both were
    computed, so a stored deadline can be re-checked later.
    """

    trigger: date
    working_days: int
    due: date
    ends_at: datetime
    convention: str

    def as_json(self) -> dict[str, str | int]:
        """ISO-8601 strings for dates and instants; no floats (house style rule 3)."""
        return {
            "trigger": self.trigger.isoformat(),
            "working_days": self.working_days,
            "due": self.due.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "convention": self.convention,
        }


@functools.cache
def bank_holidays(first_year: int, last_year: int) -> frozenset[date]:
    """Bank holidays in England and Wales from 1 January ``first_year`` to 31 December ``last_year``.

    Cached per year range. Raises ``WorkingDayError`` if ``last_year < first_year``.
    """
    if last_year < first_year:
        raise WorkingDayError(f"bank_holidays: last_year {last_year} is before first_year {first_year}")
    # A substitute day may in principle fall in the next year: build one year either side.
    found = holidays.country_holidays(
        HOLIDAY_COUNTRY, subdiv=HOLIDAY_SUBDIVISION, years=range(first_year - 1, last_year + 2)
    )
    return frozenset(d for d in found if first_year <= d.year <= last_year)


def is_working_day(d: date) -> bool:
    """True if ``d`` is an SEC Working Day: not Saturday, Sunday or an E&W bank holiday."""
    return d.weekday() < _SATURDAY and d not in bank_holidays(d.year, d.year)


def next_working_day(d: date) -> date:
    """The first Working Day strictly after ``d``."""
    d += timedelta(days=1)
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def add_working_days(d: date, n: int) -> date:
    """The Nth Working Day after ``d`` (``d`` is day 0 and is never counted).

    Precondition: ``n >= 0``; ``n == 0`` returns ``d`` itself, working day or not.
    Raises ``WorkingDayError`` if ``n`` is negative.
    """
    if n < 0:
        raise WorkingDayError(f"add_working_days: n must be >= 0, got {n}")
    for _ in range(n):
        d = next_working_day(d)
    return d


def _weekdays_up_to(d: date) -> int:
    """Mondays to Fridays from 1 January 1 AD (a Monday, ordinal 1) up to and including ``d``."""
    weeks, rest = divmod(d.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def working_days_between(start: date, end: date) -> int:
    """Working Days after ``start`` up to and including ``end``.

    Zero when ``end == start``. When ``end`` is before ``start`` the result is negative:
    ``-working_days_between(end, start)``, so the function is a signed difference
    (``between(a, b) + between(b, c) == between(a, c)``). Cost: O(years spanned).
    """
    if end < start:
        return -working_days_between(end, start)
    holidays_on_weekdays = sum(
        1
        for year in range(start.year, end.year + 1)
        for h in bank_holidays(year, year)
        if start < h <= end and h.weekday() < _SATURDAY
    )
    return _weekdays_up_to(end) - _weekdays_up_to(start) - holidays_on_weekdays


def end_of_day(d: date) -> datetime:
    """The last instant of ``d`` in Europe/London, as an aware datetime."""
    return datetime.combine(d, time.max, tzinfo=LONDON)


def deadline(trigger: date, n: int) -> Deadline:
    """The deadline "within ``n`` Working Days of ``trigger``" under ``CONVENTION``.

    Precondition: ``n >= 0``. Raises ``WorkingDayError`` otherwise.
    """
    due = add_working_days(trigger, n)
    return Deadline(trigger=trigger, working_days=n, due=due, ends_at=end_of_day(due),
                    convention=CONVENTION)


def is_within(deadline: Deadline, at: datetime) -> bool:
    """True if the instant ``at`` is no later than ``deadline.ends_at`` (only the end is checked).

    Precondition: ``at`` is timezone-aware (an instant); raises ``WorkingDayError`` otherwise.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise WorkingDayError(f"is_within: 'at' must be timezone-aware, got naive {at.isoformat()}")
    return at <= deadline.ends_at


__all__ = [
    "CONVENTION",
    "CONVENTION_ID",
    "LONDON",
    "Deadline",
    "WorkingDayError",
    "add_working_days",
    "bank_holidays",
    "deadline",
    "end_of_day",
    "is_within",
    "is_working_day",
    "next_working_day",
    "working_days_between",
]
