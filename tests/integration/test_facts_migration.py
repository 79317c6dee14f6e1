"""Migration 0003 (the ``facts`` projection's tables) downgrades and upgrades again, on both
databases; after the round trip the projection replays the ledger into the new tables."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import bootstrap_admin
from ledger.context import RecordingContext
from ledger.store import alembic_config, migrate
from projections.fact_kinds import FactKind
from projections.facts_projection import FactsProjection
from projections.queries import facts_at, position_as_of
from projections.runner import run_once
from projections.tracking import head, status

FACT_TABLES = {"facts", "positions"}


def _tables(lg: AKLedger) -> set[str]:
    return set(inspect(lg.engine).get_table_names())


def test_0003_downgrades_to_0002_and_upgrades_again(ledger: AKLedger, actor: Actor) -> None:
    bootstrap_admin(ledger, "admin", "org", RecordingContext(actor, datetime.now(UTC)))
    assert _tables(ledger) >= FACT_TABLES | {"principals", "projection_tracking"}
    applied = run_once(ledger, FactsProjection(ledger))
    assert applied > 0

    with ledger.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    assert not (_tables(ledger) & FACT_TABLES)
    assert _tables(ledger) >= {"principals", "projection_tracking"}  # 0002's stay
    assert [s.position for s in status(ledger.engine, ["facts"])] == [0]  # its tracking is forgotten

    migrate(ledger)
    assert _tables(ledger) >= FACT_TABLES
    assert run_once(ledger, FactsProjection(ledger)) == applied  # replayed from the start
    with ledger.connect() as conn:
        top = head(conn)
    assert position_as_of(ledger.engine) == top
    assert facts_at(ledger.engine, FactKind.ISSUE, top) == []
