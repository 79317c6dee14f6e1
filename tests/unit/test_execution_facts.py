"""A planned test's runs as facts of their own (``projections.fact_builders``): the changes the
``facts`` projection writes after each event (``execution_changes``), applied in turn, are the
test's runs as ``execution_facts`` builds them from the whole aggregate, at every version."""

from __future__ import annotations

import dataclasses
from typing import Any

from eventsourcing.domain import Aggregate
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.planned_tests import PlannedTest
from projections.fact_builders import (
    execution_changes,
    execution_facts,
    execution_key,
    facts_after,
    facts_of,
)
from projections.fact_codec import dumps
from projections.fact_kinds import BuiltFact, FactKind
from projections.rules.facts import ExecutionFact, PlannedTestFact
from tests.unit.test_execution_findings import H1, Clock

PHASE_ID = "4f0c8a3e-6a55-4c59-9d65-3b1f0c2f7a10"
OBSERVERS = ("sit-auditor", "supplier-x", "dcc-qa")

# An action: ("run", result) | ("witness", run index, observer index) | ("descope",)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("run"), st.sampled_from(["pass", "fail", "not_run"])),
        st.tuples(st.just("witness"), st.integers(0, 30), st.integers(0, len(OBSERVERS) - 1)),
        st.tuples(st.just("descope")),
    ),
    max_size=40,
)


def history(steps: list[tuple[Any, ...]]) -> list[Aggregate.Event]:
    """The events of a planned test that takes ``steps`` (those the aggregate refuses skipped)."""
    ctx = Clock()
    test = PlannedTest.plan(PHASE_ID, "sit", "SIT-FUN-1", "functional", source_document_sha256=H1,
                            functional_group="Reads", **ctx())
    runs = 0
    for step in steps:
        fields = ctx()
        if step[0] == "run":
            runs += 1
            test.record_execution(runs, step[1], environment="SIT-A", codebase_version="R1",
                                  executed_at=fields["occurred_at"],
                                  reason=None if step[1] == "pass" else "it did not", **fields)
        elif step[0] == "witness" and runs:
            run, observer = step[1] % runs + 1, OBSERVERS[step[2]]
            if not any(w.run_number == run and w.observer == observer for w in test.witnessings):
                test.witness(run, observer, deviation_from_script=False, observer_involved=False, **fields)
        elif step[0] == "descope" and not (test.proposal and not test.acts_of("tab_decided", test.proposal)):
            test.propose_descope("the device is withdrawn", **fields)
    return [e for e in test.collect_events() if isinstance(e, Aggregate.Event)]


@settings(max_examples=150, deadline=None)
@given(actions)
def test_the_runs_written_event_by_event_are_the_runs_of_the_whole_test(steps: list[tuple[Any, ...]]) -> None:
    events = history(steps)
    open_rows: dict[str, str] = {}  # key -> canonical text of the open row, as the projection keeps them
    test: Any = None
    before: list[BuiltFact] = []  # the test's facts after the event before
    for event in events:
        test = event.mutate(test)
        assert isinstance(test, PlannedTest)
        everything = facts_of(test, lambda _: None, runs=False)
        built, kinds = facts_after(test, event, lambda _: None)
        if kinds is None:
            assert built == everything
        else:  # only those kinds changed: the projection need not build the others
            assert built == [b for b in everything if b.kind in kinds]
            unchanged = [b for b in before if b.kind not in kinds]
            assert [b for b in everything if b.kind not in kinds] == unchanged
        before = everything
        for fact, replaces in execution_changes(test, event):
            assert (fact.key in open_rows) is replaces  # a new run has no row; a re-witnessed one has
            open_rows[fact.key] = dumps(fact.fact)
        assert open_rows == {b.key: dumps(b.fact) for b in execution_facts(test)}


def test_each_run_is_keyed_by_test_and_run_and_kept_apart_from_the_test() -> None:
    events = history([("run", "fail"), ("run", "pass"), ("witness", 1, 0)])
    test: Any = None
    for event in events:
        test = event.mutate(test)
    built = facts_of(test, lambda _: None)
    runs = [b for b in built if b.kind is FactKind.EXECUTION]
    assert [b.key for b in runs] == [execution_key("SIT-FUN-1", 1), execution_key("SIT-FUN-1", 2)]
    assert [b.fact.witnessed for b in runs if isinstance(b.fact, ExecutionFact)] == [False, True]
    (planned,) = [b for b in built if b.kind is FactKind.PLANNED_TEST]
    assert isinstance(planned.fact, PlannedTestFact)
    assert planned.fact.executions == ()  # read back onto it by ``as_of.rows_at``
    assert not [b for b in facts_of(test, lambda _: None, runs=False) if b.kind is FactKind.EXECUTION]


def test_the_test_keeps_its_last_run_its_latest_result_and_whether_a_run_was_witnessed() -> None:
    events = history([("run", "fail"), ("run", "pass"), ("run", "not_run"), ("witness", 0, 1)])
    test: Any = None
    for event in events:
        test = event.mutate(test)
    (planned,) = [b.fact for b in facts_of(test, lambda _: None) if isinstance(b.fact, PlannedTestFact)]
    assert planned.last_run is not None
    assert planned.last_run.run_number == 3
    assert planned.latest_result is not None
    assert planned.latest_result.run_number == 2  # A19: a later "not run" undoes nothing
    assert planned.latest_run == planned.last_run
    assert planned.any_witnessed  # run 1 was
    runs = tuple(b.fact for b in execution_facts(test) if isinstance(b.fact, ExecutionFact))
    with_runs = dataclasses.replace(planned, executions=runs)  # as ``rows_at`` reads it with its runs
    assert (with_runs.latest_result, with_runs.latest_run, with_runs.any_witnessed) == (
        planned.latest_result, planned.latest_run, True)
