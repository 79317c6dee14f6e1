"""PIT and SIT Exit Criteria (projections.rules.exit_criteria, execution_criteria) hand-computed
from the seed text: §12.9(a)-(i), Table 13.1 #1A-#8, §7.4(c), §14.5. Each test's docstring names
the clause it checks."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from ledger.planned_test_values import TestKind, TestResult
from ledger.rules.document_types import DocumentType
from ledger.testing_issue_values import ExclusionKind, ExclusionStatus
from projections.rules.errors import RulesEngineError
from projections.rules.execution_criteria import pass_rate
from projections.rules.exit_criteria import ExitEvaluation, evaluate_pit_exit, evaluate_sit_exit
from projections.rules.facts import (
    CycleRunFact,
    DocumentFact,
    ExitFacts,
    PhaseFact,
    PlannedTestFact,
    RunFailureFact,
    WorkOffItemFact,
    WorkOffPlanFact,
)
from projections.rules.verdicts import Verdict
from tests.unit.test_rules_engine_facts import (
    IOC,
    MOC,
    PIT,
    SIT,
    at,
    disputed,
    excluded,
    issue,
    issues,
    phase,
    planned,
    tcc,
)

V = Verdict
PASS_, FAIL_ = TestResult.PASS, TestResult.FAIL


def dmc_tests(dmc: str, passed: int, failed: int, phase_id: str = "ioc-sit") -> list[PlannedTestFact]:
    return ([planned(f"{dmc}-p{i}", phase_id, PASS_, dmc=dmc) for i in range(passed)]
            + [planned(f"{dmc}-f{i}", phase_id, FAIL_, dmc=dmc) for i in range(failed)])


def docs(phase_id: str) -> tuple[DocumentFact, ...]:
    d = DocumentType
    return (
        DocumentFact(d.SIT_COMPLETION_REPORT, "cr:1", (phase_id,)),
        DocumentFact(d.SIT_AUDITOR_REPORT, "aud:1", (phase_id,)),
        DocumentFact(d.TESTING_ISSUE_LOG, "log:1", (phase_id,)),
        DocumentFact(d.TEST_TRACEABILITY_MATRIX, "ttm:1", (phase_id,), approved=True),
        DocumentFact(d.TEST_HEATMAP, "heat:1", (phase_id,), references=("FG1",)),
        DocumentFact(d.DCC_ASSURANCE_REPORT, "dar:1", (phase_id,), approved=True),
        DocumentFact(d.SERVICE_PROVIDER_TEST_REPORT, "spr:1", (phase_id,)),
    )


def regression_run(phase_id: str, version: str = "v9", **kw: object) -> CycleRunFact:
    run = CycleRunFact(f"{phase_id}-reg-1", phase_id, TestKind.REGRESSION, 1, at(2), ended_at=at(3),
                       planned_tests=4, executed=4, passed=4, codebase_version=version, event_ids=("reg:1",))
    return replace(run, **kw)  # type: ignore[arg-type]


def ioc_facts(**kw: object) -> ExitFacts:
    ioc = phase("ioc-sit", SIT, IOC, stage_exit_version="v9", certificates=(tcc(),))
    base: dict[str, object] = {
        "phase": ioc, "planned_tests": tuple(dmc_tests("D1", 9, 1)),
        "cycle_runs": (regression_run("ioc-sit"),),
        "documents": docs("ioc-sit"),
    }
    return ExitFacts(**{**base, **kw})  # type: ignore[arg-type]


def verdicts(evaluation: ExitEvaluation) -> dict[str, Verdict]:
    return {c.criterion: c.verdict for c in evaluation.criteria}


# -- Table 13.1 #1A / #1B ------------------------------------------------------------------------------


def test_pass_rate_is_exact_per_dmc_for_1a() -> None:
    """Table 13.1 #1A: "a 90% pass rate for any planned tests on the same DMC". 899 of 1000 is
    89.9% and fails DMC D1; 9 of 10 is exactly 90% and passes D2 (exact fractions, A19)."""
    tests = dmc_tests("D1", 899, 101) + dmc_tests("D2", 9, 1)
    rate = pass_rate([t for t in tests if t.dmc == "D1"], SIT)
    assert rate.rate == Fraction(899, 1000)
    assert not rate.meets(Fraction(9, 10))
    assert pass_rate([t for t in tests if t.dmc == "D2"], SIT).meets(Fraction(9, 10))
    one_a = evaluate_sit_exit(ioc_facts(planned_tests=tuple(tests))).criterion("Table 13.1 #1A")
    assert one_a.verdict is V.FAIL
    assert "DMC D1: 899/1000 passed (89.9%)" in one_a.detail
    assert "DMC D2: 9/10 passed (90%)" in one_a.detail
    at_90 = tuple(dmc_tests("D2", 9, 1) + dmc_tests("D3", 27, 3))
    passing = evaluate_sit_exit(ioc_facts(planned_tests=at_90))
    assert passing.criterion("Table 13.1 #1A").verdict is V.PASS
    assert passing.criterion("Table 13.1 #1B").verdict is V.NOT_APPLICABLE


def test_1a_is_per_dmc_not_pooled() -> None:
    """Table 13.1 #1A per DMC (A19): pooled 18/20 = 90% would pass, but D1 has 8/10."""
    tests = tuple(dmc_tests("D1", 8, 2) + dmc_tests("D2", 10, 0))
    assert evaluate_sit_exit(ioc_facts(planned_tests=tests)).criterion("Table 13.1 #1A").verdict is V.FAIL


