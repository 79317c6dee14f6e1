"""The FastAPI application."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api import log_service, problems, routes_log
from ledger.application import AKLedger
from ledger.errors import NotFoundError


def create_app(lg: AKLedger) -> FastAPI:
    app = FastAPI(
        title="AK Ledger",
        summary="A signed, event-sourced audit ledger for SMETS1 testing under SEC Appendix AK",
        version="0.1.0",
    )
    app.state.ledger = lg
    problems.install(app)
    app.include_router(routes_log.router)

    @app.get("/health", tags=["health"], summary="Integrator lag and the latest checkpoint")
    def health() -> dict[str, Any]:
        lag = log_service.pending(lg)
        size = log_service.tree_size(lg)
        try:
            latest = log_service.latest_checkpoint(lg)
            checkpoint: dict[str, Any] | None = {"size": latest.size, "key_id": latest.key_id}
        except NotFoundError:
            checkpoint = None
        return {
            "status": "ok" if lag < 10_000 else "lagging",
            "origin": lg.settings.log_origin,
            "tree_size": size,
            "integrator_lag": lag,
            "latest_checkpoint": checkpoint,
        }

    return app
