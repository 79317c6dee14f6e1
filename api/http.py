"""The FastAPI application."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Response

from api import (
    dashboard,
    log_service,
    problems,
    routes_commands,
    routes_dossiers,
    routes_log,
    routes_queries,
    routes_reports,
)
from api.integrator_worker import WorkerStatus
from ledger.application import AKLedger
from ledger.errors import NotFoundError
from projections.registry import projections_for
from projections.tracking import status as projection_status


def create_app(
    lg: AKLedger, worker: WorkerStatus | None = None, projector: WorkerStatus | None = None
) -> FastAPI:
    """The API for ``lg``; ``worker`` is the in-process integrator and ``projector`` the
    in-process projection runner, if this process runs them."""
    app = FastAPI(
        title="AK Ledger",
        summary="A signed, event-sourced audit ledger for SMETS1 testing under SEC Appendix AK",
        version="0.1.0",
    )
    app.state.ledger = lg
    app.state.projector = projector  # routes_queries: read only while it keeps facts up to date
    projection_names = [p.name for p in projections_for(lg)]  # once, not per /health request
    problems.install(app)
    app.include_router(routes_log.router)
    app.include_router(routes_commands.router)
    app.include_router(routes_queries.router)
    app.include_router(routes_dossiers.router)
    app.include_router(routes_reports.router)
    app.include_router(dashboard.router)  # the auditor's pages
    app.mount(dashboard.STATIC_PATH, dashboard.static_files(), name="dashboard-static")

    @app.get(
        "/health",
        tags=["health"],
        summary="Integrator and projections: state and lag; tree size; latest checkpoint "
        "(503 if the integrator or a projection stopped)",
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
        views = projection_status(lg.engine, projection_names)
        faulty = [v.name for v in views if v.fault is not None]
        running = projector.health if projector is not None else None
        if faulty or (running is not None and running.state == "stopped"):
            why = ", ".join(faulty) if faulty else str(running.error if running is not None else "")
            status = f"projection stopped: {why}"
            response.status_code = 503
        return {
            "status": status,
            "integrator": (
                {"state": "external"} if state is None
                else {"state": state.state, "last_error": state.error}
            ),
            "projections": {
                "runner": "external" if running is None else running.state,
                "last_error": None if running is None else running.error,
                "views": [
                    {"name": v.name, "position": v.position, "lag": v.lag,
                     "fault": None if v.fault is None else
                     {"position": v.fault.notification_id, "error": v.fault.error}}
                    for v in views
                ],
            },
            "origin": lg.settings.log_origin,
            "tree_size": size,
            "integrator_lag": lag,
            "latest_checkpoint": checkpoint,
        }

    return app
