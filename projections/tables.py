"""Tables of the read side: the runner's tracking and faults, and every projection's read model.

A ``MetaData`` of its own, apart from the ledger's (``ledger.log.tables``): these tables are
disposable (a rebuild replays them from the ledger) and are not append-only. Alembic creates
them (``alembic/versions``, through ``projections.schema``); this module is the single
definition both the migrations and the code use.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
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

# The ``facts`` projection (``projections.facts_projection``): each aggregate's facts as they
# stood over time, and when the ledger reached each position. A row is valid at position P when
# ``valid_from <= P AND (valid_to IS NULL OR valid_to > P)``: the three indexes below serve that
# for one kind (early positions through ``valid_from``, late ones and the latest through
# ``valid_to``) and for one kind in one phase.
facts = Table(
    "facts",
    metadata,
    Column("aggregate_id", String(36), primary_key=True),
    Column("kind", String(32), primary_key=True, comment="projections.fact_kinds.FactKind"),
    Column("key", Text, primary_key=True, comment="the natural key: a reference, test ref, run id ..."),
    Column("valid_from", _BigInt, primary_key=True, autoincrement=False,
           comment="notification id of the event after which the fact held"),
    Column("valid_to", _BigInt, nullable=True,
           comment="notification id of the event after which it no longer held; NULL: holds now"),
    Column("phase_id", Text, nullable=True, comment="the Test Phase the fact belongs to, for filtering"),
    Column("version", Integer, nullable=False, comment="the aggregate's version the fact was read from"),
    Column("payload", JSON, nullable=False, comment="the fact (projections.fact_codec)"),
    Index("facts_from", "kind", "valid_from", "valid_to"),
    Index("facts_to", "kind", "valid_to", "valid_from"),
    Index("facts_by_phase", "kind", "phase_id", "valid_from", "valid_to"),
    comment="temporal facts: one row per fact per period it held",
)

positions = Table(
    "positions",
    metadata,
    Column("notification_id", _BigInt, primary_key=True, autoincrement=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False,
           comment="the event's recorded time (UTC), from its signed entry"),
    Column("reached_at", DateTime(timezone=True), nullable=False,
           comment="the latest recorded time up to and including this position: the ledger "
           "cannot have held this position before then"),
    Index("positions_by_reached_at", "reached_at", "notification_id"),
    comment="every position of the ledger, for as-of-time queries",
)
