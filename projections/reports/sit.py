"""The SIT reports: the Completion Report evidence pack and the SIT Auditor's checklist.

``sit_completion``: what a Completion Report for a SIT Test Phase must carry (§9.7): the DCC
Service Provider's report (§9.4(a)-(i)), the DCC assurance report (§9.5(a)-(d)), the results of
the DCC's witnessing (§13.16(a)-(c)), the Exit Criteria of §12.9 and Table 13.1 evaluated, the
Testing Issues excluded from the thresholds (§13.25), the Work Off Plans (§15.1), the TTM and
the heatmap (Table 13.1 #6, #7).

``auditor_checklist``: the confirmations a SMETS1 SIT Audit Report gives (§19.4(a)-(f)), each
checked against the recorded facts: what the ledger supports is CONFIRMED, what it contradicts
is NOT_CONFIRMED with the rows that contradict it; the auditor's own view (f) is a document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy.engine import Engine

from ledger.planned_test_values import TestResult
from ledger.rules.document_types import DocumentType
from ledger.testing_issue_values import ExclusionStatus
from projections.as_of import AsOf
from projections.queries import (
    ExitAnswer,
    HeatmapAnswer,
    NotEvaluatedError,
    TtmAnswer,
    WorkOffAnswer,
    exit_criteria,
    exit_facts,
    findings,
    heatmap,
    ttm,
    work_off,
)
from projections.reports.model import Item, ItemState, Report, Section, checkpoint_covering, state_of
from projections.rules.facts import DocumentFact, ExitFacts, IssueFact, PlannedTestFact
from projections.rules.verdicts import Verdict


def _documents(facts: ExitFacts, *kinds: DocumentType) -> list[DocumentFact]:
    return [d for d in facts.documents if d.kind in kinds and facts.phase.phase_id in d.phase_ids]


def _documented(clause: str, asks: str, docs: list[DocumentFact], what: str) -> Item:
    """An item only a document answers: DOCUMENTED by the documents recorded, else NOT_RECORDED."""
    if docs:
        return Item(clause, asks, ItemState.DOCUMENTED,
                    f"in the {what} recorded ({len(docs)}); the ledger holds its SHA-256",
                    tuple({"document": d.kind.value, "event_id": d.event_id} for d in docs),
                    tuple(d.event_id for d in docs))
    return Item(clause, asks, ItemState.NOT_RECORDED, f"no {what} is recorded for the phase")


def _latest(test: PlannedTestFact) -> TestResult | None:
    runs = [e for e in test.executions if e.result is not TestResult.NOT_RUN]
    return max(runs, key=lambda e: (e.run_number, e.executed_at)).result if runs else None


def _issue_row(issue: IssueFact) -> dict[str, object]:
    return {"issue": issue.reference, "severity": issue.severity, "open": issue.is_open,
            "cause": issue.cause.value, "providers": ", ".join(issue.service_providers),
            "disputed": issue.dispute is not None}


def _severity_rows(issues: Iterable[IssueFact]) -> tuple[dict[str, object], ...]:
    by = Counter(i.severity for i in issues)
    return tuple({"severity": "unclassified" if s is None else s, "issues": n}
                 for s, n in sorted(by.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))


def _heat_rows(answer: HeatmapAnswer) -> tuple[dict[str, object], ...]:
    return tuple({"functional_group": r.functional_group or "(none)", "dmc": r.dmc or "(none)",
                  "planned": r.planned, "executed": r.executed, "passed": r.passed, "failed": r.failed,
                  "not_run": r.not_run, "witnessed": r.witnessed, "descoped": r.descoped,
                  "coverage_percent": r.coverage_percent} for r in answer.rows)


def _exit(engine: Engine, phase_id: str, at: AsOf) -> ExitAnswer | None:
    try:
        return exit_criteria(engine, phase_id, as_of_position=at.position, require_evidence=True)
    except NotEvaluatedError:
        return None


def _gather(
    engine: Engine, phase_id: str, at: AsOf
) -> tuple[ExitFacts, ExitAnswer | None, HeatmapAnswer, TtmAnswer, WorkOffAnswer]:
    with engine.connect() as conn:
        facts = exit_facts(conn, phase_id, at.position, runs=True)  # the report lists witnessed runs
    return (facts, _exit(engine, phase_id, at),
            heatmap(engine, phase_id, as_of_position=at.position),
            ttm(engine, phase_id, as_of_position=at.position),
            work_off(engine, phase_id, as_of_position=at.position, judged_on=at.judged_on))


def _phase_issues(facts: ExitFacts) -> list[IssueFact]:
    return [i for i in facts.issues if i.phase_id == facts.phase.phase_id]


def _provider_report(facts: ExitFacts, heat: HeatmapAnswer) -> Section:
    """§9.4(a)-(i): the DCC Service Provider's report, from the planned tests, runs and issues."""
    tests = [t for t in facts.planned_tests if t.phase_id == facts.phase.phase_id]
    issues = _phase_issues(facts)
    total = heat.total
    not_run = [t for t in tests if _latest(t) is None]
    failed = [t for t in tests if _latest(t) is TestResult.FAIL]
    defects = {f.test_ref: f.defects for r in facts.cycle_runs for f in r.failures}
    severity = {i.reference: i.severity for i in facts.issues}
    sp_report = _documents(facts, DocumentType.SERVICE_PROVIDER_TEST_REPORT)
    return Section("DCC Service Provider report (§9.4)", (
        Item("9.4(a)", "overview of the testing planned: breadth and depth", ItemState.COMPUTED,
             f"{total.planned} planned tests in {len({r.functional_group for r in heat.rows if r.planned})} "
             f"functional "
             f"groups over {len({r.dmc for r in heat.rows if r.dmc})} DMCs "
             f"({total.descoped} de-scoped)", _heat_rows(heat)),
        Item("9.4(b)", "tests run, passed, failed and not run, mapped to the overview", ItemState.COMPUTED,
             f"run {total.executed}, passed {total.passed}, failed {total.failed}, not run {total.not_run} "
             f"of {total.planned}", _heat_rows(heat)),
        Item("9.4(c)", "why any tests were not run",
             ItemState.COMPUTED if all(t.descope_proposed for t in not_run) else ItemState.NOT_RECORDED,
             f"{len(not_run)} tests not run; {sum(1 for t in not_run if t.descope_proposed)} of them "
             "proposed for de-scoping (§12.9(a)); no other reason is recorded in the ledger",
             tuple({"test": t.test_ref, "descope_proposed": t.descope_proposed,
                    "tab_approved": t.descope_tab_approved, "sos_approved": t.descope_sos_approved}
                   for t in not_run),
             tuple(e for t in not_run for e in t.descope_event_ids)),
        Item("9.4(d)", "failed tests: impact, severity, quantity", ItemState.COMPUTED,
             f"{len(failed)} tests failed at their latest run",
             tuple({"test": t.test_ref, "functional_group": t.functional_group, "dmc": t.dmc,
                    "defects": ", ".join(defects.get(t.test_ref, ())),
                    "severities": ", ".join(str(severity.get(d)) for d in defects.get(t.test_ref, ()))}
                   for t in failed)),
        Item("9.4(e)", "number and severity of the Testing Issues raised", ItemState.COMPUTED,
             f"{len(issues)} Testing Issues raised in the phase", _severity_rows(issues),
             tuple(e for i in issues for e in i.event_ids[:1])),
        Item("9.4(f)", "outstanding Testing Issues and their severity", ItemState.COMPUTED,
             f"{sum(1 for i in issues if i.is_open)} open",
             tuple(_issue_row(i) for i in issues if i.is_open)),
        _documented("9.4(g)", "specification of the test environment used", sp_report,
                    "DCC Service Provider test report"),
        _documented("9.4(h)", "recommendations for additional tests in later testing", sp_report,
                    "DCC Service Provider test report"),
        _documented("9.4(i)", "lessons learnt", sp_report, "DCC Service Provider test report"),
    ))


