"""The DMCT part of the demo ledger's history (§20), as command lines, June to November 2026.

Twelve DMCs from two Suppliers' §20.2 submissions, through the paths of the DMCT Process:

- the DMCT test packs for MOC proposed and agreed with the TAG (the SRVT pack only once revised),
  and a DMCT Non-Standard Test Pack for one DMC (§20.15-20.17); the DMCT Schedule published four
  times, each to the Supplier Parties, Panel, Authority, SoS and SECAS (§20.9-20.10);
- DMC-ACL-04: its dormant-only entry tested, the draft provided to both Suppliers, one confirming
  it will not refer and the other's 10 Working Days lapsing, deemed final; its active entry not
  tested because the dormant-only one suffices (§20.9);
- DMC-ELS-05: data sought from the manufacturer and Dormant Meter data from the SMSO (§20.4);
  Migration Testing under the MTAD, DMCT SRVT after the TAB's determination (§20.14);
- DMC-ELS-13: substantively equivalent to DMC-ELS-05, planned for testing (§20.6(d)(iii)): its
  EPCL Report waits for that final report, then one DMCT EPCL Report covers all three entries,
  published (§20.41-20.43);
- DMC-SAG-07: excluded as equivalent to an EPCL entry (§20.6(d)(i)), a Supplier disagrees within
  20 Working Days so testing is scheduled (§20.12(a)), the DCC refers that to the SoS (§20.12A),
  who does not direct removal; testing on alternate versions the TAG agreed (§20.18);
- DMC-KAI-08: not economic to test, stakeholders consulted, the SoS agrees (§20.7);
- DMC-SEC-09: a DMCT Testing Issue, option (c) firmware upgrade agreed by the SoS (§20.25(a));
- DMC-L+G-10: an unsuccessful draft a Supplier refers within its 10 Working Days (§20.37); the SoS
  determines it successful (§20.40(b)); DMCT EPCL Report published;
- DMC-EDMI-11: the DCC cannot source the data and excludes it (§20.5);
- DMC-ACL-12: a Testing Issue under option (a) with material impact; the DMCT Process paused and
  recommenced via the weekly reports (§20.21-20.22), dates revised and republished; its draft is
  now with the Supplier, inside its window;
- DMC-EDMI-03, a MOC SIT DMC, excluded under §20.6(b); DMC-ITR-06 tested on its non-standard pack,
  its DMCT EPCL Report produced, not yet published; DMC-ITR-14, for which MOC timescales are too
  uncertain (§20.6(c)), a Supplier disagrees and the DCC refers it to the SoS (§20.12(b)).

Every act is on a Working Day (England and Wales), from 09:00 Europe/London, seven minutes apart
in the order written; the windows of §20.12 and §20.37 are respected (the integration test
checks the DMCT findings are empty). Ids derive from the DMC, entry, pack and document references.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from ledger.calendar import LONDON, is_working_day
from ledger.demo import BRIGHTGRID, DCC, NORTHWIND, sha

SMSO_A, SMSO_B = "SMSO-ALPHA", "SMSO-BETA"
PACK_MT, PACK_SRVT, PACK_NS = "PACK-MOC-SDMT", "PACK-MOC-SRVT", "PACK-NS-ITR-06"
DMCT_TESTING = "DMCT-MOC"  # where DMCT Testing Issues are raised: DMCT testing, no Test Phase (A58)
NOTIFIED = ["stakeholders", "panel", "authority", "sos"]  # §20.20
PUBLISHED_TO = ["panel", "sos", "authority", "parties"]  # §20.43
SCHEDULE_TO = ["supplier", "panel", "authority", "sos"]  # §20.10
MT_TESTS = ("SDMT-01", "SDMT-02", "SDMT-03")
SRVT_TESTS = ("SRVT-01", "SRVT-02", "SRVT-03", "SRVT-04")


def d(month: int, day: int) -> date:
    return date(2026, month, day)


@dataclass(frozen=True)
class _Act:
    day: date
    command: str
    principal: str
    data: dict[str, Any]
    body: str | None
    evidence: str | None


class History:
    """Acts by day; ``lines`` orders them by day (stable: the order written within a day) and
    times them from 09:00 Europe/London, seven minutes apart."""

    def __init__(self) -> None:
        self.acts: list[_Act] = []
        self.runs: dict[tuple[str, str], int] = {}

    def add(
        self, day: date, command: str, data: dict[str, Any], *, by: str = DCC, body: str | None = None,
        evidence: str | None = None,
    ) -> None:
        if not is_working_day(day):
            raise ValueError(f"{day} is not a Working Day ({command})")
        self.acts.append(_Act(day, command, by, data, body, evidence))

    def lines(self) -> list[dict[str, Any]]:
        lines: list[dict[str, Any]] = []
        when: datetime | None = None
        for act in sorted(self.acts, key=lambda a: a.day):
            start = datetime.combine(act.day, time(9), LONDON)
            when = start if when is None or when < start else when + timedelta(minutes=7)
            line: dict[str, Any] = {"command": act.command, "principal": act.principal,
                                    "occurred_at": when.isoformat(), "data": act.data}
            if act.body is not None:
                label = act.evidence or f"{act.body} decision, {act.command}, {act.day}"
                line.update(on_behalf_of=act.body, evidence_sha256=sha(label))
            lines.append(line)
        return lines


# -- planned EPCL entries and the DMCT Schedule (§20.9-20.10) ----------------------------------------
@dataclass(frozen=True)
class Planned:
    """A planned EPCL entry as scheduled: its DMC, installation type, SMSO, dates and pack."""

    entry_id: str
    dmc: str
    installation_type: str
    smso: str
    start: date
    completion: date
    packs: dict[str, str]  # by the testing each is for: dmct_mt, dmct_srvt (§20.14-20.17)
    non_standard_rationale: str | None = None

    @property
    def pack_list(self) -> list[dict[str, str]]:
        return [{"testing": t, "pack_id": p} for t, p in self.packs.items()]

    def row(self, completion: date | None = None) -> dict[str, Any]:
        return {"entry_id": self.entry_id, "dmc": self.dmc, "installation_type": self.installation_type,
                "capability_release": "moc", "planned_start": self.start.isoformat(),
                "planned_completion": (completion or self.completion).isoformat(),
                "test_pack_id": None, "test_packs": self.pack_list,
                "non_standard_rationale": self.non_standard_rationale}

    def schedule(self, h: History, day: date, version: int) -> None:
        h.add(day, "DmctEntry.schedule", {
            "entry_id": self.entry_id, "dmc_id": self.dmc, "installation_type": self.installation_type,
            "capability_release": "moc", "smso": self.smso, "planned_start": self.start.isoformat(),
            "planned_completion": self.completion.isoformat(), "test_packs": self.pack_list,
            "non_standard_rationale": self.non_standard_rationale, "schedule_version": version})


BOTH = {"dmct_mt": PACK_MT, "dmct_srvt": PACK_SRVT}  # DMCT MT and DMCT SRVT (§20.14-20.15)
ACL_D = Planned("EPCL-201", "DMC-ACL-04", "dormant_only", SMSO_A, d(7, 13), d(7, 31), BOTH)
ACL_A = Planned("EPCL-202", "DMC-ACL-04", "active", SMSO_A, d(7, 13), d(7, 31), BOTH)
ELS_M = Planned("EPCL-203", "DMC-ELS-05", "mixed", SMSO_B, d(8, 3), d(8, 28), {"dmct_srvt": PACK_SRVT})
ITR_A = Planned("EPCL-204", "DMC-ITR-06", "active", SMSO_A, d(9, 28), d(10, 30),
                {"dmct_mt": PACK_MT, "dmct_srvt": PACK_NS},
                "legacy 3G comms hub: the standard SRVT prepayment cases cannot run (§20.17)")
SEC_D = Planned("EPCL-205", "DMC-SEC-09", "dormant_only", SMSO_B, d(7, 20), d(8, 14), BOTH)
LG_M = Planned("EPCL-206", "DMC-L+G-10", "mixed", SMSO_A, d(8, 10), d(9, 11), BOTH)
ACL12_A = Planned("EPCL-207", "DMC-ACL-12", "active", SMSO_A, d(9, 7), d(10, 9), BOTH)
SAG_A = Planned("EPCL-208", "DMC-SAG-07", "active", SMSO_A, d(10, 5), d(11, 27), BOTH)
HON_A = Planned("EPCL-210", "DMC-HON-15", "active", SMSO_B, d(11, 2), d(12, 11), BOTH)
ELS13_ENTRY = "EPCL-209"  # DMC-ELS-13, dormant-only, not tested: §20.6(d)(iii)
ACL12_REVISED = d(11, 13)  # §20.22: the completion date after the option (a) change
SCHEDULE_V1 = (ACL_D, ACL_A, ELS_M, ITR_A, SEC_D, LG_M, ACL12_A)


def _publish(h: History, day: date, version: int, rows: list[dict[str, Any]],
             reasons: list[dict[str, Any]]) -> None:
    h.add(day, "DmctSchedule.publish", {
        "target": {}, "schedule_version": version, "document_sha256": sha(f"DMCT Schedule v{version}"),
        "entries": rows, "reasons": reasons, "recipients": SCHEDULE_TO, "sent_to_secas": True,
        "location": f"https://dcc.example/smets1/dmct/schedule/v{version}"})


def _schedule(h: History) -> None:
    h.add(d(6, 1), "DmctSchedule.open", {})
    v1 = [p.row() for p in SCHEDULE_V1]
    _publish(h, d(7, 8), 1, v1, [])
    v2 = [r for r in v1 if r["entry_id"] != ACL_A.entry_id] + [SAG_A.row()]
    _publish(h, d(7, 29), 2, v2, [
        {"entry_id": SAG_A.entry_id, "trigger": "inclusion_20_12",
         "reference": "brightgrid-supply §20.12(a) notice of 2026-07-22"},
        {"entry_id": ACL_A.entry_id, "trigger": "dcc_update",
         "reference": "dormant-only entry EPCL-201 suffices (§20.9)"}])
    v3 = [r for r in v2 if r["entry_id"] != SEC_D.entry_id]
    _publish(h, d(8, 28), 3, v3, [
        {"entry_id": SEC_D.entry_id, "trigger": "dcc_update",
         "reference": "SoS agreed option (c) firmware upgrade, 2026-08-26 (§20.25(a))"}])
    v4 = [ACL12_A.row(ACL12_REVISED) if r["entry_id"] == ACL12_A.entry_id else r for r in v3] + [HON_A.row()]
    _publish(h, d(10, 13), 4, v4, [
        {"entry_id": ACL12_A.entry_id, "trigger": "revised_dates_20_22", "reference": "TI-DMCT-003"},
        {"entry_id": HON_A.entry_id, "trigger": "inclusion_20_12",
         "reference": "brightgrid-supply §20.12(a) notice of 2026-09-18"}])
    v5 = [r for r in v4 if r["entry_id"] != HON_A.entry_id]
    _publish(h, d(11, 11), 5, v5, [
        {"entry_id": HON_A.entry_id, "trigger": "removal_20_12a",
         "reference": "SoS letter DMC-HON-15 2026-11-10"}])


def _packs(h: History) -> None:
    h.add(d(6, 1), "DmctTestPack.propose", {
        "pack_id": PACK_MT, "kind": "standard_dormant_migration", "capability_release": "moc",
        "document_sha256": sha("Standard Dormant DMCT Migration Test Pack MOC v1")})
    h.add(d(6, 1), "DmctTestPack.propose", {
        "pack_id": PACK_SRVT, "kind": "standard_service_reference_variant", "capability_release": "moc",
        "document_sha256": sha("Standard DMCT SRVT Pack MOC v1")})
    h.add(d(6, 10), "DmctTestPack.record_tag_decision", {"target": {"pack_id": PACK_MT}, "agreed": True},
          body="tag", evidence="TAG minutes 2026-06-10")
    h.add(d(6, 10), "DmctTestPack.record_tag_decision", {"target": {"pack_id": PACK_SRVT}, "agreed": False},
          body="tag", evidence="TAG minutes 2026-06-10")
    h.add(d(6, 15), "DmctTestPack.revise", {
        "target": {"pack_id": PACK_SRVT}, "document_sha256": sha("Standard DMCT SRVT Pack MOC v2"),
        "rationale": "adds the prepayment and tariff Service Reference Variants the TAG asked for"})
    h.add(d(6, 22), "DmctTestPack.propose", {
        "pack_id": PACK_NS, "kind": "non_standard", "dmc": "DMC-ITR-06", "testing": ["dmct_srvt"],
        "document_sha256": sha("DMCT Non-Standard Test Pack DMC-ITR-06 v1"),
        "rationale": ITR_A.non_standard_rationale})
    h.add(d(6, 24), "DmctTestPack.record_tag_decision", {"target": {"pack_id": PACK_SRVT}, "agreed": True},
          body="tag", evidence="TAG minutes 2026-06-24")
    h.add(d(7, 1), "DmctTestPack.record_tag_decision", {"target": {"pack_id": PACK_NS}, "agreed": True},
          body="tag", evidence="TAG minutes 2026-07-01")
    h.add(d(9, 22), "DmctEnvironmentConsent.propose", {
        "reference": "ENV-DMCT-2026-01", "dmcs": ["DMC-SAG-07"],
        "alternate_versions": "DCC Systems R2.4.0-rc2", "production_versions": "DCC Systems R2.3.1",
        "rationale": "R2.4.0 is in production before DMC-SAG-07 becomes eligible to migrate",
        "document_sha256": sha("ENV-DMCT-2026-01 proposal")})
    h.add(d(9, 30), "DmctEnvironmentConsent.record_tag_decision",
          {"target": {"reference": "ENV-DMCT-2026-01"}, "agreed": True}, body="tag",
          evidence="TAG minutes 2026-09-30")


# -- submissions and assessment (§20.2-20.7, §20.11) -----------------------------------------------
SUBMITTED: dict[str, tuple[str, ...]] = {  # in the June §20.2 submissions, by DMC
    "DMC-EDMI-03": (NORTHWIND,), "DMC-ACL-04": (NORTHWIND, BRIGHTGRID), "DMC-ELS-05": (BRIGHTGRID,),
    "DMC-ITR-06": (NORTHWIND,), "DMC-SAG-07": (NORTHWIND, BRIGHTGRID), "DMC-KAI-08": (BRIGHTGRID,),
    "DMC-SEC-09": (NORTHWIND,), "DMC-L+G-10": (NORTHWIND, BRIGHTGRID), "DMC-EDMI-11": (BRIGHTGRID,),
    "DMC-ACL-12": (NORTHWIND,), "DMC-ELS-13": (BRIGHTGRID,),
}
_SUBMISSION_DAY = {NORTHWIND: d(6, 2), BRIGHTGRID: d(6, 3)}
_CONTACT = {NORTHWIND: "dmct@northwind.example", BRIGHTGRID: "metering@brightgrid.example"}


def _dmc(dmc_id: str, **data: Any) -> dict[str, Any]:
    return {"target": {"dmc_id": dmc_id}, **data}


def _submissions(h: History) -> None:
    seen: set[str] = set()
    for supplier in (NORTHWIND, BRIGHTGRID):
        for n, (dmc_id, suppliers) in enumerate(SUBMITTED.items()):
            if supplier not in suppliers:
                continue
            data = {"supplier": supplier, "submission_ref": f"SUB-{supplier.split('-')[0].upper()}-2026-06",
                    "cycle": "2026-06", "planned_installations": 1200 + 350 * n,
                    "contacts": [_CONTACT[supplier]]}
            day = _SUBMISSION_DAY[supplier]
            if dmc_id in seen:  # another Supplier included it too
                h.add(day, "DmctDmc.record_submission", _dmc(dmc_id, **data), by=supplier)
            else:
                h.add(day, "DmctDmc.receive_submission", {"dmc_id": dmc_id, **data}, by=supplier)
                seen.add(dmc_id)
    h.add(d(9, 1), "DmctDmc.receive_submission", {
        "dmc_id": "DMC-ITR-14", "supplier": NORTHWIND, "submission_ref": "SUB-NORTHWIND-2026-09",
        "cycle": "2026-09", "planned_installations": 5400, "contacts": [_CONTACT[NORTHWIND]]}, by=NORTHWIND)


def _assessments(h: History) -> None:
    for dmc_id in SUBMITTED:
        if dmc_id not in ("DMC-ELS-05", "DMC-EDMI-11"):
            h.add(d(6, 22), "DmctDmc.begin_assessment", _dmc(dmc_id))
    h.add(d(6, 26), "DmctDmc.record_assessment", _dmc(
        "DMC-EDMI-03", result="b", rationale="a MOC SIT DMC (§13.3): tested in SIT, not in DMCT"))
    h.add(d(6, 26), "DmctDmc.record_assessment", _dmc(
        "DMC-SAG-07", result="d", equivalence_basis="d_i", equivalent_to="EPCL-101",
        rationale="same ESME and comms hub firmware as EPCL-101; only the PPMID differs"))
    h.add(d(6, 26), "DmctDmc.record_assessment", _dmc(
        "DMC-ELS-13", result="d", equivalence_basis="d_iii", equivalent_to="DMC-ELS-05",
        rationale="a relabelled DMC-ELS-05, which is planned for testing"))
    for dmc_id in ("DMC-ACL-04", "DMC-ELS-05", "DMC-ITR-06", "DMC-SEC-09", "DMC-L+G-10", "DMC-ACL-12"):
        h.add(d(6, 30), "DmctDmc.record_assessment", _dmc(dmc_id, result="none"))
    # §20.11: each Supplier that included an excluded DMC is told why (20 WD to disagree with (d)).
    notices = (("DMC-EDMI-03", "tested as a MOC SIT DMC (§20.6(b))"),
               ("DMC-SAG-07", "substantively equivalent to EPCL-101 (§20.6(d)(i))"),
               ("DMC-ELS-13", "substantively equivalent to DMC-ELS-05, planned for testing (§20.6(d)(iii))"))
    for dmc_id, why in notices:
        h.add(d(7, 6), "DmctDmc.notify_exclusion", _dmc(
            dmc_id, suppliers=list(SUBMITTED[dmc_id]), notified_on=d(7, 6).isoformat(), rationale=why,
            published_on=d(7, 6).isoformat()))


def _data_unavailable(h: History) -> None:
    """DMC-EDMI-11: neither the manufacturer nor the SMSO has the data (§20.4-20.5)."""
    h.add(d(6, 8), "DmctDmc.seek_data", _dmc(
        "DMC-EDMI-11", source="meter_manufacturer", source_name="EDMI meter manufacturer",
        items=["ESME firmware image identifier", "HAN interface variant"]))
    h.add(d(6, 16), "DmctDmc.seek_data", _dmc(
        "DMC-EDMI-11", source="smso", source_name=SMSO_B, items=["ESME firmware image identifier"]))
    h.add(d(7, 1), "DmctDmc.exclude_data_unavailable", _dmc(
        "DMC-EDMI-11", missing=["ESME firmware image identifier"], notified_suppliers=[BRIGHTGRID]))


def _non_economic(h: History) -> None:
    """DMC-KAI-08: 31 installations left; the SoS agrees it is not economic to test (§20.7)."""
    h.add(d(6, 26), "DmctDmc.record_assessment", _dmc(
        "DMC-KAI-08", result="f", rationale="31 installations, all due for replacement by March 2027"))
    h.add(d(7, 1), "DmctDmc.seek_non_economic_views", _dmc(
        "DMC-KAI-08", stakeholders=[BRIGHTGRID, NORTHWIND, SMSO_B],
        rationale="testing costs exceed the cost of replacing the 31 meters"))
    h.add(d(7, 20), "DmctDmc.propose_non_economic", _dmc(
        "DMC-KAI-08", stakeholder_views=[f"{BRIGHTGRID}: agrees, will replace the meters",
                                         f"{SMSO_B}: no objection"]))
    h.add(d(8, 19), "DmctDmc.record_sos_non_economic_decision", _dmc("DMC-KAI-08", agrees=True),
          body="sos", evidence="SoS letter DMC-KAI-08 2026-08-19")


def _timescale_dispute(h: History) -> None:
    """DMC-ITR-14 (September submission): MOC timescales too uncertain; Northwind disagrees and the
    DCC refers it to the SoS (§20.12(b)), who has not yet decided."""
    h.add(d(9, 28), "DmctDmc.begin_assessment", _dmc("DMC-ITR-14"))
    why = "MOC Migration Testing for SMSO-ALPHA's 4G hubs is not yet planned"
    h.add(d(9, 29), "DmctDmc.record_assessment", _dmc("DMC-ITR-14", result="c", rationale=why))
    h.add(d(9, 30), "DmctDmc.notify_exclusion", _dmc(
        "DMC-ITR-14", suppliers=[NORTHWIND], notified_on=d(9, 30).isoformat(), rationale=why,
        published_on=d(9, 30).isoformat()))
    h.add(d(10, 20), "DmctDmc.record_supplier_disagreement", _dmc(
        "DMC-ITR-14", supplier=NORTHWIND, ground="timescale",
        rationale="the 4G hub Migration Test Phase is in the MTAD plan for December"), by=NORTHWIND)
    h.add(d(10, 23), "DmctDmc.refer_timescale_dispute", _dmc("DMC-ITR-14"))


# -- testing and reports (§20.13-20.43) --------------------------------------------------------------
def _entry(entry_id: str, **data: Any) -> dict[str, Any]:
    return {"target": {"entry_id": entry_id}, **data}


def _run(h: History, day: date, entry: str, results: dict[str, str]) -> None:
    for test, result in results.items():
        run = h.runs[(entry, test)] = h.runs.get((entry, test), 0) + 1
        evidence = sha(f"{entry} {test} run {run}")
        h.add(day, "DmctEntry.record_execution", _entry(
            entry, test_id=test, run=run, result=result, run_evidence_sha256=evidence))


def _passes(*tests: str) -> dict[str, str]:
    return dict.fromkeys(tests, "pass")


def _draft(
    h: History, day: date, entry: str, tests: tuple[str, ...], *,
    open_issues: list[dict[str, Any]] | None = None, wops: list[str] | None = None,
    statement: str = "every test passed; no open Testing Issue", exceeded: bool = False,
) -> None:
    open_issues = open_issues or []
    reported = [{"test_id": t, "runs": h.runs[(entry, t)], "result": "pass"} for t in tests]
    h.add(day, "DmctEntry.produce_draft_report", _entry(
        entry, report_ref=f"DTR-{entry}", report_sha256=sha(f"DTR-{entry} draft"),
        environment_version="DCC Systems R2.3.1", tests=reported, open_issues=open_issues, excluded_issues=[],
        rerun_approach="the full pack is re-run after each fix", work_off_plan_ids=wops or [],
        statement=statement))
    h.add(day, "DmctEntry.submit_issues_to_tag", _entry(
        entry, open_issue_ids=[i["issue_id"] for i in open_issues], excluded_issue_ids=[],
        thresholds_exceeded=exceeded))


def _provide(h: History, day: date, entry: str, suppliers: tuple[str, ...]) -> None:
    h.add(day, "DmctEntry.provide_draft_report", _entry(
        entry, suppliers=list(suppliers), provided_on=day.isoformat()))


def _no_referral(h: History, day: date, entry: str, supplier: str) -> None:
    h.add(day, "DmctEntry.record_supplier_no_referral", _entry(entry, supplier=supplier), by=supplier)


def _tag_review(h: History, day: date, entry: str) -> None:
    h.add(day, "DmctEntry.record_tag_review_concluded", _entry(entry), body="tag",
          evidence=f"TAG minutes {day} on DTR-{entry}")


def _deem_final(h: History, day: date, entry: str) -> None:
    h.add(day, "DmctEntry.deem_final", _entry(entry, final_report_sha256=sha(f"DTR-{entry} final")))


def _epcl_report(h: History, produced: date, published: date | None, report: str, entries: list[str],
                 relied: dict[str, list[str]] | None = None) -> None:
    for entry in entries:
        h.add(produced, "DmctEntry.produce_epcl_report", _entry(
            entry, report_id=report, entry_ids=entries, report_sha256=sha(f"{report} v1"),
            relied_reports=(relied or {}).get(entry, [])))
    if published is None:
        return
    for entry in entries:
        h.add(published, "DmctEntry.publish_epcl_report", _entry(
            entry, published_on=published.isoformat(), redacted=True, notified=PUBLISHED_TO))


def _start(h: History, day: date, entry: str, **data: Any) -> None:
    h.add(day, "DmctEntry.start_testing", _entry(
        entry, environment="DMCT-ENV-A", environment_version="DCC Systems R2.3.1", **data))


def _scheduled(h: History) -> None:
    """The entries of DMCs none of §20.6(a)-(f) applies to, in the first published schedule."""
    for dmc_id in ("DMC-ACL-04", "DMC-ELS-05", "DMC-ITR-06", "DMC-SEC-09", "DMC-L+G-10", "DMC-ACL-12"):
        ids = [p.entry_id for p in SCHEDULE_V1 if p.dmc == dmc_id]
        h.add(d(7, 8), "DmctDmc.schedule_entries", _dmc(dmc_id, entry_ids=ids))
    for planned in SCHEDULE_V1:
        planned.schedule(h, d(7, 8), 1)


def _acl_04_and_els(h: History) -> None:
    """EPCL-201 tested and final; EPCL-202 relies on it; EPCL-203 under the MTAD; EPCL-209 waits for
    EPCL-203's final report; one DMCT EPCL Report for the three, published."""
    e201, e203 = ACL_D.entry_id, ELS_M.entry_id
    h.add(d(6, 8), "DmctDmc.seek_data", _dmc(
        "DMC-ELS-05", source="meter_manufacturer", source_name="ELS meter manufacturer",
        items=["firmware version matrix", "comms hub variant"]))
    h.add(d(6, 17), "DmctDmc.record_data_sourced", _dmc(
        "DMC-ELS-05", source="meter_manufacturer", source_name="ELS meter manufacturer",
        items=["firmware version matrix", "comms hub variant"]))
    h.add(d(6, 17), "DmctDmc.record_data_sourced", _dmc(
        "DMC-ELS-05", source="smso", source_name=SMSO_B, items=["Dormant Meter register extract"],
        dormant_meter_data=True))
    h.add(d(6, 22), "DmctDmc.begin_assessment", _dmc("DMC-ELS-05"))
    # EPCL-201, dormant-only: DMCT MT and DMCT SRVT (§20.15)
    _start(h, d(7, 13), e201)
    _run(h, d(7, 13), e201, _passes(*MT_TESTS))
    _run(h, d(7, 15), e201, {"SRVT-01": "pass", "SRVT-02": "fail", "SRVT-03": "pass", "SRVT-04": "pass"})
    _run(h, d(7, 17), e201, _passes("SRVT-02"))
    h.add(d(7, 20), "DmctEntry.record_dormant_suffices", _entry(
        ACL_A.entry_id, dormant_entry_id=e201,
        rationale="the active installations share ESME, comms hub and firmware with the dormant-only ones"))
    h.add(d(7, 27), "DmctEntry.complete_testing", _entry(
        e201, all_tests_executed=True, thresholds_exceeded=False, threshold_snapshot_ref=f"T20.1-{e201}"))
    _draft(h, d(7, 28), e201, MT_TESTS + SRVT_TESTS)
    _provide(h, d(7, 29), e201, SUBMITTED["DMC-ACL-04"])  # §20.37 windows end 2026-08-12
    _no_referral(h, d(8, 3), e201, NORTHWIND)
    _tag_review(h, d(8, 6), e201)
    _deem_final(h, d(8, 13), e201)  # Brightgrid's window lapsed
    # EPCL-203: Migration Testing under the MTAD, then DMCT SRVT only (§20.14)
    h.add(d(7, 9), "DmctEntry.notify_mtad_route", _entry(
        e203, rationale="its Dormant and Active installations migrate in the MTAD MOC tranche 2"))
    h.add(d(8, 4), "DmctEntry.record_tab_mt_completion", _entry(e203, mt_phase_id="MT-MOC-T2"), body="tab",
          evidence="TAB minutes 2026-08-04")
    _start(h, d(8, 5), e203)
    _run(h, d(8, 5), e203, _passes(*SRVT_TESTS[:2]))
    _run(h, d(8, 7), e203, _passes(*SRVT_TESTS[2:]))
    h.add(d(8, 20), "DmctEntry.record_panel_mt_determination", _entry(
        e203, completed=True, mt_phase_id="MT-MOC-T2"), body="panel", evidence="Panel minutes 2026-08-20")
    h.add(d(8, 21), "DmctEntry.complete_testing", _entry(
        e203, all_tests_executed=True, thresholds_exceeded=False, threshold_snapshot_ref=f"T20.1-{e203}"))
    _draft(h, d(8, 24), e203, SRVT_TESTS)
    _provide(h, d(8, 25), e203, SUBMITTED["DMC-ELS-05"])  # window ends 2026-09-09 (31 Aug a holiday)
    _no_referral(h, d(9, 1), e203, BRIGHTGRID)
    _tag_review(h, d(9, 3), e203)
    _deem_final(h, d(9, 4), e203)  # every recipient confirmed: no need to wait
    # EPCL-209: DMC-ELS-13, undisputed after 20 WD (to 2026-08-03), rests on EPCL-203 (§20.41)
    h.add(d(8, 4), "DmctEntry.plan_on_equivalence", {
        "entry_id": ELS13_ENTRY, "dmc_id": "DMC-ELS-13", "installation_type": "dormant_only",
        "capability_release": "moc", "smso": SMSO_B, "equivalence_basis": "d_iii",
        "equivalent_to": "DMC-ELS-05"})
    h.add(d(8, 4), "DmctEntry.await_relied_report", _entry(ELS13_ENTRY, relied_entry_id=e203))
    _epcl_report(h, d(9, 10), d(9, 17), "DMCT-EPCL-2026-01", [e201, e203, ELS13_ENTRY],
                 {ELS13_ENTRY: [f"DTR-{e203}"]})


