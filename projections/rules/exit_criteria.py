"""PIT and SIT Exit Criteria: §12.9(a)-(i) and, for every SIT Test Phase, Table 13.1 #1A-#8
(§12.10, §13.17). One ``CriterionResult`` per criterion: PASS, FAIL, BLOCKED (§14.5), NOT_APPLICABLE
or NOT_EVIDENCED, with its clauses and the fact ids that justify it.

Documents (reports, logs, TTM, heatmap, certificates) are facts: when the one a criterion needs is
not recorded, the criterion is NOT_EVIDENCED, not FAIL. The Evidence column of Table 13.1 (the
Completion Report, the TAB Test Completion Certificate, the SIT Auditor Report) is listed in
``missing_evidence``; with ``require_evidence=True`` (e.g. when the Panel determines completion,
§13.18-13.19) a criterion whose evidence is missing is NOT_EVIDENCED rather than PASS -- it is
not by default, as the TCC and Completion Report follow the DCC's own evaluation (A28).

The overall verdict combines the criteria: FAIL outranks BLOCKED, since a pending severity dispute
cannot "affect whether the Exit Criteria have been met" (§14.5) when another criterion fails.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ledger.planned_test_values import TestKind, TestResult
from ledger.rules.document_types import DocumentType
from ledger.rules.phase_kinds import OperatingCapability, PhaseKind
from ledger.rules.thresholds import ThresholdContext
from projections.rules.errors import RulesEngineError
from projections.rules.execution_criteria import (
    all_planned_executed,
    end_of_cycle,
    functional_execution,
    minimum_success_rate,
    phase_tests,
    regression,
)
from projections.rules.facts import DocumentFact, ExitFacts, PhaseFact
from projections.rules.thresholds import ThresholdCount, counts_verdict, threshold_counts
from projections.rules.verdicts import CriterionResult, Verdict, combine

_V, _D = Verdict, DocumentType
_COMPLETION_REPORTS = (_D.SIT_COMPLETION_REPORT, _D.COMPLETION_REPORT)


@dataclass(frozen=True)
class ExitEvaluation:
    """The Exit Criteria of one phase. ``declared_disputes``: issues whose pending §14.2 dispute
    names this phase as one whose exit it could affect (§14.5); whether it actually could is
    computed in the threshold counts."""

    phase_id: str
    criteria: tuple[CriterionResult, ...]
    threshold_counts: tuple[ThresholdCount, ...]
    declared_disputes: tuple[str, ...]
    verdict: Verdict

    def criterion(self, name: str) -> CriterionResult:
        found = next((c for c in self.criteria if c.criterion == name), None)
        if found is None:
            raise KeyError(name)
        return found


def evaluate_pit_exit(facts: ExitFacts) -> ExitEvaluation:
    """§12.9(a)-(i) for a PIT phase (Table 13.2 PIT thresholds per DCC Service Provider, §13.22).
    Raises ``RulesEngineError`` if the phase is not PIT."""
    phase = _require(facts, PhaseKind.PIT)
    counts = _counts(facts, ThresholdContext.PIT)
    criteria = (
        all_planned_executed(facts),
        minimum_success_rate(facts),
        _thresholds(counts, "12.9(c)"),
        _results_documented(facts, "12.9(d)", ()),
        _issue_logs(facts, "12.9(e)", ()),
        regression(facts),
        _work_off_plans_produced(facts),
        _preceding_work_off_plans(facts),
        _reports_and_certificates(facts),
    )
    return _evaluation(phase.phase_id, facts, criteria, counts)


def evaluate_sit_exit(facts: ExitFacts, *, require_evidence: bool = False) -> ExitEvaluation:
    """§12.9(a)-(i) and Table 13.1 #1A-#8 for a SIT Test Phase (IOC: Table 13.2 per provider;
    MOC/FOC: Table 13.3 (a) and (b)). Raises ``RulesEngineError`` if the phase is not SIT."""
    phase = _require(facts, PhaseKind.SIT)
    ioc = phase.capability is OperatingCapability.IOC
    counts = _counts(facts, ThresholdContext.SIT_IOC if ioc else ThresholdContext.SIT_MOC_FOC)
    auditor = ioc or phase.first_smso_entry  # §19.4, §19.5; otherwise §19.6 (A46)
    traceability = (_D.SIT_AUDITOR_REPORT,) if auditor else _COMPLETION_REPORTS
    report = _missing(facts, _COMPLETION_REPORTS, "Completion Report for the SIT Test Phase")
    certificate = report + _missing_certificate(facts)
    table = {
        "#1A": _with(functional_execution(facts, "Table 13.1 #1A"), certificate),
        "#1B": _with(functional_execution(facts, "Table 13.1 #1B"), certificate),
        "#2A": _with(end_of_cycle(facts), certificate),
        "#2B": _with(regression(facts), certificate),
        "#3": _with(_thresholds(counts, "Table 13.1 #3"), certificate),
        "#4": _results_documented(facts, "Table 13.1 #4", report),
        "#5": _issue_logs(facts, "Table 13.1 #5", report),
        "#6": _ttm(facts, traceability, auditor),
        "#7": _heatmap(facts, traceability, auditor),
        "#8": _assurance_report_approved(facts, report),
    }
    rows = [replace(r, criterion=f"Table 13.1 {k}") for k, r in table.items()]
    if require_evidence:
        rows = [replace(r, verdict=_V.NOT_EVIDENCED) if r.verdict is _V.PASS and r.missing_evidence else r
                for r in rows]
    by = {k: r for k, r in zip(table, rows, strict=True)}
    generic = (
        all_planned_executed(facts),
        _derived("12.9(b)", "test success rate at or above Table 13.1", [by["#1A"], by["#1B"]]),
        _derived("12.9(c)", "outstanding Testing Issues at or below the thresholds", [by["#3"]]),
        _derived("12.9(d)", "test results and evidence documented", [by["#4"]]),
        _derived("12.9(e)", "test issue logs produced", [by["#5"]]),
        _derived("12.9(f)", "regression testing completed per Table 13.1", [by["#2B"]]),
        _work_off_plans_produced(facts),
        _preceding_work_off_plans(facts),
        _reports_and_certificates(facts),
    )
    return _evaluation(phase.phase_id, facts, (*generic, *rows), counts)


# -- helpers ---------------------------------------------------------------------------------------


def _require(facts: ExitFacts, kind: PhaseKind) -> PhaseFact:
    if facts.phase.kind is not kind:
        phase = facts.phase
        raise RulesEngineError(f"phase {phase.phase_id!r} is {phase.kind.value}, not {kind.value}")
    return facts.phase


def _evaluation(
    phase_id: str, facts: ExitFacts, criteria: tuple[CriterionResult, ...], counts: list[ThresholdCount]
) -> ExitEvaluation:
    declared = tuple(sorted(i.reference for i in facts.issues
                            if i.dispute is not None and phase_id in i.dispute.could_affect_exit_of))
    return ExitEvaluation(phase_id, criteria, tuple(counts), declared, combine(c.verdict for c in criteria))


def _counts(facts: ExitFacts, context: ThresholdContext) -> list[ThresholdCount]:
    phases = (facts.phase, *(p for p in facts.phases if p.phase_id != facts.phase.phase_id))
    return threshold_counts(context, facts.phase.phase_id, facts.issues, phases=phases)


def _docs(facts: ExitFacts, kinds: tuple[DocumentType, ...]) -> list[DocumentFact]:
    return [d for d in facts.documents if d.kind in kinds and facts.phase.phase_id in d.phase_ids]


def _missing(facts: ExitFacts, kinds: tuple[DocumentType, ...], name: str) -> tuple[str, ...]:
    return () if _docs(facts, kinds) else (name,)


def _missing_certificate(facts: ExitFacts) -> tuple[str, ...]:
    live = [c for c in facts.phase.certificates if c.tab_approved and not c.revoked]
    return () if live else ("TAB Test Completion Certificate",)


def _with(result: CriterionResult, missing: tuple[str, ...]) -> CriterionResult:
    if result.verdict is _V.NOT_APPLICABLE:
        return result
    return replace(result, missing_evidence=missing)


def _derived(criterion: str, title: str, sources: list[CriterionResult]) -> CriterionResult:
    """A §12.9 item that, for SIT, Table 13.1 details (§12.10, §13.17)."""
    applied = [s for s in sources if s.verdict is not _V.NOT_APPLICABLE]
    return CriterionResult(
        criterion, title, combine(s.verdict for s in applied),
        (criterion, *dict.fromkeys(c for s in applied for c in s.clauses)),
        tuple(i for s in applied for i in s.fact_ids),
        "; ".join(f"{s.criterion}: {s.detail}" for s in applied),
        tuple(dict.fromkeys(m for s in applied for m in s.missing_evidence)),
    )


def _thresholds(counts: list[ThresholdCount], criterion: str) -> CriterionResult:
    """§12.9(c); Table 13.1 #3: extant issues within the relevant threshold (§13.21-13.29, §14.4-14.5)."""
    clauses = dict.fromkeys([criterion, "12.9(c)", *(c for n in counts for c in n.clauses)])
    ids = dict.fromkeys(i for n in counts for r in n.rows
                        for i in (*n.fact_ids, *(x.reference for x in r.excluded),
                                  *(p.reference for p in r.pending)))
    detail = "; ".join(_describe(n) for n in counts) or "no extant Testing Issues"
    return CriterionResult(criterion, "Testing Issue Thresholds", counts_verdict(counts), tuple(clauses),
                           tuple(ids), detail)


