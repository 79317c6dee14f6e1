"""The FastAPI application."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Response

from api import log_service, problems, routes_log
from api.integrator_worker import IntegratorWorker
from ledger.application import AKLedger
from ledger.errors import NotFoundError


def create_app(lg: AKLedger, worker: IntegratorWorker | None = None) -> FastAPI:
    """The API for ``lg``; ``worker`` is the in-process integrator, if this process runs one."""
    app = FastAPI(
        title="AK Ledger",
        summary="A signed, event-sourced audit ledger for SMETS1 testing under SEC Appendix AK",
        version="0.1.0",
    )
    app.state.ledger = lg
    problems.install(app)
    app.include_router(routes_log.router)

    @app.get(
        "/health",
        tags=["health"],
        summary="Integrator state and lag, tree size, latest checkpoint (503 if the integrator stopped)",
    )
    def health(response: Response) -> dict[str, Any]:
        lag = log_service.pending(lg)
        size = log_service.tree_size(lg)
        try:
            latest = log_service.latest_checkpoint(lg)
            checkpoint: dict[str, Any] | None = {"size": latest.size, "key_id": latest.key_id}
        except NotFoundError:
            checkpoint = None
        state = worker.health if worker is not None else None
        status = "ok" if lag < 10_000 else "lagging"
        if state is not None and state.state != "running":
            status = f"integrator {state.state}"
            if state.state == "stopped":
                response.status_code = 503
        return {
            "status": status,
            "integrator": (
                {"state": "external"} if state is None
                else {"state": state.state, "last_error": state.error}
            ),
            "origin": lg.settings.log_origin,
            "tree_size": size,
            "integrator_lag": lag,
            "latest_checkpoint": checkpoint,
        }

    return app
