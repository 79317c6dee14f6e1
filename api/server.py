"""Run the API with uvicorn and the log integrator beside it."""

from __future__ import annotations

import threading
from collections.abc import Callable

import uvicorn

from api import log_service
from api.http import create_app
from ledger.application import AKLedger


def run_server(
    lg: AKLedger,
    host: str,
    port: int,
    print_url: Callable[[str], None],
    integrator: bool = True,
) -> None:
    """Serve until interrupted. With ``integrator`` the log integrator runs in a thread."""
    stop = threading.Event()
    thread = log_service.start_integrator_thread(lg, stop) if integrator else None
    config = uvicorn.Config(create_app(lg), host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    print_url(f"http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    try:
        server.run()
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=5)
