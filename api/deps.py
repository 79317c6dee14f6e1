"""FastAPI dependencies: the ledger the app was built for."""

from __future__ import annotations

from fastapi import Request

from ledger.application import AKLedger


def get_ledger(request: Request) -> AKLedger:
    lg = request.app.state.ledger
    assert isinstance(lg, AKLedger)
    return lg
