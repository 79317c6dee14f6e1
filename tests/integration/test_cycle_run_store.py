"""End-of-cycle and regression runs saved through AKLedger (SQLite and PostgreSQL) read back the
same, findings included: their payloads are signable JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.context import RecordingContext
from ledger.cycle_runs import CycleRuns
from ledger.findings.cycle_runs import unwarranted_exclusions
from ledger.testing_issue_values import ExclusionKind
from ledger.testing_issues import TestingIssue

DNB, H2 = "d4" * 32, "e5" * 32
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def contexts(actor: Actor) -> Any:
    at = START
    while True:
        at += timedelta(hours=1)
        yield RecordingContext(actor, at).fields()


def test_end_of_cycle_runs_round_trip_with_their_findings(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    ctx = contexts(actor)
    runs = CycleRuns.open(str(uuid4()), "sit", "moc", "end_of_cycle", **next(ctx))
    runs.start_end_of_cycle_run(1, ["TI-1"], environment="SIT-A", codebase_version="R4.2",
                                device_sets=["DS-1", "DS-2"], **next(ctx))
    new = TestingIssue.raise_issue(
        "TI-7", "tariff not applied", "phase", dmc_ids=["DMC-1"], epcl_entry_ids=[],
        service_providers=[], cause="dcc_total_system", environment="test", raised_by="dcc",
        security_impact=False, **next(ctx),
    )
    runs.end_run(1, planned_tests=40, executed=40, passed=38, excluded_defects=["TI-1", "TI-7"],
                 execution_ids=[f"{uuid4()}:2"], results_sha256=H2, **next(ctx))
    new.propose_exclusion(ExclusionKind.END_OF_CYCLE, runs.run_id(1), "cosmetic", ["tab", "tag", "panel"],
                          **next(ctx))
    runs.start_end_of_cycle_run(2, ["TI-1", "TI-7"], **next(ctx))
    ledger.save(runs, new)

    loaded: object = ledger.repository.get(runs.id)
    issue: object = ledger.repository.get(new.id)
    assert isinstance(loaded, CycleRuns)
    assert isinstance(issue, TestingIssue)
    assert loaded.version == runs.version == 4
    assert loaded.runs == runs.runs
    assert loaded.run_id(1) == runs.run_id(1)
    assert list(unwarranted_exclusions(loaded, [issue])) == list(unwarranted_exclusions(runs, [new]))
    assert [f.clause for f in unwarranted_exclusions(loaded, [issue])] == ["Table 13.1 #2A"]


def test_a_regression_run_round_trips_with_its_depth_and_breadth_document(
    ledger: AKLedger, actor: Actor
) -> None:
    ledger.load_signer()
    ctx = contexts(actor)
    runs = CycleRuns.open(str(uuid4()), "mixed_mmt", "foc", "regression", **next(ctx))
    runs.start_regression_run(1, [], environment="MT-2", codebase_version="R5.0",
                              dnb_regression_version="v3", dnb_regression_sha256=DNB, **next(ctx))
    runs.end_run(1, planned_tests=12, executed=12, passed=12, **next(ctx))
    ledger.save(runs)

    loaded: object = ledger.repository.get(runs.id)
    assert isinstance(loaded, CycleRuns)
    assert loaded.runs == runs.runs
    assert loaded.runs[1].dnb_regression_sha256 == DNB
    assert [run.run_number for run, _ in loaded.ended_runs] == [1]
