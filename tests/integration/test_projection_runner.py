"""The projection runner: each event applied exactly once, failures stop it in place, lag shows.

Run on SQLite and PostgreSQL alike (the ``ledger`` fixture), except the advisory lock and
LISTEN/NOTIFY, which only PostgreSQL has.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.engine import Connection

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import bootstrap_admin, execute
from ledger.config import Settings
from ledger.context import RecordingContext
from ledger.notes import Note
from projections.base import Projection
from projections.errors import ProjectionFailedError, ProjectionLockedError
from projections.principals import ADDED, PrincipalsProjection
from projections.runner import rebuild, run_forever, run_once
from projections.runner_connection import RunnerConnection
from projections.tables import principals
from projections.tracking import ProjectionStatus, status

TIMEOUT = 15.0  # seconds; a runner that never gets there fails the test instead of hanging


class Killed(BaseException):
    """The process dying mid-batch (not an error the projection could record)."""


_test_metadata = MetaData()
projected_events = Table(
    "test_projected_events",
    _test_metadata,
    Column("row", Integer, primary_key=True, autoincrement=True),
    Column("position", Integer, nullable=False),  # deliberately not unique: duplicates must show
    Column("topic", String(200), nullable=False),
)


class EventLog(Projection):
    """Records every event it is given; dies (``Killed``) at its ``die_at``-th event."""

    name = "test-event-log"
    tables = (projected_events,)
    topics = ()

    def __init__(self, die_at: int | None = None) -> None:
        self.calls = 0
        self.die_at = die_at

    def process(self, event: DomainEventProtocol[UUID], position: int, connection: Connection) -> None:
        self.calls += 1
        if self.calls == self.die_at:
            raise Killed
        connection.execute(projected_events.insert().values(position=position, topic=type(event).__name__))


class BrokenOnBob(PrincipalsProjection):
    """The principals projection with a bug: it cannot apply bob's ``PrincipalAdded``."""

    process_batch = Projection.process_batch  # one event at a time, through ``process``

    def process(self, event: DomainEventProtocol[UUID], position: int, connection: Connection) -> None:
        if vars(event).get("name") == "bob":
            raise ValueError("cannot project bob")
        super().process(event, position, connection)


# -- helpers ------------------------------------------------------------------------------
def now() -> str:
    return datetime.now(UTC).isoformat()


def add_principals(lg: AKLedger, actor: Actor, *names: str) -> dict[str, int]:
    """Add ``names`` as suppliers (the admin first, if needed); each one's PrincipalAdded position."""
    bootstrap_admin(lg, "admin", "org", RecordingContext(actor, datetime.now(UTC)))
    added = {}
    for name in names:
        done = execute(lg, {"command": "Principal.add", "principal": "admin", "occurred_at": now(),
                            "data": {"name": name, "role": "supplier", "organisation": f"{name} ltd"}})
        added[name] = next(a.position for a in done.appended if a.topic == ADDED)
    return added


def admin_does(lg: AKLedger, command: str, data: dict[str, Any]) -> None:
    execute(lg, {"command": command, "principal": "admin", "occurred_at": now(), "data": data})


def principal_rows(lg: AKLedger) -> list[tuple[Any, ...]]:
    with lg.connect() as conn:
        return [tuple(r) for r in conn.execute(select(principals).order_by(principals.c.name))]


def projected_positions(lg: AKLedger) -> list[int]:
    with lg.connect() as conn:
        return [int(p) for p in conn.execute(select(projected_events.c.position).order_by("row")).scalars()]


def all_positions(lg: AKLedger) -> list[int]:
    return [n.id for n in lg.recorder.select_notifications(None, 10_000)]


def state_of(lg: AKLedger, name: str) -> ProjectionStatus:
    return next(s for s in status(lg.engine, [name]) if s.name == name)


def wait_for(condition: Callable[[], bool], timeout: float = TIMEOUT) -> float:
    """Seconds until ``condition()`` held; fails the test after ``timeout``."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "condition not reached in time"
        threading.Event().wait(0.01)
    return time.monotonic() - start


@pytest.fixture
def event_log_table(ledger: AKLedger) -> Iterator[None]:
    _test_metadata.create_all(ledger.engine)
    yield
    _test_metadata.drop_all(ledger.engine)


@pytest.fixture
def other_app(settings: Settings) -> Iterator[AKLedger]:
    """A second application on the same database: another runner process's view."""
    app = AKLedger(settings)
    yield app
    app.close()
    app.engine.dispose()


