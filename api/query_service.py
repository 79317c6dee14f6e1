"""The read side's reports, asked for the same way by ``akledger query`` and by ``GET /queries/...``.

What both front ends share, so a report cannot answer differently over HTTP and on the command
line (issue 6 items 1 and 5):

- reading the as-of arguments (``read_as_of``): a position (0 or more) or a time (ISO 8601 with
  an offset), not both, and the day deadlines are judged on; a bad one raises
  ``QueryInputError`` naming the parameter(s) at fault;
- each report with its filters (``thresholds`` ... ``dmct_thresholds``): a filter naming
  nothing recorded as of the position raises a ``QueryError`` that ``parameter_of`` names;
- where the ``facts`` projection stands against the ledger's head (``read_model``), and
  catching it up (``catch_up``) when nothing else runs it;
- what an answer is a function of (``AnswerKey``): the ledger's history is immutable, so a
  report's answer as of a position never changes, and ``api.routes_queries`` keeps answers by
  their key (``answer_key`` from an answer, ``expected_key`` before asking).

Parameters are named in the HTTP query's spelling (``as_of_position``, ``phase``); the CLI
spells them as options (``option``: ``--as-of-position``, ``--phase``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import select

from api.deps import reader_engine
from ledger.application import AKLedger
from projections import dmct_queries, queries, tracking
from projections.as_of import (
    PROJECTED,
    AsOf,
    AsOfError,
    ProjectionBehindError,
    QueryError,
    resolve,
)
from projections.errors import ProjectionConflictError, ProjectionLockedError
from projections.fact_kinds import FactKind
from projections.queries import HeatmapAnswer, HeatmapRow, NotEvaluatedError, UnknownPhaseError
from projections.registry import projection_named
from projections.runner import run_once

#: Days outside these say nothing about a ledger kept from 2026 on; the bounds also keep every
#: date the rules compute from one (deadlines, clocks, time zones) inside ``datetime``'s range.
EARLIEST, LATEST = date(1900, 1, 1), date(9000, 12, 31)
MAX_POSITION = 2**62  # keeps a position inside the database's BIGINT
_catching_up = threading.Lock()  # one catch-up at a time per process; the others wait for it


class QueryInputError(QueryError, ValueError):
    """An as-of argument that cannot be read or contradicts another: ``parameters`` at fault and
    ``reason``."""

    def __init__(self, parameters: tuple[str, ...], reason: str) -> None:
        super().__init__(f"{', '.join(parameters)}: {reason}")
        self.parameters, self.reason = parameters, reason


class UnknownFilterError(QueryError, LookupError):
    """A filter (``parameter``) naming nothing the report covers as of the position."""

    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(reason)
        self.parameter = parameter


@dataclass(frozen=True)
class AsOfAsked:
    """The as-of arguments, read: a position or an aware time (neither: the latest), and the day
    deadlines are judged on (None: the day of the time, or of the position)."""

    position: int | None = None
    time: datetime | None = None
    day: date | None = None


@dataclass(frozen=True)
class ReadModel:
    """Where the ``facts`` projection stood when an answer was read: it had applied the ledger up
    to ``position`` of ``ledger_head``; ``lag`` events behind (0: caught up)."""

    position: int
    ledger_head: int
    lag: int
    caught_up: bool


Filter = str | int | bool | None


@dataclass(frozen=True)
class AnswerKey:
    """Everything a report's answer depends on: the report, its filters (each parameter that can
    change the answer, by name), the position it is as of, and the day date-dependent rules judge
    on: given (``on``, or the day of ``as_of``), or None for the day the ledger reached the
    position (``projections.as_of.resolve``), which the position fixes. Nothing else: the rules
    read only the ``facts`` valid at the position and the events up to it, none of which change."""

    report: str
    filters: tuple[tuple[str, Filter], ...]
    position: int
    judged_on: date | None


def answer_key(report: str, filters: Mapping[str, Filter], asked: AsOfAsked, answered: AsOf) -> AnswerKey:
    """The key of an answer as of ``answered`` (its ``as_of``) to what was ``asked``. An answer
    judged on the day of its position's ``reached_at`` is keyed None for the day; one judged on a
    given day, or on today's for want of any event up to the position, by that day."""
    by_position = asked.time is None and asked.day is None and answered.reached_at is not None
    return AnswerKey(report, tuple(sorted(filters.items())), answered.position,
                     None if by_position else answered.judged_on)