def test_1b_is_per_phase_for_moc() -> None:
    """Table 13.1 #1B: for MOC/FOC "a 90% pass rate for any planned tests for the SIT Test Phase"."""
    moc = phase("moc-1", SIT, MOC, epcl_entry="E1")
    tests = tuple(dmc_tests("D1", 8, 2, "moc-1") + dmc_tests("D2", 10, 0, "moc-1"))
    result = evaluate_sit_exit(ExitFacts(moc, planned_tests=tests))
    assert result.criterion("Table 13.1 #1B").verdict is V.PASS
    assert result.criterion("Table 13.1 #1A").verdict is V.NOT_APPLICABLE


def test_descoping_in_sit_needs_the_sos() -> None:
    """§12.9(a); Table 13.1 #1A: de-scoped only if the SoS approves (the TAB only recommends)."""
    unrun = planned("D1-x", "ioc-sit", None, dmc="D1", descope_proposed=True, descope_tab_approved=True)
    tests = (*dmc_tests("D1", 9, 0), unrun)
    before = evaluate_sit_exit(ioc_facts(planned_tests=tests))
    assert before.criterion("Table 13.1 #1A").verdict is V.FAIL
    assert before.criterion("12.9(a)").verdict is V.FAIL
    approved = (*dmc_tests("D1", 9, 0), replace(unrun, descope_sos_approved=True))
    after = evaluate_sit_exit(ioc_facts(planned_tests=approved))
    assert after.criterion("Table 13.1 #1A").verdict is V.PASS
    assert after.criterion("12.9(a)").verdict is V.PASS


# -- Table 13.1 #2A, #2B ---------------------------------------------------------------------------


def eoc(run: int, known: tuple[str, ...], failures: tuple[RunFailureFact, ...] = ()) -> CycleRunFact:
    return CycleRunFact(f"eoc-{run}", "moc-1", TestKind.END_OF_CYCLE, run, at(10 * run), known_defects=known,
                        ended_at=at(10 * run + 1), planned_tests=20, executed=20, passed=20 - len(failures),
                        failures=failures, event_ids=(f"eoc-{run}:1",))


