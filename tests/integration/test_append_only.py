"""The ledger's tables are append-only: with the triggers in place, the database itself
refuses UPDATE and DELETE (and, on PostgreSQL, TRUNCATE), and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api import log_service
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.log.tables import APPEND_ONLY_TABLES, EVENTS_TABLE

# Each UPDATE really changes every row it touches, so that "nothing changed" can fail.
UPDATES = {
    EVENTS_TABLE: "UPDATE akledger_events SET topic = 'forged'",
    "ledger_keys": "UPDATE ledger_keys SET name = 'forged'",
    "log_leaves": "UPDATE log_leaves SET notification_id = notification_id + 1000",
    "log_nodes": "UPDATE log_nodes SET idx = idx + 1000",
    "log_checkpoints": "UPDATE log_checkpoints SET note = 'forged'",
}


@pytest.fixture
def integrated(ledger: AKLedger, actor: Actor) -> AKLedger:
    """Rows in every table: events, a key, leaves, a tree node and a checkpoint."""
    ledger.load_signer()
    for i in range(3):
        ledger.record_note(f"note {i}", actor)
    assert log_service.integrate(ledger) == 4
    return ledger


def snapshot(lg: AKLedger, table: str) -> list[tuple[Any, ...]]:
    with lg.connect() as conn:
        rows = [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table}"))]
    return sorted(rows, key=repr)


def attempt(lg: AKLedger, table: str, statement: str) -> None:
    """Run ``statement`` on ``table``; it must be refused by the trigger, changing nothing."""
    before = snapshot(lg, table)
    assert before, f"{table} is empty: the statement would prove nothing"
    refused = f"{statement.split()[0]} on {table} refused"
    with pytest.raises(DBAPIError, match=refused), lg.engine.begin() as conn:
        conn.execute(text(statement))
    assert snapshot(lg, table) == before
    report = log_service.verify(lg)
    assert report.ok, report.fault


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_update_is_refused(integrated: AKLedger, table: str) -> None:
    attempt(integrated, table, UPDATES[table])


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_delete_is_refused(integrated: AKLedger, table: str) -> None:
    attempt(integrated, table, f"DELETE FROM {table}")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_truncate_is_refused_on_postgresql(integrated: AKLedger, table: str) -> None:
    attempt(integrated, table, f"TRUNCATE {table}")