class RunnerThread:
    """``run_forever`` in a thread; ``stop()`` stops it and re-raises what it raised."""

    def __init__(self, app: AKLedger, projections: Sequence[Projection], interval: float) -> None:
        self._stop = threading.Event()
        self.error: BaseException | None = None

        def target() -> None:
            try:
                run_forever(app, projections, self._stop.is_set, interval=interval)
            except BaseException as exc:
                self.error = exc

        self._thread = threading.Thread(target=target, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(TIMEOUT)
        assert not self._thread.is_alive(), "the runner did not stop"
        if self.error is not None:
            raise self.error


def require_postgresql(lg: AKLedger) -> None:
    if lg.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (advisory locks, LISTEN/NOTIFY)")


# -- exactly once -------------------------------------------------------------------------
@pytest.mark.usefixtures("event_log_table")
def test_a_runner_killed_mid_batch_resumes_where_it_committed_and_applies_nothing_twice(
    ledger: AKLedger, actor: Actor
) -> None:
    add_principals(ledger, actor, "alice", "bob", "carol", "dave")
    everything = all_positions(ledger)
    assert len(everything) > 9

    with pytest.raises(Killed):
        run_once(ledger, EventLog(die_at=8), batch_size=3)  # dies on the 2nd event of batch 3

    assert projected_positions(ledger) == everything[:6]  # two whole batches, nothing of the third
    assert state_of(ledger, EventLog.name).position == everything[5]
    assert state_of(ledger, EventLog.name).fault is None  # a crash is not the projection's fault

    assert run_once(ledger, EventLog(), batch_size=3) == len(everything) - 6
    assert projected_positions(ledger) == everything
    assert state_of(ledger, EventLog.name).position == everything[-1]
    assert run_once(ledger, EventLog(), batch_size=3) == 0


@pytest.mark.usefixtures("event_log_table")
def test_two_runners_racing_apply_each_event_once(
    ledger: AKLedger, other_app: AKLedger, actor: Actor
) -> None:
    """SQLite: the batches' write lock serialises them; PostgreSQL: one of them is locked out."""
    add_principals(ledger, actor, "alice", "bob", "carol")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def race(app: AKLedger) -> None:
        start.wait(TIMEOUT)
        try:
            run_once(app, EventLog(), batch_size=1)
        except ProjectionLockedError as exc:
            if app.engine.dialect.name != "postgresql":
                errors.append(exc)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=race, args=(app,)) for app in (ledger, other_app)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert errors == []
    assert projected_positions(ledger) == all_positions(ledger)


