"""Exit Criteria on test execution: §12.9(a), (b), (f) and Table 13.1 #1A, #1B, #2A, #2B.

Pass rates are exact: ``PassRate.rate`` is a ``Fraction`` and ``meets`` compares integers
(``passed * 10 >= 9 * planned`` for 90%), so 899 of 1000 (89.9%) fails and 9 of 10 passes with no
floating-point rounding. Decided ambiguities (domain README): A19 -- the latest result per planned
test, the denominator the planned tests not de-scoped, de-scoping effective for SIT only with the
SoS's approval (for PIT with the TAB's, §12.9(a)); 1A per DMC, 1B per phase. A17/A18 -- #2A is for
MOC/FOC, each failure of each of the two end-of-cycle runs (§7.4(c)) must be attributed to a defect
known at the run's start or a new defect whose exclusion TAG agreed or the SoS upheld. A24 -- #2B
100% pass excluding defects logged before the regression run started, applied to IOC too (flagged).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from ledger.cycle_run_values import END_OF_CYCLE_RELEASES, END_OF_CYCLE_RUNS
from ledger.planned_test_values import TestKind, TestResult
from ledger.rules.phase_kinds import OperatingCapability, PhaseKind
from ledger.testing_issue_values import ExclusionKind, ExclusionStatus
from projections.rules.facts import CycleRunFact, ExitFacts, IssueFact, PhaseFact, PlannedTestFact
from projections.rules.verdicts import CriterionResult, Verdict, combine

MINIMUM_FUNCTIONAL_PASS_RATE = Fraction(9, 10)  # Table 13.1 #1A, #1B: "a 90% pass rate"
_EXCLUDES = (ExclusionStatus.TAG_AGREED, ExclusionStatus.SOS_UPHELD)
_V = Verdict


@dataclass(frozen=True)
class PassRate:
    """The pass rate of one group of planned tests (a DMC for #1A, the phase for #1B)."""

    group: str | None
    planned: int  # not de-scoped: the denominator (A19)
    passed: int
    not_executed: tuple[str, ...]
    failed: tuple[str, ...]
    descoped: tuple[str, ...]

    @property
    def executed(self) -> int:
        return self.planned - len(self.not_executed)

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.passed, self.planned) if self.planned else None

    def meets(self, minimum: Fraction) -> bool:
        """Exact: passed / planned >= minimum, compared as integers."""
        return self.passed * minimum.denominator >= minimum.numerator * self.planned

    def describe(self) -> str:
        name = "phase" if self.group is None else f"DMC {self.group}"
        rate = "n/a" if self.rate is None else f"{float(self.rate * 100):.6g}%"
        return (f"{name}: {self.passed}/{self.planned} passed ({rate}), {self.executed} executed, "
                f"{len(self.descoped)} de-scoped")


class Descopable(Protocol):
    """What ``is_descoped`` reads of a planned test."""

    @property
    def descope_tab_approved(self) -> bool | None: ...

    @property
    def descope_sos_approved(self) -> bool | None: ...


def is_descoped(test: Descopable, phase_kind: PhaseKind) -> bool:
    """§12.9(a): de-scoped only with the TAB's approval, and for SIT only if the SoS approves."""
    if phase_kind is PhaseKind.SIT:
        return test.descope_sos_approved is True
    return test.descope_tab_approved is True


def pass_rate(tests: Iterable[PlannedTestFact], phase_kind: PhaseKind, group: str | None = None) -> PassRate:
    """The latest result per planned test (A19) over the planned tests not de-scoped."""
    listed = list(tests)
    descoped = tuple(t.planned_test_id for t in listed if is_descoped(t, phase_kind))
    live = [t for t in listed if not is_descoped(t, phase_kind)]
    latest = {t.planned_test_id: t.latest_result for t in live}
    return PassRate(
        group=group, planned=len(live),
        passed=sum(1 for e in latest.values() if e is not None and e.result is TestResult.PASS),
        not_executed=tuple(i for i, e in latest.items() if e is None),
        failed=tuple(i for i, e in latest.items() if e is not None and e.result is TestResult.FAIL),
        descoped=descoped,
    )


