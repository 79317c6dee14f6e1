"""Checkpoints seen before (by a witness, an auditor or an earlier verify) must still hold.

The database alone cannot show a consistent truncation of its tail, or a history rewritten
by someone holding the keys: a checkpoint remembered from before can.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table
from sqlalchemy.engine import Connection

from ledger.log.faults import Fault, Report, VerifyFailed
from ledger.log.reader import LogReader
from signing import note
from signing.checkpoint import open_checkpoint, parse_checkpoint
from signing.errors import VerificationError
from signing.note import parse_note


def check_remembered(
    conn: Connection,
    events: Table,
    remembered: Sequence[str],
    report: Report,
    origin: str,
    verifiers: Sequence[note.Verifier],
) -> None:
    """Each remembered checkpoint must be signed by one of the ledger's keys, be for this
    ledger's origin, and be contained in today's tree."""
    reader = LogReader(conn, events)
    for number, text in enumerate(remembered, start=1):
        try:
            checkpoint = parse_checkpoint(parse_note(text).text)
        except VerificationError as exc:
            raise VerifyFailed(
                Fault("checkpoint", f"remembered checkpoint {number} is malformed: {exc}")
            ) from exc
        signed = _signature_problem(text, verifiers, origin)
        if checkpoint.size > report.tree_size:
            # Even unverifiable, it is a fault; when its key was itself in the truncated tail,
            # it cannot be verified against what is left, and the message says so.
            raise VerifyFailed(Fault(
                "truncated", f"a checkpoint of size {checkpoint.size} was seen before, but only "
                f"{report.tree_size} entries are stored: the tail was truncated"
                + (f" (that checkpoint {signed})" if signed else ""), report.tree_size,
            ))
        if signed:
            raise VerifyFailed(Fault("checkpoint", f"remembered checkpoint {number}: {signed}"))
        if reader.root(checkpoint.size) != checkpoint.root_hash:
            raise VerifyFailed(Fault(
                "inconsistent", f"the tree at size {checkpoint.size} differs from the checkpoint "
                "seen before: history was rewritten", checkpoint.size - 1,
            ))


def _signature_problem(text: str, verifiers: Sequence[note.Verifier], origin: str) -> str | None:
    try:
        open_checkpoint(text, verifiers, origin)
    except VerificationError as exc:
        return f"does not verify with this ledger's keys: {exc}"
    return None
