"""Facts the reports read besides the rules engine's (``projections.rules.facts``).

The rules engine reads issues, phases, planned tests, runs, Work Off Plans and documents. The
as-of reports (``projections.queries``) also read matters and their windows, the traceability
chain requirement -> scenario -> planned test (§11.1), Work Off Plan deadlines (§15.1), the DMCs
selected for a phase (§13.3-13.6), the compliance findings of each aggregate, and the DMCT Process
(§20): each DMC's and planned EPCL entry's line of the DMCT Status List, each entry's DMCT Testing
Issues, and each publication of the DMCT Schedule. Like the engine's,
each is a frozen snapshot of one aggregate (or one part of it) as it stood after an event: flat
fields, ``str`` ids, aware ``datetime`` instants, ``date`` days, ``tuple`` lists, the ledger's enums.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ledger.dmct.entry_values import PlannedDates
from ledger.dmct.schedule_values import InstallationType, ScheduleChange, ScheduleEntry
from ledger.dmct.status_list import OpenClock
from ledger.findings import Finding
from ledger.matter_values import MatterStatus, WindowedAct
from ledger.rules.dmct_statuses import DmctLevel, DmctStatus
from ledger.rules.phase_kinds import OperatingCapability
from ledger.rules.roles import Role


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


@dataclass(frozen=True)
class DmctStatusFact:
    """A DMC's or planned EPCL entry's line of the DMCT Status List (§20.8) as the aggregate
    stood (``ledger.dmct.status_list.StatusListRow``: ``entry_id`` None on a DMC's line).
    ``waiting_clocks``: every Supplier Party window (§20.12, §20.37) still waiting for that
    Supplier to act; which of them are open depends on the day asked about, so the query keeps
    those whose deadline has not passed (``projections.dmct_queries``)."""

    level: DmctLevel
    dmc_id: str
    entry_id: str | None
    status: DmctStatus
    clauses: tuple[str, ...]
    since: datetime
    event_id: str
    waiting_clocks: tuple[OpenClock, ...] = ()
    entry_ids: tuple[str, ...] = ()
    planned: PlannedDates | None = None


@dataclass(frozen=True)
class DmctEntryFact:
    """A planned EPCL entry in the DMCT Process (catalogue 2.5) and the DMCT Testing Issues it
    records (§20.20, by Testing Issue reference, A58); ``under_resolution``: those still going
    through §20.20-20.27."""

    entry_id: str
    dmc_id: str
    installation_type: InstallationType
    capability_release: OperatingCapability
    smso: str
    issue_ids: tuple[str, ...] = ()
    under_resolution: tuple[str, ...] = ()


@dataclass(frozen=True)
class DmctPublicationFact:
    """One publication of the DMCT Schedule (§20.9-20.10): every planned EPCL entry as published,
    the change log against the previous publication (stored with it), and its distribution so far
    (``recipients`` notified, the copy ``sent_to_secas``, the DCC Website ``location``)."""

    schedule_id: str
    schedule_version: int
    document_sha256: str
    published_on: date
    entries: tuple[ScheduleEntry, ...]
    changes: tuple[ScheduleChange, ...]
    location: str | None = None
    recipients: tuple[Role, ...] = ()
    sent_to_secas: bool = False
    event_id: str = ""
    distribution_event_ids: tuple[str, ...] = ()


__all__ = [
    "DmcSelectionFact",
    "DmctEntryFact",
    "DmctPublicationFact",
    "DmctStatusFact",
    "FindingsFact",
    "MatterFact",
    "RequirementFact",
    "ScenarioFact",
    "TestTraceFact",
    "TtmFact",
    "WorkOffDeadlineFact",
]
