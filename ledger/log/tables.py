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
    UniqueConstraint,
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

log_witnesses = Table(
    "log_witnesses",
    metadata,
    Column("name", Text, primary_key=True, comment="the witness's key name (c2sp.org/signed-note)"),
    Column("key_id", String(8), nullable=False, comment="C2SP key id of its 0x04 key, hex"),
    Column("vkey", Text, nullable=False, comment="tlog-cosignature vkey name+hex8+base64"),
    Column("added_at", DateTime(timezone=True), nullable=False),
    comment="witnesses whose cosignatures the ledger accepts (akledger witness add)",
)

log_cosignatures = Table(
    "log_cosignatures",
    metadata,
    Column("id", _BigInt, primary_key=True, autoincrement=True),
    Column("size", _BigInt, nullable=False, index=True, comment="tree size of the cosigned checkpoint"),
    Column("witness", Text, nullable=False, comment="the witness's key name"),
    Column("key_id", String(8), nullable=False, comment="C2SP key id of the 0x04 key, hex"),
    Column("timestamp", _BigInt, nullable=False, comment="the cosignature's POSIX time"),
    Column("line", Text, nullable=False, comment="the note signature line, without its newline"),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("size", "witness", "key_id", name="log_cosignatures_one_per_witness"),
    comment="c2sp.org/tlog-cosignature lines held for the ledger's own checkpoints",
)

# Not in APPEND_ONLY_TABLES: migration 0001 installs those; 0005 installs these.
WITNESS_TABLES = (log_witnesses.name, log_cosignatures.name)

APPEND_ONLY_TABLES = (
    EVENTS_TABLE,
    ledger_keys.name,
    log_leaves.name,
    log_nodes.name,
    log_checkpoints.name,
)
