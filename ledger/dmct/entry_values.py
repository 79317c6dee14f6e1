"""What a planned EPCL entry in the DMCT Process records (``ledger.dmct.entry``): the records its
history leaves, the draft DMCT Testing Report's contents (§20.34/§20.35), and whether testing has
completed, successfully or not (§20.32/§20.33, read as domain/README.md decides A25)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ledger.calendar import Deadline
from ledger.dmct.schedule_values import DmctTesting, PlannedPack
from ledger.dmct.values import (
    CompletionOutcome,
    DeviceChange,
    EquivalenceBasis,
    IssueOption,
    NotPossibleReason,
    ReferralGround,
    ReportedIssue,
    ReportedTest,
    TagGround,
    fail,
)
from ledger.planned_test_values import TestResult


@dataclass(frozen=True)
class PlannedDates:
    """§20.9(a)-(c): planned start and completion, and the test packs planned, by the testing each
    is for (``test_packs``: DMCT MT and DMCT SRVT, §20.14-20.17), or a single pack named without
    its testing (``test_pack_id``, as first recorded), or the non-standard rationale."""

    planned_start: date
    planned_completion: date
    test_pack_id: str | None
    non_standard_rationale: str | None
    schedule_version: int | None
    test_packs: tuple[PlannedPack, ...] = ()

    @property
    def pack_ids(self) -> tuple[str, ...]:
        """Every pack planned: those by testing, then the single one, each once."""
        found = [p.pack_id for p in self.test_packs] + ([self.test_pack_id] if self.test_pack_id else [])
        return tuple(dict.fromkeys(found))

    def pack_for(self, testing: DmctTesting) -> str | None:
        """The pack planned for ``testing``, if named by testing."""
        return next((p.pack_id for p in self.test_packs if p.testing is testing), None)


def planned_packs(data: dict[str, str] | None) -> tuple[PlannedPack, ...]:
    """The ``test_packs`` an event stored (testing -> pack id), in ``DmctTesting`` order."""
    found = data or {}
    return tuple(PlannedPack(t, found[t.value]) for t in DmctTesting if t.value in found)


@dataclass(frozen=True)
class Equivalence:
    """Why the entry is not tested (§20.6(d)): its sub-basis and the equivalent DMC or entry."""

    basis: EquivalenceBasis
    equivalent_to: str


@dataclass(frozen=True)
class TestingRound:
    """Testing started (§20.13-20.18): where, whether DMCT SRVT only (the MTAD route, §20.14),
    whether before the TAB's MT determination, and TAG's consent to alternate versions (§20.18)."""

    __test__ = False  # not a pytest test class

    environment: str
    environment_version: str
    alternate_environment: bool
    tag_consent_ref: str | None
    srvt_only: bool
    before_tab_determination: bool
    version: int


@dataclass(frozen=True)
class Execution:
    """One run of a test of the pack (§20.13, §20.15; re-runs §20.22, §20.34(e))."""

    test_id: str
    run: int
    result: TestResult
    evidence_sha256: str
    environment_version: str | None
    occurred_at: datetime
    version: int


@dataclass(frozen=True)
class IssueRecord:
    """A DMCT Testing Issue on the entry (A58) and where its §20.20-20.27 resolution stands."""

    issue_id: str
    raised_version: int
    option: IssueOption | None = None
    device_change: DeviceChange | None = None
    under_resolution: bool = False
    notified: tuple[str, ...] = ()
    path_announced: bool = False  # §20.22: (a) or (b) announced in advance
    sos_consult: bool | None = None  # §20.23: the SoS's opinion on consulting
    steps: tuple[int, ...] = ()  # the versions of the events that progressed it


@dataclass(frozen=True)
class Completion:
    """§20.31-20.33: the outcome and the sub-clauses it rests on, with the facts recorded."""

    outcome: CompletionOutcome
    basis: tuple[str, ...]
    all_tests_executed: bool
    thresholds_exceeded: bool
    not_possible: NotPossibleReason | None
    threshold_snapshot_ref: str | None
    round: int
    version: int


@dataclass(frozen=True)
class DraftReport:
    """A draft DMCT Testing Report's contents (§20.34/§20.35 (a)-(i)) as structured data."""

    report_ref: str
    report_sha256: str
    outcome: CompletionOutcome
    environment_version: str  # (a)
    tests: tuple[ReportedTest, ...]  # (b), (c)
    open_issues: tuple[ReportedIssue, ...]  # (d), (g)
    excluded_issues: tuple[ReportedIssue, ...]  # (f), §20.29(a)
    rerun_approach: str  # (e)
    work_off_plan_ids: tuple[str, ...]  # (d), (g); anchored on this report (A34)
    statement: str  # (i)
    migration_completion_report_ref: str | None  # (i)
    round: int
    version: int

    def results(self) -> dict[str, int]:
        """How many reported tests passed, failed or were not run (latest result each)."""
        counts = Counter(t.result for t in self.tests)
        return {r.value: counts.get(r.value, 0) for r in TestResult}

    def open_by_severity(self) -> dict[int, int]:
        """Open Testing Issues per severity 1-5 (§20.30)."""
        counts = Counter(i.severity for i in self.open_issues)
        return {s: counts.get(s, 0) for s in range(1, 6)}

    @property
    def recommends_epcl_entry(self) -> bool:
        """A successful draft precedes a DMCT EPCL Report (§20.34); an unsuccessful one proposes
        no EPCL entry (§20.35)."""
        return self.outcome is CompletionOutcome.SUCCESSFUL


