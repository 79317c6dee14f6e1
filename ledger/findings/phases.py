"""Compliance findings on Test Phases: recorded, then flagged, never refused.

Catalogue Appendix, append-time checks: "Phase entry with any §12.5 criterion unmet", "MT or UTS
phase entered before its TAD is approved" (§12.3), "SIT marked complete without Panel
determination" (§13.18). Also flagged: SIT completion without a Test Completion Certificate in force
(Table 13.1 #1A-#3 evidence, §12.9(i)) or without the §13.18(c) TAG review since the exit was last
proposed; a TCC issued without evidence of TAB approval (A28) or revoked by a body other than the
TAB (§15.2); a TCC revoked after the Panel determined completion (A32: the determination stands);
UTS for MOC/FOC without an SoS direction (§7.3, A50). Each check is a pure function of recorded
aggregates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ledger.capability_releases import CapabilityRelease
from ledger.documents import Document
from ledger.findings import Finding
from ledger.matter_values import SubjectKind
from ledger.notices import Notice
from ledger.phases import TestPhase, criterion_required
from ledger.rules.document_types import DocumentType, NoticeType
from ledger.rules.phase_kinds import ENTRY_CRITERIA, PhaseKind
from ledger.rules.roles import Role

# §12.3: "The DCC shall not commence Migration Testing or the User Testing Services Phase unless
# the Test Approach Document for that Test Phase has been approved."
APPROACH_DOCUMENT_FOR: dict[PhaseKind, DocumentType] = {
    PhaseKind.UTS: DocumentType.UTSAD,
    PhaseKind.ACTIVE_MMT: DocumentType.MTAD,
    PhaseKind.DORMANT_MMT: DocumentType.MTAD,
    PhaseKind.MIXED_MMT: DocumentType.MTAD,
}


def entered_without_entry_criteria(phase: TestPhase) -> Iterator[Finding]:
    """Entry while a §12.5 criterion the phase must meet was unrecorded or last recorded unmet."""
    if phase.entry is None:
        return
    facts = {fact.criterion: fact for fact in phase.entry.criteria}
    required = [c for c in ENTRY_CRITERIA if criterion_required(c, phase.kind, phase.capability)]
    unmet = [c for c in required if c not in facts or not facts[c].met]
    if not unmet:
        return
    described = "; ".join(
        f"{c.value} ({ENTRY_CRITERIA[c].text}) {'not met' if c in facts else 'not recorded'}" for c in unmet
    )
    ids = [phase.event_id(facts[c].version) for c in unmet if c in facts]
    yield Finding(
        clause="12.5",
        what=f"{phase.label} was entered with entry criteria unmet: {described}",
        event_ids=(phase.event_id(phase.entry.version), *ids),
    )


def sit_decided_by_other_than_panel(phase: TestPhase) -> Iterator[Finding]:
    """A SIT completion determination or direction to continue by a body other than the Panel."""
    if phase.kind is not PhaseKind.SIT:
        return
    for d in phase.determinations:
        if d.decided_by is not Role.PANEL:
            act = "determined completion of" if d.completed else "directed continuation of"
            yield Finding(
                clause="13.18" if d.completed else "13.19",
                what=f"{d.decided_by.value} {act} {phase.label}; only the Panel determines SIT completion",
                event_ids=(phase.event_id(d.version),),
            )


def sit_completed_without_certificate(phase: TestPhase) -> Iterator[Finding]:
    """SIT determined complete with no Test Completion Certificate in force (Table 13.1 evidence)."""
    if phase.kind is not PhaseKind.SIT:
        return
    for d in phase.determinations:
        if d.completed and not d.certificates_in_force:
            yield Finding(
                clause="12.9(i)",
                what=f"{phase.label} was determined complete with no Test Completion Certificate in force "
                "(Table 13.1 #1A-#3 evidence: the TAB Test Completion Certificate)",
                event_ids=(phase.event_id(d.version),),
            )


def sit_completed_without_tag_review(phase: TestPhase) -> Iterator[Finding]:
    """SIT determined complete without the DCC reviewing the evidence with the TAG since the exit
    was last proposed (§13.18(c))."""
    if phase.kind is not PhaseKind.SIT:
        return
    for d in phase.determinations:
        if d.completed and not d.tag_review_since_exit_proposed:
            yield Finding(
                clause="13.18(c)",
                what=f"{phase.label} was determined complete without a review of the entry and exit "
                "evidence with the TAG",
                event_ids=(phase.event_id(d.version),),
            )


def certificates_without_tab_approval(phase: TestPhase) -> Iterator[Finding]:
    """A TCC issued with no evidence of the TAB's approval (def. TAB, Table 1.1; A28)."""
    for c in phase.certificates.values():
        if c.tab_approval_sha256 is None:
            yield Finding(
                clause="Table 1.1",
                what=f"TCC {c.certificate_id} to {c.service_provider} in {phase.label} was issued with no "
                "evidence of TAB approval (the TAB approves the issuance of TCCs, A28)",
                event_ids=(phase.event_id(c.version),),
            )


