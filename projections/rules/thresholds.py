"""Testing Issue Threshold counts: Tables 13.2, 13.3 and 20.1 applied to the extant issues.

``threshold_counts(context, scope_id, issues, ...)`` returns one ``ThresholdCount`` per counting
unit the applicable table defines (``ledger.rules.thresholds.which_table``, catalogue 5.4):

* Table 13.2 (PIT, SIT for IOC, SMETS1 Interface Testing, SCT; §13.22): one count per DCC Service
  Provider, an issue counting against each provider it is attributed to; unattributed issues in a
  count of their own, flagged (A9, T5).
* Table 13.3 (SIT for MOC/FOC; §13.23): (a) the SIT Test Phase, (b) the aggregate (A10).
* Table 20.1 (DMCT; §20.28): (a) the planned EPCL entry, (b) the aggregate (A11).

Each count gives per severity the limit, the counted, excluded and pending issues and a verdict;
a count passes when every severity is at or below its limit (``within_threshold``; §12.9(c)).
A pending severity dispute counts at the DCC's severity (§14.4); the verdict is BLOCKED when
TAG determining it the proposed way could change the outcome (§14.5) -- likewise a §13.28
candidate TAG has not yet determined (§13.28(e)). A threshold exclusion applies to the counts of
the phase (or DMCT entry) it names; in an aggregate, also one agreed for the phase (or entry) the
issue belongs to (§13.25 excludes it "for the purposes of calculating whether the Testing Issue
Threshold has been exceeded"). Thresholds for Migration Test Phases (MTAD) and
SMETS1 Uplift (its TAD) are set elsewhere: no count is returned for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from ledger.rules.phase_kinds import OperatingCapability, PhaseKind
from ledger.rules.thresholds import (
    ThresholdContext,
    ThresholdScope,
    ThresholdTable,
    limit_for,
    which_table,
    within_threshold,
)
from projections.rules.errors import RulesEngineError
from projections.rules.extant import (
    Assessed,
    CountBasis,
    Status,
    assess,
    dmct_scope,
    interface_testing_scope,
    phase_scope,
    sit_aggregate_scope,
)
from projections.rules.facts import IssueFact, PhaseFact
from projections.rules.verdicts import Verdict, combine

SEVERITIES = range(1, 6)
UNATTRIBUTED = "(unattributed)"  # the unit of Table 13.2 issues naming no provider (A9)
COLLECTIVE = "(all DCC Service Providers)"  # Tables 13.3 and 20.1 (§13.23, §20.28)
_MAX_ENUMERATED = 12  # pending moves enumerated exactly; beyond, per-severity bounds decide
_C, _S = ThresholdContext, ThresholdScope
_PHASE_KIND = {_C.PIT: PhaseKind.PIT, _C.SIT_IOC: PhaseKind.SIT, _C.SCT: PhaseKind.SCT,
               _C.SMETS1_INTERFACE_TESTING_IOC: PhaseKind.UTS, _C.SIT_MOC_FOC: PhaseKind.SIT}


@dataclass(frozen=True)
class CountedIssue:
    reference: str
    basis: CountBasis
    clause: str


@dataclass(frozen=True)
class ExcludedIssue:
    reference: str
    clause: str
    reason: str


@dataclass(frozen=True)
class PendingIssue:
    """An issue awaiting a determination. ``counted``: counted meanwhile. ``blocking``: the
    determination must be made before a decision (§14.5, §13.28(e)); ``could_change_outcome``: it
    alone, decided the other way, would change the count's verdict."""

    reference: str
    clause: str
    reason: str
    counted: bool
    blocking: bool
    could_change_outcome: bool


@dataclass(frozen=True)
class SeverityCount:
    severity: int
    limit: int
    counted: tuple[CountedIssue, ...]
    excluded: tuple[ExcludedIssue, ...]
    pending: tuple[PendingIssue, ...]
    verdict: Verdict

    @property
    def count(self) -> int:
        return len(self.counted)

    @property
    def counted_ids(self) -> tuple[str, ...]:
        return tuple(c.reference for c in self.counted)


