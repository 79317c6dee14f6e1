"""Alembic owns the log tables: upgrade and downgrade both work, on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from ledger.application import AKLedger
from ledger.log.tables import APPEND_ONLY_TABLES
from ledger.store import alembic_config, migrate

OWNED = {"ledger_keys", "log_leaves", "log_nodes", "log_checkpoints", "log_witnesses", "log_cosignatures"}


def _tables(lg: AKLedger) -> set[str]:
    return set(inspect(lg.engine).get_table_names())


def test_downgrade_removes_the_owned_tables_and_upgrade_restores_them(ledger: AKLedger) -> None:
    assert _tables(ledger) >= OWNED | {"akledger_events"}
    with ledger.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert not (_tables(ledger) & OWNED)
    assert "akledger_events" in _tables(ledger)  # eventsourcing's own table is left alone
    migrate(ledger)
    assert _tables(ledger) >= OWNED
    assert set(APPEND_ONLY_TABLES) <= _tables(ledger)
