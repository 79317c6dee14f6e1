"""Compliance findings on Work Off Plans: recorded, then flagged, never refused (§15, §12.9(h)).

Catalogue Appendix, append-time checks: "WOP item past due with no correction plan presented to
TAB" (§15.2). Also flagged: an item unresolved past its §15.1(a)-(c) date as of a given day, or
resolved after it; a deadline identified at risk with no correction plan presented since (§15.2);
a plan not approved by the TAB (§15.1); a severity 1-2 item with no TAB-set date (A31: §15.1 sets
none); an item resolved without a retest execution (§12.9(h)). Each check is a pure function of
the recorded plan (and, for lateness, the day it is judged on).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ledger.findings import Finding
from ledger.rules.deadlines import WORK_OFF_PLAN_WINDOWS
from ledger.work_off_plans import WorkOffItem, WorkOffPlan

_CLAUSE_FOR_SEVERITY = {w.severity: w.clause for w in WORK_OFF_PLAN_WINDOWS}


def _last_day(item: WorkOffItem) -> date | None:
    return item.due.due if item.due is not None else item.tab_due


def overdue_items(plan: WorkOffPlan, as_of: date) -> Iterator[Finding]:
    """Items unresolved after their due date as of ``as_of``, or resolved after it. Judged on
    dates: a Working Day window ends at the end of its last day (A38)."""
    for item in plan.items.values():
        last_day = _last_day(item)
        if last_day is None:
            continue
        clause = _CLAUSE_FOR_SEVERITY.get(item.severity, "15.1")
        where = f"{plan.label}: severity {item.severity} Testing Issue {item.issue_id!r} due {last_day}"
        if item.resolved_on is None and as_of > last_day:
            presented = any(item.issue_id in c.issue_ids for c in plan.correction_plans)
            extra = "" if presented else "; no correction plan presented to the TAB (§15.2)"
            yield Finding(clause, f"{where} is unresolved as of {as_of}{extra}", (plan.event_id(1),))
        elif item.resolved_on is not None and item.resolved_on > last_day and item.resolved_version:
            yield Finding(clause, f"{where} was resolved late, on {item.resolved_on}",
                          (plan.event_id(1), plan.event_id(item.resolved_version)))


def at_risk_without_correction_plan(plan: WorkOffPlan) -> Iterator[Finding]:
    """A deadline identified at risk, with no correction plan covering its items presented since
    (§15.2: "as soon as reasonably practicable" after awareness; no number of days is set, TR5)."""
    for risk in plan.at_risk:
        later = [c for c in plan.correction_plans if c.version > risk.version]
        missing = [i for i in risk.issue_ids if not any(i in c.issue_ids for c in later)]
        if missing:
            yield Finding(
                "15.2",
                f"{plan.label}: deadline at risk for {', '.join(missing)} (aware on {risk.aware_on}) "
                "but no correction plan was presented to the TAB",
                (plan.event_id(risk.version),),
            )


def not_approved_by_tab(plan: WorkOffPlan) -> Iterator[Finding]:
    """The plan has no TAB approval (§15.1: "shall be approved by the TAB")."""
    if plan.approved_version is None:
        yield Finding("15.1", f"{plan.label} has not been approved by the TAB", (plan.event_id(1),))


def low_severity_without_date(plan: WorkOffPlan) -> Iterator[Finding]:
    """A severity 1-2 item with no date set by the TAB: §15.1 sets none (A31)."""
    for item in plan.items.values():
        if item.severity not in _CLAUSE_FOR_SEVERITY and item.tab_due is None and item.resolved_on is None:
            yield Finding(
                "15.1",
                f"{plan.label}: severity {item.severity} Testing Issue {item.issue_id!r} has no "
                "regulatory deadline and no date set by the TAB (A31)",
                (plan.event_id(1),),
            )


def resolved_without_retest(plan: WorkOffPlan) -> Iterator[Finding]:
    """An item resolved with no retest execution recorded (§12.9(h): tests successfully re-run)."""
    for item in plan.items.values():
        if item.resolved_version is not None and not item.retest_execution_ids:
            yield Finding(
                "12.9(h)",
                f"{plan.label}: Testing Issue {item.issue_id!r} was resolved without a retest execution",
                (plan.event_id(item.resolved_version),),
            )


def work_off_plan_findings(plan: WorkOffPlan, as_of: date) -> list[Finding]:
    """Every finding on ``plan``, judged as of ``as_of``."""
    return [
        *not_approved_by_tab(plan),
        *low_severity_without_date(plan),
        *overdue_items(plan, as_of),
        *at_risk_without_correction_plan(plan),
        *resolved_without_retest(plan),
    ]


__all__ = [
    "at_risk_without_correction_plan",
    "low_severity_without_date",
    "not_approved_by_tab",
    "overdue_items",
    "resolved_without_retest",
    "work_off_plan_findings",
]