def _itr_06(h: History) -> None:
    """EPCL-204 on its non-standard pack; final; its DMCT EPCL Report awaits publication."""
    e = ITR_A.entry_id
    _start(h, d(9, 28), e)
    _run(h, d(9, 28), e, _passes("NS-SRVT-01", "NS-SRVT-02"))
    _run(h, d(10, 1), e, _passes("NS-SRVT-03"))
    h.add(d(10, 23), "DmctEntry.complete_testing", _entry(
        e, all_tests_executed=True, thresholds_exceeded=False, threshold_snapshot_ref=f"T20.1-{e}"))
    _draft(h, d(10, 26), e, ("NS-SRVT-01", "NS-SRVT-02", "NS-SRVT-03"))
    _provide(h, d(10, 27), e, SUBMITTED["DMC-ITR-06"])  # window ends 2026-11-10
    _tag_review(h, d(11, 5), e)
    _deem_final(h, d(11, 11), e)
    _epcl_report(h, d(11, 18), None, "DMCT-EPCL-2026-03", [e])


def _sag_07(h: History) -> None:
    """§20.6(d)(i) exclusion, Brightgrid's §20.12(a) disagreement, the DCC's §20.12A referral; the
    SoS does not direct removal, so testing goes on (on versions the TAG agreed, §20.18)."""
    h.add(d(7, 22), "DmctDmc.record_supplier_disagreement", _dmc(
        "DMC-SAG-07", supplier=BRIGHTGRID, ground="equivalence",
        rationale="the PPMID firmware differs and handles prepayment top-ups differently"), by=BRIGHTGRID)
    h.add(d(7, 29), "DmctDmc.schedule_entries", _dmc("DMC-SAG-07", entry_ids=[SAG_A.entry_id]))
    SAG_A.schedule(h, d(7, 29), 2)
    h.add(d(8, 5), "DmctDmc.refer_forced_inclusion", _dmc(
        "DMC-SAG-07", rationale="the PPMID is outside the DCC Total System; EPCL-101 covers the rest",
        notified_suppliers=list(SUBMITTED["DMC-SAG-07"])))
    h.add(d(9, 16), "DmctDmc.record_sos_forced_inclusion_decision",
          _dmc("DMC-SAG-07", removal_directed=False), body="sos", evidence="SoS letter DMC-SAG-07 2026-09-16")
    e = SAG_A.entry_id
    h.add(d(10, 5), "DmctEntry.start_testing", _entry(
        e, environment="DMCT-ENV-B", environment_version="DCC Systems R2.4.0-rc2", alternate_environment=True,
        tag_consent_ref="ENV-DMCT-2026-01"))
    _run(h, d(10, 5), e, _passes(*SRVT_TESTS[:2]))
    _run(h, d(11, 17), e, {"SRVT-03": "pass"})


