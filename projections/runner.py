"""The projection runner: follows the notification log and applies each event once per projection.

A batch (up to ``batch_size`` notifications of the projection's topics) is one transaction:
claim the tracking row, read the events after it, apply them (``process_batch``), advance
the tracking; the rows and the tracking commit together or not at all, so a crash at any
point leaves the projection exactly where its last committed batch left it. On SQLite the
transaction begins IMMEDIATE (the write lock first, then the tracking read), on PostgreSQL
the tracking row is read FOR UPDATE; and one runner per projection holds its advisory lock
(``projections.runner_connection``). Notification ids may have gaps (PostgreSQL rollbacks):
the runner reads "after position", never "position + 1".

A failing projection stops loudly and never skips: when a batch raises, it is rolled back
and replayed one event at a time (each in a SAVEPOINT) to find the event that fails; the
events before it are committed with the tracking, the failure is recorded in
``projection_faults`` in the same transaction, and ``ProjectionFailedError`` is raised.
The next run retries that same event.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from eventsourcing.persistence import Notification
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.types import TypeEngine

from ledger.application import AKLedger
from projections import tracking
from projections.base import Positioned, Progress, Projection
from projections.errors import (
    ProjectionConflictError,
    ProjectionFailedError,
    ProjectionLockedError,
    describe_error,
)
from projections.facts_projection import FactsProjection
from projections.parallel_rebuild import can_rebuild_in_parts, rebuild_in_parts
from projections.runner_connection import RunnerConnection

BATCH_SIZE = 500
REBUILD_BATCH_SIZE = 2_000  # a rebuild has the whole log to replay: fewer, larger transactions
PARTS_FROM = 50_000  # events: below this, starting processes costs more than they save
MAX_PARTS = 4  # each part reads the whole log: more parts than cores only adds reading
POLL_INTERVAL = 0.25  # seconds between polls when nothing wakes the runner
_STOP_CHECK = 0.25  # seconds: how soon run_forever notices should_stop while it waits


@dataclass(frozen=True)
class _Batch:
    position: int  # the tracking before the batch
    end: int  # the tracking after it
    notifications: Sequence[Notification]


def run_once(app: AKLedger, projection: Projection, *, batch_size: int = BATCH_SIZE) -> int:
    """Apply every event not yet applied; returns how many were applied.

    Raises ProjectionLockedError (another runner holds the projection), ProjectionFailedError
    (an event could not be applied; recorded, tracking stays before it).
    """
    with RunnerConnection(app.engine) as runner:
        if not runner.try_lock(projection.name):
            raise ProjectionLockedError(projection.name)
        return _catch_up(app, projection, batch_size)


def run_forever(
    app: AKLedger,
    projections: Iterable[Projection],
    should_stop: Callable[[], bool],
    *,
    interval: float = POLL_INTERVAL,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Keep ``projections`` up to date until ``should_stop()``.

    Woken by NOTIFY on PostgreSQL, and polls every ``interval`` seconds everywhere (a
    notification can be missed; SQLite has none). A projection another runner holds is
    left to it, and taken over once its lock is free. Errors propagate (ProjectionFailedError
    after recording the fault), which stops every projection of this runner.
    """
    chosen = list(projections)
    known: dict[str, int] = {}  # position after our last batch; we hold the lock
    with RunnerConnection(app.engine) as runner:
        runner.listen()  # before the first read: nothing committed after it goes unnoticed
        while not should_stop():
            top = app.recorder.max_notification_id() or 0
            for projection in chosen:
                if should_stop():
                    return
                if known.get(projection.name) == top or not runner.try_lock(projection.name):
                    continue
                _catch_up(app, projection, batch_size)
                known[projection.name] = top  # at least: the catch-up read past ``top``
            _wait(runner, interval, should_stop)


