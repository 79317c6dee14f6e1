"""Migration 0002 (the read side) downgrades and upgrades again, on both databases."""

from __future__ import annotations

import select
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import bootstrap_admin
from ledger.context import RecordingContext
from ledger.log.tables import APPEND_ONLY_TABLES
from ledger.store import alembic_config, migrate
from projections.principals import PrincipalsProjection
from projections.runner import run_once
from projections.schema import CHANNEL

READ_SIDE = {"projection_tracking", "projection_faults", "principals"}


def _tables(lg: AKLedger) -> set[str]:
    return set(inspect(lg.engine).get_table_names())


def _notify_triggers(lg: AKLedger) -> set[str]:
    if lg.engine.dialect.name != "postgresql":
        return set()
    with lg.connect() as conn:
        return set(conn.execute(text(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = 'akledger_events' AND c.relnamespace = current_schema()::regnamespace "
            "AND t.tgname LIKE '%notify%'"
        )).scalars())


def test_0002_downgrades_to_0001_and_upgrades_again(ledger: AKLedger, actor: Actor) -> None:
    pg = ledger.engine.dialect.name == "postgresql"
    assert _tables(ledger) >= READ_SIDE
    assert _notify_triggers(ledger) == ({"akledger_events_notify"} if pg else set())

    with ledger.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    assert not (_tables(ledger) & READ_SIDE)
    assert _tables(ledger) >= set(APPEND_ONLY_TABLES)  # the ledger's own tables stay
    assert _notify_triggers(ledger) == set()

    migrate(ledger)
    assert _tables(ledger) >= READ_SIDE
    assert _notify_triggers(ledger) == ({"akledger_events_notify"} if pg else set())

    bootstrap_admin(ledger, "admin", "org", RecordingContext(actor, datetime.now(UTC)))
    assert run_once(ledger, PrincipalsProjection()) == 1  # the runner works on the new tables


def test_any_insert_into_the_events_table_notifies_listeners(ledger: AKLedger, actor: Actor) -> None:
    """The trigger, not only eventsourcing's recorder, announces appends (PostgreSQL)."""
    if ledger.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (NOTIFY)")
    with ledger.connect() as listener:
        listener = listener.execution_options(isolation_level="AUTOCOMMIT")
        listener.execute(text(f"LISTEN {CHANNEL}"))
        raw = listener.connection.dbapi_connection
        assert raw is not None
        with ledger.engine.begin() as writer:
            sender = _insert_raw_event(writer, ledger)
        assert sender in _notifying_pids(raw, until=lambda pids: sender in pids)
        listener.execute(text("UNLISTEN *"))


def _insert_raw_event(conn: Connection, lg: AKLedger) -> int:
    """Insert a row as a writer other than the recorder would (no NOTIFY of its own); its pid."""
    original = next(iter(lg.recorder.select_notifications(None, 1)))
    pid = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    conn.execute(lg.events_table.insert().values(
        originator_id=original.originator_id, originator_version=999, topic=original.topic,
        state=original.state,
    ))
    return pid


def _notifying_pids(raw: Any, until: Callable[[set[int]], bool], timeout: float = 10.0) -> set[int]:
    """Backend pids that notified the channel. Other tests share the database, so the channel
    too: a notification is ours when our writer's pid sent it."""
    pids: set[int] = set()
    deadline = time.monotonic() + timeout
    while not until(pids) and time.monotonic() < deadline:
        select.select([raw], [], [], 0.1)
        raw.poll()
        pids |= {n.pid for n in raw.notifies}
        raw.notifies.clear()
    return pids
