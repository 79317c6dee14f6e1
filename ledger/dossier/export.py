"""Export a matter's dossier (issue 7): collect, integrate if needed, prove, redact, render, zip.

Every entry is proved against ONE checkpoint that covers them all: the newest one, or the newest
covering them that a witness has cosigned, so that ``verify --witness`` can hold. Events not
yet in the tree are integrated first (that signs a checkpoint, so the key directory must be
at hand, as for any append). The zip is verified with ``signing.dossier.verify_dossier`` before
it is returned: an export that would not verify is an error, never a file.

The ledger signs a statement of completeness (``signing.dossier.statement_of``) with the key
that signed the checkpoint (``AKLedger.signer_for``): for each aggregate of the dossier its
highest version among the checkpoint's leaves (as of the position asked for), read from the
store (leaves are append-only, so this is fixed for the checkpoint), not taken from what was
collected; if they differ the export fails rather than sign a statement the dossier contradicts.
Signing needs the key directory, so every export does (not only one that integrates).
So a dossier cut short at the end (its newest versions dropped) no longer verifies.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ledger.application import AKLedger
from ledger.dossier.account import render, shown_events
from ledger.dossier.collect import Collected, StoredEvent, collect
from ledger.dossier.errors import DossierInputError
from ledger.dossier.redaction import Pseudonyms, Redaction, parse_preset, redaction
from ledger.errors import LedgerError, NotFoundError
from ledger.log.cosignatures import cosignature_lines
from ledger.log.integrator import Integrator
from ledger.log.reader import LogReader, StoredCheckpoint
from ledger.log.tables import ledger_keys, log_checkpoints, log_leaves
from signing import keys as key_bytes
from signing import note
from signing.checkpoint import Checkpoint
from signing.dossier import (
    KEY_FIELDS,
    DossierEvent,
    sign_statement,
    statement_of,
    verify_dossier,
    write_dossier,
)
from signing.entry import SealedEvent
from signing.errors import VerificationError

Progress = Callable[[int, int], None]
_COSIGNED_SEARCH = 64  # how many recent checkpoints to look through for a cosigned one


class DossierExportError(LedgerError):
    """The exported dossier did not verify: a bug or a damaged ledger, never a user's input."""


@dataclass(frozen=True)
class ExportRequest:
    matter: str
    redact: tuple[str, ...] = ()
    preset: str | None = None
    as_of_position: int | None = None


@dataclass(frozen=True)
class Exported:
    zip_bytes: bytes
    matter_id: UUID
    events: int
    aggregates: int
    tree_size: int
    withheld: tuple[str, ...]
    pseudonyms: int
    cosigned: bool


