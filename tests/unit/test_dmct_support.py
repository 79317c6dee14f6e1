"""Building DMCT aggregates in any status through their public commands, for the DMCT tests
(``test_dmct_*``), and the checks that every status of the table is reachable that way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ledger.actors import Actor
from ledger.context import RecordingContext
from ledger.dmct.dmc import DmctDmc
from ledger.dmct.entry import DmctEntry
from ledger.dmct.values import ReportedIssue, ReportedTest
from ledger.rules.dmct_statuses import DMC_STATUSES, ENTRY_STATUSES, DmctStatus

DCC = Actor("alice", "dcc", "DCC")
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
H1, H2, H3, H9 = "a1" * 32, "b2" * 32, "c3" * 32, "f9" * 32
ALL_NOTIFIED = ["stakeholders", "panel", "authority", "sos"]
S = DmctStatus


class Clock:
    """Successive recording contexts an hour apart (``days`` more when asked), so events are in
    time order; ``behalf`` records a body's decision with evidence."""

    def __init__(self, start: datetime = START, actor: Actor = DCC) -> None:
        self.at, self.actor = start, actor

    def __call__(self, *clauses: str, behalf: str | None = None, days: int = 0) -> dict[str, Any]:
        self.at += timedelta(hours=1, days=days)
        return RecordingContext(self.actor, self.at, clauses, behalf, H9 if behalf else None).fields()

    @property
    def today(self) -> date:
        return self.at.date()


@pytest.fixture
def ctx() -> Clock:
    return Clock()


# -- DMCs -----------------------------------------------------------------------------------------
def new_dmc(ctx: Clock) -> DmctDmc:
    dmc = DmctDmc.receive_submission("DMC-1", "Acme", "SUB-1", "2026-01", planned_installations=500,
                                     contacts=["ops@acme.example"], **ctx())
    dmc.record_submission("Bolt", "SUB-2", "2026-01", **ctx())
    return dmc


def dmc_in(status: DmctStatus, ctx: Clock) -> DmctDmc:
    """A DMC (submitted by Acme and Bolt) in ``status``; S14 is reached through a §20.12(a)
    disagreement (so §20.12A applies), S13 from there."""
    build = _DMC_PATHS[status]
    return build(ctx)


def _assessed(result: str, **kwargs: Any) -> Callable[[Clock], DmctDmc]:
    def build(ctx: Clock) -> DmctDmc:
        dmc = dmc_in(S.UNDER_ASSESSMENT, ctx)
        dmc.record_assessment(result, rationale="why", **kwargs, **ctx())
        return dmc
    return build


def _then(status: DmctStatus, *steps: Callable[[DmctDmc, Clock], object]) -> Callable[[Clock], DmctDmc]:
    def build(ctx: Clock) -> DmctDmc:
        dmc = dmc_in(status, ctx)
        for step in steps:
            step(dmc, ctx)
        return dmc
    return build


_DMC_PATHS: dict[DmctStatus, Callable[[Clock], DmctDmc]] = {
    S.SUBMITTED: new_dmc,
    S.DATA_BEING_SOURCED: _then(
        S.SUBMITTED, lambda d, c: d.seek_data("meter_manufacturer", "MM", ["volumes"], **c())),
    S.EXCLUDED_DATA_UNAVAILABLE: _then(S.DATA_BEING_SOURCED, lambda d, c: d.exclude_data_unavailable(
        ["firmware version"], ["Acme", "Bolt"], **c())),
    S.UNDER_ASSESSMENT: _then(S.SUBMITTED, lambda d, c: d.begin_assessment(**c())),
    S.NOT_SCHEDULED_ON_OR_PROPOSED_FOR_EPCL: _assessed("a"),
    S.NOT_SCHEDULED_IN_CAPABILITY_RELEASE_OR_PPCT: _assessed("b"),
    S.NOT_SCHEDULED_CR_TIMESCALE_UNCERTAIN: _assessed("c"),
    S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT: _assessed("d", equivalence_basis="d_i", equivalent_to="EPCL-9"),
    S.NOT_SCHEDULED_NO_DEVICES: _assessed("e"),
    S.NON_ECONOMIC_PROPOSED_TO_SOS: _then(
        S.UNDER_ASSESSMENT, lambda d, c: d.record_assessment("f", **c()),
        lambda d, c: d.seek_non_economic_views(["Acme"], "too few meters", **c()),
        lambda d, c: d.propose_non_economic(["Acme: agrees"], **c())),
    S.EXCLUDED_NON_ECONOMIC: _then(S.NON_ECONOMIC_PROPOSED_TO_SOS,
                                   lambda d, c: d.record_sos_non_economic_decision(True, **c(behalf="sos"))),
    S.SUPPLIER_DISPUTE_TIMESCALE_REFERRED_TO_SOS: _then(
        S.NOT_SCHEDULED_CR_TIMESCALE_UNCERTAIN,
        lambda d, c: d.notify_exclusion(["Acme"], c.today, rationale="r", **c()),
        lambda d, c: d.record_supplier_disagreement("Acme", "timescale", "dates are firm", **c()),
        lambda d, c: d.refer_timescale_dispute(**c())),
    S.SCHEDULED_BY_SUPPLIER_DISPUTE: _then(
        S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT,
        lambda d, c: d.notify_exclusion(["Acme"], c.today, rationale="r", **c()),
        lambda d, c: d.record_supplier_disagreement("Acme", "equivalence", "different firmware", **c())),
    S.SCHEDULED: _then(S.SCHEDULED_BY_SUPPLIER_DISPUTE, lambda d, c: d.schedule_entries(["E1"], **c())),
    S.DCC_REFERRED_FORCED_INCLUSION_TO_SOS: _then(
        S.SCHEDULED, lambda d, c: d.refer_forced_inclusion("still equivalent", ["Acme", "Bolt"], **c())),
    S.EXCLUDED_FIRMWARE_UPGRADE_REQUIRED: _then(
        S.SCHEDULED, lambda d, c: d.record_device_change_exclusion("firmware", "E1", **c())),
    S.EXCLUDED_PENDING_CONFIG_EVIDENCE: _then(
        S.SCHEDULED, lambda d, c: d.record_device_change_exclusion("configuration", "E1", **c())),
    S.EXCLUDED_NEW_FW_DMC_PENDING_CONFIG_EVIDENCE: _then(
        S.SCHEDULED,
        lambda d, c: d.record_device_change_exclusion("both", "E1", new_firmware_dmc_id="DMC-1b", **c())),
    S.RELIEVED_INSUFFICIENT_DEVICES: _then(
        S.SCHEDULED,
        lambda d, c: d.relieve_insufficient_devices(["E1"], ["supplier", "panel", "authority", "sos"],
                                                    **c())),
}


