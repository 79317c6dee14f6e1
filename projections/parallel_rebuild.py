"""A rebuild of the ``facts`` projection in several processes, swapped in at once.

The facts of an aggregate come from its own events and, for a Testing Issue, from the Test Phases
planned before them (``projections.facts_projection``). So the log's aggregates are dealt out to
``parts`` processes by id, and every process also replays every Test Phase (there are tens). Each
process reads the whole log up to the head the rebuild started at, decodes only the events it
replays, and applies them in log order through ``FactsProjection``, unchanged, into tables of its
own: a SQLite file beside the ledger's (kept without a journal: it is thrown away if anything
fails), or on PostgreSQL a schema of its own (``UNLOGGED`` tables) put first on its search path.

Then the parent swaps them in, in one transaction: the projection's secondary indexes dropped,
its tables emptied, every part's ``facts`` rows copied (a Test Phase's rows from the first part
only: each part wrote the same), ``positions`` copied with each position's ``reached_at`` computed
over all of them (a window over the union; each part's own saw only its events), the indexes built
again, and the tracking put at the head the rebuild replayed to. Until that commit, readers see the
read model as it was; if anything fails, nothing of the rebuild is kept (the parts' tables are
dropped) and the read model stays as it was. A part that cannot apply an event stops there, and the
rebuild raises ``ProjectionFailedError`` naming that event (the sequential rebuild records the
fault and keeps the events before it; this one keeps nothing).

The same rows as the sequential rebuild (``projections.runner.rebuild``), row for row: tested on
generated ledgers on both databases.
"""

from __future__ import annotations

import multiprocessing
import queue
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.utils import resolve_topic
from sqlalchemy import MetaData, Table, create_engine, event, func, insert, select, union, union_all
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from ledger.application import AKLedger
from ledger.config import Settings
from ledger.phases import TestPhase
from projections import tracking
from projections.base import Positioned, Progress
from projections.errors import ProjectionFailedError, describe_error
from projections.fact_kinds import FactKind
from projections.facts_projection import FactsProjection
from projections.tables import facts, positions

if TYPE_CHECKING:
    from projections.runner import StoredRow

_WAIT = 0.5  # seconds between looks at the parts while none reports
SWAP_MEMORY = "128MB"  # PostgreSQL: work_mem and maintenance_work_mem while the parts are swapped in
_REPLAY_INDEXES = {"facts_by_phase"}


@dataclass(frozen=True)
class _Part:
    """What one process replays: the aggregates whose id is ``index`` modulo ``parts``, and every
    Test Phase, up to ``stop``, into ``target`` (a SQLite file, or a PostgreSQL schema)."""

    settings: Settings
    index: int
    parts: int
    stop: int
    target: str
    batch_size: int


@dataclass(frozen=True)
class _Report:
    index: int
    scanned: int = 0  # the position read up to
    done: bool = False
    failed_at: int | None = None
    error: str = ""


class PartFailedError(Exception):
    def __init__(self, position: int, error: str) -> None:
        super().__init__(error)
        self.position = position
        self.error = error


def rebuild_in_parts(
    app: AKLedger, projection: FactsProjection, parts: int, stop: int, total: int,
    progress: Progress | None = None, *, batch_size: int,
) -> None:
    """Replay the log up to ``stop`` (``total`` events) in ``parts`` processes and swap the result
    in for ``projection``'s tables. Precondition: the caller holds the projection (its runner lock).
    Raises ProjectionFailedError when an event cannot be applied (the read model is left as it was)."""
    with _staging(app, parts) as targets:
        jobs = [_Part(app.settings, k, parts, stop, target, batch_size) for k, target in enumerate(targets)]
        _run_parts(jobs, total, projection.name, progress)
        _swap_in(app, projection, targets, stop)
    if progress is not None:
        progress(total, total)


# -- the parts' tables ------------------------------------------------------------------------------
@contextmanager
def _staging(app: AKLedger, parts: int) -> Iterator[list[str]]:
    """Tables for each part, created empty; dropped on the way out, whatever happened."""
    token = secrets.token_hex(4)
    if app.engine.dialect.name == "postgresql":
        schemas = [f"akledger_rebuild_{token}_{k}" for k in range(parts)]
        try:
            with app.engine.begin() as conn:
                for schema in schemas:
                    conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
                    for table in _tables_in(schema):
                        _create_for_replay(conn, table)
                        conn.exec_driver_sql(f'ALTER TABLE "{schema}"."{table.name}" SET UNLOGGED')
            yield schemas
        finally:
            with app.engine.begin() as conn:
                for schema in schemas:
                    conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        return
    folder = Path(str(app.engine.url.database)).resolve().parent / f".rebuild-{token}"
    folder.mkdir()
    try:
        files = [str(folder / f"part-{k}.sqlite3") for k in range(parts)]
        for file in files:
            engine = _sqlite_part(file)
            with engine.begin() as conn:
                for table in (facts, positions):
                    _create_for_replay(conn, table)
            engine.dispose()
        yield files
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _create_for_replay(conn: Connection, table: Table) -> None:
    """``table`` with only the indexes the replay reads by (its primary key, and the one that finds a
    phase's row and the issues raised in a phase): a part's rows are copied, not queried."""
    table.create(conn)
    for index in table.indexes:
        if index.name not in _REPLAY_INDEXES:
            index.drop(conn)


