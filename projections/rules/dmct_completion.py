"""Whether DMCT testing of a planned EPCL entry has completed, and how (§20.31-20.33, A25).

§20.32: completed and successful when (a) all DMCT Process tests related to the entry have been
executed, (b) all Testing Issues raised in its testing have been through §20.20-20.27, (c) on the
MTAD route (§20.14) the Panel has determined the Migration Test Phase completed, and (d) the extant
Testing Issues do not exceed Table 20.1 (§20.28). §20.33: completed and unsuccessful (a) when (i)
and (ii) hold and (iii) the thresholds are exceeded or (iv) the Panel determined the MTAD phase not
completed -- read, as domain/README.md decides A25, (i) and (ii) and ((iii) or (iv)) -- or (b) when
not every test could be executed after §20.20-20.27, MTAD Migration Testing cannot be completed,
or a blocking defect arose and the SoS agreed testing should not continue (A26).

``evaluate`` applies that to an entry's ``DmctCompletionFact`` (what its events recorded) and the
Table 20.1 verdict of its counts (``projections.rules.thresholds``), as of whatever position they
were read at. Each criterion is a ``CriterionResult`` (PASS/FAIL; BLOCKED or NOT_EVIDENCED when
the thresholds cannot yet be told; NOT_APPLICABLE: (c) off the MTAD route). The recorded
completion (the DCC's ``complete_testing``) is reported beside the evaluation, and whether they
agree: the ledger records what the DCC did; the evaluation says what the record supports.

What "all DMCT Process tests" are is in the test packs' documents (a SHA-256, not data here), so
(a) rests on the DCC's completion recording every test executed, checked against the runs
recorded (each test's latest run executed, passed or failed, not "not run"): before a completion,
or while testing goes on after one (§20.38(c), §20.40(c)(ii)), it is not evidenced and testing
has not completed. An entry whose testing ended otherwise (§20.19, §20.25) has not completed
either; one not tested (§20.6(d), §20.9, §20.12A) needs no evaluation. The comparison is with
the final outcome where the report became final (§20.39, §20.40), else with the DCC's completion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from ledger.dmct.values import CompletionOutcome, NotPossibleReason
from ledger.planned_test_values import TestResult
from ledger.rules.dmct_statuses import DmctStatus
from projections.rules.verdicts import CriterionResult, Verdict


class CompletionEvaluation(StrEnum):
    """What the record supports: §20.32 successful, §20.33 unsuccessful, testing not (yet)
    completed, completed but the outcome still turns on a pending determination (the Panel's,
    §20.32(c); a severity dispute or count, §14.5), or no testing required (§20.6(d), §20.9)."""

    SUCCESSFUL = "successful"
    UNSUCCESSFUL = "unsuccessful"
    NOT_COMPLETED = "not_completed"
    UNDETERMINED = "undetermined"
    NOT_REQUIRED = "not_required"


@dataclass(frozen=True)
class TestRunSummary:
    """One test of the entry's packs: how many runs, and the latest result (§20.34(b)(c))."""

    __test__ = False  # not a pytest test class

    test_id: str
    runs: int
    latest: TestResult


@dataclass(frozen=True)
class RecordedCompletion:
    """The DCC's latest ``complete_testing`` (§20.31): its outcome, the sub-clauses it rests on,
    its §20.33(b) reason if any, and the event that recorded it."""

    outcome: CompletionOutcome
    basis: tuple[str, ...]
    not_possible: NotPossibleReason | None
    event_id: str
    all_tests_executed: bool = True


@dataclass(frozen=True)
class DmctCompletionFact:
    """What a planned EPCL entry's events say about its testing: ``tested``: planned for testing
    (scheduled, not resting on equivalence or a dormant-only entry); the rounds started, the runs,
    the issues under §20.20-20.27, the MTAD route and the Panel's determination (None: none yet),
    the SoS's agreement to stop for a blocking defect, and the recorded completion."""

    entry_id: str
    dmc_id: str
    status: DmctStatus
    tested: bool
    rounds: int
    tests: tuple[TestRunSummary, ...]
    issue_ids: tuple[str, ...]
    under_resolution: tuple[str, ...]
    mtad_route: bool
    panel_mt_completed: bool | None
    blocking_defect_agreed: bool
    recorded: RecordedCompletion | None = None
    final: CompletionOutcome | None = None

    @property
    def testing_open(self) -> bool:
        """Scheduled or testing (again): a completion recorded before is not this round's."""
        return self.status in _OPEN

    @property
    def ended(self) -> bool:
        """Testing ended without completing: excluded for a device change or relieved (§20.19, §20.25)."""
        return self.status in _ENDED


