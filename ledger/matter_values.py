"""What a Matter records (``ledger.matters``): where it stands, what it concerns, and the records
its history leaves (referrals, determinations, withdrawals); and which step a route's Working Day
window limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ledger.rules.route_types import Window


class MatterStatus(StrEnum):
    """Where a matter stands. RAISED and REFERRED are pending; the other two are closed."""

    RAISED = "raised"
    REFERRED = "referred"
    DETERMINED = "determined"
    WITHDRAWN = "withdrawn"


class SubjectKind(StrEnum):
    """What a matter can concern (domain/README.md core model)."""

    TESTING_ISSUE = "testing_issue"
    TEST_PHASE = "test_phase"
    CAPABILITY_RELEASE = "capability_release"
    DMC = "dmc"
    PLANNED_EPCL_ENTRY = "planned_epcl_entry"
    PLANNED_TEST = "planned_test"
    DOCUMENT = "document"
    WORK_OFF_PLAN = "work_off_plan"


class WindowedAct(StrEnum):
    """Which step of a matter a route's Working Day window limits."""

    RAISE = "raise"  # §20.12 (R24, R25): the Supplier Party's notice of disagreement
    REFERRAL = "referral"  # §13.4, §13.7, §13.26, §20.37: the referral to the SoS


@dataclass(frozen=True)
class Subject:
    """A reference to what a matter concerns: a Testing Issue, phase, DMC, document ..."""

    kind: SubjectKind
    id: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind.value, "id": self.id}


@dataclass(frozen=True)
class Referral:
    """A recorded referral (``MatterReferred``); roles as stored (``Role`` values)."""

    to: str
    referred_by: str
    occurred_at: datetime
    version: int


@dataclass(frozen=True)
class Determination:
    """A recorded determination (``MatterDetermined``)."""

    determined_by: str
    outcome: str
    outcome_code: str | None
    final_and_binding: bool
    occurred_at: datetime
    version: int


@dataclass(frozen=True)
class Withdrawal:
    """A recorded withdrawal (``MatterWithdrawn``)."""

    withdrawn_by: str
    reason: str
    occurred_at: datetime
    version: int


def windowed_act(window: Window) -> WindowedAct:
    """The step ``window`` limits, read from its ``act`` (the row has no structured field for it)."""
    return WindowedAct.REFERRAL if "referral" in window.act else WindowedAct.RAISE


def has_per_party_clock(window: Window) -> bool:
    """True where each Supplier Party's clock runs from its own trigger (A40: §20.12, §20.37)."""
    return "that Supplier Party" in window.trigger
