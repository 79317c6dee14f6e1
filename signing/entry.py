"""Signed ledger entries: the exact bytes that become a Merkle leaf, and their disclosure.

An *entry* is the RFC 8785 encoding of a JSON object that names one stored event
(originator id, version, topic, occurred_at, recorded_at, actor, signing key id) and
commits to each payload field separately::

    commitment(field) = SHA-256(salt || canonical(value))      salt: 16 random bytes

Signatures are Ed25519, made once per save:

- a save of one event signs ``EVENT_SIGNATURE_CONTEXT || entry``;
- a save of n > 1 events signs ``BATCH_SIGNATURE_CONTEXT || root`` once, where ``root`` is the
  RFC 9162 root of the save's entries (leaf ``i`` = ``SHA-256(0x00 || entry_i)``), and each
  event keeps its :class:`BatchPath` (index, size and inclusion path to that root).

Either way one stored event, with its key, verifies on its own. The contexts keep event
signatures apart from each other and from signed notes. A *sealed event* is what the ledger
stores: the entry, its signature (and path), and each field's salt and value (the
*disclosure*).
A dossier can drop a field's salt and value and keep the entry: the entry still verifies
against its signature and the Merkle tree, and the withheld value stays secret because
the salt does.

Everything here is pure: bytes and JSON in, bytes and JSON out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from signing import merkle
from signing.canonical import JSONValue, canonical
from signing.errors import CommitmentError, MalformedInputError, SignatureError

ENTRY_FORMAT = "akledger-entry/v1"
EVENT_SIGNATURE_CONTEXT = b"akledger/event-signature/v1\x00"
BATCH_SIGNATURE_CONTEXT = b"akledger/batch-signature/v1\x00"
SALT_SIZE = 16
HEADER_FIELDS = (
    "originator_id",
    "version",
    "topic",
    "occurred_at",
    "recorded_at",
    "actor",
    "key_id",
)


@dataclass(frozen=True)
class Header:
    """The entry fields that are always disclosed."""

    originator_id: str
    version: int
    topic: str
    occurred_at: str
    recorded_at: str
    actor: Mapping[str, JSONValue]
    key_id: str


@dataclass(frozen=True)
class BatchPath:
    """Where an entry sits in the tree of its save's entries (the signed root)."""

    index: int
    size: int
    path: tuple[bytes, ...]

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "size": self.size, "path": [_b64(h) for h in self.path]}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> BatchPath:
        """Raises MalformedInputError when ``doc`` is not a batch path."""
        try:
            return cls(int(doc["index"]), int(doc["size"]), tuple(_unb64(h) for h in doc["path"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedInputError(f"not a batch path: {exc}") from exc


@dataclass(frozen=True)
class Unsigned:
    """An entry and its disclosure, before the save it belongs to is signed."""

    entry: bytes
    fields: Mapping[str, tuple[bytes, JSONValue]]


@dataclass(frozen=True)
class SealedEvent:
    """An entry, its signature (and batch path) and the disclosure of its payload fields.

    ``fields`` maps a field name to ``(salt, value)``; a redacted field is simply absent.
    """

    entry: bytes
    signature: bytes
    fields: Mapping[str, tuple[bytes, JSONValue]]
    batch_path: BatchPath | Mapping[str, Any] | None = None  # parsed lazily from storage

    @property
    def batch(self) -> BatchPath | None:
        """The batch path, decoded on first use (reading the log rarely needs it).

        Raises:
            MalformedInputError: the stored path is malformed.
        """
        if self.batch_path is None or isinstance(self.batch_path, BatchPath):
            return self.batch_path
        parsed = BatchPath.from_json(self.batch_path)
        object.__setattr__(self, "batch_path", parsed)
        return parsed

    def to_state(self) -> bytes:
        """Serialise for storage (the eventsourcing ``state`` column)."""
        doc: dict[str, Any] = {
            "entry": self.entry.decode("utf-8"),
            "signature": _b64(self.signature),
            "fields": {name: [_b64(salt), value] for name, (salt, value) in self.fields.items()},
        }
        batch = self.batch
        if batch is not None:
            doc["batch"] = batch.as_json()
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def signed_message(self) -> bytes:
        """The exact bytes the signature is over.

        Raises:
            MalformedInputError: the batch path is malformed.
        """
        batch = self.batch
        if batch is None:
            return EVENT_SIGNATURE_CONTEXT + self.entry
        root = merkle.root_from_inclusion(
            merkle.leaf_hash(self.entry), batch.index, batch.size, batch.path
        )
        return BATCH_SIGNATURE_CONTEXT + root

    @classmethod
    def from_state(cls, state: bytes) -> SealedEvent:
        """Parse what :meth:`to_state` wrote.

        Raises:
            MalformedInputError: not a sealed event.
        """
        try:
            doc = json.loads(state)
            fields = {
                str(name): (_unb64(pair[0]), pair[1]) for name, pair in doc["fields"].items()
            }
            batch = doc.get("batch")
            if batch is not None and not isinstance(batch, dict):
                raise TypeError("batch is not an object")
            return cls(doc["entry"].encode("utf-8"), _unb64(doc["signature"]), fields, batch)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise MalformedInputError(f"stored state is not a sealed event: {exc}") from exc


def commitment(salt: bytes, value: JSONValue) -> bytes:
    """SHA-256(salt || canonical(value)).

    Raises:
        MalformedInputError: salt not 16 bytes, or value not canonicalisable.
    """
    if len(salt) != SALT_SIZE:
        raise MalformedInputError(f"salt must be {SALT_SIZE} bytes, got {len(salt)}")
    return hashlib.sha256(salt + canonical(value)).digest()


def build_entry(header: Header, commitments: Mapping[str, bytes]) -> bytes:
    """The canonical entry bytes for a header and per-field commitments."""
    doc: dict[str, Any] = {
        "format": ENTRY_FORMAT,
        "originator_id": header.originator_id,
        "version": header.version,
        "topic": header.topic,
        "occurred_at": header.occurred_at,
        "recorded_at": header.recorded_at,
        "actor": dict(header.actor),
        "key_id": header.key_id,
        "commitments": {name: digest.hex() for name, digest in commitments.items()},
    }
    return canonical(doc)


def prepare(header: Header, payload: Mapping[str, JSONValue]) -> Unsigned:
    """Commit to every payload field with a fresh salt and build the entry.

    Raises:
        MalformedInputError: a payload value is not canonicalisable (floats included).
    """
    salts = os.urandom(SALT_SIZE * len(payload))
    fields: dict[str, tuple[bytes, JSONValue]] = {}
    commitments: dict[str, bytes] = {}
    for i, (name, value) in enumerate(payload.items()):
        salt = salts[i * SALT_SIZE : (i + 1) * SALT_SIZE]
        fields[name] = (salt, value)
        commitments[name] = commitment(salt, value)
    return Unsigned(build_entry(header, commitments), fields)


def sign_save(unsigned: Sequence[Unsigned], key: Ed25519PrivateKey) -> list[SealedEvent]:
    """Sign the entries of one save: alone if there is one, else once over their tree root.

    Precondition: every header names ``key``'s key id (the caller owns that mapping).
    """
    if len(unsigned) == 1:
        (only,) = unsigned
        return [SealedEvent(only.entry, key.sign(EVENT_SIGNATURE_CONTEXT + only.entry), only.fields)]
    leaves = [merkle.leaf_hash(u.entry) for u in unsigned]
    builder = merkle.TreeBuilder()
    nodes: dict[merkle.NodeId, bytes] = {}
    for leaf in leaves:
        nodes.update(builder.append(leaf))
    signature = key.sign(BATCH_SIGNATURE_CONTEXT + builder.root())
    size = len(leaves)
    return [
        SealedEvent(
            u.entry,
            signature,
            u.fields,
            BatchPath(i, size, tuple(
                merkle.proof_from_plan(merkle.inclusion_proof_plan(i, size), nodes)
            )),
        )
        for i, u in enumerate(unsigned)
    ]


def seal(header: Header, payload: Mapping[str, JSONValue], key: Ed25519PrivateKey) -> SealedEvent:
    """Prepare and sign a single event (a save of one)."""
    return sign_save([prepare(header, payload)], key)[0]


def parse_entry(entry: bytes, *, check_canonical: bool = True) -> dict[str, Any]:
    """Parse entry bytes and check they are well formed (and canonical, unless told not to:
    a caller that hashes or verifies the exact bytes anyway may skip that cost).

    Raises:
        MalformedInputError: not JSON, not canonical, wrong format tag or missing fields.
    """
    try:
        doc = json.loads(entry)
    except ValueError as exc:
        raise MalformedInputError(f"entry is not JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != ENTRY_FORMAT:
        raise MalformedInputError(f"entry is not an {ENTRY_FORMAT} object")
    missing = [name for name in (*HEADER_FIELDS, "commitments") if name not in doc]
    if missing:
        raise MalformedInputError(f"entry lacks {', '.join(missing)}")
    if not isinstance(doc["commitments"], dict):
        raise MalformedInputError("entry commitments is not an object")
    if check_canonical and canonical(doc) != entry:
        raise MalformedInputError("entry bytes are not in RFC 8785 canonical form")
    return doc


def verify_disclosure(entry_doc: Mapping[str, Any], fields: Mapping[str, tuple[bytes, Any]]) -> None:
    """Check each disclosed field against its commitment in the parsed entry.

    Fields may be withheld (redacted) but never added.
    Raises:
        CommitmentError: a disclosed field has no commitment, or its value/salt differ.
    """
    commitments: Mapping[str, str] = entry_doc["commitments"]
    for name, (salt, value) in fields.items():
        expected = commitments.get(name)
        if expected is None:
            raise CommitmentError(f"field {name!r} is disclosed but the entry has no commitment")
        try:
            actual = commitment(salt, value)
        except MalformedInputError as exc:
            raise CommitmentError(f"field {name!r}: {exc}") from exc
        if not hmac.compare_digest(actual.hex(), expected):
            raise CommitmentError(f"field {name!r} does not match its commitment")


def verify_signature(sealed: SealedEvent, key: Ed25519PublicKey) -> None:
    """Raises SignatureError unless ``sealed`` carries ``key``'s signature of its entry
    (directly, or of the root its batch path leads to)."""
    try:
        message = sealed.signed_message()
    except MalformedInputError as exc:
        raise SignatureError(f"event batch path is malformed: {exc}") from exc
    verify_message_signature(message, sealed.signature, key)


def verify_message_signature(message: bytes, signature: bytes, key: Ed25519PublicKey) -> None:
    """Raises SignatureError unless ``signature`` is ``key``'s over ``message``."""
    try:
        key.verify(signature, message)
    except InvalidSignature as exc:
        raise SignatureError("event signature does not verify") from exc


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError) as exc:
        raise MalformedInputError(f"bad base64: {exc}") from exc