def revocations_by_other_than_tab(phase: TestPhase) -> Iterator[Finding]:
    """A TCC revoked or reinstated by a body other than the TAB (§15.2)."""
    for act in phase.certificate_acts:
        if act.decided_by is not Role.TAB:
            verb = "revoked" if act.revoked else "reinstated"
            yield Finding(
                clause="15.2",
                what=f"TCC {act.certificate_id} in {phase.label} was {verb} by {act.decided_by.value}; "
                "the TAB revokes the TCCs it has issued",
                event_ids=(phase.event_id(act.version),),
            )


def revocations_after_completion(phase: TestPhase) -> Iterator[Finding]:
    """A TCC revoked after completion was determined: the determination is not reverted (A32)."""
    completions = [d for d in phase.determinations if d.completed]
    for act in phase.certificate_acts:
        earlier = [d for d in completions if d.version < act.version]
        if act.revoked and earlier:
            yield Finding(
                clause="15.2",
                what=f"TCC {act.certificate_id} in {phase.label} was revoked after completion was "
                "determined; the determination stands until decided otherwise (A32)",
                event_ids=(phase.event_id(earlier[-1].version), phase.event_id(act.version)),
            )


def interface_testing_without_direction(phase: TestPhase, release: CapabilityRelease) -> Iterator[Finding]:
    """A UTS phase for MOC or FOC without an SoS direction to repeat SMETS1 Interface Testing."""
    if (
        phase.kind is PhaseKind.UTS and release.capability is phase.capability
        and not release.interface_testing_applies
    ):
        yield Finding(
            clause="7.3",
            what=f"{phase.label}: SMETS1 Interface Testing is conducted for IOC only unless the "
            f"Secretary of State directs a repeat for {phase.capability.value} (A50)",
            event_ids=(phase.event_id(1),),
        )


def entered_before_approach_approved(
    phase: TestPhase, documents: Iterable[Document], notices: Iterable[Notice]
) -> Iterator[Finding]:
    """MT or UTS entered before an approval notice (``tad_approved``) of its Testing Approach
    Document, naming that document as a subject, was given (§12.3)."""
    needed = APPROACH_DOCUMENT_FOR.get(phase.kind)
    if needed is None or phase.entry is None:
        return
    approach_ids = {str(d.id) for d in documents if d.document_type is needed}
    approved = any(
        n.notice_type is NoticeType.TAD_APPROVED and n.given_at <= phase.entry.occurred_at
        and any(s.kind is SubjectKind.DOCUMENT and s.id in approach_ids for s in n.subjects)
        for n in notices
    )
    if not approved:
        yield Finding(
            clause="12.3",
            what=f"{phase.label} was entered with no {needed.value.upper()} approval recorded before it",
            event_ids=(phase.event_id(phase.entry.version),),
        )


def phase_findings(
    phase: TestPhase, release: CapabilityRelease | None = None,
    documents: Iterable[Document] | None = None, notices: Iterable[Notice] | None = None,
) -> list[Finding]:
    """Every finding on ``phase``. The §7.3 check runs when ``release`` is given, the §12.3 check
    when ``documents`` and ``notices`` are (all the ledger holds: the check looks for an approval)."""
    found = [
        *entered_without_entry_criteria(phase),
        *sit_decided_by_other_than_panel(phase),
        *sit_completed_without_certificate(phase),
        *sit_completed_without_tag_review(phase),
        *certificates_without_tab_approval(phase),
        *revocations_by_other_than_tab(phase),
        *revocations_after_completion(phase),
    ]
    if documents is not None and notices is not None:
        found += entered_before_approach_approved(phase, documents, notices)
    if release is not None:
        found += interface_testing_without_direction(phase, release)
    return found