# -- planned EPCL entries -------------------------------------------------------------------------
def new_entry(ctx: Clock, entry_id: str = "E1") -> DmctEntry:
    return DmctEntry.schedule(entry_id, "DMC-1", "mixed", "moc", "SMSO-A", date(2026, 2, 2), date(2026, 3, 2),
                              test_pack_id="PACK-MOC-SRVT", schedule_version=3, **ctx())


def draft(entry: DmctEntry, ctx: Clock) -> None:
    entry.produce_draft_report(
        "DTR-1", H2, "R4.2", [ReportedTest("T1", 2, "pass"), ReportedTest("T2", 1, "pass")],
        [ReportedIssue("I9", 4, "cosmetic")], [ReportedIssue("I8", 3, "does not affect the entry")],
        "re-run the pack after each fix", ["WOP-1"], "all tests passed", **ctx())


def entry_in(status: DmctStatus, ctx: Clock, *, mtad: bool = False, unsuccessful: bool = False) -> DmctEntry:
    """A planned EPCL entry (DMC-1, mixed, MOC) in ``status``. ``mtad``: testing on the MTAD route
    (S17-S19); ``unsuccessful``: review statuses (S26, S27) of an unsuccessful draft. S19 and S18
    have Testing Issue I1 under option (a); S07 rests on a d(iii) equivalence; S26 has the draft
    with Acme and Bolt on the day."""
    if status is S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT:
        return DmctEntry.plan_on_equivalence("E1", "DMC-1", "active", "moc", "SMSO-A", "d_iii", "DMC-7",
                                             **ctx())
    if status is S.SCHEDULED:
        return new_entry(ctx)
    unsuccessful = unsuccessful or status is S.FINAL_UNSUCCESSFUL
    before, steps = _ENTRY_PATHS[status](mtad, unsuccessful)
    entry = entry_in(before, ctx, mtad=mtad, unsuccessful=unsuccessful)
    for step in steps:
        step(entry, ctx)
    return entry


Step = Callable[[DmctEntry, Clock], object]


def _testing(mtad: bool, _: bool) -> tuple[DmctStatus, list[Step]]:
    if mtad:
        return S.AWAITING_MT_UNDER_MTAD, [lambda e, c: e.record_tab_mt_completion(**c(behalf="tab")),
                                          lambda e, c: e.start_testing("SIT-B", "R4.2", **c())]
    return S.SCHEDULED, [lambda e, c: e.start_testing("SIT-A", "R4.2", **c())]


def _option_c(change: str) -> Callable[[bool, bool], tuple[DmctStatus, list[Step]]]:
    return lambda mtad, _: (S.IN_TESTING, [
        lambda e, c: e.record_testing_issue("I1", **c()),
        lambda e, c: e.recommend_option("I1", "c", ["Acme"], ALL_NOTIFIED, device_change=change, **c()),
        lambda e, c: e.record_sos_option_c_decision("I1", True, **c(behalf="sos"))])


def _completed(exceeded: bool) -> Callable[[bool, bool], tuple[DmctStatus, list[Step]]]:
    return lambda mtad, _: (S.IN_TESTING, [lambda e, c: e.record_execution("T1", 1, "pass", H1, **c()),
                                           lambda e, c: e.complete_testing(True, exceeded, **c())])


