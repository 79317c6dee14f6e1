"""Planned tests: executions, witnessing (§13.14-13.15) and de-scoping (§12.9(a)), in memory."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from ledger.actors import Actor
from ledger.context import RecordingContext
from ledger.errors import InvalidTraceabilityEventError
from ledger.findings.executions import execution_findings
from ledger.planned_test_values import TestKind, TestResult
from ledger.planned_tests import PlannedTest

DCC = Actor(principal="dcc-tm", role="dcc", organisation="DCC")
SOURCE, EVIDENCE = "ab" * 32, "cd" * 32
AT = "2026-02-03T10:00:00+00:00"


def ctx(on_behalf_of: str | None = None) -> dict[str, Any]:
    evidence = EVIDENCE if on_behalf_of else None
    return RecordingContext(DCC, datetime(2026, 2, 2, 10, tzinfo=UTC), (), on_behalf_of, evidence).fields()


def planned(phase_kind: str = "sit", **overrides: Any) -> PlannedTest:
    args: dict[str, Any] = {
        "source_document_sha256": SOURCE, "functional_group": "Install & Commission",
        "dmc": "DMC-7", "scenario_ids": [str(uuid4())],
    }
    return PlannedTest.plan(
        str(uuid4()), phase_kind, "SIT-FUN-001", "functional", **{**args, **overrides}, **ctx()
    )


def run(test: PlannedTest, number: int, result: str = "pass", **overrides: Any) -> None:
    args: dict[str, Any] = {
        "environment": "SIT-A", "codebase_version": "R2.1", "executed_at": AT,
        "run_evidence_sha256": EVIDENCE, "reason": None if result == "pass" else "defect TI-9",
    }
    test.record_execution(number, result, **{**args, **overrides}, **ctx())


def test_a_planned_test_carries_its_traceability() -> None:
    test = planned()
    assert test.kind is TestKind.FUNCTIONAL
    assert test.functional_group == "Install & Commission"
    assert test.id == PlannedTest.create_id(test.phase_id, "SIT-FUN-001")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"source_document_sha256": "AB" * 32}, "source_document_sha256"),
        ({"functional_group": None}, "functional_group"),
        ({"scenario_ids": ["sc-1"]}, "scenario_ids"),
    ],
)
def test_a_malformed_plan_is_refused_naming_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidTraceabilityEventError) as caught:
        planned(**overrides)
    assert caught.value.field == field


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidTraceabilityEventError) as caught:
        PlannedTest.plan(str(uuid4()), "sit", "T-1", "smoke", source_document_sha256=SOURCE, **ctx())
    assert caught.value.field == "kind"


def test_a_regression_test_needs_no_functional_group() -> None:
    test = PlannedTest.plan(
        str(uuid4()), "sit", "T-2", "regression", source_document_sha256=SOURCE, **ctx()
    )
    assert test.kind is TestKind.REGRESSION
    assert test.functional_group is None


def test_runs_are_recorded_and_the_latest_is_the_result() -> None:
    test = planned()
    run(test, 1, "fail")
    run(test, 2, "pass")
    latest = test.latest_execution
    assert latest is not None
    assert latest.result is TestResult.PASS
    assert latest.run_number == 2
    assert test.executions[0].reason == "defect TI-9"


@pytest.mark.parametrize(
    ("number", "result", "overrides", "field"),
    [
        (1, "passed", {}, "result"),
        (1, "fail", {"reason": None}, "reason"),
        (1, "not_run", {"reason": " "}, "reason"),
        (1, "pass", {"run_evidence_sha256": "123"}, "run_evidence_sha256"),
        (1, "pass", {"executed_at": "2026-02-03T10:00:00"}, "executed_at"),
        (1, "pass", {"environment": ""}, "environment"),
        (0, "pass", {}, "run_number"),
    ],
)
def test_a_malformed_execution_is_refused_and_nothing_is_recorded(
    number: int, result: str, overrides: dict[str, Any], field: str
) -> None:
    test = planned()
    with pytest.raises(InvalidTraceabilityEventError) as caught:
        run(test, number, result, **overrides)
    assert caught.value.field == field
    assert test.executions == []
    assert len(test.collect_events()) == 1


def test_a_run_number_must_increase() -> None:
    test = planned()
    run(test, 2)
    with pytest.raises(InvalidTraceabilityEventError, match="run 2 is not after run 2"):
        run(test, 2)


def test_witnessing_a_run_that_was_not_recorded_is_refused() -> None:
    test = planned()
    with pytest.raises(InvalidTraceabilityEventError) as caught:
        test.witness(1, "obs-1", deviation_from_script=False, observer_involved=False, **ctx())
    assert caught.value.field == "run_number"


def test_clean_witnessing_yields_no_finding() -> None:
    test = planned()
    run(test, 1)
    test.witness(1, "obs-1", deviation_from_script=False, observer_involved=False, **ctx())
    assert [w.observer for w in test.witnessings] == ["obs-1"]
    assert list(execution_findings([test])) == []


def test_a_deviation_and_an_involved_observer_are_recorded_and_flagged() -> None:
    test = planned()
    run(test, 1, executed_by=["tester-a", "obs-2"])
    test.witness(1, "obs-1", deviation_from_script=True, observer_involved=False, **ctx())
    test.witness(1, "obs-2", deviation_from_script=False, observer_involved=False, **ctx())
    assert sorted(f.clause for f in execution_findings([test])) == ["13.15(a)", "13.15(b)"]
    assert all(f.event_ids[0] == f"{test.id}:2" for f in execution_findings([test]))


def test_the_same_observer_cannot_witness_a_run_twice() -> None:
    test = planned()
    run(test, 1)
    test.witness(1, "obs-1", deviation_from_script=False, observer_involved=False, **ctx())
    with pytest.raises(InvalidTraceabilityEventError, match="already witnessed"):
        test.witness(1, "obs-1", deviation_from_script=False, observer_involved=False, **ctx())


def test_decisions_without_a_proposal_are_refused() -> None:
    test = planned()
    with pytest.raises(InvalidTraceabilityEventError, match="no de-scope proposal"):
        test.decide_descope_by_tab(True, **ctx("tab"))
    with pytest.raises(InvalidTraceabilityEventError, match="no de-scope proposal"):
        test.decide_descope_by_sos(True, **ctx("sos"))


def test_a_sit_test_is_descoped_only_when_the_sos_approves() -> None:
    test = planned("sit")
    test.propose_descope("device unobtainable", **ctx())
    test.decide_descope_by_tab(True, **ctx("tab"))
    assert not test.is_descoped
    test.decide_descope_by_sos(True, **ctx("sos"))
    assert test.is_descoped


def test_the_sos_may_approve_a_sit_descope_the_tab_recommended_against() -> None:
    test = planned("sit")
    test.propose_descope("device unobtainable", **ctx())
    test.decide_descope_by_tab(False, **ctx("tab"))
    test.decide_descope_by_sos(True, **ctx("sos"))
    assert test.is_descoped


def test_a_pit_test_is_descoped_by_the_tab_and_the_sos_has_no_say() -> None:
    test = planned("pit")
    test.propose_descope("stub retired", **ctx())
    test.decide_descope_by_tab(True, **ctx("tab"))
    assert test.is_descoped
    with pytest.raises(InvalidTraceabilityEventError) as caught:
        test.decide_descope_by_sos(False, **ctx("sos"))
    assert caught.value.field == "phase_kind"


def test_a_tab_decision_recorded_on_another_bodys_behalf_is_refused() -> None:
    test = planned("pit")
    test.propose_descope("stub retired", **ctx())
    with pytest.raises(InvalidTraceabilityEventError) as caught:
        test.decide_descope_by_tab(True, **ctx("sos"))
    assert caught.value.field == "on_behalf_of"


def test_a_second_proposal_waits_for_the_first_to_be_decided() -> None:
    test = planned("sit")
    test.propose_descope("first", **ctx())
    test.decide_descope_by_tab(True, **ctx("tab"))
    with pytest.raises(InvalidTraceabilityEventError, match="proposal 1 is still undecided"):
        test.propose_descope("second", **ctx())
    test.decide_descope_by_sos(False, **ctx("sos"))
    test.propose_descope("second", **ctx())
    assert test.proposal == 2
    assert not test.is_descoped


def test_a_sit_descope_applied_with_only_tab_approval_is_recorded_and_flagged() -> None:
    test = planned("sit")
    test.propose_descope("device unobtainable", **ctx())
    test.decide_descope_by_tab(True, **ctx("tab"))
    test.apply_descope(**ctx())
    findings = list(execution_findings([test]))
    assert [f.clause for f in findings] == ["12.9(a)"]
    assert "without SoS approval" in findings[0].what
    assert findings[0].event_ids == (f"{test.id}:4",)


def test_a_sit_descope_applied_after_sos_approval_is_not_flagged() -> None:
    test = planned("sit")
    test.propose_descope("device unobtainable", **ctx())
    test.decide_descope_by_tab(True, **ctx("tab"))
    test.decide_descope_by_sos(True, **ctx("sos"))
    test.apply_descope(**ctx())
    assert list(execution_findings([test])) == []


def test_an_sos_decision_before_the_tab_recommendation_is_recorded_and_flagged() -> None:
    test = planned("sit")
    test.propose_descope("device unobtainable", **ctx())
    test.decide_descope_by_sos(True, **ctx("sos"))
    assert test.is_descoped
    assert ["before any TAB recommendation" in f.what for f in execution_findings([test])] == [True]