def expected_key(
    lg: AKLedger, report: str, filters: Mapping[str, Filter], asked: AsOfAsked, state: ReadModel
) -> AnswerKey | None:
    """The key the answer to ``asked`` would have, with the read model standing at ``state``, told
    before asking: from ``state`` alone for the latest or a position, with one small query for
    an as-of time. None for a position beyond the read model while the ledger is ahead of it (the
    report refuses it). Raises ``ProjectionBehindError`` (an as-of time the read model has not
    reached) as the report would."""
    sorted_filters = tuple(sorted(filters.items()))
    if asked.time is not None:
        at = resolve(lg.engine, None, asked.time, asked.day)
        return AnswerKey(report, sorted_filters, at.position, at.judged_on)
    if asked.position is None or asked.position <= state.position:
        position = state.position if asked.position is None else asked.position
    elif state.ledger_head > state.position:
        return None
    else:  # beyond the ledger's head: the head (projections.as_of.resolve)
        position = state.position
    return AnswerKey(report, sorted_filters, position, asked.day)


def option(parameter: str) -> str:
    """The CLI's spelling of a parameter: ``as_of_position`` -> ``--as-of-position``."""
    return "--" + parameter.replace("_", "-")


def read_as_of(position: int | None, when: str | None, on: str | None = None) -> AsOfAsked:
    """The as-of arguments as given (``when`` and ``on`` as text). Raises ``QueryInputError``."""
    if position is not None and when is not None:
        raise QueryInputError(("as_of_position", "as_of"), "give one or the other, not both")
    if position is not None and not 0 <= position <= MAX_POSITION:
        raise QueryInputError(("as_of_position",), f"{position} is not a ledger position (0 to 2**62)")
    return AsOfAsked(position, None if when is None else read_time(when),
                     None if on is None else read_day(on))


def read_time(text: str) -> datetime:
    """An ISO 8601 time with an offset. Raises ``QueryInputError`` naming ``as_of``."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise QueryInputError(("as_of",), f"{text!r} is not an ISO 8601 time "
                                          "(e.g. 2026-07-01T12:00:00+01:00)") from None
    if moment.tzinfo is None:
        raise QueryInputError(("as_of",), f"{text} has no time zone (give an offset, e.g. +00:00)")
    try:
        day = moment.astimezone(UTC).date()
    except OverflowError:  # an offset from the first or last day datetime can hold
        day = date.min
    if not EARLIEST <= day <= LATEST:
        raise QueryInputError(("as_of",), f"{text} is outside {EARLIEST} to {LATEST}")
    return moment


def read_day(text: str) -> date:
    """A date (YYYY-MM-DD). Raises ``QueryInputError`` naming ``on``."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise QueryInputError(("on",), f"{text!r} is not a date (YYYY-MM-DD)") from None
    if not EARLIEST <= day <= LATEST:
        raise QueryInputError(("on",), f"{text} is outside {EARLIEST} to {LATEST}")
    return day


def parameter_of(exc: QueryError, asked: AsOfAsked) -> tuple[str, ...]:
    """The parameters a query's error names: the filter that names nothing recorded, the phase
    whose kind has no criteria here, or the as-of the projection has not reached."""
    if isinstance(exc, QueryInputError):
        return exc.parameters
    if isinstance(exc, UnknownFilterError):
        return (exc.parameter,)
    named: tuple[tuple[type[QueryError], str], ...] = (
        (UnknownPhaseError, "phase"), (NotEvaluatedError, "phase"), (dmct_queries.UnknownDmcError, "dmc"),
        (dmct_queries.UnknownEntryError, "entry"), (dmct_queries.UnknownScheduleVersionError, "version"))
    for kind, parameter in named:
        if isinstance(exc, kind):
            return (parameter,)
    if isinstance(exc, ProjectionBehindError | AsOfError):
        return tuple(p for p, given in (("as_of_position", asked.position), ("as_of", asked.time))
                     if given is not None) or ("as_of_position", "as_of")
    return ()


# -- the facts projection ------------------------------------------------------------------------


#: ``read_model``'s one round trip: the projected position (None: never run) and the head.
_READ_MODEL = select(PROJECTED.scalar_subquery(), tracking.HEAD.scalar_subquery())


def read_model(lg: AKLedger) -> ReadModel:
    """Where the ``facts`` projection is against the ledger's head, now (asked on every query
    request: one statement, one round trip: ``api.deps.reader_engine``)."""
    with reader_engine(lg).connect() as conn:
        projected, latest = conn.execute(_READ_MODEL).one()
    at, head = int(projected or 0), int(latest)
    return ReadModel(at, head, max(head - at, 0), at >= head)


