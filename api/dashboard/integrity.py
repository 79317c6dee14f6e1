"""The integrity page: is the ledger intact, and how far behind are the log and the read side?

It shows the ledger as it is now (the as-of picker moves the other views; a checkpoint is a claim
about the whole history up to its size): tree size and the events not yet in the tree, the latest
signed checkpoint verbatim, the witnesses' cosignatures held for it (``ledger.log.cosignatures``,
where this build has it), each projection's position, lag and fault.

"Verify now" runs ``akledger verify`` (without ``--full``: everything but each event's own
signature, which the tree and the checkpoints already bind) in the request, and only while the
tree is at most ``VERIFY_NOW_LIMIT`` entries, so a page cannot tie up a worker for long; beyond
that the page says to run the command. The result is kept in this server process's memory
(``app.state``) and shown with who asked and when: a restart forgets it, and it proves nothing to
a third party, who should run ``akledger verify`` against a checkpoint they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from api import log_service
from ledger.application import AKLedger
from ledger.errors import NotFoundError
from ledger.log.faults import Report
from projections.registry import projections_for
from projections.tracking import status as projection_status

VERIFY_NOW_LIMIT = 200_000  # tree entries: a few seconds of streaming verify on a small server


@dataclass(frozen=True)
class VerifyRun:
    """A verify the dashboard ran: when, for whom, and what it found."""

    at: datetime
    principal: str
    report: Report


@dataclass(frozen=True)
class Cosignature:
    witness: str
    line: str


def state(lg: AKLedger, app: FastAPI) -> dict[str, Any]:
    try:
        latest = log_service.latest_checkpoint(lg)
    except NotFoundError:
        latest = None
    size = log_service.tree_size(lg)
    views = projection_status(lg.engine, [p.name for p in projections_for(lg)])
    return {
        "origin": lg.settings.log_origin, "tree_size": size, "pending": log_service.pending(lg),
        "checkpoint": latest, "cosignatures": None if latest is None else cosignatures(lg, latest.size),
        "views": views, "last_verify": last_verify(app), "verify_limit": VERIFY_NOW_LIMIT,
        "can_verify": size <= VERIFY_NOW_LIMIT,
    }


def cosignatures(lg: AKLedger, size: int) -> list[Cosignature] | None:
    """The witness cosignatures held for the checkpoint of ``size``; None where this build or
    this database does not keep them (yet)."""
    try:
        from ledger.log.cosignatures import cosignature_lines
    except ImportError:  # witnesses arrive with their own change
        return None
    try:
        lines = cosignature_lines(lg.engine, size)
    except SQLAlchemyError:  # the table is not migrated into this database yet
        return None
    return [Cosignature(line.split(" ")[1] if line.count(" ") >= 2 else "?", line) for line in lines]


def last_verify(app: FastAPI) -> VerifyRun | None:
    found = getattr(app.state, "dashboard_verify", None)
    return found if isinstance(found, VerifyRun) else None


def verify_now(lg: AKLedger, app: FastAPI, principal: str) -> VerifyRun | None:
    """Run the verify and keep its result; None when the tree is beyond ``VERIFY_NOW_LIMIT``."""
    if log_service.tree_size(lg) > VERIFY_NOW_LIMIT:
        return None
    run = VerifyRun(datetime.now(UTC), principal, log_service.verify(lg))
    app.state.dashboard_verify = run
    return run


__all__ = ["VERIFY_NOW_LIMIT", "Cosignature", "VerifyRun", "cosignatures", "last_verify", "state",
           "verify_now"]