def _dmct_issue(h: History, day: date, issue: Planned, ref: str, summary: str, severity: int) -> None:
    """A DMCT Testing Issue is a Testing Issue (A58) raised in DMCT testing, no Test Phase, naming
    its planned EPCL entry and attributed to the SMSO acting as a DCC Service Provider (§20.28);
    the DCC determines its severity, then records it on the entry (§20.20)."""
    h.add(day, "TestingIssue.raise_issue", {
        "reference": ref, "summary": summary, "phase_id": DMCT_TESTING, "dmc_ids": [issue.dmc],
        "epcl_entry_ids": [issue.entry_id], "service_providers": [issue.smso], "cause": "dcc_total_system",
        "environment": "test", "raised_by": DCC, "security_impact": False})
    h.add(day, "TestingIssue.determine_severity", {"target": {"reference": ref}, "severity": severity})
    h.add(day, "DmctEntry.record_testing_issue", _entry(issue.entry_id, issue_id=ref))


def _close_issue(h: History, day: date, ref: str, resolution: str) -> None:
    h.add(day, "TestingIssue.close", {"target": {"reference": ref}, "resolution": resolution,
                                      "retest_execution_ids": []})


def _sec_09(h: History) -> None:
    """A firmware defect on EPCL-205: option (c), the SoS agrees a firmware upgrade (§20.25(a))."""
    e, issue = SEC_D.entry_id, "TI-DMCT-001"
    _start(h, d(7, 20), e)
    _run(h, d(7, 20), e, _passes("SDMT-01"))
    _run(h, d(7, 21), e, {"SDMT-02": "fail"})
    _dmct_issue(h, d(7, 23), SEC_D, issue, "ESME rejects the SMETS1 tariff block update (firmware)", 2)
    h.add(d(7, 30), "DmctEntry.recommend_option", _entry(
        e, issue_id=issue, option="c", stakeholders=[NORTHWIND, SMSO_B], notified=NOTIFIED,
        device_change="firmware"))
    h.add(d(8, 26), "DmctEntry.record_sos_option_c_decision", _entry(e, issue_id=issue, agrees=True),
          body="sos", evidence="SoS letter DMC-SEC-09 2026-08-26")
    h.add(d(8, 27), "DmctDmc.record_device_change_exclusion",
          _dmc("DMC-SEC-09", change="firmware", entry_id=e))
    _close_issue(h, d(8, 27), issue, "DMC-SEC-09 excluded: a firmware upgrade is required (§20.25(a))")