@dataclass(frozen=True)
class Provision:
    """The draft made available to one Supplier Party (§20.36), with its 10 WD §20.37 window."""

    supplier: str
    provided_on: date
    deadline: Deadline
    round: int
    version: int


@dataclass(frozen=True)
class SupplierReferral:
    """A Supplier Party's §20.37 referral; ``deadline`` its window (None: never provided the draft)."""

    supplier: str
    grounds: tuple[ReferralGround, ...]
    arguments: str
    matter_id: str | None
    occurred_at: datetime
    deadline: Deadline | None
    confirmed_no_referral: bool
    round: int
    version: int


@dataclass(frozen=True)
class TagDetermination:
    """TAG's different determination (§20.38(a)/(b)) and whether it would turn a successful draft
    unsuccessful (only such a view bars finality, §20.39(b)(c); A41)."""

    grounds: tuple[TagGround, ...]
    issue_ids: tuple[str, ...]
    flips_to_unsuccessful: bool
    round: int
    version: int


@dataclass(frozen=True)
class EpclReport:
    """A DMCT EPCL Report covering this entry (and perhaps others, §20.42) and its publication."""

    report_id: str
    entry_ids: tuple[str, ...]
    report_sha256: str
    basis: str  # "20.41(b)(i)" (a final DMCT Testing Report) or "20.41(b)(ii)" (prior reports)
    relied_reports: tuple[str, ...]
    version: int
    published_on: date | None = None
    redacted: bool | None = None
    notified: tuple[str, ...] = ()
    published_version: int | None = None


@dataclass(frozen=True)
class EntryAct:
    """Any other act on the entry: ``kind`` is the event's name, ``detail`` what it recorded."""

    kind: str
    detail: dict[str, Any]
    occurred_at: datetime
    version: int


def completion_outcome(
    *, all_tests_executed: bool, thresholds_exceeded: bool, pending_issues: list[str], mtad_route: bool,
    panel_mt_completed: bool | None, not_possible: NotPossibleReason | None, blocking_agreed: bool,
) -> tuple[CompletionOutcome, tuple[str, ...]]:
    """The §20.32/§20.33 outcome of testing and the sub-clauses it rests on.

    §20.33(b): any ``not_possible`` reason (a blocking defect only with the SoS's agreement, MT
    only where planned under §20.14). Otherwise (i) all tests executed and (ii) no issue still
    under §20.20-20.27 are needed for either outcome; then unsuccessful iff (iii) thresholds
    exceeded or (iv) the Panel determined the MTAD Migration Test Phase not completed (A25);
    successful needs, on the MTAD route, the Panel's determination that it completed (§20.32(c)).
    Raises ``InvalidDmctEventError`` naming the unmet fact when testing has not completed."""
    if not_possible is NotPossibleReason.BLOCKING_DEFECT and not blocking_agreed:
        raise fail("not_possible", "a blocking defect ends testing only where the SoS agrees testing should "
                   "not continue (§20.33(b)): record the SoS's agreement first")
    if not_possible is NotPossibleReason.MT_NOT_COMPLETABLE and not mtad_route:
        raise fail("not_possible", "no Migration Testing was planned under the MTAD (§20.14)")
    if not_possible is not None:
        return CompletionOutcome.UNSUCCESSFUL, ("20.33(b)",)
    if not all_tests_executed:
        raise fail("all_tests_executed",
                   "testing has not completed: every DMCT Process test must be executed "
                   "(§20.32(a), §20.33(a)(i)), or a §20.33(b) reason given")
    if pending_issues:
        raise fail("not_possible", f"Testing Issues {', '.join(pending_issues)} are still under §20.20-20.27 "
                   "(§20.32(b), §20.33(a)(ii)); only a §20.33(b) reason completes testing now")
    not_completed = mtad_route and panel_mt_completed is False
    if thresholds_exceeded or not_completed:
        iii = ("20.33(a)(iii)",) if thresholds_exceeded else ()
        return CompletionOutcome.UNSUCCESSFUL, iii + (("20.33(a)(iv)",) if not_completed else ())
    if mtad_route and panel_mt_completed is None:
        raise fail("status", "the Panel has not determined whether the MTAD Migration Test Phase completed "
                   "(§20.32(c), A27)")
    return CompletionOutcome.SUCCESSFUL, ("20.32",)


__all__ = [
    "Completion",
    "DraftReport",
    "EntryAct",
    "EpclReport",
    "Equivalence",
    "Execution",
    "IssueRecord",
    "PlannedDates",
    "PlannedPack",
    "Provision",
    "SupplierReferral",
    "TagDetermination",
    "TestingRound",
    "completion_outcome",
    "planned_packs",
]
