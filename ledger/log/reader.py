"""Reading the log: checkpoints, entries and proofs, each in O(log n) indexed reads."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from ledger.errors import NotFoundError
from ledger.log.tables import log_checkpoints, log_leaves
from ledger.log.tree_store import entry_of_state, fetch_nodes, tree_state
from signing import merkle
from signing.errors import MalformedInputError


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root_hash: bytes
    key_id: str
    note: str


@dataclass(frozen=True)
class LogEntry:
    index: int
    notification_id: int
    entry: bytes
    leaf_hash: bytes


class LogReader:
    """Read-only access to the tree on one connection."""

    def __init__(self, conn: Connection, events: Table) -> None:
        self._conn = conn
        self._events = events
        self._tree_size: int | None = None

    def tree_size(self) -> int:
        """The integrated size, read once per reader (a reader answers one request)."""
        if self._tree_size is None:
            self._tree_size = tree_state(self._conn)[0]
        return self._tree_size

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        row = self._conn.execute(
            select(log_checkpoints).order_by(log_checkpoints.c.size.desc()).limit(1)
        ).first()
        return None if row is None else _checkpoint(row)

    def checkpoint(self, size: int) -> StoredCheckpoint:
        row = self._conn.execute(
            select(log_checkpoints).where(log_checkpoints.c.size == size)
        ).first()
        if row is None:
            raise NotFoundError(f"no checkpoint of tree size {size}")
        return _checkpoint(row)

    def entries(self, start: int, stop: int) -> list[LogEntry]:
        """Leaves ``start <= index < stop`` with their exact entry bytes."""
        rows = self._conn.execute(
            select(
                log_leaves.c.idx,
                log_leaves.c.notification_id,
                log_leaves.c.leaf_hash,
                self._events.c.state,
            )
            .join(self._events, self._events.c.id == log_leaves.c.notification_id)
            .where(log_leaves.c.idx >= start, log_leaves.c.idx < stop)
            .order_by(log_leaves.c.idx)
        )
        return [
            LogEntry(
                int(r.idx), int(r.notification_id), entry_of_state(bytes(r.state)),
                bytes(r.leaf_hash),
            )
            for r in rows
        ]

    def entry(self, index: int) -> LogEntry:
        found = self.entries(index, index + 1)
        if not found:
            raise NotFoundError(f"no log entry at index {index} (tree size {self.tree_size()})")
        return found[0]

    def inclusion_proof(self, index: int, size: int | None = None) -> tuple[int, list[bytes]]:
        """(size, proof) for leaf ``index`` in the tree of ``size`` (default: current)."""
        size = self._size(size)
        if not 0 <= index < size:
            raise NotFoundError(f"leaf index {index} is not in a tree of size {size}")
        plan = merkle.inclusion_proof_plan(index, size)
        return size, self._proof(plan)

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        second = self._size(second, "second")
        if not 0 <= first <= second:
            raise NotFoundError(f"no consistency proof from first={first} to second={second}")
        return self._proof(merkle.consistency_proof_plan(first, second))

    def root(self, size: int) -> bytes:
        size = self._size(size)
        if size == 0:
            return merkle.EMPTY_ROOT
        return self._proof([merkle.root_plan(size)])[0]

    def _size(self, size: int | None, name: str = "size") -> int:
        """``size`` (default: the current size); ``name`` is how the caller's request calls it."""
        current = self.tree_size()
        if size is None:
            return current
        if not 0 <= size <= current:
            raise NotFoundError(f"{name}={size} is beyond the integrated tree size {current}")
        return size

    def _proof(self, plan: list[list[merkle.NodeId]]) -> list[bytes]:
        wanted = {node for element in plan for node in element}
        nodes = fetch_nodes(self._conn, wanted)
        try:
            return merkle.proof_from_plan(plan, nodes)
        except MalformedInputError as exc:  # a stored node is missing: the store is damaged
            raise NotFoundError(f"the tree store lacks a node: {exc}") from exc


def _checkpoint(row: object) -> StoredCheckpoint:
    return StoredCheckpoint(
        size=int(row.size),  # type: ignore[attr-defined]
        root_hash=bytes(row.root_hash),  # type: ignore[attr-defined]
        key_id=str(row.key_id),  # type: ignore[attr-defined]
        note=str(row.note),  # type: ignore[attr-defined]
    )
