"""The findings that need several aggregates (``projections.cross_findings``), as of a position,
on SQLite and PostgreSQL: each appears once its breach is recorded, never as of a position before
it, and not when the ledger records no breach; ``not_checked`` no longer lists them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.capability_releases import CapabilityRelease
from ledger.commands.execute import bootstrap_admin, execute_json
from ledger.context import RecordingContext
from ledger.cycle_runs import CycleRuns
from ledger.demo import IOC_SIT, demo_commands
from ledger.document_values import Party
from ledger.documents import Document
from ledger.matter_values import Subject, SubjectKind
from ledger.notices import Notice
from ledger.phases import TestPhase
from ledger.requirements import Requirement
from ledger.rules.document_types import DocumentType, NoticeType
from ledger.rules.roles import Role
from ledger.test_scenarios import TestScenario
from ledger.testing_issue_values import ExclusionKind
from ledger.testing_issues import TestingIssue
from ledger.ttm import Ttm
from projections import queries
from projections.facts_projection import FactsProjection
from projections.register_queries import FindingRow
from projections.runner import run_once

DEMO = demo_commands("admin")
IOC_HISTORY = DEMO[:51]  # the IOC SIT: runs, a dispute referred and determined, exit, completion
PROPOSE_EXIT, TAG_DETERMINES, COMPLETION = 42, 39, 50
H1, H2 = "a1" * 32, "b2" * 32


def start(lg: AKLedger, actor: Actor) -> None:
    when = datetime.now(UTC) - timedelta(minutes=1)
    bootstrap_admin(lg, "admin", "ledger operator", RecordingContext(actor, when))


def record(lg: AKLedger, lines: list[dict[str, Any]]) -> list[int]:
    """Each command's last position."""
    return [execute_json(lg, json.dumps(line)).appended[-1].position for line in lines]


def found(lg: AKLedger, position: int, clause: str) -> list[FindingRow]:
    run_once(lg, FactsProjection(lg))
    answer = queries.findings(lg.engine, as_of_position=position, judged_on=date(2026, 3, 1), app=lg)
    return [f for f in answer.findings if f.clause == clause]


def test_not_checked_names_only_what_the_ledger_does_not_record(ledger: AKLedger, actor: Actor) -> None:
    start(ledger, actor)
    run_once(ledger, FactsProjection(ledger))
    with_app = queries.findings(ledger.engine, app=ledger).not_checked
    assert len(with_app) == 2
    assert "device_sets_not_through_mt_end_of_cycle (§5.6)" in with_app[0]
    assert "exclusion_applied_without_agreement (§13.25)" in with_app[1]
    without = queries.findings(ledger.engine).not_checked
    assert any("executions_after_exit_proposed" in n for n in without)  # needs the application
    assert not any("executions_after_exit_proposed" in n for n in with_app)
    assert not any("§12.3" in n or "requirements without scenario" in n or "§14.5" in n for n in with_app)


def test_a_run_after_the_exit_was_proposed_is_found_from_its_position(ledger: AKLedger, actor: Actor) -> None:
    start(ledger, actor)
    before = record(ledger, IOC_HISTORY[:PROPOSE_EXIT + 1])
    proposed = before[-1]
    assert found(ledger, proposed, "9.4(b)") == []  # the demo's runs all precede the proposal
    rerun = {**DEMO[23], "occurred_at": "2026-03-03T10:07:00+00:00"}
    rerun["data"] = {**rerun["data"], "run_number": 2, "executed_at": "2026-03-03T10:00:00+00:00"}
    (at,) = record(ledger, [rerun])

    (finding,) = found(ledger, at, "9.4(b)")
    assert (finding.source, finding.subject) == ("planned_test", "SIT-IOC-F-001")
    assert "run 2 was executed at 2026-03-03T10:00:00+00:00" in finding.what
    phase: object = ledger.repository.get(TestPhase.create_id("ioc", "sit", None, None))
    assert isinstance(phase, TestPhase)
    assert finding.event_ids[0] == phase.event_id(phase.exit_proposals[0])  # the proposal, then the run
    assert finding.event_ids[1].endswith(":3")  # planned, run 1, run 2
    assert found(ledger, at - 1, "9.4(b)") == []  # as of just before the run: no finding


