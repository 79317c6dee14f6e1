"""What each dashboard page shows, gathered from the read side's as-of queries.

One function per view, each taking the ledger, where the answer stands (``AsOf``: every query is
asked as of that one position and judged on its day) and the page's filters, and returning the
template's context. The rules are the queries' (``projections.queries``, ``dmct_queries``); this
module only arranges their answers for the page: the heatmap into a grid with a band per pass
rate, the threshold counts into gauges against their limits, filters applied to the rows.

A filter naming nothing recorded as of the position raises the query's own error
(``UnknownPhaseError``, ``UnknownDmcError``) or ``DashboardInputError`` naming the parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from api.dashboard.moment import DashboardInputError
from api.query_views import STATUS_FAMILIES, family_of
from ledger.application import AKLedger
from ledger.rules.dmct_statuses import DmctStatus
from ledger.rules.phase_kinds import PhaseKind
from ledger.rules.thresholds import COLUMNS
from projections import dmct_queries, queries
from projections.as_of import AsOf, facts_at
from projections.fact_kinds import FactKind
from projections.queries import HeatmapRow, UnknownPhaseError
from projections.register_queries import MatterState
from projections.report_facts import DmctEntryFact
from projections.rules.facts import PhaseFact
from projections.rules.thresholds import ThresholdCount

#: Pass-rate bands of a heatmap cell (passed / planned, %), best first: (floor, CSS class, label).
#: A blue-to-brown scale (ColorBrewer, safe for the common colour blindnesses), and every cell
#: also says its numbers, so colour is never the only signal.
BANDS: tuple[tuple[int, str, str], ...] = (
    (100, "band-100", "all passed"), (75, "band-75", "75-99% passed"), (50, "band-50", "50-74% passed"),
    (25, "band-25", "25-49% passed"), (0, "band-0", "under 25% passed"))
EXIT_KINDS = (PhaseKind.PIT, PhaseKind.SIT)  # Appendix AK sets exit criteria for these (§12.9)


def phases(lg: AKLedger, at: AsOf) -> list[PhaseFact]:
    found: list[PhaseFact] = facts_at(lg.engine, FactKind.PHASE, at.position)
    return sorted(found, key=lambda p: (phase_label(p), p.phase_id))


def _chosen(all_phases: list[PhaseFact], phase: str | None, at: AsOf) -> list[PhaseFact]:
    if not phase:
        return all_phases
    chosen = [p for p in all_phases if p.phase_id == phase]
    if not chosen:
        raise UnknownPhaseError(phase, at.position)
    return chosen


# -- threshold gauges and the exit-criteria board --------------------------------------------------


@dataclass(frozen=True)
class Gauge:
    """One severity's count against its limit, as widths (% of the gauge) for the bar."""

    severity: int
    limit: int
    count: int
    verdict: str
    within: float
    limit_at: float
    over: float
    counted: tuple[str, ...]
    excluded: tuple[str, ...]
    pending: tuple[str, ...]


def gauges(count: ThresholdCount) -> dict[str, Any]:
    heading = next(c.heading for c in COLUMNS if c.scope is count.column)
    rows = []
    for r in count.rows:
        scale = max(r.count, r.limit, 1)
        rows.append(Gauge(
            r.severity, r.limit, r.count, r.verdict.value, min(r.count, r.limit) * 100 / scale,
            r.limit * 100 / scale, max(0, r.count - r.limit) * 100 / scale,
            tuple(f"{c.reference} (§{c.clause})" for c in r.counted),
            tuple(f"{x.reference} (§{x.clause}: {x.reason})" for x in r.excluded),
            tuple(f"{p.reference} (§{p.clause}: {p.reason})" for p in r.pending)))
    return {"title": f"{count.unit}: Table {count.table.value} {heading}", "note": count.scope_note,
            "verdict": count.verdict.value, "rows": rows, "clauses": count.clauses,
            "unclassified": [f"{p.reference} (§{p.clause}: {p.reason})" for p in count.unclassified]}


def phase_label(p: PhaseFact) -> str:
    """How a phase is named on the page (its id is a UUID): kind, release, and what it is per."""
    per = " · ".join(x for x in (p.service_provider, p.epcl_entry) if x)
    return f"{p.kind.value.upper()} {p.capability.value.upper()}" + (f" · {per}" if per else "")


