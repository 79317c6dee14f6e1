"""The §20.32/§20.33 evaluation of DMCT testing (``projections.rules.dmct_completion``), with the A25
reading: unsuccessful iff (i) and (ii) and ((iii) or (iv)), or §20.33(b); and what the facts of an
entry built through its commands give it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ledger.dmct.values import CompletionOutcome, NotPossibleReason
from ledger.planned_test_values import TestResult
from ledger.rules.dmct_statuses import DmctStatus
from projections.dmct_fact_builders import dmct_completion_fact
from projections.rules.dmct_completion import (
    CompletionEvaluation,
    DmctCompletionFact,
    RecordedCompletion,
    TestRunSummary,
    evaluate,
    summarise_runs,
)
from projections.rules.verdicts import Verdict
from tests.unit.test_dmct_support import H1, Clock, entry_in

S, E, V = DmctStatus, CompletionEvaluation, Verdict
PASSED = (TestRunSummary("T1", 2, TestResult.PASS), TestRunSummary("T2", 1, TestResult.FAIL))
DONE = RecordedCompletion(CompletionOutcome.SUCCESSFUL, ("20.32",), None, "entry:9", True)
COMPLETED = DmctCompletionFact("E1", "DMC-1", S.COMPLETED_SUCCESSFUL_DRAFT_REPORT, True, 1, PASSED, ("I1",),
                               (), False, None, False, DONE)
PENDING = ("20.32(c)", "20.32(d)", "14.5")


def with_(**changes: object) -> DmctCompletionFact:
    return replace(COMPLETED, **changes)  # type: ignore[arg-type]


CASES = [
    # (fact, Table 20.1 verdict) -> evaluation, basis
    ("all met", COMPLETED, V.PASS, E.SUCCESSFUL, ("20.32",)),
    ("(iii) thresholds exceeded", COMPLETED, V.FAIL, E.UNSUCCESSFUL, ("20.33(a)(iii)",)),
    ("(iv) Panel: MT not completed", with_(mtad_route=True, panel_mt_completed=False), V.PASS, E.UNSUCCESSFUL,
     ("20.33(a)(iv)",)),
    ("(iii) and (iv)", with_(mtad_route=True, panel_mt_completed=False), V.FAIL, E.UNSUCCESSFUL,
     ("20.33(a)(iii)", "20.33(a)(iv)")),
    ("MTAD route, Panel completed", with_(mtad_route=True, panel_mt_completed=True), V.PASS, E.SUCCESSFUL,
     ("20.32",)),
    ("MTAD route, Panel not yet", with_(mtad_route=True), V.PASS, E.UNDETERMINED, PENDING),
    ("a dispute could change the count", COMPLETED, V.BLOCKED, E.UNDETERMINED, PENDING),
    ("(ii) an issue under resolution", with_(under_resolution=("I1",)), V.FAIL, E.NOT_COMPLETED, ("20.31",)),
    ("(i) a test's latest run not run", with_(tests=(TestRunSummary("T1", 1, TestResult.NOT_RUN),)), V.FAIL,
     E.NOT_COMPLETED, ("20.31",)),
    ("(i) the completion says not all executed",
     with_(recorded=replace(DONE, all_tests_executed=False)), V.PASS, E.NOT_COMPLETED, ("20.31",)),
    ("no completion recorded yet", with_(status=S.IN_TESTING, recorded=None), V.PASS, E.NOT_COMPLETED,
     ("20.31",)),
    ("testing continued after a completion", with_(status=S.IN_TESTING), V.PASS, E.NOT_COMPLETED, ("20.31",)),
    ("not started", with_(status=S.SCHEDULED, rounds=0, tests=(), recorded=None), V.PASS, E.NOT_COMPLETED,
     ("20.31",)),
    ("§20.33(b) blocking defect, SoS agrees", with_(blocking_defect_agreed=True, under_resolution=("I1",)),
     V.PASS, E.UNSUCCESSFUL, ("20.33(b)",)),
    ("§20.33(b) recorded", with_(recorded=replace(DONE, outcome=CompletionOutcome.UNSUCCESSFUL,
                                                   not_possible=NotPossibleReason.TESTS_NOT_EXECUTABLE)),
     V.PASS, E.UNSUCCESSFUL, ("20.33(b)",)),
    ("excluded for a firmware upgrade", with_(status=S.EXCLUDED_FIRMWARE_UPGRADE_REQUIRED, recorded=None),
     V.PASS, E.NOT_COMPLETED, ("20.25(a)",)),
    ("resting on equivalence", with_(status=S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT, tested=False),
     V.NOT_APPLICABLE, E.NOT_REQUIRED, ("20.6(d)", "20.41")),
    ("the dormant-only entry suffices", with_(status=S.NOT_TESTED_DORMANT_ENTRY_SUFFICES, tested=False),
     V.NOT_APPLICABLE, E.NOT_REQUIRED, ("20.9",)),
]


@pytest.mark.parametrize(("fact", "thresholds", "evaluation", "basis"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_the_outcome_follows_20_32_and_20_33_as_a25_reads_them(
    fact: DmctCompletionFact, thresholds: Verdict, evaluation: CompletionEvaluation, basis: tuple[str, ...]
) -> None:
    result = evaluate(fact, thresholds)
    assert (result.evaluation, result.basis) == (evaluation, basis)


def test_each_criterion_is_reported_with_its_clauses() -> None:
    result = evaluate(with_(mtad_route=True, panel_mt_completed=True), V.FAIL)
    assert [(c.criterion, c.verdict) for c in result.criteria] == [
        ("20.32(a)", V.PASS), ("20.32(b)", V.PASS), ("20.32(c)", V.PASS), ("20.32(d)", V.FAIL),
        ("20.33(b)", V.NOT_APPLICABLE)]
    assert result.criteria[0].fact_ids == ("T1", "T2")
    assert "20.33(a)(iii)" in result.criteria[3].clauses


def test_not_tested_entries_have_no_criterion_to_meet() -> None:
    result = evaluate(with_(status=S.NOT_TESTED_DORMANT_ENTRY_SUFFICES, tested=False), V.NOT_APPLICABLE)
    assert {c.verdict for c in result.criteria} == {V.NOT_APPLICABLE}


def test_the_evaluation_is_compared_with_the_final_outcome_where_there_is_one() -> None:
    unsuccessful = replace(DONE, outcome=CompletionOutcome.UNSUCCESSFUL, basis=("20.33(a)(iii)",))
    assert evaluate(with_(recorded=unsuccessful), V.FAIL).agrees_with_record is True
    assert evaluate(with_(recorded=unsuccessful), V.PASS).agrees_with_record is False
    # the SoS determined it successful (§20.40(b)) and the count now passes: they agree
    final = with_(recorded=unsuccessful, final=CompletionOutcome.SUCCESSFUL, status=S.FINAL_SUCCESSFUL)
    assert evaluate(final, V.PASS).agrees_with_record is True
    assert evaluate(with_(status=S.IN_TESTING, recorded=None), V.PASS).agrees_with_record is None


def test_runs_are_summarised_per_test_latest_result_last() -> None:
    runs = [("T1", 1, TestResult.FAIL), ("T2", 1, TestResult.PASS), ("T1", 2, TestResult.PASS)]
    assert summarise_runs(runs) == (TestRunSummary("T1", 2, TestResult.PASS),
                                    TestRunSummary("T2", 1, TestResult.PASS))


def test_an_entry_built_through_its_commands_gives_its_facts() -> None:
    ctx = Clock()
    entry = entry_in(S.COMPLETED_UNSUCCESSFUL_DRAFT_REPORT, ctx)  # T1 passed; thresholds exceeded
    fact = dmct_completion_fact(entry)
    assert (fact.tested, fact.rounds, fact.tests, fact.final) == (
        True, 1, (TestRunSummary("T1", 1, TestResult.PASS),), None)
    assert fact.recorded is not None
    assert (fact.recorded.outcome, fact.recorded.basis, fact.recorded.event_id) == (
        CompletionOutcome.UNSUCCESSFUL, ("20.33(a)(iii)",), entry.event_id(entry.completion.version))  # type: ignore[union-attr]
    assert evaluate(fact, V.FAIL).agrees_with_record is True
    final = dmct_completion_fact(entry_in(S.FINAL_SUCCESSFUL, Clock()))
    assert final.final is CompletionOutcome.SUCCESSFUL
    testing = entry_in(S.IN_TESTING, Clock())
    testing.record_execution("T1", 1, "not_run", H1, **Clock()())
    assert dmct_completion_fact(testing).tests == (TestRunSummary("T1", 1, TestResult.NOT_RUN),)
    assert dmct_completion_fact(entry_in(S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT, Clock())).tested is False
