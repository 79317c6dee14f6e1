"""``akledger verify``: recompute everything from the stored events and name the first fault.

What is checked, streaming page by page (memory stays flat):
- every stored event: its sealed state parses, its entry is canonical and names the row's
  originator id, version and topic, every disclosed field matches its commitment, and the
  entry names the key in force when it was appended;
- the leaf table: leaf ``i`` points at the next event in notification order and holds the
  hash recomputed from it (else: changed, missing, inserted or reordered event). Position is
  checked before keys and signatures, so that a moved event is named as moved;
- the tree: recomputed from the events (not from the stored hashes), compared with every
  stored complete node and with every checkpoint's root at its size;
- every checkpoint: a C2SP signed note by the key in force after its last entry, with the
  row's size and root; all checkpoints are then consistent with one another by construction;
- the key chain: the genesis key signs ``LedgerInitialised``, each later key is introduced by
  an event signed by the key it retires, every key row names a stored event that introduces
  it and every such event has its key row; ``trusted`` vkeys pin the genesis key;
- ``expected``: checkpoints seen before (by a witness or an earlier verify) must still hold,
  which is what catches a consistent truncation of the tail;
- with ``full``, every event signature, in parallel across cores.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import LargeBinary, String, Table, func, select, type_coerce
from sqlalchemy.engine import Connection

from ledger.log.faults import Fault, KeyTopics, Report, VerifyFailed, at, unintroduced
from ledger.log.pages import PAGE, PageCursor, keyset, pages
from ledger.log.remembered import check_remembered
from ledger.log.signature_workers import Job, Outcome, drain, verify_page
from ledger.log.tables import ledger_keys, log_checkpoints, log_leaves, log_nodes
from signing import keys as key_bytes
from signing import merkle, note
from signing.checkpoint import open_checkpoint
from signing.entry import SealedEvent, parse_entry, verify_disclosure, verify_signature
from signing.errors import UnknownKeyError, VerificationError

__all__ = ["Fault", "KeyTopics", "Report", "verify_log"]

@dataclass
class _Key:
    key_id: str
    public: bytes
    introduced_by: int
    verifier: note.Verifier


@dataclass
class _State:
    builder: merkle.TreeBuilder = field(default_factory=merkle.TreeBuilder)
    keys: list[_Key] = field(default_factory=list)
    key_index: int = 0  # keys[key_index] is in force for the next event
    first_event: bool = True


def verify_log(
    conn: Connection,
    events: Table,
    origin: str,
    topics: KeyTopics,
    *,
    full: bool = False,
    trusted: Sequence[note.Verifier] = (),
    expected: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> Report:
    """Verify the whole log; never raises for a fault, returns it in the report."""
    report = Report()
    try:
        verification = _Verification(conn, events, origin, topics, full, trusted, progress, workers)
        verification.run(report)
        verifiers = [key.verifier for key in verification.state.keys]
        check_remembered(conn, events, expected, report, origin, verifiers)
    except VerifyFailed as failed:
        report.fault = failed.fault
    return report


class _Verification:
    def __init__(
        self,
        conn: Connection,
        events: Table,
        origin: str,
        topics: KeyTopics,
        full: bool,
        trusted: Sequence[note.Verifier],
        progress: Callable[[int, int], None] | None,
        workers: int | None,
    ) -> None:
        self.conn, self.events, self.origin, self.topics = conn, events, origin, topics
        self.key_topics = {topics.genesis, topics.rotation}
        self.full, self.trusted, self.progress = full, trusted, progress
        self.workers = workers or os.cpu_count() or 1
        self.state = _State()
        # Streamed like the events (a busy ledger signs a checkpoint per integrator batch),
        # but only those there are now, before the last event is read (see run()).
        newest = conn.execute(select(func.max(log_checkpoints.c.size))).scalar()
        self.checkpoints = pages(conn, select(log_checkpoints).where(
            log_checkpoints.c.size <= (newest or 0)).order_by(log_checkpoints.c.size))

    def run(self, report: Report) -> None:
        # A consistent view of a live ledger without a snapshot transaction: the last event is
        # read before the keys, so the key row of every event up to it (written in the same
        # transaction) is visible; keys, events and leaves after it are left for the next
        # verify, except that they must name stored events. (The checkpoints, read even
        # earlier, cover only leaves of events up to it.)
        last = int(self.conn.execute(select(func.max(self.events.c.id))).scalar() or 0)
        self.state.keys = self._load_keys(last)
        self.key_events = {k.introduced_by for k in self.state.keys}
        self.key_events_seen: set[int] = set()
        leaves = pages(self.conn, select(log_leaves).where(
            log_leaves.c.notification_id <= last).order_by(log_leaves.c.idx))
        columns = self.events.c
        # The id's raw form: skips sqlalchemy-utils' per-row UUID conversion (a fifth of the
        # cost of reading a row); _same_id compares it with the entry's text form.
        raw_id = (
            type_coerce(columns.originator_id, LargeBinary()).label("originator_id")
            if self.conn.dialect.name == "sqlite"
            else type_coerce(columns.originator_id, String()).label("originator_id")
        )
        events = (
            select(columns.id, raw_id, columns.originator_version, columns.topic, columns.state)
            .where(columns.id <= last)
            .order_by(columns.id)
        )
        pool = ProcessPoolExecutor(self.workers) if self.full else None
        pending: list[Future[Outcome]] = []
        try:
            for rows in keyset(self.conn, events, PAGE):
                jobs = self._check_page(rows, leaves, report)
                if pool is not None:
                    pending.append(pool.submit(verify_page, jobs))
                    report.signatures += len(jobs)
                    report.ed25519_verifications += drain(self.conn, pending, 2 * self.workers)
                if self.progress is not None:
                    self.progress(report.events, last)
            report.ed25519_verifications += drain(self.conn, pending, keep=0)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        self._finish(leaves, last, report)

    # -- keys -------------------------------------------------------------------------
    def _load_keys(self, last: int) -> list[_Key]:
        rows = self.conn.execute(
            select(ledger_keys)
            .where(ledger_keys.c.introduced_by <= last)
            .order_by(ledger_keys.c.introduced_by)
        ).all()
        if not rows:
            raise VerifyFailed(Fault("key-chain", "the key table is empty"))
        loaded = []
        for row in rows:
            public = bytes(row.public_key)
            try:
                verifier = note.Verifier.from_public_key(
                    self.origin, key_bytes.public_key_from_bytes(public)
                )
            except VerificationError as exc:
                raise VerifyFailed(Fault("key-chain", f"key {row.key_id}: {exc}")) from exc
            if verifier.key_id.hex() != row.key_id or row.name != self.origin:
                raise VerifyFailed(
                    Fault("key-chain", f"key {row.key_id} does not match its public key or name")
                )
            loaded.append(_Key(row.key_id, public, int(row.introduced_by), verifier))
        genesis = loaded[0].verifier
        if self.trusted and not any(t.key_id == genesis.key_id and t.name == genesis.name
                                    for t in self.trusted):
            raise VerifyFailed(
                Fault("unknown-key", f"genesis key {genesis.label} is not a trusted key")
            )
        return loaded

    # -- events -----------------------------------------------------------------------
    def _check_page(
        self, rows: Sequence[object], leaves: PageCursor, report: Report
    ) -> list[Job]:
        signatures: list[Job] = []
        created: list[tuple[merkle.NodeId, bytes]] = []
        for row in rows:
            nid = int(row.id)  # type: ignore[attr-defined]
            leaf = leaves.peek()
            index = None if leaf is None else report.tree_size  # None: not integrated yet
            sealed, entry_doc, recomputed = self._check_event(row, index)
            # Position first: a deleted, inserted or moved event is named as such, not by
            # the key or signature checks that it also happens to upset.
            if leaf is not None:
                self._match_leaf(leaf, nid, recomputed, leaves)
            key = self._key_for(nid, entry_doc, index)
            if nid in self.key_events or entry_doc["topic"] in self.key_topics:
                self._check_key_event(nid, sealed, entry_doc, index)
            signatures.append((sealed.entry, sealed.signature, sealed.batch_path, key.public, nid))
            report.events += 1
            if leaf is None:
                report.pending += 1
                continue
            created.extend(self.state.builder.append(recomputed))
            report.tree_size = self.state.builder.size
            self._check_checkpoints(report, nid, created)
        self._check_nodes(created)
        return signatures

    def _check_event(
        self, row: object, index: int | None
    ) -> tuple[SealedEvent, dict[str, object], bytes]:
        """The sealed event, its parsed entry and its leaf hash; else a fault."""
        nid = int(row.id)  # type: ignore[attr-defined]
        where = f"event at notification {nid}"
        try:
            sealed = SealedEvent.from_state(bytes(row.state))  # type: ignore[attr-defined]
        except VerificationError as exc:
            raise VerifyFailed(Fault("changed", f"{where}: {exc}", index, nid)) from exc
        recomputed = merkle.leaf_hash(sealed.entry)
        try:
            # Canonical form is not re-checked: the leaf hash and signature are over these
            # exact bytes, so any change to them is caught without it (and it is a fifth
            # of the cost of reading an event).
            entry_doc = parse_entry(sealed.entry, check_canonical=False)
            verify_disclosure(entry_doc, sealed.fields)
        except VerificationError as exc:
            raise VerifyFailed(Fault("changed", f"{where}: {exc}", index, nid)) from exc
        same = (
            _same_id(row.originator_id, entry_doc["originator_id"])  # type: ignore[attr-defined]
            and (int(row.originator_version), str(row.topic))  # type: ignore[attr-defined]
            == (entry_doc["version"], entry_doc["topic"])
        )
        if not same:
            self._raise_if_moved(recomputed, index, nid)
            raise VerifyFailed(
                Fault("changed", f"{where}: id, version or topic differ from its entry", index, nid)
            )
        if set(sealed.fields) != set(entry_doc["commitments"]):
            raise VerifyFailed(Fault("changed", f"{where}: a committed field is missing", index, nid))
        return sealed, entry_doc, recomputed

    def _raise_if_moved(self, recomputed: bytes, index: int | None, nid: int) -> None:
        """An entry integrated at another leaf than this row's: the events were reordered."""
        elsewhere = self.conn.execute(
            select(log_leaves.c.idx).where(log_leaves.c.leaf_hash == recomputed)
        ).scalar()
        if elsewhere is not None and elsewhere != index:
            here = f"leaf {index}" if index is not None else f"notification {nid} (not integrated)"
            raise VerifyFailed(Fault(
                "reordered", f"the event at {here} was integrated as leaf {elsewhere}", index, nid,
            ))

    def _key_for(self, nid: int, entry_doc: dict[str, object], index: int | None) -> _Key:
        keys, state = self.state.keys, self.state
        if state.first_event:
            state.first_event = False
            if keys[0].introduced_by != nid:
                raise VerifyFailed(Fault(
                    "key-chain", f"the first event ({at(index, nid)}) is not the genesis key's "
                    f"introduction (the key table says notification {keys[0].introduced_by})",
                    index, nid,
                ))
        elif state.key_index + 1 < len(keys) and keys[state.key_index + 1].introduced_by < nid:
            state.key_index += 1
        key = keys[state.key_index]
        if entry_doc["key_id"] != key.key_id:
            raise VerifyFailed(Fault(
                "signature",
                f"event at notification {nid} names key {entry_doc['key_id']}, "
                f"but key {key.key_id} was in force",
                index, nid,
            ))
        return key

    def _check_key_event(
        self, nid: int, sealed: SealedEvent, entry_doc: dict[str, object], index: int | None
    ) -> None:
        self.key_events_seen.add(nid)
        disclosed = {name: value for name, (_, value) in sealed.fields.items()}
        position = next((i for i, k in enumerate(self.state.keys) if k.introduced_by == nid), None)
        if position is None:
            raise VerifyFailed(Fault(
                "key-chain", f"the {entry_doc['topic']} event at {at(index, nid)} introduces key "
                f"{disclosed.get('key_id')}, which the key table lacks", index, nid,
            ))
        key = self.state.keys[position]
        topic = self.topics.genesis if position == 0 else self.topics.rotation
        if entry_doc["topic"] != topic or disclosed.get("key_id") != key.key_id:
            raise VerifyFailed(Fault(
                "key-chain", f"key {key.key_id} is not introduced by a {topic} event: the key "
                f"table names {at(index, nid)}", index, nid,
            ))
        signer = self.state.keys[max(position - 1, 0)]
        try:  # always checked: the chain of keys is what every other signature rests on
            verify_signature(sealed, signer.verifier.public_key)
        except VerificationError as exc:
            raise VerifyFailed(Fault(
                "key-chain", f"key {key.key_id} introduced at {at(index, nid)}: {exc}", index, nid
            )) from exc

    def _match_leaf(self, leaf: object, nid: int, recomputed: bytes, leaves: PageCursor) -> None:
        index, leaf_nid = int(leaf.idx), int(leaf.notification_id)  # type: ignore[attr-defined]
        if nid < leaf_nid:
            raise VerifyFailed(Fault(
                "inserted", f"event at notification {nid} was never integrated; leaf {index} "
                f"is notification {leaf_nid}", index, nid,
            ))
        if nid > leaf_nid:
            raise VerifyFailed(Fault(
                "missing", f"leaf {index} (notification {leaf_nid}) has no stored event",
                index, leaf_nid,
            ))
        if bytes(leaf.leaf_hash) != recomputed:  # type: ignore[attr-defined]
            self._raise_if_moved(recomputed, index, nid)
            raise VerifyFailed(Fault(
                "changed", f"the event at leaf {index} (notification {nid}) differs from "
                "what was integrated", index, nid,
            ))
        leaves.advance()

    # -- tree and checkpoints ---------------------------------------------------------
    def _check_checkpoints(
        self, report: Report, last_nid: int, created: list[tuple[merkle.NodeId, bytes]]
    ) -> None:
        size = self.state.builder.size
        while (row := self.checkpoints.peek()) is not None:
            if int(row.size) != size:  # type: ignore[attr-defined]
                return
            self._check_checkpoint(row, self._key_after(last_nid), created)
            report.checkpoints += 1
            report.latest_checkpoint = str(row.note)  # type: ignore[attr-defined]
            self.checkpoints.advance()

    def _key_after(self, nid: int) -> _Key:
        in_force = [k for k in self.state.keys if k.introduced_by <= nid]
        return in_force[-1]

    def _check_checkpoint(
        self, row: object, key: _Key, created: list[tuple[merkle.NodeId, bytes]]
    ) -> None:
        size = int(row.size)  # type: ignore[attr-defined]
        index = size - 1
        try:
            checkpoint, _, _ = open_checkpoint(str(row.note), [key.verifier], self.origin)  # type: ignore[attr-defined]
        except UnknownKeyError as exc:
            raise VerifyFailed(Fault(
                "unknown-key", f"checkpoint of size {size}: {exc}; the key in force after its "
                f"last entry is {key.verifier.label}", index,
            )) from exc
        except VerificationError as exc:
            raise VerifyFailed(Fault("checkpoint", f"checkpoint of size {size}: {exc}", index)) from exc
        if checkpoint.size != size or checkpoint.root_hash != bytes(row.root_hash):  # type: ignore[attr-defined]
            raise VerifyFailed(Fault(
                "checkpoint", f"checkpoint of size {size}: the row's size or root differs from "
                "its signed note", index,
            ))
        if checkpoint.root_hash != self.state.builder.root():
            # Name the smallest stored subtree that differs, if any, before the checkpoint:
            # that is where a rewritten leaf hash is (nodes are otherwise checked per page).
            self._check_nodes(created)
            raise VerifyFailed(Fault(
                "inconsistent", f"checkpoint of size {size} does not match the events: an "
                f"entry before leaf {size} was changed after it was signed", index,
            ))

    def _check_nodes(self, created: list[tuple[merkle.NodeId, bytes]]) -> None:
        inner = {node: digest for node, digest in created if node[0] > 0}
        if not inner:
            return
        stored = _stored_nodes(self.conn, inner)
        for node, digest in inner.items():
            if stored.get(node) != digest:
                level, idx = node
                first, last = idx << level, ((idx + 1) << level) - 1
                raise VerifyFailed(Fault(
                    "node", f"stored tree node (level {level}, index {idx}) over leaves "
                    f"{first}-{last} is wrong or missing: a stored leaf hash or node was rewritten",
                    first,
                ))

    def _finish(self, leaves: PageCursor, last: int, report: Report) -> None:
        leaf = leaves.peek()
        if leaf is not None:
            raise VerifyFailed(Fault(
                "missing", f"leaf {leaf.idx} (notification {leaf.notification_id}) and after "  # type: ignore[attr-defined]
                "have no stored event: the tail was truncated", int(leaf.idx),  # type: ignore[attr-defined]
                int(leaf.notification_id),  # type: ignore[attr-defined]
            ))
        self._check_leaves_after(last)
        row = self.checkpoints.peek()
        if row is not None:
            raise VerifyFailed(Fault(
                "truncated", f"checkpoint of size {row.size} covers more than the {report.tree_size} "  # type: ignore[attr-defined]
                "entries stored", report.tree_size,
            ))
        for key in self.state.keys:
            if key.introduced_by not in self.key_events_seen:
                raise VerifyFailed(unintroduced(key.key_id, key.introduced_by))
        self._check_keys_after(last)

    def _check_leaves_after(self, last: int) -> None:
        """Leaves added after this view must still name stored events: a dangling leaf would
        make the integrator skip every event up to the notification it names."""
        events = self.events
        dangling = self.conn.execute(
            select(log_leaves.c.idx, log_leaves.c.notification_id)
            .outerjoin(events, events.c.id == log_leaves.c.notification_id)
            .where(log_leaves.c.notification_id > last, events.c.id.is_(None))
            .order_by(log_leaves.c.idx)
            .limit(1)
        ).first()
        if dangling is not None:
            raise VerifyFailed(Fault(
                "missing", f"leaf {dangling.idx} (notification {dangling.notification_id}) has no "
                "stored event: it was deleted, or the tail was truncated",
                int(dangling.idx), int(dangling.notification_id),
            ))

    def _check_keys_after(self, last: int) -> None:
        """Keys added after this view must still name stored events."""
        events = self.events
        orphan = self.conn.execute(
            select(ledger_keys.c.key_id, ledger_keys.c.introduced_by)
            .outerjoin(events, events.c.id == ledger_keys.c.introduced_by)
            .where(ledger_keys.c.introduced_by > last, events.c.id.is_(None))
            .order_by(ledger_keys.c.introduced_by)
            .limit(1)
        ).first()
        if orphan is not None:
            raise VerifyFailed(unintroduced(orphan.key_id, int(orphan.introduced_by)))


def _stored_nodes(conn: Connection, wanted: dict[merkle.NodeId, bytes]) -> dict[merkle.NodeId, bytes]:
    by_level: dict[int, list[int]] = {}
    for level, idx in wanted:
        by_level.setdefault(level, []).append(idx)
    found: dict[merkle.NodeId, bytes] = {}
    for level, idxs in by_level.items():
        rows = conn.execute(
            select(log_nodes.c.idx, log_nodes.c.hash).where(
                log_nodes.c.level == level, log_nodes.c.idx.between(min(idxs), max(idxs))
            )
        )
        found.update({(level, int(r.idx)): bytes(r.hash) for r in rows})
    return found


def _same_id(raw: object, text: object) -> bool:
    """Compare a stored originator id (16 raw bytes on SQLite, text on PostgreSQL) with the
    entry's canonical text form."""
    if isinstance(raw, bytes | memoryview):
        try:
            return bytes(raw) == UUID(str(text)).bytes
        except ValueError:
            return False
    return str(raw).lower() == text