def _describe(count: ThresholdCount) -> str:
    rows = ", ".join(f"sev {r.severity} {r.count}/{r.limit}" for r in count.rows if r.count or r.pending)
    return f"{count.column.value} {count.unit}: {rows or 'none'} -> {count.verdict.value}"


def _results_documented(facts: ExitFacts, criterion: str, missing: tuple[str, ...]) -> CriterionResult:
    """§12.9(d); Table 13.1 #4: each executed planned test's latest result cites its evidence."""
    title, clauses = "test results documented and evidence stored", (criterion, "12.9(d)")
    tests = phase_tests(facts)
    latest = [(t, t.latest_result) for t in tests]
    ran = [(t, e) for t, e in latest if e is not None]
    ids = tuple(e.execution_id for _, e in ran)
    if not ran:
        return CriterionResult(criterion, title, _V.NOT_EVIDENCED, clauses, (), "no executions recorded",
                               missing)
    bare = [t.test_ref for t, e in ran if e.evidence_sha256 is None]
    if bare:
        return CriterionResult(criterion, title, _V.NOT_EVIDENCED, clauses, ids,
                               f"no evidence stored for the latest run of {', '.join(bare)}", missing)
    return CriterionResult(criterion, title, _V.PASS, clauses, ids,
                           f"evidence stored for all {len(ran)} latest results", missing)