@dataclass(frozen=True)
class CompletionResult:
    """The evaluation of one entry: its outcome, the sub-clauses it rests on, each criterion, and
    the recorded completion with whether it agrees (None: nothing to compare)."""

    entry_id: str
    dmc_id: str
    status: DmctStatus
    evaluation: CompletionEvaluation
    basis: tuple[str, ...]
    criteria: tuple[CriterionResult, ...]
    thresholds: Verdict
    recorded: RecordedCompletion | None
    final: CompletionOutcome | None
    agrees_with_record: bool | None


_MET = {True: Verdict.PASS, False: Verdict.FAIL}
_S = DmctStatus
_OPEN = (_S.SCHEDULED, _S.AWAITING_MT_UNDER_MTAD, _S.IN_TESTING, _S.PAUSED, _S.TESTING_ISSUE_UNDER_RESOLUTION)
_ENDED = (_S.EXCLUDED_FIRMWARE_UPGRADE_REQUIRED, _S.EXCLUDED_PENDING_CONFIG_EVIDENCE,
          _S.EXCLUDED_NEW_FW_DMC_PENDING_CONFIG_EVIDENCE, _S.RELIEVED_INSUFFICIENT_DEVICES)
_COMPLETED = (CompletionEvaluation.SUCCESSFUL, CompletionEvaluation.UNSUCCESSFUL)
Outcome = tuple[CompletionEvaluation, tuple[str, ...]]


def evaluate(fact: DmctCompletionFact, thresholds: Verdict) -> CompletionResult:
    """The §20.32/§20.33 evaluation of ``fact`` given the Table 20.1 verdict of its counts."""
    criteria = _criteria(fact, thresholds)
    evaluation, basis = _outcome(fact, {c.criterion: c.verdict for c in criteria})
    held = fact.final or (None if fact.recorded is None or fact.testing_open else fact.recorded.outcome)
    agrees = held.value == evaluation.value if held is not None and evaluation in _COMPLETED else None
    return CompletionResult(fact.entry_id, fact.dmc_id, fact.status, evaluation, basis, criteria, thresholds,
                            fact.recorded, fact.final, agrees)


def _criteria(fact: DmctCompletionFact, thresholds: Verdict) -> tuple[CriterionResult, ...]:
    found = (_executed(fact), _issues(fact), _mtad(fact), _thresholds(thresholds), _not_possible(fact))
    if fact.tested:
        return found
    return tuple(replace(c, verdict=Verdict.NOT_APPLICABLE, detail=f"not tested: {fact.status.label}")
                 for c in found)


def _executed(fact: DmctCompletionFact) -> CriterionResult:
    not_run = [t.test_id for t in fact.tests if t.latest is TestResult.NOT_RUN]
    failed = sum(1 for t in fact.tests if t.latest is TestResult.FAIL)
    runs = (f"{len(fact.tests)} tests run, latest: {len(fact.tests) - failed - len(not_run)} passed, "
            f"{failed} failed" + (f", not run: {', '.join(not_run)}" if not_run else ""))
    claim = None if fact.recorded is None or fact.testing_open else fact.recorded
    if not fact.rounds or not fact.tests:
        verdict = Verdict.FAIL
        detail = "testing has not started" if not fact.rounds else "no test run is recorded"
    elif claim is None:
        verdict, detail = Verdict.NOT_EVIDENCED, f"{runs}; no completion records every test executed"
    else:
        verdict = _MET[claim.all_tests_executed and not not_run]
        said = "every test executed" if claim.all_tests_executed else "not every test executed"
        detail = f"{runs}; the completion ({claim.event_id}) records {said}"
    return CriterionResult("20.32(a)", "all DMCT Process tests executed", verdict,
                           ("20.32(a)", "20.33(a)(i)"), tuple(t.test_id for t in fact.tests), detail)


def _issues(fact: DmctCompletionFact) -> CriterionResult:
    pending = fact.under_resolution
    detail = (f"still under §20.20-20.27: {', '.join(pending)}" if pending
              else f"{len(fact.issue_ids)} DMCT Testing Issues recorded, none under resolution")
    return CriterionResult("20.32(b)", "Testing Issues through §20.20-20.27", _MET[not pending],
                           ("20.32(b)", "20.33(a)(ii)"), fact.issue_ids, detail)


