"""End-of-cycle and regression runs (``ledger.cycle_runs``) and their findings
(``ledger.findings.cycle_runs``), in memory: every structural refusal and every compliance finding
(§5.6, §7.4, §7.6-7.7, Table 13.1 #2A/#2B)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pytest

from ledger.actors import Actor
from ledger.context import RecordingContext
from ledger.cycle_runs import CycleRuns
from ledger.errors import InvalidCycleRunEventError
from ledger.findings.cycle_runs import (
    cycle_run_findings,
    device_sets_not_through_mt_end_of_cycle,
    too_few_end_of_cycle_runs,
    unwarranted_exclusions,
)
from ledger.phases import TestPhase
from ledger.rules.phase_kinds import EntryCriterion, PhaseKind
from ledger.rules.roles import Role
from ledger.testing_issue_values import ExclusionKind, IssueCause, TestEnvironment
from ledger.testing_issues import TestingIssue

DCC = Actor("alice", "dcc", "DCC")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DNB, H2 = "a1" * 32, "b2" * 32
EOC = ExclusionKind.END_OF_CYCLE


class Clock:
    """Successive recording contexts, an hour apart, so the events' order is their time order."""

    def __init__(self) -> None:
        self.at = START

    def __call__(self, *clauses: str, **kwargs: Any) -> dict[str, Any]:
        self.at += timedelta(hours=1)
        return RecordingContext(DCC, self.at, clauses, **kwargs).fields()


@pytest.fixture
def ctx() -> Clock:
    return Clock()


def sit_phase(ctx: Clock, capability: str = "moc") -> TestPhase:
    entry = "E1" if capability != "ioc" else None
    phase = TestPhase.plan(capability, "sit", epcl_entry=entry, **ctx())
    for criterion in EntryCriterion:
        if criterion is not EntryCriterion.E or capability != "ioc":
            phase.record_entry_criterion(criterion, True, document_sha256=DNB, **ctx())
    phase.enter(**ctx())
    return phase


def end_of_cycle(ctx: Clock, phase_id: str, phase_kind: str = "sit") -> CycleRuns:
    return CycleRuns.open(phase_id, phase_kind, "moc", "end_of_cycle", **ctx())


def one_run(runs: CycleRuns, ctx: Clock, number: int, known: list[str], excluded: list[str]) -> None:
    runs.start_end_of_cycle_run(number, known, environment="SIT-A", codebase_version="R4.2", **ctx())
    runs.end_run(number, planned_tests=40, executed=40, passed=40 - len(excluded),
                 excluded_defects=excluded, **ctx())


def issue(ctx: Clock, reference: str) -> TestingIssue:
    return TestingIssue.raise_issue(
        reference, "meter read fails", "phase", dmc_ids=["DMC-1"], epcl_entry_ids=[],
        service_providers=["CSP-N"], cause=IssueCause.DCC_TOTAL_SYSTEM,
        environment=TestEnvironment.TEST, raised_by="dcc", security_impact=False, **ctx(),
    )


PHASE_ID = str(uuid5(NAMESPACE_URL, "phase"))


# -- the record and its runs ---------------------------------------------------------------------

def test_a_run_record_is_keyed_by_phase_and_kind_and_each_run_by_its_number(ctx: Clock) -> None:
    runs = end_of_cycle(ctx, PHASE_ID)
    assert runs.id == CycleRuns.create_id(PHASE_ID, "end_of_cycle")
    assert runs.run_id(2) == str(uuid5(NAMESPACE_URL, f"akledger:cycle-run:{PHASE_ID}:end_of_cycle:2"))
    assert runs.collect_events()[0].clauses == ["7.4(c)", "Table 13.1 #2A"]  # type: ignore[attr-defined]


