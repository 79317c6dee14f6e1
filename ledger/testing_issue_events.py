"""The events of a Testing Issue (``ledger.testing_issues``), past tense; each ``apply`` evolves
the issue. Every event carries the recording context (``ledger.context``); enum members are
stored by ``.value`` (house rule 3: payloads are JSON).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from ledger.testing_issue_values import (
    CountingBasis,
    CountingDecision,
    CountingStatus,
    Exclusion,
    ExclusionKind,
    ExclusionStatus,
    InterfaceTestingPresentation,
    InterfaceTestingSet,
    MaterialImpact,
    SeverityAuthority,
    SeverityDetermination,
    SeverityDispute,
)

if TYPE_CHECKING:
    from ledger.testing_issues import TestingIssue


class IssueEvent(Aggregate.Event):
    """Every Testing Issue event carries the recording context (``ledger.context``)."""

    occurred_at: str
    actor: dict[str, str]
    clauses: list[str]
    on_behalf_of: str | None
    evidence_sha256: str | None

    @property
    def event_id(self) -> str:
        """``"{originator_id}:{version}"``, the form findings and the API name events by."""
        return f"{self.originator_id}:{self.originator_version}"


class SeverityDetermined(IssueEvent):
    """The DCC determined the severity, 1-5 (SEC H14.39(a); §13.22)."""

    severity: int

    def apply(self, issue: TestingIssue) -> None:
        issue.determinations.append(SeverityDetermination(
            self.severity, SeverityAuthority.DCC, self.occurred_at, self.event_id))


class SeverityDisputeReferredToTag(IssueEvent):
    """A Testing Participant referred its disagreement with the DCC's severity to TAG (§14.2)."""

    disputed_by: str
    dcc_severity: int
    proposed_severity: int
    could_affect_exit_of: list[str]

    def apply(self, issue: TestingIssue) -> None:
        issue.disputes.append(SeverityDispute(
            self.disputed_by, self.dcc_severity, self.proposed_severity,
            tuple(self.could_affect_exit_of), self.occurred_at, self.event_id))


class SeverityDisputeWithdrawn(IssueEvent):
    """The Testing Participant withdrew its pending §14.2 dispute."""

    reason: str

    def apply(self, issue: TestingIssue) -> None:
        issue.disputes[-1] = replace(issue.disputes[-1], outcome="withdrawn",
                                     resolved_at=self.occurred_at, resolved_event=self.event_id)


class TagSeverityDetermined(IssueEvent):
    """TAG determined the disputed severity: final and binding (§14.2), in force now (§14.4)."""

    severity: int

    def apply(self, issue: TestingIssue) -> None:
        issue.disputes[-1] = replace(issue.disputes[-1], outcome="determined",
                                     resolved_at=self.occurred_at, resolved_event=self.event_id)
        issue.determinations.append(SeverityDetermination(
            self.severity, SeverityAuthority.TAG, self.occurred_at, self.event_id))


class ExclusionProposed(IssueEvent):
    """The DCC proposed an exclusion with its rationale (§13.25; Table 13.1 #2A)."""

    kind: str
    scope_id: str
    rationale: str
    informed: list[str]

    def apply(self, issue: TestingIssue) -> None:
        issue.exclusions.append(Exclusion(
            ExclusionKind(self.kind), self.scope_id, self.rationale, tuple(self.informed),
            ExclusionStatus.PROPOSED, (self.event_id,), self.occurred_at))


class ExclusionDecidedByTag(IssueEvent):
    """TAG agreed or refused the exclusion (§13.25; #2A); a refusal starts §13.26's 5 WD."""

    kind: str
    scope_id: str
    agreed: bool

    def apply(self, issue: TestingIssue) -> None:
        status = ExclusionStatus.TAG_AGREED if self.agreed else ExclusionStatus.TAG_REFUSED
        _update_exclusion(issue, self, self.kind, self.scope_id, status=status,
                          tag_decided_at=self.occurred_at)


class ExclusionReferredToSos(IssueEvent):
    """The DCC referred TAG's refusal to the SoS (§13.26 on a material-impact ground; #2A)."""

    kind: str
    scope_id: str
    material_impact: str | None

    def apply(self, issue: TestingIssue) -> None:
        ground = None if self.material_impact is None else MaterialImpact(self.material_impact)
        _update_exclusion(issue, self, self.kind, self.scope_id,
                          status=ExclusionStatus.REFERRED_TO_SOS, referred_at=self.occurred_at,
                          material_impact=ground)


