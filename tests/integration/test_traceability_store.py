"""Requirements, test scenarios and planned tests saved through AKLedger (SQLite and PostgreSQL)
read back the same: their payloads are signable JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.context import RecordingContext
from ledger.planned_test_values import TestResult
from ledger.planned_tests import PlannedTest
from ledger.requirements import Requirement
from ledger.test_scenarios import TestScenario

H1, H2, H3 = "d4" * 32, "e5" * 32, "f6" * 32


def test_requirement_scenario_and_planned_test_round_trip(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    at = datetime(2026, 1, 5, 9, tzinfo=UTC)

    def ctx(behalf: str | None = None) -> dict[str, Any]:
        nonlocal at
        at += timedelta(hours=1)
        return RecordingContext(actor, at, (), behalf, H3 if behalf else None).fields()

    req = Requirement.record("F", "2.1", "v1", title="Meter read", **ctx())
    req.supersede("v2", **ctx())
    scenario = TestScenario.identify("SC-1", [str(req.id)], **ctx())
    test = PlannedTest.plan(str(uuid4()), "sit", "SIT-1", "functional", source_document_sha256=H1,
                            functional_group="Reads", dmc="DMC-1", scenario_ids=[str(scenario.id)], **ctx())
    test.record_execution(1, "fail", reason="TI-4", environment="SIT-A", codebase_version="R1",
                          executed_at="2026-01-05T12:00:00+00:00", run_evidence_sha256=H2,
                          executed_by=["t1"], **ctx())
    test.witness(1, "obs", deviation_from_script=False, observer_involved=False, **ctx())
    test.propose_descope("exceptional", **ctx())
    test.decide_descope_by_tab(True, **ctx("tab"))
    test.decide_descope_by_sos(True, **ctx("sos"))
    test.apply_descope(**ctx())
    ledger.save(req, scenario, test)

    got_req: Any = ledger.repository.get(req.id)
    got_scenario: Any = ledger.repository.get(scenario.id)
    got: Any = ledger.repository.get(test.id)
    assert got_req.superseded_by == req.superseded_by
    assert got_req.version == 2
    assert got_scenario.requirement_ids == [str(req.id)]
    assert got.executions == test.executions
    assert got.executions[0].result is TestResult.FAIL
    assert got.witnessings == test.witnessings
    assert got.descope_acts == test.descope_acts
    assert got.is_descoped
    assert got.version == test.version == 7
