"""Tables of the read side: the runner's tracking and faults, and every projection's read model.

A ``MetaData`` of its own, apart from the ledger's (``ledger.log.tables``): these tables are
disposable (a rebuild replays them from the ledger) and are not append-only. Alembic creates
them (``alembic/versions``, through ``projections.schema``); this module is the single
definition both the migrations and the code use.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# On SQLite an INTEGER PRIMARY KEY is the rowid (and autoincrements); BIGINT elsewhere.
_BigInt = BigInteger().with_variant(Integer(), "sqlite")

projection_tracking = Table(
    "projection_tracking",
    metadata,
    Column("projection_name", String(64), primary_key=True),
    Column(
        "notification_id",
        _BigInt,
        nullable=False,
        comment="every event up to and including this notification id has been applied",
    ),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

projection_faults = Table(
    "projection_faults",
    metadata,
    Column("id", _BigInt, primary_key=True, autoincrement=True),
    Column("projection_name", String(64), nullable=False),
    Column("notification_id", _BigInt, nullable=False, comment="the event that could not be applied"),
    Column("error", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("projection_faults_by_projection", "projection_name", "id"),
    comment="one row per failed attempt; the current fault is the latest beyond the tracking",
)

# -- read models ------------------------------------------------------------------------
# Each projection owns its tables; ``projections.schema`` creates and replaces them in
# migrations. Positions are notification ids (``as of`` queries compare against them).

principals = Table(
    "principals",
    metadata,
    Column("principal_id", String(36), primary_key=True, comment="the aggregate id"),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(64), nullable=False),
    Column("organisation", Text, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("added_at", _BigInt, nullable=False, comment="notification id of PrincipalAdded"),
)
