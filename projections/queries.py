"""The as-of queries the CLI and the API call: thresholds and exit criteria of a phase, the
heatmap and TTM, Work Off Plan deadlines, matters and findings.

Each takes ``as_of_position`` or ``as_of`` (an aware time; neither: the latest position the
``facts`` projection has applied) and reads only the facts valid at that position, of only the
kinds it needs (``projections.as_of``): nothing is replayed. Each returns a plain frozen
dataclass whose first field, ``as_of``, says where the answer stands; ``fact_codec.as_json``
turns any of them into JSON. The rules themselves are the rules engine's (``projections.rules``)
and the findings' (``ledger.findings``); this module only gathers their facts.

This module: thresholds and exit criteria. ``projections.traceability_queries``: heatmap and
TTM; ``projections.register_queries``: Work Off Plans, matters, findings (all re-exported here).

Raises (besides ``as_of.position_as_of``'s): ``UnknownPhaseError`` when no phase of that id was
planned at the position; ``NotEvaluatedError`` when Appendix AK sets no thresholds or exit
criteria here for the phase's kind (the relevant TAD does, §12.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection, Engine

from ledger.rules.phase_kinds import OperatingCapability, PhaseKind
from ledger.rules.thresholds import ThresholdContext, which_table
from projections.as_of import AsOf, QueryError, facts_at, position_as_of, resolve, rows_at
from projections.fact_kinds import FactKind
from projections.register_queries import (
    FindingRow,
    FindingsAnswer,
    MatterRow,
    MattersAnswer,
    WorkOffAnswer,
    WorkOffRow,
    findings,
    matters,
    work_off,
)
from projections.rules.exit_criteria import ExitEvaluation, evaluate_pit_exit, evaluate_sit_exit
from projections.rules.facts import ExitFacts, PhaseFact
from projections.rules.thresholds import ThresholdCount, counts_verdict, threshold_counts
from projections.rules.verdicts import Verdict
from projections.traceability_queries import (
    HeatmapAnswer,
    HeatmapRow,
    TracedTest,
    TraceRow,
    TtmAnswer,
    heatmap,
    ttm,
)


class UnknownPhaseError(QueryError, LookupError):
    """No Test Phase of that id had been planned at the position asked about."""

    def __init__(self, phase_id: str, position: int) -> None:
        super().__init__(f"no Test Phase {phase_id!r} had been planned as of position {position}")
        self.phase_id = phase_id


class NotEvaluatedError(QueryError):
    """Appendix AK sets no thresholds or exit criteria for the phase's kind (its TAD does)."""


# Which Testing Issue Thresholds gate a phase's exit, by its kind and release (catalogue 5.4). SMETS1
# Interface Testing is IOC only unless the SoS directs a repeat (§7.3), read under the same column.
_IOC, _MOC, _FOC = OperatingCapability.IOC, OperatingCapability.MOC, OperatingCapability.FOC
_C = ThresholdContext
THRESHOLD_CONTEXTS: dict[tuple[PhaseKind, OperatingCapability], ThresholdContext] = {
    **{(PhaseKind.PIT, c): _C.PIT for c in (_IOC, _MOC, _FOC)},
    (PhaseKind.SIT, _IOC): _C.SIT_IOC,
    (PhaseKind.SIT, _MOC): _C.SIT_MOC_FOC,
    (PhaseKind.SIT, _FOC): _C.SIT_MOC_FOC,
    **{(PhaseKind.SCT, c): _C.SCT for c in (_IOC, _MOC, _FOC)},
    **{(PhaseKind.UTS, c): _C.SMETS1_INTERFACE_TESTING_IOC for c in (_IOC, _MOC, _FOC)},
    **{(k, c): _C.MIGRATION_TEST_PHASE for k in (PhaseKind.ACTIVE_MMT, PhaseKind.DORMANT_MMT,
                                                   PhaseKind.MIXED_MMT) for c in (_IOC, _MOC, _FOC)},
}


@dataclass(frozen=True)
class ThresholdsAnswer:
    """The Testing Issue Threshold counts gating a phase (Tables 13.2, 13.3) and their combined
    verdict (all must pass); none, NOT_APPLICABLE, for a Migration Test Phase (its MTAD sets them)."""

    as_of: AsOf
    phase_id: str
    context: ThresholdContext
    counts: tuple[ThresholdCount, ...]
    verdict: Verdict


@dataclass(frozen=True)
class ExitAnswer:
    """A phase's Exit Criteria evaluated (§12.9; for SIT also Table 13.1)."""

    as_of: AsOf
    phase_id: str
    phase_kind: PhaseKind
    evaluation: ExitEvaluation