def test_two_end_of_cycle_runs_with_a_new_defect_excluded_only_after_tag_approval() -> None:
    """Table 13.1 #2A: 100% executed, 100% pass excluding 1. defects known at the start and 2. new
    defects whose exclusion TAG approves (SoS on referral; A17); §7.4(c): two runs. Run 1 fails a
    test on known defect K-1 and one on new defect N-1; run 2 (N-1 known by then) fails on N-1."""
    moc = phase("moc-1", SIT, MOC, epcl_entry="E1")
    known = issue("K-1", 4, "moc-1", capability=MOC, raised_at=at(5))
    new = issue("N-1", 4, "moc-1", capability=MOC, raised_at=at(10))
    run1 = eoc(1, ("K-1",), (RunFailureFact("T1", ("K-1",)), RunFailureFact("T2", ("N-1",))))
    run2 = eoc(2, ("K-1", "N-1"), (RunFailureFact("T2", ("N-1",)),))

    def two_a(*facts: object, runs: tuple[CycleRunFact, ...] = (run1, run2)) -> Verdict:
        return evaluate_sit_exit(ExitFacts(moc, issues=facts, cycle_runs=runs)).criterion(  # type: ignore[arg-type]
            "Table 13.1 #2A").verdict

    assert two_a(known, new) is V.FAIL  # no exclusion proposed for N-1 in run 1
    proposed = excluded(new, "eoc-1", ExclusionStatus.PROPOSED, ExclusionKind.END_OF_CYCLE)
    assert two_a(known, proposed) is V.FAIL
    refused = excluded(new, "eoc-1", ExclusionStatus.TAG_REFUSED, ExclusionKind.END_OF_CYCLE)
    assert two_a(known, refused) is V.FAIL
    approved = excluded(new, "eoc-1", ExclusionStatus.TAG_AGREED, ExclusionKind.END_OF_CYCLE)
    assert two_a(known, approved) is V.PASS
    upheld = excluded(new, "eoc-1", ExclusionStatus.SOS_UPHELD, ExclusionKind.END_OF_CYCLE)
    assert two_a(known, upheld) is V.PASS
    assert two_a(known, approved, runs=(run1,)) is V.FAIL  # §7.4(c): only one run has ended


def test_known_defect_must_predate_the_run() -> None:
    """Table 13.1 #2A item 1 (TR33): "known at the start" is a snapshot; a defect listed as known
    but raised after the run started is new and needs TAG's approval."""
    moc = phase("moc-1", SIT, MOC, epcl_entry="E1")
    late = issue("K-1", 4, "moc-1", capability=MOC, raised_at=at(15))
    runs = (eoc(1, ("K-1",), (RunFailureFact("T1", ("K-1",)),)), eoc(2, ()))
    result = evaluate_sit_exit(ExitFacts(moc, issues=(late,), cycle_runs=runs)).criterion("Table 13.1 #2A")
    assert result.verdict is V.FAIL
    assert "new since the start" in result.detail


def test_unitemised_failures_are_not_evidenced() -> None:
    """Table 13.1 #2A: each failure must be attributed to an excludable defect; a failure the run
    does not attribute cannot be shown to be excluded."""
    moc = phase("moc-1", SIT, MOC, epcl_entry="E1")
    runs = (replace(eoc(1, ()), passed=19), eoc(2, ()))
    result = evaluate_sit_exit(ExitFacts(moc, cycle_runs=runs)).criterion("Table 13.1 #2A")
    assert result.verdict is V.NOT_EVIDENCED


def test_end_of_cycle_not_applicable_to_ioc() -> None:
    """Table 13.1 #2A is for MOC/FOC (A18; §7.4(c))."""
    assert verdicts(evaluate_sit_exit(ioc_facts()))["Table 13.1 #2A"] is V.NOT_APPLICABLE


def test_regression_on_stage_exit_version_with_known_defects_excluded() -> None:
    """Table 13.1 #2B: 100% executed, IOC on the stage exit version of the software, 100% pass
    excluding known defects (A24: logged before the run started)."""
    before = issue("K-1", 4, "ioc-sit", raised_at=at(1))
    after = issue("K-2", 4, "ioc-sit", raised_at=at(5))
    ok = regression_run("ioc-sit", passed=3, known_defects=("K-1",),
                        failures=(RunFailureFact("T", ("K-1",)),))
    two_b = "Table 13.1 #2B"
    assert verdicts(evaluate_sit_exit(ioc_facts(cycle_runs=(ok,), issues=(before,))))[two_b] is V.PASS
    late = replace(ok, known_defects=("K-2",), failures=(RunFailureFact("T", ("K-2",)),))
    assert verdicts(evaluate_sit_exit(ioc_facts(cycle_runs=(late,), issues=(after,))))[two_b] is V.FAIL
    wrong = regression_run("ioc-sit", version="v8")
    assert verdicts(evaluate_sit_exit(ioc_facts(cycle_runs=(wrong,))))["Table 13.1 #2B"] is V.FAIL
    short = replace(regression_run("ioc-sit"), executed=3, passed=3)
    assert verdicts(evaluate_sit_exit(ioc_facts(cycle_runs=(short,))))["Table 13.1 #2B"] is V.FAIL


