"""Migrations 0003 (the ``facts`` projection's tables), 0006 (runs as rows of their own) and 0007
(PostgreSQL statistics) downgrade and upgrade again, on both databases; after the round trip the
projection replays the ledger into the new tables."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import func, inspect, select

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import bootstrap_admin
from ledger.context import RecordingContext
from ledger.store import alembic_config, migrate
from projections.fact_kinds import FactKind
from projections.facts_projection import FactsProjection
from projections.queries import facts_at, position_as_of
from projections.runner import run_once
from projections.tables import facts
from projections.tracking import head, status
from tests.integration.test_facts_as_of import LINES, bootstrap, import_each

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


def test_0006_replays_the_facts_with_each_run_a_row_of_its_own(ledger: AKLedger, actor: Actor) -> None:
    bootstrap(ledger, actor)
    import_each(ledger, LINES)
    applied = run_once(ledger, FactsProjection(ledger))
    top = position_as_of(ledger.engine)
    before = facts_at(ledger.engine, FactKind.PLANNED_TEST, top)
    assert any(t.executions for t in before)

    with ledger.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0005")
    assert [s.position for s in status(ledger.engine, ["facts"])] == [0]  # replayed by the code before
    migrate(ledger)
    assert [s.position for s in status(ledger.engine, ["facts"])] == [0]
    with ledger.connect() as conn:
        assert conn.execute(select(func.count()).select_from(facts)).scalar_one() == 0

    assert run_once(ledger, FactsProjection(ledger)) == applied  # replayed from the start
    assert facts_at(ledger.engine, FactKind.PLANNED_TEST, top) == before  # each test with its runs
    runs = facts_at(ledger.engine, FactKind.EXECUTION, top)
    assert len(runs) == sum(len(t.executions) for t in before)


def _statistics(lg: AKLedger) -> list[str]:
    if lg.engine.dialect.name != "postgresql":
        return []
    with lg.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT stxname FROM pg_statistic_ext WHERE stxrelid = 'facts'::regclass")
        return [row[0] for row in found]


def test_0007_gives_postgresql_statistics_of_open_facts_by_kind_and_downgrades(
    ledger: AKLedger, actor: Actor
) -> None:
    postgres = ledger.engine.dialect.name == "postgresql"
    assert _statistics(ledger) == (["facts_kind_valid_to"] if postgres else [])
    with ledger.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0006")
    assert _statistics(ledger) == []
    migrate(ledger)
    assert _statistics(ledger) == (["facts_kind_valid_to"] if postgres else [])
    bootstrap(ledger, actor)
    import_each(ledger, LINES[:40])
    assert run_once(ledger, FactsProjection(ledger)) > 0  # the projection runs as before
