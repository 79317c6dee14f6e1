"""From an aggregate as it stands to the facts the rules engine and the reports read.

One pure function per aggregate kind, reading only the aggregate's public attributes (and, for a
Testing Issue, the fact of the phase it was raised in). ``facts_of`` gives every fact of one
aggregate, each with its kind, natural key and phase: the ``facts`` projection writes one temporal
row per fact (``projections.facts_projection``). Event ids are ``"{originator_id}:{version}"``.

What the ledger does not record is not invented: a document names no phase (so the exit criteria
that look for a phase's documents find none, except the TTM, whose DCC assurance the ``Ttm``
records); a phase records no preceding phases (A57), SMSO first entry, stage exit or D&B
Regression version, nor a minimum pass rate; an end-of-cycle or regression run records the
defects it excludes, not which failed test each explains, so each excluded defect is read as
explaining one failure (at most as many as failed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from eventsourcing.domain import Aggregate

from ledger.cycle_runs import CycleRuns
from ledger.dmc_selection import DmcSelection
from ledger.documents import Document
from ledger.findings import Finding
from ledger.findings.dmc_selection import dmc_selection_findings
from ledger.findings.executions import execution_findings
from ledger.findings.matters import acts_after_window, determinations_by_other_bodies
from ledger.findings.phases import phase_findings
from ledger.findings.testing_issues import findings_for_issue
from ledger.findings.ttm import ttm_findings
from ledger.findings.work_off_plans import (
    at_risk_without_correction_plan,
    low_severity_without_date,
    not_approved_by_tab,
    resolved_without_retest,
)
from ledger.matters import Matter
from ledger.phase_values import Certificate
from ledger.phases import TestPhase
from ledger.planned_test_values import Execution, TestResult
from ledger.planned_tests import PlannedTest
from ledger.requirements import Requirement, requirement_key
from ledger.rules.document_types import DocumentType
from ledger.rules.phase_kinds import OperatingCapability
from ledger.test_scenarios import TestScenario
from ledger.testing_issues import TestingIssue
from ledger.ttm import Ttm
from ledger.work_off_plans import WorkOffPlan
from projections.dmct_fact_builders import DMCT_AGGREGATES, DMCT_EVENTS, dmct_facts
from projections.fact_kinds import BuiltFact, FactKind
from projections.report_facts import (
    DmcSelectionFact,
    FindingsFact,
    MatterFact,
    RequirementFact,
    ScenarioFact,
    TestTraceFact,
    TtmFact,
    WorkOffDeadlineFact,
)
from projections.rules.facts import (
    CertificateFact,
    CountingFact,
    CycleRunFact,
    DisputeFact,
    DocumentFact,
    ExclusionFact,
    ExecutionFact,
    InterfaceSetFact,
    IssueFact,
    PhaseFact,
    PlannedTestFact,
    RunFailureFact,
    WorkOffItemFact,
    WorkOffPlanFact,
)

# A Testing Issue whose phase is no recorded Test Phase was raised in DMCT testing (A58): the
# engine then reads no capability from it (§13.21 carry-forward and §13.23(b) need a Test Phase).
# FOC, the last release, never counts as an earlier release, so it brings the issue into no count.
DMCT_CAPABILITY = OperatingCapability.FOC


#: The aggregates whose events the ``facts`` projection follows.
AGGREGATES: tuple[type[Aggregate], ...] = (
    TestingIssue, TestPhase, PlannedTest, CycleRuns, WorkOffPlan, Document, Matter, Requirement,
    TestScenario, Ttm, DmcSelection, *DMCT_AGGREGATES,
)
#: The events whose aggregates have facts (``projections.dmct_fact_builders`` says why DMCT adds one).
FOLLOWED_EVENTS: tuple[type, ...] = (*(a.Event for a in AGGREGATES), *DMCT_EVENTS)

PhaseLookup = Callable[[str], PhaseFact | None]


def _id(aggregate: Aggregate, version: int) -> str:
    return f"{aggregate.id}:{version}"


# -- Testing Issues and Test Phases -------------------------------------------------------------


def issue_fact(issue: TestingIssue, phase: PhaseFact | None) -> IssueFact:
    """``phase``: the fact of the phase the issue was raised in (None: no such Test Phase, DMCT)."""
    pending = issue.pending_dispute
    latest = issue.determinations[-1].event_id if issue.determinations else None
    return IssueFact(
        reference=issue.reference, phase_id=issue.phase_id,
        phase_kind=None if phase is None else phase.kind,
        capability=DMCT_CAPABILITY if phase is None else phase.capability,
        raised_at=datetime.fromisoformat(issue.raised_at), is_open=issue.is_open,
        severity=issue.effective_severity, cause=issue.cause,
        service_providers=tuple(issue.service_providers), epcl_entry_ids=tuple(issue.epcl_entry_ids),
        dmc_ids=tuple(issue.dmc_ids), environment=issue.environment,
        dispute=None if pending is None else DisputeFact(
            pending.dcc_severity, pending.proposed_severity, pending.could_affect_exit_of,
            pending.referred_event),
        exclusions=tuple(ExclusionFact(x.kind, x.scope_id, x.status, x.events) for x in issue.exclusions),
        counting=tuple(CountingFact(c.basis, c.phase_id, c.status, c.counted, c.confirmed_severity, c.events)
                       for c in issue.counting.values()),
        interface_sets=tuple(InterfaceSetFact(p.phase_id, p.candidate_set, p.severity, p.event_id)
                             for p in issue.interface_testing.values()),
        event_ids=(_id(issue, 1), *((latest,) if latest else ())),
    )


def _certificate(phase: TestPhase, certificate: Certificate) -> CertificateFact:
    acts = [a.version for a in phase.certificate_acts if a.certificate_id == certificate.certificate_id]
    return CertificateFact(
        certificate.certificate_id, certificate.service_provider, certificate.tab_approval_sha256 is not None,
        certificate.revoked, tuple(_id(phase, v) for v in (certificate.version, *acts)))


def phase_fact(phase: TestPhase) -> PhaseFact:
    later = [v for v in (phase.entry.version if phase.entry else None,
                         phase.determinations[-1].version if phase.determinations else None) if v]
    return PhaseFact(
        phase_id=str(phase.id), kind=phase.kind, capability=phase.capability,
        service_provider=phase.service_provider, epcl_entry=phase.epcl_entry,
        certificates=tuple(_certificate(phase, c) for c in phase.certificates.values()),
        event_ids=(_id(phase, 1), *(_id(phase, v) for v in later)),
    )


# -- planned tests and runs ---------------------------------------------------------------------


# A planned test's runs are facts of their own (kind EXECUTION, key ``"{test_ref}#{run_number}"``),
# not part of the planned test's fact: the aggregate only appends runs, and a witnessing marks
# one, so the ``facts`` projection writes one row per run (``execution_changes``) instead of the
# test's whole history again after each run. ``as_of.rows_at`` puts them back on the test.


# The event classes ``@event`` made on PlannedTest (mypy cannot see them).
_RECORDED: type[Aggregate.Event] = PlannedTest.ExecutionRecorded  # type: ignore[attr-defined]
_WITNESSED: type[Aggregate.Event] = PlannedTest.ExecutionWitnessed  # type: ignore[attr-defined]


def execution_key(test_ref: str, run_number: int) -> str:
    return f"{test_ref}#{run_number}"


def _run(test_id: str, run: Execution, witnessed: bool) -> ExecutionFact:
    """``test_id``: ``str(test.id)``, made once by the caller (a UUID's text is not cached)."""
    return ExecutionFact(f"{test_id}:{run.version}", run.run_number, run.result, run.executed_at,
                         run.evidence_sha256, witnessed)


def execution_fact(test: PlannedTest, run: Execution, witnessed: bool) -> BuiltFact:
    return BuiltFact(_K.EXECUTION, execution_key(test.test_ref, run.run_number), test.phase_id,
                     _run(str(test.id), run, witnessed))


def execution_facts(test: PlannedTest) -> list[BuiltFact]:
    """Every run of ``test`` as its fact."""
    witnessed = {w.run_number for w in test.witnessings}
    return [execution_fact(test, run, run.run_number in witnessed) for run in test.executions]


_ONLY_THE_TEST = frozenset({FactKind.PLANNED_TEST})


def facts_after(
    aggregate: Aggregate, event: Aggregate.Event, phase_of: PhaseLookup
) -> tuple[list[BuiltFact], frozenset[FactKind] | None]:
    """The facts the ``facts`` projection writes after ``event`` (just applied to ``aggregate``),
    besides its runs (``execution_changes``), and the kinds they cover (None: every kind, so a
    fact of the aggregate missing from them is gone). A run recorded changes only the planned
    test's fact (its last run and latest result): its trace and findings read no run but a
    witnessed one, and a new run has no witness yet (tested)."""
    if isinstance(event, _RECORDED) and isinstance(aggregate, PlannedTest):
        fact = planned_test_fact(aggregate)
        return [BuiltFact(_K.PLANNED_TEST, aggregate.test_ref, aggregate.phase_id, fact)], _ONLY_THE_TEST
    return facts_of(aggregate, phase_of, runs=False), None


def execution_changes(test: PlannedTest, event: Aggregate.Event) -> list[tuple[BuiltFact, bool]]:
    """The run facts ``event`` (just applied to ``test``) adds or changes, each with whether it
    replaces the run's open fact: the run it records (new), or the run it witnesses when no one
    had witnessed it before (replaces); nothing for other events (a de-scope does not touch runs).
    Written in turn after each event, they are ``execution_facts`` at every version (tested)."""
    if isinstance(event, _RECORDED):
        return [(execution_fact(test, test.executions[-1], False), False)]
    if isinstance(event, _WITNESSED):
        run_number = test.witnessings[-1].run_number
        if any(w.run_number == run_number for w in test.witnessings[:-1]):
            return []  # already witnessed: its fact is unchanged
        run = next(r for r in test.executions if r.run_number == run_number)
        return [(execution_fact(test, run, True), True)]
    return []


def planned_test_fact(test: PlannedTest) -> PlannedTestFact:
    """The test without its runs (``execution_facts``; ``as_of.rows_at`` reads them back onto it)
    but with its last run, its latest run executed (A19) and whether any run was witnessed.

    Made after each run recorded (the ``facts`` projection's commonest event), so what is the same
    each time is made once: the test's id as text; nothing is looked for among no de-scope acts or
    no witnessings; the last run is usually the latest executed."""
    test_id, acts, proposal = str(test.id), test.descope_acts, test.proposal
    if acts:
        tab, sos = test.acts_of("tab_decided"), test.acts_of("sos_decided")
        descope_event_ids = tuple(f"{test_id}:{a.version}" for a in acts
                                  if a.proposal == proposal and proposal > 0)
    else:
        tab, sos, descope_event_ids = [], [], ()
    witnessed = {w.run_number for w in test.witnessings} if test.witnessings else _NONE_WITNESSED
    runs = test.executions  # in run order (``record_execution`` refuses a run number not above the last)
    last = runs[-1] if runs else None
    executed = last if last is None or last.result is not TestResult.NOT_RUN else next(
        (r for r in reversed(runs) if r.result is not TestResult.NOT_RUN), None)
    last_run = None if last is None else _run(test_id, last, last.run_number in witnessed)
    return PlannedTestFact(
        planned_test_id=test_id, test_ref=test.test_ref, phase_id=test.phase_id, kind=test.kind,
        functional_group=test.functional_group, dmc=test.dmc, descope_proposed=proposal > 0,
        descope_tab_approved=tab[-1].approved if tab else None,
        descope_sos_approved=sos[-1].approved if sos else None,
        descope_event_ids=descope_event_ids,
        last_run=last_run,
        latest_executed=last_run if executed is last else (  # usually the same run: built once
            None if executed is None else _run(test_id, executed, executed.run_number in witnessed)),
        witnessed=bool(witnessed),
    )


_NONE_WITNESSED: frozenset[int] = frozenset()


def trace_fact(test: PlannedTest) -> TestTraceFact:
    return TestTraceFact(str(test.id), test.test_ref, test.phase_id, tuple(test.scenario_ids))


def cycle_run_facts(runs: CycleRuns) -> list[CycleRunFact]:
    facts = []
    for run in runs.runs.values():
        results = run.results
        failed = 0 if results is None else results.failed
        excluded = () if results is None else results.excluded_defects
        facts.append(CycleRunFact(
            run_id=run.run_id, phase_id=runs.phase_id, kind=runs.kind, run_number=run.run_number,
            started_at=run.started_at, known_defects=run.known_defects,
            ended_at=None if results is None else results.ended_at,
            planned_tests=0 if results is None else results.planned_tests,
            executed=0 if results is None else results.executed,
            passed=0 if results is None else results.passed,
            failures=tuple(RunFailureFact("(not itemised)", (d,)) for d in excluded[:failed]),
            codebase_version=run.codebase_version, dnb_regression_version=run.dnb_regression_version,
            event_ids=(_id(runs, run.version), *(() if results is None else (_id(runs, results.version),))),
        ))
    return facts


# -- Work Off Plans -----------------------------------------------------------------------------


def work_off_plan_fact(plan: WorkOffPlan) -> WorkOffPlanFact:
    marks = [v for v in (plan.approved_version, plan.completed_version) if v is not None]
    return WorkOffPlanFact(
        plan_id=str(plan.id), phase_id=plan.phase_id,
        items=tuple(WorkOffItemFact(i.issue_id, i.severity, i.resolved_on is not None, i.retest_execution_ids)
                    for i in plan.items.values()),
        tab_approved=plan.approved_version is not None, completed=plan.completed_version is not None,
        event_ids=(_id(plan, 1), *(_id(plan, v) for v in marks)),
    )


def work_off_deadline_facts(plan: WorkOffPlan) -> list[WorkOffDeadlineFact]:
    facts = []
    for item in plan.items.values():
        risks = [r.aware_on for r in plan.at_risk if item.issue_id in r.issue_ids]
        due = item.due
        facts.append(WorkOffDeadlineFact(
            plan_id=str(plan.id), reference=plan.reference, phase_id=plan.phase_id,
            issue_reference=item.issue_id, severity=item.severity,
            due=None if due is None else due.due, due_ends_at=None if due is None else due.ends_at,
            working_days=None if due is None else due.working_days,
            convention=None if due is None else due.convention, tab_due=item.tab_due,
            resolved_on=item.resolved_on, at_risk_since=min(risks) if risks else None,
            correction_plan_presented=any(item.issue_id in c.issue_ids for c in plan.correction_plans),
            plan_approved=plan.approved_version is not None,
            plan_completed=plan.completed_version is not None,
            event_ids=tuple(_id(plan, v) for v in (1, item.resolved_version) if v is not None),
        ))
    return facts


# -- documents, matters, traceability, DMC selection ----------------------------------------------


def document_fact(document: Document) -> DocumentFact:
    return DocumentFact(kind=document.document_type, event_id=_id(document, 1), phase_ids=())


def ttm_document_fact(ttm: Ttm) -> DocumentFact:
    """The TTM as the exit criteria read it (Table 13.1 #6): approved once the DCC assured its
    latest version (§11.1)."""
    latest = ttm.latest
    event = _id(ttm, 1 if latest is None else (latest.assured_event or latest.version_event))
    return DocumentFact(DocumentType.TEST_TRACEABILITY_MATRIX, event, (ttm.phase_id,),
                        approved=None if latest is None else latest.assured_on is not None)


def matter_fact(matter: Matter) -> MatterFact:
    window, last = matter.window_deadline, matter.last_determination
    clause = None if matter.window is None else str(matter.window["clause"])
    return MatterFact(
        matter_id=str(matter.id), reference=matter.reference, route_id=matter.route_id,
        status=matter.status, raised_by=matter.raised_by, raised_at=matter.raised_at,
        subjects=tuple(f"{s.kind.value}:{s.id}" for s in matter.subjects), trigger_on=matter.trigger_on,
        window_clause=clause, windowed_act=matter.windowed_act,
        working_days=None if window is None else window.working_days,
        window_due=None if window is None else window.due,
        window_ends_at=None if window is None else window.ends_at,
        convention=None if window is None else window.convention,
        referred_to=tuple(r.to for r in matter.referrals),
        determined_by=None if last is None else last.determined_by,
        outcome=None if last is None else last.outcome,
        final_and_binding=last is not None and last.final_and_binding,
        event_ids=(_id(matter, 1), *(() if last is None else (_id(matter, last.version),))),
    )


def requirement_fact(requirement: Requirement) -> RequirementFact:
    key = requirement_key(requirement.section, requirement.clause_ref, requirement.baseline_version)
    return RequirementFact(str(requirement.id), key, requirement.section, requirement.clause_ref,
                           requirement.baseline_version, requirement.title, requirement.superseded_by)


def scenario_fact(scenario: TestScenario) -> ScenarioFact:
    return ScenarioFact(str(scenario.id), scenario.scenario_ref, tuple(scenario.requirement_ids),
                        scenario.title)


def ttm_fact(ttm: Ttm) -> TtmFact:
    latest = ttm.latest
    if latest is None:
        return TtmFact(str(ttm.id), ttm.phase_id, ttm.capability, event_ids=(_id(ttm, 1),))
    marks = [v for v in (latest.version_event, latest.assured_event) if v is not None]
    return TtmFact(
        str(ttm.id), ttm.phase_id, ttm.capability, latest.version, latest.requirements_baseline,
        latest.requirement_ids, latest.scenario_ids, latest.assured_on is not None,
        (_id(ttm, 1), *(_id(ttm, v) for v in marks)),
    )


def dmc_selection_fact(selection: DmcSelection) -> DmcSelectionFact:
    gone = dict.fromkeys(a.dmc for a in selection.acts if a.kind == "DmcDeselected" and a.dmc not in
                         selection.selected)
    return DmcSelectionFact(str(selection.id), selection.phase_id, selection.capability,
                            tuple(selection.selected), tuple(gone))


# -- findings -----------------------------------------------------------------------------------


def findings_of(aggregate: Aggregate) -> list[Finding]:
    """The findings of ``ledger.findings`` that need nothing but ``aggregate`` and no date to
    judge on. Others need a date (a matter pending past its window, a Work Off Plan item overdue:
    ``projections.queries.findings`` judges them) or other aggregates (cycle runs against
    issues, executions after an exit proposal, TTM traceability): not kept here."""
    if isinstance(aggregate, TestingIssue):
        return findings_for_issue(aggregate)
    if isinstance(aggregate, TestPhase):
        return phase_findings(aggregate)
    if isinstance(aggregate, PlannedTest):
        return list(execution_findings([aggregate]))
    if isinstance(aggregate, WorkOffPlan):
        return [*not_approved_by_tab(aggregate), *low_severity_without_date(aggregate),
                *at_risk_without_correction_plan(aggregate), *resolved_without_retest(aggregate)]
    if isinstance(aggregate, Matter):
        return [*acts_after_window(aggregate), *determinations_by_other_bodies(aggregate)]
    if isinstance(aggregate, DmcSelection):
        return dmc_selection_findings(aggregate)
    if isinstance(aggregate, Ttm):
        return ttm_findings(aggregate)
    return []


# -- every fact of one aggregate ------------------------------------------------------------------

_K = FactKind


def facts_of(aggregate: Aggregate, phase_of: PhaseLookup, *, runs: bool = True) -> list[BuiltFact]:
    """Every fact of ``aggregate`` as it stands; ``phase_of`` finds a phase's fact by id; without
    a planned test's runs when not ``runs`` (the projection writes them by ``execution_changes``).
    Raises ``TypeError`` for an aggregate the facts do not cover (see ``AGGREGATES``)."""
    built = _facts(aggregate, phase_of)
    found = findings_of(aggregate)
    if found and built:
        subject = built[0]
        built.append(BuiltFact(_K.FINDINGS, subject.key, subject.phase_id,
                               FindingsFact(subject.kind.value, subject.key, tuple(found))))
    if runs and isinstance(aggregate, PlannedTest):
        built.extend(execution_facts(aggregate))
    return built


def _facts(a: Aggregate, phase_of: PhaseLookup) -> list[BuiltFact]:
    if isinstance(a, TestingIssue):
        return [BuiltFact(_K.ISSUE, a.reference, a.phase_id, issue_fact(a, phase_of(a.phase_id)))]
    if isinstance(a, TestPhase):
        return [BuiltFact(_K.PHASE, str(a.id), str(a.id), phase_fact(a))]
    if isinstance(a, PlannedTest):
        return [BuiltFact(_K.PLANNED_TEST, a.test_ref, a.phase_id, planned_test_fact(a)),
                BuiltFact(_K.TEST_TRACE, a.test_ref, a.phase_id, trace_fact(a))]
    if isinstance(a, CycleRuns):
        return [BuiltFact(_K.CYCLE_RUN, f.run_id, f.phase_id, f) for f in cycle_run_facts(a)]
    if isinstance(a, WorkOffPlan):
        return [BuiltFact(_K.WORK_OFF_PLAN, a.reference, a.phase_id, work_off_plan_fact(a)),
                *(BuiltFact(_K.WORK_OFF_DEADLINE, f"{a.reference}/{f.issue_reference}", a.phase_id, f)
                  for f in work_off_deadline_facts(a))]
    if isinstance(a, Document):
        return [BuiltFact(_K.DOCUMENT, a.reference or str(a.id), None, document_fact(a))]
    if isinstance(a, Matter):
        return [BuiltFact(_K.MATTER, a.reference or str(a.id), None, matter_fact(a))]
    if isinstance(a, Requirement):
        fact = requirement_fact(a)
        return [BuiltFact(_K.REQUIREMENT, fact.key, None, fact)]
    if isinstance(a, TestScenario):
        return [BuiltFact(_K.SCENARIO, a.scenario_ref, None, scenario_fact(a))]
    if isinstance(a, Ttm):
        return [BuiltFact(_K.TTM, a.phase_id, a.phase_id, ttm_fact(a)),
                BuiltFact(_K.DOCUMENT, f"ttm:{a.phase_id}", a.phase_id, ttm_document_fact(a))]
    if isinstance(a, DmcSelection):
        return [BuiltFact(_K.DMC_SELECTION, a.phase_id, a.phase_id, dmc_selection_fact(a))]
    if isinstance(a, DMCT_AGGREGATES):
        return dmct_facts(a)
    raise TypeError(f"no facts are built from {type(a).__name__} {a.id}")


__all__ = [
    "AGGREGATES",
    "DMCT_CAPABILITY",
    "FOLLOWED_EVENTS",
    "PhaseLookup",
    "cycle_run_facts",
    "dmc_selection_fact",
    "document_fact",
    "execution_changes",
    "execution_fact",
    "execution_facts",
    "execution_key",
    "facts_after",
    "facts_of",
    "findings_of",
    "issue_fact",
    "matter_fact",
    "phase_fact",
    "planned_test_fact",
    "requirement_fact",
    "scenario_fact",
    "trace_fact",
    "ttm_document_fact",
    "ttm_fact",
    "work_off_deadline_facts",
    "work_off_plan_fact",
]