def thresholds(lg: AKLedger, at: AsOf, params: Mapping[str, str]) -> dict[str, Any]:
    """A summary of every phase's threshold counts and each planned EPCL entry's Table 20.1; the
    gauges of the ``phase`` or ``entry`` chosen."""
    every = phases(lg, at)
    phase, entry = params.get("phase") or None, params.get("entry") or None
    _chosen(every, phase, at)
    boards: list[dict[str, Any]] = []
    for p in every:
        answer = queries.thresholds(lg.engine, p.phase_id, as_of_position=at.position)
        boards.append({"subject": p.phase_id, "label": phase_label(p), "key": "phase",
                       "verdict": answer.verdict.value, "counts": [gauges(c) for c in answer.counts]})
    entries: list[DmctEntryFact] = sorted(facts_at(lg.engine, FactKind.DMCT_ENTRY, at.position),
                                          key=lambda e: e.entry_id)
    if entry is not None and entry not in {e.entry_id for e in entries}:
        raise dmct_queries.UnknownEntryError(entry, at.position)
    for e in entries:
        dmct = dmct_queries.dmct_thresholds(lg.engine, e.entry_id, as_of_position=at.position)
        boards.append({"subject": e.entry_id, "label": f"{e.entry_id} · DMCT, {e.dmc_id}", "key": "entry",
                       "verdict": dmct.verdict.value, "counts": [gauges(c) for c in dmct.counts],
                       "uncounted": dmct.uncounted_issue_ids})
    shown = [b for b in boards if b["subject"] in (phase, entry)]
    return {"phases": every, "phase": phase or "", "entry": entry or "", "boards": boards, "shown": shown,
            "entries": [e.entry_id for e in entries]}


def exit_board(lg: AKLedger, at: AsOf, params: Mapping[str, str]) -> dict[str, Any]:
    """The Exit Criteria of every PIT and SIT phase (§12.9, Table 13.1), each with its verdict."""
    every = phases(lg, at)
    evidence = params.get("require_evidence") == "on"
    cards = []
    for p in _chosen(every, params.get("phase"), at):
        if p.kind not in EXIT_KINDS:
            continue
        answer = queries.exit_criteria(lg.engine, p.phase_id, as_of_position=at.position,
                                       require_evidence=evidence)
        cards.append({"phase": p, "label": phase_label(p), "evaluation": answer.evaluation})
    others = [phase_label(p) for p in every if p.kind not in EXIT_KINDS]
    return {"phases": every, "phase": params.get("phase", ""), "cards": cards, "others": others,
            "require_evidence": evidence, "matrix": _matrix(cards)}


