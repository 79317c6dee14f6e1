"""Which Testing Issues are extant for a threshold count: the counting rules T1-T20 applied to facts.

``ledger.rules.counting_rules`` holds the rules' text and handling; this module applies them. An
issue in scope is assessed once per count: counted at a severity (with the basis that brought it
in, A35), excluded (with the clause), left pending (not counted, or counted while a determination
is awaited), undetermined (TAG must still determine whether it counts, §13.28(e)) or unclassified
(no severity determined yet). Only open issues are ever in scope (§13.21 "remain open").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from ledger.rules.phase_kinds import OperatingCapability, PhaseKind
from ledger.testing_issue_values import (
    CountingBasis,
    CountingStatus,
    ExclusionKind,
    ExclusionStatus,
    IssueCause,
)
from projections.rules.facts import CountingFact, IssueFact, PhaseFact

IOC, MOC, FOC = OperatingCapability.IOC, OperatingCapability.MOC, OperatingCapability.FOC
_RELEASE_ORDER = {IOC: 0, MOC: 1, FOC: 2}
_EX = ExclusionStatus


class CountBasis(StrEnum):
    """Why an issue is in a count (A35: the basis is recorded for each counted issue)."""

    RAISED_IN_PHASE = "raised_in_phase"  # §13.21: raised during that Test Phase
    EARLIER_RELEASE = "earlier_release"  # §13.21: raised in an equivalent Test Phase for IOC or MOC
    AFFECTS_EPCL_ENTRY = "affects_epcl_entry"  # §13.24: affects the planned EPCL entry
    SCT_COUNTED = "sct_counted"  # §13.27: an SCT issue TAG agreed counts for the SIT Test Phase
    INTERFACE_TESTING = "interface_testing"  # §13.28: a candidate for SMETS1 Interface Testing
    OTHER_SIT_PHASE = "other_sit_phase"  # §13.23(b): open in another SIT Test Phase of the release (A10)
    DMCT_ENTRY = "dmct_entry"  # §20.28(a): in respect of the planned EPCL entry
    DMCT_AGGREGATE = "dmct_aggregate"  # §20.28(b): open issues irrespective of where they arose (A11)


BASIS_CLAUSES: dict[CountBasis, str] = {
    CountBasis.RAISED_IN_PHASE: "13.21",
    CountBasis.EARLIER_RELEASE: "13.21",
    CountBasis.AFFECTS_EPCL_ENTRY: "13.24",
    CountBasis.SCT_COUNTED: "13.27",
    CountBasis.INTERFACE_TESTING: "13.28(e)",
    CountBasis.OTHER_SIT_PHASE: "13.23(b)",
    CountBasis.DMCT_ENTRY: "20.28(a)",
    CountBasis.DMCT_AGGREGATE: "20.28(b)",
}


class Status(StrEnum):
    COUNTED = "counted"
    EXCLUDED = "excluded"
    PENDING = "pending"  # not counted; a decision that could bring it in is outstanding
    UNDETERMINED = "undetermined"  # TAG must determine whether it counts: either way is possible
    UNCLASSIFIED = "unclassified"  # no severity determined (H14.39(a), §13.22)


@dataclass(frozen=True)
class Note:
    """A pending matter on an issue that is counted (or excluded) meanwhile."""

    clause: str
    reason: str


@dataclass(frozen=True)
class Assessed:
    """One in-scope issue as one count sees it. ``severity``: the row it belongs to.
    ``dispute_to``: the severity a pending §14.2 dispute proposes for a counted issue."""

    issue: IssueFact
    basis: CountBasis
    status: Status
    severity: int | None
    clause: str
    reason: str
    notes: tuple[Note, ...] = ()
    dispute_to: int | None = None


def is_earlier_release(raised_in: OperatingCapability, target: OperatingCapability) -> bool:
    """§13.21 "raised in any equivalent Test Phase for IOC or MOC": an earlier release, IOC or MOC
    (catalogue T2: carry-forward from earlier Capability Releases; same-release sibling phases
    come in only through §13.24, A35)."""
    return raised_in in (IOC, MOC) and _RELEASE_ORDER[raised_in] < _RELEASE_ORDER[target]


# -- scope: which open issues a count considers, and on what basis --------------------------------


def phase_scope(target: PhaseFact, issues: Iterable[IssueFact]) -> Iterator[tuple[IssueFact, CountBasis]]:
    """The open issues extant for ``target``'s own threshold (Table 13.2 columns, Table 13.3(a)).

    §13.21: raised in the phase, or in the same kind of phase of an earlier IOC/MOC release (for
    PIT, which is per DCC Service Provider, only those attributed to the phase's provider);
    §13.24 (MOC/FOC SIT): open issues linked as affecting the phase's planned EPCL entry; §13.27
    (SIT): SCT issues of the same release, counted only as TAG decides.
    """
    sit = target.kind is PhaseKind.SIT
    moc_foc_sit = sit and target.capability in (MOC, FOC)
    for issue in issues:
        if not issue.is_open:
            continue
        if issue.phase_id == target.phase_id:
            yield issue, CountBasis.RAISED_IN_PHASE
        elif issue.phase_kind is target.kind and is_earlier_release(issue.capability, target.capability):
            pit = target.kind is PhaseKind.PIT and target.service_provider is not None
            if not pit or target.service_provider in issue.service_providers:
                yield issue, CountBasis.EARLIER_RELEASE
        elif moc_foc_sit and target.epcl_entry is not None and target.epcl_entry in issue.epcl_entry_ids:
            yield issue, CountBasis.AFFECTS_EPCL_ENTRY
        elif sit and issue.phase_kind is PhaseKind.SCT and (
            issue.capability is target.capability
            or issue.counting_for(CountingBasis.SCT_ISSUE_IN_SIT, target.phase_id) is not None
        ):
            yield issue, CountBasis.SCT_COUNTED


def sit_aggregate_scope(
    target: PhaseFact, issues: Iterable[IssueFact]
) -> Iterator[tuple[IssueFact, CountBasis]]:
    """Table 13.3(b) (A10): the phase's own extant set plus the open issues of every SIT Test Phase
    of the same release and the §13.21 carry-forward of earlier IOC/MOC SIT phases."""
    listed = list(issues)
    own = dict((i.reference, b) for i, b in phase_scope(target, listed))
    for issue in listed:
        if issue.reference in own:
            yield issue, own[issue.reference]
        elif issue.is_open and issue.phase_kind is PhaseKind.SIT and issue.capability is target.capability:
            yield issue, CountBasis.OTHER_SIT_PHASE


def interface_testing_scope(
    target: PhaseFact, issues: Iterable[IssueFact]
) -> Iterator[tuple[IssueFact, CountBasis]]:
    """SMETS1 Interface Testing (§13.21, §13.28): open issues raised in the phase and every issue
    presented to TAG for it in set (a), (b) or (c) or with a counting decision for it."""
    for issue in issues:
        presented = any(s.phase_id == target.phase_id for s in issue.interface_sets)
        decided = issue.counting_for(CountingBasis.INTERFACE_TESTING, target.phase_id) is not None
        if issue.is_open and (issue.phase_id == target.phase_id or presented or decided):
            yield issue, CountBasis.INTERFACE_TESTING


def dmct_scope(
    entry_id: str, issues: Iterable[IssueFact], dmct_entry_ids: Iterable[str], *, aggregate: bool
) -> Iterator[tuple[IssueFact, CountBasis]]:
    """Table 20.1: (a) open issues in respect of the planned entry (linked to it); (b) (A11) those
    plus every open issue raised in DMCT testing or linked to any planned entry in DMCT."""
    entries = {entry_id, *dmct_entry_ids}
    for issue in issues:
        if not issue.is_open:
            continue
        if entry_id in issue.epcl_entry_ids:
            yield issue, CountBasis.DMCT_ENTRY
        elif aggregate and (issue.phase_kind is None or entries.intersection(issue.epcl_entry_ids)):
            yield issue, CountBasis.DMCT_AGGREGATE


# -- assessment of one in-scope issue -------------------------------------------------------------


def assess(
    issue: IssueFact, basis: CountBasis, scope_ids: tuple[str, ...], *, dmct: bool = False,
    counting_phase: str = "",
) -> Assessed:
    """How one count treats ``issue``. ``scope_ids``: the phases (or DMCT entries) whose threshold
    exclusions apply to this count; ``counting_phase``: the phase TAG's counting decisions
    (§13.27, §13.28(e)) must name."""
    notes: list[Note] = []
    severity = issue.severity

    def result(status: Status, clause: str, reason: str, dispute_to: int | None = None) -> Assessed:
        return Assessed(issue, basis, status, severity, clause, reason, tuple(notes), dispute_to)

    if issue.cause is IssueCause.OTHER:
        return result(Status.EXCLUDED, "13.22",
                      "not caused by the DCC or the Modified DCC Total System (A8)")
    if basis in (CountBasis.SCT_COUNTED, CountBasis.INTERFACE_TESTING):
        sct = basis is CountBasis.SCT_COUNTED
        which = CountingBasis.SCT_ISSUE_IN_SIT if sct else CountingBasis.INTERFACE_TESTING
        decision = issue.counting_for(which, counting_phase)
        if decision is not None and decision.confirmed_severity is not None:
            severity = decision.confirmed_severity  # §13.28(d)
        verdict = _counting(decision, basis, notes)
        if verdict is not None:
            status, clause, reason = verdict
            return result(status, clause, reason)
    exclusion = _exclusion(issue, scope_ids, dmct, notes)
    if exclusion is not None:
        return result(Status.EXCLUDED, *exclusion)
    if severity is None:
        return result(Status.UNCLASSIFIED, "13.22", "no severity determined yet (H14.39(a))")
    dispute = issue.dispute
    if dispute is not None and dispute.proposed_severity != severity:
        notes.append(Note("14.5", f"severity disputed ({dispute.event_id}): the DCC's severity "
                          f"{severity} stands (§14.4); TAG may determine {dispute.proposed_severity}"))
        return result(Status.COUNTED, BASIS_CLAUSES[basis], "", dispute.proposed_severity)
    return result(Status.COUNTED, BASIS_CLAUSES[basis], "")


def _counting(
    decision: CountingFact | None, basis: CountBasis, notes: list[Note]
) -> tuple[Status, str, str] | None:
    """TAG's counting decision (§13.27, §13.28(e)), the SoS's on referral (§13.29); None: counts."""
    sct = basis is CountBasis.SCT_COUNTED
    if decision is None:
        if sct:
            return Status.PENDING, "13.27", "SCT issue not yet discussed with TAG for this SIT Test Phase"
        return Status.UNDETERMINED, "13.28(e)", "TAG has not determined whether it counts"
    if decision.status is CountingStatus.REFERRED_TO_SOS:
        notes.append(Note("13.29", "the DCC referred TAG's counting decision to the SoS; TAG's stands"))
    if decision.counted:
        return None
    by = "the SoS (§13.29)" if decision.status is CountingStatus.SOS_DETERMINED else "TAG"
    clause = "13.29" if decision.status is CountingStatus.SOS_DETERMINED else ("13.27" if sct else "13.28(e)")
    return Status.EXCLUDED, clause, f"{by} determined it is not counted"


def _exclusion(
    issue: IssueFact, scope_ids: tuple[str, ...], dmct: bool, notes: list[Note]
) -> tuple[str, str] | None:
    """The clause and reason if a threshold exclusion for one of ``scope_ids`` excludes the issue;
    otherwise None, noting any exclusion still pending. SIT and SMETS1 Interface Testing: only TAG
    agreeing, or the SoS upholding on referral, excludes (§13.25-13.26, T8-T9). DMCT: the DCC's
    proposal applies to its draft report unless TAG disagrees (§20.29, §20.38, T16)."""
    found = [x for x in (issue.exclusion(ExclusionKind.THRESHOLD, s) for s in scope_ids) if x is not None]
    for x in found:
        if x.status is _EX.TAG_AGREED:
            return "20.29" if dmct else "13.25", f"exclusion agreed by TAG for {x.scope_id}"
        if x.status is _EX.SOS_UPHELD:
            return "20.40" if dmct else "13.26", f"exclusion upheld by the SoS for {x.scope_id}"
        if dmct and x.status is _EX.PROPOSED:
            notes.append(Note("20.38", "TAG may reach a different determination on the exclusion"))
            return "20.29", f"exclusion proposed by the DCC in its draft DMCT Testing Report for {x.scope_id}"
    for x in found:
        if x.status is _EX.PROPOSED:
            notes.append(Note("13.25", f"exclusion proposed for {x.scope_id}: counted unless TAG agrees"))
        elif x.status is _EX.TAG_REFUSED:
            clause = "20.38" if dmct else "13.26"
            notes.append(Note(clause, f"TAG refused the exclusion for {x.scope_id}: counted; the DCC "
                              "may refer it to the SoS"))
        elif x.status is _EX.REFERRED_TO_SOS:
            clause = "20.40" if dmct else "13.26"
            notes.append(Note(clause, f"exclusion for {x.scope_id} referred to the SoS: counted "
                              "unless the SoS upholds it"))
    return None


__all__ = [
    "BASIS_CLAUSES",
    "Assessed",
    "CountBasis",
    "Note",
    "Status",
    "assess",
    "dmct_scope",
    "interface_testing_scope",
    "is_earlier_release",
    "phase_scope",
    "sit_aggregate_scope",
]
