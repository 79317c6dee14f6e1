"""Run the API with uvicorn and the log integrator beside it.

One process (``workers == 1``, the default and the only choice on SQLite): uvicorn serves the app
in this process and the integrator and projection runner run in threads beside it.

Several processes (``workers > 1``, PostgreSQL): uvicorn's own supervisor (``Multiprocess``) binds
the socket here and spawns ``workers`` processes that share it, each building the app from the
import string ``api.server:app_from_environment`` (a factory) with the settings this process has
already validated, since the workers inherit its environment. The integrator and the projection
runner run exactly once, in this supervising process, never in a worker: the log has a single
sequencer by design. Each worker's ``/health`` reads the lags from the database and the
supervisor's threads' state from the file the supervisor publishes (``api.integrator_worker``).
SIGTERM (or SIGINT) stops the workers, each finishing its requests, then the integrator.

HTTP is parsed by httptools on uvloop's event loop (``uvicorn[standard]``): about half a
millisecond of CPU less per request than h11 on asyncio's loop.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from api.http import create_app
from api.integrator_worker import (
    STATUS_ENV,
    IntegratorWorker,
    ProjectionWorker,
    ReportedWorker,
    StatusBoard,
    WorkerStatus,
)
from ledger.application import AKLedger
from ledger.config import load_settings
from ledger.store import open_ledger

APP_FACTORY = "api.server:app_from_environment"
# uvicorn kills a worker that does not answer its supervisor's ping within this many seconds (its
# default is 5). A spawned worker answers only after importing the app, which took over 30 s on a
# loaded 2-core machine here: with 5 s every worker was killed while starting, again and again.
WORKER_HEALTHCHECK_TIMEOUT = 120
WORKER_HEADER = "AKLedger-Worker"  # which worker process answered: its pid (load balance, diagnosis)
HTTP = "httptools"  # uvicorn's HTTP/1.1 parser (C), not h11 (pure Python)
LOOP = "uvloop"


class WorkersFailedError(Exception):
    """A worker process could not start (its log says why); the supervisor stopped."""


def run_server(
    lg: AKLedger,
    host: str,
    port: int,
    print_url: Callable[[str], None],
    integrator: bool = True,
    workers: int = 1,
) -> None:
    """Serve until SIGTERM or SIGINT; with ``integrator``, integrate and run the projections in
    threads beside it (off when a separate ``akledger projector`` does).

    Precondition: ``workers == 1`` unless ``lg`` is on PostgreSQL (the caller refuses it).
    Raises ``WorkersFailedError`` if a worker process failed to start.
    """
    worker = IntegratorWorker(lg).start() if integrator else None
    projector = ProjectionWorker(lg).start() if integrator else None
    try:
        if workers == 1:
            _serve_in_process(create_app(lg, worker, projector), host, port, print_url)
        else:
            running = [w for w in (worker, projector) if w is not None]
            with _published(running) as status:
                _serve_in_workers(workers, host, port, print_url, status)
    finally:
        for running_worker in (worker, projector):
            if running_worker is not None:
                running_worker.stop()


def _serve_in_process(app: FastAPI, host: str, port: int, print_url: Callable[[str], None]) -> None:
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", http=HTTP, loop=LOOP)
    server = uvicorn.Server(config)
    print_url(f"http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    with sigterm_shuts_down(server):
        server.run()


def _serve_in_workers(
    workers: int, host: str, port: int, print_url: Callable[[str], None], status: Path | None
) -> None:
    """uvicorn's supervisor: ``workers`` processes on one socket bound here. Returns after SIGTERM
    or SIGINT, once every worker has finished (or when a worker could not start)."""
    config = uvicorn.Config(APP_FACTORY, factory=True, host=host, port=port, workers=workers, http=HTTP,
                            loop=LOOP, log_level="warning",
                            timeout_worker_healthcheck=WORKER_HEALTHCHECK_TIMEOUT)
    previous = os.environ.get(STATUS_ENV)
    if status is None:
        os.environ.pop(STATUS_ENV, None)  # --no-integrator: the workers report it as external
    else:
        os.environ[STATUS_ENV] = str(status)  # inherited by the spawned workers
    try:
        supervisor = Multiprocess(config, sockets=[config.bind_socket()])
        print_url(f"http://{host}:{port}/  ({workers} workers; API docs: /docs)")
        supervisor.run()
    finally:
        if previous is None:
            os.environ.pop(STATUS_ENV, None)
        else:
            os.environ[STATUS_ENV] = previous
    failed = [p.pid for p in supervisor.processes if p.exitcode == STARTUP_FAILURE]
    if failed:
        raise WorkersFailedError(f"worker process {failed[0]} failed to start (its error is logged above)")


@contextmanager
def _published(running: Sequence[WorkerStatus]) -> Iterator[Path | None]:
    """The file the workers read ``running``'s health from (in a private temporary directory,
    removed afterwards); ``None`` when nothing runs here."""
    if not running:
        yield None
        return
    directory = Path(tempfile.mkdtemp(prefix="akledger-serve-"))
    board = StatusBoard(directory / "status.json", running).start()
    try:
        yield board.path
    finally:
        board.stop()
        shutil.rmtree(directory, ignore_errors=True)


def app_from_environment() -> FastAPI:
    """The app of one worker process (uvicorn calls this factory in each): the ledger named by the
    AKLEDGER_* environment, and the supervisor's integrator and projections as it reports them."""
    lg = open_ledger(load_settings())
    status = os.environ.get(STATUS_ENV)
    if status:
        path = Path(status)
        app = create_app(lg, ReportedWorker(path, "integrator"), ReportedWorker(path, "projections"))
    else:
        app = create_app(lg)
    app.add_middleware(NameTheWorker, pid=os.getpid())
    return app


class NameTheWorker:
    """ASGI middleware: every response says which worker process sent it (``AKLedger-Worker``).
    Plain ASGI, which only adds a header to the response's start: Starlette's
    ``BaseHTTPMiddleware`` ran each request through a task group and memory streams (~0.35 ms
    of CPU a request)."""

    def __init__(self, app: ASGIApp, pid: int) -> None:
        self.app = app
        self.header = (WORKER_HEADER.lower().encode("latin-1"), str(pid).encode("latin-1"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def named(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), self.header]
            await send(message)

        await self.app(scope, receive, named)


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