def _mtad(fact: DmctCompletionFact) -> CriterionResult:
    if not fact.mtad_route:
        verdict, detail = Verdict.NOT_APPLICABLE, "no Migration Testing under the MTAD (§20.14)"
    elif fact.panel_mt_completed is None:
        verdict, detail = Verdict.NOT_EVIDENCED, "the Panel has not determined the MTAD phase (A27)"
    else:
        verdict = _MET[fact.panel_mt_completed]
        detail = f"the Panel determined the MTAD phase {'' if fact.panel_mt_completed else 'not '}completed"
    return CriterionResult("20.32(c)", "MTAD Migration Test Phase completed (Panel)", verdict,
                           ("20.32(c)", "20.33(a)(iv)", "20.14"), (), detail)


def _thresholds(verdict: Verdict) -> CriterionResult:
    detail = {Verdict.PASS: "extant Testing Issues within Table 20.1 (entry and aggregate)",
              Verdict.FAIL: "extant Testing Issues exceed Table 20.1"}.get(
        verdict, f"Table 20.1 is {verdict.value}: a pending determination decides it (§14.5)")
    return CriterionResult("20.32(d)", "Table 20.1 not exceeded", verdict,
                           ("20.32(d)", "20.33(a)(iii)", "20.28"), (), detail)


def _not_possible(fact: DmctCompletionFact) -> CriterionResult:
    reason = None if fact.recorded is None else fact.recorded.not_possible
    if fact.blocking_defect_agreed and reason is None:
        reason = NotPossibleReason.BLOCKING_DEFECT
    detail = "no §20.33(b) reason recorded" if reason is None else f"§20.33(b): {reason.value}"
    return CriterionResult("20.33(b)", "testing not possible to complete", Verdict.NOT_APPLICABLE
                           if reason is None else Verdict.FAIL, ("20.33(b)", "A26"), (), detail)


def _outcome(fact: DmctCompletionFact, verdicts: dict[str, Verdict]) -> Outcome:
    if not fact.tested:
        dormant = fact.status is _S.NOT_TESTED_DORMANT_ENTRY_SUFFICES
        return CompletionEvaluation.NOT_REQUIRED, ("20.9",) if dormant else ("20.6(d)", "20.41")
    if verdicts["20.33(b)"] is Verdict.FAIL:
        return CompletionEvaluation.UNSUCCESSFUL, ("20.33(b)",)
    if fact.ended:
        return CompletionEvaluation.NOT_COMPLETED, fact.status.clauses
    if verdicts["20.32(a)"] is not Verdict.PASS or verdicts["20.32(b)"] is not Verdict.PASS:
        return CompletionEvaluation.NOT_COMPLETED, ("20.31",)
    exceeded, mt_failed = verdicts["20.32(d)"] is Verdict.FAIL, verdicts["20.32(c)"] is Verdict.FAIL
    if exceeded or mt_failed:  # A25: (i) and (ii) and ((iii) or (iv))
        return CompletionEvaluation.UNSUCCESSFUL, (
            ("20.33(a)(iii)",) if exceeded else ()) + (("20.33(a)(iv)",) if mt_failed else ())
    mt_met = verdicts["20.32(c)"] in (Verdict.PASS, Verdict.NOT_APPLICABLE)
    if verdicts["20.32(d)"] is Verdict.PASS and mt_met:
        return CompletionEvaluation.SUCCESSFUL, ("20.32",)
    return CompletionEvaluation.UNDETERMINED, ("20.32(c)", "20.32(d)", "14.5")


def summarise_runs(runs: Sequence[tuple[str, int, TestResult]]) -> tuple[TestRunSummary, ...]:
    """Per test, in order of first run: the number of runs and the latest result, from
    ``(test_id, run, result)`` in the order recorded."""
    found: dict[str, TestRunSummary] = {}
    for test_id, run, result in runs:
        before = found[test_id].runs if test_id in found else 0
        found[test_id] = TestRunSummary(test_id, max(run, before), result)
    return tuple(found.values())


__all__ = [
    "CompletionEvaluation",
    "CompletionResult",
    "DmctCompletionFact",
    "RecordedCompletion",
    "TestRunSummary",
    "evaluate",
    "summarise_runs",
]
