"""What a Testing Issue records (``ledger.testing_issues``): its enums, the records its history
leaves, and the structural checks on command arguments. Its events are
``ledger.testing_issue_events``.

Enum members are stored in events by ``.value`` (house rule 3: payloads are JSON). The checks
raise :class:`ledger.errors.InvalidTestingIssueEventError` naming the field and the issue
reference; nothing is written when one fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from ledger.errors import InvalidTestingIssueEventError

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
