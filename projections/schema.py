"""What migrations call to create the read side: read-model tables and the events NOTIFY trigger.

Read models are disposable: every row can be replayed from the ledger. So a read model's
table never needs a data migration. A migration that adds a projection calls
:func:`create_read_model`; one that changes a projection's tables calls
:func:`replace_read_model`, which drops and recreates them from their current definition in
``projections.tables`` and resets the projection's tracking, so the runner rebuilds it by
replaying the log. (Downgrading such a migration recreates the current shape again: the
tables of a read model are always those of the code that runs it.)

The trigger: on PostgreSQL every INSERT statement into the events table notifies channel
:data:`CHANNEL`, which runners LISTEN on. eventsourcing-sqlalchemy's recorder already sends
``NOTIFY akledger_events`` (no payload) in each append's transaction; the trigger makes the
wake-up independent of which writer inserted the rows. It is statement-level and sends the
same empty payload on the same channel, and PostgreSQL delivers identical notifications of
one transaction once, so it costs no extra message.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, delete, inspect, text
from sqlalchemy.engine import Connection

from ledger.log.tables import EVENTS_TABLE
from projections.tables import projection_faults, projection_tracking

CHANNEL = EVENTS_TABLE  # eventsourcing-sqlalchemy's own channel name: the events table's name
_FUNCTION = "akledger_notify_events"
_TRIGGER = f"{EVENTS_TABLE}_notify"


def create_read_model(bind: Connection, tables: Sequence[Table]) -> None:
    """Create a new projection's tables (they must not exist yet)."""
    for table in tables:
        table.create(bind)


def drop_read_model(bind: Connection, projection: str, tables: Sequence[Table]) -> None:
    """Drop a projection's tables and forget its tracking and faults (downgrade)."""
    for table in reversed(tables):
        table.drop(bind, checkfirst=True)
    forget_tracking(bind, projection)


def replace_read_model(bind: Connection, projection: str, tables: Sequence[Table]) -> None:
    """Recreate a projection's tables from their current definition; the runner replays it."""
    drop_read_model(bind, projection, tables)
    create_read_model(bind, tables)


def forget_tracking(bind: Connection, projection: str) -> None:
    """Delete the projection's tracking and fault rows, where those tables exist."""
    existing = set(inspect(bind).get_table_names())
    for table, column in (
        (projection_tracking, projection_tracking.c.projection_name),
        (projection_faults, projection_faults.c.projection_name),
    ):
        if table.name in existing:
            bind.execute(delete(table).where(column == projection))


def create_notify_trigger(bind: Connection) -> None:
    """PostgreSQL: notify :data:`CHANNEL` after each INSERT statement into the events table.

    Does nothing on other databases, or where the events table does not exist yet (it is
    eventsourcing-sqlalchemy's own, created by ``akledger init`` before the migrations);
    runners then still poll.
    """
    if bind.dialect.name != "postgresql" or not inspect(bind).has_table(EVENTS_TABLE):
        return
    bind.execute(text(
        f"CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger AS $$\n"
        f"BEGIN\n    PERFORM pg_notify('{CHANNEL}', '');\n    RETURN NULL;\nEND;\n"
        "$$ LANGUAGE plpgsql"
    ))
    bind.execute(text(
        f"CREATE TRIGGER {_TRIGGER} AFTER INSERT ON {EVENTS_TABLE} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()"
    ))


def drop_notify_trigger(bind: Connection) -> None:
    """Remove the trigger and its function (PostgreSQL; nothing elsewhere)."""
    if bind.dialect.name != "postgresql":
        return
    if inspect(bind).has_table(EVENTS_TABLE):
        bind.execute(text(f"DROP TRIGGER IF EXISTS {_TRIGGER} ON {EVENTS_TABLE}"))
    bind.execute(text(f"DROP FUNCTION IF EXISTS {_FUNCTION}()"))
