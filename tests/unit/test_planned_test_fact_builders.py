"""``fact_builders.planned_test_fact``, made after every run recorded, takes shortcuts (the test's id
made text once, nothing looked for among no de-scope acts or no witnessings, the last run taken as
the latest executed when it was executed): at every version of a planned test, whatever its runs,
witnessings and de-scope acts, it is the fact read plainly off the aggregate."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import InvalidTraceabilityEventError
from ledger.planned_test_values import Execution, TestResult
from ledger.planned_tests import PlannedTest
from projections.fact_builders import execution_fact, planned_test_fact
from projections.rules.facts import ExecutionFact, PlannedTestFact
from tests.unit.test_execution_findings import H1, Clock

PHASE_ID = "4f0c8a3e-6a55-4c59-9d65-3b1f0c2f7a10"
OBSERVERS = ("sit-auditor", "supplier-x")

# An action: ("run", result) | ("witness", run index, observer index) | ("propose",) | ("tab", approved)
# | ("sos", approved) | ("apply",)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("run"), st.sampled_from(["pass", "fail", "not_run"])),
        st.tuples(st.just("witness"), st.integers(0, 30), st.integers(0, len(OBSERVERS) - 1)),
        st.tuples(st.just("propose")),
        st.tuples(st.sampled_from(["tab", "sos"]), st.booleans()),
        st.tuples(st.just("apply")),
    ),
    max_size=30,
)


def history(phase_kind: str, steps: list[tuple[Any, ...]]) -> list[Aggregate.Event]:
    """The events of a planned test that takes ``steps`` (those the aggregate refuses skipped)."""
    ctx = Clock()
    test = PlannedTest.plan(PHASE_ID, phase_kind, "T-1", "functional", source_document_sha256=H1,
                            functional_group="Reads", **ctx())
    runs = 0
    for step in steps:
        fields = ctx()
        try:
            if step[0] == "run":
                test.record_execution(runs + 1, step[1], environment="SIT-A", codebase_version="R1",
                                      executed_at=fields["occurred_at"],
                                      reason=None if step[1] == "pass" else "it did not", **fields)
                runs += 1
            elif step[0] == "witness" and runs:
                test.witness(step[1] % runs + 1, OBSERVERS[step[2]], deviation_from_script=False,
                             observer_involved=False, **fields)
            elif step[0] == "propose":
                test.propose_descope("the device is withdrawn", **fields)
            elif step[0] == "tab":
                test.decide_descope_by_tab(step[1], **fields)
            elif step[0] == "sos":
                test.decide_descope_by_sos(step[1], **fields)
            elif step[0] == "apply":
                test.apply_descope(**fields)
        except InvalidTraceabilityEventError:
            pass
    return [e for e in test.collect_events() if isinstance(e, Aggregate.Event)]


def _run(test: PlannedTest, run: Execution, witnessed: set[int]) -> ExecutionFact:
    return ExecutionFact(f"{test.id}:{run.version}", run.run_number, run.result, run.executed_at,
                         run.evidence_sha256, run.run_number in witnessed)


def plainly(test: PlannedTest) -> PlannedTestFact:
    """The planned test's fact as its docstrings and ``PlannedTestFact``'s define it."""
    def decisions(act: str) -> list[Any]:
        return [a for a in test.descope_acts if a.act == act and a.proposal == test.proposal]

    tab, sos = decisions("tab_decided"), decisions("sos_decided")
    witnessed = {w.run_number for w in test.witnessings}
    last = max(test.executions, key=lambda r: r.run_number, default=None)
    executed = max((r for r in test.executions if r.result is not TestResult.NOT_RUN),
                   key=lambda r: r.run_number, default=None)
    return PlannedTestFact(
        planned_test_id=str(test.id), test_ref=test.test_ref, phase_id=test.phase_id, kind=test.kind,
        functional_group=test.functional_group, dmc=test.dmc, descope_proposed=test.proposal > 0,
        descope_tab_approved=tab[-1].approved if tab else None,
        descope_sos_approved=sos[-1].approved if sos else None,
        descope_event_ids=tuple(f"{test.id}:{a.version}" for a in test.descope_acts
                                if test.proposal > 0 and a.proposal == test.proposal),
        last_run=None if last is None else _run(test, last, witnessed),
        latest_executed=None if executed is None else _run(test, executed, witnessed),
        witnessed=bool(witnessed),
    )


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["sit", "pit"]), actions)
def test_the_planned_test_fact_is_the_test_read_plainly_at_every_version(
    phase_kind: str, steps: list[tuple[Any, ...]]
) -> None:
    test: Any = None
    for event in history(phase_kind, steps):
        test = event.mutate(test)
        assert isinstance(test, PlannedTest)
        fact = planned_test_fact(test)
        assert fact == plainly(test)
        assert type(fact.descope_event_ids) is tuple
        if fact.last_run is not None and fact.last_run == fact.latest_executed:
            assert fact.last_run is fact.latest_executed  # built once
        for run in test.executions:
            built = execution_fact(test, run, False).fact
            assert built == _run(test, run, set())


def test_a_decided_and_applied_descope_is_read_with_its_events() -> None:
    steps = [("run", "pass"), ("propose",), ("tab", True), ("sos", False), ("apply",), ("propose",),
             ("tab", False), ("run", "not_run"), ("witness", 0, 0)]
    test: Any = None
    for event in history("sit", steps):
        test = event.mutate(test)
    fact = planned_test_fact(test)
    assert fact == plainly(test)
    assert (fact.descope_proposed, fact.descope_tab_approved, fact.descope_sos_approved) == (
        True, False, None)
    assert fact.descope_event_ids == (f"{test.id}:7", f"{test.id}:8")  # the second proposal and its decision
    assert fact.last_run is not None
    assert fact.last_run.run_number == 2
    assert fact.latest_executed is not None
    executed = fact.latest_executed
    assert (executed.run_number, executed.witnessed, fact.witnessed) == (1, True, True)
