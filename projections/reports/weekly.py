"""The weekly test execution report (§16.1-16.3), for the week ending on a day.

For each Test Phase planned by the end of the week: progress of testing (planned, executed,
passed, failed, not run at the end of the week and how many runs the week added, §16.2), the
Testing Issues raised in the week and those open at its end by severity (§16.2 "test issue
reporting"), and for SIT the coverage of each functional group of the heatmap (§16.3). The week
is Monday to Sunday in Europe/London; "as of the end of the week" is the last ledger position
recorded by the end of its Sunday. The report goes to the Panel and the Secretary of State
anonymised (§16.1): with ``anonymise``, DCC Service Providers and DMCs are shown as stable
pseudonyms (``SP-1``, ``DMC-1`` in order of first appearance in the report).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from ledger.planned_test_values import TestResult
from ledger.rules.phase_kinds import PhaseKind
from projections.as_of import AsOf, rows_at
from projections.fact_kinds import FactKind
from projections.reports.model import Item, ItemState, Report, Section, checkpoint_covering
from projections.rules.facts import IssueFact, PhaseFact, PlannedTestFact

LONDON = ZoneInfo("Europe/London")


@dataclass
class Pseudonyms:
    """Stable pseudonyms within one report: the first name seen of a kind is ``PREFIX-1``."""

    on: bool
    seen: dict[tuple[str, str], str] = field(default_factory=dict)

    def __call__(self, prefix: str, name: str | None) -> str | None:
        if name is None or not self.on:
            return name
        key = (prefix, name)
        if key not in self.seen:
            self.seen[key] = f"{prefix}-{sum(1 for p, _ in self.seen if p == prefix) + 1}"
        return self.seen[key]


def week_of(ending: date) -> tuple[datetime, datetime]:
    """The week's bounds: Monday 00:00 and the next Monday 00:00 (London) of the week ending on
    ``ending`` (a Sunday, or the day the week is cut at)."""
    end = datetime.combine(ending + timedelta(days=1), time(), LONDON)
    return end - timedelta(days=7), end


def weekly(engine: Engine, ending: date, at: AsOf, *, anonymise: bool = True) -> Report:
    """The weekly test execution report for the week ending on ``ending``, from what the ledger
    records as of ``at`` (the week's runs and issues by when they happened, not when recorded)."""
    start, end = week_of(ending)
    name = Pseudonyms(anonymise)
    with engine.connect() as conn:
        phases: list[PhaseFact] = [p for _, p in rows_at(conn, FactKind.PHASE, at.position)]
        issues: list[IssueFact] = [i for _, i in rows_at(conn, FactKind.ISSUE, at.position)]
        tests: list[PlannedTestFact] = [t for _, t in rows_at(conn, FactKind.PLANNED_TEST, at.position)]
        checkpoint = checkpoint_covering(conn, at.position)
    sections = [_phase_section(p, issues, [t for t in tests if t.phase_id == p.phase_id], start, end, name)
                for p in phases]
    if not sections:
        sections = [Section("No Test Phase planned", (Item(
            "16.2", "progress of testing", ItemState.NOT_RECORDED, "no Test Phase is recorded"),))]
    return Report("weekly", f"Weekly test execution report: week ending {ending.isoformat()} (§16.1-16.3)",
                  f"week {start.date().isoformat()} to {ending.isoformat()}"
                  + (" (anonymised, §16.1)" if anonymise else ""), at, checkpoint, tuple(sections))


@dataclass(frozen=True)
class Progress:
    """Where a set of planned tests stood at an instant: latest result of each by then (A19)."""

    planned: int
    executed: int
    passed: int
    failed: int
    witnessed: int

    @property
    def not_run(self) -> int:
        return self.planned - self.executed

    @property
    def coverage_percent(self) -> int | None:
        return self.executed * 100 // self.planned if self.planned else None


def progress(tests: list[PlannedTestFact], by: datetime) -> Progress:
    latest = []
    for t in tests:
        runs = [e for e in t.executions if e.executed_at < by and e.result is not TestResult.NOT_RUN]
        latest.append(max(runs, key=lambda e: (e.executed_at, e.run_number)).result if runs else None)
    return Progress(
        planned=len(tests), executed=sum(1 for r in latest if r is not None),
        passed=sum(1 for r in latest if r is TestResult.PASS),
        failed=sum(1 for r in latest if r is TestResult.FAIL),
        witnessed=sum(1 for t in tests if any(e.witnessed and e.executed_at < by for e in t.executions)))


def _phase_section(
    phase: PhaseFact, issues: list[IssueFact], tests: list[PlannedTestFact], start: datetime, end: datetime,
    name: Pseudonyms,
) -> Section:
    now, then = progress(tests, end), progress(tests, start)
    mine = [i for i in issues if i.phase_id == phase.phase_id and i.raised_at < end]
    raised = [i for i in mine if start <= i.raised_at]
    open_ = [i for i in mine if i.closed_at is None or i.closed_at >= end]
    provider = name("SP", phase.service_provider)
    title = (f"{phase.kind.value.upper()} {phase.capability.value.upper()}"
             + (f" ({provider})" if provider else "")
             + (f" entry {name('ENTRY', phase.epcl_entry)}" if phase.epcl_entry else ""))
    measures = ("planned", "executed", "passed", "failed", "not_run", "witnessed")
    items = [
        Item("16.2", "progress of testing", ItemState.COMPUTED,
             f"executed {now.executed} of {now.planned} planned ({now.coverage_percent or 0}%), passed "
             f"{now.passed}, failed {now.failed}, not run {now.not_run}; this week "
             f"{now.executed - then.executed:+d} executed, {now.passed - then.passed:+d} passed",
             tuple({"measure": m, "start of week": getattr(then, m), "end of week": getattr(now, m)}
                   for m in measures)),
        Item("16.2", "Testing Issues raised this week and open at its end", ItemState.COMPUTED,
             f"{len(raised)} raised this week, {len(open_)} open at its end",
             tuple(_by_severity(raised, open_, name)),
             tuple(i.event_ids[0] for i in raised if i.event_ids)),
    ]
    if phase.kind is PhaseKind.SIT:
        cells: dict[tuple[str, str | None], list[PlannedTestFact]] = {}
        for t in tests:
            cells.setdefault((t.functional_group or "(none)", name("DMC", t.dmc)), []).append(t)
        rows = [(group, dmc, progress(ts, end)) for (group, dmc), ts in sorted(
            cells.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))]
        items.append(Item(
            "16.3", "coverage of functional areas and groups (heatmap)", ItemState.COMPUTED,
            f"{len({g for g, _, _ in rows})} functional groups",
            tuple({"functional_group": g, "dmc": d, "planned": p.planned, "executed": p.executed,
                   "passed": p.passed, "coverage_percent": p.coverage_percent} for g, d, p in rows)))
    return Section(title, tuple(items))


def _by_severity(
    raised: list[IssueFact], open_: list[IssueFact], name: Pseudonyms
) -> Iterator[dict[str, object]]:
    new = Counter(i.severity for i in raised)
    still = Counter(i.severity for i in open_)
    for severity in sorted(set(new) | set(still), key=lambda s: (s is None, s or 0)):
        providers = sorted({p for i in open_ if i.severity == severity for p in i.service_providers})
        yield {"severity": "unclassified" if severity is None else severity,
               "raised this week": new[severity],
               "open at end": still[severity],
               "providers": ", ".join(str(name("SP", p)) for p in providers)}


__all__ = ["Pseudonyms", "week_of", "weekly"]