def export_dossier(lg: AKLedger, request: ExportRequest, progress: Progress | None = None) -> Exported:
    """The dossier of ``request.matter`` as zip bytes.

    Raises:
        DossierInputError: a bad redact field, preset or position (names it).
        NotFoundError: no such matter (as of that position).
        KeyUnavailableError: the key that signed the checkpoint (for the statement of
            completeness, and for integrating if needed) cannot be loaded.
        DossierExportError: the result does not verify.
    """
    preset = parse_preset(request.preset)
    if request.as_of_position is not None and request.as_of_position < 1:
        raise DossierInputError("as_of_position", f"{request.as_of_position} is not a ledger position (>= 1)")
    origin = lg.settings.log_origin
    with lg.connect() as conn:
        collected = collect(conn, lg.events_table, request.matter, origin, request.as_of_position)
    if any(e.index is None for e in collected.events if not _is_chain(collected, e)):
        Integrator(lg.connect, lg.events_table, origin, lg.signer_for).run_until_caught_up()
        with lg.connect() as conn:
            collected = collect(conn, lg.events_table, request.matter, origin, request.as_of_position)
    needed = max(e.index or 0 for e in collected.events if not _is_chain(collected, e)) + 1
    available = {n for e in collected.events if not _is_chain(collected, e) for n in e.sealed.fields}
    chosen = redaction(request.redact, preset, available)
    with lg.connect() as conn:
        checkpoint, note_text = _checkpoint(conn, lg, needed)
        events = [e for e in collected.events if e.index is not None and e.index < checkpoint.size]
        dossier_events, values, display, pseudonyms = _redact(collected, events, chosen)
        proofs = _proofs(conn, lg, dossier_events, checkpoint.size, progress)
        keys = _keys(conn, collected, checkpoint.size, origin)
        aggregates = [a for a in collected.aggregates if any(e in events for e in a.events)]
        held = {a.id: len([e for e in a.events if e in events]) for a in aggregates}
        stated = _stated_versions(conn, lg, collected, checkpoint.size, request.as_of_position)
    if held != stated:
        raise DossierExportError(
            f"the dossier of matter {collected.matter.id} holds versions {_counts(held)}, but the "
            f"ledger has {_counts(stated)} at tree size {checkpoint.size}: events were appended during "
            "the export; export again"
        )
    cp = Checkpoint(origin, checkpoint.size, checkpoint.root_hash)
    signer = lg.signer_for(checkpoint.key_id)
    statement = sign_statement(
        statement_of(cp, str(collected.matter.id), {str(k): v for k, v in stated.items()},
                     request.as_of_position),
        signer.key_id, signer.private_key,
    )
    dossier_events = [
        DossierEvent(d.index, d.position, d.sealed, proofs[d.index], d.display) for d in dossier_events
    ]
    shown = shown_events(aggregates, values, display, pseudonyms)
    cosigned = len(note.parse_note(note_text).signatures) > 1
    withheld = tuple(sorted(chosen.withheld & available))
    html = render(
        shown, str(collected.matter.id),
        {"origin": origin, "size": checkpoint.size, "root": base64.b64encode(checkpoint.root_hash).decode(),
         "cosignatures": (len(note.parse_note(note_text).signatures) - 1) or "none"},
        {"preset": None if preset is None else preset.value, "fields": withheld},
        collected.unresolved_subjects,
    )
    manifest = {
        "matter": {"id": str(collected.matter.id)},
        "as_of_position": request.as_of_position,
        "exported_at": datetime.now(UTC).isoformat(),
        "aggregates": [{"id": str(a.id), "role": a.role, "topic": a.topic,
                        "versions": held[a.id]} for a in aggregates],
        "redaction": {"preset": None if preset is None else preset.value, "fields": list(withheld)},
        "unresolved_subjects": list(collected.unresolved_subjects),
    }
    data = write_dossier(manifest, dossier_events, note_text, keys, html, statement)
    try:
        verify_dossier(data)
    except VerificationError as exc:
        raise DossierExportError(
            f"the dossier of matter {collected.matter.id} does not verify: {exc}"
        ) from exc
    return Exported(data, collected.matter.id, len(dossier_events), len(aggregates), checkpoint.size,
                    withheld, 0 if pseudonyms is None else len(pseudonyms.names), cosigned)


def _stated_versions(
    conn: Connection, lg: AKLedger, collected: Collected, size: int, as_of: int | None
) -> dict[UUID, int]:
    """Each aggregate's highest version in the tree of ``size`` leaves (the key chain's whatever
    the position; the others' as of ``as_of``), read from the store: what the ledger signs."""
    table = lg.events_table
    chain = collected.aggregates[-1].id
    wanted = [a.id for a in collected.aggregates]
    query = (
        select(table.c.originator_id, func.max(table.c.originator_version))
        .join(log_leaves, log_leaves.c.notification_id == table.c.id)
        .where(table.c.originator_id.in_(wanted), log_leaves.c.idx < size)
        .group_by(table.c.originator_id)
    )
    if as_of is not None:
        query = query.where((table.c.id <= as_of) | (table.c.originator_id == chain))
    found = {}
    for oid, version in conn.execute(query):
        found[oid if isinstance(oid, UUID) else UUID(str(oid))] = int(version)
    return found


