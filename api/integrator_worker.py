"""The server's background workers (the log integrator, the projections), with their health visible.

A database hiccup (a dropped connection, SQLite busy past its timeout) is retried with a
backoff: the same batch again, so nothing is skipped. Anything else stops the worker, and
``/health`` says so with 503 rather than the server quietly serving a log that no longer grows
or read models that no longer follow it.

With several HTTP worker processes (``akledger serve --workers N``) the integrator and the
projection runner run once, in the supervising parent, and the workers cannot see its threads.
The parent then publishes their health (``StatusBoard``) to a small JSON file in a private
temporary directory it names in ``AKLEDGER_SUPERVISOR_STATUS``; each worker reads it
(``ReportedWorker``) on ``/health``. The lags are read from the database as before, so only the
state and last error travel through the file. A report older than ``STALE_AFTER`` seconds means the
supervisor no longer runs them: the worker reports them stopped (503), never silently running.

Both workers coalesce (issue 6 item 9): under a stream of appends, running them once per event
cost more CPU than the appends themselves (a signed checkpoint per event; two projection
transactions per event and projection). The integrator takes whatever is pending, then waits its
``interval`` unless the batch was full, so one checkpoint covers every event of that interval.
The projections wake on NOTIFY (PostgreSQL) or poll, but run at most once per ``SETTLE``
seconds: the events committed meanwhile are applied in one batch per projection.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.exc import DBAPIError

from api import log_service
from ledger.application import AKLedger

if TYPE_CHECKING:
    from projections.base import Projection
    from projections.runner_connection import RunnerConnection

log = logging.getLogger("akledger.workers")
MAX_BACKOFF = 30.0
STATUS_ENV = "AKLEDGER_SUPERVISOR_STATUS"  # the file a supervisor publishes its workers' health to
PUBLISH_EVERY = 1.0  # seconds between two reports of the supervisor
STALE_AFTER = 15.0  # seconds without a report after which the workers call the supervisor's threads stopped
INTEGRATE_LIMIT = 10_000  # events integrated (and covered by one checkpoint) at most per batch
SETTLE = 0.1  # seconds: the projections run at most once per SETTLE, each run applying all that came
STOP_CHECK = 0.25  # seconds: how soon the projection worker notices a stop while it waits


@dataclass(frozen=True)
class WorkerHealth:
    state: str  # running | retrying | stopped
    error: str | None


class WorkerStatus(Protocol):
    """What ``/health`` needs of a worker: its name and its health, wherever it runs."""

    @property
    def name(self) -> str: ...

    @property
    def health(self) -> WorkerHealth: ...


class BackgroundWorker:
    """Runs ``loop(should_stop)`` in a daemon thread until ``stop()``, retrying database errors."""

    def __init__(self, name: str, loop: Callable[[Callable[[], bool]], None], interval: float) -> None:
        self.name = name
        self._loop = loop
        self._interval = interval
        self._stop = threading.Event()
        self._state = "running"
        self._error: str | None = None
        self._thread = threading.Thread(target=self._run, name=f"akledger-{name}", daemon=True)

    def start(self) -> BackgroundWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def health(self) -> WorkerHealth:
        return WorkerHealth(self._state, self._error)

    def _run(self) -> None:
        backoff = self._interval
        while not self._stop.is_set():
            try:
                self._loop(self._stop.is_set)
            except DBAPIError as exc:  # transient: retry the same batch, skip nothing
                self._state, self._error = "retrying", f"{type(exc).__name__}: {exc.orig}"
                log.warning("%s: %s; retrying in %.1f s", self.name, self._error, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                self._state = "running"
            except Exception as exc:
                self._state, self._error = "stopped", f"{type(exc).__name__}: {exc}"
                log.exception("%s stopped", self.name)
                return


def IntegratorWorker(lg: AKLedger, interval: float = 0.1) -> BackgroundWorker:  # noqa: N802 - a factory
    """The log integrator (``ledger.log.integrator``) as a background worker."""
    return BackgroundWorker("integrator", lambda stop: integrate_coalesced(lg, stop, interval), interval)


def integrate_coalesced(
    lg: AKLedger, should_stop: Callable[[], bool], interval: float, limit: int = INTEGRATE_LIMIT
) -> None:
    """Integrate every pending event, then wait ``interval`` seconds unless the batch was full (the
    log is behind): one signed checkpoint per interval under load, not one per append."""
    integrator = log_service.integrator(lg)
    while not should_stop():
        if integrator.integrate_batch(limit).integrated < limit:
            time.sleep(interval)


def ProjectionWorker(  # noqa: N802 - a factory
    lg: AKLedger, interval: float = 0.25, settle: float = SETTLE
) -> BackgroundWorker:
    """Every registered projection (``projections.registry``) as a background worker. A failing
    projection stops it at the event that failed (recorded in ``projection_faults``)."""
    from projections.registry import projections_for

    def loop(stop: Callable[[], bool]) -> None:
        project_coalesced(lg, projections_for(lg), stop, interval, settle)

    return BackgroundWorker("projections", loop, interval)


def project_coalesced(
    lg: AKLedger, projections: Sequence[Projection], should_stop: Callable[[], bool], interval: float,
    settle: float,
) -> None:
    """Keep ``projections`` up to date until ``should_stop()``: a pass (``projections.runner.run_once``
    of each) when NOTIFY wakes the worker or every ``interval`` seconds, at most one pass per
    ``settle`` seconds. A projection another runner holds is left to it (and tried again on the next
    pass, so it is taken over once free); one unchanged since its last pass is not read at all.
    Errors propagate (``ProjectionFailedError`` after the fault is recorded)."""
    from projections.errors import ProjectionLockedError
    from projections.runner import run_once
    from projections.runner_connection import RunnerConnection

    applied_to: dict[str, int] = {}  # the log's head before our last pass of each projection
    with RunnerConnection(lg.engine) as wakeups:
        wakeups.listen()  # before the first read: nothing committed after it goes unnoticed
        began = -settle
        while not should_stop():
            time.sleep(max(0.0, began + settle - time.monotonic()))
            began = time.monotonic()
            head = lg.recorder.max_notification_id() or 0
            for projection in projections:
                if should_stop():
                    return
                if applied_to.get(projection.name) == head:
                    continue
                try:
                    run_once(lg, projection)
                except ProjectionLockedError:
                    continue
                applied_to[projection.name] = head  # at least: the run read past ``head``
            _wait(wakeups, interval, should_stop)


def _wait(wakeups: RunnerConnection, interval: float, should_stop: Callable[[], bool]) -> None:
    deadline = time.monotonic() + interval
    while not should_stop() and (remaining := deadline - time.monotonic()) > 0:
        if wakeups.wait(min(remaining, STOP_CHECK)):
            return


class StatusBoard:
    """Publishes ``workers``' health to ``path`` every ``PUBLISH_EVERY`` seconds, from a daemon thread,
    until ``stop()``. Each report replaces the file whole (``os.replace``): a reader never sees half."""

    def __init__(self, path: Path, workers: Sequence[WorkerStatus]) -> None:
        self.path = path
        self._workers = list(workers)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="akledger-status", daemon=True)

    def start(self) -> StatusBoard:
        self.publish()  # before any worker process starts reading
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(PUBLISH_EVERY * 5)

    def publish(self) -> None:
        report = {
            "supervisor_pid": os.getpid(),
            "written_at": time.time(),
            "workers": {w.name: {"state": w.health.state, "error": w.health.error} for w in self._workers},
        }
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".status-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(report, out)
        os.replace(temporary, self.path)

    def _run(self) -> None:
        while not self._stop.wait(PUBLISH_EVERY):
            self.publish()


class ReportedWorker:
    """A worker that runs in the supervisor, as a worker process sees it: its health as last
    published to ``path`` by a ``StatusBoard``."""

    def __init__(self, path: Path, name: str, stale_after: float = STALE_AFTER) -> None:
        self._path = path
        self._name = name
        self._stale_after = stale_after

    @property
    def name(self) -> str:
        return self._name

    @property
    def health(self) -> WorkerHealth:
        try:
            report = json.loads(self._path.read_text(encoding="utf-8"))
            reported = report["workers"][self._name]
            age = time.time() - float(report["written_at"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return WorkerHealth("stopped", f"no report from the supervisor ({type(exc).__name__}: {exc})")
        if age > self._stale_after:
            return WorkerHealth(
                "stopped", f"no report from the supervisor (pid {report.get('supervisor_pid')}) "
                f"for {age:.0f} s: it no longer runs the {self._name}",
            )
        return WorkerHealth(str(reported["state"]), reported["error"])