def _issue_logs(facts: ExitFacts, criterion: str, missing: tuple[str, ...]) -> CriterionResult:
    """§12.9(e); Table 13.1 #5: logs for all Testing Issues identified in the phase (§9.2)."""
    title, clauses = "Testing Issue logs produced", (criterion, "12.9(e)", "9.2")
    logs = _docs(facts, (_D.TESTING_ISSUE_LOG,))
    if not logs:
        return CriterionResult(criterion, title, _V.NOT_EVIDENCED, clauses, (), "no Testing Issue log",
                               missing)
    ids = tuple(d.event_id for d in logs)
    listed = {r for d in logs for r in d.references}
    raised = [i.reference for i in facts.issues if i.phase_id == facts.phase.phase_id]
    absent = [r for r in raised if r not in listed] if listed else []
    if absent:
        return CriterionResult(criterion, title, _V.FAIL, clauses, ids,
                               f"not in the log: {', '.join(absent)}", missing)
    return CriterionResult(criterion, title, _V.PASS, clauses, ids, f"{len(logs)} log(s)", missing)


def _ttm(facts: ExitFacts, evidence: tuple[DocumentType, ...], auditor: bool) -> CriterionResult:
    """Table 13.1 #6: traceability to the requirements through a TTM assured by the DCC (§11)."""
    title, clauses = "Full Test traceability to the requirements", ("Table 13.1 #6", "11.1", "11.2")
    missing = _missing(facts, evidence, "SIT Auditor Report" if auditor else "Completion Report (19.6)")
    ttms = _docs(facts, (_D.TEST_TRACEABILITY_MATRIX,))
    assured = [d for d in ttms if d.approved]
    ids = tuple(d.event_id for d in ttms)
    if not assured:
        text = "no TTM recorded" if not ttms else "no assured TTM version (§11.1)"
        return CriterionResult("Table 13.1 #6", title, _V.NOT_EVIDENCED, clauses, ids, text, missing)
    return CriterionResult("Table 13.1 #6", title, _V.PASS, clauses, ids, "assured TTM recorded", missing)


