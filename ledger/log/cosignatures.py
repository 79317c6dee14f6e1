"""Witness cosignatures the ledger holds for its own checkpoints (c2sp.org/tlog-cosignature).

A witness (``signing.witness``) verifies that each checkpoint it sees is consistent with the last
one it cosigned and returns a timestamped Ed25519 cosignature (signature type ``0x04``). The
ledger keeps those lines in ``log_cosignatures`` and appends them to the checkpoint it serves, so
a reader (or a dossier) can require a quorum of witnesses and so rule out a split view.

The ledger accepts a cosignature only from a witness an administrator registered
(``akledger witness add NAME VKEY``, table ``log_witnesses``), and only when it verifies over the
text of a checkpoint the ledger itself signed and stored: a line over any other text fails its
signature check. The cosignature is then its own credential; no bearer token is needed. Both
tables are append-only: a witness cannot be replaced, and a cosignature once held stays held.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from ledger.errors import InvalidFieldError
from ledger.log.tables import ledger_keys, log_checkpoints, log_cosignatures, log_witnesses
from signing import note
from signing.checkpoint import parse_checkpoint
from signing.errors import VerificationError


class CosignatureRefusedError(InvalidFieldError):
    """A witness or cosignature the ledger will not hold; ``field`` names the input at fault
    (``vkey``, ``name``, ``size``, ``cosignature``) and nothing is written."""


@dataclass(frozen=True)
class Witness:
    """A registered witness: key name, C2SP key id (hex) and its ``0x04`` vkey."""

    name: str
    key_id: str
    vkey: str


@dataclass(frozen=True)
class HeldCosignature:
    """A cosignature line held for the checkpoint of ``size``; ``new`` if this call stored it."""

    size: int
    witness: str
    key_id: str
    timestamp: int
    line: str
    new: bool


def add_witness(engine: Engine, vkey: str, now: datetime | None = None) -> Witness:
    """Register the witness of the tlog-cosignature ``vkey`` (``name+hex8+base64(0x04||key)``).

    Registering the same vkey again is a no-op.

    Raises:
        CosignatureRefusedError: ``vkey`` does not parse or is not a ``0x04`` key (field
            ``vkey``), or its name is registered with another key (field ``name``).
    """
    try:
        verifier = note.parse_vkey(vkey.strip())
    except VerificationError as exc:
        raise CosignatureRefusedError("vkey", str(exc)) from exc
    if verifier.alg != note.ALG_COSIGNATURE_V1:
        raise CosignatureRefusedError(
            "vkey", f"{verifier.label} is signature type 0x{verifier.alg:02x}, not a "
            "tlog-cosignature (0x04) key (make it with `akledger witness vkey`)")
    canonical = note.cosignature_vkey(verifier.name, verifier.public_key)
    witness = Witness(verifier.name, verifier.key_id.hex(), canonical)
    with engine.begin() as conn:
        if verifier.name in set(conn.execute(select(ledger_keys.c.name)).scalars()):
            raise CosignatureRefusedError(
                "name", f"{verifier.name} is the ledger's own key name; a witness needs its own")
        existing = _witness(conn, verifier.name)
        if existing is None:
            conn.execute(insert(log_witnesses).values(
                name=witness.name, key_id=witness.key_id, vkey=witness.vkey,
                added_at=now or datetime.now(UTC)))
            return witness
    if existing != witness:
        raise CosignatureRefusedError(
            "name", f"witness {verifier.name} is already registered with key {existing.key_id}; "
            "witnesses are append-only, register the new key under another name")
    return existing


def witnesses(engine: Engine) -> list[Witness]:
    """The registered witnesses, by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(log_witnesses).order_by(log_witnesses.c.name)).all()
    return [Witness(str(r.name), str(r.key_id), str(r.vkey)) for r in rows]


def _witness(conn: Connection, name: str) -> Witness | None:
    row = conn.execute(select(log_witnesses).where(log_witnesses.c.name == name)).first()
    return None if row is None else Witness(str(row.name), str(row.key_id), str(row.vkey))


def checkpoint_text(conn: Connection, size: int) -> str:
    """The note text of the ledger's own signed checkpoint of tree ``size``.

    Raises:
        CosignatureRefusedError: the ledger signed no checkpoint of that size (field ``size``).
    """
    stored = conn.execute(
        select(log_checkpoints.c.note).where(log_checkpoints.c.size == size)
    ).scalar()
    if stored is None:
        raise CosignatureRefusedError("size", f"the ledger signed no checkpoint of tree size {size}")
    return note.parse_note(str(stored)).text


def record_cosignature(
    engine: Engine, size: int, line: str, now: datetime | None = None
) -> HeldCosignature:
    """Verify the cosignature ``line`` over the ledger's checkpoint of ``size`` and hold it.

    A witness's second cosignature of the same checkpoint is not stored (the first stays);
    the one held is returned with ``new`` False.

    Raises:
        CosignatureRefusedError: no checkpoint of ``size`` (field ``size``); the line does not
            parse, is not by a registered witness's key, or does not verify over that
            checkpoint's text (field ``cosignature``).
    """
    return record_cosignatures(engine, size, [line], now)[0]


