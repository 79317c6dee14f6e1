"""A planned EPCL entry in the DMCT Process (``ledger.dmct.entry``): completion under §20.32 and
§20.33 (A25), review rounds, the report contents, and the structural rejections (each naming its
field; nothing is written)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from ledger.dmct.entry import DmctEntry
from ledger.dmct.entry_values import completion_outcome
from ledger.dmct.errors import InvalidDmctEventError
from ledger.dmct.values import CompletionOutcome, NotPossibleReason, ReportedIssue, ReportedTest
from ledger.rules.dmct_statuses import DmctStatus
from tests.unit.test_dmct_support import ALL_NOTIFIED, H1, H2, Clock, draft, entry_in, new_entry

S, OK, FAIL = DmctStatus, CompletionOutcome.SUCCESSFUL, CompletionOutcome.UNSUCCESSFUL
NP = NotPossibleReason


@pytest.fixture
def ctx() -> Clock:
    return Clock()


# -- §20.32 / §20.33 (A25: unsuccessful iff (i) and (ii) and ((iii) or (iv))) --------------------------------
OUTCOMES = [
    # executed, exceeded, pending, mtad, panel, not_possible, blocking_agreed -> outcome, basis
    (True, False, [], False, None, None, False, OK, ("20.32",)),
    (True, True, [], False, None, None, False, FAIL, ("20.33(a)(iii)",)),
    (True, False, [], True, True, None, False, OK, ("20.32",)),
    (True, False, [], True, False, None, False, FAIL, ("20.33(a)(iv)",)),
    (True, True, [], True, False, None, False, FAIL, ("20.33(a)(iii)", "20.33(a)(iv)")),
    (True, True, [], True, None, None, False, FAIL, ("20.33(a)(iii)",)),
    (False, False, ["I1"], False, None, NP.TESTS_NOT_EXECUTABLE, False, FAIL, ("20.33(b)",)),
    (False, False, [], True, None, NP.MT_NOT_COMPLETABLE, False, FAIL, ("20.33(b)",)),
    (False, False, ["I1"], False, None, NP.BLOCKING_DEFECT, True, FAIL, ("20.33(b)",)),
]


@pytest.mark.parametrize(("executed", "exceeded", "pending", "mtad", "panel", "reason", "agreed", "outcome",
                          "basis"),
                         OUTCOMES)
def test_completion_outcomes(executed: bool, exceeded: bool, pending: list[str], mtad: bool,
                             panel: bool | None,
                             reason: NotPossibleReason | None, agreed: bool, outcome: CompletionOutcome,
                             basis: tuple[str, ...]) -> None:
    assert completion_outcome(all_tests_executed=executed, thresholds_exceeded=exceeded,
                              pending_issues=pending,
                              mtad_route=mtad, panel_mt_completed=panel, not_possible=reason,
                              blocking_agreed=agreed) == (outcome, basis)


NOT_COMPLETED = [
    ({"all_tests_executed": False}, "all_tests_executed", "§20.32(a)"),
    ({"pending_issues": ["I4"]}, "not_possible", "I4 are still under §20.20-20.27"),
    ({"mtad_route": True}, "status", "§20.32(c)"),
    ({"not_possible": NP.BLOCKING_DEFECT}, "not_possible", "SoS agrees"),
    ({"not_possible": NP.MT_NOT_COMPLETABLE}, "not_possible", "no Migration Testing"),
]


@pytest.mark.parametrize(("changes", "field", "words"), NOT_COMPLETED)
def test_testing_not_completed_is_refused_naming_the_unmet_fact(changes: dict[str, Any], field: str,
                                                                words: str) -> None:
    facts: dict[str, Any] = {"all_tests_executed": True, "thresholds_exceeded": False, "pending_issues": [],
                             "mtad_route": False, "panel_mt_completed": None, "not_possible": None,
                             "blocking_agreed": False, **changes}
    with pytest.raises(InvalidDmctEventError) as raised:
        completion_outcome(**facts)
    assert raised.value.field == field
    assert words in raised.value.reason


def test_a_blocking_defect_with_the_sos_agreement_completes_unsuccessfully(ctx: Clock) -> None:
    entry = entry_in(S.TESTING_ISSUE_UNDER_RESOLUTION, ctx)
    with pytest.raises(InvalidDmctEventError, match="SoS agrees"):
        entry.complete_testing(False, False, not_possible="blocking_defect", **ctx())
    entry.record_sos_blocking_defect_agreement("I1", **ctx(behalf="sos"))
    entry.complete_testing(False, False, not_possible="blocking_defect", **ctx())
    assert entry.status is S.COMPLETED_UNSUCCESSFUL_DRAFT_REPORT
    assert entry.completion is not None
    assert entry.completion.basis == ("20.33(b)",)


def test_on_the_mtad_route_success_needs_the_panels_determination(ctx: Clock) -> None:
    entry = entry_in(S.IN_TESTING, ctx, mtad=True)
    with pytest.raises(InvalidDmctEventError, match="Panel has not determined"):
        entry.complete_testing(True, False, **ctx())
    entry.record_panel_mt_determination(False, mt_phase_id="MT-4", **ctx(behalf="panel"))
    entry.complete_testing(True, False, **ctx())
    assert entry.completion is not None
    assert entry.completion.basis == ("20.33(a)(iv)",)


# -- review rounds and report contents -------------------------------------------------------------------
def test_the_draft_report_holds_its_contents_as_data(ctx: Clock) -> None:
    entry = entry_in(S.DRAFT_REPORT_UNDER_REVIEW, ctx)
    report = entry.current_draft
    assert report is not None
    assert report.recommends_epcl_entry
    assert report.results() == {"pass": 2, "fail": 0, "not_run": 0}
    assert report.open_by_severity() == {1: 0, 2: 0, 3: 0, 4: 1, 5: 0}
    assert report.excluded_issues == (ReportedIssue("I8", 3, "does not affect the entry"),)


def test_continuing_after_a_flipping_tag_view_opens_a_new_round(ctx: Clock) -> None:
    entry = entry_in(S.DRAFT_REPORT_UNDER_REVIEW, ctx)
    entry.record_tag_different_determination(["severity"], ["I9"], True, **ctx(behalf="tag"))
    entry.record_supplier_no_referral("Acme", **ctx())
    entry.record_supplier_no_referral("Bolt", **ctx())
    with pytest.raises(InvalidDmctEventError, match="would turn the draft unsuccessful"):
        entry.deem_final(**ctx())
    entry.elect_continue_testing(["Acme", "Bolt"], **ctx())
    assert entry.status is S.IN_TESTING
    entry.record_execution("T1", 2, "pass", H1, **ctx())
    entry.complete_testing(True, False, **ctx())
    assert (entry.round, entry.current_draft, entry.current_provisions) == (2, None, [])
    with pytest.raises(InvalidDmctEventError, match="no draft"):
        entry.provide_draft_report(["Acme"], ctx.today, **ctx())
    draft(entry, ctx)
    entry.provide_draft_report(["Acme"], ctx.today, **ctx())
    entry.record_supplier_no_referral("Acme", **ctx())
    entry.deem_final(**ctx())
    assert entry.status is S.FINAL_SUCCESSFUL
    assert len(entry.completions) == 2


def test_sos_outcomes_follow_the_draft(ctx: Clock) -> None:
    failed = entry_in(S.SOS_DETERMINATION_PENDING, ctx, unsuccessful=True)
    failed.record_sos_report_determination("b", updated_report_sha256=H2, **ctx(behalf="sos"))
    assert failed.status is S.FINAL_SUCCESSFUL
    passed = entry_in(S.SOS_DETERMINATION_PENDING, ctx)
    with pytest.raises(InvalidDmctEventError) as raised:
        passed.record_sos_report_determination("b", **ctx(behalf="sos"))
    assert raised.value.field == "outcome"
    passed.record_sos_report_determination("c_ii", **ctx(behalf="sos"))
    assert passed.status is S.IN_TESTING


def test_the_entry_replays_from_its_events(ctx: Clock) -> None:
    entry = entry_in(S.EPCL_REPORT_PUBLISHED, ctx)
    copy: Any = None
    for e in entry.collect_events():
        copy = e.mutate(copy)
    assert (copy.status, copy.draft, copy.provisions, copy.epcl_report, copy.completions) == (
        entry.status, entry.draft, entry.provisions, entry.epcl_report, entry.completions)


def test_payloads_are_json(ctx: Clock) -> None:
    entry = entry_in(S.EPCL_REPORT_PUBLISHED, ctx)
    for e in entry.collect_events():
        payload = {k: v for k, v in vars(e).items() if k not in ("originator_id", "timestamp")}
        assert json.loads(json.dumps(payload)) == payload


# -- structural rejections ---------------------------------------------------------------------------------
Reject = tuple[DmctStatus, Callable[[DmctEntry, Clock], object], str, str]
REJECTIONS: list[Reject] = [
    (S.SCHEDULED, lambda e, c: e.revise_dates(date(2026, 3, 2), date(2026, 2, 2), **c()),
     "planned_completion",
     "before planned_start"),
    (S.SCHEDULED, lambda e, c: e.record_dormant_suffices("E1", "self", **c()), "dormant_entry_id",
     "Active or mixed"),
    (S.IN_TESTING, lambda e, c: e.record_execution("T1", 2, "pass", H1, **c()), "run", "the next is run 1"),
    (S.IN_TESTING, lambda e, c: e.record_execution("T1", 1, "passed", H1, **c()), "result", "TestResult"),
    (S.IN_TESTING, lambda e, c: e.record_execution("T1", 1, "pass", "abc", **c()), "run_evidence_sha256",
     "SHA-256"),
    (S.IN_TESTING, lambda e, c: e.record_panel_mt_determination(True, **c(behalf="panel")), "status",
     "not under the MTAD"),
    (S.IN_TESTING, lambda e, c: e.recommend_option("I5", "a", [], ALL_NOTIFIED, **c()), "issue_id",
     "no DMCT Testing Issue 'I5'"),
    (S.TESTING_ISSUE_UNDER_RESOLUTION, lambda e, c: e.record_testing_issue("I1", **c()), "issue_id",
     "recorded already"),
    (S.TESTING_ISSUE_UNDER_RESOLUTION, lambda e, c: e.recommend_option("I1", "c", [], ALL_NOTIFIED, **c()),
     "device_change", "option (c)"),
    (S.TESTING_ISSUE_UNDER_RESOLUTION, lambda e, c: e.record_sos_option_d_indication("I1", **c(behalf="sos")),
     "issue_id", "option (a) under resolution, not option (d)"),
    (S.TESTING_ISSUE_UNDER_RESOLUTION, lambda e, c: e.recommend_option("I1", "b", [], ["ofgem"], **c()),
     "notified", "not a role or audience"),
    (S.PAUSED, lambda e, c: e.record_option_b_approach("I1", "tag", H1, False, **c(behalf="tag")), "issue_id",
     "option (a) under resolution"),
    (S.COMPLETED_SUCCESSFUL_DRAFT_REPORT, lambda e, c: e.provide_draft_report(["Acme"], c.today, **c()),
     "status",
     "no draft"),
    (S.COMPLETED_SUCCESSFUL_DRAFT_REPORT, lambda e, c: e.produce_draft_report(
        "D", H2, "R1", [ReportedTest("T1", 1, "pass"), ReportedTest("T1", 2, "pass")], [], [], "r", [], "s",
        **c()),
     "tests", "each test of the pack once"),
    (S.COMPLETED_SUCCESSFUL_DRAFT_REPORT, lambda e, c: e.produce_draft_report(
        "D", H2, "R1", [], [ReportedIssue("I1", 6, "x")], [], "r", [], "s", **c()), "open_issues", "1-5"),
    (S.COMPLETED_UNSUCCESSFUL_DRAFT_REPORT, lambda e, c: e.record_tag_different_determination(
        ["severity"], ["I1"], True, **c(behalf="tag")), "flips_to_unsuccessful", "only a successful outcome"),
    (S.DRAFT_REPORT_UNDER_REVIEW, lambda e, c: e.provide_draft_report(["Acme"], c.today, **c()), "suppliers",
     "provided to Acme already"),
    (S.DRAFT_REPORT_UNDER_REVIEW, lambda e, c: e.record_supplier_referral("Zed", ["severity"], "a", **c()),
     "supplier", "Zed was not given the draft"),
    (S.DRAFT_REPORT_UNDER_REVIEW, lambda e, c: e.record_supplier_referral("Acme", ["price"], "a", **c()),
     "grounds", "ReferralGround"),
    (S.DRAFT_REPORT_UNDER_REVIEW, lambda e, c: e.elect_continue_testing([], **c()), "status", "no TAG view"),
    (S.SOS_DETERMINATION_PENDING, lambda e, c: e.record_supplier_referral("Acme", ["severity"], "a", **c()),
     "supplier", "already referred"),
    (S.FINAL_SUCCESSFUL, lambda e, c: e.produce_epcl_report("R", ["E2"], H2, **c()), "entry_ids",
     "names it ('E1')"),
    (S.IN_TESTING, lambda e, c: e.start_testing("SIT-A", "", **c()), "environment_version", "not empty"),
]


@pytest.mark.parametrize(("status", "act", "field", "words"), REJECTIONS,
                         ids=[f"{s.value}-{f}" for s, _, f, _ in REJECTIONS])
def test_structural_rejections_name_the_field_and_write_nothing(
    status: DmctStatus, act: Callable[[DmctEntry, Clock], object], field: str, words: str, ctx: Clock
) -> None:
    entry = entry_in(status, ctx)
    before = entry.version
    with pytest.raises(InvalidDmctEventError) as raised:
        act(entry, ctx)
    assert (raised.value.field, words in raised.value.reason) == (field, True), raised.value.reason
    assert "DMCT entry 'E1'" in str(raised.value)
    assert entry.version == before


def test_scheduling_needs_a_pack_or_a_rationale_and_ordered_dates(ctx: Clock) -> None:
    with pytest.raises(InvalidDmctEventError) as raised:
        DmctEntry.schedule("E2", "DMC-1", "active", "foc", "SMSO-A", date(2026, 2, 2), date(2026, 3, 2),
                           **ctx())
    assert raised.value.field == "test_pack_id"
    with pytest.raises(InvalidDmctEventError) as raised:
        DmctEntry.schedule("E2", "DMC-1", "hybrid", "foc", "SMSO-A", date(2026, 2, 2), date(2026, 3, 2),
                           non_standard_rationale="odd meter", **ctx())
    assert raised.value.field == "installation_type"
    entry = DmctEntry.schedule("E2", "DMC-1", "active", "foc", "SMSO-A", date(2026, 2, 2), date(2026, 3, 2),
                               non_standard_rationale="odd meter", **ctx())
    assert entry.id == DmctEntry.create_id("E2")
    assert entry.planned is not None
    assert entry.planned.non_standard_rationale == "odd meter"


def test_option_b_approach_needs_the_sos_to_agree_to_consult(ctx: Clock) -> None:
    entry = entry_in(S.TESTING_ISSUE_UNDER_RESOLUTION, ctx)
    entry.recommend_option("I1", "b", ["Acme"], ALL_NOTIFIED, **ctx())
    entry.record_sos_consultation_opinion("I1", False, **ctx(behalf="sos"))
    with pytest.raises(InvalidDmctEventError, match="not agreed the Code change be consulted on"):
        entry.record_option_b_approach("I1", "tag", H1, True, **ctx(behalf="tag"))
    entry.record_sos_consultation_opinion("I1", True, **ctx(behalf="sos"))
    with pytest.raises(InvalidDmctEventError, match="tag decided, but it is recorded on behalf of sos"):
        entry.record_option_b_approach("I1", "tag", H1, True, **ctx(behalf="sos"))
    entry.record_option_b_approach("I1", "sos", H1, True, matter_id="M-32", **ctx(behalf="sos"))
    assert entry.status is S.IN_TESTING
    assert entry.issues_under_resolution == []


def test_await_relied_report_only_for_d_iii(ctx: Clock) -> None:
    entry = DmctEntry.plan_on_equivalence("E3", "DMC-1", "active", "moc", "SMSO-A", "d_i", "EPCL-9", **ctx())
    with pytest.raises(InvalidDmctEventError) as raised:
        entry.await_relied_report("E5", **ctx())
    assert raised.value.field == "relied_entry_id"
    entry.produce_epcl_report("EPCL-7", ["E3", "E4"], H2, relied_reports=["EPCL-9 report"], **ctx())
    assert entry.epcl_report is not None
    assert entry.epcl_report.basis == "20.41(b)(ii)"
    final = entry_in(S.EPCL_REPORT_PRODUCED, ctx)
    assert final.epcl_report is not None
    assert final.epcl_report.basis == "20.41(b)(i)"
    assert new_entry(ctx, "E9").equivalence is None