def _lg_10(h: History) -> None:
    """An unsuccessful draft (one severity 2 issue, Table 20.1); Northwind refers it on severity
    within its 10 WD (§20.37); the SoS determines it successful (§20.40(b))."""
    e, issue = LG_M.entry_id, "TI-DMCT-002"
    _start(h, d(8, 10), e)
    _run(h, d(8, 10), e, _passes(*MT_TESTS))
    _run(h, d(8, 17), e, _passes(*SRVT_TESTS))
    _dmct_issue(h, d(8, 18), LG_M, issue, "credit alert 8F1C delayed beyond its Target Response Time", 2)
    h.add(d(9, 11), "DmctEntry.complete_testing", _entry(
        e, all_tests_executed=True, thresholds_exceeded=True, threshold_snapshot_ref=f"T20.1-{e}"))
    _draft(h, d(9, 14), e, MT_TESTS + SRVT_TESTS, exceeded=True, wops=["WOP-DMCT-206"],
           statement="one open severity 2 Testing Issue exceeds Table 20.1",
           open_issues=[{"issue_id": issue, "severity": 2,
                         "rationale": "credit alert 8F1C delayed beyond its Target Response Time"}])
    _provide(h, d(9, 15), e, SUBMITTED["DMC-L+G-10"])  # windows end 2026-09-29
    h.add(d(9, 24), "DmctEntry.record_supplier_referral", _entry(
        e, supplier=NORTHWIND, grounds=["severity"],
        arguments="the alert arrives within the retry period: severity 3, within Table 20.1"), by=NORTHWIND)
    _no_referral(h, d(9, 25), e, BRIGHTGRID)
    _tag_review(h, d(9, 30), e)
    h.add(d(10, 28), "DmctEntry.record_sos_report_determination", _entry(
        e, outcome="b", updated_report_sha256=sha(f"DTR-{e} updated by SoS determination")),
        body="sos", evidence="SoS determination DTR-EPCL-206 2026-10-28")
    # the SoS's determination rests on severity 3 (Northwind's ground): the DCC re-determines it
    h.add(d(10, 29), "TestingIssue.determine_severity", {"target": {"reference": issue}, "severity": 3})
    _epcl_report(h, d(11, 4), d(11, 11), "DMCT-EPCL-2026-02", [e])