def _matrix(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Criterion (rows, in the order first met) x phase (columns): each phase's result or None."""
    rows: dict[str, dict[str, Any]] = {}
    for c in (c for card in cards for c in card["evaluation"].criteria):
        rows.setdefault(c.criterion, {"criterion": c.criterion, "title": c.title, "clauses": c.clauses})
    for row in rows.values():
        row["cells"] = [next((c for c in card["evaluation"].criteria if c.criterion == row["criterion"]),
                             None) for card in cards]
    return list(rows.values())


# -- the DMCT Status List --------------------------------------------------------------------------


FAMILIES = [family for family, _, _ in STATUS_FAMILIES]


def dmct(lg: AKLedger, at: AsOf, params: Mapping[str, str]) -> dict[str, Any]:
    """The DMCT Status List (of ``dmc``), only a status ``family`` or lines with ``clocks=open``."""
    answer = dmct_queries.dmct_status(lg.engine, params.get("dmc") or None, as_of_position=at.position,
                                      judged_on=at.judged_on)
    family = params.get("family") or ""
    if family and family not in FAMILIES:
        raise DashboardInputError("family", f"{family[:60]!r} is not a status family ({'; '.join(FAMILIES)})")
    rows: list[dict[str, Any]] = []
    shown_clocks = 0
    for r in answer.rows:
        name, _ = family_of(DmctStatus(r.code))
        if (family and name != family) or (params.get("clocks") == "open" and not r.clocks):
            continue
        rows.append({"row": r, "family": name, "family_index": FAMILIES.index(name)})
        shown_clocks += len(r.clocks)
    every = dmct_queries.dmct_status(lg.engine, as_of_position=at.position, judged_on=at.judged_on)
    return {"answer": answer, "rows": rows, "families": FAMILIES, "family": family,
            "dmcs": sorted({r.dmc_id for r in every.rows}), "dmc": params.get("dmc", ""),
            "clocks": params.get("clocks", ""), "open_clocks": shown_clocks}


# -- traceability: TTM and heatmap ----------------------------------------------------------------


def ttm(lg: AKLedger, at: AsOf, params: Mapping[str, str]) -> dict[str, Any]:
    """The TTM of ``phase`` (default: the first phase with planned tests, else the first)."""
    every = phases(lg, at)
    _chosen(every, params.get("phase"), at)
    phase = params.get("phase") or _default_phase(lg, at, every)
    answer = None if phase is None else queries.ttm(lg.engine, phase, as_of_position=at.position)
    return {"phases": every, "phase": phase or "", "answer": answer}


def _default_phase(lg: AKLedger, at: AsOf, every: list[PhaseFact]) -> str | None:
    tested = {t.phase_id for t in facts_at(lg.engine, FactKind.PLANNED_TEST, at.position, runs=False)}
    return next((p.phase_id for p in every if p.phase_id in tested), every[0].phase_id if every else None)


def heatmap(lg: AKLedger, at: AsOf, params: Mapping[str, str]) -> dict[str, Any]:
    """Functional group x DMC (of ``phase``, or every phase), or with ``by=phase`` group x phase."""
    by = params.get("by") or "dmc"
    if by not in ("dmc", "phase"):
        raise DashboardInputError("by", f"{by[:40]!r}: columns are by 'dmc' or by 'phase'")
    every = phases(lg, at)
    phase = params.get("phase") or None
    if by == "phase":
        _chosen(every, phase, at)
        rows, total = _by_phase(lg, at, [p.phase_id for p in every if phase in (None, p.phase_id)])
    else:
        answer = queries.heatmap(lg.engine, phase, as_of_position=at.position)
        if phase is not None:
            _chosen(every, phase, at)
        rows, total = list(answer.rows), answer.total
    columns = sorted({r.dmc for r in rows}, key=lambda d: d or "")
    groups = sorted({r.functional_group for r in rows}, key=lambda g: g or "")
    found = {(r.functional_group, r.dmc): r for r in rows}
    grid = [{"group": g, "cells": [cell(found.get((g, c))) for c in columns]} for g in groups]
    return {"phases": every, "phase": phase or "", "by": by, "columns": columns, "grid": grid,
            "total": total, "total_cell": cell(total), "bands": BANDS}


def _by_phase(lg: AKLedger, at: AsOf, phase_ids: Iterable[str]) -> tuple[list[HeatmapRow], HeatmapRow]:
    """Group x phase: each phase's heatmap summed over its DMCs (the row's ``dmc`` holds the phase)."""
    rows: list[HeatmapRow] = []
    for phase_id in phase_ids:
        answer = queries.heatmap(lg.engine, phase_id, as_of_position=at.position)
        groups = {r.functional_group for r in answer.rows}
        rows += [_sum(g, phase_id, [r for r in answer.rows if r.functional_group == g]) for g in groups]
    return rows, _sum(None, None, rows)


def _sum(group: str | None, column: str | None, rows: list[HeatmapRow]) -> HeatmapRow:
    counted = ("planned", "executed", "passed", "failed", "not_run", "witnessed", "descoped")
    sums = {f: sum(getattr(r, f) for r in rows) for f in counted}
    share = sums["executed"] * 100 // sums["planned"] if sums["planned"] else None
    return HeatmapRow(group, column, **sums, coverage_percent=share)


def cell(row: HeatmapRow | None) -> dict[str, Any]:
    """A grid cell: its band (``empty``, ``uncovered``, ``not-run`` or a pass-rate band), label
    and counts. Not run means planned with no result yet: hatched, whatever the band."""
    if row is None:
        return {"kind": "empty", "label": "nothing planned"}
    if row.planned == 0:
        label = f"{row.descoped} de-scoped, none planned" if row.descoped else "selected, no planned test"
        return {"kind": "uncovered", "label": label, "row": row}
    rate = row.passed * 100 // row.planned
    floor, band, label = next(b for b in BANDS if rate >= b[0])
    kind = "not-run" if row.executed == 0 else band
    return {"kind": kind, "band": band, "rate": rate, "label": label, "row": row,
            "partly_run": 0 < row.not_run < row.planned, "floor": floor}


# -- the registers ---------------------------------------------------------------------------------


def work_off(lg: AKLedger, at: AsOf, params: Mapping[str, str]) -> dict[str, Any]:
    every = phases(lg, at)
    phase = params.get("phase") or None
    if phase is not None:
        _chosen(every, phase, at)
    answer = queries.work_off(lg.engine, phase, as_of_position=at.position, judged_on=at.judged_on)
    items = sorted(answer.items, key=lambda i: (i.resolved_on is not None, i.last_day or at.judged_on))
    return {"phases": every, "phase": phase or "", "items": items,
            "overdue": sum(1 for i in items if i.overdue)}


def matters(lg: AKLedger, at: AsOf, params: Mapping[str, str]) -> dict[str, Any]:
    state = params.get("state") or ""
    if state and state not in {s.value for s in MatterState}:
        raise DashboardInputError("state", f"{state[:40]!r} is not one of {', '.join(MatterState)}")
    answer = queries.matters(lg.engine, as_of_position=at.position, judged_on=at.judged_on)
    rows = [m for m in answer.matters if not state or m.state.value == state]
    return {"answer": answer, "rows": rows, "state": state, "states": [s.value for s in MatterState]}


def findings(lg: AKLedger, at: AsOf, params: Mapping[str, str]) -> dict[str, Any]:
    answer = queries.findings(lg.engine, as_of_position=at.position, judged_on=at.judged_on, app=lg)
    sources = sorted({f.source for f in answer.findings})
    source = params.get("source") or ""
    if source and source not in sources:
        raise DashboardInputError("source", f"{source[:40]!r}: no finding about a {source[:40]} as of "
                                  f"position {at.position} ({', '.join(sources) or 'none'})")
    rows = [f for f in answer.findings if not source or f.source == source]
    return {"answer": answer, "rows": rows, "sources": sources, "source": source}


__all__ = ["BANDS", "FAMILIES", "cell", "dmct", "exit_board", "findings", "gauges", "heatmap", "matters",
           "phase_label", "phases", "thresholds", "ttm", "work_off"]