def catch_up(lg: AKLedger) -> ReadModel:
    """Apply what the ``facts`` projection has not yet applied, here and now, unless another
    runner holds it (then it is left to that runner). One catch-up at a time in this process.
    Raises ``ProjectionFailedError`` (an event the projection cannot apply)."""
    state = read_model(lg)
    if state.caught_up:
        return state
    # Another runner at it (its lock, or its batch first): answer as of where it gets to.
    with _catching_up, suppress(ProjectionLockedError, ProjectionConflictError):
        run_once(lg, projection_named("facts", lg))
    return read_model(lg)


# -- the reports ---------------------------------------------------------------------------------


def thresholds(lg: AKLedger, phase: str, at: AsOfAsked) -> queries.ThresholdsAnswer:
    return queries.thresholds(lg.engine, phase, as_of_position=at.position, as_of=at.time)


def exit_criteria(lg: AKLedger, phase: str, at: AsOfAsked, require_evidence: bool) -> queries.ExitAnswer:
    return queries.exit_criteria(lg.engine, phase, as_of_position=at.position, as_of=at.time,
                                 require_evidence=require_evidence)


def ttm(lg: AKLedger, phase: str, at: AsOfAsked) -> queries.TtmAnswer:
    return queries.ttm(lg.engine, phase, as_of_position=at.position, as_of=at.time)


def heatmap(lg: AKLedger, phase: str | None, dmc: str | None, at: AsOfAsked) -> HeatmapAnswer:
    answer = queries.heatmap(lg.engine, phase, as_of_position=at.position, as_of=at.time)
    check_phase(lg, phase, answer.as_of)
    return answer if dmc is None else _of_dmc(answer, dmc)


def _of_dmc(answer: HeatmapAnswer, dmc: str) -> HeatmapAnswer:
    rows = tuple(r for r in answer.rows if r.dmc == dmc)
    if not rows:
        raise UnknownFilterError("dmc", f"no planned test or DMC selection names {dmc!r} as of position "
                                        f"{answer.as_of.position}")
    counted = ("planned", "executed", "passed", "failed", "not_run", "witnessed", "descoped")
    sums = {f: sum(getattr(r, f) for r in rows) for f in counted}
    total = HeatmapRow(None, dmc, **sums, coverage_percent=sums["executed"] * 100 // sums["planned"]
                       if sums["planned"] else None)
    return replace(answer, rows=rows, total=total)


def work_off(lg: AKLedger, phase: str | None, at: AsOfAsked) -> queries.WorkOffAnswer:
    answer = queries.work_off(lg.engine, phase, as_of_position=at.position, as_of=at.time, judged_on=at.day)
    check_phase(lg, phase, answer.as_of)
    return answer


def matters(lg: AKLedger, at: AsOfAsked) -> queries.MattersAnswer:
    return queries.matters(lg.engine, as_of_position=at.position, as_of=at.time, judged_on=at.day)


def findings(lg: AKLedger, at: AsOfAsked) -> queries.FindingsAnswer:
    return queries.findings(lg.engine, as_of_position=at.position, as_of=at.time, judged_on=at.day, app=lg)


def dmct_status(lg: AKLedger, dmc: str | None, at: AsOfAsked) -> dmct_queries.DmctStatusAnswer:
    return dmct_queries.dmct_status(lg.engine, dmc, as_of_position=at.position, as_of=at.time,
                                    judged_on=at.day)


def dmct_schedule(
    lg: AKLedger, dmc: str | None, version: int | None, at: AsOfAsked
) -> dmct_queries.DmctScheduleAnswer:
    return dmct_queries.dmct_schedule(lg.engine, dmc=dmc, version=version, as_of_position=at.position,
                                      as_of=at.time)


def dmct_thresholds(lg: AKLedger, entry: str, at: AsOfAsked) -> dmct_queries.DmctThresholdsAnswer:
    return dmct_queries.dmct_thresholds(lg.engine, entry, as_of_position=at.position, as_of=at.time)


def check_phase(lg: AKLedger, phase: str | None, at: AsOf) -> None:
    """Raises ``UnknownPhaseError`` when ``phase`` names no phase planned as of ``at``."""
    if phase is None:
        return
    if phase not in {p.phase_id for p in queries.facts_at(lg.engine, FactKind.PHASE, at.position)}:
        raise UnknownPhaseError(phase, at.position)


__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_POSITION",
    "AnswerKey",
    "AsOfAsked",
    "Filter",
    "QueryInputError",
    "ReadModel",
    "UnknownFilterError",
    "answer_key",
    "catch_up",
    "check_phase",
    "dmct_schedule",
    "dmct_status",
    "dmct_thresholds",
    "exit_criteria",
    "expected_key",
    "findings",
    "heatmap",
    "matters",
    "option",
    "parameter_of",
    "read_as_of",
    "read_day",
    "read_model",
    "read_time",
    "thresholds",
    "ttm",
    "work_off",
]