def thresholds(
    engine: Engine, phase_id: str, *, as_of_position: int | None = None, as_of: datetime | None = None,
) -> ThresholdsAnswer:
    """The threshold counts of ``phase_id`` from the open Testing Issues as of the position."""
    at = resolve(engine, as_of_position, as_of)
    with engine.connect() as conn:
        phases = _phases(conn, at.position)
        target = _phase(phases, phase_id, at.position)
        context = THRESHOLD_CONTEXTS[(target.kind, target.capability)]
        issues = [i for _, i in rows_at(conn, FactKind.ISSUE, at.position) if i.is_open]
    counts = threshold_counts(context, phase_id, issues, phases=phases)
    applies = which_table(context).table is not None
    return ThresholdsAnswer(at, phase_id, context, tuple(counts),
                            counts_verdict(counts) if applies else Verdict.NOT_APPLICABLE)


def exit_criteria(
    engine: Engine, phase_id: str, *, as_of_position: int | None = None, as_of: datetime | None = None,
    require_evidence: bool = False,
) -> ExitAnswer:
    """The Exit Criteria of a PIT or SIT phase as of the position (``require_evidence``: a
    criterion whose Table 13.1 evidence is not recorded is NOT_EVIDENCED, §13.18-13.19)."""
    at = resolve(engine, as_of_position, as_of)
    with engine.connect() as conn:
        facts = exit_facts(conn, phase_id, at.position)
    if facts.phase.kind is PhaseKind.PIT:
        evaluation = evaluate_pit_exit(facts)
    elif facts.phase.kind is PhaseKind.SIT:
        evaluation = evaluate_sit_exit(facts, require_evidence=require_evidence)
    else:
        raise NotEvaluatedError(f"phase {phase_id!r} is {facts.phase.kind.value}: its exit criteria are "
                                "those of its Testing Approach Document (§12.3), not evaluated here")
    return ExitAnswer(at, phase_id, facts.phase.kind, evaluation)


def exit_facts(conn: Connection, phase_id: str, position: int, *, runs: bool = False) -> ExitFacts:
    """What an exit evaluation of ``phase_id`` reads: the phase and every phase; every issue (the
    thresholds count open issues of other phases, §13.21-13.27); the planned tests and Work Off
    Plans of the phase and its preceding phases (§12.9(h)); every document (each names its
    phases). A test keeps its latest result (A19): its runs are read only for §12.9(h)'s re-runs,
    or when ``runs``. Raises ``UnknownPhaseError``."""
    phases = _phases(conn, position)
    target = _phase(phases, phase_id, position)
    scope = (phase_id, *target.preceding_phase_ids)
    return ExitFacts(
        phase=target, phases=tuple(phases),
        issues=tuple(i for _, i in rows_at(conn, FactKind.ISSUE, position)),
        planned_tests=tuple(t for p in scope for _, t in rows_at(conn, FactKind.PLANNED_TEST, position, p,
                                                                 runs=runs or len(scope) > 1)),
        cycle_runs=tuple(r for _, r in rows_at(conn, FactKind.CYCLE_RUN, position, phase_id)),
        work_off_plans=tuple(w for p in scope for _, w in rows_at(conn, FactKind.WORK_OFF_PLAN, position, p)),
        documents=tuple(d for _, d in rows_at(conn, FactKind.DOCUMENT, position)),
    )


def _phases(conn: Connection, position: int) -> list[PhaseFact]:
    return [p for _, p in rows_at(conn, FactKind.PHASE, position)]


def _phase(phases: list[PhaseFact], phase_id: str, position: int) -> PhaseFact:
    found = next((p for p in phases if p.phase_id == phase_id), None)
    if found is None:
        raise UnknownPhaseError(phase_id, position)
    return found


__all__ = [
    "THRESHOLD_CONTEXTS",
    "AsOf",
    "ExitAnswer",
    "FindingRow",
    "FindingsAnswer",
    "HeatmapAnswer",
    "HeatmapRow",
    "MatterRow",
    "MattersAnswer",
    "NotEvaluatedError",
    "ThresholdsAnswer",
    "TraceRow",
    "TracedTest",
    "TtmAnswer",
    "UnknownPhaseError",
    "WorkOffAnswer",
    "WorkOffRow",
    "exit_criteria",
    "exit_facts",
    "facts_at",
    "findings",
    "heatmap",
    "matters",
    "position_as_of",
    "thresholds",
    "ttm",
    "work_off",
]