def test_two_end_of_cycle_runs_record_known_defects_and_results(ctx: Clock) -> None:
    runs = end_of_cycle(ctx, PHASE_ID)
    runs.start_end_of_cycle_run(1, ["TI-1", "TI-2"], device_sets=["DS-3"], **ctx())
    runs.end_run(1, planned_tests=40, executed=39, passed=37, excluded_defects=["TI-1"],
                 execution_ids=["pt-1:2"], results_sha256=H2, **ctx())
    one_run(runs, ctx, 2, ["TI-1"], [])
    first = runs.runs[1]
    assert first.known_defects == ("TI-1", "TI-2")
    assert first.device_sets == ("DS-3",)
    assert first.results is not None
    assert (first.results.failed, first.results.excluded_defects) == (2, ("TI-1",))
    assert [run.run_number for run, _ in runs.ended_runs] == [1, 2]


@pytest.mark.parametrize(
    ("phase_kind", "capability", "kind", "field"),
    [
        ("sit", "moc", "functional", "kind"),
        ("sit", "moc", "smoke", "kind"),
        ("pit", "moc", "end_of_cycle", "kind"),
        ("sit", "ioc", "end_of_cycle", "capability"),
        ("sit", "xoc", "regression", "capability"),
        ("lab", "moc", "regression", "phase_kind"),
    ],
)
def test_a_record_the_clauses_do_not_provide_for_is_refused(
    ctx: Clock, phase_kind: str, capability: str, kind: str, field: str
) -> None:
    with pytest.raises(InvalidCycleRunEventError) as caught:
        CycleRuns.open(PHASE_ID, phase_kind, capability, kind, **ctx())
    assert caught.value.field == field


def test_a_phase_id_must_be_an_aggregate_id(ctx: Clock) -> None:
    with pytest.raises(InvalidCycleRunEventError) as caught:
        CycleRuns.open("SIT-1", "sit", "moc", "end_of_cycle", **ctx())
    assert caught.value.field == "phase_id"


def test_mt_phases_have_end_of_cycle_runs_too(ctx: Clock) -> None:
    runs = end_of_cycle(ctx, PHASE_ID, "dormant_mmt")
    assert runs.phase_kind is PhaseKind.DORMANT_MMT
    assert runs.collect_events()[0].clauses == ["5.6"]  # type: ignore[attr-defined]


def refused(runs: CycleRuns, action: Any, field: str) -> None:
    """``action`` is refused naming ``field``, and nothing is recorded."""
    before = runs.version
    with pytest.raises(InvalidCycleRunEventError) as caught:
        action()
    assert caught.value.field == field
    assert runs.version == before


def test_end_of_cycle_runs_are_one_then_two_each_after_the_last_ended(ctx: Clock) -> None:
    runs = end_of_cycle(ctx, PHASE_ID)
    refused(runs, lambda: runs.start_end_of_cycle_run(2, [], **ctx()), "run_number")  # 1 not started
    refused(runs, lambda: runs.start_end_of_cycle_run(0, [], **ctx()), "run_number")
    refused(runs, lambda: runs.start_end_of_cycle_run(True, [], **ctx()), "run_number")
    runs.start_end_of_cycle_run(1, [], **ctx())
    refused(runs, lambda: runs.start_end_of_cycle_run(1, [], **ctx()), "run_number")  # reused
    with pytest.raises(InvalidCycleRunEventError, match="run 2 cannot start before run 1 has ended"):
        runs.start_end_of_cycle_run(2, [], **ctx())
    runs.end_run(1, planned_tests=3, executed=3, passed=3, **ctx())
    runs.start_end_of_cycle_run(2, [], **ctx())
    runs.end_run(2, planned_tests=3, executed=3, passed=3, **ctx())
    refused(runs, lambda: runs.start_end_of_cycle_run(3, [], **ctx()), "run_number")  # §7.4(c): two


def test_a_run_cannot_start_in_time_before_the_one_before_it_ended(ctx: Clock) -> None:
    runs = end_of_cycle(ctx, PHASE_ID)
    runs.start_end_of_cycle_run(1, [], **ctx())
    runs.end_run(1, planned_tests=3, executed=3, passed=3, **ctx())
    earlier = RecordingContext(DCC, START, ()).fields()
    refused(runs, lambda: runs.start_end_of_cycle_run(2, [], **earlier), "occurred_at")
    refused(runs, lambda: runs.end_run(1, planned_tests=3, executed=3, passed=3, **ctx()), "run_number")