def _assurance_report(facts: ExitFacts, heat: HeatmapAnswer, exit_: ExitAnswer | None,
                      wop: WorkOffAnswer) -> Section:
    """§9.5(a)-(d) and the witnessing of §13.16(a)-(c)."""
    assurance = _documents(facts, DocumentType.DCC_ASSURANCE_REPORT)
    tests = [t for t in facts.planned_tests if t.phase_id == facts.phase.phase_id]
    witnessed = [(t, e) for t in tests for e in t.executions if e.witnessed]
    ok = [p for p in witnessed if p[1].result is TestResult.PASS]
    bad = [p for p in witnessed if p[1].result is TestResult.FAIL]
    executed = [p for p in witnessed if p[1].result is not TestResult.NOT_RUN]
    open_issues = [i for i in _phase_issues(facts) if i.is_open]
    in_plans = {w.issue_reference for w in wop.items}
    approved = [d for d in assurance if d.approved]
    items = [
        Item("9.5(a)", "test assurance activities undertaken by the DCC",
             ItemState.DOCUMENTED if assurance else ItemState.NOT_RECORDED,
             f"{len(witnessed)} runs witnessed; DCC assurance report "
             + (f"recorded ({len(approved)} approved by the TAB, §9.6)" if assurance else "not recorded"),
             tuple({"document": d.kind.value, "tab_approved": d.approved, "event_id": d.event_id}
                   for d in assurance), tuple(d.event_id for d in assurance)),
        Item("9.5(b)", "tests executed and assured as passed", ItemState.COMPUTED,
             f"{heat.total.executed} executed, {heat.total.passed} passed, "
             f"{len(ok)} of the passes witnessed"),
    ]
    if exit_ is None:
        items.append(Item("9.5(c)", "whether the governing exit criteria are met", ItemState.NOT_RECORDED,
                          "Appendix AK sets no exit criteria for this kind of phase (its TAD does, §12.3)"))
    else:
        ev = exit_.evaluation
        items.append(Item(
            "9.5(c)", "whether the governing exit criteria are met",
            ItemState.CONFIRMED if ev.verdict is Verdict.PASS else ItemState.NOT_CONFIRMED,
            f"overall {ev.verdict.value}: "
            + ", ".join(f"{c.criterion} {c.verdict.value}" for c in ev.criteria),
            tuple({"criterion": c.criterion, "title": c.title, "verdict": c.verdict.value,
                   "clauses": ", ".join(c.clauses), "detail": c.detail,
                   "missing_evidence": ", ".join(c.missing_evidence)} for c in ev.criteria),
            tuple(e for c in ev.criteria for e in c.fact_ids)))
    uncovered = [i for i in open_issues if i.reference not in in_plans]
    items += [
        Item("9.5(d)", "acceptability of open Testing Issues and their Work Off Plans",
             state_of(not uncovered),
             f"{len(open_issues)} open Testing Issues, {len(uncovered)} in no Work Off Plan; the DCC's view "
             "itself is in its assurance report", tuple(_issue_row(i) for i in uncovered)),
        Item("13.16(a)", "witnessed tests completed successfully", ItemState.COMPUTED,
             f"{len(ok)} witnessed runs passed",
             tuple({"test": t.test_ref, "run": e.run_number, "at": e.executed_at.isoformat()}
                   for t, e in ok)),
        Item("13.16(b)", "witnessed tests that failed, and why", ItemState.COMPUTED,
             f"{len(bad)} witnessed runs failed",
             tuple({"test": t.test_ref, "run": e.run_number, "at": e.executed_at.isoformat(),
                    "evidence_sha256": e.evidence_sha256} for t, e in bad)),
        Item("13.16(c)", "successful witnessed tests as a share of those executed", ItemState.COMPUTED,
             f"{len(ok)} of {len(executed)}"
             + (f" ({100 * len(ok) / len(executed):.1f}%)" if executed else " (none executed)")),
    ]
    return Section("DCC assurance report (§9.5) and witnessing (§13.16)", tuple(items))


