"""The temporal fact store answers "as of" any position exactly as the ledger stood then (issue 5
items 2 and 4): every query as of position P equals the same query on a fresh ledger into which
only the commands recorded up to P were imported. A rebuild writes the same rows; a recorded time
maps to the last position reached by then. On SQLite and PostgreSQL (the ``ledger`` fixture)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from eventsourcing.domain import Aggregate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.calendar import LONDON
from ledger.commands.execute import bootstrap_admin, execute_json
from ledger.config import Settings
from ledger.context import RecordingContext
from ledger.demo import IOC_SIT, demo_commands
from ledger.phases import TestPhase
from ledger.planned_tests import PlannedTest
from ledger.rules.phase_kinds import PhaseKind
from ledger.store import create_ledger
from projections import queries, tracking
from projections.as_of import AsOfError, ProjectionBehindError
from projections.fact_builders import AGGREGATES, execution_facts, facts_of, phase_fact
from projections.fact_codec import as_json, dumps
from projections.fact_kinds import BuiltFact, FactKind
from projections.facts_projection import FactsProjection
from projections.registry import projection_named, projections_for
from projections.rules.facts import ExecutionFact, PlannedTestFact
from projections.runner import rebuild, run_once
from projections.tables import facts, positions

WHEN = datetime.now(UTC) - timedelta(minutes=1)
JUDGED_ON = date(2026, 4, 20)  # mid-history: one Work Off Plan item overdue, one not yet
LINES = [json.dumps(c) for c in demo_commands("admin")]


def bootstrap(lg: AKLedger, actor: Actor) -> None:
    bootstrap_admin(lg, "admin", "ledger operator", RecordingContext(actor, WHEN))


def import_each(lg: AKLedger, lines: list[str]) -> list[int]:
    """Import ``lines`` one by one; the position each command's last event went to."""
    return [execute_json(lg, line).appended[-1].position for line in lines]


def head(lg: AKLedger) -> int:
    with lg.connect() as conn:
        return tracking.head(conn)


def project(lg: AKLedger) -> None:
    run_once(lg, FactsProjection(lg))


def answers(lg: AKLedger, position: int | None = None) -> dict[str, Any]:
    """Every query's answer as JSON (without its ``as_of``, which says when the ledger got there)."""
    engine, at = lg.engine, position
    latest = queries.position_as_of(engine, position)
    found: dict[str, Any] = {kind.value: as_json(queries.facts_at(engine, kind, latest)) for kind in FactKind}
    results: dict[str, Any] = {
        "heatmap": queries.heatmap(engine, as_of_position=at),
        "work_off": queries.work_off(engine, as_of_position=at, judged_on=JUDGED_ON),
        "matters": queries.matters(engine, as_of_position=at, judged_on=JUDGED_ON),
        "findings": queries.findings(engine, as_of_position=at, judged_on=JUDGED_ON, app=lg),
    }
    for phase in queries.facts_at(engine, FactKind.PHASE, latest):
        pid = phase.phase_id
        results |= {f"thresholds {pid}": queries.thresholds(engine, pid, as_of_position=at),
                    f"exit {pid}": queries.exit_criteria(engine, pid, as_of_position=at),
                    f"heatmap {pid}": queries.heatmap(engine, pid, as_of_position=at),
                    f"ttm {pid}": queries.ttm(engine, pid, as_of_position=at)}
    for name, answer in results.items():
        data = as_json(answer)
        data.pop("as_of")
        found[name] = data
    return found


def latest_facts(lg: AKLedger) -> dict[str, list[str]]:
    latest = queries.position_as_of(lg.engine)
    return {k.value: sorted(dumps(f) for f in queries.facts_at(lg.engine, k, latest)) for k in FactKind}


def facts_from_aggregates(lg: AKLedger) -> dict[str, list[str]]:
    """The oracle: each followed aggregate read whole from the event store, its facts built."""
    followed = tuple(a.Event for a in AGGREGATES)
    ids = dict.fromkeys(UUID(str(n.originator_id)) for n in lg.recorder.select_notifications(None, 100_000)
                        if isinstance(lg.mapper.to_domain_event(n), followed))
    aggregates: list[Aggregate] = [lg.repository.get(i) for i in ids]
    phases = {str(a.id): phase_fact(a) for a in aggregates if isinstance(a, TestPhase)}
    built = [b for a in aggregates for b in facts_of(a, phases.get)]
    runs = {str(a.id): tuple(b.fact for b in execution_facts(a) if isinstance(b.fact, ExecutionFact))
            for a in aggregates if isinstance(a, PlannedTest)}

    def as_read(b: BuiltFact) -> object:  # a planned test with its runs (``as_of.rows_at``)
        fact = b.fact
        if isinstance(fact, PlannedTestFact):
            return replace(fact, executions=runs[fact.planned_test_id])
        return fact

    return {k.value: sorted(dumps(as_read(b)) for b in built if b.kind is k) for k in FactKind}