def test_a_run_ends_once_and_not_before_it_started(ctx: Clock) -> None:
    runs = end_of_cycle(ctx, PHASE_ID)
    refused(runs, lambda: runs.end_run(1, planned_tests=1, executed=1, passed=1, **ctx()), "run_number")
    runs.start_end_of_cycle_run(1, [], **ctx())
    earlier = RecordingContext(DCC, START, ()).fields()
    refused(runs, lambda: runs.end_run(1, planned_tests=1, executed=1, passed=1, **earlier), "occurred_at")


@pytest.mark.parametrize(
    ("counts", "field"),
    [
        ({"planned_tests": -1, "executed": 0, "passed": 0}, "planned_tests"),
        ({"planned_tests": 5, "executed": 6, "passed": 0}, "executed"),
        ({"planned_tests": 5, "executed": 4, "passed": 5}, "passed"),
        ({"planned_tests": 5, "executed": True, "passed": 0}, "executed"),
        ({"planned_tests": 5, "executed": 5, "passed": 5, "excluded_defects": ["TI-1", "TI-1"]},
         "excluded_defects"),
        ({"planned_tests": 5, "executed": 5, "passed": 5, "execution_ids": [""]}, "execution_ids"),
        ({"planned_tests": 5, "executed": 5, "passed": 5, "results_sha256": "AB" * 32}, "results_sha256"),
    ],
)
def test_malformed_results_are_refused(ctx: Clock, counts: dict[str, Any], field: str) -> None:
    runs = end_of_cycle(ctx, PHASE_ID)
    runs.start_end_of_cycle_run(1, [], **ctx())
    refused(runs, lambda: runs.end_run(1, **counts, **ctx()), field)


@pytest.mark.parametrize(
    ("known", "extra", "field"),
    [
        (["TI-1", "TI-1"], {}, "known_defects"),
        (["  "], {}, "known_defects"),
        ([], {"environment": ""}, "environment"),
        ([], {"device_sets": ["DS-1", "DS-1"]}, "device_sets"),
    ],
)
def test_a_malformed_start_is_refused(
    ctx: Clock, known: list[str], extra: dict[str, Any], field: str
) -> None:
    runs = end_of_cycle(ctx, PHASE_ID)
    refused(runs, lambda: runs.start_end_of_cycle_run(1, known, **extra, **ctx()), field)


def test_a_command_for_the_other_kind_of_run_is_refused(ctx: Clock) -> None:
    runs = end_of_cycle(ctx, PHASE_ID)
    refused(runs, lambda: runs.start_regression_run(
        1, [], environment="SIT-A", codebase_version="R1", **ctx()), "kind")
    regression = CycleRuns.open(PHASE_ID, "sit", "moc", "regression", **ctx())
    refused(regression, lambda: regression.start_end_of_cycle_run(1, [], **ctx()), "kind")


# -- regression ----------------------------------------------------------------------------------

def test_moc_foc_regression_names_its_depth_and_breadth_document(ctx: Clock) -> None:
    runs = CycleRuns.open(PHASE_ID, "active_mmt", "foc", "regression", **ctx())
    start = runs.start_regression_run
    refused(runs, lambda: start(1, [], environment="MT-1", codebase_version="R5", **ctx()),
            "dnb_regression_version")
    refused(runs, lambda: start(1, [], environment="MT-1", codebase_version="R5",
                                dnb_regression_version="v2", dnb_regression_sha256="x", **ctx()),
            "dnb_regression_sha256")
    start(1, ["TI-9"], environment="MT-1", codebase_version="R5", dnb_regression_version="v2",
          dnb_regression_sha256=DNB, **ctx())
    assert (runs.runs[1].dnb_regression_version, runs.runs[1].dnb_regression_sha256) == ("v2", DNB)
    assert runs.collect_events()[1].clauses == ["7.4(d)", "7.6"]  # type: ignore[attr-defined]


