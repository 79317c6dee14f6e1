"""The rules engine's fact types (projections.rules.facts), and builders the other rules-engine
tests share. Oracles: the seed text of Appendix AK (every clause the engine cites is in force)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from ledger.planned_test_values import TestKind, TestResult
from ledger.rules.phase_kinds import OperatingCapability, PhaseKind
from ledger.rules.thresholds import ThresholdContext
from ledger.testing_issue_values import ExclusionKind, ExclusionStatus, IssueCause
from projections.rules.facts import (
    CertificateFact,
    DisputeFact,
    ExclusionFact,
    ExecutionFact,
    IssueFact,
    PhaseFact,
    PlannedTestFact,
)
from projections.rules.thresholds import ThresholdCount
from projections.rules.verdicts import CriterionResult, Verdict, combine
from tests.unit.seed_text import check_ref

IOC, MOC, FOC = OperatingCapability.IOC, OperatingCapability.MOC, OperatingCapability.FOC
SIT, PIT, SCT, UTS = PhaseKind.SIT, PhaseKind.PIT, PhaseKind.SCT, PhaseKind.UTS
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def at(days: int) -> datetime:
    return T0 + timedelta(days=days)


def phase(
    phase_id: str, kind: PhaseKind = SIT, capability: OperatingCapability = IOC, **kw: object
) -> PhaseFact:
    return PhaseFact(phase_id, kind, capability, **kw)  # type: ignore[arg-type]


def issue(
    ref: str, severity: int | None, phase_id: str, *, kind: PhaseKind | None = SIT,
    capability: OperatingCapability = IOC, providers: Iterable[str] = ("SP-A",), is_open: bool = True,
    cause: IssueCause = IssueCause.DCC_TOTAL_SYSTEM, raised_at: datetime = T0, **kw: object,
) -> IssueFact:
    return IssueFact(
        reference=ref, phase_id=phase_id, phase_kind=kind, capability=capability, raised_at=raised_at,
        is_open=is_open, severity=severity, cause=cause, service_providers=tuple(providers),
        event_ids=(f"{ref}:1",), **kw,  # type: ignore[arg-type]
    )


def issues(prefix: str, n: int, severity: int, phase_id: str, **kw: object) -> list[IssueFact]:
    return [issue(f"{prefix}-{i:03d}", severity, phase_id, **kw) for i in range(n)]  # type: ignore[arg-type]


def disputed(fact: IssueFact, proposed: int, *phases: str) -> IssueFact:
    from dataclasses import replace

    assert fact.severity is not None
    return replace(fact, dispute=DisputeFact(fact.severity, proposed, tuple(phases), f"{fact.reference}:9"))


def excluded(fact: IssueFact, scope: str, status: ExclusionStatus,
             kind: ExclusionKind = ExclusionKind.THRESHOLD) -> IssueFact:
    from dataclasses import replace

    added = ExclusionFact(kind, scope, status, (f"{fact.reference}:x",))
    return replace(fact, exclusions=(*fact.exclusions, added))


def planned(
    test_id: str, phase_id: str, result: TestResult | None, *, dmc: str | None = None,
    kind: TestKind = TestKind.FUNCTIONAL, evidence: str | None = "a" * 64, **kw: object,
) -> PlannedTestFact:
    runs = () if result is None else (
        ExecutionFact(f"{test_id}:2", 1, result, at(1), evidence_sha256=evidence),)
    return PlannedTestFact(test_id, test_id, phase_id, kind, runs, functional_group="FG1", dmc=dmc,
                           **kw)  # type: ignore[arg-type]


def tcc(sp: str = "SP-A", *, revoked: bool = False) -> CertificateFact:
    return CertificateFact(f"TCC-{sp}", sp, True, revoked, (f"tcc-{sp}:1",))


def cited(results: Iterable[ThresholdCount | CriterionResult]) -> set[str]:
    return {c for r in results for c in r.clauses}


# -- tests ----------------------------------------------------------------------------------------


def test_latest_result_ignores_a_later_not_run_record() -> None:
    """A19 (Table 13.1 #1A): the pass rate reads the latest result per planned test; a later
    "not run" record (§9.4(c)) does not undo an executed result."""
    test = PlannedTestFact("t", "t", "p", TestKind.FUNCTIONAL, (
        ExecutionFact("t:2", 1, TestResult.FAIL, at(1)),
        ExecutionFact("t:3", 2, TestResult.PASS, at(2)),
        ExecutionFact("t:4", 3, TestResult.NOT_RUN, at(3)),
    ))
    latest = test.latest_result
    assert latest is not None
    assert (latest.execution_id, latest.result) == ("t:3", TestResult.PASS)
    assert PlannedTestFact("u", "u", "p", TestKind.FUNCTIONAL, (
        ExecutionFact("u:2", 1, TestResult.NOT_RUN, at(1)),)).latest_result is None


def test_latest_exclusion_per_scope_wins() -> None:
    """§13.25-13.26: a proposal refused and proposed again is read at its latest status."""
    fact = excluded(excluded(issue("I-1", 3, "p"), "p", ExclusionStatus.TAG_REFUSED), "p",
                    ExclusionStatus.TAG_AGREED)
    found = fact.exclusion(ExclusionKind.THRESHOLD, "p")
    assert found is not None
    assert found.status is ExclusionStatus.TAG_AGREED
    assert fact.exclusion(ExclusionKind.THRESHOLD, "other") is None


def test_combine_ranks_fail_over_blocked_and_ignores_not_applicable() -> None:
    """§14.5: a dispute blocks only where it "could affect whether the Exit Criteria have been met";
    a criterion that fails anyway decides the exit."""
    v = Verdict
    assert combine([v.PASS, v.BLOCKED, v.FAIL]) is v.FAIL
    assert combine([v.PASS, v.BLOCKED, v.NOT_EVIDENCED]) is v.BLOCKED
    assert combine([v.PASS, v.NOT_EVIDENCED]) is v.NOT_EVIDENCED
    assert combine([v.NOT_APPLICABLE, v.PASS]) is v.PASS
    assert combine([v.NOT_APPLICABLE]) is v.NOT_APPLICABLE


def test_every_clause_the_engine_cites_is_in_force() -> None:
    """Every clause a count or criterion cites exists in the seed text and is not struck."""
    from projections.rules.exit_criteria import evaluate_pit_exit, evaluate_sit_exit
    from projections.rules.extant import BASIS_CLAUSES
    from projections.rules.facts import ExitFacts
    from projections.rules.thresholds import threshold_counts

    moc = phase("moc-1", SIT, MOC, epcl_entry="E1")
    facts = [disputed(issue("I-1", 3, "moc-1", capability=MOC), 2, "moc-1"),
             issue("I-2", 3, "sct", kind=SCT, capability=MOC), issue("I-3", None, "moc-1", capability=MOC)]
    refs = set(BASIS_CLAUSES.values())
    for context, scope, phases in (
        (ThresholdContext.SIT_MOC_FOC, "moc-1", [moc]),
        (ThresholdContext.SIT_IOC, "ioc", [phase("ioc")]),
        (ThresholdContext.PIT, "pit", [phase("pit", PIT, service_provider="SP-A")]),
        (ThresholdContext.SCT, "sct", [phase("sct", SCT)]),
        (ThresholdContext.SMETS1_INTERFACE_TESTING_IOC, "uts", [phase("uts", UTS)]),
        (ThresholdContext.DMCT_PLANNED_EPCL_ENTRY, "E1", []),
    ):
        counts = threshold_counts(context, scope, facts, phases=phases)
        refs |= cited(counts)
        for row in (r for c in counts for r in c.rows):
            refs |= {x.clause for x in row.counted} | {x.clause for x in row.excluded}
            refs |= {x.clause for x in row.pending}
    sit = evaluate_sit_exit(ExitFacts(moc, issues=tuple(facts)))
    pit = evaluate_pit_exit(ExitFacts(phase("pit", PIT, service_provider="SP-A")))
    refs |= cited(sit.criteria) | cited(pit.criteria)
    problems = [p for p in (check_ref(r) for r in sorted(refs)) if p is not None]
    assert not problems, problems
