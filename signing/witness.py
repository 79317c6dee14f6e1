"""A transparency-log witness: cosigns a log's checkpoints only if each extends the last.

A witness holds its own Ed25519 key and, per log origin, the last checkpoint it cosigned. Offered
a newer checkpoint signed by the log's trusted key and a consistency proof from the last one
(RFC 9162 section 2.1.4), it checks both and returns a timestamped cosignature, signature type
``0x04`` of c2sp.org/tlog-cosignature, over the checkpoint's note text. Clients that require the
cosignatures of witnesses they trust are then protected from a split view: a log showing two
histories to two parties would need every witness to cosign both, and a witness cosigns one.

A checkpoint that does not extend the last one (same size with another root, a proof that does
not verify, a smaller size) is refused, and the witness keeps both signed checkpoints (and the
proof) in its directory: two checkpoints of one size with different roots, both signed by the log,
are proof that the log forked, whoever is shown them.

This module depends only on ``signing``: the witness runs on the auditor's machine, without the
ledger's database. Files: ``witness.key`` (PKCS#8 PEM, 0600), ``state.json`` (name and, per
origin, the last cosigned note; 0600), ``evidence/*.json`` (one per refusal).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signing import keys, merkle, note
from signing.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from signing.errors import MalformedInputError, VerificationError

KEY_FILE = "witness.key"
STATE_FILE = "state.json"
EVIDENCE_DIR = "evidence"
_LOCK_FILE = ".lock"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Evidence:
    """Two checkpoints signed by the log that the witness could not both cosign.

    ``kind`` is ``fork`` (same size, different roots), ``inconsistent`` (the log's consistency
    proof from ``seen`` to ``offered`` does not verify) or ``rollback`` (``offered`` is smaller).
    """

    kind: str
    origin: str
    reason: str
    seen: str
    offered: str
    proof: tuple[bytes, ...] = ()

    def to_json(self, detected_at: datetime) -> dict[str, Any]:
        return {
            "kind": self.kind, "origin": self.origin, "reason": self.reason,
            "detected_at": detected_at.isoformat(), "seen": self.seen, "offered": self.offered,
            "proof": [base64.b64encode(h).decode("ascii") for h in self.proof],
        }


class WitnessRefusalError(VerificationError):
    """The witness will not cosign: the checkpoint does not extend the last one it cosigned.

    ``evidence`` holds both signed checkpoints; ``path`` is where :class:`WitnessDir` kept it.
    """

    def __init__(self, evidence: Evidence) -> None:
        super().__init__(f"{evidence.kind}: {evidence.reason}")
        self.evidence = evidence
        self.path: Path | None = None


class ForkError(WitnessRefusalError):
    """Two checkpoints of the same size with different roots, both signed by the log."""


class InconsistentCheckpointError(WitnessRefusalError):
    """The consistency proof from the last cosigned checkpoint does not verify."""


class RollbackError(WitnessRefusalError):
    """The offered checkpoint is smaller than the last cosigned one."""


@dataclass(frozen=True)
class Cosigned:
    """A cosignature made: the checkpoint, the signature line (with newline), its timestamp and
    the offered note with the line appended."""

    checkpoint: Checkpoint
    line: str
    timestamp: int
    note: str


def check_extends(
    seen: str | None, offered: str, proof: Sequence[bytes], log_key: note.Verifier
) -> Checkpoint:
    """Verify ``offered`` and that it extends ``seen`` (both signed notes of one log).

    The log's signature is required (other signatures are ignored) and the origin must be the
    key's name (c2sp.org/tlog-witness). With no ``seen`` checkpoint the first one is trusted
    on first use. ``proof`` is the consistency proof from ``seen``'s size to ``offered``'s.

    Raises:
        NoteFormatError, SignatureError, UnknownKeyError: ``offered`` is malformed or not signed
            by ``log_key`` (no evidence: anyone can make such a note).
        MalformedInputError: ``log_key`` is not an Ed25519 (0x01) key.
        ForkError, InconsistentCheckpointError, RollbackError: ``offered`` does not extend
            ``seen``; the error carries both notes and the proof as evidence.
    """
    if log_key.alg != note.ALG_ED25519:
        raise MalformedInputError(f"log key {log_key.label} is not an Ed25519 (0x01) key")
    new, _, _ = open_checkpoint(offered, [log_key], origin=log_key.name)
    if seen is None:
        return new
    old = _body(seen)  # verified when it was cosigned; the log may have rotated its key since

    def evidence(kind: str, reason: str) -> Evidence:
        return Evidence(kind, new.origin, reason, seen, offered, tuple(proof))

    if new.size < old.size:
        raise RollbackError(evidence(
            "rollback", f"{new.origin} offered tree size {new.size} after cosigned size {old.size}"))
    if new.size == old.size and new.root_hash != old.root_hash:
        raise ForkError(evidence("fork", (
            f"{new.origin} signed two checkpoints of tree size {new.size} with different roots "
            f"{base64.b64encode(old.root_hash).decode()} and {base64.b64encode(new.root_hash).decode()}")))
    try:
        merkle.verify_consistency(old.size, new.size, proof, old.root_hash, new.root_hash)
    except VerificationError as exc:
        raise InconsistentCheckpointError(evidence(
            "inconsistent", f"{new.origin} tree size {new.size} is not proven to extend size "
            f"{old.size}: {exc}")) from exc
    return new


def _body(signed: str) -> Checkpoint:
    return parse_checkpoint(note.parse_note(signed).text)


@dataclass
class Witness:
    """A witness's key, name and the last note it cosigned per origin (mutable state)."""

    name: str
    key: Ed25519PrivateKey
    seen: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        note.check_name(self.name, "witness name")

    @property
    def vkey(self) -> str:
        """The witness's tlog-cosignature (0x04) verifier key, for logs and clients."""
        return note.cosignature_vkey(self.name, self.key.public_key())

    def last(self, origin: str) -> Checkpoint | None:
        """The last checkpoint cosigned for ``origin`` (not re-verified: the witness wrote it)."""
        seen = self.seen.get(origin)
        if seen is None:
            return None
        return _body(seen)

    def cosign(
        self, offered: str, proof: Sequence[bytes], log_key: note.Verifier, timestamp: int
    ) -> Cosigned:
        """Check ``offered`` with :func:`check_extends` and cosign it at POSIX ``timestamp``.

        On success the offered note becomes the last seen for its origin (the caller persists
        the state before releasing the cosignature). Raises as :func:`check_extends`.
        """
        checkpoint = check_extends(self.seen.get(log_key.name), offered, proof, log_key)
        text = checkpoint.text()
        line = note.cosign(text, self.name, self.key, timestamp)
        self.seen[checkpoint.origin] = offered
        return Cosigned(checkpoint, line, timestamp, note.add_signature(offered, line))