def _registers(facts: ExitFacts, tt: TtmAnswer, wop: WorkOffAnswer) -> Section:
    """§13.25 exclusions, §15.1 Work Off Plans, Table 13.1 #6 TTM."""
    excluded = [(i, x) for i in facts.issues for x in i.exclusions if x.scope_id == facts.phase.phase_id]
    return Section("Exclusions, Work Off Plans, traceability", (
        Item("13.25", "Testing Issues excluded from the Testing Issue Threshold", ItemState.COMPUTED,
             f"{sum(1 for _, x in excluded if x.status in _EXCLUDED)} excluded, "
             f"{sum(1 for _, x in excluded if x.status not in _EXCLUDED)} proposed but not agreed",
             tuple({"issue": i.reference, "severity": i.severity, "status": x.status.value,
                    "excluded": x.status in _EXCLUDED} for i, x in excluded),
             tuple(e for _, x in excluded for e in x.event_ids)),
        Item("15.1", "Work Off Plans for the issues open at completion", ItemState.COMPUTED,
             f"{len(wop.items)} items, {sum(1 for w in wop.items if w.overdue)} overdue on "
             f"{wop.as_of.judged_on.isoformat()}",
             tuple({"plan": w.reference, "issue": w.issue_reference, "severity": w.severity,
                    "due": w.last_day.isoformat() if w.last_day else None, "overdue": w.overdue,
                    "resolved_on": w.resolved_on.isoformat() if w.resolved_on else None}
                   for w in wop.items)),
        Item("Table 13.1 #6", "TTM: every requirement traced to a planned test",
             state_of(not tt.uncovered_requirements and tt.assured),
             f"TTM {tt.ttm_version or '(none published)'} on baseline {tt.requirements_baseline or '-'}, "
             f"{'assured' if tt.assured else 'not assured'}; {len(tt.rows)} requirements, "
             f"{len(tt.uncovered_requirements)} uncovered, {len(tt.untraced_tests)} tests tracing to none",
             tuple({"uncovered_requirement": r} for r in tt.uncovered_requirements)
             + tuple({"untraced_test": t} for t in tt.untraced_tests)),
    ))


_EXCLUDED = frozenset({ExclusionStatus.TAG_AGREED, ExclusionStatus.SOS_UPHELD})


