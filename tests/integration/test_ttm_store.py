"""A Test Traceability Matrix saved through AKLedger (SQLite and PostgreSQL) reads back the same,
findings included: its payloads are signable JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.context import RecordingContext
from ledger.findings.ttm import ttm_findings
from ledger.requirements import Requirement
from ledger.test_scenarios import TestScenario
from ledger.ttm import Ttm
from ledger.ttm_values import TtmReport

H1, H2, H3 = "d4" * 32, "e5" * 32, "f6" * 32


def test_a_ttm_round_trips_with_its_versions_assurance_and_findings(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()

    def on(day: date) -> dict[str, Any]:
        return RecordingContext(actor, datetime(day.year, day.month, day.day, 12, tzinfo=UTC)).fields()

    req = Requirement.record("F", "2.1", "B1", **on(date(2026, 1, 5)))
    scenario = TestScenario.identify("SC-1", [str(req.id)], **on(date(2026, 1, 5)))
    ttm = Ttm.produce("SIT-MOC-EPCL-7", "moc", "B1", **on(date(2026, 1, 5)))
    ttm.publish_version("1.0", "B1", H1, [str(req.id)], [str(scenario.id)], **on(date(2026, 1, 6)))
    ttm.record_sit_commenced(date(2026, 2, 2), **on(date(2026, 2, 2)))
    ttm.assure("1.0", date(2026, 2, 3), H2, **on(date(2026, 2, 3)))  # after SIT commenced: flagged
    ttm.record_baseline_change("B2", ["F", "H"], date(2026, 3, 2), **on(date(2026, 3, 2)))
    ttm.record_use_in_report("1.0", TtmReport.SIT_PROGRESS, H3, **on(date(2026, 3, 3)))
    appended = ledger.append(req, scenario, ttm)
    assert [(a.originator_id, a.version) for a in appended][-6:] == [(ttm.id, v) for v in range(1, 7)]

    loaded: object = ledger.repository.get(Ttm.create_id("SIT-MOC-EPCL-7"))
    assert isinstance(loaded, Ttm)
    assert loaded.version == ttm.version == 6
    assert loaded.versions == ttm.versions
    assert loaded.versions["1.0"].assured_on == date(2026, 2, 3)
    assert loaded.baseline_changes == ttm.baseline_changes
    assert loaded.report_uses == ttm.report_uses
    assert loaded.sit_commenced_on == date(2026, 2, 2)
    found = ttm_findings(loaded, [req], [scenario])
    assert found == ttm_findings(ttm, [req], [scenario])
    assert [f.clause for f in found] == ["11.2", "11.2"]  # assured late; B2 not reflected
