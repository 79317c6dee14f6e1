"""Compliance findings on Testing Issues (catalogue Appendix, append-time checks; §13.25-13.26,
§14.2, §14.5).

Pure functions over a recorded :class:`ledger.testing_issues.TestingIssue`: each returns the
breaches it finds, in event order, and never refuses anything (the events are already recorded).
Working Day windows use ``ledger.calendar`` under its stored convention (A38).
"""

from __future__ import annotations

from datetime import date, datetime

from ledger.calendar import CONVENTION_ID, LONDON, deadline, is_within
from ledger.findings import Finding
from ledger.rules.roles import Role
from ledger.rules.routes import route
from ledger.testing_issue_values import ExclusionKind, SeverityAuthority, SeverityDetermination
from ledger.testing_issues import TestingIssue

MUST_BE_INFORMED = (Role.TAB, Role.TAG, Role.PANEL)  # §13.25


def _referral_working_days() -> int:
    """§13.26's window, from the route table (R15; time rule TR3)."""
    window = route("R15").window
    assert window is not None, "route R15 states its window (§13.26)"
    return window.working_days


def _london_date(instant: str) -> date:
    return datetime.fromisoformat(instant).astimezone(LONDON).date()


def late_exclusion_referrals(issue: TestingIssue) -> list[Finding]:
    """§13.26: the DCC may refer TAG's refusal of a threshold exclusion to the SoS only within
    5 Working Days of TAG's decision. A later referral is recorded and reported here."""
    findings = []
    for exclusion in issue.exclusions:
        if exclusion.kind is not ExclusionKind.THRESHOLD or exclusion.referred_at is None:
            continue
        assert exclusion.tag_decided_at is not None  # a referral follows TAG's refusal
        window = deadline(_london_date(exclusion.tag_decided_at), _referral_working_days())
        if is_within(window, datetime.fromisoformat(exclusion.referred_at)):
            continue
        # events: proposed, decided by TAG, referred (the order the aggregate enforces)
        findings.append(Finding(
            "13.26",
            f"testing issue {issue.reference}: exclusion from the threshold of "
            f"{exclusion.scope_id} referred to the SoS at {exclusion.referred_at}, after the "
            f"window that ended on {window.due.isoformat()} ({window.working_days} Working Days "
            f"from TAG's decision "
            f"on {window.trigger.isoformat()}; {CONVENTION_ID})",
            exclusion.events[1:3],
        ))
    return findings


def exclusions_not_notified(issue: TestingIssue) -> list[Finding]:
    """§13.25: the DCC shall inform the TAB, the TAG and the Panel of a proposed threshold
    exclusion, with its rationale."""
    findings = []
    for exclusion in issue.exclusions:
        missing = [r.value for r in MUST_BE_INFORMED if r.value not in exclusion.informed]
        if exclusion.kind is ExclusionKind.THRESHOLD and missing:
            findings.append(Finding(
                "13.25",
                f"testing issue {issue.reference}: exclusion from the threshold of "
                f"{exclusion.scope_id} proposed without informing {', '.join(missing)}",
                exclusion.events[:1],
            ))
    return findings


def severity_changed_after_tag_determination(issue: TestingIssue) -> list[Finding]:
    """§14.2: TAG's severity determination is final and binding. A later DCC determination of a
    different severity is reported, to be checked against new facts about the issue."""
    findings = []
    tag: SeverityDetermination | None = None
    for determination in issue.determinations:
        if determination.by is SeverityAuthority.TAG:
            tag = determination
        elif tag is not None and determination.severity != tag.severity:
            findings.append(Finding(
                "14.2",
                f"testing issue {issue.reference}: the DCC determined severity "
                f"{determination.severity} after TAG's final determination of severity {tag.severity}",
                (tag.event_id, determination.event_id),
            ))
    return findings


def exit_decided_during_severity_dispute(
    issue: TestingIssue, phase_id: str, decided_at: datetime, decision_event_id: str
) -> list[Finding]:
    """§14.5: no decision on whether ``phase_id``'s Exit Criteria are met may be made while a
    §14.2 dispute that could affect them is pending. ``decided_at`` must be aware."""
    return [
        Finding(
            "14.5",
            f"testing issue {issue.reference}: exit of {phase_id} decided at "
            f"{decided_at.isoformat()} while the severity dispute referred at "
            f"{dispute.referred_at} was pending before TAG",
            (dispute.referred_event, decision_event_id),
        )
        for dispute in issue.disputes
        if phase_id in dispute.could_affect_exit_of and dispute.pending_at(decided_at)
    ]


def exclusion_applied_without_agreement(
    issue: TestingIssue, phase_id: str, count_event_id: str
) -> list[Finding]:
    """§13.25-13.26: an issue left out of ``phase_id``'s threshold count is excluded only where
    TAG agreed or the SoS upheld the exclusion. Pass the issue as it stood when the count was
    recorded (``repository.get(id, version=...)``)."""
    if issue.is_excluded(ExclusionKind.THRESHOLD, phase_id):
        return []
    proposal = issue.exclusion(ExclusionKind.THRESHOLD, phase_id)
    status = "never proposed" if proposal is None else proposal.status.value
    return [Finding(
        "13.25",
        f"testing issue {issue.reference}: excluded from the threshold count of {phase_id} "
        f"although its exclusion is {status}",
        (*(proposal.events if proposal else ()), count_event_id),
    )]


def findings_for_issue(issue: TestingIssue) -> list[Finding]:
    """Every check that needs nothing but the issue itself."""
    return [
        *late_exclusion_referrals(issue),
        *exclusions_not_notified(issue),
        *severity_changed_after_tag_determination(issue),
    ]


__all__ = [
    "exclusion_applied_without_agreement",
    "exclusions_not_notified",
    "exit_decided_during_severity_dispute",
    "findings_for_issue",
    "late_exclusion_referrals",
    "severity_changed_after_tag_determination",
]
