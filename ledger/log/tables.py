"""Tables the ledger owns besides eventsourcing's event table. All append-only.

Created by Alembic (``alembic/versions``); this metadata is the single definition both the
migrations and the code use.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

# On SQLite an INTEGER PRIMARY KEY is the rowid: the fastest possible index.
_BigInt = BigInteger().with_variant(Integer(), "sqlite")

EVENTS_TABLE = "akledger_events"  # eventsourcing-sqlalchemy: "<application name>_events"

ledger_keys = Table(
    "ledger_keys",
    metadata,
    Column("key_id", String(8), primary_key=True, comment="C2SP key id, hex"),
    Column("name", Text, nullable=False, comment="signed-note key name (the log origin)"),
    Column("public_key", LargeBinary, nullable=False, comment="raw Ed25519 public key"),
    Column(
        "introduced_by",
        _BigInt,
        nullable=False,
        unique=True,
        comment="notification id of the event that introduced the key; in force after it "
        "(the genesis key also signs that event itself)",
    ),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

log_leaves = Table(
    "log_leaves",
    metadata,
    Column("idx", _BigInt, primary_key=True, autoincrement=False, comment="dense leaf index"),
    Column("notification_id", _BigInt, nullable=False, unique=True),
    Column("leaf_hash", LargeBinary(32), nullable=False),
)

log_nodes = Table(
    "log_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", _BigInt, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
    comment="complete subtrees of 2**level leaves at level >= 1 (level 0 is log_leaves)",
)

log_checkpoints = Table(
    "log_checkpoints",
    metadata,
    Column("size", _BigInt, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("key_id", String(8), nullable=False),
    Column("note", Text, nullable=False, comment="the C2SP signed note, verbatim"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

APPEND_ONLY_TABLES = (
    EVENTS_TABLE,
    ledger_keys.name,
    log_leaves.name,
    log_nodes.name,
    log_checkpoints.name,
)