def test_gaps_in_notification_ids_are_followed_not_waited_for(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    note = Note(text="a note", occurred_at=now(), actor=actor.as_json())
    events = note.collect_events()
    ledger.append(*events)
    with pytest.raises(IntegrityError):
        ledger.append(*events)  # a conflict; on PostgreSQL it uses up a notification id
    add_principals(ledger, actor, "alice")

    assert run_once(ledger, PrincipalsProjection()) == 2  # admin and alice
    assert state_of(ledger, "principals").lag == 0
    assert [row[1] for row in principal_rows(ledger)] == ["admin", "alice"]


# -- failures -----------------------------------------------------------------------------
def test_a_failing_projection_stops_at_the_event_records_it_and_retries_it(
    ledger: AKLedger, actor: Actor
) -> None:
    added = add_principals(ledger, actor, "alice", "bob", "carol")

    with pytest.raises(ProjectionFailedError) as failed:
        run_once(ledger, BrokenOnBob())
    assert failed.value.notification_id == added["bob"]
    assert isinstance(failed.value.__cause__, ValueError)
    stuck = state_of(ledger, "principals")
    assert stuck.position == added["alice"]  # everything before bob is applied, bob is not
    assert stuck.fault is not None
    assert stuck.fault.notification_id == added["bob"]
    assert "ValueError: cannot project bob" in stuck.fault.error
    assert [row[1] for row in principal_rows(ledger)] == ["admin", "alice"]

    with pytest.raises(ProjectionFailedError) as again:
        run_once(ledger, BrokenOnBob())  # a restart retries the same event: never skips it
    assert again.value.notification_id == added["bob"]
    assert state_of(ledger, "principals").position == added["alice"]
    assert [row[1] for row in principal_rows(ledger)] == ["admin", "alice"]

    assert run_once(ledger, PrincipalsProjection()) == 2  # fixed: bob, then carol
    healed = state_of(ledger, "principals")
    assert (healed.fault, healed.lag) == (None, 0)
    assert [row[1] for row in principal_rows(ledger)] == ["admin", "alice", "bob", "carol"]


def test_a_failure_stops_run_forever_loudly(ledger: AKLedger, actor: Actor) -> None:
    added = add_principals(ledger, actor, "bob")
    with pytest.raises(ProjectionFailedError) as failed:
        run_forever(ledger, [BrokenOnBob()], should_stop=lambda: False)
    assert failed.value.notification_id == added["bob"]


# -- lag, rebuild -------------------------------------------------------------------------
def test_status_reports_position_head_and_lag(ledger: AKLedger, actor: Actor) -> None:
    add_principals(ledger, actor, "alice")
    head = all_positions(ledger)[-1]
    assert state_of(ledger, "principals") == ProjectionStatus("principals", 0, head, head, None)

    run_once(ledger, PrincipalsProjection())
    assert state_of(ledger, "principals") == ProjectionStatus("principals", head, head, 0, None)

    ledger.record_note("not a principal event", actor)
    assert state_of(ledger, "principals").lag == 1
    assert run_once(ledger, PrincipalsProjection()) == 0  # nothing of its topics, yet it is
    assert state_of(ledger, "principals").lag == 0  # caught up with the head


def test_rebuild_replays_the_same_rows_and_reports_progress(ledger: AKLedger, actor: Actor) -> None:
    add_principals(ledger, actor, "alice", "bob", "carol")
    admin_does(ledger, "Principal.disable", {"target": {"name": "bob"}, "reason": "left"})
    admin_does(ledger, "Principal.change_role", {"target": {"name": "carol"}, "role": "tab"})
    run_once(ledger, PrincipalsProjection())
    before = principal_rows(ledger)
    assert [(r[1], r[2], r[4]) for r in before] == [
        ("admin", "admin", False), ("alice", "supplier", False), ("bob", "supplier", True),
        ("carol", "tab", False),
    ]

    progress: list[tuple[int, int]] = []
    assert rebuild(ledger, PrincipalsProjection(), lambda done, total: progress.append((done, total)),
                   batch_size=2) == 6
    assert principal_rows(ledger) == before
    assert progress == [(0, 6), (2, 6), (4, 6), (6, 6)]
    assert state_of(ledger, "principals").lag == 0


# -- one runner per projection, and how runners wake (PostgreSQL) ---------------------------
def test_a_second_runner_does_not_run_a_projection_another_holds(
    ledger: AKLedger, other_app: AKLedger, actor: Actor
) -> None:
    require_postgresql(ledger)
    add_principals(ledger, actor, "alice")
    with RunnerConnection(ledger.engine) as first:
        assert first.try_lock("principals")
        with pytest.raises(ProjectionLockedError):
            run_once(other_app, PrincipalsProjection())
        with pytest.raises(ProjectionLockedError):
            rebuild(other_app, PrincipalsProjection())
        calls = iter(range(20))
        run_forever(other_app, [PrincipalsProjection()], lambda: next(calls, None) is None, interval=0.01)
        assert principal_rows(ledger) == []  # the standby looked 20 times and ran nothing
        assert state_of(ledger, "principals").position == 0
    assert run_once(other_app, PrincipalsProjection()) == 2  # the lock died with its runner


def test_a_listening_runner_wakes_on_an_append_without_waiting_for_its_poll(
    ledger: AKLedger, other_app: AKLedger, actor: Actor
) -> None:
    require_postgresql(ledger)
    add_principals(ledger, actor)
    runner = RunnerThread(other_app, [PrincipalsProjection()], interval=60.0)  # polls once a minute
    try:
        wait_for(lambda: state_of(ledger, "principals").lag == 0)
        add_principals(ledger, actor, "alice")
        took = wait_for(lambda: len(principal_rows(ledger)) == 2)
    finally:
        runner.stop()
    assert took < 10.0


def test_a_runner_started_after_the_appends_catches_up_then_follows(
    ledger: AKLedger, other_app: AKLedger, actor: Actor
) -> None:
    add_principals(ledger, actor, "alice", "bob")
    runner = RunnerThread(other_app, [PrincipalsProjection()], interval=0.05)
    try:
        wait_for(lambda: len(principal_rows(ledger)) == 3)
        add_principals(ledger, actor, "carol")
        wait_for(lambda: len(principal_rows(ledger)) == 4)
        wait_for(lambda: state_of(ledger, "principals").lag == 0)
    finally:
        runner.stop()
    assert [r[1] for r in principal_rows(ledger)] == ["admin", "alice", "bob", "carol"]


def test_executemany_batches_keep_event_order(ledger: AKLedger, actor: Actor) -> None:
    """Adds, a role change and a disable of the same principals in one batch: order is kept."""
    add_principals(ledger, actor, "alice", "bob")
    admin_does(ledger, "Principal.change_role", {"target": {"name": "alice"}, "role": "tab"})
    admin_does(ledger, "Principal.disable", {"target": {"name": "alice"}, "reason": "left"})
    add_principals(ledger, actor, "carol")
    run_once(ledger, PrincipalsProjection(), batch_size=500)
    assert [(r[1], r[2], r[4]) for r in principal_rows(ledger)] == [
        ("admin", "admin", False), ("alice", "tab", True), ("bob", "supplier", False),
        ("carol", "supplier", False),
    ]
