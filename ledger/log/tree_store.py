"""The tree as stored: leaves, complete-subtree nodes, and how they are read and written.

Shared by the integrator (which writes), the reader (proofs) and the verifier. Level 0 of
the tree is ``log_leaves``; every complete subtree above it is a row of ``log_nodes``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from sqlalchemy import Table, and_, func, literal, or_, select, tuple_, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from ledger.log.tables import log_leaves, log_nodes
from signing.merkle import NodeId, root_plan

_ENTRY_FIRST = b'{"entry":"'


def entry_of_state(state: bytes) -> bytes:
    """The leaf input (entry bytes) of a stored event's state.

    ``SealedEvent.to_state`` writes the entry first, so only that one JSON string is
    decoded (``json.decoder.scanstring``, the standard decoder's own routine); any other
    layout is parsed whole.
    """
    if state.startswith(_ENTRY_FIRST):
        text, _ = scanstring(state.decode("utf-8"), len(_ENTRY_FIRST))
        return str(text).encode("utf-8")
    return str(json.loads(state)["entry"]).encode("utf-8")


def load_frontier(conn: Connection, size: int) -> dict[NodeId, bytes]:
    """The complete nodes of the tree's right frontier at ``size`` (O(log n) rows)."""
    return fetch_nodes(conn, root_plan(size))


def fetch_nodes(conn: Connection, wanted: Iterable[NodeId]) -> dict[NodeId, bytes]:
    """Read the stored hashes of the given complete subtrees in one round trip (missing ones
    are absent). A proof needs O(log n) of them; one query, not one per level, is what keeps
    a proof at a few database round trips on PostgreSQL."""
    wanted = list(wanted)
    leaves = [idx for level, idx in wanted if level == 0]
    inner = [(level, idx) for level, idx in wanted if level > 0]
    parts = []
    if leaves:
        parts.append(
            select(literal(0).label("level"), log_leaves.c.idx, log_leaves.c.leaf_hash.label("hash"))
            .where(log_leaves.c.idx.in_(leaves))
        )
    if inner:
        match: ColumnElement[bool]
        if conn.dialect.name == "postgresql":
            match = tuple_(log_nodes.c.level, log_nodes.c.idx).in_(inner)
        else:  # SQLite's planner uses the primary key for an OR of equalities, not row values
            match = or_(*(and_(log_nodes.c.level == lv, log_nodes.c.idx == ix) for lv, ix in inner))
        parts.append(select(log_nodes.c.level, log_nodes.c.idx, log_nodes.c.hash).where(match))
    if not parts:
        return {}
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    return {(int(r.level), int(r.idx)): bytes(r.hash) for r in conn.execute(query)}


def tree_state(conn: Connection) -> tuple[int, int]:
    """(tree size, last integrated notification id or 0)."""
    row = conn.execute(
        select(log_leaves.c.idx, log_leaves.c.notification_id)
        .order_by(log_leaves.c.idx.desc())
        .limit(1)
    ).first()
    if row is None:
        return 0, 0
    return int(row.idx) + 1, int(row.notification_id)


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert many rows through the driver's own bulk path.

    The integrator writes about two rows per event; SQLAlchemy's per-row parameter handling
    was most of its time. SQLite: ``executemany``; PostgreSQL: ``COPY ... FROM STDIN``. Same
    transaction as everything else on ``conn``.
    """
    if not rows:
        return
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.copy_expert(f"COPY {table.name} ({names}) FROM STDIN", _copy_text(rows))
        finally:
            cursor.close()
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608 - our own names
    conn.exec_driver_sql(sql, list(rows))


def _copy_text(rows: Sequence[tuple[Any, ...]]) -> io.StringIO:
    """Rows of ints and bytes in COPY's text format (bytea as ``\\x`` hex)."""
    out = io.StringIO()
    for row in rows:
        out.write("\t".join(
            "\\\\x" + value.hex() if isinstance(value, bytes) else str(int(value)) for value in row
        ))
        out.write("\n")
    out.seek(0)
    return out


def pending_count(conn: Connection, events: Table) -> int:
    """How many stored events the tree has not integrated yet (the integrator's lag)."""
    _, last_nid = tree_state(conn)
    return int(conn.execute(select(func.count()).where(events.c.id > last_nid)).scalar() or 0)