# -- thresholds, §14.5, documents ----------------------------------------------------------------------


def test_pending_dispute_blocks_exit_until_tag_determines() -> None:
    """§14.5: no exit decision while a severity dispute that could affect it is pending; §14.4:
    the DCC's severity is used meanwhile. Everything else passes, so the exit is BLOCKED; TAG
    determining the DCC's severity lets it pass."""
    contested = disputed(issue("D-1", 4, "ioc-sit"), 3, "ioc-sit")
    items = (*(WorkOffItemFact(f"A-{i:03d}", 3) for i in range(15)), WorkOffItemFact("D-1", 4))
    facts = ioc_facts(issues=(*issues("A", 15, 3, "ioc-sit"), contested),
                      work_off_plans=(WorkOffPlanFact("wop", "ioc-sit", items),))
    blocked = evaluate_sit_exit(facts)
    assert blocked.criterion("Table 13.1 #3").verdict is V.BLOCKED
    assert blocked.criterion("12.9(c)").verdict is V.BLOCKED
    assert blocked.declared_disputes == ("D-1",)
    assert blocked.verdict is V.BLOCKED, {c.criterion: c.verdict for c in blocked.criteria}
    determined = replace(facts, issues=(*facts.issues[:-1], replace(contested, dispute=None)))
    assert evaluate_sit_exit(determined).verdict is V.PASS


def test_missing_documents_are_not_evidenced_not_failed() -> None:
    """Table 13.1 #4-#8 and §12.9(i): a document the criterion needs that is not recorded leaves it
    NOT_EVIDENCED; a TAB rejection of the assurance report is a FAIL (#8, §9.6)."""
    bare = evaluate_sit_exit(ioc_facts(documents=()))
    for name in ("Table 13.1 #5", "Table 13.1 #6", "Table 13.1 #7", "Table 13.1 #8", "12.9(i)"):
        assert bare.criterion(name).verdict is V.NOT_EVIDENCED, name
    assert bare.verdict is V.NOT_EVIDENCED
    rejected = tuple(replace(d, approved=False) if d.kind is DocumentType.DCC_ASSURANCE_REPORT else d
                     for d in docs("ioc-sit"))
    assert evaluate_sit_exit(ioc_facts(documents=rejected)).criterion("Table 13.1 #8").verdict is V.FAIL


def test_evidence_column_is_required_when_asked() -> None:
    """Table 13.1 Evidence: "Completion Report for the SIT Test Phase and TAB Test Completion
    Certificate"; listed as missing, and with ``require_evidence`` a PASS without it is
    NOT_EVIDENCED (§13.18-13.19: the Panel determines on the evidence)."""
    no_tcc = ioc_facts(phase=replace(ioc_facts().phase, certificates=()))
    lenient = evaluate_sit_exit(no_tcc).criterion("Table 13.1 #1A")
    assert lenient.verdict is V.PASS
    assert lenient.missing_evidence == ("TAB Test Completion Certificate",)
    strict = evaluate_sit_exit(no_tcc, require_evidence=True)
    assert strict.criterion("Table 13.1 #1A").verdict is V.NOT_EVIDENCED
    assert evaluate_sit_exit(ioc_facts()).verdict is V.PASS


def test_issue_log_and_heatmap_coverage() -> None:
    """Table 13.1 #5: logs for all Testing Issues identified; #7: heatmap coverage by functional
    group (§16.3). An issue missing from an itemised log, or a group missing, fails."""
    logged = tuple(replace(d, references=("I-0",)) if d.kind is DocumentType.TESTING_ISSUE_LOG else d
                   for d in docs("ioc-sit"))
    closed = (issue("I-0", 3, "ioc-sit", is_open=False), issue("I-1", 3, "ioc-sit", is_open=False))
    result = evaluate_sit_exit(ioc_facts(documents=logged, issues=closed))
    assert result.criterion("Table 13.1 #5").verdict is V.FAIL
    assert "I-1" in result.criterion("Table 13.1 #5").detail
    other_group = replace(planned("G2", "ioc-sit", PASS_, dmc="D1"), functional_group="FG2")
    grouped = (*dmc_tests("D1", 9, 1), other_group)
    assert evaluate_sit_exit(ioc_facts(planned_tests=grouped)).criterion("Table 13.1 #7").verdict is V.FAIL


