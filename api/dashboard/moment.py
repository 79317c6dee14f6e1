"""The dashboard's as-of picker: which moment of the ledger a page shows, read from its query string.

``as_of_position`` (a ledger position, a notification id, 0 or more) or ``as_of`` (a date,
``YYYY-MM-DD``, meaning the end of that day in Europe/London, or an ISO 8601 time with an offset),
not both; neither: the latest position the ``facts`` projection has applied. Deadlines and
clocks are judged on the day asked for (``projections.as_of.AsOf.judged_on``). The parameters
are spelt as in the HTTP query routes, and every link of the dashboard carries them, so moving the
picker re-renders every view as of then.

A value that cannot be read raises ``DashboardInputError`` naming the parameter: the page shows it
with a 4xx status, never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from urllib.parse import urlencode

from ledger.calendar import LONDON

# Days outside these say nothing about a ledger kept from 2026 on, and keep every date the rules
# compute from one (deadlines, clocks, time zones) inside ``datetime``'s range.
EARLIEST, LATEST = date(1900, 1, 1), date(9000, 12, 31)
MAX_POSITION = 2**62  # inside the database's BIGINT
POSITION, TIME = "as_of_position", "as_of"


class DashboardInputError(ValueError):
    """A query parameter the dashboard cannot read: ``field`` and ``reason`` (HTTP ``status``)."""

    def __init__(self, field: str, reason: str, status: int = 422) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason, self.status = field, reason, status


@dataclass(frozen=True)
class Moment:
    """The moment asked for: a position, or an aware time (``day`` set when a date was given)."""

    position: int | None = None
    time: datetime | None = None
    day: date | None = None

    def query(self) -> dict[str, str]:
        """The parameters that ask for this moment again (empty: the latest)."""
        if self.position is not None:
            return {POSITION: str(self.position)}
        if self.day is not None:
            return {TIME: self.day.isoformat()}
        if self.time is not None:
            return {TIME: self.time.isoformat()}
        return {}


def read_moment(params: Mapping[str, str]) -> Moment:
    """The moment the query string asks for. Raises ``DashboardInputError``."""
    position_text = (params.get(POSITION) or "").strip()
    time_text = (params.get(TIME) or "").strip()
    if position_text and time_text:
        raise DashboardInputError(f"{POSITION}, {TIME}", "give a ledger position or a date, not both")
    if position_text:
        return Moment(position=_position(position_text))
    if time_text:
        return _time(time_text)
    return Moment()


def _position(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise DashboardInputError(POSITION, f"{text[:40]!r} is not a ledger position (a whole number, 0 or "
                                            "more)")
    value = int(text)
    if value > MAX_POSITION:
        raise DashboardInputError(POSITION, f"{text[:40]} is beyond any ledger position")
    return value


def _time(text: str) -> Moment:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            _in_range(day, text)
            return Moment(time=datetime.combine(day, time.max, LONDON), day=day)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DashboardInputError(
            TIME, f"{text[:40]!r} is not a date (YYYY-MM-DD) or an ISO 8601 time with an offset") from None
    if moment.tzinfo is None:
        raise DashboardInputError(TIME, f"{text[:40]} has no time zone (give an offset, e.g. +00:00)")
    _in_range(moment.date(), text)
    return Moment(time=moment)


def _in_range(day: date, text: str) -> None:
    if not EARLIEST <= day <= LATEST:
        raise DashboardInputError(TIME, f"{text[:40]} is outside {EARLIEST} … {LATEST}")


def link(path: str, moment: Moment, **filters: str | None) -> str:
    """``path`` with the moment's parameters and the ``filters`` given (those not None or empty)."""
    params = {**moment.query(), **{k: v for k, v in filters.items() if v}}
    return f"{path}?{urlencode(params)}" if params else path


__all__ = ["POSITION", "TIME", "DashboardInputError", "Moment", "link", "read_moment"]