def test_ioc_regression_runs_on_a_software_version_with_no_depth_and_breadth_document(ctx: Clock) -> None:
    runs = CycleRuns.open(PHASE_ID, "sit", "ioc", "regression", **ctx())
    refused(runs, lambda: runs.start_regression_run(
        1, [], environment="SIT-A", codebase_version="R1", dnb_regression_sha256=DNB, **ctx()),
        "dnb_regression_sha256")
    refused(runs, lambda: runs.start_regression_run(
        1, [], environment="SIT-A", codebase_version=" ", **ctx()), "codebase_version")
    for number in (1, 2, 3):  # regression is not limited to two runs
        runs.start_regression_run(number, [], environment="SIT-A", codebase_version="R1", **ctx())
        runs.end_run(number, planned_tests=10, executed=10, passed=10, **ctx())
    assert runs.runs[3].codebase_version == "R1"
    assert runs.collect_events()[1].clauses == ["7.4(b)", "7.5", "Table 13.1 #2B"]  # type: ignore[attr-defined]


# -- findings: exclusions (Table 13.1 #2A, #2B) --------------------------------------------------

def test_defects_known_at_the_start_may_be_excluded(ctx: Clock) -> None:
    known = issue(ctx, "TI-1")
    runs = end_of_cycle(ctx, PHASE_ID)
    one_run(runs, ctx, 1, ["TI-1"], ["TI-1"])
    assert list(unwarranted_exclusions(runs, [known])) == []


def test_a_new_defect_is_excluded_only_with_tag_or_sos_approval(ctx: Clock) -> None:
    runs = end_of_cycle(ctx, PHASE_ID)
    runs.start_end_of_cycle_run(1, [], **ctx())
    new = issue(ctx, "TI-7")
    runs.end_run(1, planned_tests=5, executed=5, passed=4, excluded_defects=["TI-7"], **ctx())
    [finding] = unwarranted_exclusions(runs, [new])
    assert finding.clause == "Table 13.1 #2A"
    assert "no exclusion proposed" in finding.what
    assert finding.event_ids == (runs.event_id(2), runs.event_id(3))

    scope = runs.run_id(1)
    new.propose_exclusion(EOC, scope, "cosmetic", ["tab", "tag", "panel"], **ctx())
    new.record_tag_exclusion_decision(EOC, scope, False, **ctx(on_behalf_of="tag", evidence_sha256=H2))
    [refusal] = unwarranted_exclusions(runs, [new])
    assert "tag_refused" in refusal.what
    assert len(refusal.event_ids) == 4  # the run's start and end, the proposal and TAG's refusal
    new.refer_exclusion_to_sos(EOC, scope, None, **ctx())
    new.record_sos_exclusion_determination(EOC, scope, True, **ctx(on_behalf_of="sos", evidence_sha256=H2))
    assert list(unwarranted_exclusions(runs, [new])) == []


def test_an_approval_for_another_run_does_not_cover_this_one(ctx: Clock) -> None:
    runs = end_of_cycle(ctx, PHASE_ID)
    one_run(runs, ctx, 1, [], [])
    runs.start_end_of_cycle_run(2, [], **ctx())
    new = issue(ctx, "TI-7")
    new.propose_exclusion(EOC, runs.run_id(1), "cosmetic", ["tab", "tag", "panel"], **ctx())
    new.record_tag_exclusion_decision(EOC, runs.run_id(1), True, **ctx(on_behalf_of="tag",
                                                                        evidence_sha256=H2))
    runs.end_run(2, planned_tests=5, executed=5, passed=4, excluded_defects=["TI-7"], **ctx())
    [finding] = unwarranted_exclusions(runs, [new])
    assert "defect TI-7" in finding.what
    assert "no exclusion proposed" in finding.what


def test_a_defect_listed_as_known_but_raised_after_the_start_is_new(ctx: Clock) -> None:
    runs = end_of_cycle(ctx, PHASE_ID)
    runs.start_end_of_cycle_run(1, ["TI-8"], **ctx())
    late = issue(ctx, "TI-8")
    runs.end_run(1, planned_tests=5, executed=5, passed=4, excluded_defects=["TI-8"], **ctx())
    assert [f.clause for f in unwarranted_exclusions(runs, [late])] == ["Table 13.1 #2A"]