def _weekly_report(h: History, day: date, week: int, summary: str) -> None:
    h.add(day, "Document.record", {
        "reference": f"WTER-2026-W{week}", "document_type": "weekly_test_execution_report",
        "title": f"Weekly test execution report, week {week}: {summary}", "document_version": "1.0",
        "sha256": sha(f"weekly report week {week}"), "issued_by": {"role": "dcc"},
        "recipients": [{"role": "panel"}, {"role": "sos"}], "confidentiality": "restricted"})


def _acl_12(h: History) -> None:
    """Option (a) with material impact: the DMCT Process paused, the change made, recommenced
    (§20.21-20.22); revised dates published; the draft now inside Northwind's window."""
    e, issue = ACL12_A.entry_id, "TI-DMCT-003"
    _start(h, d(9, 7), e)
    _run(h, d(9, 7), e, _passes(*MT_TESTS))
    _run(h, d(9, 10), e, {"SRVT-01": "pass", "SRVT-02": "pass", "SRVT-03": "fail"})
    _dmct_issue(h, d(9, 11), ACL12_A, issue, "SRVT-03: DCC adaptor drops the HAN join response", 3)
    h.add(d(9, 14), "DmctEntry.recommend_option", _entry(
        e, issue_id=issue, option="a", stakeholders=[NORTHWIND, SMSO_A], notified=NOTIFIED))
    h.add(d(9, 15), "DmctEntry.announce_option_a_path", _entry(
        e, issue_id=issue, material_impact=True, announced_to=["parties", "panel", "authority", "sos"]))
    _weekly_report(h, d(9, 16), 38, "DMCT of DMC-ACL-12 paused")
    h.add(d(9, 16), "DmctEntry.pause", _entry(e, weekly_report_ref="WTER-2026-W38"))
    h.add(d(10, 9), "DmctEntry.record_internal_change_progressed", _entry(
        e, issue_id=issue, revised_completion=ACL12_REVISED.isoformat()))
    _weekly_report(h, d(10, 12), 42, "DMCT of DMC-ACL-12 recommenced")
    h.add(d(10, 12), "DmctEntry.recommence", _entry(e, weekly_report_ref="WTER-2026-W42"))
    h.add(d(10, 13), "DmctEntry.revise_dates", _entry(
        e, planned_start=ACL12_A.start.isoformat(), planned_completion=ACL12_REVISED.isoformat(),
        schedule_version=4))
    _run(h, d(10, 14), e, _passes(*SRVT_TESTS[:3]))
    _run(h, d(10, 15), e, _passes("SRVT-04"))
    _close_issue(h, d(10, 15), issue, "adaptor change deployed (H8.9-H8.12); SRVT re-run passed")
    h.add(d(11, 6), "DmctEntry.complete_testing", _entry(
        e, all_tests_executed=True, thresholds_exceeded=False, threshold_snapshot_ref=f"T20.1-{e}"))
    _draft(h, d(11, 9), e, MT_TESTS + SRVT_TESTS)
    _provide(h, d(11, 16), e, SUBMITTED["DMC-ACL-12"])  # window ends 2026-11-30


