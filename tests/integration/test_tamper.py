"""The attacker with database access: whatever they change, `verify` names where.

Each test builds the same history through the public API (two integrated batches with a
key rotation between them, and two events not yet integrated), then plays an attacker who
drops the append-only triggers and edits the tables with SQL. The verifier must report the
fault's kind and its position (leaf index and/or notification id) and name it in its message.

History (leaf index: what):
    0 LedgerInitialised (genesis key) | 1-5 notes 0-4 | checkpoint of size 6
    6-9 notes 5-8 | 10 SigningKeyRotated | 11-16 notes 9-14 | checkpoint of size 17
    not integrated: notes 15 and 16
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.engine import Connection

from api import log_service
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.log.append_only import drop_triggers
from ledger.log.tables import (
    APPEND_ONLY_TABLES,
    ledger_keys,
    log_checkpoints,
    log_leaves,
    log_nodes,
)
from ledger.log.verifier import Fault, Report
from signing import keys as key_bytes
from signing import merkle, note
from signing.canonical import canonical
from signing.checkpoint import Checkpoint, sign_checkpoint
from signing.entry import EVENT_SIGNATURE_CONTEXT, Header, SealedEvent, commitment, seal

NOTE_TOPIC = "ledger.notes:Note.NoteRecorded"
FIRST_CHECKPOINT, LAST_CHECKPOINT = 6, 17
ROTATION_LEAF = 10
LEAF = 3  # an ordinary note inside the first checkpoint


@dataclass(frozen=True)
class History:
    ledger: AKLedger
    leaf_nid: list[int]  # leaf index -> notification id
    pending: list[int]  # notification ids not yet integrated
    checkpoints: dict[int, str]  # tree size -> signed note
    key_ids: list[str]  # genesis key, rotated-in key

    @property
    def origin(self) -> str:
        return self.ledger.settings.log_origin


@pytest.fixture
def history(ledger: AKLedger, actor: Actor) -> History:
    ledger.load_signer()
    for i in range(5):
        ledger.record_note(f"note {i:02d}", actor)
    log_service.integrate(ledger)
    for i in range(5, 9):
        ledger.record_note(f"note {i:02d}", actor)
    ledger.rotate_key(actor)
    for i in range(9, 15):
        ledger.record_note(f"note {i:02d}", actor)
    log_service.integrate(ledger)
    pending = [ledger.record_note(f"note {i:02d}", actor).position for i in (15, 16)]
    with ledger.connect() as conn:
        leaf_nid = list(conn.scalars(select(log_leaves.c.notification_id).order_by(log_leaves.c.idx)))
        checkpoints = {int(r.size): str(r.note) for r in conn.execute(select(log_checkpoints))}
        key_ids = list(conn.scalars(select(ledger_keys.c.key_id).order_by(ledger_keys.c.introduced_by)))
    assert len(leaf_nid) == LAST_CHECKPOINT
    assert sorted(checkpoints) == [FIRST_CHECKPOINT, LAST_CHECKPOINT]
    intact = log_service.verify(ledger, full=True)
    assert intact.ok, intact.fault
    assert (intact.tree_size, intact.pending) == (LAST_CHECKPOINT, 2)
    return History(ledger, leaf_nid, pending, checkpoints, key_ids)


# -- the attacker's tools: one per kind of tampering -----------------------------------


@contextmanager
def attacker(lg: AKLedger) -> Iterator[Connection]:
    """A transaction with the append-only triggers dropped (and left dropped)."""
    with lg.engine.begin() as conn:
        drop_triggers(conn, APPEND_ONLY_TABLES)
        yield conn


def event_row(conn: Connection, lg: AKLedger, nid: int) -> dict[str, Any]:
    row = conn.execute(select(lg.events_table).where(lg.events_table.c.id == nid)).one()
    return {**row._mapping, "state": bytes(row.state)}


def set_state(conn: Connection, lg: AKLedger, nid: int, state: bytes) -> None:
    events = lg.events_table
    assert conn.execute(update(events).where(events.c.id == nid).values(state=state)).rowcount == 1


def delete_events(conn: Connection, lg: AKLedger, nids: list[int]) -> None:
    events = lg.events_table
    assert conn.execute(delete(events).where(events.c.id.in_(nids))).rowcount == len(nids)


def insert_event(conn: Connection, lg: AKLedger, row: dict[str, Any]) -> None:
    conn.execute(insert(lg.events_table).values(**row))


def flip(state: bytes, old: bytes, new: bytes) -> bytes:
    """Replace the one occurrence of ``old`` (a byte or so) in a stored state."""
    assert state.count(old) == 1, (old, state)
    return state.replace(old, new)


def resealed(state: bytes, name: str, value: Any, key: Ed25519PrivateKey | None = None) -> bytes:
    """The clever change: a field's new value with its commitment and the entry recomputed,
    so that the disclosure matches. The old signature is kept unless ``key`` re-signs."""
    sealed = SealedEvent.from_state(state)
    salt, _ = sealed.fields[name]
    doc = json.loads(sealed.entry)
    doc["commitments"][name] = commitment(salt, value).hex()
    entry = canonical(doc)
    signature = sealed.signature if key is None else key.sign(EVENT_SIGNATURE_CONTEXT + entry)
    return SealedEvent(entry, signature, {**sealed.fields, name: (salt, value)}).to_state()


def with_flipped_signature(state: bytes) -> bytes:
    sealed = SealedEvent.from_state(state)
    signature = bytes([sealed.signature[0] ^ 1]) + sealed.signature[1:]
    return SealedEvent(sealed.entry, signature, sealed.fields).to_state()


def forged_note(nid: int, key_id: str, key: Ed25519PrivateKey, text: str) -> dict[str, Any]:
    """An event row that was never appended, signed by ``key`` but naming ``key_id``."""
    originator_id = uuid.uuid4()
    now = datetime.now(UTC).isoformat()
    header = Header(
        originator_id=str(originator_id), version=1, topic=NOTE_TOPIC, occurred_at=now,
        recorded_at=now, actor={"principal": "tester", "role": "x", "organisation": "DCC"},
        key_id=key_id,
    )
    sealed = seal(header, {"originator_topic": "ledger.notes:Note", "text": text}, key)
    return {
        "id": nid, "originator_id": originator_id, "originator_version": 1,
        "topic": NOTE_TOPIC, "state": sealed.to_state(),
    }


def swap_rows(conn: Connection, lg: AKLedger, a: int, b: int) -> None:
    """Exchange two events' positions: each row takes the other's notification id."""
    row_a, row_b = event_row(conn, lg, a), event_row(conn, lg, b)
    delete_events(conn, lg, [a, b])
    insert_event(conn, lg, {**row_b, "id": a})
    insert_event(conn, lg, {**row_a, "id": b})


def swap_states(conn: Connection, lg: AKLedger, a: int, b: int) -> None:
    """Exchange only the sealed states; the id, version and topic columns stay."""
    state_a, state_b = event_row(conn, lg, a)["state"], event_row(conn, lg, b)["state"]
    set_state(conn, lg, a, state_b)
    set_state(conn, lg, b, state_a)


def set_leaf_hash(conn: Connection, index: int, digest: bytes) -> None:
    conn.execute(update(log_leaves).where(log_leaves.c.idx == index).values(leaf_hash=digest))


def truncate_tree(conn: Connection, size: int, *, checkpoints: bool) -> None:
    """Delete the leaves and nodes beyond ``size`` (and the checkpoints, if asked)."""
    conn.execute(delete(log_leaves).where(log_leaves.c.idx >= size))
    for level in range(1, 8):  # node (level, idx) covers leaves [idx << level, (idx+1) << level)
        conn.execute(delete(log_nodes).where(
            log_nodes.c.level == level, (log_nodes.c.idx + 1) * (1 << level) > size
        ))
    if checkpoints:
        conn.execute(delete(log_checkpoints).where(log_checkpoints.c.size > size))


def replace_checkpoint(conn: Connection, size: int, text: str, root: bytes | None = None) -> None:
    values: dict[str, Any] = {"note": text}
    if root is not None:
        values["root_hash"] = root
    conn.execute(update(log_checkpoints).where(log_checkpoints.c.size == size).values(**values))


def insert_key(conn: Connection, h: History, introduced_by: int, key: Ed25519PrivateKey,
               key_id: str | None = None) -> str:
    public = key.public_key()
    kid = key_id or note.key_id(h.origin, public).hex()
    conn.execute(insert(ledger_keys).values(
        key_id=kid, name=h.origin, public_key=key_bytes.public_bytes(public),
        introduced_by=introduced_by, recorded_at=datetime.now(UTC),
    ))
    return kid


def delete_key(conn: Connection, key_id: str) -> None:
    assert conn.execute(delete(ledger_keys).where(ledger_keys.c.key_id == key_id)).rowcount == 1


# -- what the verifier must say ---------------------------------------------------------


def assert_fault(report: Report, kind: str, index: int | None, nid: int | None, *names: str) -> Fault:
    fault = report.fault
    assert fault is not None, f"tampering not detected: {report}"
    assert (fault.kind, fault.index) == (kind, index), fault
    if nid is not None:
        assert fault.notification_id == nid, fault
    for name in names:
        assert name in fault.message, fault
    return fault


def where(index: int | None, nid: int | None) -> tuple[str, ...]:
    """What a message naming the position says: the leaf, or else the notification."""
    return (f"leaf {index}",) if index is not None else (f"notification {nid}",)


# -- changed events ---------------------------------------------------------------------

Change = Callable[[bytes], bytes]

CHANGES: dict[str, tuple[int, Change]] = {
    "payload value byte": (LEAF, lambda s: flip(s, b'"note 02"]', b'"nOte 02"]')),
    "entry byte (actor)": (LEAF, lambda s: flip(s, b'\\"tester\\"', b'\\"tEster\\"')),
    "commitment byte": (LEAF, lambda s: _flip_commitment(s, "text")),
    "re-sealed value": (LEAF, lambda s: resealed(s, "text", "note 02 (amended)")),
    "re-sealed value after the rotation": (13, lambda s: resealed(s, "text", "rewritten")),
    "re-sealed genesis key": (0, lambda s: resealed(s, "origin", "elsewhere.example/log")),
}


def _flip_commitment(state: bytes, name: str) -> bytes:
    digest = json.loads(SealedEvent.from_state(state).entry)["commitments"][name]
    other = ("1" if digest[0] == "0" else "0") + digest[1:]
    return flip(state, digest.encode(), other.encode())


@pytest.mark.parametrize("how", CHANGES)
def test_a_changed_event_is_named_at_its_leaf(history: History, how: str) -> None:
    leaf, change = CHANGES[how]
    nid = history.leaf_nid[leaf]
    with attacker(history.ledger) as conn:
        set_state(conn, history.ledger, nid, change(event_row(conn, history.ledger, nid)["state"]))
    report = log_service.verify(history.ledger)
    assert_fault(report, "changed", leaf, nid, f"notification {nid}")


@pytest.mark.parametrize(("leaf", "kind", "index", "names"), [
    pytest.param(LEAF, "node", 2, ("leaves 2-3",), id="leaf inside a stored subtree"),
    pytest.param(16, "inconsistent", 16, ("size 17",), id="last leaf, no subtree above it"),
])
def test_a_rewritten_leaf_hash_is_caught_by_the_tree(
    history: History, leaf: int, kind: str, index: int, names: tuple[str, ...]
) -> None:
    """The clever change again, and the attacker also rewrites the leaf hash to match."""
    lg, nid = history.ledger, history.leaf_nid[leaf]
    with attacker(lg) as conn:
        state = resealed(event_row(conn, lg, nid)["state"], "text", "rewritten")
        set_state(conn, lg, nid, state)
        set_leaf_hash(conn, leaf, _leaf_hash_of(state))
    assert_fault(log_service.verify(lg), kind, index, None, *names)


def _leaf_hash_of(state: bytes) -> bytes:
    return merkle.leaf_hash(SealedEvent.from_state(state).entry)


# -- signatures (full) ------------------------------------------------------------------


def test_a_pending_event_re_sealed_is_caught_by_its_signature(history: History) -> None:
    """Not yet integrated: no leaf or checkpoint covers it; only the signature can tell."""
    lg, nid = history.ledger, history.pending[0]
    with attacker(lg) as conn:
        set_state(conn, lg, nid, resealed(event_row(conn, lg, nid)["state"], "text", "forged"))
    assert log_service.verify(lg).ok  # structurally sound: what `full` is for
    assert_fault(log_service.verify(lg, full=True), "signature", None, nid, f"notification {nid}")


def test_a_flipped_signature_is_caught_with_full(history: History) -> None:
    lg, nid = history.ledger, history.leaf_nid[LEAF]
    with attacker(lg) as conn:
        set_state(conn, lg, nid, with_flipped_signature(event_row(conn, lg, nid)["state"]))
    assert log_service.verify(lg).ok  # the entry, hence the leaf, is unchanged
    assert_fault(log_service.verify(lg, full=True), "signature", LEAF, nid, f"notification {nid}")


def test_a_forged_event_appended_at_the_end_is_caught_with_full(history: History) -> None:
    lg = history.ledger
    nid = history.pending[-1] + 1
    with attacker(lg) as conn:
        insert_event(conn, lg, forged_note(nid, history.key_ids[-1], key_bytes.generate(), "x"))
    plain = log_service.verify(lg)
    assert plain.ok, plain.fault
    assert plain.pending == 3
    assert_fault(log_service.verify(lg, full=True), "signature", None, nid, f"notification {nid}")


# -- missing, inserted, forged events ---------------------------------------------------


@pytest.mark.parametrize("leaf", [0, LEAF, ROTATION_LEAF, 16],
                         ids=["genesis", "note", "key rotation", "last integrated"])
def test_a_deleted_event_is_missing(history: History, leaf: int) -> None:
    lg, nid = history.ledger, history.leaf_nid[leaf]
    with attacker(lg) as conn:
        delete_events(conn, lg, [nid])
    assert_fault(log_service.verify(lg), "missing", leaf, nid, f"leaf {leaf}", f"notification {nid}")


def test_a_leaf_naming_no_stored_event_is_missing(history: History) -> None:
    """A forged leaf at the tail: the integrator would skip every event up to the one it names."""
    lg = history.ledger
    with attacker(lg) as conn:
        conn.execute(insert(log_leaves).values(
            idx=LAST_CHECKPOINT, notification_id=10_000, leaf_hash=bytes(32)
        ))
    assert_fault(log_service.verify(lg), "missing", LAST_CHECKPOINT, 10_000,
                 f"leaf {LAST_CHECKPOINT}", "notification 10000")


@pytest.mark.parametrize("names_key", ["in force", "attacker's"])
def test_an_event_replaced_by_a_forgery_is_changed(history: History, names_key: str) -> None:
    """The row keeps its notification id but holds a note that was never appended."""
    lg, nid = history.ledger, history.leaf_nid[LEAF]
    key = key_bytes.generate()
    key_id = history.key_ids[0] if names_key == "in force" else note.key_id(history.origin,
                                                                          key.public_key()).hex()
    with attacker(lg) as conn:
        delete_events(conn, lg, [nid])
        insert_event(conn, lg, forged_note(nid, key_id, key, "note 02"))
    assert_fault(log_service.verify(lg), "changed", LEAF, nid, f"leaf {LEAF}")


def test_an_event_inserted_into_a_gap_is_named(history: History) -> None:
    """A gap in the notification ids (as a rolled-back transaction leaves on PostgreSQL) is
    integrated around; a forged event later put into the gap was never integrated."""
    lg = history.ledger
    gap = history.pending[0]
    with attacker(lg) as conn:
        delete_events(conn, lg, [gap])
    assert log_service.integrate(lg) == 1
    assert log_service.verify(lg, full=True).ok
    with attacker(lg) as conn:
        insert_event(conn, lg, forged_note(gap, history.key_ids[-1], key_bytes.generate(), "x"))
    assert_fault(log_service.verify(lg), "inserted", LAST_CHECKPOINT, gap, f"notification {gap}")


# -- reordered events -------------------------------------------------------------------

SWAPS: dict[str, tuple[Callable[[Connection, AKLedger, int, int], None], int, int]] = {
    "rows": (swap_rows, LEAF, LEAF + 1),
    "rows signed by different keys": (swap_rows, 8, 12),
    "states only": (swap_states, LEAF, LEAF + 1),
    "rows in different checkpoints": (swap_rows, 2, 14),
}


@pytest.mark.parametrize("how", SWAPS)
def test_swapped_events_are_reordered(history: History, how: str) -> None:
    swap, first, second = SWAPS[how]
    lg = history.ledger
    with attacker(lg) as conn:
        swap(conn, lg, history.leaf_nid[first], history.leaf_nid[second])
    assert_fault(log_service.verify(lg), "reordered", first, history.leaf_nid[first],
                 f"leaf {first}", f"leaf {second}")


# -- truncation -------------------------------------------------------------------------


def test_deleting_the_tail_events_leaves_their_leaves_missing(history: History) -> None:
    lg = history.ledger
    with attacker(lg) as conn:
        delete_events(conn, lg, history.leaf_nid[14:] + history.pending)
    assert_fault(log_service.verify(lg), "missing", 14, history.leaf_nid[14], "leaf 14", "truncated")


def test_truncating_events_and_leaves_leaves_a_checkpoint_too_big(history: History) -> None:
    lg = history.ledger
    with attacker(lg) as conn:
        delete_events(conn, lg, history.leaf_nid[FIRST_CHECKPOINT:] + history.pending)
        truncate_tree(conn, FIRST_CHECKPOINT, checkpoints=False)
    assert_fault(log_service.verify(lg), "truncated", FIRST_CHECKPOINT, None, "size 17")


def test_a_consistent_truncation_is_caught_by_a_remembered_checkpoint(history: History) -> None:
    lg = history.ledger
    remembered = history.checkpoints[LAST_CHECKPOINT]
    with attacker(lg) as conn:
        # Everything after the first checkpoint goes, key rotation and key row included.
        delete_events(conn, lg, history.leaf_nid[FIRST_CHECKPOINT:] + history.pending)
        delete_key(conn, history.key_ids[1])
        truncate_tree(conn, FIRST_CHECKPOINT, checkpoints=True)
    alone = log_service.verify(lg, full=True)
    assert alone.ok, alone.fault  # the database alone cannot tell
    assert alone.tree_size == FIRST_CHECKPOINT
    report = log_service.verify(lg, expected=[remembered])
    assert_fault(report, "truncated", FIRST_CHECKPOINT, None, "size 17")


def test_history_rewritten_with_stolen_keys_is_caught_by_a_remembered_checkpoint(
    history: History,
) -> None:
    """An insider with the key files re-signs a changed event and rebuilds the whole tree."""
    lg, nid = history.ledger, history.leaf_nid[LEAF]
    genesis_key = lg.keystore.load(history.key_ids[0])
    remembered = history.checkpoints[FIRST_CHECKPOINT]
    with attacker(lg) as conn:
        state = resealed(event_row(conn, lg, nid)["state"], "text", "rewritten", genesis_key)
        set_state(conn, lg, nid, state)
        for table in (log_checkpoints, log_nodes, log_leaves):
            conn.execute(delete(table))
    log_service.integrate(lg)
    rebuilt = log_service.verify(lg, full=True)
    assert rebuilt.ok, rebuilt.fault  # a perfect forgery, as far as the database shows
    report = log_service.verify(lg, expected=[remembered])
    assert_fault(report, "inconsistent", FIRST_CHECKPOINT - 1, None, "size 6")


# -- checkpoints ------------------------------------------------------------------------


def _edit_root(h: History, size: int) -> tuple[str, bytes | None]:
    lines = h.checkpoints[size].split("\n")
    lines[2] = base64.b64encode(base64.b64decode(lines[2])[::-1]).decode()
    return "\n".join(lines), None


def _edit_size(h: History, size: int) -> tuple[str, bytes | None]:
    text = h.checkpoints[size]
    return text.replace(f"\n{size}\n", f"\n{size + 1}\n", 1), None


def _edit_row_root(h: History, size: int) -> tuple[str, bytes | None]:
    return h.checkpoints[size], hashlib.sha256(b"another root").digest()


def _resign(key: Callable[[History], Ed25519PrivateKey]) -> Callable[[History, int],
                                                                     tuple[str, bytes | None]]:
    def forge(h: History, size: int) -> tuple[str, bytes | None]:
        root = hashlib.sha256(b"another root").digest()
        return sign_checkpoint(Checkpoint(h.origin, size, root), h.origin, key(h)), root
    return forge


CHECKPOINT_FORGERIES: dict[str, tuple[Callable[[History, int], tuple[str, bytes | None]], int, str]] = {
    "root line edited": (_edit_root, FIRST_CHECKPOINT, "checkpoint"),
    "size line edited": (_edit_size, FIRST_CHECKPOINT, "checkpoint"),
    "row root edited": (_edit_row_root, LAST_CHECKPOINT, "checkpoint"),
    "re-signed by the attacker's key": (
        _resign(lambda h: key_bytes.generate()), FIRST_CHECKPOINT, "unknown-key"),
    "re-signed by the retired key": (
        _resign(lambda h: h.ledger.keystore.load(h.key_ids[0])), LAST_CHECKPOINT, "unknown-key"),
}


@pytest.mark.parametrize("how", CHECKPOINT_FORGERIES)
def test_a_forged_checkpoint_is_named(history: History, how: str) -> None:
    forge, size, kind = CHECKPOINT_FORGERIES[how]
    text, root = forge(history, size)
    with attacker(history.ledger) as conn:
        replace_checkpoint(conn, size, text, root)
    assert_fault(log_service.verify(history.ledger), kind, size - 1, None, f"size {size}")


# -- the key chain ----------------------------------------------------------------------


# Each forgery returns where the fault is (leaf index, notification id) and a word the
# message must contain.
KeyForgery = tuple[int | None, int | None, str]


def _key_by_a_note(conn: Connection, h: History) -> KeyForgery:
    kid = insert_key(conn, h, h.leaf_nid[LEAF], key_bytes.generate())
    return LEAF, h.leaf_nid[LEAF], kid


def _key_before_genesis(conn: Connection, h: History) -> KeyForgery:
    insert_key(conn, h, 0, key_bytes.generate())
    return 0, h.leaf_nid[0], "genesis"


def _key_after_the_end(conn: Connection, h: History) -> KeyForgery:
    kid = insert_key(conn, h, 10_000, key_bytes.generate())
    return None, 10_000, kid


def _rotation_key_replaced(conn: Connection, h: History) -> KeyForgery:
    delete_key(conn, h.key_ids[1])
    kid = insert_key(conn, h, h.leaf_nid[ROTATION_LEAF], key_bytes.generate())
    return ROTATION_LEAF, h.leaf_nid[ROTATION_LEAF], kid


def _rotation_key_deleted(conn: Connection, h: History) -> KeyForgery:
    delete_key(conn, h.key_ids[1])
    return ROTATION_LEAF, h.leaf_nid[ROTATION_LEAF], h.key_ids[1]


def _key_id_not_its_own(conn: Connection, h: History) -> KeyForgery:
    insert_key(conn, h, h.leaf_nid[LEAF], key_bytes.generate(), key_id="0badc0de")
    return None, None, "0badc0de"


KEY_FORGERIES: dict[str, Callable[[Connection, History], KeyForgery]] = {
    "introduced by a note": _key_by_a_note,
    "introduced before genesis": _key_before_genesis,
    "introduced after the end": _key_after_the_end,
    "rotation's key replaced": _rotation_key_replaced,
    "rotation's key row deleted": _rotation_key_deleted,
    "key id not its key's": _key_id_not_its_own,
}


@pytest.mark.parametrize("how", KEY_FORGERIES)
def test_a_forged_key_breaks_the_key_chain(history: History, how: str) -> None:
    with attacker(history.ledger) as conn:
        index, nid, word = KEY_FORGERIES[how](conn, history)
    names = () if nid is None else where(index, nid)
    assert_fault(log_service.verify(history.ledger), "key-chain", index, nid, word, *names)


# -- a live ledger is not a tampered one --------------------------------------------------


@pytest.mark.parametrize("before", ["ledger_keys", "log_leaves"])
def test_appends_during_a_verify_are_not_faults(history: History, actor: Actor, before: str) -> None:
    """Events, keys, leaves and checkpoints committed while a verify runs (here: just before
    it reads ``before``) are left for the next verify, not reported as faults."""
    lg = history.ledger
    interleaved: list[str] = []

    def append_meanwhile(*args: object) -> None:  # before_cursor_execute(conn, cursor, statement, ...)
        statement = str(args[2])
        if interleaved or f"FROM {before}" not in statement:
            return
        interleaved.append(statement)
        lg.rotate_key(actor)
        lg.record_note("recorded during the verify", actor)
        log_service.integrate(lg)

    event.listen(lg.engine, "before_cursor_execute", append_meanwhile)
    try:
        report = log_service.verify(lg)
    finally:
        event.remove(lg.engine, "before_cursor_execute", append_meanwhile)
    assert interleaved
    assert report.ok, report.fault
    assert report.events == LAST_CHECKPOINT + 2  # the events there were when it started
    after = log_service.verify(lg, full=True)
    assert after.ok, after.fault
    assert after.tree_size == LAST_CHECKPOINT + 4
