"""The facts the Appendix AK rules engine reads: plain frozen dataclasses a read model fills row by row.

Every fact is a snapshot *as of the query*: the projection that builds it has already folded the
events up to that point (an issue's effective severity, whether it is open, where each exclusion
stands). Fields are flat: ids and references are ``str``, severities ``int``, instants aware
``datetime``, lists ``tuple``. Enums are the ledger's own (``ledger.rules``, ``ledger.*_values``),
so a row's stored ``.value`` converts back with the enum's constructor.

``event_ids`` / ``event_id`` fields carry the ledger event ids (``"{originator_id}:{version}"``)
that justify a fact; the engine returns them with every verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from ledger.planned_test_values import TestKind, TestResult
from ledger.rules.document_types import DocumentType
from ledger.rules.phase_kinds import OperatingCapability, PhaseKind
from ledger.testing_issue_values import (
    CountingBasis,
    CountingStatus,
    ExclusionKind,
    ExclusionStatus,
    InterfaceTestingSet,
    IssueCause,
    TestEnvironment,
)

# -- Testing Issues (§9.2, §13.21-13.29, §14) -------------------------------------------------------


@dataclass(frozen=True)
class DisputeFact:
    """A *pending* §14.2 severity dispute: the DCC's severity stands meanwhile (§14.4)."""

    dcc_severity: int
    proposed_severity: int
    could_affect_exit_of: tuple[str, ...]  # phase ids named when it was referred (§14.5)
    event_id: str


@dataclass(frozen=True)
class ExclusionFact:
    """Where one exclusion proposal stands: ``THRESHOLD`` scope = Test Phase id or DMCT planned
    EPCL entry id (§13.25-13.26, §20.29); ``END_OF_CYCLE`` scope = end-of-cycle run id (#2A)."""

    kind: ExclusionKind
    scope_id: str
    status: ExclusionStatus
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountingFact:
    """TAG's (or on a §13.29 referral the SoS's) decision whether the issue counts for ``phase_id``:
    an SCT issue for a SIT Test Phase (§13.27) or a §13.28 candidate for SMETS1 Interface Testing."""

    basis: CountingBasis
    phase_id: str
    status: CountingStatus
    counted: bool
    confirmed_severity: int | None = None  # §13.28(d)
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class InterfaceSetFact:
    """The issue was presented to TAG for SMETS1 Interface Testing of ``phase_id`` in a §13.28 set."""

    phase_id: str
    candidate_set: InterfaceTestingSet
    severity: int
    event_id: str


@dataclass(frozen=True)
class IssueFact:
    """One Testing Issue as of the query.

    ``phase_id``/``phase_kind``/``capability``: where it was raised; ``phase_kind`` None means it
    was raised in DMCT testing, which is no Test Phase (A58). ``severity``: the effective severity
    (§14.4: the DCC's, or TAG's once it determined; None before any determination).
    ``epcl_entry_ids``: the planned EPCL entries it affects (§13.24, §20.28(a)). The basis on which
    an issue is carried into a count (§13.21 earlier release, §13.24 affected entry, §13.27, §13.28)
    is derived by the engine from these fields and returned with each counted issue (A35).
    """

    reference: str
    phase_id: str
    phase_kind: PhaseKind | None
    capability: OperatingCapability
    raised_at: datetime
    is_open: bool
    severity: int | None
    cause: IssueCause
    service_providers: tuple[str, ...] = ()
    epcl_entry_ids: tuple[str, ...] = ()
    dmc_ids: tuple[str, ...] = ()
    environment: TestEnvironment = TestEnvironment.TEST
    closed_at: datetime | None = None
    dispute: DisputeFact | None = None
    exclusions: tuple[ExclusionFact, ...] = ()
    counting: tuple[CountingFact, ...] = ()
    interface_sets: tuple[InterfaceSetFact, ...] = ()
    event_ids: tuple[str, ...] = ()  # raised, latest severity determination, ...

    def exclusion(self, kind: ExclusionKind, scope_id: str) -> ExclusionFact | None:
        """The latest proposal of ``kind`` for ``scope_id`` (facts list them in recording order)."""
        found = [x for x in self.exclusions if x.kind is kind and x.scope_id == scope_id]
        return found[-1] if found else None

    def counting_for(self, basis: CountingBasis, phase_id: str) -> CountingFact | None:
        found = [c for c in self.counting if c.basis is basis and c.phase_id == phase_id]
        return found[-1] if found else None


# -- Test Phases, planned tests, runs (§7.4, §12.9, §13.14, Table 13.1) ------------------------------


@dataclass(frozen=True)
class CertificateFact:
    """A Test Completion Certificate issued by the DCC with TAB approval (A28), or revoked (§15.2)."""

    certificate_id: str
    service_provider: str
    tab_approved: bool
    revoked: bool
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PhaseFact:
    """One Test Phase. ``preceding_phase_ids``: the phases whose Work Off Plans §12.9(h) checks
    (A57: the precedence graph is configured, not in the text). ``first_smso_entry``: the phase
    covers the first planned EPCL entry of an SMSO, so a SIT Auditor Report is the evidence of
    Table 13.1 #6/#7 rather than the Completion Report (§19.4, §19.6, A46). ``stage_exit_version``
    (IOC, #2B item 1) and ``dnb_regression_version`` (MOC/FOC, #2B item 2) are what the regression
    run must have used. ``minimum_pass_rate``: 12.9(b) outside SIT, from the relevant TAD."""

    phase_id: str
    kind: PhaseKind
    capability: OperatingCapability
    service_provider: str | None = None
    epcl_entry: str | None = None
    preceding_phase_ids: tuple[str, ...] = ()
    certificates: tuple[CertificateFact, ...] = ()
    first_smso_entry: bool = False
    stage_exit_version: str | None = None
    dnb_regression_version: str | None = None
    minimum_pass_rate: Fraction | None = None
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExecutionFact:
    """One run of a planned test (§8.1(i), §9.4(b)); ``witnessed`` by an observer (§13.14)."""

    execution_id: str
    run_number: int
    result: TestResult
    executed_at: datetime
    evidence_sha256: str | None = None
    witnessed: bool = False