def _tables_in(schema: str) -> tuple[Table, ...]:
    """``facts`` and ``positions`` in ``schema`` (a PostgreSQL schema, or an attached SQLite file)."""
    metadata = MetaData()
    return tuple(table.to_metadata(metadata, schema=schema) for table in (facts, positions))


def can_rebuild_in_parts(app: AKLedger) -> bool:
    """PostgreSQL, or SQLite in a file (the parts' files go beside it)."""
    url = app.engine.url
    return url.get_backend_name() == "postgresql" or (
        url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"))


def _sqlite_part(file: str) -> Engine:
    """A part's own SQLite file: no journal and no syncing (it is thrown away if anything fails)."""
    engine = create_engine(f"sqlite:///{file}", poolclass=NullPool)
    event.listen(engine, "connect", _unjournalled)
    return engine


def _unjournalled(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=OFF")
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


# -- the parts' processes -----------------------------------------------------------------------------
def _run_parts(jobs: list[_Part], total: int, name: str, progress: Progress | None) -> None:
    context = multiprocessing.get_context("spawn")  # the parent may run threads (a progress bar)
    reports: multiprocessing.Queue[_Report] = context.Queue()
    processes = [context.Process(target=replay_part, args=(job, reports), daemon=True) for job in jobs]
    for process in processes:
        process.start()
    scanned = [0] * len(jobs)
    finished: set[int] = set()
    try:
        while len(finished) < len(jobs):
            try:
                report = reports.get(timeout=_WAIT)
            except queue.Empty:
                lost = [k for k, p in enumerate(processes) if k not in finished and not p.is_alive()]
                if lost:
                    code = processes[lost[0]].exitcode
                    raise ProjectionFailedError(name, scanned[lost[0]] + 1,
                                                f"rebuild part {lost[0]} exited with code {code}") from None
                continue
            if report.failed_at is not None:
                raise ProjectionFailedError(name, report.failed_at, report.error)
            scanned[report.index] = report.scanned
            if report.done:
                finished.add(report.index)
            if progress is not None:
                progress(min(total, sum(scanned) * total // max(1, len(jobs) * jobs[0].stop)), total)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        reports.close()


def replay_part(job: _Part, reports: multiprocessing.Queue[_Report]) -> None:
    """In a process of its own: replay ``job``'s share of the log into its tables."""
    applied = [0]  # the position this part has applied up to
    try:
        _replay(job, reports, applied)
    except PartFailedError as failed:
        reports.put(_Report(job.index, failed_at=failed.position, error=failed.error))
    except BaseException as exc:  # not an event's: the part could not start, or read, or was stopped
        reports.put(_Report(job.index, failed_at=applied[0] + 1,
                            error=f"rebuild part {job.index}: {describe_error(exc)}"))


def _replay(job: _Part, reports: multiprocessing.Queue[_Report], applied: list[int]) -> None:
    from projections.runner import notifications_of, select_rows

    app = AKLedger(job.settings)
    projection = FactsProjection(app)
    postgres = app.engine.dialect.name == "postgresql"
    url = job.settings.database_url
    target = create_engine(url, poolclass=NullPool) if postgres else _sqlite_part(job.target)
    phase_topics: dict[str, bool] = {}

    def replays(row: StoredRow) -> bool:
        if _id_number(row[1]) % job.parts == job.index:
            return True
        topic = row[3]
        if topic not in phase_topics:
            phase_topics[topic] = issubclass(resolve_topic(topic), TestPhase.Event)
        return phase_topics[topic]

    try:
        with app.engine.connect() as source, target.connect() as conn:
            if postgres:
                path = conn.exec_driver_sql("SHOW search_path").scalar_one()
                conn.exec_driver_sql(f'SET search_path TO "{job.target}", {path}')
                conn.commit()
            after = 0
            while after < job.stop:
                page = select_rows(source, app, after, job.batch_size, job.stop, ())
                if not page:
                    break
                events = []
                for item in notifications_of(source, app, [row for row in page if replays(row)]):
                    try:
                        events.append(Positioned(item.id, app.mapper.to_domain_event(item)))
                    except Exception as exc:
                        raise PartFailedError(item.id, describe_error(exc)) from exc
                _apply(conn, projection, events)  # raises PartFailedError naming the event
                after = applied[0] = page[-1][0]
                reports.put(_Report(job.index, scanned=after))
        reports.put(_Report(job.index, scanned=job.stop, done=True))
    finally:
        app.close()
        app.engine.dispose()
        target.dispose()


def _id_number(stored: object) -> int:
    """An originator id as stored (SQLite: its 16 bytes; PostgreSQL: a UUID or its text) as a number."""
    if isinstance(stored, bytes | memoryview):
        return int.from_bytes(stored, "big")
    return (stored if isinstance(stored, UUID) else UUID(str(stored))).int


def _apply(conn: Connection, projection: FactsProjection, events: list[Positioned]) -> None:
    """Apply a batch in one transaction; if it fails, again one event at a time, to name the
    event that fails (as the runner does)."""
    if not events:
        return
    try:
        with conn.begin():
            projection.process_batch(events, conn)
        return
    except Exception:  # noqa: S110 - not swallowed: replayed below to find the event, then raised
        pass
    for item in events:
        try:
            with conn.begin():
                projection.process_batch([item], conn)
        except Exception as exc:
            raise PartFailedError(item.position, describe_error(exc)) from exc



# -- the swap -------------------------------------------------------------------------------------
def _swap_in(app: AKLedger, projection: FactsProjection, targets: list[str], stop: int) -> None:
    postgres = app.engine.dialect.name == "postgresql"
    schemas = targets if postgres else [f"rebuild_part_{k}" for k in range(len(targets))]
    with app.connect() as conn:
        if not postgres:
            for file, schema in zip(targets, schemas, strict=True):
                conn.exec_driver_sql(f"ATTACH DATABASE ? AS {schema}", (file,))
            conn.commit()
        try:
            with conn.begin():
                if postgres:  # memory for the copy's sort and the index builds, this transaction only
                    conn.exec_driver_sql(f"SET LOCAL work_mem = '{SWAP_MEMORY}'")
                    conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{SWAP_MEMORY}'")
                else:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                tracking.claim_position(conn, projection.name)
                indexes = [index for table in projection.tables for index in table.indexes]
                for index in indexes:
                    index.drop(conn)
                for table in reversed(projection.tables):
                    _empty(conn, table)
                _copy(conn, [_tables_in(schema) for schema in schemas])
                for index in indexes:
                    index.create(conn)
                tracking.reset(conn, projection.name)
                tracking.advance(conn, projection.name, 0, stop)
        finally:
            if not postgres:
                conn.rollback()
                for schema in schemas:
                    conn.exec_driver_sql(f"DETACH DATABASE {schema}")
                conn.commit()


def _empty(conn: Connection, table: Table) -> None:
    """PostgreSQL: ``TRUNCATE`` (a ``DELETE`` writes every old row's death to the WAL; readers wait
    for the swap's commit either way, behind its lock). SQLite: ``DELETE`` without a condition,
    which SQLite itself carries out as a truncation."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"TRUNCATE {conn.dialect.identifier_preparer.format_table(table)}")
    else:
        conn.execute(table.delete())


def _copy(conn: Connection, parts: list[tuple[Table, ...]]) -> None:
    """Every part's rows into the projection's tables (the caller's transaction)."""
    first = parts[0][0]
    phases = select(first.c.aggregate_id).where(first.c.kind == FactKind.PHASE.value)
    rows = union_all(*(
        select(*part.c) if k == 0 else select(*part.c).where(part.c.aggregate_id.not_in(phases))
        for k, (part, _) in enumerate(parts)
    )).subquery()
    key = [rows.c[c.name] for c in facts.primary_key.columns]
    conn.execute(insert(facts).from_select(
        [c.name for c in facts.columns], select(*rows.c).order_by(*key)))
    times = union(*(select(p.c.notification_id, p.c.recorded_at) for _, p in parts)).subquery()
    reached = func.max(times.c.recorded_at).over(order_by=times.c.notification_id)
    conn.execute(insert(positions).from_select(
        ["notification_id", "recorded_at", "reached_at"],
        select(times.c.notification_id, times.c.recorded_at, reached).order_by(times.c.notification_id)))


__all__ = ["can_rebuild_in_parts", "rebuild_in_parts", "replay_part"]
