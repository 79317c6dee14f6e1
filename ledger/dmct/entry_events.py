"""The events of a planned EPCL entry's schedule, testing and DMCT Testing Issues
(``ledger.dmct.entry``), past tense; each ``evolve`` adds to the entry's records (the status is set
by ``ledger.dmct.lifecycle.DmctEvent``). Completion and report events: ``ledger.dmct.report_events``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from ledger.dmct.entry_values import (
    EntryAct,
    Equivalence,
    Execution,
    IssueRecord,
    PlannedDates,
    TestingRound,
    planned_packs,
)
from ledger.dmct.lifecycle import DmctEvent
from ledger.dmct.values import DeviceChange, EquivalenceBasis, IssueOption
from ledger.planned_test_values import TestResult

if TYPE_CHECKING:
    from ledger.dmct.entry import DmctEntry


class EntryActEvent(DmctEvent):
    """An act kept as an ``EntryAct`` (its ``detail`` as the command gave it)."""

    detail: dict[str, Any]

    def evolve(self, entry: DmctEntry) -> None:
        entry.acts.append(EntryAct(type(self).__name__, dict(self.detail), self.at, self.originator_version))


class _DatesEvent(DmctEvent):
    planned_start: str
    planned_completion: str
    test_pack_id: str | None
    non_standard_rationale: str | None
    schedule_version: int | None
    test_packs: dict[str, str] | None  # absent from events recorded before packs by testing

    def evolve(self, entry: DmctEntry) -> None:
        entry.planned = PlannedDates(
            date.fromisoformat(self.planned_start), date.fromisoformat(self.planned_completion),
            self.test_pack_id, self.non_standard_rationale, self.schedule_version,
            planned_packs(getattr(self, "test_packs", None)))


class DmctEntryRescheduled(_DatesEvent):
    """The entry is scheduled anew after its DMC came back through §20.2 (§20.9, §20.19, §20.25)."""


class DmctEntryDatesRevised(_DatesEvent):
    """The planned dates changed (§20.9; §20.22 revised completion dates)."""


class DmctEntryRemovedFromSchedule(EntryActEvent):
    """The SoS directed removal (§20.12A): the entry leaves the schedule and rests on the DMC's
    §20.6(d) equivalence (``detail``: its basis and equivalent), towards a DMCT EPCL Report (§20.41)."""

    def evolve(self, entry: DmctEntry) -> None:
        super().evolve(entry)
        entry.equivalence = Equivalence(EquivalenceBasis(self.detail["equivalence_basis"]),
                                        self.detail["equivalent_to"])
        entry.planned = None


class DormantEntrySuffices(EntryActEvent):
    """This Active or mixed entry is not tested: ``detail["dormant_entry_id"]`` suffices (§20.9)."""


class MtadRouteNotifiedToTag(EntryActEvent):
    """Migration Testing under the MTAD; TAG told why (§20.14; catalogue M22)."""

    def evolve(self, entry: DmctEntry) -> None:
        super().evolve(entry)
        entry.mtad_route = True


class TabMtCompletionRecorded(EntryActEvent):
    """The TAB determined the MTAD Migration Test Phase complete (§20.14; catalogue M23)."""

    def evolve(self, entry: DmctEntry) -> None:
        super().evolve(entry)
        entry.tab_mt_completed_version = self.originator_version


class PanelMtDeterminationRecorded(EntryActEvent):
    """The Panel determined whether that phase completed (§20.32(c), §20.33(a)(iv); M24, A27)."""

    def evolve(self, entry: DmctEntry) -> None:
        super().evolve(entry)
        entry.panel_mt_completed = bool(self.detail["completed"])


class DmctTestingStarted(DmctEvent):
    """DMCT MT and SRVT (or SRVT only, on the MTAD route) started (§20.13-20.18; catalogue M28)."""

    environment: str
    environment_version: str
    alternate_environment: bool
    tag_consent_ref: str | None
    srvt_only: bool
    before_tab_determination: bool

    def evolve(self, entry: DmctEntry) -> None:
        entry.rounds.append(TestingRound(
            self.environment, self.environment_version, self.alternate_environment, self.tag_consent_ref,
            self.srvt_only, self.before_tab_determination, self.originator_version))


class DmctTestExecuted(DmctEvent):
    """A run of a test of the pack, with its evidence (§20.13, §20.15; catalogue M29)."""

    test_id: str
    run: int
    result: str
    run_evidence_sha256: str
    environment_version: str | None

    def evolve(self, entry: DmctEntry) -> None:
        entry.executions.append(Execution(
            self.test_id, self.run, TestResult(self.result), self.run_evidence_sha256,
            self.environment_version,
            self.at, self.originator_version))


class DmctProcessPaused(EntryActEvent):
    """The DCC paused the DMCT Process for the entry (§20.21; catalogue M34)."""


class DmctProcessRecommenced(EntryActEvent):
    """The DCC recommenced it (§20.21; catalogue M34)."""


class EntryRelievedInsufficientDevices(EntryActEvent):
    """Not enough devices after commencement: the DCC is relieved (§20.19; catalogue M30, A30)."""


class DmctTestingIssueRecorded(DmctEvent):
    """A DMCT Testing Issue (a ``TestingIssue``, A58) arose in testing the entry (§20.20; M31)."""

    issue_id: str

    def evolve(self, entry: DmctEntry) -> None:
        entry.issues[self.issue_id] = IssueRecord(self.issue_id, self.originator_version)


class _IssueEvent(DmctEvent):
    """A step in the §20.20-20.27 resolution of ``issue_id``."""

    issue_id: str

    def evolve(self, entry: DmctEntry) -> None:
        issue = entry.issues[self.issue_id]
        entry.issues[self.issue_id] = replace(self.changed(issue), steps=(*issue.steps,
                                                                          self.originator_version))

    def changed(self, issue: IssueRecord) -> IssueRecord:
        return issue


class IssueOptionRecommended(_IssueEvent):
    """The DCC recommended option (a)-(d) (with, for (c), the device change) and notified
    ``notified`` (§20.20, §20.25; catalogue M32, M33, M40)."""

    option: str
    device_change: str | None
    stakeholders: list[str]
    notified: list[str]

    def changed(self, issue: IssueRecord) -> IssueRecord:
        change = None if self.device_change is None else DeviceChange(self.device_change)
        return replace(issue, option=IssueOption(self.option), device_change=change, under_resolution=True,
                       notified=tuple(self.notified), path_announced=False, sos_consult=None)


class OptionAPathAnnounced(_IssueEvent):
    """Which of §20.22(a)/(b) the DCC will undertake, told in advance to ``announced_to`` (M35)."""

    material_impact: bool
    announced_to: list[str]

    def changed(self, issue: IssueRecord) -> IssueRecord:
        return replace(issue, path_announced=True)


class SosDirectedOtherwise(_IssueEvent):
    """The SoS directed an alternative course under §20.22(b) (catalogue M36)."""

    direction: str


class InternalChangeProgressed(_IssueEvent):
    """Option (a) done: DCC Internal Systems change, pack re-run, dates revised (§20.22; M37)."""

    revised_completion: str | None

    def changed(self, issue: IssueRecord) -> IssueRecord:
        return replace(issue, under_resolution=False)


class SosConsultationOpinionRecorded(_IssueEvent):
    """Whether the SoS thinks the option (b) Code change should be consulted on (§20.23; M38)."""

    consult: bool

    def changed(self, issue: IssueRecord) -> IssueRecord:
        return replace(issue, sos_consult=self.consult)


class OptionBApproachSettled(_IssueEvent):
    """The option (b) testing approach agreed by TAG or determined by the SoS (§20.23-20.24; M39)."""

    decided_by: str
    approach_sha256: str
    users_required: bool
    matter_id: str | None

    def changed(self, issue: IssueRecord) -> IssueRecord:
        return replace(issue, under_resolution=False)


class SosOptionCDecisionRecorded(_IssueEvent):
    """The SoS agreed option (c) (the DMC is excluded, §20.25) or disagreed (§20.26; M41)."""

    agrees: bool

    def changed(self, issue: IssueRecord) -> IssueRecord:
        return replace(issue, under_resolution=not self.agrees)


class SosOptionDIndicationRecorded(_IssueEvent):
    """The SoS indicated the option (d) Code change should not be progressed (§20.27; M42)."""


class CodeChangeProgressed(_IssueEvent):
    """Option (d): the Code change proceeds and testing resumes (§20.20(d); derived)."""

    def changed(self, issue: IssueRecord) -> IssueRecord:
        return replace(issue, under_resolution=False)


class SosBlockingDefectAgreed(_IssueEvent):
    """The SoS agreed testing should not continue because of a blocking defect (§20.33(b); M46)."""

    def evolve(self, entry: DmctEntry) -> None:
        super().evolve(entry)
        entry.blocking_defect_versions.append(self.originator_version)


__all__ = [
    "CodeChangeProgressed",
    "DmctEntryDatesRevised",
    "DmctEntryRemovedFromSchedule",
    "DmctEntryRescheduled",
    "DmctProcessPaused",
    "DmctProcessRecommenced",
    "DmctTestExecuted",
    "DmctTestingIssueRecorded",
    "DmctTestingStarted",
    "DormantEntrySuffices",
    "EntryActEvent",
    "EntryRelievedInsufficientDevices",
    "InternalChangeProgressed",
    "IssueOptionRecommended",
    "MtadRouteNotifiedToTag",
    "OptionAPathAnnounced",
    "OptionBApproachSettled",
    "PanelMtDeterminationRecorded",
    "SosBlockingDefectAgreed",
    "SosConsultationOpinionRecorded",
    "SosDirectedOtherwise",
    "SosOptionCDecisionRecorded",
    "SosOptionDIndicationRecorded",
    "TabMtCompletionRecorded",
]
