"""Testing Issues through their whole life (catalogue 3.6, I1-I18; routes R13, R15-R18).

Raised and logged by the DCC (§9.2, §8.1(k)); severity determined by the DCC (SEC H14.39(a),
§13.22); a Testing Participant's severity dispute referred to TAG, whose determination is final
(§14.2) while the DCC's severity stands (§14.4) and, if the dispute could affect exit, no exit
decision may be made (§14.5); threshold exclusion proposed, agreed or refused by TAG, referred by
the DCC to the SoS, determined (§13.25-13.26); end-of-cycle new-defect exclusion (Table 13.1 #2A);
SCT issues counted for a SIT Test Phase (§13.27); SMETS1 Interface Testing sets and TAG counting
(§13.28) with SoS referral (§13.29); closed and reopened (§8.1(l)).

Structural rules raise ``InvalidTestingIssueEventError`` and nothing is written. Compliance (a
§13.26 referral after 5 Working Days, a proposal not notified to TAB, TAG and Panel) is recorded
and reported by ``ledger.findings.testing_issues``. Who may issue a command (and the evidence
hash for a decision recorded on TAG's or the SoS's behalf) is checked by the caller
(``ledger.context``), not here. Every command takes ``**context.fields()``.
"""

from __future__ import annotations

from typing import Any, NoReturn
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.errors import InvalidTestingIssueEventError
from ledger.rules.roles import Role
from ledger.testing_issue_events import (
    CountingDeterminedBySos,
    CountingDeterminedByTag,
    CountingReferredToSos,
    ExclusionDecidedByTag,
    ExclusionDeterminedBySos,
    ExclusionProposed,
    ExclusionReferredToSos,
    IssueEvent,
    PresentedForInterfaceTesting,
    SeverityDetermined,
    SeverityDisputeReferredToTag,
    SeverityDisputeWithdrawn,
    TagSeverityDetermined,
    TestingIssueClosed,
    TestingIssueReopened,
)
from ledger.testing_issue_values import (
    CountingBasis,
    CountingDecision,
    CountingStatus,
    Exclusion,
    ExclusionKind,
    ExclusionStatus,
    InterfaceTestingPresentation,
    InterfaceTestingSet,
    IssueCause,
    MaterialImpact,
    SeverityAuthority,
    SeverityDetermination,
    SeverityDispute,
    TestEnvironment,
    require_bool,
    require_enum,
    require_ids,
    require_severity,
    require_text,
)

_EX, _CS = ExclusionStatus, CountingStatus


