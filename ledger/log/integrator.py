"""The log integrator: follows the notification log and grows the signed Merkle tree.

Each stored event's entry bytes become leaf ``index`` (a dense counter of ours; notification
ids may have gaps after a rollback on PostgreSQL). A batch is one transaction: the leaves,
the complete subtree nodes they finish and the signed checkpoint are written together, and
the leaf table is the tracking record (its last row names the last notification
integrated), so a batch is integrated exactly once or not at all. Only one integrator works
at a time, from its first read to its commit: on PostgreSQL a transaction-scoped advisory
lock, on SQLite the database's single write lock taken up front (``BEGIN IMMEDIATE``). The
leaf primary key is the last line of defence, not the coordination.

A checkpoint is signed only inside the batch's transaction, from the tree the batch has
just extended; a rolled-back checkpoint is never published, and a retry recomputes the
same root from the same events, so two inconsistent checkpoints are never signed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Table, insert, select, text
from sqlalchemy.engine import Connection

from ledger.log.tables import ledger_keys, log_checkpoints, log_leaves, log_nodes
from ledger.log.tree_store import bulk_insert, entry_of_state, load_frontier, tree_state
from ledger.mapper import Signer
from signing.checkpoint import Checkpoint, sign_checkpoint
from signing.merkle import TreeBuilder, leaf_hash

# An arbitrary constant naming the integrator's advisory lock (pg_advisory_xact_lock).
ADVISORY_LOCK_ID = 0x414B4C47  # "AKLG"


@dataclass(frozen=True)
class BatchResult:
    """What one batch did."""

    integrated: int
    tree_size: int
    root_hash: bytes


def key_in_force(conn: Connection, notification_id: int) -> str:
    """The key id in force after ``notification_id`` (the last key introduced at or before it)."""
    key_id = conn.execute(
        select(ledger_keys.c.key_id)
        .where(ledger_keys.c.introduced_by <= notification_id)
        .order_by(ledger_keys.c.introduced_by.desc())
        .limit(1)
    ).scalar()
    if key_id is None:
        raise LookupError(f"no signing key is in force at notification {notification_id}")
    return str(key_id)


def lock_out_other_integrators(conn: Connection) -> None:
    """Hold, until the transaction ends, the lock that lets one integrator work at a time.

    Precondition: nothing has been executed yet in ``conn``'s transaction.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_ID})
    elif conn.dialect.name == "sqlite":
        # pysqlite begins a transaction only at the first INSERT, so the reads of the tree's
        # state would run outside it and a racing integrator would fail on the leaf primary
        # key. BEGIN IMMEDIATE takes the write lock first (waiting up to the busy timeout).
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Integrator:
    """Integrates new events into the tree, one transaction per batch."""

    def __init__(
        self,
        connect: Callable[[], Connection],
        events: Table,
        origin: str,
        signer_for: Callable[[str], Signer],
    ) -> None:
        """``connect`` opens a connection; ``signer_for(key_id)`` loads a private key."""
        self._connect = connect
        self._events = events
        self._origin = origin
        self._signer_for = signer_for
        self._builder: TreeBuilder | None = None

    def integrate_batch(self, limit: int = 10_000) -> BatchResult:
        """Integrate up to ``limit`` events. On any error the batch is rolled back whole."""
        with self._connect() as conn, conn.begin():
            lock_out_other_integrators(conn)
            size, last_nid = tree_state(conn)
            builder = self._builder
            if builder is None or builder.size != size:
                builder = TreeBuilder(size, load_frontier(conn, size))
            rows = conn.execute(
                select(self._events.c.id, self._events.c.state)
                .where(self._events.c.id > last_nid)
                .order_by(self._events.c.id)
                .limit(limit)
            ).all()
            if not rows:
                self._builder = builder
                return BatchResult(0, size, builder.root())
            builder = TreeBuilder(builder.size, builder.frontier())  # keep the cache clean on error
            self._append(conn, builder, rows)
            self._sign(conn, builder, int(rows[-1].id))
        self._builder = builder
        return BatchResult(len(rows), builder.size, builder.root())

    def _append(self, conn: Connection, builder: TreeBuilder, rows: Sequence[Row[Any]]) -> None:
        leaves: list[tuple[int, int, bytes]] = []
        nodes: list[tuple[int, int, bytes]] = []
        for row in rows:
            index = builder.size
            lh = leaf_hash(entry_of_state(bytes(row.state)))
            leaves.append((index, int(row.id), lh))
            for (level, idx), digest in builder.append(lh):
                if level > 0:
                    nodes.append((level, idx, digest))
        bulk_insert(conn, log_leaves, ("idx", "notification_id", "leaf_hash"), leaves)
        bulk_insert(conn, log_nodes, ("level", "idx", "hash"), nodes)

    def _sign(self, conn: Connection, builder: TreeBuilder, last_nid: int) -> None:
        signer = self._signer_for(key_in_force(conn, last_nid))
        checkpoint = Checkpoint(self._origin, builder.size, builder.root())
        note = sign_checkpoint(checkpoint, self._origin, signer.private_key)
        conn.execute(
            insert(log_checkpoints).values(
                size=builder.size,
                root_hash=checkpoint.root_hash,
                key_id=signer.key_id,
                note=note,
                created_at=datetime.now(UTC),
            )
        )

    def run_until_caught_up(
        self, limit: int = 10_000, progress: Callable[[BatchResult], None] | None = None
    ) -> int:
        """Integrate until no event is left; returns how many were integrated."""
        total = 0
        while True:
            result = self.integrate_batch(limit)
            if result.integrated == 0:
                return total
            total += result.integrated
            if progress is not None:
                progress(result)

    def run_forever(
        self, should_stop: Callable[[], bool], interval: float = 0.1, limit: int = 10_000
    ) -> None:
        """Poll every ``interval`` seconds until ``should_stop()``; errors propagate (loudly)."""
        while not should_stop():
            if self.integrate_batch(limit).integrated == 0:
                time.sleep(interval)
