"""A Testing Issue through its whole life, in memory: every invariant accepted and rejected, and
the compliance findings that record-but-flag (§9.2, §13.22-13.29, §14.2-14.5, Table 13.1 #2A)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ledger.actors import Actor
from ledger.context import RecordingContext
from ledger.errors import InvalidEventError, InvalidTestingIssueEventError
from ledger.findings.testing_issues import (
    exclusion_applied_without_agreement,
    exclusions_not_notified,
    exit_decided_during_severity_dispute,
    findings_for_issue,
    late_exclusion_referrals,
    severity_changed_after_tag_determination,
)
from ledger.testing_issue_values import (
    CountingBasis,
    ExclusionKind,
    ExclusionStatus,
    InterfaceTestingSet,
    IssueCause,
    MaterialImpact,
    TestEnvironment,
)
from ledger.testing_issues import TestingIssue

LONDON = ZoneInfo("Europe/London")
DCC = Actor("dana", "dcc", "DCC")
HASH = "c0" * 32
THRESHOLD, EOC = ExclusionKind.THRESHOLD, ExclusionKind.END_OF_CYCLE
SCT, UTS = CountingBasis.SCT_ISSUE_IN_SIT, CountingBasis.INTERFACE_TESTING
# Easter 2025: Good Friday 18 April and Easter Monday 21 April are not Working Days.
TAG_DECIDED = datetime(2025, 4, 17, 15, 0, tzinfo=LONDON)


def at(when: str = "2025-03-03T10:00", on_behalf_of: str | None = None) -> dict[str, Any]:
    """The recording context fields for an act at ``when`` (Europe/London), by the DCC."""
    evidence = HASH if on_behalf_of else None
    occurred = datetime.fromisoformat(when).replace(tzinfo=LONDON)
    return RecordingContext(DCC, occurred, ("9.2",), on_behalf_of, evidence).fields()


def tag(when: str = "2025-03-04T10:00") -> dict[str, Any]:
    return at(when, on_behalf_of="tag")


def sos(when: str = "2025-03-05T10:00") -> dict[str, Any]:
    return at(when, on_behalf_of="sos")


def raise_issue(**overrides: Any) -> TestingIssue:
    arguments: dict[str, Any] = {
        "reference": "TI-0042", "summary": "Service Request 6.2.1 times out on CSP-N",
        "phase_id": "SIT-IOC", "dmc_ids": ["DMC-7"], "epcl_entry_ids": ["EPCL-7-A"],
        "service_providers": ["CSP-N"], "cause": IssueCause.MODIFIED_DCC_TOTAL_SYSTEM,
        "environment": TestEnvironment.TEST, "raised_by": "supplier-3", "security_impact": False,
        **overrides,
    }
    return TestingIssue.raise_issue(**arguments, **at())


def with_severity(severity: int = 3) -> TestingIssue:
    issue = raise_issue()
    issue.determine_severity(severity, **at())
    return issue


def disputed(could_affect_exit_of: tuple[str, ...] = ("SIT-IOC",)) -> TestingIssue:
    issue = with_severity(3)
    issue.refer_severity_dispute("supplier-3", 2, list(could_affect_exit_of), **at("2025-03-04T09:00"))
    return issue


def rejected(field: str, command: Any, *args: Any, **kwargs: Any) -> InvalidTestingIssueEventError:
    """Run ``command`` expecting a structural rejection on ``field`` that records nothing."""
    issue: TestingIssue = command.__self__
    version = issue.version
    with pytest.raises(InvalidTestingIssueEventError) as caught:
        command(*args, **kwargs)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: testing issue {issue.reference}:")
    assert issue.version == version
    return caught.value


# -- raised (§9.2, §8.1(k), §13.22) ------------------------------------------------------------


def test_a_raised_issue_records_what_counting_needs() -> None:
    issue = raise_issue(security_impact=True, environment="production")
    assert (issue.reference, issue.phase_id, issue.raised_by) == ("TI-0042", "SIT-IOC", "supplier-3")
    assert (issue.dmc_ids, issue.epcl_entry_ids, issue.service_providers) == (
        ("DMC-7",), ("EPCL-7-A",), ("CSP-N",))
    assert issue.cause is IssueCause.MODIFIED_DCC_TOTAL_SYSTEM
    assert issue.environment is TestEnvironment.PRODUCTION
    assert issue.security_impact
    assert issue.is_open
    assert issue.effective_severity is None


def test_the_issue_id_is_derived_from_its_log_reference() -> None:
    assert raise_issue().id == raise_issue().id == TestingIssue.create_id("TI-0042")
    assert raise_issue(reference="TI-0043").id != TestingIssue.create_id("TI-0042")


def test_an_issue_attributed_to_no_provider_is_unattributed() -> None:
    assert raise_issue(service_providers=[]).is_unattributed
    assert not raise_issue(service_providers=["CSP-N", "CSP-S"]).is_unattributed


@pytest.mark.parametrize(
    ("cause", "counts"),
    [("dcc_total_system", True), ("modified_dcc_total_system", True), ("other", False)],
)
def test_only_issues_caused_by_the_dcc_count_against_thresholds(cause: str, counts: bool) -> None:
    assert raise_issue(cause=cause).cause.counts_against_thresholds is counts


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("summary", " "), ("phase_id", None), ("dmc_ids", "DMC-7"), ("dmc_ids", ["DMC-7", "DMC-7"]),
        ("epcl_entry_ids", [""]), ("service_providers", [3]), ("cause", "device"),
        ("environment", "staging"), ("raised_by", ""), ("security_impact", "yes"),
    ],
)
def test_raising_with_a_bad_field_is_refused_naming_it(field: str, value: object) -> None:
    with pytest.raises(InvalidTestingIssueEventError) as caught:
        raise_issue(**{field: value})
    assert caught.value.field == field
    assert "TI-0042" in str(caught.value)


def test_raising_without_a_reference_is_refused() -> None:
    with pytest.raises(InvalidEventError, match=r"^reference:"):
        raise_issue(reference="")


# -- severity and its dispute (H14.39(a), §14.2-14.5) ------------------------------------------


@pytest.mark.parametrize("severity", [1, 2, 3, 4, 5])
def test_the_dcc_determines_a_severity_from_1_to_5(severity: int) -> None:
    assert with_severity(severity).effective_severity == severity


@pytest.mark.parametrize("severity", [0, 6, -1, True, "3", 2.5, None])
def test_a_severity_outside_1_to_5_is_refused(severity: object) -> None:
    issue = raise_issue()
    rejected("severity", issue.determine_severity, severity, **at())
    assert issue.effective_severity is None


def test_the_dcc_severity_stands_while_a_dispute_is_pending() -> None:
    issue = disputed()
    assert issue.pending_dispute is not None
    assert (issue.pending_dispute.dcc_severity, issue.pending_dispute.proposed_severity) == (3, 2)
    assert issue.effective_severity == 3


def test_tags_determination_replaces_the_dcc_severity() -> None:
    issue = disputed()
    issue.record_tag_severity_determination(2, **tag())
    assert issue.effective_severity == 2
    assert issue.pending_dispute is None
    assert issue.disputes[-1].outcome == "determined"


def test_a_dispute_that_could_affect_exit_blocks_that_phases_exit_until_tag_determines() -> None:
    issue = disputed(("SIT-IOC", "UTS-IOC"))
    assert issue.blocks_exit_of("SIT-IOC")
    assert issue.blocks_exit_of("UTS-IOC")
    assert not issue.blocks_exit_of("PIT-CSP-N")
    issue.record_tag_severity_determination(3, **tag())
    assert not issue.blocks_exit_of("SIT-IOC")


def test_a_dispute_that_cannot_affect_exit_blocks_nothing() -> None:
    assert not disputed(()).blocks_exit_of("SIT-IOC")


def test_a_withdrawn_dispute_no_longer_blocks_exit() -> None:
    issue = disputed()
    issue.withdraw_severity_dispute("agreed with the DCC at the triage call", **at("2025-03-05T09:00"))
    assert not issue.blocks_exit_of("SIT-IOC")
    assert issue.disputes[-1].outcome == "withdrawn"
    assert issue.effective_severity == 3


def test_there_is_nothing_to_dispute_before_a_severity_is_determined() -> None:
    issue = raise_issue()
    rejected("status", issue.refer_severity_dispute, "supplier-3", 2, [], **at())


def test_a_second_dispute_is_refused_while_one_is_pending() -> None:
    issue = disputed()
    rejected("status", issue.refer_severity_dispute, "supplier-9", 4, [], **at())


def test_tags_final_determination_cannot_be_disputed_but_a_later_dcc_one_can() -> None:
    issue = disputed()
    issue.record_tag_severity_determination(2, **tag())
    error = rejected("status", issue.refer_severity_dispute, "supplier-3", 1, [], **at())
    assert "final" in error.reason
    issue.determine_severity(4, **at("2025-03-06T10:00"))
    issue.refer_severity_dispute("supplier-3", 2, [], **at("2025-03-06T11:00"))
    assert issue.pending_dispute is not None
    assert issue.pending_dispute.dcc_severity == 4


def test_a_dispute_must_propose_a_different_severity() -> None:
    issue = with_severity(3)
    rejected("proposed_severity", issue.refer_severity_dispute, "supplier-3", 3, [], **at())
    rejected("proposed_severity", issue.refer_severity_dispute, "supplier-3", 9, [], **at())
    rejected("could_affect_exit_of", issue.refer_severity_dispute, "supplier-3", 2, "SIT-IOC", **at())
    rejected("disputed_by", issue.refer_severity_dispute, "", 2, [], **at())


def test_tag_determines_only_while_a_dispute_is_pending() -> None:
    issue = with_severity(3)
    rejected("status", issue.record_tag_severity_determination, 2, **tag())
    issue.refer_severity_dispute("supplier-3", 2, [], **at())
    issue.record_tag_severity_determination(2, **tag())
    rejected("status", issue.record_tag_severity_determination, 1, **tag())
    rejected("status", issue.withdraw_severity_dispute, "too late", **at())


def test_tag_determination_outside_1_to_5_is_refused() -> None:
    issue = disputed()
    rejected("severity", issue.record_tag_severity_determination, 0, **tag())
    assert issue.pending_dispute is not None


# -- exclusions (§13.25-13.26; Table 13.1 #2A) -------------------------------------------------


def proposed(kind: ExclusionKind = THRESHOLD, scope: str = "SIT-IOC") -> TestingIssue:
    issue = with_severity(3)
    issue.propose_exclusion(kind, scope, "caused by a meter firmware fault, not the DCC",
                            ["tab", "tag", "panel"], **at())
    return issue


@pytest.mark.parametrize(("kind", "scope"), [(THRESHOLD, "SIT-IOC"), (EOC, "EOC-RUN-2")])
def test_an_exclusion_takes_effect_only_once_tag_agrees(kind: ExclusionKind, scope: str) -> None:
    issue = proposed(kind, scope)
    assert not issue.is_excluded(kind, scope)
    issue.record_tag_exclusion_decision(kind, scope, True, **tag())
    assert issue.is_excluded(kind, scope)
    assert not issue.is_excluded(kind, "SIT-MOC-EPCL-9")


@pytest.mark.parametrize(("upheld", "excluded"), [(True, True), (False, False)])
def test_a_refused_exclusion_counts_unless_the_sos_upholds_it(upheld: bool, excluded: bool) -> None:
    issue = proposed()
    issue.record_tag_exclusion_decision(THRESHOLD, "SIT-IOC", False, **tag())
    assert not issue.is_excluded(THRESHOLD, "SIT-IOC")
    issue.refer_exclusion_to_sos(THRESHOLD, "SIT-IOC", MaterialImpact.DELIVER_IOC, **at("2025-03-05T09:00"))
    exclusion = issue.exclusion(THRESHOLD, "SIT-IOC")
    assert exclusion is not None
    assert exclusion.status is ExclusionStatus.REFERRED_TO_SOS
    assert exclusion.material_impact is MaterialImpact.DELIVER_IOC
    issue.record_sos_exclusion_determination(THRESHOLD, "SIT-IOC", upheld, **sos("2025-03-10T10:00"))
    assert issue.is_excluded(THRESHOLD, "SIT-IOC") is excluded
    assert len(issue.exclusions[-1].events) == 4


def test_an_end_of_cycle_referral_has_no_material_impact_ground() -> None:
    issue = proposed(EOC, "EOC-RUN-2")
    issue.record_tag_exclusion_decision(EOC, "EOC-RUN-2", False, **tag())
    rejected("material_impact", issue.refer_exclusion_to_sos, EOC, "EOC-RUN-2", "deliver_ioc", **at())
    issue.refer_exclusion_to_sos(EOC, "EOC-RUN-2", None, **at())
    assert issue.exclusions[-1].status is ExclusionStatus.REFERRED_TO_SOS


def test_a_threshold_referral_states_its_material_impact_ground() -> None:
    issue = proposed()
    issue.record_tag_exclusion_decision(THRESHOLD, "SIT-IOC", False, **tag())
    rejected("material_impact", issue.refer_exclusion_to_sos, THRESHOLD, "SIT-IOC", None, **at())
    rejected("material_impact", issue.refer_exclusion_to_sos, THRESHOLD, "SIT-IOC", "urgent", **at())


def test_exclusion_decisions_need_a_proposal_in_the_right_state() -> None:
    issue = with_severity(3)
    rejected("status", issue.record_tag_exclusion_decision, THRESHOLD, "SIT-IOC", True, **tag())
    rejected("status", issue.refer_exclusion_to_sos, THRESHOLD, "SIT-IOC", "deliver_ioc", **at())
    rejected("status", issue.record_sos_exclusion_determination, THRESHOLD, "SIT-IOC", True, **sos())
    issue.propose_exclusion(THRESHOLD, "SIT-IOC", "not a DCC fault", ["tab", "tag", "panel"], **at())
    rejected("status", issue.refer_exclusion_to_sos, THRESHOLD, "SIT-IOC", "deliver_ioc", **at())
    rejected("status", issue.record_tag_exclusion_decision, EOC, "SIT-IOC", True, **tag())
    issue.record_tag_exclusion_decision(THRESHOLD, "SIT-IOC", True, **tag())
    rejected("status", issue.refer_exclusion_to_sos, THRESHOLD, "SIT-IOC", "deliver_ioc", **at())
    rejected("status", issue.record_tag_exclusion_decision, THRESHOLD, "SIT-IOC", False, **tag())


def test_a_new_proposal_is_allowed_only_after_a_refusal() -> None:
    issue = proposed()
    rejected("status", issue.propose_exclusion, THRESHOLD, "SIT-IOC", "again", ["tag"], **at())
    issue.record_tag_exclusion_decision(THRESHOLD, "SIT-IOC", False, **tag())
    issue.propose_exclusion(THRESHOLD, "SIT-IOC", "new evidence from the supplier", ["tab", "tag", "panel"],
                            **at("2025-03-06T10:00"))
    assert issue.exclusions[-1].status is ExclusionStatus.PROPOSED
    assert len(issue.exclusions) == 2
    issue.record_tag_exclusion_decision(THRESHOLD, "SIT-IOC", True, **tag("2025-03-07T10:00"))
    rejected("status", issue.propose_exclusion, THRESHOLD, "SIT-IOC", "again", ["tag"], **at())


@pytest.mark.parametrize(
    ("field", "arguments"),
    [
        ("kind", ("threshold-ish", "SIT-IOC", "why", ["tag"])),
        ("scope_id", (THRESHOLD, "", "why", ["tag"])),
        ("rationale", (THRESHOLD, "SIT-IOC", "", ["tag"])),
        ("informed", (THRESHOLD, "SIT-IOC", "why", ["ofgem"])),
        ("informed", (THRESHOLD, "SIT-IOC", "why", ["tag", "tag"])),
    ],
)
def test_a_malformed_exclusion_proposal_is_refused(field: str, arguments: tuple[Any, ...]) -> None:
    issue = with_severity(3)
    rejected(field, issue.propose_exclusion, *arguments, **at())


# -- counting for a phase (§13.27-13.29) -------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "candidate_set", "accepted"),
    [(1, "a", True), (3, "a", True), (4, "a", False), (4, "b", True), (5, "b", True),
     (3, "b", False), (2, "c", True), (5, "c", False)],
)
def test_interface_testing_sets_hold_the_severities_of_13_28(
    severity: int, candidate_set: str, accepted: bool
) -> None:
    issue = with_severity(severity)
    if not accepted:
        rejected("candidate_set", issue.present_for_interface_testing, "UTS-IOC", candidate_set, **at())
        return
    issue.present_for_interface_testing("UTS-IOC", candidate_set, **at())
    presented = issue.interface_testing["UTS-IOC"]
    assert (presented.candidate_set, presented.severity) == (InterfaceTestingSet(candidate_set), severity)


def test_only_an_open_issue_with_a_severity_is_presented() -> None:
    issue = raise_issue()
    rejected("status", issue.present_for_interface_testing, "UTS-IOC", "a", **at())
    issue.determine_severity(2, **at())
    issue.close("fixed in R1.3", [], **at())
    rejected("status", issue.present_for_interface_testing, "UTS-IOC", "a", **at())


def test_tag_counts_an_interface_testing_issue_only_once_presented_with_a_confirmed_severity() -> None:
    issue = with_severity(2)
    assert issue.counts_for(UTS, "UTS-IOC") is None
    rejected("status", issue.record_tag_counting_decision, UTS, "UTS-IOC", True, 2, **tag())
    issue.present_for_interface_testing("UTS-IOC", "c", **at())
    rejected("confirmed_severity", issue.record_tag_counting_decision, UTS, "UTS-IOC", True, None, **tag())
    issue.record_tag_counting_decision(UTS, "UTS-IOC", True, 2, **tag())
    assert issue.counts_for(UTS, "UTS-IOC") is True
    assert issue.counting[(UTS, "UTS-IOC")].confirmed_severity == 2


def test_tag_decides_whether_an_sct_issue_counts_for_a_sit_phase_without_confirming_severity() -> None:
    issue = with_severity(3)
    rejected("confirmed_severity", issue.record_tag_counting_decision, SCT, "SIT-IOC", True, 3, **tag())
    issue.record_tag_counting_decision(SCT, "SIT-IOC", False, **tag())
    assert issue.counts_for(SCT, "SIT-IOC") is False
    assert issue.counts_for(SCT, "SIT-MOC-EPCL-9") is None


def test_the_dcc_may_refer_a_counting_disagreement_to_the_sos_whose_decision_is_final() -> None:
    issue = with_severity(3)
    rejected("status", issue.refer_counting_to_sos, SCT, "SIT-IOC", **at())
    issue.record_tag_counting_decision(SCT, "SIT-IOC", True, **tag())
    rejected("status", issue.record_sos_counting_determination, SCT, "SIT-IOC", False, **sos())
    issue.refer_counting_to_sos(SCT, "SIT-IOC", **at("2025-03-05T09:00"))
    assert issue.counts_for(SCT, "SIT-IOC") is True  # TAG's decision holds until the SoS decides
    rejected("status", issue.record_tag_counting_decision, SCT, "SIT-IOC", False, **tag())
    rejected("status", issue.refer_counting_to_sos, SCT, "SIT-IOC", **at())
    issue.record_sos_counting_determination(SCT, "SIT-IOC", False, **sos("2025-03-12T10:00"))
    assert issue.counts_for(SCT, "SIT-IOC") is False
    assert len(issue.counting[(SCT, "SIT-IOC")].events) == 3
    rejected("status", issue.record_tag_counting_decision, SCT, "SIT-IOC", True, **tag())


def test_counting_decisions_are_checked_field_by_field() -> None:
    issue = with_severity(3)
    rejected("basis", issue.record_tag_counting_decision, "sct", "SIT-IOC", True, **tag())
    rejected("phase_id", issue.record_tag_counting_decision, SCT, "", True, **tag())
    rejected("counted", issue.record_tag_counting_decision, SCT, "SIT-IOC", "yes", **tag())


# -- closed and reopened (§8.1(l)) -------------------------------------------------------------


def test_an_issue_is_closed_with_its_retests_and_reopened() -> None:
    issue = with_severity(4)
    issue.close("fixed in R1.3; SR 6.2.1 re-run", ["EX-101", "EX-102"], **at())
    assert not issue.is_open
    assert issue.retest_execution_ids == ("EX-101", "EX-102")
    issue.reopen("fails again on DMC-7 after R1.4", **at("2025-03-06T10:00"))
    assert issue.is_open


def test_a_closed_issue_cannot_be_closed_nor_an_open_one_reopened() -> None:
    issue = with_severity(4)
    rejected("status", issue.reopen, "why", **at())
    rejected("resolution", issue.close, "", [], **at())
    rejected("retest_execution_ids", issue.close, "fixed", ["EX-1", "EX-1"], **at())
    issue.close("fixed", [], **at())
    rejected("status", issue.close, "fixed again", [], **at())
    rejected("reason", issue.reopen, " ", **at())


# -- findings: recorded, then flagged ----------------------------------------------------------


def refused_on(decided: datetime) -> TestingIssue:
    issue = proposed()
    issue.record_tag_exclusion_decision(THRESHOLD, "SIT-IOC", False, **tag(decided.isoformat()[:16]))
    return issue


def test_a_referral_by_the_end_of_the_fifth_working_day_after_tags_decision_is_in_time() -> None:
    issue = refused_on(TAG_DECIDED)  # Thu 17 April 2025; 5 WD across Easter end on Mon 28 April
    issue.refer_exclusion_to_sos(THRESHOLD, "SIT-IOC", "deliver_ioc", **at("2025-04-28T23:30"))
    assert late_exclusion_referrals(issue) == []


def test_a_late_referral_to_the_sos_is_recorded_and_flagged() -> None:
    issue = refused_on(TAG_DECIDED)
    issue.refer_exclusion_to_sos(THRESHOLD, "SIT-IOC", "complete_sit_or_mt", **at("2025-04-29T00:30"))
    assert issue.exclusions[-1].status is ExclusionStatus.REFERRED_TO_SOS
    (finding,) = late_exclusion_referrals(issue)
    assert finding.clause == "13.26"
    assert "2025-04-28" in finding.what
    assert "TI-0042" in finding.what
    assert finding.event_ids == issue.exclusions[-1].events[1:3]
    assert finding.event_ids[1] == f"{issue.id}:{issue.version}"


def test_a_late_end_of_cycle_referral_is_not_flagged_as_it_has_no_window() -> None:
    issue = with_severity(3)
    issue.propose_exclusion(EOC, "EOC-RUN-2", "new defect", ["tag"], **at("2025-04-10T10:00"))
    issue.record_tag_exclusion_decision(EOC, "EOC-RUN-2", False, **tag(TAG_DECIDED.isoformat()[:16]))
    issue.refer_exclusion_to_sos(EOC, "EOC-RUN-2", None, **at("2025-06-02T10:00"))
    assert findings_for_issue(issue) == []


def test_a_threshold_exclusion_not_notified_to_tab_tag_and_panel_is_flagged() -> None:
    issue = with_severity(3)
    issue.propose_exclusion(THRESHOLD, "SIT-IOC", "not a DCC fault", ["tag"], **at())
    (finding,) = exclusions_not_notified(issue)
    assert (finding.clause, finding.event_ids) == ("13.25", (f"{issue.id}:{issue.version}",))
    assert "tab, panel" in finding.what
    assert exclusions_not_notified(proposed()) == []


def test_a_dcc_severity_differing_from_tags_final_determination_is_flagged() -> None:
    issue = disputed()
    issue.record_tag_severity_determination(2, **tag())
    tag_event = f"{issue.id}:{issue.version}"
    issue.determine_severity(2, **at("2025-03-06T10:00"))
    assert severity_changed_after_tag_determination(issue) == []
    issue.determine_severity(4, **at("2025-03-07T10:00"))
    (finding,) = severity_changed_after_tag_determination(issue)
    assert finding.clause == "14.2"
    assert finding.event_ids == (tag_event, f"{issue.id}:{issue.version}")


def test_an_exit_decision_while_a_blocking_dispute_is_pending_is_flagged() -> None:
    issue = disputed(("SIT-IOC",))  # referred 4 March 09:00
    issue.record_tag_severity_determination(2, **tag("2025-03-10T10:00"))
    during = datetime(2025, 3, 7, 12, tzinfo=LONDON)
    (finding,) = exit_decided_during_severity_dispute(issue, "SIT-IOC", during, "phase:9")
    assert finding.clause == "14.5"
    assert finding.event_ids == (issue.disputes[0].referred_event, "phase:9")
    after = datetime(2025, 3, 10, 12, tzinfo=LONDON)
    before = datetime(2025, 3, 3, 12, tzinfo=LONDON)
    assert exit_decided_during_severity_dispute(issue, "SIT-IOC", after, "phase:9") == []
    assert exit_decided_during_severity_dispute(issue, "SIT-IOC", before, "phase:9") == []
    assert exit_decided_during_severity_dispute(issue, "UTS-IOC", during, "phase:9") == []


def test_an_issue_left_out_of_a_count_without_agreement_is_flagged() -> None:
    issue = proposed()
    (finding,) = exclusion_applied_without_agreement(issue, "SIT-IOC", "count:1")
    assert finding.clause == "13.25"
    assert "proposed" in finding.what
    assert finding.event_ids[-1] == "count:1"
    issue.record_tag_exclusion_decision(THRESHOLD, "SIT-IOC", True, **tag())
    assert exclusion_applied_without_agreement(issue, "SIT-IOC", "count:1") == []
    assert "never proposed" in exclusion_applied_without_agreement(issue, "SIT-MOC", "count:2")[0].what
