"""Referral dossiers: a zip anyone can verify offline, and its verifier.

A dossier (``akledger-dossier/v1``) proves that a matter's history, and every event it
touches, is in the signed ledger, with some fields possibly withheld. Layout::

    manifest.json          what is in it: the matter, each aggregate with its number of versions
                           (all of versions 1..n must be present), each event's file and proof
    events/<index>.json    one sealed event: entry, signature (and batch path), the disclosed
                           fields' salts and values; "display" holds pseudonyms shown in place
                           of withheld values (unverified, for people)
    proofs/<index>.tlog-proof   its inclusion proof, C2SP tlog-proof@v1, with the checkpoint
    checkpoint             the one checkpoint every proof is against (signed note, cosignatures)
    keys.json              the ledger's keys valid for the events, from the key chain
    statement.json         the ledger's signed statement of completeness (below)
    index.html             a human-readable account (not verified: the events are)

The key chain (``LedgerInitialised`` and each ``SigningKeyRotated``, aggregate role
``keychain``) travels in the dossier like any other event, so each key's validity is proved
by the checkpoint, not asserted. Verification (:func:`verify_dossier`) uses only this module,
the other ``signing`` modules and ``cryptography``: no database, no key directory, no network.
It returns a :class:`Report` or raises a :mod:`signing.errors` error naming what is wrong.

The statement of completeness closes what the events alone cannot prove: that nothing was cut
from the *end* of a history (a gap shows, a missing tail does not). At export the ledger signs,
with its key in force at the checkpoint (the key that signed the checkpoint), the RFC 8785
canonical JSON of ``{format, origin, tree_size, root_hash, matter: {id, versions}, as_of_position,
aggregates: [{id, versions}]}``, prefixed by :data:`STATEMENT_DOMAIN` so the signature can never be
taken for an entry's or a note's: the matter's versions are *all* it had at the checkpoint (as of
the position asked for), and every aggregate's stated version is its highest there. The verifier
requires the statement, checks it names this dossier's checkpoint and matter, verifies it under
the key chain's key in force at the checkpoint (pinned by ``trusted_keys`` like the checkpoint),
and requires exactly versions 1..n of every stated aggregate: a dropped tail is named (``the
matter X: versions 4..5 stated by the ledger are left out``).
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signing import merkle, note
from signing.canonical import canonical
from signing.checkpoint import Checkpoint, parse_checkpoint
from signing.entry import BatchPath, SealedEvent, parse_entry, verify_disclosure, verify_signature
from signing.errors import (
    CommitmentError,
    DossierFormatError,
    DossierIncompleteError,
    EntryAlteredError,
    MalformedInputError,
    NoteFormatError,
    RootMismatchError,
    SignatureError,
    UnknownKeyError,
    WitnessError,
)

DOSSIER_FORMAT = "akledger-dossier/v1"
PROOF_HEADER = "c2sp.org/tlog-proof@v1"
MANIFEST = "manifest.json"
CHECKPOINT = "checkpoint"
KEYS = "keys.json"
STATEMENT = "statement.json"
STATEMENT_FORMAT = "akledger-dossier-statement/v1"
STATEMENT_DOMAIN = b"akledger/dossier-statement/v1\0"  # domain separation of the signed bytes
INDEX_HTML = "index.html"
KEYCHAIN_ROLE = "keychain"
MATTER_ROLE = "matter"
KEY_FIELDS = ("key_id", "public_key")
MAX_MEMBER_SIZE = 64 << 20  # no single part of a dossier is anywhere near this
MAX_TOTAL_SIZE = 512 << 20
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same export gives the same bytes


# -- tlog-proof (c2sp.org/tlog-proof) ---------------------------------------------------------
@dataclass(frozen=True)
class TlogProof:
    """An inclusion proof for leaf ``index`` in the tree of ``checkpoint`` (a signed note)."""

    index: int
    hashes: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def text(self) -> str:
        lines = [PROOF_HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode("ascii"))
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(h).decode("ascii") for h in self.hashes)
        return "\n".join(lines) + "\n\n" + self.checkpoint


def parse_tlog_proof(text: str) -> TlogProof:
    """Parse a ``c2sp.org/tlog-proof@v1`` proof (the checkpoint is kept verbatim, unverified).

    Raises:
        NoteFormatError: wrong header, a bad ``extra`` or ``index`` line, a hash line that is
            not canonical base64 of 32 bytes, no empty line before the checkpoint.
    """
    head, sep, checkpoint = text.partition("\n\n")
    if not sep:
        raise NoteFormatError("tlog-proof: no empty line before the checkpoint")
    lines = head.split("\n")
    if lines[0] != PROOF_HEADER:
        raise NoteFormatError(f"tlog-proof: first line is not {PROOF_HEADER}")
    rest = lines[1:]
    extra = None
    if rest and rest[0].startswith("extra "):
        extra = note.decode_base64(rest[0][len("extra "):], "tlog-proof extra")
        rest = rest[1:]
    if not rest or not rest[0].startswith("index "):
        raise NoteFormatError("tlog-proof: no index line")
    digits = rest[0][len("index "):]
    if not digits.isascii() or not digits.isdigit() or (digits != "0" and digits.startswith("0")):
        raise NoteFormatError(f"tlog-proof: index {digits!r} is not a decimal without leading zeros")
    hashes = []
    for n, line in enumerate(rest[1:], 1):
        raw = note.decode_base64(line, f"tlog-proof hash line {n}")
        if len(raw) != merkle.HASH_SIZE:
            raise NoteFormatError(f"tlog-proof hash line {n}: {len(raw)} bytes, not 32")
        hashes.append(raw)
    return TlogProof(int(digits), tuple(hashes), checkpoint, extra)


# -- what the exporter hands the writer -------------------------------------------------------
@dataclass(frozen=True)
class DossierEvent:
    """One event as it goes into a dossier: its sealed form (redacted fields already dropped),
    leaf index, ledger position, inclusion proof against the dossier's checkpoint, and the
    pseudonyms to display in place of withheld values."""

    index: int
    position: int
    sealed: SealedEvent
    proof: Sequence[bytes]
    display: Mapping[str, Any] = field(default_factory=dict)


def event_path(index: int) -> str:
    return f"events/{index:012d}.json"


def proof_path(index: int) -> str:
    return f"proofs/{index:012d}.tlog-proof"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def event_json(event: DossierEvent) -> dict[str, Any]:
    sealed = event.sealed
    batch = sealed.batch
    return {
        "index": event.index,
        "position": event.position,
        "entry": sealed.entry.decode("utf-8"),
        "signature": _b64(sealed.signature),
        "batch": None if batch is None else batch.as_json(),
        "fields": {
            name: {"salt": _b64(salt), "value": value} for name, (salt, value) in sealed.fields.items()
        },
        "display": dict(event.display),
    }


def write_dossier(
    manifest: Mapping[str, Any],
    events: Sequence[DossierEvent],
    checkpoint_note: str,
    keys: Sequence[Mapping[str, Any]],
    index_html: str,
    statement: Mapping[str, Any] | None = None,
) -> bytes:
    """The dossier zip. ``manifest`` holds ``matter``, ``aggregates`` and anything else the
    exporter records; ``format``, ``tree_size`` and the ``events`` list are filled in here.
    ``statement``: the signed statement of completeness (:func:`sign_statement`); a dossier
    without one does not verify.

    Raises:
        NoteFormatError: ``checkpoint_note`` is not a checkpoint.
    """
    checkpoint = parse_checkpoint(note.parse_note(checkpoint_note).text)
    listing = []
    for e in events:
        doc = json.loads(e.sealed.entry)
        listing.append({"originator_id": doc["originator_id"], "version": doc["version"],
                        "index": e.index, "file": event_path(e.index), "proof": proof_path(e.index)})
    full = {**manifest, "format": DOSSIER_FORMAT, "origin": checkpoint.origin,
            "tree_size": checkpoint.size, "events": listing}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        def put(name: str, text: str) -> None:
            zf.writestr(zipfile.ZipInfo(name, _ZIP_TIME), text.encode("utf-8"), zipfile.ZIP_DEFLATED)

        put(MANIFEST, _dump(full))
        put(CHECKPOINT, checkpoint_note)
        put(KEYS, _dump({"keys": list(keys)}))
        if statement is not None:
            put(STATEMENT, _dump(dict(statement)))
        for e in events:
            put(event_path(e.index), _dump(event_json(e)))
            put(proof_path(e.index), TlogProof(e.index, tuple(e.proof), checkpoint_note).text())
        put(INDEX_HTML, index_html)
    return buffer.getvalue()


def statement_of(
    checkpoint: Checkpoint, matter_id: str, versions: Mapping[str, int], as_of_position: int | None
) -> dict[str, Any]:
    """The statement of completeness: ``versions`` maps each aggregate id of the dossier (the
    matter's among them) to its highest version at ``checkpoint`` (as of the position)."""
    return {
        "format": STATEMENT_FORMAT,
        "origin": checkpoint.origin,
        "tree_size": checkpoint.size,
        "root_hash": _b64(checkpoint.root_hash),
        "as_of_position": as_of_position,
        "matter": {"id": matter_id, "versions": versions[matter_id]},
        "aggregates": [{"id": oid, "versions": n} for oid, n in sorted(versions.items())],
    }


def statement_bytes(statement: Mapping[str, Any]) -> bytes:
    """What the ledger signs: :data:`STATEMENT_DOMAIN` then the RFC 8785 form of ``statement``.

    Raises:
        MalformedInputError: ``statement`` cannot be canonicalised (a float, a non-str key ...).
    """
    return STATEMENT_DOMAIN + canonical(dict(statement))


def sign_statement(
    statement: Mapping[str, Any], key_id: str, private_key: Ed25519PrivateKey
) -> dict[str, Any]:
    """statement.json: the statement, the signing key's id and its Ed25519 signature."""
    signature = private_key.sign(statement_bytes(statement))
    return {"statement": dict(statement), "key_id": key_id, "signature": _b64(signature)}


def _dump(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


# -- verification -----------------------------------------------------------------------------
@dataclass
class Report:
    """What a dossier proved."""

    origin: str
    tree_size: int
    matter_id: str
    events: int
    aggregates: int
    keys: list[str]
    trusted: bool  # the checkpoint is signed by a key the caller trusts (else self-consistent only)
    witnesses: list[str]
    redacted: dict[str, list[str]]  # event id -> withheld fields
    displayed: dict[str, list[str]]  # event id -> fields shown as pseudonyms (unverified)
    stated: dict[str, int] = field(default_factory=dict)  # aggregate id -> versions the ledger signed


@dataclass(frozen=True)
class _Key:
    key_id: str
    verifier: note.Verifier
    valid_from: int  # first leaf index it signs
    valid_until: int | None  # last leaf index it signs (its successor's introduction), None: in force


@dataclass(frozen=True)
class _Event:
    event_id: str
    index: int
    doc: Mapping[str, Any]
    sealed: SealedEvent
    proof: TlogProof
    display: Mapping[str, Any]


class _Zip:
    """Reads members of an untrusted zip with size limits; format problems are DossierFormatError."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise DossierFormatError(f"not a zip file: {exc}") from exc
        if sum(i.file_size for i in infos) > MAX_TOTAL_SIZE:
            raise DossierFormatError(f"the dossier expands to more than {MAX_TOTAL_SIZE} bytes")
        self.names = {i.filename for i in infos}

    def text(self, name: str) -> str:
        if name not in self.names:
            raise DossierFormatError(f"{name} is not in the dossier")
        info = self.zf.getinfo(name)
        if info.file_size > MAX_MEMBER_SIZE:
            raise DossierFormatError(f"{name} is larger than {MAX_MEMBER_SIZE} bytes")
        try:
            return self.zf.read(name).decode("utf-8")
        except (zipfile.BadZipFile, UnicodeDecodeError, OSError, ValueError) as exc:
            raise DossierFormatError(f"{name} cannot be read: {exc}") from exc

    def json(self, name: str) -> Any:
        try:
            return json.loads(self.text(name))
        except ValueError as exc:
            raise DossierFormatError(f"{name} is not JSON: {exc}") from exc


def verify_dossier(
    zip_bytes: bytes,
    trusted_keys: Sequence[str] = (),
    witness_keys: Sequence[str] = (),
) -> Report:
    """Verify a dossier offline.

    ``trusted_keys``: vkeys of the ledger (``akledger keys vkey``); when given, the checkpoint
    must carry a valid signature by one of them. ``witness_keys``: tlog-cosignature vkeys whose
    cosignature the checkpoint must carry.

    Raises:
        DossierFormatError: not a dossier, or a vkey argument is malformed (bad input).
        CommitmentError: a disclosed value differs from its commitment (a value was changed).
        DossierIncompleteError: a listed event is absent, a version of an aggregate is left out
            (a gap, or a tail the ledger's statement of completeness names), or the dossier holds
            no statement for its checkpoint and matter.
        EntryAlteredError: an entry matches neither its signature nor the checkpoint.
        RootMismatchError: an inclusion proof does not lead to the checkpoint (a hash altered).
        UnknownKeyError: the checkpoint, the statement or an event is signed by a key not valid
            for it.
        SignatureError: a signature does not verify (the statement's: it was altered or forged).
        WitnessError: a required witness cosignature is missing or invalid.
    """
    trusted = [_vkey(v, "trusted key") for v in trusted_keys]
    witnesses = [_vkey(v, "witness key") for v in witness_keys]
    archive = _Zip(zip_bytes)
    manifest = _manifest(archive.json(MANIFEST))
    checkpoint_note = archive.text(CHECKPOINT)
    try:
        parsed_note = note.parse_note(checkpoint_note)
        checkpoint = parse_checkpoint(parsed_note.text)
    except NoteFormatError as exc:
        raise DossierFormatError(f"{CHECKPOINT}: {exc}") from exc
    if checkpoint.origin != manifest["origin"] or checkpoint.size != manifest["tree_size"]:
        raise DossierFormatError("manifest origin or tree size differs from the checkpoint's")
    events = [_read_event(archive, listed, checkpoint_note) for listed in manifest["events"]]
    _check_listing(archive, manifest, events)
    keys = _key_chain(archive, checkpoint.origin, events, manifest)
    for event in events:
        _verify_event(event, keys, checkpoint)
    in_force = _verify_checkpoint(checkpoint_note, checkpoint, keys, trusted)
    stated = _verify_statement(archive, checkpoint, in_force, manifest)
    witnessed = _verify_witnesses(parsed_note, witnesses)
    redacted = {e.event_id: sorted(set(e.doc["commitments"]) - set(e.sealed.fields)) for e in events}
    return Report(
        origin=checkpoint.origin, tree_size=checkpoint.size, matter_id=manifest["matter"]["id"],
        events=len(events), aggregates=len(manifest["aggregates"]),
        keys=[k.verifier.label for k in keys], trusted=bool(trusted), witnesses=witnessed,
        redacted={k: v for k, v in redacted.items() if v},
        displayed={e.event_id: sorted(e.display) for e in events if e.display},
        stated=stated,
    )


def _vkey(text: str, what: str) -> note.Verifier:
    try:
        return note.parse_vkey(text.strip())
    except NoteFormatError as exc:
        raise DossierFormatError(f"{what} {text.strip()!r}: {exc}") from exc


def _manifest(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict) or doc.get("format") != DOSSIER_FORMAT:
        raise DossierFormatError(f"{MANIFEST} is not an {DOSSIER_FORMAT} manifest")
    try:
        if not isinstance(doc["matter"]["id"], str) or not isinstance(doc["origin"], str):
            raise TypeError("matter id and origin must be strings")
        _int(doc["tree_size"])
        for agg in doc["aggregates"]:
            (agg["id"], agg["role"], _int(agg["versions"]))
        for listed in doc["events"]:
            (listed["originator_id"], _int(listed["version"]), _int(listed["index"]),
             str(listed["file"]), str(listed["proof"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise DossierFormatError(f"{MANIFEST} is malformed: {exc!r}") from exc
    return doc


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{value!r} is not a non-negative integer")
    return value


def _read_event(archive: _Zip, listed: Mapping[str, Any], checkpoint_note: str) -> _Event:
    event_id = f"{listed['originator_id']} v{listed['version']}"
    where = f"event {event_id} (leaf {listed['index']})"
    for name in (listed["file"], listed["proof"]):
        if name not in archive.names:
            raise DossierIncompleteError(
                f"{where}: listed in the manifest but {name} is not in the dossier (an entry was removed)"
            )
    doc = archive.json(listed["file"])
    proof_text = archive.text(listed["proof"])
    try:
        fields = {
            str(name): (base64.b64decode(pair["salt"], validate=True), pair["value"])
            for name, pair in doc["fields"].items()
        }
        batch = None if doc["batch"] is None else BatchPath.from_json(doc["batch"])
        sealed = SealedEvent(doc["entry"].encode("utf-8"), base64.b64decode(doc["signature"], validate=True),
                             fields, batch)
        display = doc.get("display") or {}
        if not isinstance(display, dict) or _int(doc["index"]) != listed["index"]:
            raise ValueError("display is not an object, or the index differs from the manifest's")
        entry = parse_entry(sealed.entry)
        proof = parse_tlog_proof(proof_text)
    except (KeyError, TypeError, ValueError, AttributeError, MalformedInputError) as exc:
        raise DossierFormatError(f"{where}: malformed: {exc}") from exc
    if (entry["originator_id"], entry["version"]) != (listed["originator_id"], listed["version"]):
        raise DossierFormatError(
            f"{where}: the manifest lists it, but its entry is {entry['originator_id']} v{entry['version']}"
        )
    if proof.index != listed["index"]:
        raise DossierFormatError(f"{where}: its proof is for leaf {proof.index}")
    if proof.checkpoint != checkpoint_note:
        raise DossierFormatError(f"{where}: its proof is against another checkpoint than the dossier's")
    return _Event(event_id, listed["index"], entry, sealed, proof, display)


def _check_listing(archive: _Zip, manifest: Mapping[str, Any], events: Sequence[_Event]) -> None:
    """Every aggregate's versions 1..n are present, and every event file is listed."""
    by_aggregate: dict[str, set[int]] = {}
    for e in events:
        by_aggregate.setdefault(e.doc["originator_id"], set()).add(e.doc["version"])
    roles = [agg["role"] for agg in manifest["aggregates"]]
    if roles.count(MATTER_ROLE) != 1 or manifest["matter"]["id"] not in {
        agg["id"] for agg in manifest["aggregates"] if agg["role"] == MATTER_ROLE
    }:
        raise DossierFormatError("the manifest must list the matter as its one aggregate of role 'matter'")
    listed_ids = {agg["id"] for agg in manifest["aggregates"]}
    for agg in manifest["aggregates"]:
        present = by_aggregate.get(agg["id"], set())
        wanted = set(range(1, agg["versions"] + 1))
        if not wanted <= present:
            left_out = sorted(wanted - present)
            what = "the matter" if agg["role"] == MATTER_ROLE else f"{agg['role']} aggregate"
            raise DossierIncompleteError(
                f"{what} {agg['id']}: version(s) {', '.join(map(str, left_out))} of its history "
                f"1..{agg['versions']} are left out of the dossier"
            )
        if present - wanted:
            raise DossierFormatError(f"aggregate {agg['id']}: versions beyond the {agg['versions']} listed")
    strays = set(by_aggregate) - listed_ids
    if strays:
        raise DossierFormatError(f"events of unlisted aggregates: {', '.join(sorted(strays))}")
    files = {e["file"] for e in manifest["events"]} | {e["proof"] for e in manifest["events"]}
    unlisted = sorted(n for n in archive.names if n.startswith(("events/", "proofs/")) and n not in files)
    if unlisted:
        raise DossierFormatError(f"files not listed in the manifest: {', '.join(unlisted[:5])}")


def _key_chain(
    archive: _Zip, origin: str, events: Sequence[_Event], manifest: Mapping[str, Any]
) -> list[_Key]:
    """The ledger's keys, proved by the key-chain events the dossier carries."""
    chain_ids = [agg["id"] for agg in manifest["aggregates"] if agg["role"] == KEYCHAIN_ROLE]
    if len(chain_ids) != 1:
        raise DossierFormatError("the manifest must list exactly one aggregate of role 'keychain'")
    chain = sorted(
        (e for e in events if e.doc["originator_id"] == chain_ids[0]), key=lambda e: e.doc["version"]
    )
    doc = archive.json(KEYS)
    listed = doc.get("keys") if isinstance(doc, dict) else None
    if not chain or not isinstance(listed, list) or len(listed) != len(chain):
        raise DossierFormatError(f"{KEYS} must list one key per key-chain event ({len(chain)})")
    keys: list[_Key] = []
    for n, (event, row) in enumerate(zip(chain, listed, strict=True)):
        missing = [f for f in KEY_FIELDS if f not in event.sealed.fields]
        if missing:
            raise DossierFormatError(f"key-chain event {event.event_id} withholds {', '.join(missing)}")
        key_id, public = (event.sealed.fields[f][1] for f in KEY_FIELDS)
        try:
            verifier = note.Verifier.from_public_key(
                origin, note.parse_vkey(row["vkey"]).public_key
            )
            if base64.b64encode(verifier.public_key.public_bytes_raw()).decode() != public:
                raise ValueError(f"vkey is not the key {event.event_id} introduces")
            if row["key_id"] != key_id or verifier.key_id.hex() != key_id:
                raise ValueError(f"key id {row['key_id']} is not {key_id}")
        except (KeyError, TypeError, ValueError, MalformedInputError) as exc:
            raise DossierFormatError(f"{KEYS} key {n + 1}: {exc}") from exc
        start = event.index if n == 0 else event.index + 1
        keys.append(_Key(key_id, verifier, start, None))
        if n > 0:
            keys[n - 1] = _Key(keys[n - 1].key_id, keys[n - 1].verifier, keys[n - 1].valid_from, event.index)
    for key, row in zip(keys, listed, strict=True):  # the stated validity, if any, is the proved one
        stated = (row.get("valid_from", key.valid_from), row.get("valid_until", key.valid_until))
        if stated != (key.valid_from, key.valid_until):
            raise DossierFormatError(
                f"{KEYS} key {key.key_id}: states leaves {stated[0]}..{stated[1]}, but the key chain "
                f"makes it valid for {key.valid_from}..{key.valid_until}"
            )
    return keys


def _key_for_event(keys: Sequence[_Key], index: int) -> _Key | None:
    for key in keys:
        if key.valid_from <= index and (key.valid_until is None or index <= key.valid_until):
            return key
    return None


def _verify_event(event: _Event, keys: Sequence[_Key], checkpoint: Checkpoint) -> None:
    where = f"event {event.event_id} (leaf {event.index})"
    try:
        verify_disclosure(event.doc, event.sealed.fields)
    except CommitmentError as exc:
        raise CommitmentError(f"{where}: value changed: {exc}") from exc
    withheld = sorted(set(event.doc["commitments"]) - set(event.sealed.fields))
    for name in event.display:
        if name not in withheld:
            raise DossierFormatError(f"{where}: displays {name!r}, which is not a withheld field")
    key = _key_for_event(keys, event.index)
    if key is None or key.key_id != event.doc["key_id"]:
        valid = "no key" if key is None else f"key {key.key_id}"
        raise UnknownKeyError(f"{where}: signed by key {event.doc['key_id']}, but {valid} of the "
                              "key chain is valid at that position")
    if event.index >= checkpoint.size:
        raise DossierFormatError(f"{where}: beyond the checkpoint's tree size {checkpoint.size}")
    try:
        verify_signature(event.sealed, key.verifier.public_key)
    except SignatureError as exc:
        if withheld:
            raise EntryAlteredError(
                f"{where}: its entry does not match its signature: a commitment of a redacted field "
                f"({', '.join(withheld)}) or another part of the entry was altered"
            ) from exc
        raise EntryAlteredError(f"{where}: its entry (or batch path) does not match its signature") from exc
    leaf = merkle.leaf_hash(event.sealed.entry)
    try:
        merkle.verify_inclusion(leaf, event.index, checkpoint.size, event.proof.hashes, checkpoint.root_hash)
    except (RootMismatchError, MalformedInputError) as exc:
        raise RootMismatchError(
            f"{where}: its inclusion proof does not lead to the checkpoint root of tree size "
            f"{checkpoint.size} (a proof hash was altered): {exc}"
        ) from exc


def _verify_checkpoint(
    checkpoint_note: str, checkpoint: Checkpoint, keys: Sequence[_Key], trusted: Sequence[note.Verifier]
) -> _Key:
    """Verify the checkpoint's signature by the key in force; returns that key."""
    # The checkpoint is signed by the key in force after its last entry (ledger.signing_keys):
    # the last key introduced at or before it (a rotated-in key's valid_from is its introduction + 1).
    in_force = [k for k in keys if k is keys[0] or k.valid_from <= checkpoint.size][-1]
    try:
        note.open_note(checkpoint_note, [in_force.verifier])
    except UnknownKeyError as exc:
        raise UnknownKeyError(
            f"the checkpoint of tree size {checkpoint.size} is not signed by the ledger key in force "
            f"({in_force.verifier.label}); it is signed by an unknown key: {exc}"
        ) from exc
    except SignatureError as exc:
        raise SignatureError(
            f"the checkpoint's signature by {in_force.verifier.label} is invalid: {exc}"
        ) from exc
    # A trusted key anywhere in the chain pins it: each later key is introduced by an event its
    # predecessor signed, and the checkpoint by the last of them commits to the earlier ones.
    if trusted and not any(_same_key(k.verifier, t) for k in keys for t in trusted):
        labels = ", ".join(v.label for v in trusted)
        raise UnknownKeyError(
            f"the checkpoint is signed by {in_force.verifier.label}, whose key chain holds no trusted "
            f"key ({labels})"
        )
    return in_force


def _verify_statement(
    archive: _Zip, checkpoint: Checkpoint, in_force: _Key, manifest: Mapping[str, Any]
) -> dict[str, int]:
    """The ledger's statement of completeness: signed by the key in force at the checkpoint,
    about this checkpoint and matter; the dossier holds exactly versions 1..n of every aggregate
    it states. Returns aggregate id -> stated versions."""
    if STATEMENT not in archive.names:
        raise DossierIncompleteError(
            f"{STATEMENT} is not in the dossier: nothing signed by the ledger states how many versions "
            "the matter and the aggregates had at the checkpoint (a tail may be left out)"
        )
    doc = archive.json(STATEMENT)
    try:
        statement, key_id = doc["statement"], doc["key_id"]
        signature = base64.b64decode(doc["signature"], validate=True)
        if not isinstance(statement, dict) or not isinstance(key_id, str):
            raise TypeError("statement must be an object and key_id a string")
        signed = statement_bytes(statement)
    except (KeyError, TypeError, ValueError, MalformedInputError) as exc:
        raise DossierFormatError(f"{STATEMENT} is malformed: {exc!r}") from exc
    if key_id != in_force.key_id:
        raise UnknownKeyError(
            f"the statement of completeness is signed by key {key_id}, not by the ledger key in force "
            f"at the checkpoint ({in_force.verifier.label}): it is not the ledger's"
        )
    try:
        in_force.verifier.public_key.verify(signature, signed)
    except InvalidSignature as exc:
        raise SignatureError(
            f"the statement of completeness does not match its signature by {in_force.verifier.label}: "
            "it was altered or forged"
        ) from exc
    stated = _stated_versions(statement)
    names = (statement.get("format"), statement.get("origin"), statement.get("tree_size"),
             statement.get("root_hash"), statement["matter"]["id"])
    ours = (STATEMENT_FORMAT, checkpoint.origin, checkpoint.size, _b64(checkpoint.root_hash),
            manifest["matter"]["id"])
    if names != ours:
        raise DossierIncompleteError(
            f"the ledger's statement of completeness is for matter {names[4]} at {names[1]} tree size "
            f"{names[2]}, not this dossier's matter {ours[4]} at tree size {ours[2]}"
        )
    listed = {agg["id"]: agg for agg in manifest["aggregates"]}
    for oid, versions in stated.items():
        agg = listed.get(oid)
        held = 0 if agg is None else agg["versions"]
        if oid == ours[4]:
            what = f"the matter {oid}"
        else:
            what = f"aggregate {oid}" if agg is None else f"{agg['role']} aggregate {oid}"
        if held < versions:
            span = str(versions) if held + 1 == versions else f"{held + 1}..{versions}"
            raise DossierIncompleteError(
                f"{what}: version{'s' if held + 1 < versions else ''} {span} stated by the ledger "
                f"{'are' if held + 1 < versions else 'is'} left out of the dossier"
            )
        if held > versions:
            raise DossierFormatError(
                f"{what}: the dossier holds {held} versions, the ledger states {versions}"
            )
    unstated = sorted(set(listed) - set(stated))
    if unstated:
        raise DossierFormatError(f"aggregates not in the ledger's statement: {', '.join(unstated)}")
    return stated


def _stated_versions(statement: Mapping[str, Any]) -> dict[str, int]:
    try:
        stated = {str(agg["id"]): _int(agg["versions"]) for agg in statement["aggregates"]}
        matter = statement["matter"]
        if stated.get(str(matter["id"])) != _int(matter["versions"]) or len(stated) != len(
            statement["aggregates"]
        ):
            raise ValueError("the matter's versions differ from its aggregate's, or an aggregate repeats")
    except (KeyError, TypeError, ValueError) as exc:
        raise DossierFormatError(f"{STATEMENT}: the statement is malformed: {exc!r}") from exc
    return stated


def _same_key(a: note.Verifier, b: note.Verifier) -> bool:
    return (a.name, a.key_id, a.alg) == (b.name, b.key_id, b.alg) and (
        a.public_key.public_bytes_raw() == b.public_key.public_bytes_raw()
    )


def _verify_witnesses(parsed: note.Note, witnesses: Sequence[note.Verifier]) -> list[str]:
    seen = []
    for witness in witnesses:
        if witness.alg != note.ALG_COSIGNATURE_V1:
            raise DossierFormatError(f"witness key {witness.label} is not a cosignature (0x04) vkey")
        sig = next(
            (s for s in parsed.signatures if (s.name, s.key_id) == (witness.name, witness.key_id)), None
        )
        if sig is None:
            raise WitnessError(f"the checkpoint carries no cosignature by witness {witness.label} (required)")
        try:
            timestamp = note.verify_cosignature(parsed.text, sig, witness)
        except (SignatureError, NoteFormatError) as exc:
            raise WitnessError(f"the cosignature by witness {witness.label} does not verify: {exc}") from exc
        seen.append(f"{witness.label} at {timestamp}")
    return seen
