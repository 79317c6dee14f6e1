"""Test Phases: entry, stages, exit, Test Completion Certificates, completion.

A ``TestPhase`` is one phase of one Capability Release (``ledger.capability_releases``; def.
"Test Phase"; catalogue 2.2), keyed as ``ledger.rules.phase_kinds.PHASE_KINDS`` says: PIT per
DCC Service Provider; SIT one for IOC, one per planned EPCL entry for MOC/FOC; UTS (SMETS1
Interface Testing); Active, Dormant and Mixed MMT per planned EPCL entry; SCT. Its life follows
``ledger.rules.phase_transitions.TRANSITIONS``: planned -> entry criteria §12.5(a)-(f) recorded
as facts -> entered -> Test Stages (§12.4) -> exit proposed (§9.4, §13.18) -> TCCs issued by the
DCC with TAB approval (A28), revoked by the TAB (§15.2) -> completion determined, or continuation
directed (§13.19).

Structural rules (``InvalidPhaseEventError`` naming the field; nothing is written): the phase key
fits its kind and release; a command is allowed from the current status only (the message names
the status and the commands allowed next); §12.5(e) is recorded only for MOC/FOC SIT; a criterion
recorded as met cites its evidence; stage and certificate ids are unique, a stage exits once, only
an issued certificate is revoked and only a revoked one reinstated; a PIT certificate goes to the
phase's own DCC Service Provider; a decision recorded on a body's behalf names that body.

Compliance (recorded here, flagged by ``ledger.findings.phases``): entry with a §12.5 criterion
unmet or unrecorded; SIT completion determined by a body other than the Panel, without a TCC or
without the §13.18(c) TAG review; TCCs without TAB approval or revoked by another body; MT or UTS
entered before its Testing Approach Document was approved (§12.3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.phase_values import (
    Certificate,
    CertificateAct,
    CriterionFact,
    Determination,
    Entry,
    Stage,
    fail,
    require_name,
    require_role,
    require_sha256,
)
from ledger.rules.phase_kinds import (
    ENTRY_CRITERIA,
    PHASE_KINDS,
    EntryCriterion,
    OperatingCapability,
    PhaseKind,
    StageKind,
)
from ledger.rules.phase_transitions import TRANSITIONS, PhaseCommand, PhaseStatus
from ledger.rules.roles import Role

_C = PhaseCommand


def allowed_next(status: PhaseStatus) -> tuple[PhaseCommand, ...]:
    """The commands ``TRANSITIONS`` allows from ``status``."""
    return tuple(c for c, t in TRANSITIONS.items() if status in t.allowed_from)


def criterion_required(criterion: EntryCriterion, kind: PhaseKind, capability: OperatingCapability) -> bool:
    row = ENTRY_CRITERIA[criterion]
    if row.only_for and (kind, capability) not in row.only_for:
        return False
    return (kind, capability) not in row.not_required_for


class TestPhase(Aggregate):
    """One Test Phase of one Capability Release; its id derives from its key (see ``plan``)."""

    __test__ = False  # not a pytest test class

    @classmethod
    def create_id(
        cls, capability: str, kind: str, service_provider: str | None, epcl_entry: str | None, **_: object
    ) -> UUID:
        key = f"{capability}:{kind}:{service_provider or ''}:{epcl_entry or ''}"
        return uuid5(NAMESPACE_URL, f"akledger:test-phase:{key}")

    @classmethod
    def plan(
        cls, capability: OperatingCapability | str, kind: PhaseKind | str, *,
        service_provider: str | None = None, epcl_entry: str | None = None, **context: Any,
    ) -> TestPhase:
        """Plan a phase. PIT names its DCC Service Provider; SIT for MOC/FOC and MMT name their
        planned EPCL entry; no other phase names either. Raises ``InvalidPhaseEventError``:
        capability, kind, service_provider, epcl_entry."""
        try:
            release = OperatingCapability(capability)
        except ValueError:
            raise fail("capability", f"{capability!r} is not IOC, MOC or FOC") from None
        try:
            phase_kind = PhaseKind(kind)
        except ValueError:
            raise fail("kind", f"{kind!r} is not a Test Phase ({', '.join(PhaseKind)})") from None
        row, whose = PHASE_KINDS[phase_kind], f"{phase_kind.value} phase for {release.value}"
        if row.per_service_provider:
            require_name("service_provider", service_provider, f"{whose} (one per DCC Service Provider)")
        elif service_provider is not None:
            raise fail("service_provider", f"{whose}: only PIT is per DCC Service Provider")
        if release in row.per_epcl_entry_in:
            require_name("epcl_entry", epcl_entry, f"{whose} (one per planned EPCL entry)")
        elif epcl_entry is not None:
            raise fail("epcl_entry", f"{whose} is not per planned EPCL entry")
        return cls(
            capability=release.value, kind=phase_kind.value, service_provider=service_provider,
            epcl_entry=epcl_entry, **{**context, "clauses": list(context.get("clauses") or row.clauses)},
        )

    # -- commands -------------------------------------------------------------------------------
    def record_entry_criterion(
        self, criterion: EntryCriterion | str, met: bool, *, document_sha256: str | None = None,
        basis: str | None = None, **context: Any,
    ) -> None:
        """Record whether a §12.5 criterion is met, with the evidence document's SHA-256 (required
        when met). Raises ``InvalidPhaseEventError``: criterion, document_sha256."""
        try:
            which = EntryCriterion(criterion)
        except ValueError:
            raise fail("criterion", f"{self.label}: {criterion!r} is not 12.5(a)-(f)") from None
        if ENTRY_CRITERIA[which].only_for and not criterion_required(which, self.kind, self.capability):
            raise fail("criterion", f"{self.label}: {which.value} applies only to SIT for MOC or FOC")
        if met and document_sha256 is None:
            raise fail("document_sha256", f"{self.label}: {which.value} recorded as met needs its evidence")
        require_sha256("document_sha256", document_sha256, self.label)
        self._apply(_C.RECORD_ENTRY_CRITERION, self._criterion_recorded, context,
                    criterion=which.value, met=met, document_sha256=document_sha256, basis=basis)

    def enter(self, *, overlap_basis: str | None = None, **context: Any) -> None:
        """Record entry (§12.1). Entry with criteria unmet is recorded (and flagged), never refused."""
        self._apply(_C.ENTER, self._entered, context, overlap_basis=overlap_basis)

    def enter_stage(self, stage_id: str, name: str, kind: StageKind | str, **context: Any) -> None:
        """Raises ``InvalidPhaseEventError``: stage_id (empty or taken), name, kind (a Solution
        Test outside SIT)."""
        require_name("stage_id", stage_id, self.label)
        require_name("name", name, self.label)
        if stage_id in self.stages:
            raise fail("stage_id", f"{self.label} already has stage {stage_id!r}")
        try:
            stage_kind = StageKind(kind)
        except ValueError:
            raise fail("kind", f"{self.label}: {kind!r} is not a StageKind") from None
        if stage_kind is StageKind.SOLUTION_TEST and self.kind is not PhaseKind.SIT:
            raise fail("kind", f"{self.label}: a Solution Test is a stage within SIT (Table 1.1)")
        self._apply(
            _C.ENTER_STAGE, self._stage_entered, context, stage_id=stage_id, name=name, kind=stage_kind.value
        )

    def exit_stage(self, stage_id: str, **context: Any) -> None:
        """Record that Test Stage ``stage_id`` has exited. Raises ``InvalidPhaseEventError``: stage_id."""
        stage = self.stages.get(stage_id)
        if stage is None or stage.exited_version is not None:
            state = "has no stage" if stage is None else "has already exited stage"
            raise fail("stage_id", f"{self.label} {state} {stage_id!r}")
        self._apply(_C.EXIT_STAGE, self._stage_exited, context, stage_id=stage_id)

    def propose_exit(self, **context: Any) -> None:
        """The DCC considers the phase should complete (§9.4; for SIT §9.7, §13.18), or submits
        further evidence after a direction to continue (§13.19)."""
        self._apply(_C.PROPOSE_EXIT, self._exit_proposed, context)

    def review_evidence_with_tag(self, **context: Any) -> None:
        """The DCC reviewed the entry and exit evidence with the TAG (§13.18(c))."""
        self._apply(_C.REVIEW_EVIDENCE_WITH_TAG, self._evidence_reviewed, context)

    def issue_tcc(
        self, certificate_id: str, service_provider: str, *, tab_approval_sha256: str | None = None,
        certificate_sha256: str | None = None, **context: Any,
    ) -> None:
        """The DCC issues a TCC to a DCC Service Provider; ``tab_approval_sha256`` evidences the
        TAB's approval (A28: without it the TCC is recorded and flagged). Raises
        ``InvalidPhaseEventError``: certificate_id (empty or taken), service_provider, *_sha256."""
        require_name("certificate_id", certificate_id, self.label)
        require_name("service_provider", service_provider, self.label)
        if certificate_id in self.certificates:
            raise fail("certificate_id", f"{self.label} already has TCC {certificate_id!r}")
        if self.service_provider is not None and service_provider != self.service_provider:
            certified = self.service_provider
            raise fail("service_provider", f"{self.label}: PIT certifies {certified} not {service_provider}")
        require_sha256("tab_approval_sha256", tab_approval_sha256, self.label)
        require_sha256("certificate_sha256", certificate_sha256, self.label)
        self._apply(_C.ISSUE_TCC, self._tcc_issued, context, certificate_id=certificate_id,
                    service_provider=service_provider, tab_approval_sha256=tab_approval_sha256,
                    certificate_sha256=certificate_sha256)

    def revoke_tcc(self, certificate_id: str, revoked_by: Role | str, **context: Any) -> None:
        """Record a revocation (§15.2: the TAB's; another body's is recorded and flagged)."""
        self._certificate_act(certificate_id, revoked_by, revoke=True, context=context)

    def reinstate_tcc(self, certificate_id: str, reinstated_by: Role | str, **context: Any) -> None:
        """Record that a revoked TCC was reinstated (A32)."""
        self._certificate_act(certificate_id, reinstated_by, revoke=False, context=context)

    def determine_completion(self, determined_by: Role | str, **context: Any) -> None:
        """Record that ``determined_by`` determined the phase complete (SIT: the Panel, §13.18)."""
        role = require_role("determined_by", determined_by, context, self.label)
        self._apply(_C.DETERMINE_COMPLETION, self._completion_determined, context, determined_by=role.value)

    def direct_continuation(
        self, directed_by: Role | str, outstanding_matters: Sequence[str], **context: Any
    ) -> None:
        """Record a direction to continue and address ``outstanding_matters`` (§13.19)."""
        role = require_role("directed_by", directed_by, context, self.label)
        if not outstanding_matters or not all(m.strip() for m in outstanding_matters):
            raise fail("outstanding_matters", f"{self.label}: name the outstanding matters (§13.19)")
        self._apply(_C.DIRECT_CONTINUATION, self._continuation_directed, context,
                    directed_by=role.value, outstanding_matters=list(outstanding_matters))

    def _certificate_act(
        self, certificate_id: str, by: Role | str, *, revoke: bool, context: dict[str, Any]
    ) -> None:
        role = require_role("revoked_by" if revoke else "reinstated_by", by, context, self.label)
        certificate = self.certificates.get(certificate_id)
        if certificate is None:
            issued = ", ".join(self.certificates) or "none"
            raise fail("certificate_id", f"{self.label} has no TCC {certificate_id!r} (issued: {issued})")
        if certificate.revoked == revoke:
            state = "already revoked" if revoke else "not revoked"
            raise fail("certificate_id", f"{self.label}: TCC {certificate_id!r} is {state}")
        if revoke:
            self._apply(_C.REVOKE_TCC, self._tcc_revoked, context, certificate_id=certificate_id,
                        revoked_by=role.value)
        else:
            self._apply(_C.REINSTATE_TCC, self._tcc_reinstated, context, certificate_id=certificate_id,
                        reinstated_by=role.value)

    def _apply(self, command: PhaseCommand, method: Any, context: dict[str, Any], **data: Any) -> None:
        """Check ``command`` against TRANSITIONS, default its clauses, trigger ``method``'s event."""
        row = TRANSITIONS[command]
        if self.status not in row.allowed_from:
            allowed = ", ".join(c.value for c in allowed_next(self.status))
            raise fail("status", f"{self.label} is {self.status.value}; {command.value} needs "
                        f"{' or '.join(s.value for s in row.allowed_from)}; allowed next: {allowed}")
        defaults = row.sit_clauses if self.kind is PhaseKind.SIT and row.sit_clauses else row.clauses
        method(**data, **{**context, "clauses": list(context.get("clauses") or defaults)})

    # -- events (apply only: no validation here, so old events always replay) -------------------
    @event("TestPhasePlanned")
    def __init__(
        self, capability: str, kind: str, service_provider: str | None, epcl_entry: str | None,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.capability, self.kind = OperatingCapability(capability), PhaseKind(kind)
        self.service_provider, self.epcl_entry = service_provider, epcl_entry
        self.status = PhaseStatus.PLANNED
        self.criteria: dict[EntryCriterion, CriterionFact] = {}
        self.criteria_history: list[CriterionFact] = []
        self.entry: Entry | None = None
        self.stages: dict[str, Stage] = {}
        self.exit_proposals: list[int] = []
        self.exit_proposed_at: list[datetime] = []  # occurred_at of each exit_proposals entry
        self.tag_reviews: list[int] = []
        self.certificates: dict[str, Certificate] = {}
        self.certificate_acts: list[CertificateAct] = []
        self.determinations: list[Determination] = []

    @event("EntryCriterionRecorded")
    def _criterion_recorded(
        self, criterion: str, met: bool, document_sha256: str | None, basis: str | None, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        fact = CriterionFact(EntryCriterion(criterion), met, document_sha256, basis,
                             datetime.fromisoformat(occurred_at), self.version + 1)
        self.criteria[fact.criterion] = fact
        self.criteria_history.append(fact)

    @event("TestPhaseEntered")
    def _entered(
        self, overlap_basis: str | None, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        when = datetime.fromisoformat(occurred_at)
        self.entry = Entry(self.version + 1, when, tuple(self.criteria.values()))
        self.status = PhaseStatus.ENTERED

    @event("TestStageEntered")
    def _stage_entered(
        self, stage_id: str, name: str, kind: str, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.stages[stage_id] = Stage(stage_id, name, StageKind(kind), self.version + 1)

    @event("TestStageExited")
    def _stage_exited(
        self, stage_id: str, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.stages[stage_id] = replace(self.stages[stage_id], exited_version=self.version + 1)

    @event("TestPhaseExitProposed")
    def _exit_proposed(
        self, occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.exit_proposals.append(self.version + 1)
        self.exit_proposed_at.append(datetime.fromisoformat(occurred_at))
        self.status = PhaseStatus.EXIT_PROPOSED

    @event("ExitEvidenceReviewedWithTag")
    def _evidence_reviewed(
        self, occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.tag_reviews.append(self.version + 1)

    @event("TestCompletionCertificateIssued")
    def _tcc_issued(
        self, certificate_id: str, service_provider: str, tab_approval_sha256: str | None,
        certificate_sha256: str | None, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.certificates[certificate_id] = Certificate(
            certificate_id, service_provider, tab_approval_sha256, certificate_sha256, self.version + 1)

    @event("TestCompletionCertificateRevoked")
    def _tcc_revoked(
        self, certificate_id: str, revoked_by: str, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self._certificate_acted(certificate_id, True, revoked_by, occurred_at)

    @event("TestCompletionCertificateReinstated")
    def _tcc_reinstated(
        self, certificate_id: str, reinstated_by: str, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self._certificate_acted(certificate_id, False, reinstated_by, occurred_at)

    def _certificate_acted(self, certificate_id: str, revoked: bool, by: str, occurred_at: str) -> None:
        self.certificates[certificate_id] = replace(self.certificates[certificate_id], revoked=revoked)
        self.certificate_acts.append(CertificateAct(
            certificate_id, revoked, Role(by), datetime.fromisoformat(occurred_at), self.version + 1))

    @event("TestPhaseCompletionDetermined")
    def _completion_determined(
        self, determined_by: str, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self._decided(True, determined_by, occurred_at, ())
        self.status = PhaseStatus.COMPLETED

    @event("TestPhaseContinuationDirected")
    def _continuation_directed(
        self, directed_by: str, outstanding_matters: list[str], occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self._decided(False, directed_by, occurred_at, tuple(outstanding_matters))
        self.status = PhaseStatus.CONTINUING

    def _decided(self, completed: bool, by: str, occurred_at: str, outstanding: tuple[str, ...]) -> None:
        last_exit = self.exit_proposals[-1] if self.exit_proposals else 0
        self.determinations.append(Determination(
            completed, Role(by), datetime.fromisoformat(occurred_at), self.version + 1,
            tuple(c.certificate_id for c in self.certificates.values() if not c.revoked),
            any(v > last_exit for v in self.tag_reviews), outstanding))

    # -- queries --------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        """The phase in words, for messages: ``test phase <id> (sit moc, entry E1)``."""
        key = [f"{self.kind.value} {self.capability.value}"]
        key += [f"provider {self.service_provider}"] if self.service_provider else []
        key += [f"entry {self.epcl_entry}"] if self.epcl_entry else []
        return f"test phase {self.id} ({', '.join(key)})"

    def event_id(self, version: int) -> str:
        """The id of this phase's event ``version``, as the API reports it."""
        return f"{self.id}:{version}"


TestPhasePlanned = TestPhase.TestPhasePlanned  # type: ignore[attr-defined]
EntryCriterionRecorded = TestPhase.EntryCriterionRecorded  # type: ignore[attr-defined]
TestPhaseEntered = TestPhase.TestPhaseEntered  # type: ignore[attr-defined]
TestStageEntered = TestPhase.TestStageEntered  # type: ignore[attr-defined]
TestStageExited = TestPhase.TestStageExited  # type: ignore[attr-defined]
TestPhaseExitProposed = TestPhase.TestPhaseExitProposed  # type: ignore[attr-defined]
ExitEvidenceReviewedWithTag = TestPhase.ExitEvidenceReviewedWithTag  # type: ignore[attr-defined]
TestCompletionCertificateIssued = TestPhase.TestCompletionCertificateIssued  # type: ignore[attr-defined]
TestCompletionCertificateRevoked = TestPhase.TestCompletionCertificateRevoked  # type: ignore[attr-defined]
TestCompletionCertificateReinstated = TestPhase.TestCompletionCertificateReinstated  # type: ignore[attr-defined]
TestPhaseCompletionDetermined = TestPhase.TestPhaseCompletionDetermined  # type: ignore[attr-defined]
TestPhaseContinuationDirected = TestPhase.TestPhaseContinuationDirected  # type: ignore[attr-defined]
