"""The demo's DMCT history (``ledger.demo_dmct``) is recorded whole, on SQLite and PostgreSQL, and
leaves each DMC and planned EPCL entry in the status its story intends, with no compliance finding
(every §20.12 and §20.37 act inside its Working Day window, every notice to those it is due to)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.calendar import LONDON, is_working_day
from ledger.commands.execute import bootstrap_admin
from ledger.commands.importer import import_lines
from ledger.context import RecordingContext
from ledger.demo import demo_commands
from ledger.demo_dmct import dmct_commands
from ledger.dmct.dmc import DmctDmc
from ledger.dmct.entry import DmctEntry
from ledger.dmct.findings import dmct_findings
from ledger.dmct.schedule import SCHEDULE_ID, DmctSchedule
from ledger.dmct.schedule_findings import schedule_findings
from ledger.dmct.schedule_values import DmctTesting
from ledger.dmct.status_list import status_list
from ledger.dmct.test_packs import DmctTestPack
from ledger.testing_issues import TestingIssue

A = TypeVar("A", bound=Aggregate)
WHEN = datetime.now(UTC) - timedelta(minutes=1)
AS_OF = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

DMC_STATUSES = {
    "DMC-EDMI-03": "S05",  # a MOC SIT DMC (§20.6(b))
    "DMC-ACL-04": "S14",
    "DMC-ELS-05": "S14",
    "DMC-ITR-06": "S14",
    "DMC-SAG-07": "S14",  # (d), §20.12(a) disagreement, §20.12A referral, the SoS retains it
    "DMC-KAI-08": "S10",  # §20.7, the SoS agrees
    "DMC-SEC-09": "S20",  # §20.25(a)
    "DMC-L+G-10": "S14",
    "DMC-EDMI-11": "S02",  # §20.5
    "DMC-ACL-12": "S14",
    "DMC-ELS-13": "S07",  # §20.6(d)(iii), undisputed
    "DMC-ITR-14": "S11",  # §20.12(b), with the SoS
    "DMC-HON-15": "S07",  # (d)(ii), §20.12(a) disagreement, §20.12A referral, the SoS directs removal
}
ENTRY_STATUSES = {
    ("DMC-ACL-04", "EPCL-201"): "S32",
    ("DMC-ACL-04", "EPCL-202"): "S15",  # the dormant-only entry suffices
    ("DMC-ELS-05", "EPCL-203"): "S32",  # MTAD route
    ("DMC-ITR-06", "EPCL-204"): "S31",  # EPCL Report produced, not yet published
    ("DMC-SEC-09", "EPCL-205"): "S20",  # option (c) firmware
    ("DMC-L+G-10", "EPCL-206"): "S32",  # referred (§20.37), SoS (b) (§20.40)
    ("DMC-ACL-12", "EPCL-207"): "S26",  # paused, recommenced; draft with Northwind
    ("DMC-SAG-07", "EPCL-208"): "S17",
    ("DMC-ELS-13", "EPCL-209"): "S32",  # waited for EPCL-203's final report (§20.41)
    ("DMC-HON-15", "EPCL-210"): "S31",  # removed from the schedule (§20.12A), EPCL Report on EPCL-201's
}


def loaded(ledger: AKLedger, kind: type[A], aggregate_id: UUID) -> A:
    found: object = ledger.repository.get(aggregate_id)
    assert isinstance(found, kind)
    return found


@pytest.fixture
def demo_ledger(ledger: AKLedger, actor: Actor) -> AKLedger:
    bootstrap_admin(ledger, "admin", "ledger operator", RecordingContext(actor, WHEN))
    report = import_lines(ledger, [json.dumps(c) for c in demo_commands("admin")])
    assert [r.as_json() for r in report.rejected] == []
    return ledger


def test_the_dmct_history_is_in_time_order_on_working_days_in_the_past() -> None:
    lines = dmct_commands()
    times = [datetime.fromisoformat(line["occurred_at"]) for line in lines]
    assert times == sorted(times)
    assert all(is_working_day(t.astimezone(LONDON).date()) for t in times)
    assert all(9 <= t.astimezone(LONDON).hour < 17 for t in times)
    assert date(2026, 6, 1) <= times[0].date()
    assert times[-1] < WHEN
    before = demo_commands("admin")[: -len(lines)]  # the IOC and MOC history
    assert max(datetime.fromisoformat(line["occurred_at"]) for line in before) < times[0]


def test_the_demo_leaves_each_dmc_and_entry_in_its_intended_status(demo_ledger: AKLedger) -> None:
    dmcs = [loaded(demo_ledger, DmctDmc, DmctDmc.create_id(d)) for d in DMC_STATUSES]
    entries = [loaded(demo_ledger, DmctEntry, DmctEntry.create_id(e)) for _, e in ENTRY_STATUSES]

    rows = status_list(dmcs, entries, AS_OF)

    assert {r.dmc_id: r.code for r in rows if r.entry_id is None} == DMC_STATUSES
    assert {(r.dmc_id, r.entry_id): r.code for r in rows if r.entry_id is not None} == ENTRY_STATUSES
    clocks = {(r.entry_id, c.clause, c.supplier, c.deadline.due) for r in rows for c in r.clocks}
    assert clocks == {("EPCL-207", "20.37", "northwind-energy", date(2026, 11, 30))}
    assert dmct_findings(dmcs, entries) == []


def test_every_dmct_aggregate_the_demo_creates_is_accounted_for() -> None:
    created = {(line["command"], line["data"].get("entry_id") or line["data"]["dmc_id"])
               for line in dmct_commands()
               if line["command"] in ("DmctDmc.receive_submission", "DmctEntry.schedule",
                                      "DmctEntry.plan_on_equivalence")}
    assert {i for c, i in created if c.startswith("DmctDmc")} == set(DMC_STATUSES)
    assert {i for c, i in created if c.startswith("DmctEntry")} == {e for _, e in ENTRY_STATUSES}


def test_the_schedule_is_published_to_all_and_tested_against_agreed_packs(demo_ledger: AKLedger) -> None:
    schedule = loaded(demo_ledger, DmctSchedule, SCHEDULE_ID)
    assert [p.schedule_version for p in schedule.publications] == [1, 2, 3, 4, 5]
    assert schedule_findings(schedule) == []
    latest = schedule.latest
    assert latest is not None
    assert latest.entries["EPCL-207"].planned_completion == date(2026, 11, 13)  # §20.22 revised
    assert "EPCL-205" not in latest.entries  # §20.25(a)
    assert "EPCL-208" in latest.entries  # §20.12(a), retained under §20.12A
    assert "EPCL-210" not in latest.entries  # §20.12A, the SoS directed removal
    assert latest.entries["EPCL-201"].pack_label == "dmct_mt PACK-MOC-SDMT, dmct_srvt PACK-MOC-SRVT"
    for pack_id in ("PACK-MOC-SDMT", "PACK-MOC-SRVT", "PACK-NS-ITR-06"):
        pack = loaded(demo_ledger, DmctTestPack, DmctTestPack.create_id(pack_id))
        assert pack.agreed_as_of(date(2026, 7, 1)) is not None, pack_id


def test_each_dmct_testing_issue_is_a_testing_issue_naming_its_entry(demo_ledger: AKLedger) -> None:
    entries = [loaded(demo_ledger, DmctEntry, DmctEntry.create_id(e)) for _, e in ENTRY_STATUSES]
    recorded = {(i, e.entry_id) for e in entries for i in e.issues}
    assert recorded == {("TI-DMCT-001", "EPCL-205"), ("TI-DMCT-002", "EPCL-206"), ("TI-DMCT-003", "EPCL-207")}
    for issue_id, entry_id in recorded:
        issue = loaded(demo_ledger, TestingIssue, TestingIssue.create_id(issue_id))
        assert entry_id in issue.epcl_entry_ids  # A58: the same entity, linked to the entry
    open_ = loaded(demo_ledger, TestingIssue, TestingIssue.create_id("TI-DMCT-002"))
    assert (open_.is_open, open_.effective_severity) == (True, 3)  # re-determined after §20.40(b)


def test_every_tested_entry_is_planned_with_a_pack_for_each_testing_it_needs(demo_ledger: AKLedger) -> None:
    for _, entry_id in ENTRY_STATUSES:
        entry = loaded(demo_ledger, DmctEntry, DmctEntry.create_id(entry_id))
        for started in entry.rounds:
            assert entry.planned is not None, entry_id
            needed = (DmctTesting.SRVT,) if started.srvt_only else (DmctTesting.MT, DmctTesting.SRVT)
            assert all(entry.planned.pack_for(t) for t in needed), entry_id
