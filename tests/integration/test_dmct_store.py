"""A DMC and its planned EPCL entries through the DMCT Process are signable JSON: saved and read
back on SQLite and PostgreSQL with the same status, records, status list and findings; the
per-Supplier deadlines are stored with their Working Day convention."""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.calendar import CONVENTION
from ledger.dmct.dmc import DmctDmc
from ledger.dmct.entry import DmctEntry
from ledger.dmct.findings import dmct_findings
from ledger.dmct.status_list import status_list
from ledger.rules.dmct_statuses import DmctStatus
from signing.entry import SealedEvent
from tests.unit.test_dmct_support import ALL_NOTIFIED, H1, H2, H3, Clock, dmc_in, draft, entry_in

S = DmctStatus
DMC_RECORDS = ("status", "status_clauses", "status_since", "status_version", "submissions", "data_steps",
               "assessments", "notices", "disagreements", "acts", "entry_ids")
ENTRY_RECORDS = ("status", "status_clauses", "status_since", "status_version", "planned", "equivalence",
                 "mtad_route", "panel_mt_completed", "rounds", "executions", "issues", "acts", "completions",
                 "draft", "provisions", "no_referrals", "referrals", "tag_determinations", "epcl_report",
                 "round")


def entry_on_the_mtad_route(ctx: Clock) -> DmctEntry:
    """Entry E2: MTAD route, issues through options (a)-(d), a pause, an SoS referral, more tests."""
    entry = DmctEntry.schedule("E2", "DMC-1", "active", "moc", "SMSO-A", date(2026, 2, 2), date(2026, 3, 2),
                               non_standard_rationale="legacy comms hub", **ctx())
    entry.notify_mtad_route("migration tested under the MTAD", **ctx())
    entry.record_tab_mt_completion(mt_phase_id="MT-MOC-E2", **ctx(behalf="tab"))
    entry.start_testing("SIT-B", "R4.2", alternate_environment=True, tag_consent_ref="TAG-7", **ctx())
    entry.record_execution("T1", 1, "fail", H1, environment_version="R4.2", **ctx())
    entry.record_testing_issue("I1", **ctx())
    entry.recommend_option("I1", "c", ["Acme"], ALL_NOTIFIED, device_change="configuration", **ctx())
    entry.record_sos_option_c_decision("I1", False, **ctx(behalf="sos"))
    entry.recommend_option("I1", "d", ["Acme"], ALL_NOTIFIED, **ctx())
    entry.record_sos_option_d_indication("I1", **ctx(behalf="sos"))
    entry.recommend_option("I1", "b", ["Acme"], ALL_NOTIFIED, **ctx())
    entry.pause(weekly_report_ref="WR-9", **ctx())
    entry.record_sos_consultation_opinion("I1", True, **ctx(behalf="sos"))
    entry.record_option_b_approach("I1", "tag", H2, True, **ctx(behalf="tag"))
    entry.recommence(weekly_report_ref="WR-10", **ctx())
    entry.record_execution("T1", 2, "pass", H1, **ctx())
    entry.record_panel_mt_determination(True, mt_phase_id="MT-MOC-E2", **ctx(behalf="panel"))
    entry.complete_testing(True, False, threshold_snapshot_ref="SNAP-E2", **ctx())
    draft(entry, ctx)
    entry.submit_issues_to_tag(["I9"], ["I8"], False, **ctx())
    entry.provide_draft_report(["Acme", "Bolt"], date(2026, 3, 6), **ctx())
    entry.record_supplier_referral("Bolt", ["exclusion"], "I8 affects the entry", matter_id="M-36", **ctx())
    entry.record_tag_different_determination(["exclusion"], ["I8"], True, **ctx(behalf="tag"))
    entry.refer_report_to_sos(matter_id="M-37", **ctx())
    entry.record_sos_report_determination("c_ii", **ctx(behalf="sos"))
    entry.revise_dates(date(2026, 2, 2), date(2026, 4, 6), **ctx())
    return entry


def stored_payloads(ledger: AKLedger, aggregate_id: Any) -> list[dict[str, Any]]:
    return [{name: value for name, (_, value) in SealedEvent.from_state(stored.state).fields.items()}
            for stored in ledger.recorder.select_events(aggregate_id)]


def test_dmcs_and_entries_round_trip_through_the_signed_store(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    ctx = Clock(actor=actor)
    dmc = dmc_in(S.DCC_REFERRED_FORCED_INCLUSION_TO_SOS, ctx)
    dmc.record_sos_forced_inclusion_decision(False, **ctx(behalf="sos"))
    dmc.schedule_entries(["E2"], **ctx())
    dmc.record_device_change_exclusion("configuration", "E1", **ctx())
    dmc.record_submission("Carr", "SUB-4", "2026-05", config_evidence_sha256=H1, **ctx())
    published = entry_in(S.EPCL_REPORT_PUBLISHED, ctx)
    mtad = entry_on_the_mtad_route(ctx)
    relied = DmctEntry.plan_on_equivalence("E3", "DMC-1", "dormant_only", "moc", "SMSO-A", "d_iii", "DMC-7",
                                           **ctx())
    relied.await_relied_report("E2", **ctx())
    relied.produce_epcl_report("EPCL-3", ["E3"], H3, relied_reports=["DTR-E2"], **ctx())
    ledger.save(dmc, published, mtad, relied)

    got: dict[str, Any] = {name: ledger.repository.get(a.id) for name, a in
                           (("dmc", dmc), ("published", published), ("mtad", mtad), ("relied", relied))}
    assert isinstance(got["dmc"], DmctDmc)
    assert got["dmc"].version == dmc.version
    assert [getattr(got["dmc"], r) for r in DMC_RECORDS] == [getattr(dmc, r) for r in DMC_RECORDS]
    for name, original in (("published", published), ("mtad", mtad), ("relied", relied)):
        assert isinstance(got[name], DmctEntry)
        assert got[name].version == original.version
        assert [getattr(got[name], r) for r in ENTRY_RECORDS] == [getattr(original, r) for r in ENTRY_RECORDS]
    assert (got["dmc"].status, got["published"].status, got["mtad"].status, got["relied"].status) == (
        S.SUBMITTED, S.EPCL_REPORT_PUBLISHED, S.IN_TESTING, S.EPCL_REPORT_PRODUCED)

    entries = [got["published"], got["mtad"], got["relied"]]
    assert status_list([got["dmc"]], entries, ctx.at) == status_list([dmc], [published, mtad, relied], ctx.at)
    assert dmct_findings([got["dmc"]], entries) == dmct_findings([dmc], [published, mtad, relied])

    provided = next(p for p in stored_payloads(ledger, mtad.id) if "deadlines" in p)
    assert provided["deadlines"]["Acme"] == {
        "trigger": "2026-03-06", "working_days": 10, "due": "2026-03-20",
        "ends_at": "2026-03-20T23:59:59.999999+00:00", "convention": CONVENTION}
    assert [p["status_to"] for p in stored_payloads(ledger, relied.id)[1:]] == ["S30", "S31"]