def test_regression_excludes_only_defects_known_at_its_start(ctx: Clock) -> None:
    runs = CycleRuns.open(PHASE_ID, "sit", "ioc", "regression", **ctx())
    known = issue(ctx, "TI-1")
    runs.start_regression_run(1, ["TI-1"], environment="SIT-A", codebase_version="R1", **ctx())
    new = issue(ctx, "TI-2")
    runs.end_run(1, planned_tests=5, executed=5, passed=3, excluded_defects=["TI-1", "TI-2"], **ctx())
    [finding] = unwarranted_exclusions(runs, [known, new])
    assert finding.clause == "Table 13.1 #2B"
    assert "TI-2" in finding.what


# -- findings: two runs before exit (§7.4(c)) ----------------------------------------------------

def test_a_moc_sit_exit_proposed_after_one_end_of_cycle_run_is_flagged(ctx: Clock) -> None:
    phase = sit_phase(ctx)
    runs = end_of_cycle(ctx, str(phase.id))
    one_run(runs, ctx, 1, [], [])
    phase.propose_exit(**ctx())
    [finding] = too_few_end_of_cycle_runs(phase, [runs])
    assert finding.clause == "7.4(c)"
    assert "1 of the 2" in finding.what
    assert finding.event_ids == (phase.event_id(phase.exit_proposals[0]), runs.event_id(3))

    phase.direct_continuation(Role.PANEL, ["second end-of-cycle run"], **ctx())
    one_run(runs, ctx, 2, [], [])
    phase.propose_exit(**ctx())
    assert len(list(too_few_end_of_cycle_runs(phase, [runs]))) == 1  # only the first proposal


def test_a_moc_sit_exit_with_no_runs_at_all_is_flagged_and_other_phases_runs_do_not_count(
    ctx: Clock,
) -> None:
    phase = sit_phase(ctx)
    elsewhere = end_of_cycle(ctx, PHASE_ID)
    one_run(elsewhere, ctx, 1, [], [])
    one_run(elsewhere, ctx, 2, [], [])
    phase.propose_exit(**ctx())
    assert ["0 of the 2" in f.what for f in too_few_end_of_cycle_runs(phase, [elsewhere])] == [True]


def test_ioc_sit_needs_no_end_of_cycle_runs(ctx: Clock) -> None:
    phase = sit_phase(ctx, "ioc")
    phase.propose_exit(**ctx())
    assert list(too_few_end_of_cycle_runs(phase, [])) == []


def test_all_findings_of_a_phase_together(ctx: Clock) -> None:
    phase = sit_phase(ctx)
    runs = end_of_cycle(ctx, str(phase.id))
    one_run(runs, ctx, 1, [], ["TI-5"])
    phase.propose_exit(**ctx())
    assert sorted(f.clause for f in cycle_run_findings(phase, [runs], [])) == ["7.4(c)", "Table 13.1 #2A"]


# -- findings: device sets (§5.6) ----------------------------------------------------------------

def test_a_sit_end_of_cycle_device_set_must_have_been_through_mt_end_of_cycle(ctx: Clock) -> None:
    mt = end_of_cycle(ctx, str(uuid5(NAMESPACE_URL, "mt")), "active_mmt")
    mt.start_end_of_cycle_run(1, [], device_sets=["DS-1"], **ctx())
    sit = end_of_cycle(ctx, PHASE_ID)
    sit.start_end_of_cycle_run(1, [], device_sets=["DS-1"], **ctx())  # MT run not ended yet
    mt.end_run(1, planned_tests=2, executed=2, passed=2, **ctx())
    sit.end_run(1, planned_tests=2, executed=2, passed=2, **ctx())
    sit.start_end_of_cycle_run(2, [], device_sets=["DS-1"], **ctx())
    [finding] = device_sets_not_through_mt_end_of_cycle(sit, [mt])
    assert finding.clause == "5.6"
    assert finding.event_ids == (sit.event_id(2),)
    assert list(device_sets_not_through_mt_end_of_cycle(mt, [sit])) == []  # only SIT is checked
