"""What a Testing Issue records (``ledger.testing_issues``): its enums, the records its history
leaves, its events, and the structural checks on command arguments.

Enum members are stored in events by ``.value`` (house rule 3: payloads are JSON). The checks
raise :class:`ledger.errors.InvalidTestingIssueEventError` naming the field and the issue
reference; nothing is written when one fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from eventsourcing.domain import Aggregate

from ledger.errors import InvalidTestingIssueEventError

if TYPE_CHECKING:
    from ledger.testing_issues import TestingIssue

SEVERITIES = range(1, 6)  # clause 12 of the Common Test Scenarios Document (§13.22)


class IssueCause(StrEnum):
    """What the issue arose from. Only DCC causes count against thresholds (§13.22, A8)."""

    DCC_TOTAL_SYSTEM = "dcc_total_system"
    MODIFIED_DCC_TOTAL_SYSTEM = "modified_dcc_total_system"
    OTHER = "other"  # Devices, User Systems, test harness: listed apart for TAG (A8)

    @property
    def counts_against_thresholds(self) -> bool:
        return self is not IssueCause.OTHER


class TestEnvironment(StrEnum):
    """Where the issue arose: a DCC test environment or production (§13.21, §13.28(c))."""

    __test__ = False  # not a pytest test class

    TEST = "test"
    PRODUCTION = "production"


class ExclusionKind(StrEnum):
    """The two exclusions that need TAG (or, on the DCC's referral, SoS) agreement.

    ``THRESHOLD``: from a Test Phase's Testing Issue Threshold (§13.25-13.26); scope = the Test
    Phase id. ``END_OF_CYCLE``: a new defect from the end-of-cycle pass rate (Table 13.1 #2A item
    2, A17); scope = the end-of-cycle run id.
    """

    THRESHOLD = "threshold"
    END_OF_CYCLE = "end_of_cycle"


class ExclusionStatus(StrEnum):
    """Where an exclusion proposal stands (catalogue T8)."""

    PROPOSED = "proposed"
    TAG_AGREED = "tag_agreed"
    TAG_REFUSED = "tag_refused"
    REFERRED_TO_SOS = "referred_to_sos"
    SOS_UPHELD = "sos_upheld"
    SOS_REFUSED = "sos_refused"


class MaterialImpact(StrEnum):
    """The ground of a §13.26 referral: material impact on delivering IOC (a), or on completing
    SIT or MT for a MOC/FOC planned EPCL entry (b)."""

    DELIVER_IOC = "deliver_ioc"
    COMPLETE_SIT_OR_MT = "complete_sit_or_mt"


class InterfaceTestingSet(StrEnum):
    """The §13.28 set an issue is presented to TAG in, for SMETS1 Interface Testing exit.

    (a) open severity 1-3 raised by any Testing Participant; (b) open severity 4-5 raised by a
    Party that completed Additional SR Testing; (c) other open severity 1-3 issues in DCC test or
    production environments that could impact the decision to deploy (§13.21, T3).
    """

    A = "a"
    B = "b"
    C = "c"

    @property
    def severities(self) -> range:
        return range(4, 6) if self is InterfaceTestingSet.B else range(1, 4)


class CountingBasis(StrEnum):
    """Why TAG decides whether an issue counts for a phase (the SoS on referral, §13.29).

    ``SCT_ISSUE_IN_SIT``: an SCT issue counted for a SIT Test Phase (§13.27);
    ``INTERFACE_TESTING``: an issue presented under §13.28, severity confirmed (d), counted (e).
    """

    SCT_ISSUE_IN_SIT = "sct_issue_in_sit"
    INTERFACE_TESTING = "interface_testing"


class CountingStatus(StrEnum):
    TAG_DETERMINED = "tag_determined"
    REFERRED_TO_SOS = "referred_to_sos"
    SOS_DETERMINED = "sos_determined"


class SeverityAuthority(StrEnum):
    """Who determined a severity: the DCC (SEC H14.39(a)) or TAG on a §14.2 dispute (final)."""

    DCC = "dcc"
    TAG = "tag"


# -- records left by the events ---------------------------------------------------------------
@dataclass(frozen=True)
class SeverityDetermination:
    severity: int
    by: SeverityAuthority
    occurred_at: str
    event_id: str


@dataclass(frozen=True)
class SeverityDispute:
    """A §14.2 referral to TAG and how it ended; it blocks ``could_affect_exit_of`` (§14.5)."""

    disputed_by: str
    dcc_severity: int
    proposed_severity: int
    could_affect_exit_of: tuple[str, ...]
    referred_at: str
    referred_event: str
    outcome: str | None = None  # "determined" or "withdrawn"
    resolved_at: str | None = None
    resolved_event: str | None = None

    @property
    def pending(self) -> bool:
        return self.outcome is None

    def pending_at(self, instant: datetime) -> bool:
        """True if referred at or before ``instant`` (aware) and not yet resolved then."""
        if datetime.fromisoformat(self.referred_at) > instant:
            return False
        return self.resolved_at is None or datetime.fromisoformat(self.resolved_at) > instant


@dataclass(frozen=True)
class Exclusion:
    """One exclusion proposal and its decisions; ``events`` are its event ids in order."""

    kind: ExclusionKind
    scope_id: str
    rationale: str
    informed: tuple[str, ...]
    status: ExclusionStatus
    events: tuple[str, ...]
    proposed_at: str
    tag_decided_at: str | None = None
    referred_at: str | None = None
    material_impact: MaterialImpact | None = None

    @property
    def excludes(self) -> bool:
        """Only TAG's agreement or the SoS upholding it excludes (§13.25-13.26; #2A)."""
        return self.status in (ExclusionStatus.TAG_AGREED, ExclusionStatus.SOS_UPHELD)


@dataclass(frozen=True)
class InterfaceTestingPresentation:
    phase_id: str
    candidate_set: InterfaceTestingSet
    severity: int
    event_id: str


@dataclass(frozen=True)
class CountingDecision:
    """TAG's (or, on a §13.29 referral, the SoS's) decision on counting for one phase."""

    basis: CountingBasis
    phase_id: str
    status: CountingStatus
    counted: bool
    confirmed_severity: int | None
    events: tuple[str, ...]


# -- events (past tense; ``apply`` evolves the issue) -----------------------------------------
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


# -- structural checks ------------------------------------------------------------------------
E = TypeVar("E", bound=StrEnum)


def require_text(reference: str, field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidTestingIssueEventError(
            field, f"testing issue {reference}: must be a non-empty string, got {value!r}")
    return value


def require_ids(reference: str, field: str, values: object) -> list[str]:
    """A list of distinct non-empty ids (may be empty)."""
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise InvalidTestingIssueEventError(
            field, f"testing issue {reference}: must be a list of ids, got {values!r}")
    ids = [require_text(reference, field, value) for value in values]
    if repeated := sorted({i for i in ids if ids.count(i) > 1}):
        raise InvalidTestingIssueEventError(
            field, f"testing issue {reference}: repeats {', '.join(repeated)}")
    return ids


def require_severity(reference: str, field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SEVERITIES:
        raise InvalidTestingIssueEventError(
            field, f"testing issue {reference}: severity must be an integer 1-5, got {value!r}")
    return value


def require_bool(reference: str, field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidTestingIssueEventError(
            field, f"testing issue {reference}: must be true or false, got {value!r}")
    return value


def require_enum(reference: str, field: str, enum: type[E], value: object) -> E:
    """``value`` as a member of ``enum`` (a member, or a member's value)."""
    allowed = [member.value for member in enum]
    if isinstance(value, str) and value in allowed:
        return enum(value)
    raise InvalidTestingIssueEventError(
        field, f"testing issue {reference}: {value!r} is not one of {', '.join(allowed)}")