def test_a_run_before_the_proposal_or_after_a_direction_to_continue_is_not_found(
    ledger: AKLedger, actor: Actor
) -> None:
    start(ledger, actor)
    record(ledger, IOC_HISTORY[:PROPOSE_EXIT + 1])
    direct = {"command": "TestPhase.direct_continuation", "principal": "dcc-test-ops",
              "occurred_at": "2026-03-03T09:07:00+00:00", "on_behalf_of": "panel", "evidence_sha256": H1,
              "data": {"target": DEMO[PROPOSE_EXIT]["data"]["target"], "directed_by": "panel",
                       "outstanding_matters": ["re-run SIT-IOC-F-001"]}}
    rerun = {**DEMO[23], "occurred_at": "2026-03-04T10:07:00+00:00"}
    rerun["data"] = {**rerun["data"], "run_number": 2, "executed_at": "2026-03-04T10:00:00+00:00"}
    early = {**DEMO[25], "occurred_at": "2026-03-04T10:17:00+00:00"}  # recorded late, run before
    early["data"] = {**early["data"], "run_number": 2, "executed_at": "2026-03-01T10:00:00+00:00"}
    positions = record(ledger, [direct, rerun, early])
    assert found(ledger, positions[-1], "9.4(b)") == []


def test_an_exit_decided_while_a_dispute_naming_the_phase_was_pending_is_found(
    ledger: AKLedger, actor: Actor
) -> None:
    start(ledger, actor)
    # The TAG determines the dispute (referred 7 February) only after the Panel's decision of
    # 12 March: the decision was made while it was pending (§14.5).
    late_tag = {**DEMO[TAG_DETERMINES], "occurred_at": "2026-03-13T09:07:00+00:00"}
    lines = [*IOC_HISTORY[:TAG_DETERMINES], *IOC_HISTORY[TAG_DETERMINES + 1:], late_tag]
    positions = record(ledger, lines)
    decided, determined = positions[-2], positions[-1]

    for at in (decided, determined):  # still found once the dispute has ended
        (finding,) = found(ledger, at, "14.5")
        assert (finding.source, finding.subject) == ("issue", "TI-IOC-003")
        assert f"exit of {IOC_SIT} decided at 2026-03-12T09:07:00+00:00" in finding.what
        assert finding.event_ids[1].startswith(f"{IOC_SIT}:")
    assert found(ledger, decided - 1, "14.5") == []  # before the decision: nothing decided yet


def test_an_exit_decided_after_the_dispute_was_determined_is_not_found(
    ledger: AKLedger, actor: Actor
) -> None:
    start(ledger, actor)
    positions = record(ledger, IOC_HISTORY)  # determined 19 February, decided 12 March
    assert found(ledger, positions[-1], "14.5") == []
    issue: object = ledger.repository.get(TestingIssue.create_id("TI-IOC-003"))
    assert isinstance(issue, TestingIssue)
    assert issue.disputes  # there was a dispute


def _uts(lg: AKLedger, actor: Actor, *, approved: bool) -> tuple[int, int]:
    """A UTS phase for IOC planned and entered on 10 March; with ``approved``, its UTSAD recorded
    and approved by the SoS on 9 March. The positions of the entry and of the approval (0: none)."""
    lg.load_signer()

    def on(day: int, hour: int = 9) -> dict[str, Any]:
        return RecordingContext(actor, datetime(2026, 3, day, hour, tzinfo=UTC)).fields()

    approval = 0
    if approved:
        utsad = Document.record(DocumentType.UTSAD, "UTSAD IOC", "1.0", H1, Party(Role.DCC),
                                [Party(Role.SOS)], "restricted", **on(2))
        notice = Notice.give(NoticeType.TAD_APPROVED, Party(Role.SOS), [Party(Role.DCC)],
                             subjects=[Subject(SubjectKind.DOCUMENT, str(utsad.id))],
                             document_sha256=H2, **on(9))
        approval = lg.append(utsad, notice)[-1].position
    phase = TestPhase.plan("ioc", "uts", **on(10, 8))
    phase.enter(**on(10))
    return lg.append(phase)[-1].position, approval


def test_uts_entered_with_no_approach_approval_is_found(ledger: AKLedger, actor: Actor) -> None:
    start(ledger, actor)
    entered, _ = _uts(ledger, actor, approved=False)
    (finding,) = found(ledger, entered, "12.3")
    phase_id = str(TestPhase.create_id("ioc", "uts", None, None))
    assert (finding.source, finding.subject) == ("phase", phase_id)
    assert finding.event_ids == (f"{phase_id}:2",)
    assert "no UTSAD approval recorded before it" in finding.what
    assert found(ledger, entered - 1, "12.3") == []  # planned, not entered


def test_uts_entered_after_its_approach_was_approved_is_not_found(ledger: AKLedger, actor: Actor) -> None:
    start(ledger, actor)
    entered, approval = _uts(ledger, actor, approved=True)
    assert approval < entered
    assert found(ledger, entered, "12.3") == []