@dataclass(frozen=True)
class ThresholdCount:
    """One count: ``subject_id`` the phase or planned entry; ``unit`` the DCC Service Provider,
    ``UNATTRIBUTED`` or ``COLLECTIVE``; ``scope_note`` what the count takes in (A10, A11)."""

    context: ThresholdContext
    table: ThresholdTable
    column: ThresholdScope
    subject_id: str
    unit: str
    scope_note: str
    rows: tuple[SeverityCount, ...]
    unclassified: tuple[PendingIssue, ...]
    verdict: Verdict
    clauses: tuple[str, ...]
    excluded_unclassified: tuple[ExcludedIssue, ...] = ()  # excluded before any severity was set

    def row(self, severity: int) -> SeverityCount:
        return self.rows[severity - 1]

    @property
    def fact_ids(self) -> tuple[str, ...]:
        return tuple(sorted({c.reference for r in self.rows for c in r.counted}))


def threshold_counts(
    context: ThresholdContext, scope_id: str, issues: Iterable[IssueFact], *,
    phases: Sequence[PhaseFact] = (), dmct_entry_ids: Iterable[str] = (),
) -> list[ThresholdCount]:
    """The counts gating ``context`` for ``scope_id`` (a phase id; for DMCT a planned EPCL entry
    id). ``phases`` must hold the phase ``scope_id`` names; ``dmct_entry_ids``: the planned
    entries in DMCT, for the Table 20.1(b) aggregate. Raises ``RulesEngineError`` if the phase is
    missing or of another kind or release than ``context`` applies to."""
    listed = list(issues)
    applies = which_table(context)
    if applies.table is None:
        return []
    if context is _C.DMCT_PLANNED_EPCL_ENTRY:
        entries = tuple(dmct_entry_ids)
        return [
            _count(context, _S.DMCT_PLANNED_EPCL_ENTRY, scope_id, COLLECTIVE,
                   "open Testing Issues in respect of this planned EPCL entry (§20.28(a))",
                   [assess(i, b, (scope_id,), dmct=True) for i, b in dmct_scope(scope_id, listed, entries,
                                                                                  aggregate=False)]),
            _count(context, _S.DMCT_AGGREGATE, scope_id, COLLECTIVE,
                   "A11: open issues of this entry, raised in DMCT testing, or linked to any planned "
                   "entry in DMCT",
                   [assess(i, b, (scope_id, *(e for e in i.epcl_entry_ids if e in entries)), dmct=True)
                    for i, b in dmct_scope(scope_id, listed, entries, aggregate=True)]),
        ]
    target = _target(context, scope_id, phases)
    if context is _C.SIT_MOC_FOC:
        own = [assess(i, b, (scope_id,), counting_phase=scope_id) for i, b in phase_scope(target, listed)]
        wide = [assess(i, b, (scope_id, i.phase_id), counting_phase=scope_id)
                for i, b in sit_aggregate_scope(target, listed)]
        return [
            _count(context, _S.SIT_MOC_FOC_PHASE, scope_id, COLLECTIVE,
                   "§13.21 raised in the phase or an earlier IOC/MOC SIT phase; §13.24 affecting its "
                   "planned EPCL entry; §13.27 SCT issues TAG counts", own),
            _count(context, _S.SIT_MOC_FOC_AGGREGATE, scope_id, COLLECTIVE,
                   f"A10: the phase's extant issues plus open issues of every {target.capability.value} "
                   "SIT Test Phase and §13.21 carry-forward", wide),
        ]
    if context is _C.SMETS1_INTERFACE_TESTING_IOC:
        scoped = interface_testing_scope(target, listed)
        note = "§13.28 (a)-(c) candidates presented to TAG and issues raised in the phase; TAG counts (e)"
    else:
        scoped = phase_scope(target, listed)
        note = "§13.21 raised in the phase or an equivalent earlier IOC/MOC phase"
        if context is _C.SIT_IOC:
            note += "; §13.27 SCT issues TAG counts"
    assessed = [assess(i, b, (scope_id,), counting_phase=scope_id) for i, b in scoped]
    column = applies.scopes[0]
    named = {target.service_provider} if target.service_provider else set()  # PIT: always its own
    providers = sorted({p for a in assessed for p in a.issue.service_providers} | named)
    counts = [_count(context, column, scope_id, p, note + f"; attributed to {p} (§13.22)",
                     [a for a in assessed if p in a.issue.service_providers]) for p in providers]
    loose = [a for a in assessed if not a.issue.service_providers]
    if loose:
        counts.append(_count(context, column, scope_id, UNATTRIBUTED,
                             note + "; attributed to no DCC Service Provider (A9: flagged)", loose))
    return counts