def _heatmap(facts: ExitFacts, evidence: tuple[DocumentType, ...], auditor: bool) -> CriterionResult:
    """Table 13.1 #7: a heatmap of coverage and success by functional group, traceable to the TTM."""
    title, clauses = "Full Test traceability of executed tests", ("Table 13.1 #7", "11.3", "16.3")
    missing = _missing(facts, evidence, "SIT Auditor Report" if auditor else "Completion Report (19.6)")
    maps = _docs(facts, (_D.TEST_HEATMAP,))
    ids = tuple(d.event_id for d in maps)
    if not maps:
        return CriterionResult("Table 13.1 #7", title, _V.NOT_EVIDENCED, clauses, (), "no heatmap", missing)
    shown = {r for d in maps for r in d.references}
    functional = phase_tests(facts, TestKind.FUNCTIONAL)
    groups = sorted({t.functional_group for t in functional if t.functional_group})
    absent = [g for g in groups if g not in shown] if shown else []
    if absent:
        return CriterionResult("Table 13.1 #7", title, _V.FAIL, clauses, ids,
                               f"functional groups not on the heatmap: {', '.join(absent)}", missing)
    return CriterionResult("Table 13.1 #7", title, _V.PASS, clauses, ids, "heatmap recorded", missing)


def _assurance_report_approved(facts: ExitFacts, missing: tuple[str, ...]) -> CriterionResult:
    """Table 13.1 #8: TAB approval of the DCC assurance report (§9.5, §9.6)."""
    title, clauses = "DCC assurance report approved", ("Table 13.1 #8", "9.5", "9.6")
    reports = _docs(facts, (_D.DCC_ASSURANCE_REPORT,))
    if not reports:
        return CriterionResult("Table 13.1 #8", title, _V.NOT_EVIDENCED, clauses, (),
                               "no DCC assurance report", missing)
    latest = reports[-1]
    verdict = {True: _V.PASS, False: _V.FAIL, None: _V.NOT_EVIDENCED}[latest.approved]
    text = {True: "approved by the TAB", False: "rejected by the TAB",
            None: "no TAB decision"}[latest.approved]
    return CriterionResult("Table 13.1 #8", title, verdict, clauses, (latest.event_id,), text, missing)


def _work_off_plans_produced(facts: ExitFacts) -> CriterionResult:
    """§12.9(g), §15.1: a Work Off Plan documents every open issue that occurred in the phase."""
    title, clauses = "Work Off Plans for outstanding Testing Issues", ("12.9(g)", "15.1")
    phase_id = facts.phase.phase_id
    open_here = [i.reference for i in facts.issues if i.is_open and i.phase_id == phase_id]
    plans = [p for p in facts.work_off_plans if p.phase_id == phase_id]
    ids = tuple(e for p in plans for e in (p.plan_id, *p.event_ids))
    if not open_here:
        return CriterionResult("12.9(g)", title, _V.PASS, clauses, ids, "no outstanding Testing Issues")
    if not plans:
        return CriterionResult("12.9(g)", title, _V.NOT_EVIDENCED, clauses, tuple(open_here),
                               f"no Work Off Plan recorded for {len(open_here)} open issue(s)")
    covered = {item.issue_reference for p in plans for item in p.items}
    absent = [r for r in open_here if r not in covered]
    unapproved = "" if all(p.tab_approved for p in plans) else "; not yet approved by the TAB (§15.1)"
    if absent:
        return CriterionResult("12.9(g)", title, _V.FAIL, clauses, ids,
                               f"open issues in no Work Off Plan: {', '.join(absent)}{unapproved}")
    return CriterionResult("12.9(g)", title, _V.PASS, clauses, ids,
                           f"{len(open_here)} open issue(s) in Work Off Plans{unapproved}")