def phase_tests(facts: ExitFacts, kind: TestKind | None = None) -> list[PlannedTestFact]:
    return [t for t in facts.planned_tests
            if t.phase_id == facts.phase.phase_id and (kind is None or t.kind is kind)]


def planned_fact_ids(tests: Iterable[PlannedTestFact]) -> tuple[str, ...]:
    ids: list[str] = []
    for t in tests:
        ids.append(t.planned_test_id)
        latest = t.latest_result
        if latest is not None:
            ids.append(latest.execution_id)
        ids.extend(t.descope_event_ids)
    return tuple(ids)


# -- §12.9(a), (b) -----------------------------------------------------------------------------------


def all_planned_executed(facts: ExitFacts) -> CriterionResult:
    """§12.9(a): every planned test of the phase (any kind) executed, unless de-scoped."""
    tests = phase_tests(facts)
    rate = pass_rate(tests, facts.phase.kind)
    title, clauses = "all planned tests executed", ("12.9(a)",)
    if not tests:
        return CriterionResult("12.9(a)", title, _V.NOT_EVIDENCED, clauses, (), "no planned tests recorded")
    kind = facts.phase.kind
    pending = [t.planned_test_id for t in tests if t.descope_proposed and not is_descoped(t, kind)]
    note = f"; de-scope not (yet) effective for {', '.join(pending)}" if pending else ""
    verdict = _V.PASS if not rate.not_executed else _V.FAIL
    detail = (f"{rate.executed} of {rate.planned} executed, {len(rate.descoped)} de-scoped{note}"
              + (f"; not executed: {', '.join(rate.not_executed)}" if rate.not_executed else ""))
    return CriterionResult("12.9(a)", title, verdict, clauses, planned_fact_ids(tests), detail)


def functional_execution(facts: ExitFacts, criterion: str) -> CriterionResult:
    """Table 13.1 #1A (IOC: per DMC) or #1B (MOC/FOC: per SIT Test Phase): 100% of the functional
    planned tests not de-scoped executed, with at least a 90% pass rate."""
    phase = facts.phase
    ioc = criterion.endswith("#1A")
    title = f"Functional SIT Execution ({'IOC' if ioc else 'MOC and FOC'})"
    clauses = (criterion, "12.9(a)", "12.9(b)")
    if phase.kind is not PhaseKind.SIT or (phase.capability is OperatingCapability.IOC) != ioc:
        return CriterionResult(criterion, title, _V.NOT_APPLICABLE, clauses, (),
                               f"applies to {'IOC' if ioc else 'MOC and FOC'} SIT only")
    tests = phase_tests(facts, TestKind.FUNCTIONAL)
    if not tests:
        return CriterionResult(criterion, title, _V.NOT_EVIDENCED, clauses, (),
                               "no functional planned tests recorded")
    if ioc:
        dmcs = sorted({t.dmc or "" for t in tests})
        rates = [pass_rate([t for t in tests if (t.dmc or "") == d], phase.kind, d or "(none)") for d in dmcs]
    else:
        rates = [pass_rate(tests, phase.kind)]
    parts = [_rate_verdict(r, MINIMUM_FUNCTIONAL_PASS_RATE) for r in rates]
    detail = "; ".join(r.describe() for r in rates)
    return CriterionResult(criterion, title, combine(parts), clauses, planned_fact_ids(tests), detail)