def sit_completion(engine: Engine, phase_id: str, at: AsOf) -> Report:
    """The evidence pack of a SIT Completion Report (§9.7) for ``phase_id`` as of ``at``."""
    facts, exit_, heat, tt, wop = _gather(engine, phase_id, at)
    with engine.connect() as conn:
        checkpoint = checkpoint_covering(conn, at.position)
    return Report("sit-completion", "SIT Completion Report: evidence pack (§9.7, Table 10.1)",
                  _subject(facts), at, checkpoint,
                  (_provider_report(facts, heat), _assurance_report(facts, heat, exit_, wop),
                   _registers(facts, tt, wop)))


def _subject(facts: ExitFacts) -> str:
    p = facts.phase
    return (f"{p.kind.value.upper()} {p.capability.value.upper()} phase {p.phase_id}"
            + (f" (entry {p.epcl_entry})" if p.epcl_entry else "")
            + (f" ({p.service_provider})" if p.service_provider else ""))


def auditor_checklist(engine: Engine, phase_id: str, at: AsOf) -> Report:
    """The SIT Auditor's confirmations (§19.4(a)-(f)) checked against the facts as of ``at``."""
    facts, exit_, heat, tt, wop = _gather(engine, phase_id, at)
    found = findings(engine, as_of_position=at.position, judged_on=at.judged_on)
    subjects = {phase_id, *(i.reference for i in _phase_issues(facts)),
                *(t.test_ref for t in facts.planned_tests if t.phase_id == phase_id),
                *(t.planned_test_id for t in facts.planned_tests if t.phase_id == phase_id),
                *(r.run_id for r in facts.cycle_runs), *(w.reference for w in wop.items)}
    mine = [f for f in found.findings if f.subject in subjects]
    open_issues = [i for i in _phase_issues(facts) if i.is_open]
    in_plans = {w.issue_reference for w in wop.items}
    uncovered_cells = [r for r in heat.rows if r.planned == 0]
    auditor_report = _documents(facts, DocumentType.SIT_AUDITOR_REPORT,
                                DocumentType.SIT_AUDITOR_INTERIM_OPINION)
    with engine.connect() as conn:
        checkpoint = checkpoint_covering(conn, at.position)
    exit_item = (
        Item("19.4(d)", "each test Exit Criterion met", ItemState.NOT_RECORDED,
             "Appendix AK sets no exit criteria for this kind of phase") if exit_ is None else
        Item("19.4(d)", "each test Exit Criterion met", state_of(exit_.evaluation.verdict is Verdict.PASS),
             f"overall {exit_.evaluation.verdict.value}",
             tuple({"criterion": c.criterion, "verdict": c.verdict.value, "detail": c.detail}
                   for c in exit_.evaluation.criteria if c.verdict is not Verdict.PASS),
             tuple(e for c in exit_.evaluation.criteria for e in c.fact_ids)))
    items = (
        Item("19.4(a)", "the TTM maps test scenarios to the Code requirements",
             state_of(bool(tt.rows) and not tt.uncovered_requirements),
             f"{len(tt.rows)} requirements, {len(tt.uncovered_requirements)} with no scenario "
             "and planned test",
             tuple({"uncovered_requirement": r} for r in tt.uncovered_requirements)),
        Item("19.4(b)", "the planned tests map to the test scenarios and test them adequately",
             state_of(not tt.untraced_tests and not uncovered_cells),
             f"{len(tt.untraced_tests)} planned tests trace to no requirement; "
             f"{len(uncovered_cells)} heatmap cells (functional group x DMC) with no planned test",
             tuple({"untraced_test": t} for t in tt.untraced_tests)
             + tuple({"uncovered_dmc": r.dmc, "functional_group": r.functional_group}
                     for r in uncovered_cells)),
        Item("19.4(c)", "testing and assurance conducted in accordance with the SVTAD", state_of(not mine),
             f"{len(mine)} compliance findings recorded against the phase"
             + (f"; not checked: {', '.join(found.not_checked)}" if found.not_checked else ""),
             tuple({"clause": f.clause, "what": f.what, "subject": f.subject} for f in mine),
             tuple(e for f in mine for e in f.event_ids)),
        exit_item,
        Item("19.4(e)", "all open Testing Issues captured, and closed or in a Work Off Plan",
             state_of(all(i.reference in in_plans for i in open_issues)),
             f"{len(open_issues)} open, {sum(1 for i in open_issues if i.reference not in in_plans)} in no "
             "Work Off Plan",
             tuple(_issue_row(i) for i in open_issues if i.reference not in in_plans)),
        _documented("19.4(f)", "the auditor's view on the acceptability of open issues and Work Off Plans",
                    auditor_report, "SIT Auditor report"),
    )
    return Report("sit-auditor-checklist", "SMETS1 SIT Audit Report: checklist (§19.4(a)-(f))",
                  _subject(facts), at, checkpoint, (Section("§19.4 confirmations", items),))


__all__ = ["auditor_checklist", "sit_completion"]
