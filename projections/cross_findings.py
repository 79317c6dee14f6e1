"""The findings that need several aggregates, judged as the ledger stood at a position.

``projections.register_queries.findings`` answers, with the application, what
``ledger.findings`` finds across aggregates: the runs of a phase's planned tests after its exit
was proposed (§9.4(b), §13.19); the exclusions an end-of-cycle or regression run applied against
the Testing Issues they name, and too few end-of-cycle runs before a MOC/FOC SIT exit (Table 13.1
#2A/#2B, §7.4(c)); MT or UTS entered before its Test Approach Document was approved (§12.3); UTS
for MOC/FOC without the SoS's direction (§7.3); a TTM's requirements no listed scenario traces
to, or of another baseline (§11.1); an exit decided while a severity dispute naming the phase was
pending (§14.5). The rules are ``ledger.findings``'; this module only finds their inputs.

Each aggregate is read as it stood at the position (its events up to there, from the event store).
The ``facts`` read model says, as of the position, which aggregates exist; it narrows the
candidates before anything is loaded, so a query reads a few hundred aggregates, not every
planned test or Testing Issue (each narrowing says why it drops no finding). Notices are not in
``facts`` (``fact_builders.AGGREGATES``): they are found by their creation events' topic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import orjson
from eventsourcing.utils import get_topic
from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.engine import Connection

from ledger.application import AKLedger
from ledger.capability_releases import CapabilityRelease
from ledger.cycle_runs import CycleRuns
from ledger.documents import Document
from ledger.findings import Finding
from ledger.findings.cycle_runs import too_few_end_of_cycle_runs, unwarranted_exclusions
from ledger.findings.executions import executions_after_exit_proposed
from ledger.findings.phases import (
    APPROACH_DOCUMENT_FOR,
    entered_before_approach_approved,
    interface_testing_without_direction,
)
from ledger.findings.testing_issues import exit_decided_during_severity_dispute
from ledger.findings.ttm import requirements_of_another_baseline, requirements_without_scenario
from ledger.notices import Notice, NoticeGiven
from ledger.phases import TestPhase
from ledger.planned_tests import PlannedTest
from ledger.requirements import Requirement
from ledger.rules.phase_kinds import PhaseKind
from ledger.test_scenarios import TestScenario
from ledger.testing_issues import TestingIssue
from ledger.ttm import Ttm
from projections.as_of import rows_at
from projections.fact_kinds import FactKind
from projections.rules.facts import CycleRunFact, DocumentFact
from projections.tables import facts

_f = facts.c
_BATCH = 500  # ids per ``IN`` list


@dataclass(frozen=True)
class FindingRow:
    """One finding: what it is about (``source`` kind, ``subject`` key), the clause breached."""

    source: str
    subject: str
    clause: str
    what: str
    event_ids: tuple[str, ...]


def row(kind: FactKind, subject: str, finding: Finding) -> FindingRow:
    return FindingRow(kind.value, subject, finding.clause, finding.what, finding.event_ids)


def aggregate_at(app: AKLedger, conn: Connection, aggregate_id: str, position: int) -> object:
    """The aggregate as it stood at ``position``: its events up to there, from the event store."""
    events = app.events_table.c
    version = conn.execute(select(func.max(events.originator_version)).where(
        events.originator_id == UUID(aggregate_id), events.id <= position)).scalar_one()
    found: object = app.repository.get(UUID(aggregate_id), version=int(version))
    return found


def aggregates_at(
    app: AKLedger, conn: Connection, ids: Iterable[str], position: int, of: type[object]
) -> dict[str, object]:
    """Each of ``ids`` that exists at ``position`` (others are left out), as it stood there, by
    id. Ids that are not UUIDs name no aggregate. Raises ``TypeError`` if one is not an ``of``."""
    wanted = sorted({u for u in (_uuid(i) for i in ids) if u is not None})
    events, versions = app.events_table.c, dict[UUID, int]()
    for start in range(0, len(wanted), _BATCH):
        versions.update((UUID(str(i)), int(v)) for i, v in conn.execute(
            select(events.originator_id, func.max(events.originator_version))
            .where(events.originator_id.in_(wanted[start:start + _BATCH]), events.id <= position)
            .group_by(events.originator_id)))
    found = {}
    for aggregate_id in wanted:  # in a fixed order, whatever the database's
        if aggregate_id not in versions:
            continue
        aggregate: object = app.repository.get(aggregate_id, version=versions[aggregate_id])
        if not isinstance(aggregate, of):
            raise TypeError(f"{aggregate_id} is a {type(aggregate).__name__}, not a {of.__name__}")
        found[str(aggregate_id)] = aggregate
    return found


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def cross_aggregate_findings(app: AKLedger, conn: Connection, position: int) -> list[FindingRow]:
    """Every finding of the checks this module runs, as the ledger stood at ``position``."""
    phase_ids = [aggregate_id for aggregate_id, _ in rows_at(conn, FactKind.PHASE, position)]
    phases = {i: p for i, p in aggregates_at(app, conn, phase_ids, position, TestPhase).items()
              if isinstance(p, TestPhase)}
    return [
        *_executions_after_exit(app, conn, position, phases),
        *_cycle_runs(app, conn, position, phases),
        *_approach_and_direction(app, conn, position, phases),
        *_traceability(app, conn, position),
        *_exits_during_disputes(app, conn, position, phases),
    ]


# -- §9.4(b), §13.19: runs after the exit was proposed ------------------------------------------


def _executions_after_exit(
    app: AKLedger, conn: Connection, position: int, phases: dict[str, TestPhase]
) -> Iterator[FindingRow]:
    # A run is flagged only if executed after one of its phase's exit proposals, so only after
    # the earliest: the tests of other phases, and those with no run executed after it, cannot
    # be flagged. Nothing orders ``executed_at`` with the log, so every run of those phases is read
    # (its time only, from its EXECUTION fact), not only those recorded after the proposal.
    earliest = {i: min(p.exit_proposed_at) for i, p in phases.items() if p.exit_proposed_at}
    if not earliest:
        return
    executed_at = _f.payload["executed_at"].as_string()
    query = select(_f.aggregate_id, _f.phase_id, executed_at).where(
        _f.kind == FactKind.EXECUTION.value, _f.phase_id.in_(earliest), _f.valid_from <= position,
        or_(_f.valid_to.is_(None), _f.valid_to > position))
    candidates = {str(test_id) for test_id, phase_id, at in conn.execute(query)
                  if datetime.fromisoformat(at) > earliest[phase_id]}
    tests = aggregates_at(app, conn, candidates, position, PlannedTest)
    by_phase: dict[str, list[PlannedTest]] = defaultdict(list)
    for test in tests.values():
        assert isinstance(test, PlannedTest)
        by_phase[test.phase_id].append(test)
    for phase_id, of_phase in by_phase.items():
        refs = {str(test.id): test.test_ref for test in of_phase}
        for finding in executions_after_exit_proposed(phases[phase_id], of_phase):
            test_id = finding.event_ids[1].rsplit(":", 1)[0]
            yield row(FactKind.PLANNED_TEST, refs[test_id], finding)


# -- Table 13.1 #2A/#2B, §7.4(c): end-of-cycle and regression runs ------------------------------


def _cycle_runs(
    app: AKLedger, conn: Connection, position: int, phases: dict[str, TestPhase]
) -> Iterator[FindingRow]:
    # Only the records with a run at the position can have an exclusion; the Testing Issues read
    # are those their ended runs exclude (the only ones ``unwarranted_exclusions`` looks up: a
    # reference with no issue at the position has no approval). Every phase is judged for
    # §7.4(c): a MOC/FOC SIT exit proposed with no run at all is the plainest breach.
    runs: list[tuple[str, CycleRunFact]] = rows_at(conn, FactKind.CYCLE_RUN, position)
    records = [r for r in aggregates_at(app, conn, {i for i, _ in runs}, position, CycleRuns).values()
               if isinstance(r, CycleRuns)]
    named = {TestingIssue.create_id(ref) for record in records for _, results in record.ended_runs
             for ref in results.excluded_defects}
    issues = [i for i in aggregates_at(app, conn, map(str, named), position, TestingIssue).values()
              if isinstance(i, TestingIssue)]
    run_of_event = {f.event_ids[0]: f.run_id for _, f in runs}
    for record in records:
        for finding in unwarranted_exclusions(record, issues):
            yield row(FactKind.CYCLE_RUN, run_of_event[finding.event_ids[0]], finding)
    of_phase: dict[str, list[CycleRuns]] = defaultdict(list)
    for record in records:
        of_phase[record.phase_id].append(record)
    for phase_id, phase in phases.items():
        found = too_few_end_of_cycle_runs(phase, of_phase[phase_id])
        yield from (row(FactKind.PHASE, phase_id, f) for f in found)


# -- §12.3 approach approved before MT/UTS entry, §7.3 UTS for MOC/FOC on direction -------------

_NOTICE_GIVEN = get_topic(NoticeGiven)


def _approach_and_direction(
    app: AKLedger, conn: Connection, position: int, phases: dict[str, TestPhase]
) -> Iterator[FindingRow]:
    # §12.3 can find only MT or UTS phases entered; it reads their kind's approach documents and
    # every notice given by the position (an approval is looked for, so none may be left out).
    entered = {i: p for i, p in phases.items() if p.kind in APPROACH_DOCUMENT_FOR and p.entry is not None}
    if entered:
        needed = {APPROACH_DOCUMENT_FOR[p.kind] for p in entered.values()}
        documents_found: list[tuple[str, DocumentFact]] = rows_at(conn, FactKind.DOCUMENT, position)
        approach = aggregates_at(app, conn, {i for i, d in documents_found if d.kind in needed},
                                 position, Document)
        documents = [d for d in approach.values() if isinstance(d, Document)]
        notices = [n for n in _notices_at(app, conn, position).values() if isinstance(n, Notice)]
        for phase_id, phase in entered.items():
            yield from (row(FactKind.PHASE, phase_id, f)
                        for f in entered_before_approach_approved(phase, documents, notices))
    # §7.3 can find only UTS phases; their release is read by its id (one per capability).
    for phase_id, phase in phases.items():
        if phase.kind is not PhaseKind.UTS:
            continue
        release_id = str(CapabilityRelease.create_id(phase.capability.value))
        for release in aggregates_at(app, conn, [release_id], position, CapabilityRelease).values():
            assert isinstance(release, CapabilityRelease)
            yield from (row(FactKind.PHASE, phase_id, f)
                        for f in interface_testing_without_direction(phase, release))


def _notices_at(app: AKLedger, conn: Connection, position: int) -> dict[str, object]:
    """Every notice given by ``position``: the ``facts`` projection does not follow notices, so
    they are found by the topic of the event that creates one. The events table has no index on
    the topic: this reads the table up to the position (the caller asks only when it must)."""
    events = app.events_table.c
    ids = conn.execute(select(events.originator_id).where(
        events.topic == _NOTICE_GIVEN, events.id <= position)).scalars()
    return aggregates_at(app, conn, [str(i) for i in ids], position, Notice)


# -- §11.1 traceability of a TTM's latest version -----------------------------------------------


def _traceability(app: AKLedger, conn: Connection, position: int) -> Iterator[FindingRow]:
    # Both checks read only the latest version's listed requirements and scenarios (a scenario
    # not listed traces to nothing for it; a requirement not listed is not checked), so only
    # those are loaded; a TTM with no version published has no finding.
    for ttm_id, fact in rows_at(conn, FactKind.TTM, position):
        if fact.latest_version is None:
            continue
        ttm = aggregate_at(app, conn, ttm_id, position)
        assert isinstance(ttm, Ttm)
        scenarios = [s for s in aggregates_at(app, conn, fact.scenario_ids, position, TestScenario).values()
                     if isinstance(s, TestScenario)]
        requirements = [r for r in aggregates_at(app, conn, fact.requirement_ids, position,
                                                 Requirement).values() if isinstance(r, Requirement)]
        found = [*requirements_without_scenario(ttm, scenarios),
                 *requirements_of_another_baseline(ttm, requirements)]
        yield from (row(FactKind.TTM, ttm.phase_id, f) for f in found)


# -- §14.5 exit decided during a severity dispute -----------------------------------------------


def _exits_during_disputes(
    app: AKLedger, conn: Connection, position: int, phases: dict[str, TestPhase]
) -> Iterator[FindingRow]:
    # The decisions are a phase's determinations (completion, or continuation: §13.18-13.19).
    # The issues read are those whose facts showed, at any position up to this one, a pending
    # dispute naming a decided phase: every dispute referred by the position is pending in the
    # issue's fact written right after its referral (a row valid from there), however it ended,
    # so no dispute that could have been pending when a decision was made is missed.
    decided = {i: p for i, p in phases.items() if p.determinations}
    if not decided:
        return
    query = select(_f.aggregate_id, _f.payload).where(
        _f.kind == FactKind.ISSUE.value, _f.valid_from <= position,
        cast(_f.payload, Text).like("%could_affect_exit_of%"))
    naming: dict[str, set[str]] = defaultdict(set)
    for issue_id, payload in conn.execute(query):
        data = orjson.loads(payload) if isinstance(payload, str | bytes) else payload
        dispute = data.get("dispute")
        if dispute:
            naming[str(issue_id)].update(p for p in dispute["could_affect_exit_of"] if p in decided)
    issues = aggregates_at(app, conn, [i for i, p in naming.items() if p], position, TestingIssue)
    for issue_id, issue in issues.items():
        assert isinstance(issue, TestingIssue)
        for phase_id in sorted(naming[issue_id]):
            phase = decided[phase_id]
            for d in phase.determinations:
                found = exit_decided_during_severity_dispute(
                    issue, phase_id, d.occurred_at, phase.event_id(d.version))
                yield from (row(FactKind.ISSUE, issue.reference, f) for f in found)


__all__ = ["FindingRow", "aggregate_at", "aggregates_at", "cross_aggregate_findings"]