def test_work_off_plans() -> None:
    """§12.9(g): Work Off Plans for outstanding issues of the phase; §12.9(h): preceding phases'
    plans completed and their tests successfully re-run."""
    open_issue = issue("I-1", 4, "ioc-sit")
    none = evaluate_sit_exit(ioc_facts(issues=(open_issue,)))
    assert none.criterion("12.9(g)").verdict is V.NOT_EVIDENCED
    plan = WorkOffPlanFact("wop", "ioc-sit", (WorkOffItemFact("I-1", 4),), tab_approved=True)
    assert evaluate_sit_exit(ioc_facts(issues=(open_issue,), work_off_plans=(plan,))).criterion(
        "12.9(g)").verdict is V.PASS
    later = replace(ioc_facts().phase, preceding_phase_ids=("pit-a",))
    retest = planned("R1", "pit-a", PASS_)
    done = WorkOffPlanFact("wop-pit", "pit-a", (WorkOffItemFact("P-1", 3, True, ("R1:2",)),), True, True)
    ok = ioc_facts(phase=later, work_off_plans=(done,), planned_tests=(*ioc_facts().planned_tests, retest))
    assert evaluate_sit_exit(ok).criterion("12.9(h)").verdict is V.PASS
    unfinished = replace(done, completed=False, items=(WorkOffItemFact("P-1", 3),))
    assert evaluate_sit_exit(replace(ok, work_off_plans=(unfinished,))).criterion("12.9(h)").verdict is V.FAIL
    assert evaluate_sit_exit(ioc_facts()).criterion("12.9(h)").verdict is V.NOT_APPLICABLE


# -- PIT -----------------------------------------------------------------------------------------------


def pit_facts(**kw: object) -> ExitFacts:
    pit: PhaseFact = phase("pit-a", PIT, IOC, service_provider="SP-A", certificates=(tcc("SP-A"),),
                           minimum_pass_rate=Fraction(95, 100))
    base: dict[str, object] = {
        "phase": pit, "planned_tests": tuple(planned(f"t{i}", "pit-a", PASS_) for i in range(20)),
        "cycle_runs": (regression_run("pit-a"),), "documents": docs("pit-a"),
    }
    return ExitFacts(**{**base, **kw})  # type: ignore[arg-type]


def test_pit_exit_criteria() -> None:
    """§12.9(a)-(i) for PIT: thresholds per DCC Service Provider (Table 13.2 PIT, §13.22); success
    rate at or above the TAD minimum (b); TCC issued to the phase's provider (i), revoked fails."""
    result = evaluate_pit_exit(pit_facts())
    assert [c.criterion for c in result.criteria] == [f"12.9({x})" for x in "abcdefghi"]
    assert result.verdict is V.PASS, {c.criterion: (c.verdict, c.detail) for c in result.criteria}
    low = pit_facts(planned_tests=tuple(planned(f"t{i}", "pit-a", PASS_ if i else FAIL_) for i in range(19)))
    assert evaluate_pit_exit(low).criterion("12.9(b)").verdict is V.FAIL  # 18/19 < 95%
    no_minimum = pit_facts(phase=replace(pit_facts().phase, minimum_pass_rate=None))
    assert evaluate_pit_exit(no_minimum).criterion("12.9(b)").verdict is V.NOT_EVIDENCED
    revoked = pit_facts(phase=replace(pit_facts().phase, certificates=(tcc("SP-A", revoked=True),)))
    assert evaluate_pit_exit(revoked).criterion("12.9(i)").verdict is V.FAIL
    over = pit_facts(issues=tuple(issues("A", 16, 3, "pit-a", kind=PIT, providers=["SP-A"])))
    assert evaluate_pit_exit(over).criterion("12.9(c)").verdict is V.FAIL


def test_wrong_phase_kind_is_refused() -> None:
    """§12.9 applies to PIT and SIT; Table 13.1 to SIT only (§13.17)."""
    with pytest.raises(RulesEngineError):
        evaluate_sit_exit(pit_facts())
    with pytest.raises(RulesEngineError):
        evaluate_pit_exit(ioc_facts())
