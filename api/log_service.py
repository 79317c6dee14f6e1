"""What the CLI and the HTTP routes share: log queries and their JSON shapes."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select

from ledger.actors import Actor
from ledger.application import AKLedger, Appended
from ledger.errors import NotFoundError
from ledger.log import cosignatures
from ledger.log.integrator import BatchResult, Integrator
from ledger.log.reader import LogReader, StoredCheckpoint
from ledger.log.tables import ledger_keys
from ledger.log.tree_store import pending_count
from ledger.log.verifier import Report, verify_log
from ledger.store import KEY_TOPICS
from signing import keys as key_bytes
from signing import note


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def integrator(lg: AKLedger) -> Integrator:
    return Integrator(lg.connect, lg.events_table, lg.settings.log_origin, lg.signer_for)


def integrate(lg: AKLedger, progress: Callable[[BatchResult], None] | None = None) -> int:
    return integrator(lg).run_until_caught_up(progress=progress)


def run_integrator_forever(
    lg: AKLedger, should_stop: Callable[[], bool], interval: float = 0.1
) -> None:
    integrator(lg).run_forever(should_stop, interval)


def pending(lg: AKLedger) -> int:
    with lg.connect() as conn:
        return pending_count(conn, lg.events_table)


def tree_size(lg: AKLedger) -> int:
    with lg.connect() as conn:
        return LogReader(conn, lg.events_table).tree_size()


def latest_checkpoint(lg: AKLedger) -> StoredCheckpoint:
    with lg.connect() as conn:
        cp = LogReader(conn, lg.events_table).latest_checkpoint()
    if cp is None:
        raise NotFoundError("no checkpoint has been signed yet (run `akledger log integrate`)")
    return cp


def vkey(lg: AKLedger) -> str:
    key_id = lg.signing_keys().active_key_id
    with lg.connect() as conn:
        public = conn.execute(
            select(ledger_keys.c.public_key).where(ledger_keys.c.key_id == key_id)
        ).scalar_one()
    return note.vkey(lg.settings.log_origin, key_bytes.public_key_from_bytes(bytes(public)))


def key_list(lg: AKLedger) -> list[dict[str, Any]]:
    with lg.connect() as conn:
        rows = conn.execute(select(ledger_keys).order_by(ledger_keys.c.introduced_by)).all()
    listed = []
    for i, row in enumerate(rows):
        following = rows[i + 1] if i + 1 < len(rows) else None
        public = key_bytes.public_key_from_bytes(bytes(row.public_key))
        listed.append({
            "key_id": row.key_id,
            "introduced_by": int(row.introduced_by),
            # The genesis key signs its own introduction; later keys sign what follows theirs.
            "valid_from": int(row.introduced_by) + (0 if i == 0 else 1),
            "valid_until": int(following.introduced_by) if following else None,
            "status": "in force" if following is None else "retired (valid for its history)",
            "vkey": note.vkey(row.name, public),
            "recorded_at": row.recorded_at.isoformat(),
        })
    return listed


def appended_json(appended: Appended) -> dict[str, Any]:
    return {
        "event_id": f"{appended.originator_id}:{appended.version}",
        "originator_id": str(appended.originator_id),
        "version": appended.version,
        "position": appended.position,
        "topic": appended.topic,
        "key_id": appended.key_id,
        "signature": appended.signature,
        "batch": appended.batch,
    }


def entries_json(lg: AKLedger, start: int, stop: int | None) -> dict[str, Any]:
    with lg.connect() as conn:
        reader = LogReader(conn, lg.events_table)
        size = reader.tree_size()
        end = size if stop is None else min(stop, size)
        found = reader.entries(start, end)
    return {
        "tree_size": size,
        "entries": [
            {
                "index": e.index,
                "entry": b64(e.entry),
                "leaf_hash": b64(e.leaf_hash),
                "notification_id": e.notification_id,
            }
            for e in found
        ],
    }


def entry_json(lg: AKLedger, index: int) -> dict[str, Any]:
    with lg.connect() as conn:
        e = LogReader(conn, lg.events_table).entry(index)
    return {"index": e.index, "entry": b64(e.entry), "leaf_hash": b64(e.leaf_hash),
            "notification_id": e.notification_id}


def inclusion_json(lg: AKLedger, index: int, size: int | None) -> dict[str, Any]:
    with lg.connect() as conn:
        reader = LogReader(conn, lg.events_table)
        size, proof = reader.inclusion_proof(index, size)
        leaf = reader.entry(index).leaf_hash
        root = reader.root(size)
    return {"index": index, "tree_size": size, "leaf_hash": b64(leaf), "root_hash": b64(root),
            "proof": [b64(h) for h in proof]}


def consistency_json(lg: AKLedger, first: int, second: int) -> dict[str, Any]:
    with lg.connect() as conn:
        reader = LogReader(conn, lg.events_table)
        proof = reader.consistency_proof(first, second)
        roots = {"first_root": b64(reader.root(first)), "second_root": b64(reader.root(second))}
    return {"first": first, "second": second, **roots, "proof": [b64(h) for h in proof]}


def verify(
    lg: AKLedger,
    *,
    full: bool = False,
    trusted: Sequence[note.Verifier] = (),
    expected: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    with lg.connect() as conn:
        return verify_log(
            conn, lg.events_table, lg.settings.log_origin, KEY_TOPICS,
            full=full, trusted=trusted, expected=expected, progress=progress,
        )


def report_json(report: Report) -> dict[str, Any]:
    fault = report.fault
    return {
        "ok": report.ok,
        "tree_size": report.tree_size,
        "events": report.events,
        "pending": report.pending,
        "checkpoints": report.checkpoints,
        "signatures_verified": report.signatures,
        "ed25519_verifications": report.ed25519_verifications,
        "fault": None if fault is None else {
            "kind": fault.kind, "index": fault.index,
            "notification_id": fault.notification_id, "message": fault.message,
        },
    }


DEMO_NOTES = (
    "SIT for MOC entered: entry criteria 12.5(a)-(f) recorded as met",
    "Test execution report week 47 received from the DCC Service Provider",
    "SIT Auditor observed regression run 3 (13.14): no deviation recorded",
)


def load_demo(lg: AKLedger, actor: Actor) -> None:
    """A few notes, so that a new ledger has something to prove."""
    lg.load_signer()
    for text in DEMO_NOTES:
        lg.record_note(text, actor)


# -- witnesses and their cosignatures (c2sp.org/tlog-cosignature) -------------------------------


def cosigned_checkpoint(lg: AKLedger) -> str:
    """The latest signed checkpoint with the witness cosignatures the ledger holds for it."""
    latest = latest_checkpoint(lg)
    return cosignatures.cosigned_note(lg.engine, latest.note, latest.size)


def add_witness(lg: AKLedger, vkey_text: str) -> cosignatures.Witness:
    return cosignatures.add_witness(lg.engine, vkey_text)


def witness_list(lg: AKLedger) -> list[dict[str, Any]]:
    return [{"name": w.name, "key_id": w.key_id, "vkey": w.vkey} for w in cosignatures.witnesses(lg.engine)]


def accept_cosignatures(lg: AKLedger, size: int | None, body: str | Sequence[str]) -> dict[str, Any]:
    """Hold the cosignatures POSTed: ``body`` is a cosigned checkpoint note (``size`` None) or
    the lines for the checkpoint of ``size``. Raises CosignatureRefusedError naming the field."""
    if size is None:
        assert isinstance(body, str)
        held = cosignatures.record_cosigned_note(lg.engine, body)
    else:
        held = cosignatures.record_cosignatures(lg.engine, size, list(body))
    return {
        "size": held[0].size,
        "cosignatures": [
            {"witness": h.witness, "key_id": h.key_id, "timestamp": h.timestamp, "new": h.new}
            for h in held
        ],
    }
