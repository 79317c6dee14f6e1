"""A rebuild of the ``facts`` projection in parts (``projections.parallel_rebuild``) writes the same
rows as the rebuild in one process, row for row; a part that cannot apply an event fails the
rebuild naming that event and leaves the read model as it was; nothing of its own is left behind.
On SQLite and PostgreSQL (the ``ledger`` fixture)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from typer.testing import CliRunner

from api.cli_projections import projections_app
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import bootstrap_admin, execute_json
from ledger.context import RecordingContext
from ledger.demo import demo_commands
from ledger.log.append_only import drop_triggers
from ledger.log.tables import APPEND_ONLY_TABLES
from projections import tracking
from projections.errors import ProjectionFailedError
from projections.facts_projection import FactsProjection
from projections.runner import rebuild
from projections.tables import facts, positions, projection_faults
from tests.integration.test_facts_as_of import WHEN


def record_demo(lg: AKLedger, actor: Actor) -> None:
    """The demo's commands, each Testing Issue raised before any phase is planned: so planning
    each phase refreshes issues of other parts (the one cross-aggregate read of the facts)."""
    bootstrap_admin(lg, "admin", "ledger operator", RecordingContext(actor, WHEN))
    lines = [json.dumps(c) for c in demo_commands("admin")]
    first_plan = next(k for k, line in enumerate(lines) if '"TestPhase.plan"' in line)
    raises = [line for line in lines[first_plan:] if '"TestingIssue.raise_issue"' in line]
    moved = [*lines[:first_plan], *raises, *(line for line in lines[first_plan:] if line not in raises)]
    for line in moved:
        execute_json(lg, line)


def snapshot(lg: AKLedger) -> dict[str, Any]:
    """Every row of the projection's tables in key order, its tracking and its faults."""
    with lg.connect() as conn:
        return {
            "facts": conn.execute(select(facts).order_by(*facts.primary_key.columns)).all(),
            "positions": conn.execute(select(positions).order_by(positions.c.notification_id)).all(),
            "tracking": tracking.claim_position(conn, "facts"),
            "faults": conn.execute(select(projection_faults.c.notification_id)).all(),
        }


def leftovers(lg: AKLedger) -> list[str]:
    """What a rebuild in parts may leave: PostgreSQL schemas, or files beside the SQLite ledger."""
    if lg.engine.dialect.name == "postgresql":
        with lg.connect() as conn:
            return list(conn.execute(sa.text(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'akledger_rebuild_%'")).scalars())
    folder = Path(str(lg.engine.url.database)).parent
    return [p.name for p in folder.iterdir() if p.name.startswith(".rebuild-")]


def test_a_rebuild_in_parts_writes_the_rows_of_a_rebuild_in_one_process(
    ledger: AKLedger, actor: Actor
) -> None:
    record_demo(ledger, actor)
    projection = FactsProjection(ledger)
    head = rebuild(ledger, projection, parts=1)
    expected = snapshot(ledger)
    assert expected["tracking"] == head > 300
    assert len(expected["facts"]) > 300
    for parts in (2, 3):
        with ledger.connect() as conn, conn.begin():  # what a rebuild replaces, whatever it was
            conn.execute(facts.update().values(version=-1))
        done: list[tuple[int, int]] = []
        assert rebuild(ledger, projection, lambda n, total, seen=done: seen.append((n, total)),
                       parts=parts) == head
        assert snapshot(ledger) == expected, f"{parts} parts"
        assert done[-1] == (head, head)
        assert leftovers(ledger) == []


def test_a_part_that_cannot_apply_an_event_fails_the_rebuild_and_changes_nothing(
    ledger: AKLedger, actor: Actor
) -> None:
    record_demo(ledger, actor)
    projection = FactsProjection(ledger)
    rebuild(ledger, projection, parts=1)
    before = snapshot(ledger)
    events = ledger.events_table
    with ledger.connect() as conn, conn.begin():  # tamper with one stored event of a planned test
        drop_triggers(conn, APPEND_ONLY_TABLES)
        target = conn.execute(select(events.c.id).where(events.c.topic.like("%PlannedTest.ExecutionRecorded"))
                              .order_by(events.c.id).limit(1)).scalar_one()
        conn.execute(events.update().where(events.c.id == target).values(state=b"{not json"))
    with pytest.raises(ProjectionFailedError) as failed:
        rebuild(ledger, projection, parts=2)
    assert failed.value.notification_id == target
    assert "not a sealed event" in failed.value.error
    assert snapshot(ledger) == before
    assert leftovers(ledger) == []


def test_akledger_projections_rebuild_takes_the_number_of_parts(
    ledger: AKLedger, actor: Actor, env: dict[str, str]
) -> None:
    record_demo(ledger, actor)
    rebuild(ledger, FactsProjection(ledger), parts=1)
    expected = snapshot(ledger)
    runner = CliRunner()
    done = runner.invoke(projections_app, ["rebuild", "facts", "--parts", "2"], env=env)
    assert done.exit_code == 0, done.output
    assert f"facts: {expected['tracking']} events replayed" in done.output
    assert snapshot(ledger) == expected
    refused = runner.invoke(projections_app, ["rebuild", "facts", "--parts", "0"], env=env)
    assert refused.exit_code == 2
    assert "--parts" in refused.output