def minimum_success_rate(facts: ExitFacts) -> CriterionResult:
    """§12.9(b) outside SIT: the minimum set by the relevant Testing Approach Document, recorded on
    the phase fact; not evidenced when none is recorded."""
    phase, title, clauses = facts.phase, "test success rate at or above the minimum", ("12.9(b)",)
    tests = phase_tests(facts)
    if phase.minimum_pass_rate is None:
        return CriterionResult("12.9(b)", title, _V.NOT_EVIDENCED, clauses, planned_fact_ids(tests),
                               "no minimum pass rate recorded from the relevant Testing Approach Document")
    rate = pass_rate(tests, phase.kind)
    verdict = _rate_verdict(rate, phase.minimum_pass_rate) if tests else _V.NOT_EVIDENCED
    return CriterionResult("12.9(b)", title, verdict, clauses, planned_fact_ids(tests),
                           f"{rate.describe()}; minimum {phase.minimum_pass_rate}")


def _rate_verdict(rate: PassRate, minimum: Fraction) -> Verdict:
    if rate.planned == 0:
        return _V.PASS  # everything de-scoped with approval: nothing left to run
    return _V.PASS if not rate.not_executed and rate.meets(minimum) else _V.FAIL


# -- Table 13.1 #2A, #2B (and §12.9(f) outside SIT) ----------------------------------------------------


def end_of_cycle(facts: ExitFacts) -> CriterionResult:
    """Table 13.1 #2A: MOC/FOC SIT (A18); two ended runs (§7.4(c)); each 100% executed and 100%
    passed excluding failures attributed to a defect known at the run's start (item 1) or a new
    defect whose exclusion TAG approved or the SoS upheld on referral (item 2, A17)."""
    phase, criterion = facts.phase, "Table 13.1 #2A"
    title, clauses = "SIT End of Cycle Testing", (criterion, "7.4(c)")
    if phase.kind is not PhaseKind.SIT or phase.capability not in END_OF_CYCLE_RELEASES:
        return CriterionResult(criterion, title, _V.NOT_APPLICABLE, clauses, (),
                               "end-of-cycle runs are for MOC and FOC SIT (A18)")
    runs = _ended(facts, TestKind.END_OF_CYCLE)
    issues = {i.reference: i for i in facts.issues}
    assessed = [_assess_run(run, issues, end_of_cycle=True) for run in runs]
    pairs = list(zip(runs, assessed, strict=True))
    ids = tuple(i for run, (_, _, run_ids) in pairs for i in (*run.event_ids, *run_ids))
    details = [f"run {run.run_number}: {text}" for run, (_, text, _) in pairs]
    verdicts = [v for v, _, _ in assessed]
    if len(runs) < END_OF_CYCLE_RUNS:
        verdicts.append(_V.FAIL)
        details.append(f"{len(runs)} of the {END_OF_CYCLE_RUNS} end-of-cycle runs have ended (§7.4(c))")
    return CriterionResult(criterion, title, combine(verdicts), clauses, ids, "; ".join(details))


def regression(facts: ExitFacts) -> CriterionResult:
    """Table 13.1 #2B for SIT, §12.9(f) otherwise: the latest ended regression run, 100% executed,
    100% passed excluding defects known at its start (A24); IOC on the stage exit version of the
    software (item 1), MOC/FOC per the Depth and Breadth of Regression Testing (item 2, §7.6)."""
    phase = facts.phase
    sit = phase.kind is PhaseKind.SIT
    criterion = "Table 13.1 #2B" if sit else "12.9(f)"
    title = "SIT Regression Execution" if sit else "regression testing successfully completed"
    clauses: tuple[str, ...] = (criterion, "12.9(f)", "7.4") if sit else ("12.9(f)",)
    runs = _ended(facts, TestKind.REGRESSION)
    if not runs:
        verdict = _V.FAIL if sit else _V.NOT_EVIDENCED
        return CriterionResult(criterion, title, verdict, clauses, (), "no regression run has ended")
    run = runs[-1]
    verdict, text, run_ids = _assess_run(run, {i.reference: i for i in facts.issues}, end_of_cycle=False)
    parts, notes = [verdict], [f"run {run.run_number}: {text}"]
    if sit:
        version_verdict, note = _regression_version(phase, run)
        parts.append(version_verdict)
        notes.append(note)
    else:
        notes.append("read as Table 13.1 #2B: the relevant TAD's criteria are not recorded")
    return CriterionResult(criterion, title, combine(parts), clauses, (*run.event_ids, *run_ids),
                           "; ".join(notes))


