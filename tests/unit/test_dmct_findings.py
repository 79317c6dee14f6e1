"""Compliance findings on the DMCT Process (``ledger.dmct.findings``): what was recorded in breach
of §20 is flagged with its clause and events; a compliant history yields none."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.dmct import findings as f
from ledger.dmct.dmc import DmctDmc
from ledger.dmct.entry import DmctEntry
from ledger.dmct.values import ReportedIssue, ReportedTest
from ledger.findings import Finding
from ledger.rules.dmct_statuses import DmctStatus
from tests.unit.seed_text import check_ref
from tests.unit.test_dmct_support import ALL_NOTIFIED, H1, H2, H3, Clock, dmc_in, draft, entry_in, new_entry

S = DmctStatus


@pytest.fixture
def ctx() -> Clock:
    return Clock()


def clauses(found: list[Finding]) -> list[str]:
    return [x.clause for x in found]


def compliant_history(ctx: Clock) -> tuple[DmctDmc, DmctEntry]:
    """A DMC scheduled and tested, its report final and its EPCL Report published, by the book."""
    dmc = dmc_in(S.UNDER_ASSESSMENT, ctx)
    dmc.record_assessment("none", **ctx())
    dmc.schedule_entries(["E1"], **ctx())
    entry = new_entry(ctx)
    entry.start_testing("SIT-A", "R4.2", **ctx())
    entry.record_execution("T1", 1, "fail", H1, **ctx())
    entry.record_testing_issue("I1", **ctx())
    entry.recommend_option("I1", "a", ["Acme", "Bolt"], ALL_NOTIFIED, **ctx())
    entry.announce_option_a_path("I1", False, ["parties", "panel", "authority", "sos"], **ctx())
    entry.pause(weekly_report_ref="WR-1", **ctx())
    entry.record_internal_change_progressed("I1", revised_completion=date(2026, 3, 9), **ctx())
    entry.recommence(weekly_report_ref="WR-2", **ctx())
    entry.record_execution("T1", 2, "pass", H1, **ctx())
    entry.complete_testing(True, False, threshold_snapshot_ref="SNAP-1", **ctx())
    draft(entry, ctx)
    entry.submit_issues_to_tag(["I9"], ["I8"], False, **ctx())
    entry.provide_draft_report(["Acme", "Bolt"], ctx.today, **ctx())
    entry.record_supplier_no_referral("Acme", **ctx())
    entry.record_supplier_no_referral("Bolt", **ctx())
    entry.record_tag_review_concluded(**ctx(behalf="tag"))
    entry.deem_final(**ctx())
    entry.produce_epcl_report("EPCL-1", ["E1"], H3, **ctx())
    entry.publish_epcl_report(ctx.today, True, ["panel", "sos", "authority", "parties"], **ctx())
    return dmc, entry


def test_a_compliant_history_has_no_findings(ctx: Clock) -> None:
    dmc, entry = compliant_history(ctx)
    assert entry.status is S.EPCL_REPORT_PUBLISHED
    assert f.dmct_findings([dmc], [entry]) == []


def test_every_finding_cites_a_clause_in_force(ctx: Clock) -> None:
    dmc = dmc_in(S.SCHEDULED, ctx)
    dmc.relieve_insufficient_devices(["E1"], [], **ctx())
    entry = entry_in(S.AWAITING_MT_UNDER_MTAD, ctx)
    entry.start_testing("SIT-B", "R3.9", alternate_environment=True, **ctx())
    entry.pause(**ctx())
    found = f.dmct_findings([dmc], [entry])
    assert clauses(found) == ["20.19", "20.14", "20.18", "20.21"]
    assert [p for x in found if (p := check_ref(x.clause))] == []


# -- DMCs -------------------------------------------------------------------------------------------------
def test_a_disagreement_without_a_notice_to_that_supplier_is_flagged(ctx: Clock) -> None:
    dmc = dmc_in(S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT, ctx)
    dmc.record_supplier_disagreement("Bolt", "equivalence", "not equivalent", **ctx())
    (found,) = f.late_disagreements(dmc)
    assert found.clause == "20.12"
    assert "no §20.11 notice" in found.what


def test_exclusion_notices_before_the_next_submission_and_with_rationale(ctx: Clock) -> None:
    dmc = dmc_in(S.NOT_SCHEDULED_NO_DEVICES, ctx)
    assert list(f.exclusion_notices(dmc)) == []  # not due until the next §20.2 submission
    dmc.notify_exclusion(["Acme"], ctx.today, **ctx())  # (e) needs a rationale (§20.11(b))
    dmc.record_submission("Bolt", "SUB-9", "2026-03", **ctx())
    assert sorted(clauses(list(f.exclusion_notices(dmc)))) == ["20.11", "20.11(b)"]
    assert "Bolt was not told" in next(x.what for x in f.exclusion_notices(dmc) if x.clause == "20.11")


def test_notices_that_leave_out_a_supplier(ctx: Clock) -> None:
    dmc = dmc_in(S.DATA_BEING_SOURCED, ctx)
    dmc.exclude_data_unavailable(["volumes"], ["Acme"], **ctx())
    (found,) = f.notices_missing_suppliers(dmc)
    assert (found.clause, "Bolt" in found.what) == ("20.5", True)
    forced = dmc_in(S.SCHEDULED, ctx)
    forced.refer_forced_inclusion("equivalent", [], **ctx())
    assert clauses(list(f.notices_missing_suppliers(forced))) == ["20.12A"]


def test_a_non_economic_proposal_without_stakeholder_views(ctx: Clock) -> None:
    dmc = dmc_in(S.UNDER_ASSESSMENT, ctx)
    dmc.record_assessment("f", **ctx())
    dmc.propose_non_economic([], **ctx())
    assert clauses(list(f.non_economic_without_views(dmc))) == ["20.7"]
    assert list(f.non_economic_without_views(dmc_in(S.NON_ECONOMIC_PROPOSED_TO_SOS, ctx))) == []


def test_a_timescale_disagreement_the_dcc_has_not_referred(ctx: Clock) -> None:
    dmc = dmc_in(S.NOT_SCHEDULED_CR_TIMESCALE_UNCERTAIN, ctx)
    dmc.notify_exclusion(["Acme"], ctx.today, rationale="SIT slips", **ctx())
    dmc.record_supplier_disagreement("Acme", "timescale", "dates are firm", **ctx())
    assert clauses(list(f.timescale_disagreement_not_referred(dmc))) == ["20.12(b)"]
    dmc.refer_timescale_dispute(**ctx())
    assert list(f.timescale_disagreement_not_referred(dmc)) == []


def test_relief_not_notified_to_everyone_the_clause_names(ctx: Clock) -> None:
    dmc = dmc_in(S.SCHEDULED, ctx)
    dmc.relieve_insufficient_devices(["E1"], ["supplier", "sos"], **ctx())
    (found,) = f.relief_recipients(dmc)
    assert found.clause == "20.19"
    assert "panel, authority" in found.what


# -- entries ------------------------------------------------------------------------------------------------
def test_srvt_before_the_tab_and_alternate_versions_without_tag(ctx: Clock) -> None:
    entry = entry_in(S.AWAITING_MT_UNDER_MTAD, ctx)
    entry.start_testing("SIT-B", "R3.9", alternate_environment=True, **ctx())
    assert clauses(list(f.testing_starts(entry))) == ["20.14", "20.18"]
    agreed = new_entry(ctx, "E2")
    agreed.start_testing("SIT-B", "R3.9", alternate_environment=True, tag_consent_ref="TAG-2026-04", **ctx())
    assert list(f.testing_starts(agreed)) == []


def test_pauses_not_reported_in_the_weekly_report(ctx: Clock) -> None:
    entry = entry_in(S.IN_TESTING, ctx)
    entry.pause(**ctx())
    entry.recommence(weekly_report_ref="WR-5", **ctx())
    (found,) = f.pauses_not_reported(entry)
    assert (found.clause, found.event_ids) == ("20.21", (entry.event_id(3),))


def test_option_recommendations_and_option_a_announcements(ctx: Clock) -> None:
    entry = entry_in(S.IN_TESTING, ctx)
    entry.record_testing_issue("I1", **ctx())
    entry.recommend_option("I1", "a", ["Acme"], ["panel"], **ctx())
    entry.record_internal_change_progressed("I1", **ctx())
    found = list(f.issue_resolutions(entry))
    assert clauses(found) == ["20.20", "20.22"]
    assert "stakeholders, authority, sos" in found[0].what


def test_a_completion_claiming_every_test_executed(ctx: Clock) -> None:
    entry = entry_in(S.IN_TESTING, ctx)
    entry.complete_testing(True, False, **ctx())
    assert "no test run is recorded" in next(iter(f.completion_claims(entry))).what
    other = new_entry(ctx, "E2")
    other.start_testing("SIT-A", "R4.2", **ctx())
    other.record_execution("T1", 1, "pass", H1, **ctx())
    other.record_execution("T2", 1, "not_run", H1, **ctx())
    other.complete_testing(True, True, **ctx())
    (found,) = f.completion_claims(other)
    assert found.clause == "20.32(a)"
    assert "T2 last not run" in found.what


def test_drafts_without_work_off_plans_or_not_given_to_a_submitter(ctx: Clock) -> None:
    entry = entry_in(S.COMPLETED_UNSUCCESSFUL_DRAFT_REPORT, ctx)
    entry.produce_draft_report("DTR-2", H2, "R4.2", [ReportedTest("T1", 1, "fail")],
                               [ReportedIssue("I3", 2, "blocks reads")], [], "re-run all", [], "failed",
                               **ctx())
    entry.provide_draft_report(["Acme"], ctx.today, **ctx())
    dmc = dmc_in(S.SCHEDULED, ctx)
    found = list(f.draft_reports(entry, dmc))
    assert clauses(found) == ["20.35(d)", "20.36"]
    assert "Bolt" in found[1].what


def test_a_referral_after_confirming_none_and_finality_without_tag_review(ctx: Clock) -> None:
    entry = entry_in(S.DRAFT_REPORT_UNDER_REVIEW, ctx)
    entry.record_supplier_no_referral("Acme", **ctx())
    entry.record_supplier_no_referral("Bolt", **ctx())
    entry.deem_final(**ctx())
    assert clauses(list(f.final_without_tag_review(entry))) == ["20.39"]
    entry.record_supplier_referral("Acme", ["exclusion"], "I8 should count", **ctx())
    assert entry.status is S.FINAL_SUCCESSFUL  # recorded, no effect on finality
    assert clauses(list(f.referrals(entry))) == ["20.39(a)"]


def test_epcl_reports_resting_on_d_iii_and_their_publication(ctx: Clock) -> None:
    entry = entry_in(S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT, ctx)  # d(iii)
    entry.produce_epcl_report("EPCL-3", ["E1"], H3, **ctx())
    entry.publish_epcl_report(ctx.today, True, ["panel"], **ctx())
    found = list(f.epcl_reports(entry))
    assert clauses(found) == ["20.41", "20.43"]
    assert "sos, authority, parties" in found[1].what
    relied = entry_in(S.EPCL_REPORT_WAITING_FOR_RELIED_REPORT, ctx)
    relied.produce_epcl_report("EPCL-4", ["E1"], H3, relied_reports=["DTR-E5"], **ctx())
    assert list(f.epcl_reports(relied)) == []