def rebuild(
    app: AKLedger, projection: Projection, progress: Progress | None = None, *,
    batch_size: int = REBUILD_BATCH_SIZE, parts: int | None = None,
) -> int:
    """Empty the projection's tables, reset its tracking and replay the log up to its current
    head, calling ``progress(done, total)`` after each batch; returns the events applied.

    The ``facts`` projection of a long log (``PARTS_FROM`` events or more) is replayed in
    ``parts`` processes (default: one per CPU, at most ``MAX_PARTS``; 1: in this process) and
    swapped in at once (``projections.parallel_rebuild``; PostgreSQL, or SQLite in a file): readers
    see the read model as it was until then, and a rebuild that fails or is cut short leaves it so.
    Otherwise batch by batch in this process, each batch committed: a rebuild cut short is finished
    by any runner.

    Raises ProjectionLockedError when a runner holds the projection (stop it first), and
    ProjectionFailedError as ``run_once``.
    """
    with RunnerConnection(app.engine) as runner:
        if not runner.try_lock(projection.name):
            raise ProjectionLockedError(projection.name)
        if isinstance(projection, FactsProjection):
            with app.connect() as conn:
                stop = tracking.head(conn)
                total = _count(conn, app, projection, stop)
            chosen = default_parts() if parts is None else parts
            if chosen > 1 and (parts is not None or total >= PARTS_FROM) and can_rebuild_in_parts(app):
                rebuild_in_parts(app, projection, chosen, stop, total, progress, batch_size=batch_size)
                _analyse(app, projection)
                return total
        with app.connect() as conn, conn.begin():
            _serialise(conn)
            for table in reversed(projection.tables):
                conn.execute(table.delete())
            tracking.reset(conn, projection.name)
            stop = tracking.head(conn)
            total = _count(conn, app, projection, stop)
        done = 0
        if progress is not None:
            progress(done, total)
        while (applied := _apply_batch(app, projection, batch_size, stop)) is not None:
            done += applied
            if progress is not None:
                progress(done, total)
        _analyse(app, projection)
        return done


def default_parts() -> int:
    """Processes for a rebuild in parts: one per CPU this process may use, at most ``MAX_PARTS``."""
    return max(1, min(MAX_PARTS, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else os.cpu_count() or 1))


def _analyse(app: AKLedger, projection: Projection) -> None:
    """PostgreSQL: fresh planner statistics for the tables a rebuild has just filled (autovacuum
    gets there in its own time; until then a query of them may be planned for the empty tables)."""
    if app.engine.dialect.name != "postgresql":
        return
    with app.connect() as conn, conn.begin():
        for table in projection.tables:
            conn.exec_driver_sql(f'ANALYZE "{table.name}"')


def _catch_up(app: AKLedger, projection: Projection, batch_size: int) -> int:
    applied_total = 0
    while (applied := _apply_batch(app, projection, batch_size)) is not None:
        applied_total += applied
    return applied_total


def _wait(runner: RunnerConnection, interval: float, should_stop: Callable[[], bool]) -> None:
    deadline = time.monotonic() + interval
    while not should_stop() and (remaining := deadline - time.monotonic()) > 0:
        if runner.wait(min(remaining, _STOP_CHECK)):
            return


def _serialise(conn: Connection) -> None:
    """Precondition: nothing executed yet in ``conn``'s transaction."""
    if conn.dialect.name == "sqlite":
        # pysqlite would begin only at the first write, after the tracking read; take the
        # database's write lock first (waiting up to the busy timeout), as the integrator does.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _apply_batch(app: AKLedger, projection: Projection, limit: int, stop: int | None = None) -> int | None:
    """Apply the next batch; how many events it applied, or None when there was nothing new."""
    with app.connect() as conn:
        try:
            with conn.begin():
                _serialise(conn)
                batch = _next_batch(conn, app, projection, limit, stop)
                if batch is None:
                    return None
                events = [Positioned(n.id, app.mapper.to_domain_event(n)) for n in batch.notifications]
                projection.process_batch(events, conn)
                tracking.advance(conn, projection.name, batch.position, batch.end)
                return len(events)
        except ProjectionConflictError:
            raise
        except Exception:  # noqa: S110 - not swallowed: replayed below, recorded and raised
            pass  # rolled back whole; now find the event that fails
        return _apply_one_by_one(conn, app, projection, limit, stop)


def _next_batch(
    conn: Connection, app: AKLedger, projection: Projection, limit: int, stop: int | None
) -> _Batch | None:
    position = tracking.claim_position(conn, projection.name)
    top = tracking.head(conn)
    if stop is not None:
        top = min(top, stop)
    if top <= position:
        return None
    found = select_notifications(conn, app, position, limit, top, projection.topics)
    # Fewer than asked for: nothing else of ours up to ``top``, so the projection is there
    # (ids are assigned under the events table's lock, so no smaller id commits later).
    end = top if len(found) < limit else found[-1].id
    return _Batch(position, end, found)


