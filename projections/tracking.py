"""Where each projection has got to, what stopped it, and how far behind the ledger it is.

Tracking is our own table, one row per projection, not eventsourcing's ``ProcessRecorder``
tracking. The runner writes a projection's rows through a SQLAlchemy Core ``Connection``,
and the tracking must commit in that same transaction; ``SQLAlchemyTrackingRecorder`` works
through its own ORM session and transaction, checks for an existing tracking id in a
separate transaction before it updates (select-then-update, see design.md), is keyed by the
upstream application's name rather than the projection's, and creates its table itself
rather than through Alembic. Here the row is read ``FOR UPDATE`` inside the batch's
transaction (on SQLite the batch holds the write lock from its start) and advanced with a
compare-and-set, so a batch is applied exactly once even if two runners ever raced.

Positions are notification ids. A projection that has seen every event up to the head of
the log is tracked at the head, even where the last of those events had a topic it ignores,
so its lag is zero when it is caught up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import column, func, select, table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from ledger.log.tables import EVENTS_TABLE
from projections.errors import ProjectionConflictError
from projections.tables import projection_faults, projection_tracking

_events = table(EVENTS_TABLE, column("id"))
_tracking = projection_tracking.c
_faults = projection_faults.c


@dataclass(frozen=True)
class ProjectionFault:
    """Why a projection stopped: the event it could not apply, the error, when."""

    notification_id: int
    error: str
    at: datetime


@dataclass(frozen=True)
class ProjectionStatus:
    """How far a projection has got: ``lag`` is ``head - position`` in notification ids."""

    name: str
    position: int
    head: int
    lag: int
    fault: ProjectionFault | None


def claim_position(conn: Connection, name: str) -> int:
    """The projection's position, its tracking row locked until the transaction ends.

    Creates the row at 0 the first time. Precondition: ``conn`` is in the batch's transaction
    (on SQLite, begun IMMEDIATE: ``FOR UPDATE`` is not SQLite's, the write lock does it).
    """
    query = select(_tracking.notification_id).where(_tracking.projection_name == name).with_for_update()
    found = conn.execute(query).scalar()
    if found is not None:
        return int(found)
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        insert(projection_tracking)
        .values(projection_name=name, notification_id=0, updated_at=datetime.now(UTC))
        .on_conflict_do_nothing()
    )
    return int(conn.execute(query).scalar_one())


def advance(conn: Connection, name: str, expected: int, position: int) -> None:
    """Move the tracking from ``expected`` to ``position`` (compare-and-set).

    Raises ProjectionConflictError when the row is no longer at ``expected``.
    """
    moved = conn.execute(
        update(projection_tracking)
        .where(_tracking.projection_name == name, _tracking.notification_id == expected)
        .values(notification_id=position, updated_at=datetime.now(UTC))
    )
    if moved.rowcount != 1:
        raise ProjectionConflictError(name, expected)


def reset(conn: Connection, name: str) -> None:
    """Put the projection back at the start of the log and clear its faults (rebuild)."""
    conn.execute(projection_faults.delete().where(_faults.projection_name == name))
    position = claim_position(conn, name)
    advance(conn, name, position, 0)


def record_fault(conn: Connection, name: str, notification_id: int, error: str) -> None:
    conn.execute(
        projection_faults.insert().values(
            projection_name=name, notification_id=notification_id, error=error, at=datetime.now(UTC)
        )
    )


#: The highest notification id in the ledger, 0 when it is empty.
HEAD = select(func.coalesce(func.max(_events.c.id), 0))


def head(conn: Connection) -> int:
    """The highest notification id in the ledger, 0 when it is empty."""
    return int(conn.execute(HEAD).scalar_one())


def status(engine: Engine, names: Iterable[str] = ()) -> list[ProjectionStatus]:
    """Each projection's position, the ledger's head, the lag and the current fault, if any.

    Lists ``names`` (those never run are at position 0) and every projection with tracking,
    in name order. A fault is current while the projection has not got past its event.
    """
    with engine.connect() as conn:
        top = head(conn)
        positions = {
            str(r.projection_name): int(r.notification_id)
            for r in conn.execute(select(_tracking.projection_name, _tracking.notification_id))
        }
        found = []
        for name in sorted(set(names) | set(positions)):
            position = positions.get(name, 0)
            found.append(ProjectionStatus(name, position, top, top - position, _fault(conn, name, position)))
    return found


def _fault(conn: Connection, name: str, position: int) -> ProjectionFault | None:
    row = conn.execute(
        select(_faults.notification_id, _faults.error, _faults.at)
        .where(_faults.projection_name == name, _faults.notification_id > position)
        .order_by(_faults.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return ProjectionFault(int(row.notification_id), str(row.error), row.at)
