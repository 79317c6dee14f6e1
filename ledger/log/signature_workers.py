"""``verify --full``: event signatures checked in worker processes, one page per job.

A save's events share one signature over the root of their entries (``signing.entry``), so a
worker recomputes each event's signed message from its own entry and path, and runs Ed25519
once per distinct (message, signature, key): every event is checked, each save's signature
is verified once.
"""

from __future__ import annotations

from concurrent.futures import Future

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ledger.log.faults import Fault, VerifyFailed, at
from ledger.log.tables import log_leaves
from signing import keys as key_bytes
from signing.entry import SealedEvent, verify_message_signature
from signing.errors import MalformedInputError, VerificationError

# One event: (entry, signature, stored batch path or None, public key, notification id):
# no disclosed fields, which the signature does not cover, so as little as possible is pickled.
Job = tuple[bytes, bytes, object, bytes, int]
# A page's result: (first failure as (notification id, message) or None, Ed25519 runs).
Outcome = tuple[tuple[int, str] | None, int]


def verify_page(jobs: list[Job]) -> Outcome:
    """Worker: check every job's signature; stop at the first that fails."""
    verified: set[tuple[bytes, bytes, bytes]] = set()
    runs = 0
    for entry, signature, batch_path, public, nid in jobs:
        sealed = SealedEvent(entry, signature, {}, batch_path)  # type: ignore[arg-type]
        try:
            message = sealed.signed_message()
        except MalformedInputError as exc:
            return (nid, f"event batch path is malformed: {exc}"), runs
        if (message, sealed.signature, public) in verified:
            continue
        try:
            verify_message_signature(
                message, sealed.signature, key_bytes.public_key_from_bytes(public)
            )
        except VerificationError as exc:
            return (nid, str(exc)), runs
        runs += 1
        verified.add((message, sealed.signature, public))
    return None, runs


def drain(conn: Connection, pending: list[Future[Outcome]], keep: int) -> int:
    """Collect finished pages until ``keep`` remain; their Ed25519 runs, or the fault."""
    runs = 0
    while len(pending) > keep:
        failure, count = pending.pop(0).result()
        runs += count
        if failure is not None:
            nid, message = failure
            index = conn.execute(  # the leaf, if the event is integrated
                select(log_leaves.c.idx).where(log_leaves.c.notification_id == nid)
            ).scalar()
            raise VerifyFailed(Fault("signature", f"event at {at(index, nid)}: {message}", index, nid))
    return runs