def _preceding_work_off_plans(facts: ExitFacts) -> CriterionResult:
    """§12.9(h): preceding phases' Work Off Plans completed and their tests successfully re-run
    (the preceding phases are configured on the phase fact, A57)."""
    title, clauses = "preceding Work Off Plans completed and tests re-run", ("12.9(h)", "15.2")
    before = facts.phase.preceding_phase_ids
    if not before:
        return CriterionResult("12.9(h)", title, _V.NOT_APPLICABLE, clauses, (), "no preceding phases")
    runs = {e.execution_id: e for t in facts.planned_tests for e in t.executions}
    verdicts, notes, ids = [_V.PASS], [], []
    for plan in (p for p in facts.work_off_plans if p.phase_id in before):
        ids += [plan.plan_id, *plan.event_ids]
        if not plan.completed:
            verdicts.append(_V.FAIL)
            notes.append(f"{plan.plan_id} not completed")
        for item in plan.items:
            found = [runs.get(e) for e in item.retest_execution_ids]
            ids += item.retest_execution_ids
            if not item.resolved:
                verdicts.append(_V.FAIL)
                notes.append(f"{item.issue_reference} unresolved")
            elif not found or any(e is None for e in found):
                verdicts.append(_V.NOT_EVIDENCED)
                notes.append(f"{item.issue_reference}: re-run not evidenced")
            elif any(e is not None and e.result is not TestResult.PASS for e in found):
                verdicts.append(_V.FAIL)
                notes.append(f"{item.issue_reference}: re-run did not pass")
    return CriterionResult("12.9(h)", title, combine(verdicts), clauses, tuple(ids),
                           "; ".join(notes) or "completed, tests re-run and passed")


def _reports_and_certificates(facts: ExitFacts) -> CriterionResult:
    """§12.9(i): the §9.4 and §9.5 reports produced and the TCCs issued (PIT: to the phase's DCC
    Service Provider; A28: issued by the DCC with TAB approval)."""
    title, clauses = "§9.4 and §9.5 reports produced, TCCs issued", ("12.9(i)", "9.4", "9.5")
    phase = facts.phase
    docs = _docs(facts, (_D.SERVICE_PROVIDER_TEST_REPORT, _D.DCC_ASSURANCE_REPORT))
    kinds = {d.kind for d in docs}
    certs = [c for c in phase.certificates
             if phase.kind is not PhaseKind.PIT or c.service_provider == phase.service_provider]
    ids = (*(d.event_id for d in docs), *(e for c in certs for e in (c.certificate_id, *c.event_ids)))
    gaps: list[tuple[Verdict, str]] = []
    needed = ((_D.SERVICE_PROVIDER_TEST_REPORT, "§9.4 report"), (_D.DCC_ASSURANCE_REPORT, "§9.5 report"))
    for kind, name in needed:
        if kind not in kinds:
            gaps.append((_V.NOT_EVIDENCED, f"no {name}"))
    live = [c for c in certs if c.tab_approved and not c.revoked]
    if not live:
        revoked = any(c.revoked for c in certs)
        gaps.append((_V.FAIL, "TCC revoked (§15.2)") if revoked
                    else (_V.NOT_EVIDENCED, "no TAB-approved TCC"))
    verdict = combine([_V.PASS, *(v for v, _ in gaps)])
    return CriterionResult("12.9(i)", title, verdict, clauses, tuple(ids),
                           "; ".join(t for _, t in gaps) or "reports produced, TCC issued")


__all__ = ["ExitEvaluation", "evaluate_pit_exit", "evaluate_sit_exit"]
