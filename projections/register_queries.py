"""As-of queries of the registers: Work Off Plan deadlines (§15.1-15.2), matters and their
windows, and compliance findings (``ledger.findings``).

Re-exported by ``projections.queries``, which says how the as-of arguments are read. Deadlines
are judged on a day (``AsOf.judged_on``: that of the time asked for, else of when the ledger
reached the position; ``judged_on`` overrides it): a Working Day window ends at the end of its
last day (A38), so an item is overdue the day after.

Findings: the ``facts`` projection keeps, for each aggregate, the findings that need only that
aggregate as it stood (``fact_builders.findings_of``). Two checks also need the day judged on:
a matter pending past its referral window and a Work Off Plan item past its date. Their pure
functions take the aggregate, not facts, so ``findings`` runs them only when given the
application: it loads those aggregates (matters and plans only, a handful of events each) as
they stood at the position. With the application it also runs the checks that need several
aggregates at once (``projections.cross_findings``). The answer lists every check it did not run
(``not_checked``), and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.engine import Connection, Engine

from ledger.application import AKLedger
from ledger.calendar import LONDON
from ledger.findings.matters import pending_past_window
from ledger.findings.work_off_plans import overdue_items
from ledger.matter_values import MatterStatus, WindowedAct
from ledger.matters import Matter
from ledger.rules.deadlines import WORK_OFF_PLAN_WINDOWS
from ledger.work_off_plans import WorkOffPlan
from projections.as_of import AsOf, resolve, rows_at
from projections.cross_findings import FindingRow, aggregate_at, cross_aggregate_findings
from projections.fact_kinds import FactKind
from projections.report_facts import FindingsFact, MatterFact, WorkOffDeadlineFact

_CLAUSE_FOR_SEVERITY = {w.severity: w.clause for w in WORK_OFF_PLAN_WINDOWS}


@dataclass(frozen=True)
class WorkOffRow:
    """One Work Off Plan item: its deadline (``last_day``: the §15.1 date, or the TAB's for
    severity 1-2, A31), and whether it is ``overdue`` (unresolved after that day) on the day
    judged, or was ``resolved_late``."""

    reference: str
    phase_id: str
    issue_reference: str
    severity: int
    clause: str
    last_day: date | None
    due_ends_at: datetime | None
    tab_set: bool
    resolved_on: date | None
    overdue: bool
    days_overdue: int | None
    resolved_late: bool
    at_risk_since: date | None
    correction_plan_presented: bool
    plan_approved: bool
    plan_completed: bool


@dataclass(frozen=True)
class WorkOffAnswer:
    as_of: AsOf
    items: tuple[WorkOffRow, ...]


class MatterState(StrEnum):
    """Where a matter stands for the report: ``lapsed`` = raised, neither referred nor decided,
    and its referral window ended before the day judged (§13.4, §13.7, §13.26, §20.37)."""

    OPEN = "open"
    LAPSED = "lapsed"
    DETERMINED = "determined"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class MatterRow:
    reference: str | None
    matter_id: str
    route_id: str
    status: MatterStatus
    state: MatterState
    raised_at: datetime
    window_clause: str | None
    window_due: date | None
    window_ends_at: datetime | None
    referred_to: tuple[str, ...]
    determined_by: str | None
    outcome: str | None
    final_and_binding: bool


@dataclass(frozen=True)
class MattersAnswer:
    as_of: AsOf
    matters: tuple[MatterRow, ...]
    open: int
    lapsed: int
    determined: int
    withdrawn: int


@dataclass(frozen=True)
class FindingsAnswer:
    as_of: AsOf
    findings: tuple[FindingRow, ...]
    not_checked: tuple[str, ...]


def work_off(
    engine: Engine, phase_id: str | None = None, *, as_of_position: int | None = None,
    as_of: datetime | None = None, judged_on: date | None = None,
) -> WorkOffAnswer:
    """Every Work Off Plan item (of ``phase_id``'s plans) and its deadline, as of the position."""
    at = resolve(engine, as_of_position, as_of, judged_on)
    with engine.connect() as conn:
        items: list[WorkOffDeadlineFact] = [
            f for _, f in rows_at(conn, FactKind.WORK_OFF_DEADLINE, at.position, phase_id)]
    return WorkOffAnswer(at, tuple(_work_off_row(f, at.judged_on) for f in items))


def _work_off_row(item: WorkOffDeadlineFact, day: date) -> WorkOffRow:
    last = item.last_day
    overdue = last is not None and item.resolved_on is None and day > last
    return WorkOffRow(
        reference=item.reference, phase_id=item.phase_id, issue_reference=item.issue_reference,
        severity=item.severity, clause=_CLAUSE_FOR_SEVERITY.get(item.severity, "15.1"), last_day=last,
        due_ends_at=item.due_ends_at, tab_set=item.tab_due is not None, resolved_on=item.resolved_on,
        overdue=overdue, days_overdue=(day - last).days if overdue and last is not None else None,
        resolved_late=last is not None and item.resolved_on is not None and item.resolved_on > last,
        at_risk_since=item.at_risk_since, correction_plan_presented=item.correction_plan_presented,
        plan_approved=item.plan_approved, plan_completed=item.plan_completed,
    )


def matters(
    engine: Engine, *, as_of_position: int | None = None, as_of: datetime | None = None,
    judged_on: date | None = None,
) -> MattersAnswer:
    """Every matter as of the position: open, lapsed (window ended, not referred), determined,
    withdrawn."""
    at = resolve(engine, as_of_position, as_of, judged_on)
    with engine.connect() as conn:
        found: list[MatterFact] = [m for _, m in rows_at(conn, FactKind.MATTER, at.position)]
    rows = tuple(_matter_row(m, at.judged_on) for m in found)
    count = {s: sum(1 for r in rows if r.state is s) for s in MatterState}
    return MattersAnswer(at, rows, count[MatterState.OPEN], count[MatterState.LAPSED],
                         count[MatterState.DETERMINED], count[MatterState.WITHDRAWN])


def matter_state(matter: MatterFact, day: date) -> MatterState:
    """As ``ledger.findings.matters.pending_past_window`` reads a lapsed window (only a referral
    window lapses; no window runs for a decision once referred, A37)."""
    if matter.status is MatterStatus.DETERMINED:
        return MatterState.DETERMINED
    if matter.status is MatterStatus.WITHDRAWN:
        return MatterState.WITHDRAWN
    lapsed = (matter.status is MatterStatus.RAISED and matter.windowed_act is WindowedAct.REFERRAL
              and matter.window_due is not None and day > matter.window_due
              and matter.raised_at.astimezone(LONDON).date() <= day)
    return MatterState.LAPSED if lapsed else MatterState.OPEN


def _matter_row(m: MatterFact, day: date) -> MatterRow:
    return MatterRow(m.reference, m.matter_id, m.route_id, m.status, matter_state(m, day), m.raised_at,
                     m.window_clause, m.window_due, m.window_ends_at, m.referred_to, m.determined_by,
                     m.outcome, m.final_and_binding)


#: The checks ``projections.cross_findings`` runs (with the application), as ``not_checked`` names them.
_CROSS_AGGREGATE = (
    "ledger.findings.cycle_runs: exclusions against the issues, end-of-cycle runs before exit "
    "(need several aggregates: pass the application)",
    "ledger.findings.executions.executions_after_exit_proposed (needs the phase and its tests: pass "
    "the application)",
    "ledger.findings.phases: §12.3 approach approval, §7.3 direction (need documents, notices, release: "
    "pass the application)",
    "ledger.findings.ttm: requirements without scenario, of another baseline (need them: pass the "
    "application)",
    "ledger.findings.testing_issues.exit_decided_during_severity_dispute (§14.5: needs the phase's "
    "decisions: pass the application)",
)
#: The checks no query runs: an input they need is recorded nowhere in the ledger.
_NOT_RECORDED = (
    "ledger.findings.cycle_runs.device_sets_not_through_mt_end_of_cycle (§5.6): the ledger records "
    "no DMC for a Test Phase or its runs (a phase names a planned EPCL entry), so the MT runs 'for "
    "the same DMC' cannot be chosen",
    "ledger.findings.testing_issues.exclusion_applied_without_agreement (§13.25): no event records a "
    "threshold count and the issues it left out (catalogue I19 is derived, not recorded)",
)
_DATED = (
    "ledger.findings.matters.pending_past_window (judged on a day: pass the application)",
    "ledger.findings.work_off_plans.overdue_items (judged on a day: pass the application)",
)


def findings(
    engine: Engine, *, as_of_position: int | None = None, as_of: datetime | None = None,
    judged_on: date | None = None, app: AKLedger | None = None,
) -> FindingsAnswer:
    """The findings on each aggregate as it stood at the position; with ``app``, also those
    judged on the day and those that need several aggregates (see the module)."""
    at = resolve(engine, as_of_position, as_of, judged_on)
    with engine.connect() as conn:
        stored: list[FindingsFact] = [f for _, f in rows_at(conn, FactKind.FINDINGS, at.position)]
        rows = [FindingRow(f.source, f.subject, x.clause, x.what, x.event_ids)
                for f in stored for x in f.findings]
        if app is None:
            return FindingsAnswer(at, tuple(rows), (*_DATED, *_CROSS_AGGREGATE, *_NOT_RECORDED))
        rows += _dated_findings(app, conn, at)
        rows += cross_aggregate_findings(app, conn, at.position)
    return FindingsAnswer(at, tuple(rows), _NOT_RECORDED)


def _dated_findings(app: AKLedger, conn: Connection, at: AsOf) -> list[FindingRow]:
    rows = []
    for _, m in rows_at(conn, FactKind.MATTER, at.position):
        matter = aggregate_at(app, conn, m.matter_id, at.position)
        assert isinstance(matter, Matter)
        rows += [FindingRow(FactKind.MATTER.value, m.reference or m.matter_id, f.clause, f.what, f.event_ids)
                 for f in pending_past_window(matter, at.judged_on)]
    for _, p in rows_at(conn, FactKind.WORK_OFF_PLAN, at.position):
        plan = aggregate_at(app, conn, p.plan_id, at.position)
        assert isinstance(plan, WorkOffPlan)
        rows += [FindingRow(FactKind.WORK_OFF_PLAN.value, plan.reference, f.clause, f.what, f.event_ids)
                 for f in overdue_items(plan, at.judged_on)]
    return rows


__all__ = [
    "FindingRow",
    "FindingsAnswer",
    "MatterRow",
    "MatterState",
    "MattersAnswer",
    "WorkOffAnswer",
    "WorkOffRow",
    "aggregate_at",
    "findings",
    "matter_state",
    "matters",
    "work_off",
]
