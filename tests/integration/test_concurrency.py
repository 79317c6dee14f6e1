"""Concurrent writers and integrators: every acknowledged event lands in the tree exactly once.

The log's promise under load: leaf indices stay dense (notification ids may have gaps on
PostgreSQL, the tree may not), each event a writer was told about is a leaf, nothing is a
leaf twice, and the whole ledger verifies afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing

import pytest
from eventsourcing.persistence import IntegrityError
from sqlalchemy import func, select

from api import log_service
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.config import Settings
from ledger.log.tables import log_checkpoints, log_leaves
from ledger.notes import Note

JOIN_TIMEOUT = 120.0  # seconds; a hung writer or integrator fails the test instead of CI


def record_notes(settings: Settings, actor: Actor, writer: int, count: int) -> list[int]:
    """One writer with its own application (its own engine): ``count`` notes, one per save."""
    app = AKLedger(settings)
    try:
        app.load_signer()
        return [app.record_note(f"writer {writer} note {i}", actor).position for i in range(count)]
    finally:
        app.close()
        app.engine.dispose()


def leaves(lg: AKLedger) -> list[tuple[int, int]]:
    """(leaf index, notification id) of every leaf, in leaf order."""
    with lg.connect() as conn:
        rows = conn.execute(
            select(log_leaves.c.idx, log_leaves.c.notification_id).order_by(log_leaves.c.idx)
        ).all()
    return [(int(r.idx), int(r.notification_id)) for r in rows]


def event_count(lg: AKLedger) -> int:
    with lg.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(lg.events_table)).scalar_one())


def assert_integrated_exactly_once(lg: AKLedger, acknowledged: list[int], expected: int) -> None:
    found = leaves(lg)
    assert [idx for idx, _ in found] == list(range(expected)), "leaf indices are not dense"
    nids = [nid for _, nid in found]
    assert nids == sorted(set(nids)), "leaves are not in notification order, or repeat one"
    assert set(acknowledged) <= set(nids), "an acknowledged event is not in the tree"
    assert event_count(lg) == expected
    report = log_service.verify(lg, full=True)
    assert report.ok, report.fault
    assert report.tree_size == expected
    assert report.signatures == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    ("database_url", "writers", "per_writer"),
    [("postgresql", 4, 500), ("sqlite", 2, 100)],  # SQLite serialises writers: keep it small
    indirect=["database_url"],
)
def test_concurrent_writers_with_a_live_integrator_give_a_dense_tree_of_every_event(
    ledger: AKLedger, settings: Settings, actor: Actor, writers: int, per_writer: int
) -> None:
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=writers + 1) as pool:
        integrating = pool.submit(log_service.run_integrator_forever, ledger, stop.is_set)
        writing = [
            pool.submit(record_notes, settings, actor, w, per_writer) for w in range(writers)
        ]
        try:
            acknowledged = [pos for f in writing for pos in f.result(timeout=JOIN_TIMEOUT)]
        finally:
            stop.set()
        integrating.result(timeout=JOIN_TIMEOUT)  # re-raises whatever stopped it early

    log_service.integrate(ledger)

    total = writers * per_writer + 1  # + LedgerInitialised
    assert len(set(acknowledged)) == writers * per_writer
    assert_integrated_exactly_once(ledger, acknowledged, total)


def save_notes(lg: AKLedger, actor: Actor, count: int, chunk: int = 500) -> list[int]:
    """Append ``count`` notes quickly, ``chunk`` aggregates per transaction."""
    lg.load_signer()
    positions: list[int] = []
    for start in range(0, count, chunk):
        notes = [
            Note(text=f"note {i}", occurred_at="2026-01-05T09:00:00+00:00", actor=actor.as_json())
            for i in range(start, min(start + chunk, count))
        ]
        positions.extend(a.position for a in lg.append(*notes))
    return positions


def run_in_parallel(*jobs: Callable[[], object]) -> list[object]:
    """Start the jobs together (a barrier) and return their results; re-raises a failure."""
    barrier = threading.Barrier(len(jobs))

    def after_barrier(job: Callable[[], object]) -> object:
        barrier.wait(timeout=JOIN_TIMEOUT)
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures: list[Future[object]] = [pool.submit(after_barrier, job) for job in jobs]
        return [f.result(timeout=JOIN_TIMEOUT) for f in futures]


@pytest.mark.slow
def test_two_racing_integrators_never_integrate_an_event_twice(
    ledger: AKLedger, settings: Settings, actor: Actor
) -> None:
    acknowledged = save_notes(ledger, actor, 3_000)
    racers = [AKLedger(settings) for _ in range(2)]
    try:
        integrated = run_in_parallel(
            *(lambda r=r: log_service.integrator(r).run_until_caught_up(limit=50) for r in racers)
        )
    finally:
        for racer in racers:
            racer.close()
            racer.engine.dispose()

    assert sum(n for n in integrated if isinstance(n, int)) == 3_001
    assert_integrated_exactly_once(ledger, acknowledged, 3_001)
    with ledger.connect() as conn:
        sizes = conn.execute(select(log_checkpoints.c.size).order_by(log_checkpoints.c.size))
        assert [int(s) for s, in sizes][-1] == 3_001


@pytest.mark.slow
def test_an_integrator_racing_live_writers_misses_no_event(
    ledger: AKLedger, settings: Settings, actor: Actor
) -> None:
    """Two integrators polling while two writers append: each event once, none skipped."""
    stop = threading.Event()
    racers = [AKLedger(settings) for _ in range(2)]
    with closing(racers[0]), closing(racers[1]), ThreadPoolExecutor(max_workers=4) as pool:
        integrating = [
            pool.submit(log_service.run_integrator_forever, r, stop.is_set, 0.01) for r in racers
        ]
        writing = [pool.submit(record_notes, settings, actor, w, 100) for w in range(2)]
        try:
            acknowledged = [pos for f in writing for pos in f.result(timeout=JOIN_TIMEOUT)]
        finally:
            stop.set()
        for f in integrating:
            f.result(timeout=JOIN_TIMEOUT)
    for racer in racers:
        racer.engine.dispose()

    log_service.integrate(ledger)
    assert_integrated_exactly_once(ledger, acknowledged, 201)


def test_rolled_back_appends_leave_gaps_in_positions_but_none_in_the_tree(
    ledger: AKLedger, settings: Settings, actor: Actor
) -> None:
    """An append that loses an optimistic-concurrency race is rolled back after taking a
    notification id (PostgreSQL sequences are not transactional): the tree skips the gap."""
    ledger.load_signer()
    acknowledged = []
    for i in range(5):
        note = Note(text=f"note {i}", occurred_at="2026-01-05T09:00:00+00:00",
                    actor=actor.as_json())
        events = note.collect_events()
        acknowledged += [a.position for a in ledger.append(*events)]
        with pytest.raises(IntegrityError):
            ledger.append(*events)  # the same originator version again: a conflict
        log_service.integrate(ledger)

    if not settings.is_sqlite:
        assert acknowledged == [2, 4, 6, 8, 10]  # each conflict used up one id
    assert_integrated_exactly_once(ledger, acknowledged, 6)
