"""A Testing Issue's whole life is signable JSON: saved and read back on SQLite and PostgreSQL,
and a closure stored as version 1 is read as version 2 (issue 3, item 10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.context import RecordingContext
from ledger.testing_issue_values import CountingBasis, ExclusionKind, ExclusionStatus
from ledger.testing_issues import TestingIssue, TestingIssueClosed
from signing.entry import SealedEvent

HASH = "5e" * 32
START = datetime(2025, 3, 3, 9, tzinfo=UTC)


def fields(actor: Actor, day: int, on_behalf_of: str | None = None) -> dict[str, Any]:
    evidence = HASH if on_behalf_of else None
    when = START + timedelta(days=day)
    return RecordingContext(actor, when, ("13.25",), on_behalf_of, evidence).fields()


def raised(actor: Actor) -> TestingIssue:
    return TestingIssue.raise_issue(
        "TI-0007", "Alert 8F84 not delivered for DMC-2", "SIT-MOC-EPCL-2", dmc_ids=["DMC-2"],
        epcl_entry_ids=["EPCL-2-D"], service_providers=[], cause="dcc_total_system",
        environment="test", raised_by="dcc", security_impact=True, **fields(actor, 0),
    )


def stored_fields(ledger: AKLedger, issue: TestingIssue) -> list[dict[str, Any]]:
    """Each stored event's payload, as sealed (field name -> value)."""
    return [
        {name: value for name, (_, value) in SealedEvent.from_state(stored.state).fields.items()}
        for stored in ledger.recorder.select_events(issue.id)
    ]


def test_a_testing_issue_round_trips_through_the_signed_store(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    issue = raised(actor)
    issue.determine_severity(3, **fields(actor, 1))
    issue.refer_severity_dispute("supplier-3", 2, ["SIT-MOC-EPCL-2"], **fields(actor, 2))
    issue.withdraw_severity_dispute("referred in error", **fields(actor, 2))
    issue.refer_severity_dispute("supplier-3", 2, ["SIT-MOC-EPCL-2"], **fields(actor, 2))
    issue.record_tag_severity_determination(2, **fields(actor, 3, "tag"))
    issue.propose_exclusion("threshold", "SIT-MOC-EPCL-2", "stub fault", ["tab", "tag", "panel"],
                            **fields(actor, 4))
    issue.record_tag_exclusion_decision("threshold", "SIT-MOC-EPCL-2", False, **fields(actor, 5, "tag"))
    issue.refer_exclusion_to_sos("threshold", "SIT-MOC-EPCL-2", "complete_sit_or_mt", **fields(actor, 6))
    issue.record_sos_exclusion_determination("threshold", "SIT-MOC-EPCL-2", True, **fields(actor, 9, "sos"))
    issue.present_for_interface_testing("UTS-IOC", "c", **fields(actor, 10))
    issue.record_tag_counting_decision("interface_testing", "UTS-IOC", True, 2, **fields(actor, 11, "tag"))
    issue.refer_counting_to_sos("interface_testing", "UTS-IOC", **fields(actor, 12))
    issue.record_sos_counting_determination("interface_testing", "UTS-IOC", False, 2,
                                            **fields(actor, 13, "sos"))
    issue.close("fixed in release 2.1", ["EX-55"], **fields(actor, 14))
    issue.reopen("regressed in release 2.2", **fields(actor, 15))
    ledger.save(issue)

    read: object = ledger.repository.get(TestingIssue.create_id("TI-0007"))
    assert isinstance(read, TestingIssue)
    assert read.version == issue.version == 16
    assert (read.effective_severity, read.is_unattributed, read.security_impact) == (2, True, True)
    assert read.is_excluded(ExclusionKind.THRESHOLD, "SIT-MOC-EPCL-2")
    assert read.exclusions == issue.exclusions
    assert read.exclusions[-1].status is ExclusionStatus.SOS_UPHELD
    assert read.counts_for(CountingBasis.INTERFACE_TESTING, "UTS-IOC") is False
    assert read.disputes == issue.disputes
    assert read.determinations == issue.determinations
    assert read.is_open
    assert read.retest_execution_ids == ("EX-55",)
    closure = stored_fields(ledger, issue)[14]
    assert closure["class_version"] == 2
    assert closure["retest_execution_ids"] == ["EX-55"]


def test_a_stored_version_1_closure_is_read_as_version_2(
    ledger: AKLedger, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.load_signer()
    issue = raised(actor)
    ledger.save(issue)
    issue.close("fixed in release 2.1", ["EX-55"], **fields(actor, 1))
    (closed,) = issue.collect_events()
    # Written as version 1 wrote it: no retest_execution_ids and no class_version.
    del closed.__dict__["retest_execution_ids"]
    monkeypatch.setattr(TestingIssueClosed, "class_version", 1)
    ledger.save(closed)
    monkeypatch.undo()

    stored = stored_fields(ledger, issue)[-1]
    assert stored["resolution"] == "fixed in release 2.1"
    assert "retest_execution_ids" not in stored
    assert "class_version" not in stored
    event = list(ledger.events.get(issue.id))[-1]
    assert isinstance(event, TestingIssueClosed)
    assert event.retest_execution_ids == []
    read: object = ledger.repository.get(issue.id)
    assert isinstance(read, TestingIssue)
    assert not read.is_open
    assert read.resolution == "fixed in release 2.1"
    assert read.retest_execution_ids == ()