@pytest.fixture
def demo(ledger: AKLedger, actor: Actor) -> tuple[AKLedger, list[int]]:
    """The demo history, projected; the position after the first ``k`` of its commands, by ``k``."""
    bootstrap(ledger, actor)
    ends = [head(ledger), *import_each(ledger, LINES)]
    project(ledger)
    return ledger, ends


@pytest.fixture
def fresh_ledgers(settings: Settings, tmp_path: Path, actor: Actor) -> Iterator[list[AKLedger]]:
    """Makes more empty ledgers on this test's database server (closed at the end)."""
    made: list[AKLedger] = []
    yield made
    for lg in made:
        lg.close()
        lg.engine.dispose()


def new_ledger(settings: Settings, tmp_path: Path, actor: Actor, made: list[AKLedger]) -> AKLedger:
    name = uuid.uuid4().hex[:12]
    url = sa.engine.make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        database = f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
    else:
        schema = f"t_{name}"
        admin = sa.create_engine(url.set(query={}))
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        admin.dispose()
        database = url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    other = Settings(home=tmp_path / name, database_url=database, log_origin=settings.log_origin,
                     actor=settings.actor, key_passphrase=None)
    lg, _ = create_ledger(other, actor)
    made.append(lg)
    return lg


# -- (a) as of P == a ledger truncated at P ---------------------------------------------------------
def test_every_answer_as_of_a_position_is_the_answer_of_the_ledger_truncated_there(
    demo: tuple[AKLedger, list[int]], settings: Settings, tmp_path: Path, actor: Actor,
    fresh_ledgers: list[AKLedger],
) -> None:
    full, ends = demo
    assert answers(full) == answers(full, ends[-1])  # the latest is just the last position
    assert latest_facts(full) == facts_from_aggregates(full)

    @settings_for_ledgers
    @given(st.integers(0, len(LINES)))
    def truncated_at(commands: int) -> None:
        position = ends[commands]
        truncated = new_ledger(settings, tmp_path, actor, fresh_ledgers)
        bootstrap(truncated, actor)
        import_each(truncated, LINES[:commands])
        project(truncated)
        assert queries.position_as_of(truncated.engine) == position
        assert latest_facts(truncated) == facts_from_aggregates(truncated)
        assert answers(full, position) == answers(truncated)

    truncated_at()


settings_for_ledgers = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))


def test_as_of_every_command_the_answers_are_those_the_ledger_gave_then(
    ledger: AKLedger, actor: Actor
) -> None:
    """The same, at every command boundary of the demo: the answers given while the history was
    being recorded (the projection caught up after each command) are those as of its position."""
    bootstrap(ledger, actor)
    then: dict[int, dict[str, Any]] = {}
    for done, line in enumerate(LINES, start=1):
        import_each(ledger, [line])
        if done % 5 == 0 or done == len(LINES):  # every fifth command, to keep it quick
            project(ledger)
            then[queries.position_as_of(ledger.engine)] = answers(ledger)
    assert len({json.dumps(a, sort_keys=True) for a in then.values()}) > 10  # the answers do change
    for position, expected in then.items():
        assert answers(ledger, position) == expected, position


def test_the_demo_reads_as_recorded(demo: tuple[AKLedger, list[int]]) -> None:
    """Spot checks a user would make: the IOC dispute pending, then determined; the MOC exclusion."""
    lg, ends = demo
    referred = 1 + next(i for i, line in enumerate(LINES) if "refer_severity_dispute" in line)
    determined = 1 + next(i for i, line in enumerate(LINES) if "record_tag_severity_determination" in line)
    issue = {i.reference: i for i in queries.facts_at(lg.engine, "issue", ends[referred])}["TI-IOC-003"]
    assert (issue.severity, issue.dispute is not None) == (3, True)
    issue = {i.reference: i for i in queries.facts_at(lg.engine, "issue", ends[determined])}["TI-IOC-003"]
    assert (issue.severity, issue.dispute) == (2, None)
    pending = queries.exit_criteria(lg.engine, IOC_SIT, as_of_position=ends[referred]).evaluation
    assert pending.declared_disputes == ("TI-IOC-003",)
    assert queries.exit_criteria(lg.engine, IOC_SIT).evaluation.declared_disputes == ()
    plan = queries.work_off(lg.engine, judged_on=JUDGED_ON)
    assert [(r.issue_reference, r.overdue) for r in plan.items] == [
        ("TI-IOC-002", True), ("TI-IOC-003", False), ("TI-IOC-004", False)]
    assert queries.matters(lg.engine).determined == 1
    assert queries.matters(lg.engine, as_of_position=ends[1]).matters == ()


# -- (b) rebuild --------------------------------------------------------------------------------------
def all_rows(lg: AKLedger) -> dict[str, list[tuple[Any, ...]]]:
    with lg.connect() as conn:
        return {t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                for t in (facts, positions)}


