"""The heatmap reads a planned test from a few fields of its stored fact (``as_of.values_at``,
``traceability_queries._Placed``), not the whole decoded fact: for random histories of runs,
witnessings, de-scoping proposals and decisions, what it reads is what the whole fact, read back
with all its runs, says (A19's latest result; whether any run was witnessed; de-scoping)."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.rules.phase_kinds import PhaseKind
from projections.as_of import _default
from projections.fact_builders import execution_facts, facts_of
from projections.fact_codec import dumps, encode
from projections.rules.execution_criteria import is_descoped
from projections.rules.facts import ExecutionFact, PlannedTestFact
from projections.traceability_queries import _Placed
from tests.unit.test_execution_facts import actions, history


def stored_fields(fact: PlannedTestFact, drop: frozenset[str] = frozenset()) -> tuple[Any, ...]:
    """``_Placed.FIELDS`` of ``fact`` as ``values_at`` reads them from its stored text (without the
    fields in ``drop``, as an older fact that did not store them: their defaults)."""
    data = orjson.loads(dumps(fact))
    defaults = {f.name: encode(_default(f)) for f in dataclasses.fields(PlannedTestFact)}
    return tuple(defaults[name] if name in drop else data[name] for name in _Placed.FIELDS)


def kept_fact(test: Any) -> list[PlannedTestFact]:
    """The test's fact as the projection stores it (without its runs)."""
    return [b.fact for b in facts_of(test, lambda _: None, runs=False) if isinstance(b.fact, PlannedTestFact)]


@settings(max_examples=150, deadline=None)
@given(actions, st.sampled_from([None, True, False]), st.sampled_from([None, True, False]))
def test_what_the_heatmap_reads_of_a_test_is_what_the_whole_fact_says(
    steps: list[tuple[Any, ...]], tab: bool | None, sos: bool | None
) -> None:
    test: Any = None
    for event in history(steps):
        test = event.mutate(test)
    (kept,) = kept_fact(test)
    kept = dataclasses.replace(kept, descope_tab_approved=tab, descope_sos_approved=sos)
    runs = tuple(b.fact for b in execution_facts(test) if isinstance(b.fact, ExecutionFact))
    whole = dataclasses.replace(kept, executions=runs)  # as ``rows_at`` reads it with its runs
    placed = _Placed.of(*stored_fields(kept))
    latest = whole.latest_result
    assert placed.latest_result == (None if latest is None else latest.result)
    assert placed.any_witnessed == whole.any_witnessed
    assert (placed.phase_id, placed.functional_group, placed.dmc) == (whole.phase_id, "Reads", None)
    for kind in PhaseKind:
        assert is_descoped(placed, kind) == is_descoped(whole, kind)


def test_a_field_a_stored_fact_omits_reads_as_its_default() -> None:
    test: Any = None
    for event in history([("run", "pass")]):
        test = event.mutate(test)
    (kept,) = kept_fact(test)
    placed = _Placed.of(*stored_fields(kept, frozenset({"witnessed", "latest_executed", "dmc"})))
    assert (placed.any_witnessed, placed.latest_result, placed.dmc) == (False, None, None)