def test_uts_for_moc_without_a_direction_is_found(ledger: AKLedger, actor: Actor) -> None:
    start(ledger, actor)
    ledger.load_signer()

    def on(day: int) -> dict[str, Any]:
        return RecordingContext(actor, datetime(2026, 4, day, 9, tzinfo=UTC)).fields()

    release = CapabilityRelease.record("moc", **on(1))
    recorded = ledger.append(release)[-1].position
    phase = TestPhase.plan("moc", "uts", **on(2))
    planned = ledger.append(phase)[-1].position
    (finding,) = found(ledger, planned, "7.3")
    assert (finding.source, finding.subject) == ("phase", str(phase.id))
    assert found(ledger, recorded, "7.3") == []  # no UTS phase yet
    release.direct_interface_testing_repeat(**on(3))
    directed = ledger.append(release)[-1].position
    assert found(ledger, directed, "7.3") == []  # the SoS directed the repeat
    assert len(found(ledger, planned, "7.3")) == 1  # as of before the direction: still found


def test_requirements_no_listed_scenario_traces_to_are_found(ledger: AKLedger, actor: Actor) -> None:
    start(ledger, actor)
    ledger.load_signer()

    def on(day: int) -> dict[str, Any]:
        return RecordingContext(actor, datetime(2026, 1, day, 12, tzinfo=UTC)).fields()

    traced = Requirement.record("F", "2.1", "B1", **on(5))
    untraced = Requirement.record("F", "2.2", "B1", **on(5))
    other = Requirement.record("F", "2.3", "B2", **on(5))
    scenario = TestScenario.identify("SC-1", [str(traced.id)], **on(5))
    ttm = Ttm.produce("SIT-MOC-EPCL-7", "moc", "B1", **on(5))
    ttm.publish_version("1.0", "B1", H1, [str(traced.id)], [str(scenario.id)], **on(6))
    first = ledger.append(traced, untraced, other, scenario, ttm)[-1].position
    ttm.publish_version("1.1", "B1", H2, [str(traced.id), str(untraced.id), str(other.id)],
                        [str(scenario.id)], **on(7))
    second = ledger.append(ttm)[-1].position

    assert found(ledger, first, "11.1") == []  # version 1.0: its one requirement is traced
    findings = found(ledger, second, "11.1")
    assert {(f.source, f.subject) for f in findings} == {("ttm", "SIT-MOC-EPCL-7")}
    whats = sorted(f.what for f in findings)
    assert any(f"lists requirements no listed test scenario traces to: {untraced.id}, {other.id}" in w
               for w in whats)
    assert any("maps baseline 'B1' but lists" in w and str(other.id) in w for w in whats)
    assert len(findings) == 2


def test_a_new_defect_excluded_from_an_end_of_cycle_run_is_found_until_the_tag_agrees(
    ledger: AKLedger, actor: Actor
) -> None:
    start(ledger, actor)
    ledger.load_signer()
    hours = iter(range(1, 100))

    def ctx(**extra: Any) -> dict[str, Any]:
        at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(hours=next(hours))
        return RecordingContext(actor, at, **extra).fields()

    runs = CycleRuns.open(IOC_SIT, "sit", "moc", "end_of_cycle", **ctx())
    runs.start_end_of_cycle_run(1, ["TI-1"], environment="SIT-A", codebase_version="R4.2",
                                device_sets=["DS-1"], **ctx())
    new = TestingIssue.raise_issue(
        "TI-7", "tariff not applied", IOC_SIT, dmc_ids=["DMC-1"], epcl_entry_ids=[], service_providers=[],
        cause="dcc_total_system", environment="test", raised_by="dcc", security_impact=False, **ctx())
    ledger.append(runs, new)
    runs.end_run(1, planned_tests=40, executed=40, passed=38, excluded_defects=["TI-1", "TI-7"],
                 execution_ids=[], results_sha256=H2, **ctx())
    ended = ledger.append(runs)[-1].position

    # TI-1 was known at the start; TI-7 was raised after it, and no exclusion was proposed (Table 13.1 #2A)
    (finding,) = found(ledger, ended, "Table 13.1 #2A")
    assert (finding.source, finding.subject) == ("cycle_run", runs.run_id(1))
    assert "defect TI-7" in finding.what
    assert "no exclusion proposed" in finding.what
    assert found(ledger, ended - 1, "Table 13.1 #2A") == []  # the run had not ended

    new.propose_exclusion(ExclusionKind.END_OF_CYCLE, runs.run_id(1), "cosmetic", ["tab", "tag", "panel"],
                          **ctx())
    proposed = ledger.append(new)[-1].position
    (still,) = found(ledger, proposed, "Table 13.1 #2A")
    assert "(proposed)" in still.what
    new.record_tag_exclusion_decision(ExclusionKind.END_OF_CYCLE, runs.run_id(1), True,
                                      **ctx(on_behalf_of="tag", evidence_sha256=H1))
    agreed = ledger.append(new)[-1].position
    assert found(ledger, agreed, "Table 13.1 #2A") == []
    assert len(found(ledger, proposed, "Table 13.1 #2A")) == 1  # as of before the agreement: still there