def _hon_15(h: History) -> None:
    """DMC-HON-15 (September submission): equivalent to EPCL-201 (§20.6(d)(ii)); Brightgrid
    disagrees within 20 WD so testing is scheduled (§20.12(a)); the DCC refers it (§20.12A) and the
    SoS directs removal: the entry leaves the schedule and its DMCT EPCL Report rests on EPCL-201's
    final report (§20.41(b)(ii))."""
    dmc, e = HON_A.dmc, HON_A.entry_id
    h.add(d(9, 1), "DmctDmc.receive_submission", {
        "dmc_id": dmc, "supplier": BRIGHTGRID, "submission_ref": "SUB-BRIGHTGRID-2026-09", "cycle": "2026-09",
        "planned_installations": 2300, "contacts": [_CONTACT[BRIGHTGRID]]}, by=BRIGHTGRID)
    h.add(d(9, 2), "DmctDmc.begin_assessment", _dmc(dmc))
    why = "same ESME, comms hub and firmware as the proposed entry EPCL-201; only the enclosure differs"
    h.add(d(9, 3), "DmctDmc.record_assessment", _dmc(
        dmc, result="d", equivalence_basis="d_ii", equivalent_to=ACL_D.entry_id, rationale=why))
    h.add(d(9, 4), "DmctDmc.notify_exclusion", _dmc(
        dmc, suppliers=[BRIGHTGRID], notified_on=d(9, 4).isoformat(), rationale=why,
        published_on=d(9, 4).isoformat()))
    h.add(d(9, 18), "DmctDmc.record_supplier_disagreement", _dmc(
        dmc, supplier=BRIGHTGRID, ground="equivalence",
        rationale="the enclosure changes the HAN antenna placement"), by=BRIGHTGRID)
    h.add(d(10, 13), "DmctDmc.schedule_entries", _dmc(dmc, entry_ids=[e]))
    HON_A.schedule(h, d(10, 13), 4)
    h.add(d(10, 16), "DmctDmc.refer_forced_inclusion", _dmc(
        dmc, rationale="antenna placement is outside the DCC Total System; EPCL-201 covers the rest",
        notified_suppliers=[BRIGHTGRID]))
    h.add(d(11, 10), "DmctDmc.record_sos_forced_inclusion_decision", _dmc(dmc, removal_directed=True),
          body="sos", evidence="SoS letter DMC-HON-15 2026-11-10")
    h.add(d(11, 11), "DmctEntry.remove_from_schedule", _entry(
        e, equivalence_basis="d_ii", equivalent_to=ACL_D.entry_id, schedule_version=5))
    h.add(d(11, 18), "DmctEntry.produce_epcl_report", _entry(
        e, report_id="DMCT-EPCL-2026-04", entry_ids=[e], report_sha256=sha("DMCT-EPCL-2026-04 v1"),
        relied_reports=[f"DTR-{ACL_D.entry_id}"]))


def dmct_commands() -> list[dict[str, Any]]:
    """The DMCT history's command lines, in time order."""
    h = History()
    for story in (_packs, _schedule, _submissions, _data_unavailable, _assessments, _non_economic, _scheduled,
                  _acl_04_and_els, _itr_06, _sag_07, _sec_09, _lg_10, _acl_12, _timescale_dispute, _hon_15):
        story(h)
    return h.lines()


__all__ = ["SUBMITTED", "History", "Planned", "dmct_commands"]
