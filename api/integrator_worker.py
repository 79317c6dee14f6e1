"""The log integrator as a background thread of the server, with its health visible.

A database hiccup (a dropped connection, SQLite busy past its timeout) is retried with a
backoff: the same batch again, so nothing is skipped. Anything else stops the worker, and
``/health`` says so with 503 rather than the server quietly serving a log that no longer grows.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from api import log_service
from ledger.application import AKLedger

log = logging.getLogger("akledger.integrator")
MAX_BACKOFF = 30.0


@dataclass(frozen=True)
class WorkerHealth:
    state: str  # running | retrying | stopped
    error: str | None


class IntegratorWorker:
    """Runs ``Integrator.run_forever`` in a daemon thread until ``stop()``."""

    def __init__(self, lg: AKLedger, interval: float = 0.1) -> None:
        self._lg = lg
        self._interval = interval
        self._stop = threading.Event()
        self._state = "running"
        self._error: str | None = None
        self._thread = threading.Thread(target=self._run, name="akledger-integrator", daemon=True)

    def start(self) -> IntegratorWorker:
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
                log_service.run_integrator_forever(self._lg, self._stop.is_set, self._interval)
            except DBAPIError as exc:  # transient: retry the same batch, skip nothing
                self._state, self._error = "retrying", f"{type(exc).__name__}: {exc.orig}"
                log.warning("integrator: %s; retrying in %.1f s", self._error, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                self._state = "running"
            except Exception as exc:
                self._state, self._error = "stopped", f"{type(exc).__name__}: {exc}"
                log.exception("integrator stopped")
                return