def _counts(versions: dict[UUID, int]) -> str:
    return ", ".join(f"{oid}: {n}" for oid, n in sorted(versions.items(), key=lambda kv: str(kv[0])))


def _is_chain(collected: Collected, event: StoredEvent) -> bool:
    return event.originator_id == collected.aggregates[-1].id


def _checkpoint(conn: Connection, lg: AKLedger, needed: int) -> tuple[StoredCheckpoint, str]:
    """The newest checkpoint covering ``needed`` leaves that a witness cosigned, else the newest;
    its note with the cosignature lines held for it."""
    reader = LogReader(conn, lg.events_table)
    latest = reader.latest_checkpoint()
    if latest is None or latest.size < needed:
        raise NotFoundError(
            f"no checkpoint covers the dossier's {needed} leaves (run `akledger log integrate`)"
        )
    sizes = conn.execute(
        select(log_checkpoints.c.size).where(log_checkpoints.c.size >= needed)
        .order_by(log_checkpoints.c.size.desc()).limit(_COSIGNED_SEARCH)
    ).scalars().all()
    for size in sizes:
        lines = cosignature_lines(lg.engine, int(size))
        if lines:
            cp = reader.checkpoint(int(size))
            text = cp.note
            for line in lines:
                text = note.add_signature(text, line if line.endswith("\n") else line + "\n")
            return cp, text
    return latest, latest.note


def _redact(
    collected: Collected, events: Sequence[StoredEvent], chosen: Redaction
) -> tuple[list[DossierEvent], dict[int, dict[str, Any]], dict[int, dict[str, Any]], Pseudonyms | None]:
    pseudonyms = Pseudonyms()
    out: list[DossierEvent] = []
    values: dict[int, dict[str, Any]] = {}
    display: dict[int, dict[str, Any]] = {}
    for e in events:
        chain = _is_chain(collected, e)
        kept = {n: sv for n, sv in e.sealed.fields.items() if chain or n not in chosen.withheld}
        shown = {} if chain else {
            n: pseudonyms.value(v, n.startswith("service_provider"))
            for n, (_, v) in e.sealed.fields.items() if n in chosen.pseudonymised and v is not None
        }
        sealed = SealedEvent(e.sealed.entry, e.sealed.signature, kept, e.sealed.batch)
        assert e.index is not None
        out.append(DossierEvent(e.index, e.position, sealed, (), shown))
        values[e.position] = {n: v for n, (_, v) in kept.items()}
        display[e.position] = shown
    return out, values, display, pseudonyms if chosen.anonymises else None


def _proofs(
    conn: Connection, lg: AKLedger, events: Sequence[DossierEvent], size: int, progress: Progress | None
) -> dict[int, list[bytes]]:
    reader = LogReader(conn, lg.events_table)
    proofs = {}
    for n, e in enumerate(events, 1):
        proofs[e.index] = reader.inclusion_proof(e.index, size)[1]
        if progress is not None:
            progress(n, len(events))
    return proofs


def _keys(conn: Connection, collected: Collected, size: int, origin: str) -> list[dict[str, Any]]:
    """keys.json: each key the chain introduces within the checkpoint, with the leaves it signs."""
    chain = [e for e in collected.aggregates[-1].events if e.index is not None and e.index < size]
    stored = {str(r.key_id): bytes(r.public_key) for r in conn.execute(select(ledger_keys))}
    rows: list[dict[str, Any]] = []
    for n, event in enumerate(chain):
        key_id = str(event.values[KEY_FIELDS[0]])
        public = stored.get(key_id, base64.b64decode(str(event.values[KEY_FIELDS[1]])))
        assert event.index is not None
        following = chain[n + 1].index if n + 1 < len(chain) else None
        rows.append({
            "key_id": key_id,
            "vkey": note.vkey(origin, key_bytes.public_key_from_bytes(public)),
            "valid_from": event.index if n == 0 else event.index + 1,
            "valid_until": following,
            "introduced_by": {"originator_id": str(event.originator_id), "version": event.version},
        })
    return rows
