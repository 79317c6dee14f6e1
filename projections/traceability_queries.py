"""As-of queries of test coverage: the heatmap (Table 13.1 #7, §16.3) and the TTM chain (§11.1).

Re-exported by ``projections.queries``, which says how the as-of arguments are read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.engine import Engine

from ledger.planned_test_values import TestResult
from ledger.rules.phase_kinds import PhaseKind
from projections.as_of import AsOf, resolve, rows_at, values_at
from projections.fact_kinds import FactKind
from projections.report_facts import DmcSelectionFact, RequirementFact, ScenarioFact, TestTraceFact, TtmFact
from projections.rules.execution_criteria import is_descoped
from projections.rules.facts import PlannedTestFact


@dataclass(frozen=True)
class HeatmapRow:
    """One cell of the heatmap: the planned tests of a functional group on a DMC (None: none
    named) and where their latest results stand (A19: a later "not run" does not undo a result).
    ``planned`` excludes de-scoped tests (§12.9(a)); ``coverage_percent`` is executed / planned,
    rounded down (None when nothing is planned)."""

    functional_group: str | None
    dmc: str | None
    planned: int
    executed: int
    passed: int
    failed: int
    not_run: int
    witnessed: int
    descoped: int
    coverage_percent: int | None


@dataclass(frozen=True)
class HeatmapAnswer:
    as_of: AsOf
    phase_id: str | None
    rows: tuple[HeatmapRow, ...]
    total: HeatmapRow


@dataclass(frozen=True)
class TracedTest:
    """A planned test on the chain and its latest recorded run (None: never run)."""

    test_ref: str
    planned_test_id: str
    latest_run: int | None
    latest_result: TestResult | None
    executed_at: datetime | None


@dataclass(frozen=True)
class TraceRow:
    """One requirement, the scenarios tracing to it and the planned tests of those scenarios;
    ``requirement_key`` None when the requirement is not recorded as of the position."""

    requirement_id: str
    requirement_key: str | None
    scenario_refs: tuple[str, ...]
    tests: tuple[TracedTest, ...]
    covered: bool  # some planned test traces to it


@dataclass(frozen=True)
class TtmAnswer:
    """The traceability of a phase: from its TTM's latest version (``ttm_version``) when one is
    published, otherwise from the scenarios its planned tests name. ``uncovered_requirements``:
    no planned test traces to them; ``untraced_tests``: tests tracing to no requirement."""

    as_of: AsOf
    phase_id: str
    ttm_version: str | None
    requirements_baseline: str | None
    assured: bool
    rows: tuple[TraceRow, ...]
    uncovered_requirements: tuple[str, ...]
    untraced_tests: tuple[str, ...]


def heatmap(
    engine: Engine, phase_id: str | None = None, *, as_of_position: int | None = None,
    as_of: datetime | None = None,
) -> HeatmapAnswer:
    """Functional group x DMC over the planned tests of ``phase_id`` (every phase when None), and
    the DMCs selected for it that no planned test covers."""
    at = resolve(engine, as_of_position, as_of)
    with engine.connect() as conn:
        kinds = {p.phase_id: p.kind for _, p in rows_at(conn, FactKind.PHASE, at.position)}
        tests = [_Placed.of(*values) for values in  # what the tests keep of their runs; not decoded whole
                 values_at(conn, FactKind.PLANNED_TEST, at.position, _Placed.FIELDS, phase_id)]
        selections: list[DmcSelectionFact] = [
            s for _, s in rows_at(conn, FactKind.DMC_SELECTION, at.position, phase_id)]
    cells: dict[tuple[str | None, str | None], _Tally] = defaultdict(_Tally)
    total = _Tally()
    for test in tests:  # one pass, each test's de-scoping judged once
        descoped = _descoped(test, kinds)
        cells[(test.functional_group, test.dmc)].add(test, descoped)
        total.add(test, descoped)
    tested = {dmc for _, dmc in cells}
    for dmc in (d for s in selections for d in s.selected if d not in tested):
        cells.setdefault((None, dmc), _Tally())
    rows = tuple(cells[(group, dmc)].row(group, dmc)
                 for group, dmc in sorted(cells, key=lambda k: (k[0] or "", k[1] or "")))
    return HeatmapAnswer(at, phase_id, rows, total.row(None, None))


@dataclass(frozen=True, slots=True)
class _Placed:
    """What a heatmap cell reads of a planned test (``PlannedTestFact``, as the test keeps it,
    without its runs): where it is placed, its de-scoping, the result of its latest run executed
    (A19: a later "not run" does not undo it) and whether any run was witnessed."""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "phase_id", "functional_group", "dmc", "descope_tab_approved", "descope_sos_approved",
        "latest_executed", "witnessed")

    phase_id: str
    functional_group: str | None
    dmc: str | None
    descope_tab_approved: bool | None
    descope_sos_approved: bool | None
    latest_result: TestResult | None
    any_witnessed: bool

    @classmethod
    def of(cls, phase_id: str, group: str | None, dmc: str | None, tab: bool | None, sos: bool | None,
           latest_executed: dict[str, Any] | None, witnessed: bool) -> _Placed:
        result = None if latest_executed is None else TestResult(latest_executed["result"])
        return cls(phase_id, group, dmc, tab, sos, result, witnessed)


class _Tally:
    """A heatmap cell's counts, test by test (A19: the latest result executed; §12.9(a): a
    de-scoped test is counted apart, not planned)."""

    __slots__ = ("descoped", "executed", "passed", "planned", "witnessed")

    def __init__(self) -> None:
        self.planned = self.executed = self.passed = self.witnessed = self.descoped = 0

    def add(self, test: _Placed, descoped: bool) -> None:
        if descoped:
            self.descoped += 1
            return
        self.planned += 1
        if test.latest_result is not None:
            self.executed += 1
            self.passed += test.latest_result is TestResult.PASS
        self.witnessed += test.any_witnessed

    def row(self, group: str | None, dmc: str | None) -> HeatmapRow:
        return HeatmapRow(
            functional_group=group, dmc=dmc, planned=self.planned, executed=self.executed,
            passed=self.passed, failed=self.executed - self.passed, not_run=self.planned - self.executed,
            witnessed=self.witnessed, descoped=self.descoped,
            coverage_percent=self.executed * 100 // self.planned if self.planned else None,
        )


def _descoped(test: _Placed, kinds: dict[str, PhaseKind]) -> bool:
    kind = kinds.get(test.phase_id)
    return kind is not None and is_descoped(test, kind)


def ttm(
    engine: Engine, phase_id: str, *, as_of_position: int | None = None, as_of: datetime | None = None,
) -> TtmAnswer:
    """Requirement -> scenario -> planned test -> latest run, for ``phase_id`` (§11.1)."""
    at = resolve(engine, as_of_position, as_of)
    with engine.connect() as conn:
        matrices: list[TtmFact] = [t for _, t in rows_at(conn, FactKind.TTM, at.position, phase_id)]
        tests = {t.planned_test_id: t
                 for _, t in rows_at(conn, FactKind.PLANNED_TEST, at.position, phase_id, runs=False)}
        traces: list[TestTraceFact] = [
            t for _, t in rows_at(conn, FactKind.TEST_TRACE, at.position, phase_id)]
        scenarios: dict[str, ScenarioFact] = {
            s.scenario_id: s for _, s in rows_at(conn, FactKind.SCENARIO, at.position)}
        requirements: dict[str, RequirementFact] = {
            r.requirement_id: r for _, r in rows_at(conn, FactKind.REQUIREMENT, at.position)}
    matrix = next((m for m in matrices if m.latest_version is not None), None)
    if matrix is not None:
        wanted = list(matrix.requirement_ids)
        in_scope = {s: scenarios[s] for s in matrix.scenario_ids if s in scenarios}
    else:
        named = [scenarios[s] for t in traces for s in t.scenario_ids if s in scenarios]
        wanted = list(dict.fromkeys(r for s in named for r in s.requirement_ids))
        in_scope = dict(scenarios)
    rows = tuple(_trace(r, requirements.get(r), in_scope.values(), traces, tests) for r in wanted)
    reaching = {s.scenario_id for s in in_scope.values() if set(s.requirement_ids) & set(wanted)}
    return TtmAnswer(
        as_of=at, phase_id=phase_id,
        ttm_version=None if matrix is None else matrix.latest_version,
        requirements_baseline=None if matrix is None else matrix.requirements_baseline,
        assured=matrix is not None and matrix.assured, rows=rows,
        uncovered_requirements=tuple(r.requirement_key or r.requirement_id for r in rows if not r.covered),
        untraced_tests=tuple(t.test_ref for t in traces if not reaching & set(t.scenario_ids)),
    )


def _trace(
    requirement_id: str, requirement: RequirementFact | None, scenarios: Iterable[ScenarioFact],
    traces: list[TestTraceFact], tests: dict[str, PlannedTestFact],
) -> TraceRow:
    covering = [s for s in scenarios if requirement_id in s.requirement_ids]
    ids = {s.scenario_id for s in covering}
    traced = [tests[t.planned_test_id] for t in traces
              if ids & set(t.scenario_ids) and t.planned_test_id in tests]
    return TraceRow(requirement_id, None if requirement is None else requirement.key,
                    tuple(s.scenario_ref for s in covering), tuple(_traced(t) for t in traced), bool(traced))


def _traced(test: PlannedTestFact) -> TracedTest:
    last = test.latest_run
    return TracedTest(test.test_ref, test.planned_test_id, None if last is None else last.run_number,
                      None if last is None else last.result, None if last is None else last.executed_at)


__all__ = ["HeatmapAnswer", "HeatmapRow", "TraceRow", "TracedTest", "TtmAnswer", "heatmap", "ttm"]
