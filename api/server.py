"""Run the API with uvicorn and the log integrator beside it."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn

from api.http import create_app
from api.integrator_worker import IntegratorWorker, ProjectionWorker
from ledger.application import AKLedger


def run_server(
    lg: AKLedger,
    host: str,
    port: int,
    print_url: Callable[[str], None],
    integrator: bool = True,
) -> None:
    """Serve until SIGTERM or SIGINT; with ``integrator``, integrate and run the projections in
    threads beside it (off when a separate ``akledger projector`` does)."""
    worker = IntegratorWorker(lg).start() if integrator else None
    projector = ProjectionWorker(lg).start() if integrator else None
    config = uvicorn.Config(create_app(lg, worker, projector), host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    print_url(f"http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    try:
        with sigterm_shuts_down(server):
            server.run()
    finally:
        for running in (worker, projector):
            if running is not None:
                running.stop()


@contextmanager
def sigterm_shuts_down(server: uvicorn.Server) -> Iterator[None]:
    """Make SIGTERM a graceful shutdown that returns from ``server.run()``.

    After its own graceful shutdown uvicorn re-raises SIGTERM to the handler that was in place
    before it started; the default one kills the process there and then, so the integrator
    thread was never stopped and the exit status was "killed by SIGTERM". With this handler
    in place the re-raised signal only asks (again) for the shutdown already done; one that
    arrives before uvicorn installs its own handlers is not lost either.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGTERM, server.handle_exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
