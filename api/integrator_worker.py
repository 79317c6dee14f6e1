"""The server's background workers (the log integrator, the projections), with their health visible.

A database hiccup (a dropped connection, SQLite busy past its timeout) is retried with a
backoff: the same batch again, so nothing is skipped. Anything else stops the worker, and
``/health`` says so with 503 rather than the server quietly serving a log that no longer grows
or read models that no longer follow it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from api import log_service
from ledger.application import AKLedger

log = logging.getLogger("akledger.workers")
MAX_BACKOFF = 30.0


@dataclass(frozen=True)
class WorkerHealth:
    state: str  # running | retrying | stopped
    error: str | None


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
    return BackgroundWorker(
        "integrator", lambda stop: log_service.run_integrator_forever(lg, stop, interval), interval
    )


def ProjectionWorker(lg: AKLedger, interval: float = 0.25) -> BackgroundWorker:  # noqa: N802 - a factory
    """Every registered projection (``projections.registry``) as a background worker. A failing
    projection stops it at the event that failed (recorded in ``projection_faults``)."""
    from projections.registry import projections_for
    from projections.runner import run_forever

    return BackgroundWorker(
        "projections", lambda stop: run_forever(lg, projections_for(lg), stop, interval=interval), interval
    )