def counts_verdict(counts: Sequence[ThresholdCount]) -> Verdict:
    """All counts must pass (Table 13.3 and 20.1: both columns; Table 13.2: every provider)."""
    return combine(c.verdict for c in counts) if counts else Verdict.PASS


def _target(context: ThresholdContext, scope_id: str, phases: Sequence[PhaseFact]) -> PhaseFact:
    target = next((p for p in phases if p.phase_id == scope_id), None)
    if target is None:
        raise RulesEngineError(f"no phase fact for {scope_id!r}: the {context.value} count needs it")
    moc_foc = target.capability in (OperatingCapability.MOC, OperatingCapability.FOC)
    fits = target.kind is _PHASE_KIND[context] and (
        context not in (_C.SIT_IOC, _C.SIT_MOC_FOC) or moc_foc == (context is _C.SIT_MOC_FOC))
    if not fits:
        raise RulesEngineError(f"phase {scope_id!r} is {target.kind.value} for {target.capability.value}: "
                               f"the {context.value} thresholds do not apply to it (catalogue 5.4)")
    return target


# -- counting ---------------------------------------------------------------------------------------

Move = tuple[int | None, int | None]  # a pending determination moves an issue between rows


def _count(
    context: ThresholdContext, column: ThresholdScope, subject_id: str, unit: str, scope_note: str,
    assessed: list[Assessed],
) -> ThresholdCount:
    table = which_table(context).table
    assert table is not None
    limits = {s: limit_for(table, s, column) for s in SEVERITIES}
    base = {s: sum(1 for a in assessed if a.status is Status.COUNTED and a.severity == s) for s in SEVERITIES}
    moves: list[Move] = [(a.severity, a.dispute_to) for a in assessed if a.dispute_to is not None]
    moves += [(None, a.severity) for a in assessed
              if a.status is Status.UNDETERMINED and a.severity is not None]
    loose = unit == UNATTRIBUTED
    now = _static(base, limits, loose)

    def changes(move: Move) -> bool:
        return _static(_apply(base, [move]), limits, loose) is not now

    rows = []
    for s in SEVERITIES:
        here = [a for a in assessed if a.severity == s]
        pending = [_pending(a, changes) for a in here if a.status is not Status.EXCLUDED]
        pending += [[PendingIssue(a.issue.reference, "14.5", f"severity disputed: TAG may determine {s} "
                                  f"instead of the DCC's {a.severity} (§14.4)", False, True,
                                  changes((a.severity, s)))]
                    for a in assessed if a.dispute_to == s]
        rows.append(SeverityCount(
            severity=s, limit=limits[s],
            counted=tuple(CountedIssue(a.issue.reference, a.basis, a.clause)
                          for a in here if a.status is Status.COUNTED),
            excluded=tuple(ExcludedIssue(a.issue.reference, a.clause, a.reason)
                           for a in here if a.status is Status.EXCLUDED),
            pending=tuple(p for group in pending for p in group),
            verdict=_row_verdict(base[s], limits[s], moves, s, loose),
        ))
    unclassified = tuple(  # could change the outcome unless it is not counted meanwhile anyway
        PendingIssue(a.issue.reference, a.clause, f"{a.reason}; no severity determined (§13.22)"
                     if a.status is not Status.UNCLASSIFIED else a.reason, False, False,
                     a.status is not Status.PENDING)
        for a in assessed if a.severity is None and a.status is not Status.EXCLUDED)
    verdict = _overall(base, limits, moves, loose, [r.verdict for r in rows])
    if verdict is Verdict.PASS and any(u.could_change_outcome for u in unclassified):
        verdict = Verdict.NOT_EVIDENCED
    clauses = list(_column_clauses(context, column))
    if any(a.dispute_to is not None for a in assessed):
        clauses += ["14.4", "14.5"]
    if any(a.status is Status.UNDETERMINED for a in assessed):
        clauses.append("13.28(e)")
    excluded_loose = tuple(ExcludedIssue(a.issue.reference, a.clause, a.reason)
                           for a in assessed if a.severity is None and a.status is Status.EXCLUDED)
    return ThresholdCount(context, table, column, subject_id, unit, scope_note, tuple(rows), unclassified,
                          verdict, tuple(dict.fromkeys(clauses)), excluded_loose)


