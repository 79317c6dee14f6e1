"""FastAPI dependencies: the ledger the app was built for; the engine single reads go through;
the event loop's capacity limiters."""

from __future__ import annotations

import asyncio
import threading
import weakref

from anyio import CapacityLimiter
from fastapi import Request
from sqlalchemy import Engine, create_engine, event

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


_readers: weakref.WeakKeyDictionary[AKLedger, Engine] = weakref.WeakKeyDictionary()
_readers_made = threading.Lock()
READER_POOL = 8  # connections the reader engine keeps: the commands and queries a worker runs at once


def reader_engine(lg: AKLedger) -> Engine:
    """The engine the per-request single-statement reads go through (the token's principal
    version, where the read model stands): on PostgreSQL one in autocommit, of its own, so a
    read is one round trip (no ``BEGIN`` before it, no ``ROLLBACK`` when its connection goes back
    to the pool); its connections go with the ledger's engine or the ledger. Elsewhere (SQLite,
    where those cost no round trip) the ledger's own."""
    with _readers_made:
        found = _readers.get(lg)
        if found is None:
            found = lg.engine
            if found.dialect.name == "postgresql":
                found = create_engine(lg.engine.url, isolation_level="AUTOCOMMIT", pool_size=READER_POOL)
                event.listen(lg.engine, "engine_disposed", lambda _: found.dispose())
                weakref.finalize(lg, found.dispose)
            _readers[lg] = found
        return found