@dataclass(frozen=True)
class PlannedTestFact:
    """One planned test and its runs. De-scoping (§12.9(a)): the latest proposal's TAB decision and
    SoS decision (None: none made); the engine decides which body's approval de-scopes.

    Stored without its runs (each is a fact of its own); ``executions`` holds them when read with
    them (``as_of.rows_at``). The last run (by run number), the latest run executed and whether
    any run was witnessed are kept with the test, so that what most rules read (A19's latest
    result, the heatmap) needs none of its runs."""

    planned_test_id: str
    test_ref: str
    phase_id: str
    kind: TestKind
    executions: tuple[ExecutionFact, ...] = ()
    functional_group: str | None = None
    dmc: str | None = None
    descope_proposed: bool = False
    descope_tab_approved: bool | None = None
    descope_sos_approved: bool | None = None
    descope_event_ids: tuple[str, ...] = ()
    last_run: ExecutionFact | None = None
    latest_executed: ExecutionFact | None = None
    witnessed: bool = False

    @property
    def latest_result(self) -> ExecutionFact | None:
        """The latest run that was executed (pass or fail): A19 reads the latest result; a later
        "not run" record does not undo an earlier result."""
        ran = [e for e in self.executions if e.result is not TestResult.NOT_RUN]
        return max(ran, key=lambda e: e.run_number) if ran else self.latest_executed

    @property
    def latest_run(self) -> ExecutionFact | None:
        """The run with the highest run number, whatever its result."""
        return max(self.executions, key=lambda e: e.run_number) if self.executions else self.last_run

    @property
    def any_witnessed(self) -> bool:
        """Whether an observer witnessed any of its runs (§13.14)."""
        return self.witnessed or any(e.witnessed for e in self.executions)


@dataclass(frozen=True)
class RunFailureFact:
    """A failed test of an end-of-cycle or regression run and the defects (Testing Issue
    references) the DCC attributes the failure to."""

    test_ref: str
    defects: tuple[str, ...]


@dataclass(frozen=True)
class CycleRunFact:
    """One end-of-cycle or regression run (``ledger.cycle_runs``). ``known_defects``: known at its
    start (#2A item 1, #2B, A24). ``ended_at`` None: not ended. ``failures``: one per failed test;
    fewer than ``executed - passed`` means some failures are not itemised."""

    run_id: str
    phase_id: str
    kind: TestKind
    run_number: int
    started_at: datetime
    known_defects: tuple[str, ...] = ()
    ended_at: datetime | None = None
    planned_tests: int = 0
    executed: int = 0
    passed: int = 0
    failures: tuple[RunFailureFact, ...] = ()
    codebase_version: str | None = None
    dnb_regression_version: str | None = None
    event_ids: tuple[str, ...] = ()


# -- Work Off Plans and documents (§9.4-9.7, §12.9(d)-(i), §15, Table 13.1 #4-#8) --------------------


@dataclass(frozen=True)
class WorkOffItemFact:
    issue_reference: str
    severity: int
    resolved: bool = False
    retest_execution_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkOffPlanFact:
    plan_id: str
    phase_id: str
    items: tuple[WorkOffItemFact, ...]
    tab_approved: bool = False
    completed: bool = False
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentFact:
    """A document recorded for ``phase_ids``. ``approved``: the TAB's decision on a DCC assurance
    report (§9.6), the DCC's assurance of a TTM (§11.1); None if none. ``references``: what the
    document covers where the engine checks it (a Testing Issue log: issue references, #5; a
    heatmap: functional groups, #7)."""

    kind: DocumentType
    event_id: str
    phase_ids: tuple[str, ...]
    approved: bool | None = None
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExitFacts:
    """Everything an exit evaluation of ``phase`` reads; other phases' facts may be included."""

    phase: PhaseFact
    phases: tuple[PhaseFact, ...] = ()
    issues: tuple[IssueFact, ...] = ()
    planned_tests: tuple[PlannedTestFact, ...] = ()
    cycle_runs: tuple[CycleRunFact, ...] = ()
    work_off_plans: tuple[WorkOffPlanFact, ...] = ()
    documents: tuple[DocumentFact, ...] = ()


__all__ = [
    "CertificateFact",
    "CountingFact",
    "CycleRunFact",
    "DisputeFact",
    "DocumentFact",
    "ExclusionFact",
    "ExecutionFact",
    "ExitFacts",
    "InterfaceSetFact",
    "IssueFact",
    "PhaseFact",
    "PlannedTestFact",
    "RunFailureFact",
    "WorkOffItemFact",
    "WorkOffPlanFact",
]
