"""The events of a planned EPCL entry's completion, draft DMCT Testing Report, Supplier and TAG
review, finality and DMCT EPCL Report (§20.31-20.43; catalogue M44-M58), past tense; each
``evolve`` adds to the entry's records (``ledger.dmct.entry``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from ledger.dmct.entry_events import EntryActEvent
from ledger.dmct.entry_values import (
    Completion,
    DraftReport,
    EpclReport,
    Provision,
    SupplierReferral,
    TagDetermination,
)
from ledger.dmct.lifecycle import DmctEvent
from ledger.dmct.values import (
    CompletionOutcome,
    NotPossibleReason,
    ReferralGround,
    ReportedIssue,
    ReportedTest,
    TagGround,
    stored_deadline,
)
from ledger.work_off_plans import deadline_from_json

if TYPE_CHECKING:
    from ledger.dmct.entry import DmctEntry


class DmctTestingCompleted(DmctEvent):
    """Testing completed, successfully (§20.32) or not (§20.33), on ``basis`` (catalogue M47)."""

    outcome: str
    basis: list[str]
    all_tests_executed: bool
    thresholds_exceeded: bool
    not_possible: str | None
    threshold_snapshot_ref: str | None

    def evolve(self, entry: DmctEntry) -> None:
        entry.round += 1
        reason = None if self.not_possible is None else NotPossibleReason(self.not_possible)
        entry.completions.append(Completion(
            CompletionOutcome(self.outcome), tuple(self.basis), self.all_tests_executed,
            self.thresholds_exceeded, reason, self.threshold_snapshot_ref, entry.round,
            self.originator_version))


class DraftDmctTestingReportProduced(DmctEvent):
    """The draft DMCT Testing Report and its §20.34/§20.35 contents (catalogue M48)."""

    report_ref: str
    report_sha256: str
    environment_version: str
    tests: list[dict[str, Any]]
    open_issues: list[dict[str, Any]]
    excluded_issues: list[dict[str, Any]]
    rerun_approach: str
    work_off_plan_ids: list[str]
    statement: str
    migration_completion_report_ref: str | None

    def evolve(self, entry: DmctEntry) -> None:
        assert entry.completion is not None
        entry.draft = DraftReport(
            self.report_ref, self.report_sha256, entry.completion.outcome, self.environment_version,
            tuple(ReportedTest(**t) for t in self.tests), tuple(ReportedIssue(**i) for i in self.open_issues),
            tuple(ReportedIssue(**i) for i in self.excluded_issues), self.rerun_approach,
            tuple(self.work_off_plan_ids), self.statement, self.migration_completion_report_ref, entry.round,
            self.originator_version)


class OpenIssuesSubmittedToTag(EntryActEvent):
    """Open issues with severities, proposed exclusions and whether the thresholds are exceeded,
    given to TAG (§20.29(b), §20.30; catalogue M44, M45)."""


class DraftReportProvided(DmctEvent):
    """The draft made available to ``suppliers`` on ``provided_on``, each with its §20.37
    deadline (§20.36; catalogue M49; A40)."""

    suppliers: list[str]
    provided_on: str
    deadlines: dict[str, dict[str, Any]]

    def evolve(self, entry: DmctEntry) -> None:
        for supplier in self.suppliers:
            entry.provisions.append(Provision(
                supplier, date.fromisoformat(self.provided_on), deadline_from_json(self.deadlines[supplier]),
                entry.round, self.originator_version))


class SupplierConfirmedNoReferral(DmctEvent):
    """A Supplier Party that received the draft will not refer it (§20.39(a); catalogue M50)."""

    supplier: str

    def evolve(self, entry: DmctEntry) -> None:
        entry.no_referrals[(entry.round, self.supplier)] = self.originator_version


class SupplierReferredDraftReport(DmctEvent):
    """A Supplier Party referred the draft to the SoS with its arguments (§20.37; catalogue M51)."""

    supplier: str
    grounds: list[str]
    arguments: str
    matter_id: str | None
    deadline: dict[str, Any] | None

    def evolve(self, entry: DmctEntry) -> None:
        entry.referrals.append(SupplierReferral(
            self.supplier, tuple(ReferralGround(g) for g in self.grounds), self.arguments, self.matter_id,
            self.at, stored_deadline(self.deadline), (entry.round, self.supplier) in entry.no_referrals,
            entry.round, self.originator_version))


class TagDifferentDeterminationRecorded(DmctEvent):
    """TAG would determine severities or exclusions differently (§20.38(a)(b); catalogue M52)."""

    grounds: list[str]
    issue_ids: list[str]
    flips_to_unsuccessful: bool

    def evolve(self, entry: DmctEntry) -> None:
        entry.tag_determinations.append(TagDetermination(
            tuple(TagGround(g) for g in self.grounds), tuple(self.issue_ids), self.flips_to_unsuccessful,
            entry.round, self.originator_version))


class TagReviewConcluded(EntryActEvent):
    """TAG concluded its §20.38 review of the draft (A42)."""


class DccElectedContinueTesting(EntryActEvent):
    """The DCC continues testing after a flipping TAG view; Suppliers told (§20.38(c); M53)."""


class DccReferredDraftReport(EntryActEvent):
    """The DCC referred the draft to the SoS after a flipping TAG view (§20.38(d); M54)."""


class SosReportDeterminationRecorded(EntryActEvent):
    """The SoS's final and binding determination ``detail["outcome"]`` (§20.40; catalogue M55)."""


class DmctTestingReportDeemedFinal(EntryActEvent):
    """The draft, updated as necessary, is deemed final (§20.39; catalogue M56)."""


class RelianceOnReportAwaited(EntryActEvent):
    """The d(iii) EPCL Report waits for ``detail["relied_entry_id"]``'s final report (§20.41)."""


class DmctEpclReportProduced(DmctEvent):
    """A DMCT EPCL Report covering ``entry_ids`` (§20.41-20.42; catalogue M57)."""

    report_id: str
    entry_ids: list[str]
    report_sha256: str
    basis: str
    relied_reports: list[str]

    def evolve(self, entry: DmctEntry) -> None:
        entry.epcl_report = EpclReport(self.report_id, tuple(self.entry_ids), self.report_sha256, self.basis,
                                       tuple(self.relied_reports), self.originator_version)


class DmctEpclReportPublished(DmctEvent):
    """The report published (anonymised and redacted) and ``notified`` told (§20.43; M58)."""

    published_on: str
    redacted: bool
    notified: list[str]

    def evolve(self, entry: DmctEntry) -> None:
        assert entry.epcl_report is not None
        entry.epcl_report = replace(
            entry.epcl_report, published_on=date.fromisoformat(self.published_on), redacted=self.redacted,
            notified=tuple(self.notified), published_version=self.originator_version)


__all__ = [
    "DccElectedContinueTesting",
    "DccReferredDraftReport",
    "DmctEpclReportProduced",
    "DmctEpclReportPublished",
    "DmctTestingCompleted",
    "DmctTestingReportDeemedFinal",
    "DraftDmctTestingReportProduced",
    "DraftReportProvided",
    "OpenIssuesSubmittedToTag",
    "RelianceOnReportAwaited",
    "SosReportDeterminationRecorded",
    "SupplierConfirmedNoReferral",
    "SupplierReferredDraftReport",
    "TagDifferentDeterminationRecorded",
    "TagReviewConcluded",
]