class WitnessDir:
    """A witness's directory: key, state and evidence files, private to its owner."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def init(cls, path: Path, name: str) -> Witness:
        """Create a witness called ``name`` with a fresh key in ``path`` (created 0700).

        Raises:
            NoteFormatError: ``name`` is not a valid key name.
            FileExistsError: ``path`` already holds a witness key.
        """
        witness = Witness(name, keys.generate())
        directory = cls(path)
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if (path / KEY_FILE).exists():
            raise FileExistsError(f"{path / KEY_FILE} exists: this directory already holds a witness")
        _write_private(path / KEY_FILE, keys.private_key_to_pem(witness.key), exclusive=True)
        directory.save(witness)
        return witness

    def load(self) -> Witness:
        """Raises FileNotFoundError (no witness here) or MalformedInputError (damaged files)."""
        key = keys.private_key_from_pem((self.path / KEY_FILE).read_bytes())
        try:
            state = json.loads((self.path / STATE_FILE).read_text("utf-8"))
            name, seen = state["name"], state["logs"]
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedInputError(f"{self.path / STATE_FILE}: not a witness state file: {exc}") from exc
        if not isinstance(name, str) or not isinstance(seen, dict):
            raise MalformedInputError(f"{self.path / STATE_FILE}: not a witness state file")
        return Witness(name, key, {str(k): str(v) for k, v in seen.items()})

    def save(self, witness: Witness) -> None:
        state = {"name": witness.name, "vkey": witness.vkey, "logs": witness.seen}
        _write_private(self.path / STATE_FILE, json.dumps(state, indent=2, sort_keys=True).encode())

    def keep(self, evidence: Evidence, now: datetime) -> Path:
        """Write ``evidence`` to ``evidence/<time>-<kind>-<origin>.json`` (0600); return the path."""
        directory = self.path / EVIDENCE_DIR
        directory.mkdir(mode=0o700, exist_ok=True)
        stem = f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{evidence.kind}-{_UNSAFE.sub('_', evidence.origin)}"
        path = directory / f"{stem}.json"
        _write_private(path, json.dumps(evidence.to_json(now), indent=2).encode(), exclusive=True)
        return path

    @contextmanager
    def locked(self) -> Iterator[Witness]:
        """The loaded witness, with the directory locked against a concurrent run (whose
        consistency proof would start from a checkpoint this run has moved past)."""
        with open(self.path / _LOCK_FILE, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield self.load()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def cosign(
        self, witness: Witness, offered: str, proof: Sequence[bytes], log_key: note.Verifier,
        now: datetime | None = None,
    ) -> Cosigned:
        """Cosign ``offered`` as ``witness`` (loaded by :meth:`locked`, still held) and persist
        the state; on refusal keep the evidence and re-raise.

        Raises as :func:`check_extends`; a refusal's ``path`` names the evidence file.
        """
        now = now or datetime.now(UTC)
        try:
            cosigned = witness.cosign(offered, proof, log_key, int(now.timestamp()))
        except WitnessRefusalError as exc:
            exc.path = self.keep(exc.evidence, now)
            raise
        self.save(witness)  # persisted before the cosignature leaves (c2sp.org/tlog-witness)
        return cosigned


def _write_private(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` readable by its owner only, atomically (temp file + rename)."""
    if exclusive:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