def test_a_rebuild_writes_the_same_rows_however_little_the_runner_remembers(
    demo: tuple[AKLedger, list[int]],
) -> None:
    lg, _ = demo
    before = all_rows(lg)
    assert len(before["facts"]) > 50
    events = len(before["positions"])

    warm = projection_named("facts", lg)  # what it remembers is from before the rebuild
    run_once(lg, warm)
    assert rebuild(lg, warm) == events
    assert all_rows(lg) == before
    # Nothing kept between batches of 3 (as after a restart each time): every aggregate whose
    # event is not its first is read from the event store, and its open rows from the table.
    assert rebuild(lg, FactsProjection(lg, cache_size=0), batch_size=3) == events
    assert all_rows(lg) == before


def test_the_registry_runs_the_facts_projection_with_the_app(ledger: AKLedger) -> None:
    assert [p.name for p in projections_for(ledger)] == ["principals", "facts"]


# -- (c) as of a recorded time -------------------------------------------------------------------------
def recorded_time(event: object) -> datetime:
    """The event's recorded time, as the signing mapper restores it from the signed entry."""
    when = getattr(event, "timestamp", None)
    assert isinstance(when, datetime)
    return when


def test_a_recorded_time_maps_to_the_last_position_reached_by_then(demo: tuple[AKLedger, list[int]]) -> None:
    lg, _ = demo
    recorded = [(n.id, recorded_time(lg.mapper.to_domain_event(n)))
                for n in lg.recorder.select_notifications(None, 100_000)]

    def reached_by(at: datetime) -> int:  # the oracle: every event up to it recorded by then
        last = 0
        for position, when in recorded:
            if when > at:
                break
            last = position
        return last

    first, head = recorded[0][1], recorded[-1][0]
    assert queries.position_as_of(lg.engine, as_of=first - timedelta(microseconds=1)) == 0
    assert queries.position_as_of(lg.engine, as_of=datetime.now(UTC)) == head
    for _, when in recorded[::5]:
        for at in (when, when - timedelta(microseconds=1), when.astimezone(timezone(timedelta(hours=-7)))):
            assert queries.position_as_of(lg.engine, as_of=at) == reached_by(at)
    when = recorded[len(recorded) // 2][1]
    answer = queries.matters(lg.engine, as_of=when)
    assert answer.as_of.position == reached_by(when)
    assert answer.as_of.judged_on == when.astimezone(LONDON).date()  # the day asked about


def test_as_of_arguments_that_name_no_position_are_refused(demo: tuple[AKLedger, list[int]]) -> None:
    lg, ends = demo
    with pytest.raises(AsOfError, match="not both"):
        queries.position_as_of(lg.engine, ends[3], datetime.now(UTC))
    with pytest.raises(AsOfError, match="time zone"):
        queries.position_as_of(lg.engine, as_of=datetime(2026, 1, 1))
    with pytest.raises(AsOfError, match="not a kind of fact"):
        queries.facts_at(lg.engine, "gossip", ends[-1])
    with pytest.raises(queries.UnknownPhaseError):
        queries.thresholds(lg.engine, IOC_SIT, as_of_position=ends[0])


def test_a_position_the_projection_has_not_reached_is_refused_not_answered_short(
    demo: tuple[AKLedger, list[int]], actor: Actor
) -> None:
    lg, ends = demo
    lg.record_note("after the projection ran", actor)
    head = ends[-1] + 1
    with pytest.raises(ProjectionBehindError):
        queries.heatmap(lg.engine, as_of_position=head)
    with pytest.raises(ProjectionBehindError):
        queries.position_as_of(lg.engine, as_of=datetime.now(UTC))
    assert queries.position_as_of(lg.engine) == ends[-1]  # the latest it can answer for
    project(lg)
    assert queries.position_as_of(lg.engine, as_of_position=head) == head


# -- an issue raised in a phase planned later ----------------------------------------------------------
def test_an_issue_reads_its_phase_once_the_phase_is_planned(ledger: AKLedger, actor: Actor) -> None:
    bootstrap(ledger, actor)
    lines = LINES[:9]  # the principals
    raise_first = next(json.loads(line) for line in LINES if "TI-IOC-001" in line)
    plan = next(json.loads(line) for line in LINES if '"TestPhase.plan"' in line)
    ends = import_each(ledger, [*lines, json.dumps(raise_first), json.dumps(plan)])
    project(ledger)
    issue, = queries.facts_at(ledger.engine, "issue", ends[-2])
    assert (issue.phase_kind, issue.phase_id) == (None, IOC_SIT)  # no such phase yet: DMCT (A58)
    issue, = queries.facts_at(ledger.engine, "issue", ends[-1])
    assert issue.phase_kind is PhaseKind.SIT