def record_cosignatures(
    engine: Engine, size: int, lines: Sequence[str], now: datetime | None = None
) -> list[HeldCosignature]:
    """:func:`record_cosignature` for several lines: all are verified before any is stored."""
    if not lines:
        raise CosignatureRefusedError("cosignatures", "no cosignature given")
    sigs = []
    for line in lines:
        try:
            sigs.append(note.parse_signature_line(line))
        except VerificationError as exc:
            raise CosignatureRefusedError("cosignature", str(exc)) from exc
    try:
        return _verify_and_insert(engine, size, sigs, now or datetime.now(UTC))
    except IntegrityError:  # the same witness posted concurrently: its first line stays
        with engine.connect() as conn:
            held = [_held(conn, size, sig) for sig in sigs]
        if any(h is None for h in held):
            raise
        return [h for h in held if h is not None]


def record_cosigned_note(
    engine: Engine, cosigned: str, now: datetime | None = None
) -> list[HeldCosignature]:
    """Hold the cosignatures on ``cosigned``: one of the ledger's checkpoints, as served, with
    witness cosignature lines appended (what ``akledger witness cosign`` posts).

    The note's text must be exactly the text of the checkpoint the ledger signed for its tree
    size; every signature line but the ledger's own must be a valid registered cosignature.

    Raises:
        CosignatureRefusedError: field ``checkpoint`` (malformed, not a checkpoint the ledger
            signed, no cosignature on it) or ``cosignature`` (as :func:`record_cosignature`).
    """
    try:
        parsed = note.parse_note(cosigned)
        size = parse_checkpoint(parsed.text).size
    except VerificationError as exc:
        raise CosignatureRefusedError("checkpoint", str(exc)) from exc
    with engine.connect() as conn:
        try:
            text = checkpoint_text(conn, size)
        except CosignatureRefusedError as exc:
            raise CosignatureRefusedError("checkpoint", exc.reason) from exc
        ledger_names = set(conn.execute(select(ledger_keys.c.name)).scalars())
    if not hmac.compare_digest(parsed.text.encode(), text.encode()):
        raise CosignatureRefusedError(
            "checkpoint", f"is not the checkpoint of tree size {size} that the ledger signed")
    lines = [s.line() for s in parsed.signatures if s.name not in ledger_names]
    if not lines:
        raise CosignatureRefusedError("checkpoint", "carries no witness cosignature")
    return record_cosignatures(engine, size, lines, now)


def _verify_and_insert(
    engine: Engine, size: int, sigs: Sequence[note.Signature], now: datetime
) -> list[HeldCosignature]:
    held: list[HeldCosignature] = []
    with engine.begin() as conn:
        text = checkpoint_text(conn, size)
        for sig in sigs:
            timestamp = _verify(conn, text, size, sig)
            existing = _held(conn, size, sig)
            if existing is not None:
                held.append(existing)
                continue
            encoded = sig.line().rstrip("\n")
            conn.execute(insert(log_cosignatures).values(
                size=size, witness=sig.name, key_id=sig.key_id.hex(), timestamp=timestamp,
                line=encoded, recorded_at=now))
            held.append(HeldCosignature(size, sig.name, sig.key_id.hex(), timestamp, encoded, new=True))
    return held


def _verify(conn: Connection, text: str, size: int, sig: note.Signature) -> int:
    witness = _witness(conn, sig.name)
    if witness is None or witness.key_id != sig.key_id.hex():
        raise CosignatureRefusedError(
            "cosignature", f"{sig.label} is not a registered witness key "
            "(`akledger witness add NAME VKEY` registers one)")
    try:
        return note.verify_cosignature(text, sig, note.parse_vkey(witness.vkey))
    except VerificationError as exc:
        raise CosignatureRefusedError(
            "cosignature", f"{sig.label} does not verify over the ledger's checkpoint of tree size "
            f"{size}: {exc}") from exc


def _held(conn: Connection, size: int, sig: note.Signature) -> HeldCosignature | None:
    row = conn.execute(select(log_cosignatures).where(
        log_cosignatures.c.size == size, log_cosignatures.c.witness == sig.name,
        log_cosignatures.c.key_id == sig.key_id.hex())).first()
    if row is None:
        return None
    return HeldCosignature(size, str(row.witness), str(row.key_id), int(row.timestamp),
                           str(row.line), new=False)


def cosignature_lines(engine: Engine, size: int) -> list[str]:
    """The cosignature lines held for the checkpoint of tree ``size``, in the order received.

    Each is a C2SP signature line ``— <witness name> <base64>`` WITHOUT its final newline;
    empty if the ledger holds none (or signed no checkpoint of that size).
    """
    with engine.connect() as conn:
        return _lines(conn, size)


def _lines(conn: Connection, size: int) -> list[str]:
    rows = conn.execute(select(log_cosignatures.c.line).where(log_cosignatures.c.size == size)
                        .order_by(log_cosignatures.c.id))
    return [str(line) for line in rows.scalars()]


def cosigned_note(engine: Engine, signed_note: str, size: int) -> str:
    """``signed_note`` (the ledger's checkpoint of ``size``) with the held cosignatures appended.

    The result is still a valid C2SP signed note: the ledger's own signature comes first, and
    the first cosignatures held are kept within signed-note's cap on signatures per note.
    """
    room = note.MAX_SIGNATURES - len(note.parse_note(signed_note).signatures)
    for line in cosignature_lines(engine, size)[: max(room, 0)]:
        signed_note = note.add_signature(signed_note, line + "\n")
    return signed_note