_ENTRY_PATHS: dict[DmctStatus, Callable[[bool, bool], tuple[DmctStatus, list[Step]]]] = {
    S.NOT_TESTED_DORMANT_ENTRY_SUFFICES: lambda m, u: (
        S.SCHEDULED, [lambda e, c: e.record_dormant_suffices("E0", "dormant-only testing covers it", **c())]),
    S.AWAITING_MT_UNDER_MTAD: lambda m, u: (
        S.SCHEDULED, [lambda e, c: e.notify_mtad_route("migration tested under the MTAD", **c())]),
    S.IN_TESTING: _testing,
    S.TESTING_ISSUE_UNDER_RESOLUTION: lambda m, u: (S.IN_TESTING, [
        lambda e, c: e.record_testing_issue("I1", **c()),
        lambda e, c: e.recommend_option("I1", "a", ["Acme"], ALL_NOTIFIED, **c())]),
    S.PAUSED: lambda m, u: (S.TESTING_ISSUE_UNDER_RESOLUTION, [
        lambda e, c: e.pause(weekly_report_ref="WR-1", **c())]),
    S.EXCLUDED_FIRMWARE_UPGRADE_REQUIRED: _option_c("firmware"),
    S.EXCLUDED_PENDING_CONFIG_EVIDENCE: _option_c("configuration"),
    S.EXCLUDED_NEW_FW_DMC_PENDING_CONFIG_EVIDENCE: _option_c("both"),
    S.RELIEVED_INSUFFICIENT_DEVICES: lambda m, u: (S.IN_TESTING, [
        lambda e, c: e.record_insufficient_devices(**c())]),
    S.COMPLETED_SUCCESSFUL_DRAFT_REPORT: _completed(False),
    S.COMPLETED_UNSUCCESSFUL_DRAFT_REPORT: _completed(True),
    S.DRAFT_REPORT_UNDER_REVIEW: lambda m, u: (
        S.COMPLETED_UNSUCCESSFUL_DRAFT_REPORT if u else S.COMPLETED_SUCCESSFUL_DRAFT_REPORT,
        [draft, lambda e, c: e.provide_draft_report(["Acme", "Bolt"], c.today, **c())]),
    S.SOS_DETERMINATION_PENDING: lambda m, u: (S.DRAFT_REPORT_UNDER_REVIEW, [
        lambda e, c: e.record_supplier_referral("Acme", ["severity"], "I9 is severity 2", **c())]),
    S.FINAL_SUCCESSFUL: lambda m, u: (S.DRAFT_REPORT_UNDER_REVIEW, [
        lambda e, c: e.record_supplier_no_referral("Acme", **c()),
        lambda e, c: e.record_supplier_no_referral("Bolt", **c()),
        lambda e, c: e.record_tag_review_concluded(**c(behalf="tag")),
        lambda e, c: e.deem_final(**c())]),
    S.FINAL_UNSUCCESSFUL: lambda m, u: (S.DRAFT_REPORT_UNDER_REVIEW, [
        lambda e, c: e.record_supplier_no_referral("Acme", **c()),
        lambda e, c: e.record_supplier_no_referral("Bolt", **c()),
        lambda e, c: e.record_tag_review_concluded(**c(behalf="tag")),
        lambda e, c: e.deem_final(**c())]),
    S.EPCL_REPORT_WAITING_FOR_RELIED_REPORT: lambda m, u: (S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT, [
        lambda e, c: e.await_relied_report("E5", **c())]),
    S.EPCL_REPORT_PRODUCED: lambda m, u: (S.FINAL_SUCCESSFUL, [
        lambda e, c: e.produce_epcl_report("EPCL-1", ["E1", "E2"], H3, **c())]),
    S.EPCL_REPORT_PUBLISHED: lambda m, u: (S.EPCL_REPORT_PRODUCED, [
        lambda e, c: e.publish_epcl_report(c.today, True, ["panel", "sos", "authority", "parties"], **c())]),
}


# -- the harness reaches every status ---------------------------------------------------------------
@pytest.mark.parametrize("status", DMC_STATUSES, ids=lambda s: s.label)
def test_every_dmc_status_is_reachable_through_commands(status: DmctStatus, ctx: Clock) -> None:
    assert dmc_in(status, ctx).status is status


@pytest.mark.parametrize("status", ENTRY_STATUSES, ids=lambda s: s.label)
def test_every_entry_status_is_reachable_through_commands(status: DmctStatus, ctx: Clock) -> None:
    assert entry_in(status, ctx).status is status


@pytest.mark.parametrize("status", [S.IN_TESTING, S.TESTING_ISSUE_UNDER_RESOLUTION, S.PAUSED])
def test_testing_statuses_are_reachable_on_the_mtad_route(status: DmctStatus, ctx: Clock) -> None:
    entry = entry_in(status, ctx, mtad=True)
    assert (entry.status, entry.mtad_route, entry.rounds[-1].srvt_only) == (status, True, True)