class ExclusionDeterminedBySos(IssueEvent):
    """The SoS determined the exclusion, final and binding (§13.26; Table 13.1 #2A)."""

    kind: str
    scope_id: str
    upheld: bool

    def apply(self, issue: TestingIssue) -> None:
        status = ExclusionStatus.SOS_UPHELD if self.upheld else ExclusionStatus.SOS_REFUSED
        _update_exclusion(issue, self, self.kind, self.scope_id, status=status)


class PresentedForInterfaceTesting(IssueEvent):
    """The DCC presented the issue to TAG in a §13.28 set, with its severity then."""

    phase_id: str
    candidate_set: str
    severity: int

    def apply(self, issue: TestingIssue) -> None:
        issue.interface_testing[self.phase_id] = InterfaceTestingPresentation(
            self.phase_id, InterfaceTestingSet(self.candidate_set), self.severity, self.event_id)


class CountingDeterminedByTag(IssueEvent):
    """TAG decided whether the issue counts for a phase (§13.27; §13.28(d)(e))."""

    basis: str
    phase_id: str
    counted: bool
    confirmed_severity: int | None

    def apply(self, issue: TestingIssue) -> None:
        _set_counting(issue, self, self.basis, self.phase_id, CountingStatus.TAG_DETERMINED,
                      self.counted, self.confirmed_severity)


class CountingReferredToSos(IssueEvent):
    """The DCC referred its disagreement with TAG's counting decision to the SoS (§13.29)."""

    basis: str
    phase_id: str

    def apply(self, issue: TestingIssue) -> None:
        found = issue.counting[(CountingBasis(self.basis), self.phase_id)]
        _set_counting(issue, self, self.basis, self.phase_id, CountingStatus.REFERRED_TO_SOS,
                      found.counted, found.confirmed_severity)


class CountingDeterminedBySos(IssueEvent):
    """The SoS determined the counting matter, final and binding (§13.29)."""

    basis: str
    phase_id: str
    counted: bool
    confirmed_severity: int | None

    def apply(self, issue: TestingIssue) -> None:
        _set_counting(issue, self, self.basis, self.phase_id, CountingStatus.SOS_DETERMINED,
                      self.counted, self.confirmed_severity)


class TestingIssueClosed(IssueEvent):
    """The DCC closed the issue (§8.1(l)).

    Version 2 names the executions that re-ran its tests (§12.9(h)); a version 1 event named
    none and is read as naming none.
    """

    __test__ = False  # not a pytest test class
    class_version = 2

    resolution: str
    retest_execution_ids: list[str]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["retest_execution_ids"] = []

    def apply(self, issue: TestingIssue) -> None:
        issue.is_open = False
        issue.resolution = self.resolution
        issue.retest_execution_ids = tuple(self.retest_execution_ids)


class TestingIssueReopened(IssueEvent):
    """The closed issue was reopened."""

    __test__ = False  # not a pytest test class

    reason: str

    def apply(self, issue: TestingIssue) -> None:
        issue.is_open = True


def _update_exclusion(
    issue: TestingIssue, event: IssueEvent, kind: str, scope_id: str, **changes: Any
) -> None:
    """Replace the latest exclusion of ``kind`` for ``scope_id`` with ``changes`` applied."""
    key = (ExclusionKind(kind), scope_id)
    index = max(i for i, x in enumerate(issue.exclusions) if (x.kind, x.scope_id) == key)
    current = issue.exclusions[index]
    issue.exclusions[index] = replace(current, events=(*current.events, event.event_id), **changes)


def _set_counting(
    issue: TestingIssue, event: IssueEvent, basis: str, phase_id: str, status: CountingStatus,
    counted: bool, confirmed_severity: int | None,
) -> None:
    key = (CountingBasis(basis), phase_id)
    earlier = issue.counting.get(key)
    events = (*(earlier.events if earlier else ()), event.event_id)
    issue.counting[key] = CountingDecision(*key, status, counted, confirmed_severity, events)
