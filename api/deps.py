"""FastAPI dependencies: the ledger the app was built for; the event loop's capacity limiters."""

from __future__ import annotations

import asyncio
import weakref

from anyio import CapacityLimiter
from fastapi import Request

from ledger.application import AKLedger


def get_ledger(request: Request) -> AKLedger:
    lg = request.app.state.ledger
    assert isinstance(lg, AKLedger)
    return lg


_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, CapacityLimiter]] = (
    weakref.WeakKeyDictionary()
)


def loop_limiter(name: str, tokens: int) -> CapacityLimiter:
    """The running event loop's limiter called ``name``, of ``tokens`` threads (a limiter belongs
    to one loop), made on first use."""
    found = _limiters.setdefault(asyncio.get_running_loop(), {})
    if name not in found:
        found[name] = CapacityLimiter(tokens)
    return found[name]