def select_notifications(
    conn: Connection, app: AKLedger, after: int, limit: int, stop: int, topics: Sequence[str]
) -> list[Notification]:
    """``app.recorder.select_notifications(after, limit, stop, topics, inclusive_of_start=False)``,
    read on the batch's own connection (its transaction) with its DBAPI cursor: the recorder's ORM
    query, and even a Core select's row processing, cost more than the read itself."""
    return notifications_of(conn, app, select_rows(conn, app, after, limit, stop, topics))


StoredRow = tuple[int, Any, int, str, Any]
"""A stored event as the DBAPI reads it: id, originator id (as stored), version, topic, state."""


def notifications_of(conn: Connection, app: AKLedger, rows: Iterable[StoredRow]) -> list[Notification]:
    """``rows`` as the recorder gives them, the originator id as the column's type reads it (a UUID)."""
    uuid: Callable[[Any], Any] = _uuid_processor(conn.dialect, app.events_table.c.originator_id.type) or _same
    return [
        Notification(id=nid, originator_id=uuid(originator), originator_version=version, topic=topic,
                     state=bytes(state) if isinstance(state, memoryview) else state)
        for nid, originator, version, topic, state in rows
    ]


def select_rows(
    conn: Connection, app: AKLedger, after: int, limit: int, stop: int, topics: Sequence[str]
) -> list[StoredRow]:
    """The stored events after ``after`` up to ``stop`` (at most ``limit``, of ``topics`` if any),
    in order, as the DBAPI cursor reads them."""
    events = app.events_table
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    where = f"id > {mark} AND id <= {mark}"
    params: list[object] = [after, stop]
    if topics:
        where += f" AND topic IN ({', '.join(mark for _ in topics)})"
        params.extend(topics)
    table = conn.dialect.identifier_preparer.format_table(events)
    # identifiers from the table's metadata; every value is a parameter
    statement = (f"SELECT id, originator_id, originator_version, topic, state FROM {table} "  # noqa: S608
                 f"WHERE {where} ORDER BY id LIMIT {mark}")
    params.append(limit)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement, tuple(params))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return cast(list[StoredRow], rows)


def _uuid_processor(dialect: Dialect, column_type: TypeEngine[Any]) -> Callable[[Any], Any] | None:
    """How the dialect reads the id column (a UUID from SQLite's 16 bytes; psycopg2's is one)."""
    processor: Callable[[Any], Any] | None = column_type.dialect_impl(dialect).result_processor(dialect, None)
    return processor


def _same(value: Any) -> Any:
    return value


def _apply_one_by_one(
    conn: Connection, app: AKLedger, projection: Projection, limit: int, stop: int | None
) -> int | None:
    """Replay the batch event by event; commit the events before the first failure with the
    tracking and its fault, then raise ProjectionFailedError. If none fails this time, the
    batch is applied: how many events (None: nothing new)."""
    failure: tuple[int, Exception] | None = None
    with conn.begin():
        _serialise(conn)
        batch = _next_batch(conn, app, projection, limit, stop)
        if batch is None:
            return None
        done = batch.position
        for notification in batch.notifications:
            try:
                with conn.begin_nested():
                    event = app.mapper.to_domain_event(notification)
                    projection.process(event, notification.id, conn)
            except Exception as exc:
                failure = (notification.id, exc)
                break
            done = notification.id
        if failure is None:
            done = batch.end  # it did not fail this time: the whole batch is applied
        if done != batch.position:
            tracking.advance(conn, projection.name, batch.position, done)
        if failure is not None:
            tracking.record_fault(conn, projection.name, failure[0], describe_error(failure[1]))
    if failure is not None:
        nid, error = failure
        raise ProjectionFailedError(projection.name, nid, describe_error(error)) from error
    return len(batch.notifications)



def _count(conn: Connection, app: AKLedger, projection: Projection, stop: int) -> int:
    events = app.events_table
    query = select(func.count()).select_from(events).where(events.c.id <= stop)
    if projection.topics:
        query = query.where(events.c.topic.in_(projection.topics))
    return int(conn.execute(query).scalar_one())