def _regression_version(phase: PhaseFact, run: CycleRunFact) -> tuple[Verdict, str]:
    if phase.capability is OperatingCapability.IOC:
        expected, used, what = phase.stage_exit_version, run.codebase_version, "stage exit version"
        flag = "; 100% pass applied to IOC too (A24)"
    else:
        expected, used = phase.dnb_regression_version, run.dnb_regression_version
        what, flag = "Depth and Breadth of Regression Testing version", ""
    if expected is None or used is None:
        return _V.NOT_EVIDENCED, f"{what} not recorded{flag}"
    if expected != used:
        return _V.FAIL, f"run used {what} {used}, not {expected}{flag}"
    return _V.PASS, f"{what} {used}{flag}"


def _ended(facts: ExitFacts, kind: TestKind) -> list[CycleRunFact]:
    runs = [r for r in facts.cycle_runs
            if r.phase_id == facts.phase.phase_id and r.kind is kind and r.ended_at is not None]
    return sorted(runs, key=lambda r: r.run_number)


def _assess_run(
    run: CycleRunFact, issues: dict[str, IssueFact], *, end_of_cycle: bool
) -> tuple[Verdict, str, tuple[str, ...]]:
    """A run: 100% of its planned tests executed; every failure excused by a defect (see module)."""
    ids: list[str] = []
    if run.executed < run.planned_tests:
        return _V.FAIL, f"{run.executed} of {run.planned_tests} planned tests executed", ()
    failed = run.executed - run.passed
    unexcused: list[str] = []
    for failure in run.failures:
        reasons = [_excused(run, d, issues.get(d), end_of_cycle) for d in failure.defects]
        excusing = [d for d, (ok, _) in zip(failure.defects, reasons, strict=True) if ok]
        ids.extend(e for d in failure.defects if (i := issues.get(d)) is not None for e in _excl_ids(i, run))
        if not excusing:
            why = "; ".join(text for _, text in reasons) or "no defect named"
            unexcused.append(f"{failure.test_ref} ({why})")
    if unexcused:
        return _V.FAIL, f"failures not excluded: {', '.join(unexcused)}", tuple(ids)
    if len(run.failures) < failed:
        return (_V.NOT_EVIDENCED, f"{failed - len(run.failures)} of {failed} failures not attributed to a "
                "defect", tuple(ids))
    return _V.PASS, f"{run.passed}/{run.executed} passed, {failed} failures excluded", tuple(ids)


def _excused(run: CycleRunFact, defect: str, issue: IssueFact | None, end_of_cycle: bool) -> tuple[bool, str]:
    if defect in run.known_defects and (issue is None or issue.raised_at <= run.started_at):
        return True, f"{defect} known at the start"
    if not end_of_cycle:
        return False, f"{defect} not known at the run's start (A24)"
    exclusion = None if issue is None else issue.exclusion(ExclusionKind.END_OF_CYCLE, run.run_id)
    if exclusion is not None and exclusion.status in _EXCLUDES:
        return True, f"{defect} exclusion {exclusion.status.value}"
    state = "no exclusion proposed" if exclusion is None else f"exclusion {exclusion.status.value}"
    return False, f"{defect} new since the start, {state}: excluded only if TAG approves (SoS on referral)"


def _excl_ids(issue: IssueFact, run: CycleRunFact) -> Sequence[str]:
    exclusion = issue.exclusion(ExclusionKind.END_OF_CYCLE, run.run_id)
    return (*issue.event_ids[:1], *(exclusion.event_ids if exclusion else ()))


__all__ = [
    "END_OF_CYCLE_RUNS",
    "MINIMUM_FUNCTIONAL_PASS_RATE",
    "PassRate",
    "all_planned_executed",
    "end_of_cycle",
    "functional_execution",
    "is_descoped",
    "minimum_success_rate",
    "pass_rate",
    "regression",
]
