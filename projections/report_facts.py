"""Facts the reports read besides the rules engine's (``projections.rules.facts``).

The rules engine reads issues, phases, planned tests, runs, Work Off Plans and documents. The
as-of reports (``projections.queries``) also read matters and their windows, the traceability
chain requirement -> scenario -> planned test (§11.1), Work Off Plan deadlines (§15.1), the DMCs
selected for a phase (§13.3-13.6) and the compliance findings of each aggregate. Like the engine's,
each is a frozen snapshot of one aggregate (or one part of it) as it stood after an event: flat
fields, ``str`` ids, aware ``datetime`` instants, ``date`` days, ``tuple`` lists, the ledger's enums.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ledger.findings import Finding
from ledger.matter_values import MatterStatus, WindowedAct
from ledger.rules.phase_kinds import OperatingCapability


@dataclass(frozen=True)
class MatterFact:
    """A dispute or referral on one route (``ledger.matters``). ``window_due``: the last Working
    Day of the route's window (stored when raised, with ``convention``); ``subjects`` as
    ``"kind:id"``; ``referred_to`` the bodies referred to, in order."""

    matter_id: str
    reference: str | None
    route_id: str
    status: MatterStatus
    raised_by: str
    raised_at: datetime
    subjects: tuple[str, ...] = ()
    trigger_on: date | None = None
    window_clause: str | None = None
    windowed_act: WindowedAct | None = None
    working_days: int | None = None
    window_due: date | None = None
    window_ends_at: datetime | None = None
    convention: str | None = None
    referred_to: tuple[str, ...] = ()
    determined_by: str | None = None
    outcome: str | None = None
    final_and_binding: bool = False
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequirementFact:
    """A requirement of the Amended SMETS1 SEC at one baseline (§11.1); ``key`` e.g. ``F2.3@v1``."""

    requirement_id: str
    key: str
    section: str
    clause_ref: str
    baseline_version: str
    title: str | None = None
    superseded_by: str | None = None


@dataclass(frozen=True)
class ScenarioFact:
    """A test scenario and the requirements (ids) it traces to (§8.1(c), §11.1)."""

    scenario_id: str
    scenario_ref: str
    requirement_ids: tuple[str, ...]
    title: str | None = None


@dataclass(frozen=True)
class TestTraceFact:
    """The scenarios a planned test traces to (§11.1): the test end of the TTM chain."""

    __test__ = False  # not a pytest test class

    planned_test_id: str
    test_ref: str
    phase_id: str
    scenario_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class TtmFact:
    """The Test Traceability Matrix of a phase as its latest published version sets it out."""

    ttm_id: str
    phase_id: str
    capability: OperatingCapability
    latest_version: str | None = None
    requirements_baseline: str | None = None
    requirement_ids: tuple[str, ...] = ()
    scenario_ids: tuple[str, ...] = ()
    assured: bool = False  # the latest version assured by the DCC (§11.1)
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkOffDeadlineFact:
    """One item of a Work Off Plan and its deadline: ``due`` the §15.1(a)-(c) date (severity 3-5,
    once the plan is anchored to its TCC) or ``tab_due`` set by the TAB (severity 1-2, A31)."""

    plan_id: str
    reference: str
    phase_id: str
    issue_reference: str
    severity: int
    due: date | None = None
    due_ends_at: datetime | None = None
    working_days: int | None = None
    convention: str | None = None
    tab_due: date | None = None
    resolved_on: date | None = None
    at_risk_since: date | None = None
    correction_plan_presented: bool = False
    plan_approved: bool = False
    plan_completed: bool = False
    event_ids: tuple[str, ...] = ()

    @property
    def last_day(self) -> date | None:
        """The day it must be resolved by, if any (the end of that day, A38)."""
        return self.due if self.due is not None else self.tab_due


@dataclass(frozen=True)
class DmcSelectionFact:
    """The DMCs selected for a phase's testing and those de-selected since (§13.3-13.6)."""

    selection_id: str
    phase_id: str
    capability: OperatingCapability
    selected: tuple[str, ...] = ()
    deselected: tuple[str, ...] = ()


@dataclass(frozen=True)
class FindingsFact:
    """The compliance findings on one aggregate that need nothing but that aggregate
    (``ledger.findings``), as it stood; ``subject`` names it (a reference or key)."""

    source: str
    subject: str
    findings: tuple[Finding, ...]


__all__ = [
    "DmcSelectionFact",
    "FindingsFact",
    "MatterFact",
    "RequirementFact",
    "ScenarioFact",
    "TestTraceFact",
    "TtmFact",
    "WorkOffDeadlineFact",
]