def _pending(a: Assessed, changes: Callable[[Move], bool]) -> list[PendingIssue]:
    """The pending entries of one issue in its row (notes on a counted issue, a dispute, or an
    outstanding counting decision)."""
    ref, counted = a.issue.reference, a.status is Status.COUNTED
    out = []
    if a.dispute_to is not None:
        note = next(n for n in a.notes if n.clause == "14.5")
        out.append(PendingIssue(ref, "14.5", note.reason, True, True, changes((a.severity, a.dispute_to))))
    if a.status is Status.UNDETERMINED:
        out.append(PendingIssue(ref, a.clause, a.reason, False, True, changes((None, a.severity))))
    if a.status is Status.PENDING:
        out.append(PendingIssue(ref, a.clause, a.reason, False, False, changes((None, a.severity))))
    for n in a.notes:
        if n.clause != "14.5":
            could = changes((a.severity, None)) if counted else False
            out.append(PendingIssue(ref, n.clause, n.reason, counted, False, could))
    return out


def _apply(base: dict[int, int], moves: Iterable[Move]) -> dict[int, int]:
    counts = dict(base)
    for source, dest in moves:
        if source is not None:
            counts[source] -= 1
        if dest is not None:
            counts[dest] += 1
    return counts


def _static(counts: dict[int, int], limits: dict[int, int], loose: bool) -> Verdict:
    """The verdict of settled counts: PASS when every severity is at or below its limit."""
    if loose:
        return combine(_row_verdict(counts[s], limits[s], [], s, True) for s in SEVERITIES)
    return Verdict.PASS if all(within_threshold(counts[s], limits[s]) for s in SEVERITIES) else Verdict.FAIL


def _row_verdict(count: int, limit: int, moves: list[Move], severity: int, loose: bool) -> Verdict:
    """PASS/FAIL when every outcome of the pending moves agrees for this severity, else BLOCKED.
    Unattributed (A9): nothing to count passes; any issue fails a limit of 0 (it exceeds the
    limit of whichever provider it is attributed to); otherwise the attribution is missing."""
    low = count - sum(1 for s, _ in moves if s == severity)
    high = count + sum(1 for _, d in moves if d == severity)
    if loose and high > 0 and limit > 0:
        return Verdict.NOT_EVIDENCED
    if within_threshold(high, limit):
        return Verdict.PASS
    return Verdict.FAIL if not within_threshold(low, limit) else Verdict.BLOCKED


def _overall(
    base: dict[int, int], limits: dict[int, int], moves: list[Move], loose: bool, rows: list[Verdict]
) -> Verdict:
    """The verdict every combination of pending determinations agrees on, else BLOCKED (§14.5).
    Beyond ``_MAX_ENUMERATED`` moves the per-severity verdicts decide (exact for FAIL)."""
    if len(moves) > _MAX_ENUMERATED:
        return combine(rows)
    outcomes = {_static(_apply(base, chosen), limits, loose)
                for k in range(len(moves) + 1) for chosen in combinations(moves, k)}
    return outcomes.pop() if len(outcomes) == 1 else Verdict.BLOCKED


_COLUMN_CLAUSES = {_S.SIT_MOC_FOC_PHASE: "13.23(a)", _S.SIT_MOC_FOC_AGGREGATE: "13.23(b)",
                   _S.DMCT_PLANNED_EPCL_ENTRY: "20.28(a)", _S.DMCT_AGGREGATE: "20.28(b)"}
# What the count gates: Exit Criteria (§12.9(c)), SMETS1 Interface Testing exit (§13.21), DMCT (§20.28).
_GATE_CLAUSES = {_C.DMCT_PLANNED_EPCL_ENTRY: "20.28", _C.SMETS1_INTERFACE_TESTING_IOC: "13.21"}


def _column_clauses(context: ThresholdContext, column: ThresholdScope) -> tuple[str, ...]:
    applies = which_table(context)
    assert applies.table is not None
    head = [_COLUMN_CLAUSES[column]] if column in _COLUMN_CLAUSES else []
    gate = _GATE_CLAUSES.get(context, "12.9(c)")
    return tuple(dict.fromkeys([f"Table {applies.table.value}", *applies.clauses, *head, gate]))


__all__ = [
    "COLLECTIVE",
    "UNATTRIBUTED",
    "CountedIssue",
    "ExcludedIssue",
    "PendingIssue",
    "SeverityCount",
    "ThresholdCount",
    "counts_verdict",
    "threshold_counts",
]