class TestingIssue(Aggregate):
    """One Testing Issue; its id derives from its reference in the DCC's Testing Issue log."""

    __test__ = False  # not a pytest test class

    Event = IssueEvent  # every event carries the recording context

    @classmethod
    def create_id(cls, reference: str, **_: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"akledger:testing-issue:{reference}")

    @classmethod
    def raise_issue(
        cls, reference: str, summary: str, phase_id: str, *, dmc_ids: list[str],
        epcl_entry_ids: list[str], service_providers: list[str], cause: IssueCause | str,
        environment: TestEnvironment | str, raised_by: str, security_impact: bool, **context: Any,
    ) -> TestingIssue:
        """Record a Testing Issue raised in Test Phase ``phase_id`` (§9.2, §8.1(k), catalogue I1).

        ``service_providers`` may be empty: the issue is then unattributed (A9). ``cause``
        decides whether it counts against thresholds (§13.22, A8); ``security_impact`` marks it
        for §6.4(b)(d). Raises ``InvalidTestingIssueEventError`` naming the field.
        """
        ref = require_text("(unnamed)", "reference", reference)
        return cls(
            reference=ref, summary=require_text(ref, "summary", summary),
            phase_id=require_text(ref, "phase_id", phase_id),
            dmc_ids=require_ids(ref, "dmc_ids", dmc_ids),
            epcl_entry_ids=require_ids(ref, "epcl_entry_ids", epcl_entry_ids),
            service_providers=require_ids(ref, "service_providers", service_providers),
            cause=require_enum(ref, "cause", IssueCause, cause).value,
            environment=require_enum(ref, "environment", TestEnvironment, environment).value,
            raised_by=require_text(ref, "raised_by", raised_by),
            security_impact=require_bool(ref, "security_impact", security_impact), **context,
        )

    @event("TestingIssueRaised")
    def __init__(
        self, reference: str, summary: str, phase_id: str, dmc_ids: list[str],
        epcl_entry_ids: list[str], service_providers: list[str], cause: str, environment: str,
        raised_by: str, security_impact: bool, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        """Applies ``TestingIssueRaised``; record new issues with :meth:`raise_issue`."""
        self.reference, self.summary, self.phase_id = reference, summary, phase_id
        self.dmc_ids, self.epcl_entry_ids = tuple(dmc_ids), tuple(epcl_entry_ids)
        self.service_providers = tuple(service_providers)
        self.cause, self.environment = IssueCause(cause), TestEnvironment(environment)
        self.raised_by, self.security_impact, self.raised_at = raised_by, security_impact, occurred_at
        self.is_open = True
        self.determinations: list[SeverityDetermination] = []
        self.disputes: list[SeverityDispute] = []
        self.exclusions: list[Exclusion] = []
        self.interface_testing: dict[str, InterfaceTestingPresentation] = {}
        self.counting: dict[tuple[CountingBasis, str], CountingDecision] = {}
        self.resolution: str | None = None
        self.retest_execution_ids: tuple[str, ...] = ()

    # -- what the issue says now ------------------------------------------------------------
    @property
    def effective_severity(self) -> int | None:
        """The severity used in every evaluation (§14.4): the latest determination, so the DCC's
        stands while a dispute is pending and TAG's once it determines. None before any."""
        return self.determinations[-1].severity if self.determinations else None

    @property
    def pending_dispute(self) -> SeverityDispute | None:
        return self.disputes[-1] if self.disputes and self.disputes[-1].pending else None

    def blocks_exit_of(self, phase_id: str) -> bool:
        """True while a dispute that could affect ``phase_id``'s exit is pending (§14.5)."""
        pending = self.pending_dispute
        return pending is not None and phase_id in pending.could_affect_exit_of

    @property
    def is_unattributed(self) -> bool:
        """No DCC Service Provider named: reported apart from per-provider counts (A9)."""
        return not self.service_providers

    def exclusion(self, kind: ExclusionKind, scope_id: str) -> Exclusion | None:
        """The latest exclusion proposal of ``kind`` for ``scope_id``, if any."""
        return next((x for x in reversed(self.exclusions) if (x.kind, x.scope_id) == (kind, scope_id)),
                    None)

    def is_excluded(self, kind: ExclusionKind, scope_id: str) -> bool:
        found = self.exclusion(kind, scope_id)
        return found is not None and found.excludes

    def counts_for(self, basis: CountingBasis, phase_id: str) -> bool | None:
        """TAG's (or the SoS's) decision whether the issue counts for ``phase_id``; None if none."""
        decision = self.counting.get((basis, phase_id))
        return None if decision is None else decision.counted

    # -- severity (SEC H14.39(a), §14.2-14.5) ------------------------------------------------
    def determine_severity(self, severity: int, **context: Any) -> None:
        """The DCC determines (or re-determines) the severity, 1-5 (H14.39(a), §13.22)."""
        value = require_severity(self.reference, "severity", severity)
        self.trigger_event(SeverityDetermined, severity=value, **context)

    def refer_severity_dispute(
        self, disputed_by: str, proposed_severity: int, could_affect_exit_of: list[str],
        **context: Any,
    ) -> None:
        """A Testing Participant refers its disagreement with the DCC's severity to TAG (§14.2).

        ``could_affect_exit_of``: the Test Phases whose exit it could affect (§14.5); may be
        empty. Raises if no DCC severity is in force (none yet, or the latest is TAG's final
        determination), a dispute is pending, or the proposal equals the DCC's severity.
        """
        ref = self.reference
        who = require_text(ref, "disputed_by", disputed_by)
        proposed = require_severity(ref, "proposed_severity", proposed_severity)
        phases = require_ids(ref, "could_affect_exit_of", could_affect_exit_of)
        if not self.determinations:
            self._refuse("status", "no severity has been determined to dispute (H14.39(a), §14.2)")
        latest = self.determinations[-1]
        if latest.by is SeverityAuthority.TAG:
            self._refuse("status", f"severity {latest.severity} is TAG's final determination "
                         f"({latest.event_id}, §14.2); only a later DCC determination can be disputed")
        if (pending := self.pending_dispute) is not None:
            self._refuse("status", f"the dispute referred at {pending.referred_at} is still pending")
        if proposed == latest.severity:
            self._refuse("proposed_severity", f"equals the DCC's severity {proposed}: nothing to dispute")
        self.trigger_event(SeverityDisputeReferredToTag, disputed_by=who,
                           dcc_severity=latest.severity, proposed_severity=proposed,
                           could_affect_exit_of=phases, **context)

    def withdraw_severity_dispute(self, reason: str, **context: Any) -> None:
        """The Testing Participant withdraws its pending dispute (R18)."""
        text = require_text(self.reference, "reason", reason)
        self._require_pending_dispute("withdraw")
        self.trigger_event(SeverityDisputeWithdrawn, reason=text, **context)

    def record_tag_severity_determination(self, severity: int, **context: Any) -> None:
        """TAG determines the disputed severity: final and binding (§14.2), in force from now (§14.4)."""
        value = require_severity(self.reference, "severity", severity)
        self._require_pending_dispute("determine")
        self.trigger_event(TagSeverityDetermined, severity=value, **context)

    # -- exclusions (§13.25-13.26; Table 13.1 #2A) -------------------------------------------
    def propose_exclusion(
        self, kind: ExclusionKind | str, scope_id: str, rationale: str, informed: list[str],
        **context: Any,
    ) -> None:
        """The DCC proposes to exclude the issue, with its rationale (§13.25; Table 13.1 #2A).

        ``scope_id``: the Test Phase (threshold) or end-of-cycle run (new defect). ``informed``:
        the roles told (§13.25 requires TAB, TAG and Panel; a shortfall is a finding). Raises if
        a proposal for the same scope is pending or has been agreed.
        """
        ref = self.reference
        which = require_enum(ref, "kind", ExclusionKind, kind)
        scope = require_text(ref, "scope_id", scope_id)
        told = [require_enum(ref, "informed", Role, r).value for r in require_ids(ref, "informed", informed)]
        current = self.exclusion(which, scope)
        if current is not None and current.status not in (_EX.TAG_REFUSED, _EX.SOS_REFUSED):
            self._refuse("status", f"{which.value} exclusion for {scope} is already {current.status.value}")
        self.trigger_event(ExclusionProposed, kind=which.value, scope_id=scope,
                           rationale=require_text(ref, "rationale", rationale), informed=told, **context)

    def record_tag_exclusion_decision(
        self, kind: ExclusionKind | str, scope_id: str, agreed: bool, **context: Any
    ) -> None:
        """TAG agrees or refuses the proposed exclusion (§13.25; Table 13.1 #2A)."""
        which = self._require_exclusion(kind, scope_id, _EX.PROPOSED).kind
        self.trigger_event(ExclusionDecidedByTag, kind=which.value, scope_id=scope_id,
                           agreed=require_bool(self.reference, "agreed", agreed), **context)

    def refer_exclusion_to_sos(
        self, kind: ExclusionKind | str, scope_id: str, material_impact: MaterialImpact | str | None,
        **context: Any,
    ) -> None:
        """The DCC refers TAG's refusal to the SoS (§13.26, within 5 WD; Table 13.1 #2A, untimed).

        A threshold referral states its ground, §13.26(a) or (b); an end-of-cycle one has none.
        A late referral is recorded; the finding reports it.
        """
        which = self._require_exclusion(kind, scope_id, _EX.TAG_REFUSED).kind
        ground: str | None = None
        if which is ExclusionKind.THRESHOLD:
            ground = require_enum(self.reference, "material_impact", MaterialImpact, material_impact).value
        elif material_impact is not None:
            self._refuse("material_impact", "applies only to a §13.26 threshold exclusion referral")
        self.trigger_event(ExclusionReferredToSos, kind=which.value, scope_id=scope_id,
                           material_impact=ground, **context)

    def record_sos_exclusion_determination(
        self, kind: ExclusionKind | str, scope_id: str, upheld: bool, **context: Any
    ) -> None:
        """The SoS determines the referred exclusion, final and binding (§13.26; Table 13.1 #2A)."""
        which = self._require_exclusion(kind, scope_id, _EX.REFERRED_TO_SOS).kind
        self.trigger_event(ExclusionDeterminedBySos, kind=which.value, scope_id=scope_id,
                           upheld=require_bool(self.reference, "upheld", upheld), **context)

    # -- counting for a phase (§13.27-13.29) -------------------------------------------------
    def present_for_interface_testing(
        self, phase_id: str, candidate_set: InterfaceTestingSet | str, **context: Any
    ) -> None:
        """The DCC presents the open issue to TAG in §13.28 set (a), (b) or (c)."""
        ref = self.reference
        phase = require_text(ref, "phase_id", phase_id)
        which = require_enum(ref, "candidate_set", InterfaceTestingSet, candidate_set)
        severity = self.effective_severity
        if not self.is_open or severity is None:
            self._refuse("status", "only an open issue with a severity can be presented (§13.28)")
        if severity not in which.severities:
            self._refuse("candidate_set", f"set ({which.value}) holds severities "
                         f"{which.severities.start}-{which.severities.stop - 1}, the issue is {severity}")
        self.trigger_event(PresentedForInterfaceTesting, phase_id=phase,
                           candidate_set=which.value, severity=severity, **context)

    def record_tag_counting_decision(
        self, basis: CountingBasis | str, phase_id: str, counted: bool,
        confirmed_severity: int | None = None, **context: Any,
    ) -> None:
        """TAG decides whether the issue counts for ``phase_id`` (§13.27; §13.28(d)(e)).

        For SMETS1 Interface Testing the issue must have been presented and TAG confirms its
        severity (d); for an SCT issue no severity is confirmed. Raises while a §13.29 referral
        is pending or after the SoS has determined.
        """
        which, phase, severity = self._counting_args(basis, phase_id, confirmed_severity)
        current = self.counting.get((which, phase))
        if current is not None and current.status is not _CS.TAG_DETERMINED:
            self._refuse("status", f"counting for {phase} is {current.status.value} (§13.29)")
        self.trigger_event(CountingDeterminedByTag, basis=which.value, phase_id=phase,
                           counted=require_bool(self.reference, "counted", counted),
                           confirmed_severity=severity, **context)

    def refer_counting_to_sos(self, basis: CountingBasis | str, phase_id: str, **context: Any) -> None:
        """The DCC, disagreeing with TAG, refers the counting decision to the SoS (§13.29)."""
        which = self._require_counting(basis, phase_id, _CS.TAG_DETERMINED)
        self.trigger_event(CountingReferredToSos, basis=which.value, phase_id=phase_id, **context)

    def record_sos_counting_determination(
        self, basis: CountingBasis | str, phase_id: str, counted: bool,
        confirmed_severity: int | None = None, **context: Any,
    ) -> None:
        """The SoS determines the referred counting matter, final and binding (§13.29)."""
        which, phase, severity = self._counting_args(basis, phase_id, confirmed_severity)
        self._require_counting(which, phase, _CS.REFERRED_TO_SOS)
        self.trigger_event(CountingDeterminedBySos, basis=which.value, phase_id=phase,
                           counted=require_bool(self.reference, "counted", counted),
                           confirmed_severity=severity, **context)

    # -- closing and reopening (§8.1(l)) ----------------------------------------------------
    def close(self, resolution: str, retest_execution_ids: list[str], **context: Any) -> None:
        """The DCC closes the issue, naming the executions that re-ran its tests (§8.1(l), §12.9(h))."""
        text = require_text(self.reference, "resolution", resolution)
        retests = require_ids(self.reference, "retest_execution_ids", retest_execution_ids)
        if not self.is_open:
            self._refuse("status", "is already closed")
        self.trigger_event(TestingIssueClosed, resolution=text, retest_execution_ids=retests,
                           **context)

    def reopen(self, reason: str, **context: Any) -> None:
        """The closed issue is reopened (its fix did not hold)."""
        text = require_text(self.reference, "reason", reason)
        if self.is_open:
            self._refuse("status", "is open: only a closed issue can be reopened")
        self.trigger_event(TestingIssueReopened, reason=text, **context)

    # -- helpers ----------------------------------------------------------------------------
    def _refuse(self, field: str, reason: str) -> NoReturn:
        raise InvalidTestingIssueEventError(field, f"testing issue {self.reference}: {reason}")

    def _require_pending_dispute(self, action: str) -> None:
        if self.pending_dispute is None:
            self._refuse("status", f"no severity dispute is pending to {action} (§14.2)")

    def _require_exclusion(
        self, kind: ExclusionKind | str, scope_id: str, status: ExclusionStatus
    ) -> Exclusion:
        which = require_enum(self.reference, "kind", ExclusionKind, kind)
        current = self.exclusion(which, scope_id)
        if current is None or current.status is not status:
            found = "no proposal" if current is None else current.status.value
            self._refuse("status", f"{which.value} exclusion for {scope_id!r} is {found}, "
                         f"not {status.value}")
        return current

    def _counting_args(
        self, basis: CountingBasis | str, phase_id: str, confirmed_severity: int | None
    ) -> tuple[CountingBasis, str, int | None]:
        ref = self.reference
        which = require_enum(ref, "basis", CountingBasis, basis)
        phase = require_text(ref, "phase_id", phase_id)
        if which is CountingBasis.SCT_ISSUE_IN_SIT:
            if confirmed_severity is not None:
                self._refuse("confirmed_severity", "is confirmed only under §13.28(d)")
            return which, phase, None
        if phase not in self.interface_testing:
            self._refuse("status", f"not presented for SMETS1 Interface Testing in {phase} (§13.28)")
        return which, phase, require_severity(ref, "confirmed_severity", confirmed_severity)

    def _require_counting(
        self, basis: CountingBasis | str, phase_id: str, status: CountingStatus
    ) -> CountingBasis:
        which = require_enum(self.reference, "basis", CountingBasis, basis)
        current = self.counting.get((which, phase_id))
        if current is None or current.status is not status:
            found = "undecided" if current is None else current.status.value
            self._refuse("status", f"counting for {phase_id!r} is {found}, not {status.value}")
        return which


TestingIssueRaised = TestingIssue.TestingIssueRaised  # type: ignore[attr-defined]

__all__ = [
    "CountingDeterminedBySos",
    "CountingDeterminedByTag",
    "CountingReferredToSos",
    "ExclusionDecidedByTag",
    "ExclusionDeterminedBySos",
    "ExclusionProposed",
    "ExclusionReferredToSos",
    "PresentedForInterfaceTesting",
    "SeverityDetermined",
    "SeverityDisputeReferredToTag",
    "SeverityDisputeWithdrawn",
    "TagSeverityDetermined",
    "TestingIssue",
    "TestingIssueClosed",
    "TestingIssueRaised",
    "TestingIssueReopened",
]
