"""eventsourcing-sqlalchemy's application recorder with a leaner insert (issue 6: appends).

The library's recorder adds one ORM record per stored event to the session and flushes it (the
unit of work: identity map, state tracking, one ``INSERT ... RETURNING id`` a record), and takes
the events table's lock and sends its ``NOTIFY`` on every save. Under the HTTP server's group
commit (``ledger.commands.group_commit``) several saves share one transaction, and on a 2-core
machine the unit of work was the largest part of a worker's CPU per append on PostgreSQL.

``LedgerRecorder`` keeps everything that makes the log what it is, as the library does it: the
same table, the lock (``LOCK TABLE ... IN EXCLUSIVE MODE`` on PostgreSQL, so notification ids
commit in order), the autoincremented ids returned in the order of the stored events, and the
notification to listeners. It changes how: the rows go in by one Core ``INSERT ... RETURNING
id`` per save (``sort_by_parameter_order``: ids in the order the events were given), and the
lock and the notification are taken once per transaction (PostgreSQL folds identical
notifications of a transaction into one anyway, and a lock once held is held to its end).

``LedgerFactory`` is eventsourcing-sqlalchemy's factory with this recorder, named by
``PERSISTENCE_MODULE`` (``ledger.application``).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.factory import Factory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import insert
from sqlalchemy.orm import Session, SessionTransaction


class LedgerRecorder(SQLAlchemyApplicationRecorder):
    """Stored events inserted by Core, the lock and notification once per transaction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The transactions (their root SessionTransaction) that hold the lock and have notified:
        # both are done by a transaction's first save.
        self._begun: weakref.WeakSet[SessionTransaction] = weakref.WeakSet()
        table = self.events_record_cls.__table__
        # Made once: its compiled form and cache key are kept with it.
        self._insert = insert(table).returning(table.c.id, sort_by_parameter_order=True)

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        if not stored_events:
            return []
        transaction = _root(session)
        first = transaction not in self._begun
        if first and self._has_autoincrementing_ids:
            self._lock_table(session)
        rows = [
            {"originator_id": e.originator_id, "originator_version": e.originator_version,
             "topic": e.topic, "state": e.state}
            for e in stored_events
        ]
        # On the session's connection, in its transaction: Core, past the ORM's execute.
        ids = [int(i) for i in session.connection().execute(self._insert, rows).scalars()]
        if first:
            self._notify_channel(session)
            self._begun.add(transaction)
        return ids


def _root(session: Session) -> SessionTransaction:
    """The session's outermost transaction: the one its commit ends."""
    transaction = session.get_transaction()
    assert transaction is not None, "stored events are inserted within a transaction"
    while transaction.parent is not None:
        transaction = transaction.parent
    return transaction


class LedgerFactory(Factory):
    """eventsourcing-sqlalchemy's infrastructure factory, with ``LedgerRecorder``."""

    application_recorder_class = LedgerRecorder


__all__ = ["LedgerFactory", "LedgerRecorder"]
