"""The ``facts`` projection: every fact of the rules engine and the reports, over time.

For each event of a followed aggregate (``fact_builders.AGGREGATES``; their events are
``fact_builders.FOLLOWED_EVENTS``) it takes the aggregate as it stood right after that event,
builds its facts (``fact_builders.facts_of``) and keeps one temporal row per fact in ``facts``
(``projections.tables``): a fact that changed, or is gone, has its row closed (``valid_to`` = the
event's position) and the new one inserted (``valid_from`` = it, open).
An unchanged fact keeps its row. So the facts valid at any position P are found by index, never
by replaying the ledger at query time (``projections.queries``).

A planned test's runs are rows of their own (kind ``execution``), written as the events that
record or witness them come (``fact_builders.execution_changes``), not with the test's other facts:
a run is written once (and once more when first witnessed), whatever the test's history; the
test's own fact (which keeps its last run and latest result) is written again, and a run recorded
builds no other fact (``fact_builders.facts_after``).

The aggregate after the event: kept in memory (an LRU of ``cache_size`` aggregates) and evolved by
the event itself (``event.mutate``) when the one in memory is at the version before it; otherwise
(after a restart, an eviction or a failed batch) read from the event store at the event's version
(``repository.get(id, version=...)``), and its open rows from ``facts``.

Every event, followed or not, also gets a row in ``positions``: its recorded time (the signed
entry's ``recorded_at``, which the signing mapper restores as the event's ``timestamp``) and the
latest recorded time up to it, ``reached_at``, which never decreases along the log; so "as of time
T" is the last position whose ``reached_at`` is at or before T (``queries.position_as_of``).

A Testing Issue's fact reads the kind and capability of the phase it was raised in. A phase
planned after an issue naming it refreshes that issue's fact when it is planned.

Writes of a batch go as a few statements: the closes (by primary key, and a witnessed run's by
key; executemany, and on PostgreSQL ``UPDATE ... FROM (VALUES ...)``, since psycopg2 sends an
executemany UPDATE one row a round trip), then the inserts of facts and of positions through the
DBAPI cursor (``projections.bulk``); a row both inserted and closed within a batch is inserted
closed. A fact's payload is
its canonical text (``fact_codec.dumps``), made once: compared with the open row's to tell whether
the fact changed, and inserted as it is. If anything fails, the memory is dropped
(the runner rolls back, and replays one event at a time); so it is when a batch starts at or before
the last position applied (a rebuild).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, DomainEventProtocol
from sqlalchemy import BigInteger, Text, bindparam, column, func, select, update, values
from sqlalchemy.engine import Connection

from ledger.application import AKLedger
from ledger.phases import TestPhase
from ledger.planned_tests import PlannedTest
from projections.base import Positioned, Projection
from projections.bulk import insert_rows
from projections.fact_builders import FOLLOWED_EVENTS, execution_changes, facts_after, facts_of
from projections.fact_codec import decode, dumps
from projections.fact_kinds import BuiltFact, FactKind
from projections.rules.facts import PhaseFact
from projections.tables import facts, positions

CACHE_SIZE = 10_000  # aggregates kept in memory between events
_FOLLOWED = FOLLOWED_EVENTS
_c = facts.c
_CLOSE = (
    update(facts)
    .where(_c.aggregate_id == bindparam("b_aggregate"), _c.kind == bindparam("b_kind"),
           _c.key == bindparam("b_key"), _c.valid_from == bindparam("b_from"))
    .values(valid_to=bindparam("b_to"))
)

# A row to insert is held as a list in the table's column order (a close in the same batch sets its
# ``valid_to``) and goes in as it is (``bulk.insert_rows``); the payload as the canonical text
# ``fact_codec.dumps`` made (compared with the text of the fact before it), not serialised again.
_COLUMNS = tuple(c.name for c in facts.columns)
assert _COLUMNS == ("aggregate_id", "kind", "key", "valid_from", "valid_to", "phase_id", "version", "payload")
_FROM, _TO = _COLUMNS.index("valid_from"), _COLUMNS.index("valid_to")
_CLOSE_CHUNK = 1_000  # rows of one PostgreSQL UPDATE ... FROM (VALUES ...)

_PHASE_ROW = select(_c.valid_from, _c.payload).where(
    _c.kind == FactKind.PHASE.value, _c.key == bindparam("b_key"), _c.valid_to.is_(None))
_OPEN_ROWS = select(_c.kind, _c.key, _c.valid_from, _c.payload).where(
    _c.aggregate_id == bindparam("b_aggregate"), _c.valid_to.is_(None), _c.kind != FactKind.EXECUTION.value)
# A run's open row, closed by key (the projection does not keep runs' rows in memory).
_CLOSE_OPEN = (
    update(facts)
    .where(_c.aggregate_id == bindparam("b_aggregate"), _c.kind == bindparam("b_kind"),
           _c.key == bindparam("b_key"), _c.valid_to.is_(None))
    .values(valid_to=bindparam("b_to"))
)

RowKey = tuple[str, str]  # (kind, key)


@dataclass(frozen=True)
class _Row:
    valid_from: int
    payload: str  # canonical JSON, to tell whether a fact changed


@dataclass
class _Known:
    """An aggregate in memory and its open rows."""

    aggregate: Aggregate
    rows: dict[RowKey, _Row]


def canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def utc(instant: datetime) -> datetime:
    """``instant`` in UTC; a naive one (SQLite gives back what it stored) is taken as UTC."""
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


class _Writes:
    """The writes of one batch, held back and sent as executemany statements (``flush``)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.closes: list[dict[str, Any]] = []
        self.closes_open: list[dict[str, Any]] = []  # by key: whichever row of it is open
        self.inserts: list[list[Any]] = []  # rows in the table's column order
        self.open: dict[tuple[str, str, str], list[Any]] = {}  # inserted, not yet closed
        self.positions: list[tuple[int, datetime, datetime]] = []

    def close(self, aggregate_id: str, key: RowKey, valid_from: int, position: int) -> None:
        pending = self.open.pop((aggregate_id, *key), None)
        if pending is not None and pending[_FROM] == valid_from:
            pending[_TO] = position
            return
        self.closes.append({"b_aggregate": aggregate_id, "b_kind": key[0], "b_key": key[1],
                            "b_from": valid_from, "b_to": position})

    def close_open(self, aggregate_id: str, key: RowKey, position: int) -> None:
        pending = self.open.pop((aggregate_id, *key), None)
        if pending is not None:
            pending[_TO] = position
            return
        self.closes_open.append({"b_aggregate": aggregate_id, "b_kind": key[0], "b_key": key[1],
                                 "b_to": position})

    def insert(self, aggregate_id: str, fact: BuiltFact, position: int, version: int, payload: str) -> None:
        row = [aggregate_id, fact.kind.value, fact.key, position, None, fact.phase_id, version, payload]
        self.inserts.append(row)
        self.open[(aggregate_id, fact.kind.value, fact.key)] = row

    def flush(self) -> None:
        if self.closes:
            self._close_rows(self.closes, by_key=False)
        if self.closes_open:
            self._close_rows(self.closes_open, by_key=True)
        if self.inserts:
            insert_rows(self.connection, facts, self.inserts, stored=("payload",))
        if self.positions:
            insert_rows(self.connection, positions, self.positions)
        self.closes, self.closes_open, self.inserts, self.open, self.positions = [], [], [], {}, []

    def _close_rows(self, closes: list[dict[str, Any]], *, by_key: bool) -> None:
        """Close rows by their primary key, or (``by_key``) whichever row of the fact is open. On
        PostgreSQL one ``UPDATE ... FROM (VALUES ...)`` per thousand rows: psycopg2 runs an
        executemany UPDATE as one round trip per row. SQLite is in-process: executemany."""
        if self.connection.dialect.name != "postgresql":
            self.connection.execute(_CLOSE_OPEN if by_key else _CLOSE, closes)
            return
        for start in range(0, len(closes), _CLOSE_CHUNK):
            chunk = closes[start:start + _CLOSE_CHUNK]
            rows = values(column("a", Text), column("k", Text), column("y", Text), column("f", BigInteger),
                          column("t", BigInteger), name="closing").data(
                [(c["b_aggregate"], c["b_kind"], c["b_key"], c.get("b_from", 0), c["b_to"]) for c in chunk])
            which = _c.valid_to.is_(None) if by_key else _c.valid_from == rows.c.f
            self.connection.execute(
                update(facts)
                .where(_c.aggregate_id == rows.c.a, _c.kind == rows.c.k, _c.key == rows.c.y, which)
                .values(valid_to=rows.c.t))


