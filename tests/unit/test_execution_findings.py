"""Planned test executions recorded after their Test Phase's exit was proposed
(``ledger.findings.executions.executions_after_exit_proposed``; §9.4(b), §13.18-13.19), in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ledger.actors import Actor
from ledger.context import RecordingContext
from ledger.findings.executions import executions_after_exit_proposed
from ledger.phases import TestPhase
from ledger.planned_tests import PlannedTest
from ledger.rules.phase_kinds import EntryCriterion
from ledger.rules.roles import Role

DCC = Actor("alice", "dcc", "DCC")
START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
H1 = "a1" * 32


class Clock:
    """Successive recording contexts, an hour apart; ``now`` is the latest instant handed out."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dict[str, Any]:
        self.now += timedelta(hours=1)
        return RecordingContext(DCC, self.now).fields()


@pytest.fixture
def ctx() -> Clock:
    return Clock()


def entered_sit(ctx: Clock) -> TestPhase:
    phase = TestPhase.plan("moc", "sit", epcl_entry="E1", **ctx())
    for criterion in EntryCriterion:
        phase.record_entry_criterion(criterion, True, document_sha256=H1, **ctx())
    phase.enter(**ctx())
    return phase


def planned(phase: TestPhase, ctx: Clock, ref: str = "SIT-FUN-1") -> PlannedTest:
    return PlannedTest.plan(str(phase.id), "sit", ref, "functional", source_document_sha256=H1,
                            functional_group="Reads", **ctx())


def run(test: PlannedTest, ctx: Clock, number: int) -> None:
    """Run ``number``, executed at the instant it is recorded."""
    fields = ctx()
    test.record_execution(number, "pass", environment="SIT-A", codebase_version="R1",
                          executed_at=fields["occurred_at"], **fields)


def test_the_phase_keeps_when_each_exit_was_proposed(ctx: Clock) -> None:
    phase = entered_sit(ctx)
    phase.propose_exit(**ctx())
    first = ctx.now
    phase.direct_continuation(Role.PANEL, ["re-run reads"], **ctx())
    phase.propose_exit(**ctx())
    assert phase.exit_proposed_at == [first, ctx.now]
    assert len(phase.exit_proposed_at) == len(phase.exit_proposals)


def test_runs_before_the_exit_proposal_are_not_flagged(ctx: Clock) -> None:
    phase = entered_sit(ctx)
    test = planned(phase, ctx)
    run(test, ctx, 1)
    phase.propose_exit(**ctx())
    assert list(executions_after_exit_proposed(phase, [test])) == []


def test_a_run_after_the_exit_proposal_is_flagged(ctx: Clock) -> None:
    phase = entered_sit(ctx)
    test = planned(phase, ctx)
    run(test, ctx, 1)
    phase.propose_exit(**ctx())
    run(test, ctx, 2)
    [finding] = executions_after_exit_proposed(phase, [test])
    assert finding.clause == "9.4(b)"
    assert "run 2" in finding.what
    assert finding.event_ids == (phase.event_id(phase.exit_proposals[0]), test.event_id(3))


def test_a_run_after_a_direction_to_continue_is_not_flagged_until_exit_is_proposed_again(
    ctx: Clock,
) -> None:
    phase = entered_sit(ctx)
    test = planned(phase, ctx)
    phase.propose_exit(**ctx())
    phase.direct_continuation(Role.PANEL, ["re-run reads"], **ctx())
    run(test, ctx, 1)
    phase.propose_exit(**ctx())
    assert list(executions_after_exit_proposed(phase, [test])) == []
    run(test, ctx, 2)
    [finding] = executions_after_exit_proposed(phase, [test])
    assert finding.event_ids[0] == phase.event_id(phase.exit_proposals[1])


def test_a_run_after_completion_is_flagged(ctx: Clock) -> None:
    phase = entered_sit(ctx)
    test = planned(phase, ctx)
    phase.propose_exit(**ctx())
    phase.determine_completion(Role.PANEL, **ctx())
    run(test, ctx, 1)
    assert [f.clause for f in executions_after_exit_proposed(phase, [test])] == ["9.4(b)"]


def test_a_run_recorded_late_but_executed_before_the_proposal_is_not_flagged(ctx: Clock) -> None:
    phase = entered_sit(ctx)
    test = planned(phase, ctx)
    executed_at = ctx()["occurred_at"]
    phase.propose_exit(**ctx())
    test.record_execution(1, "pass", environment="SIT-A", codebase_version="R1",
                          executed_at=executed_at, **ctx())
    assert list(executions_after_exit_proposed(phase, [test])) == []


def test_tests_of_other_phases_are_ignored(ctx: Clock) -> None:
    phase = entered_sit(ctx)
    other = TestPhase.plan("moc", "sit", epcl_entry="E2", **ctx())
    test = planned(other, ctx)
    phase.propose_exit(**ctx())
    run(test, ctx, 1)
    assert list(executions_after_exit_proposed(phase, [test])) == []