class FactsProjection(Projection):
    """Keeps ``facts`` and ``positions`` (``projections.tables``) up to date. Construct it with
    the application whose event store it reads aggregates from when they are not in memory."""

    name = "facts"
    tables = (facts, positions)
    topics = ()  # every event: each gets a ``positions`` row; facts only for AGGREGATES

    def __init__(self, app: AKLedger, *, cache_size: int = CACHE_SIZE) -> None:
        self._app = app
        self._cache_size = cache_size
        self._known: OrderedDict[UUID, _Known] = OrderedDict()
        self._phases: dict[str, tuple[int, PhaseFact]] = {}  # phase id -> (planned at, fact)
        self._position = 0
        self._connection: Connection | None = None  # the batch's, while one is applied
        self._absent: set[str] = set()  # phase ids looked up and not planned, in this batch

    def process(self, event: DomainEventProtocol[UUID], position: int, connection: Connection) -> None:
        self.process_batch([Positioned(position, event)], connection)

    def process_batch(self, events: Sequence[Positioned], connection: Connection) -> None:
        if not events:
            return
        if events[0].position <= self._position:
            self._forget()  # a rebuild, or a batch applied again: what it remembers is from later
        writes = _Writes(connection)
        self._connection = connection
        try:
            reached = _reached_before(connection, events[0].position)
            for item in events:
                self._position = item.position
                recorded = _recorded_at(item.event)
                reached = recorded if reached is None else max(reached, recorded)
                writes.positions.append((item.position, recorded, reached))
                if isinstance(item.event, Aggregate.Event) and isinstance(item.event, _FOLLOWED):
                    self._apply(item.event, item.position, writes)
            writes.flush()
        except BaseException:
            self._forget()  # it may be ahead of what the rollback leaves in the tables
            raise
        finally:
            self._connection = None
            self._absent.clear()  # another runner may plan them before this one's next batch
        while len(self._known) > self._cache_size:
            self._known.popitem(last=False)

    def _forget(self) -> None:
        self._known.clear()
        self._phases.clear()
        self._position = 0

    # -- one event ------------------------------------------------------------------------------
    def _apply(self, event: Aggregate.Event, position: int, writes: _Writes) -> None:
        known = self._after(event, writes)
        version, aggregate_id = event.originator_version, str(event.originator_id)
        built, kinds = facts_after(known.aggregate, event, self._phase_of)
        self._write(aggregate_id, known, built, position, version, writes, kinds)
        if isinstance(known.aggregate, PlannedTest):
            for run, replaces in execution_changes(known.aggregate, event):
                if replaces:
                    writes.close_open(aggregate_id, (run.kind.value, run.key), position)
                writes.insert(aggregate_id, run, position, version, dumps(run.fact))
        if isinstance(known.aggregate, TestPhase) and version == 1:
            self._refresh_issues_of(str(event.originator_id), position, writes)

    def _after(self, event: Aggregate.Event, writes: _Writes) -> _Known:
        """The aggregate right after ``event``, and its open rows (before the event's writes)."""
        aggregate_id, version = event.originator_id, event.originator_version
        known = self._known.get(aggregate_id)
        if known is not None and known.aggregate.version == version - 1:
            event.mutate(known.aggregate)
        elif version == 1:
            created = event.mutate(None)
            if not isinstance(created, Aggregate):
                raise TypeError(f"event {aggregate_id}:1 ({type(event).__name__}) created no aggregate")
            known = _Known(created, {})
        else:
            loaded: Aggregate = self._app.repository.get(aggregate_id, version=version)
            known = _Known(loaded, self._open_rows(str(aggregate_id), writes))
        self._known[aggregate_id] = known
        self._known.move_to_end(aggregate_id)
        return known

    def _write(
        self, aggregate_id: str, known: _Known, built: list[BuiltFact], position: int, version: int,
        writes: _Writes, kinds: frozenset[FactKind] | None = None,
    ) -> None:
        """Write ``built``, the aggregate's facts of ``kinds`` (None: all of them; a fact not among
        them is gone and its row closed)."""
        new = {(b.kind.value, b.key): b for b in built}
        covered = None if kinds is None else {k.value for k in kinds}
        for key in [k for k in known.rows if k not in new and (covered is None or k[0] in covered)]:
            writes.close(aggregate_id, key, known.rows.pop(key).valid_from, position)
        for key, fact in new.items():
            text = dumps(fact.fact)
            old = known.rows.get(key)
            if old is not None and old.payload == text:
                continue
            if old is not None:
                writes.close(aggregate_id, key, old.valid_from, position)
            writes.insert(aggregate_id, fact, position, version, text)
            known.rows[key] = _Row(position, text)
            if fact.kind is FactKind.PHASE and isinstance(fact.fact, PhaseFact):
                self._phases.setdefault(fact.key, (position, fact.fact))
                self._absent.discard(fact.key)

    # -- the phase a Testing Issue was raised in --------------------------------------------------
    def _phase_of(self, phase_id: str) -> PhaseFact | None:
        """The phase's fact if it was planned at or before the event being applied (its kind and
        capability never change once planned). Not in memory: read from ``facts``, where every
        phase planned before this batch is (one planned in it is in memory)."""
        found = self._phases.get(phase_id)
        if found is None and self._connection is not None and phase_id not in self._absent:
            row = self._connection.execute(_PHASE_ROW, {"b_key": phase_id}).first()
            if row is not None:
                found = (int(row.valid_from), decode(PhaseFact, row.payload))
                self._phases[phase_id] = found
            else:
                self._absent.add(phase_id)  # until it is planned (``_write``) or the batch ends
        if found is None:
            return None
        planned_at, fact = found
        return fact if planned_at <= self._position else None

    def _refresh_issues_of(self, phase_id: str, position: int, writes: _Writes) -> None:
        """Issues raised naming ``phase_id`` before it was planned: their facts now read its kind."""
        writes.flush()
        query = select(_c.aggregate_id).where(
            _c.kind == FactKind.ISSUE.value, _c.phase_id == phase_id, _c.valid_to.is_(None))
        for aggregate_id in writes.connection.execute(query).scalars().all():
            known = self._known.get(UUID(aggregate_id))
            if known is None:  # not in memory: as it stood at this position
                version = self._version_at(UUID(aggregate_id), position)
                aggregate: Aggregate = self._app.repository.get(UUID(aggregate_id), version=version)
                known = _Known(aggregate, self._open_rows(aggregate_id, writes))
                self._known[UUID(aggregate_id)] = known
            self._write(aggregate_id, known, facts_of(known.aggregate, self._phase_of, runs=False),
                        position, known.aggregate.version, writes)

    def _version_at(self, aggregate_id: UUID, position: int) -> int:
        """The aggregate's version at ``position``, read through the ledger's engine (as the
        repository reads it): the batch's connection may write elsewhere (a rebuild in parts)."""
        events = self._app.events_table.c
        query = select(func.max(events.originator_version)).where(
            events.originator_id == aggregate_id, events.id <= position)
        with self._app.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def _open_rows(self, aggregate_id: str, writes: _Writes) -> dict[RowKey, _Row]:
        writes.flush()  # what this batch wrote so far, so that the read below sees it
        rows = {}
        found = writes.connection.execute(_OPEN_ROWS, {"b_aggregate": aggregate_id})
        for kind, key, valid_from, payload in found:
            rows[(kind, key)] = _Row(int(valid_from), canonical(payload))
            if kind == FactKind.PHASE.value:
                self._phases.setdefault(key, (int(valid_from), decode(PhaseFact, payload)))
        return rows


def _recorded_at(event: DomainEventProtocol[UUID]) -> datetime:
    """The recorded time the signing mapper restored from the event's signed entry."""
    value = getattr(event, "timestamp", None)
    if not isinstance(value, datetime):
        raise TypeError(f"event {event.originator_id}:{event.originator_version} has no recorded time")
    return utc(value)


def _reached_before(connection: Connection, position: int) -> datetime | None:
    query = (select(positions.c.reached_at).where(positions.c.notification_id < position)
             .order_by(positions.c.notification_id.desc()).limit(1))
    found = connection.execute(query).scalar()
    return None if found is None else utc(found)


__all__ = ["CACHE_SIZE", "FactsProjection"]
