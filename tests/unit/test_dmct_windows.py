"""Per-Supplier Working Day windows of the DMCT Process (A40, A38): 20 Working Days to disagree
with a §20.11 exclusion (§20.12), 10 to refer a draft DMCT Testing Report (§20.37), each from that
Supplier's own notice date, across the Christmas (25-26 Dec 2025, 1 Jan 2026) and Easter (3 and 6
Apr 2026) bank holidays; the stored deadlines carry their convention; finality waits for them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from ledger.calendar import CONVENTION
from ledger.context import RecordingContext
from ledger.dmct.dmc import DmctDmc
from ledger.dmct.entry import DmctEntry
from ledger.dmct.errors import InvalidDmctEventError
from ledger.dmct.findings import late_disagreements, referrals
from ledger.dmct.status_list import status_list
from ledger.rules.dmct_statuses import DmctStatus
from tests.unit.test_dmct_support import DCC, H9, Clock, draft

S = DmctStatus


def at(when: str, behalf: str | None = None) -> dict[str, Any]:
    """The recording context of an act at ``when`` (ISO 8601 with offset)."""
    return RecordingContext(DCC, datetime.fromisoformat(when), (), behalf, H9 if behalf else None).fields()


def excluded_before_christmas() -> DmctDmc:
    dmc = DmctDmc.receive_submission("DMC-X", "Acme", "SUB-1", "2025-11", **at("2025-11-05T10:00:00+00:00"))
    dmc.record_submission("Bolt", "SUB-2", "2025-11", **at("2025-11-06T10:00:00+00:00"))
    dmc.begin_assessment(**at("2025-12-01T10:00:00+00:00"))
    dmc.record_assessment("d", equivalence_basis="d_ii", equivalent_to="DMC-Y", rationale="same firmware",
                          **at("2025-12-10T10:00:00+00:00"))
    dmc.notify_exclusion(["Acme"], date(2025, 12, 17), rationale="same firmware",
                         **at("2025-12-17T10:00:00+00:00"))
    dmc.notify_exclusion(["Bolt"], date(2025, 12, 23), rationale="same firmware",
                         **at("2025-12-23T10:00:00+00:00"))
    return dmc


def test_each_supplier_has_its_own_20_working_day_window_across_christmas() -> None:
    dmc = excluded_before_christmas()
    due = {n.supplier: n.deadline.due for n in dmc.current_notices if n.deadline is not None}
    # Acme: 18-24 Dec (5), 29-31 Dec (8), 2 Jan (9), 5-9 (14), 12-16 (19), 19 Jan (20)
    # Bolt: 24 Dec (1), 29-31 Dec (4), 2 Jan (5), 5-9 (10), 12-16 (15), 19-23 Jan (20)
    assert due == {"Acme": date(2026, 1, 19), "Bolt": date(2026, 1, 23)}
    stored = [e for e in dmc.collect_events() if type(e).__name__ == "ExclusionNotified"]
    assert [e.deadlines for e in stored] == [
        {"Acme": {"trigger": "2025-12-17", "working_days": 20, "due": "2026-01-19",
                  "ends_at": "2026-01-19T23:59:59.999999+00:00", "convention": CONVENTION}},
        {"Bolt": {"trigger": "2025-12-23", "working_days": 20, "due": "2026-01-23",
                  "ends_at": "2026-01-23T23:59:59.999999+00:00", "convention": CONVENTION}},
    ]


def test_the_status_list_shows_only_the_clocks_still_open() -> None:
    dmc = excluded_before_christmas()

    def open_for(when: str) -> list[str]:
        (row,) = status_list([dmc], [], datetime.fromisoformat(when))
        return [c.supplier for c in row.clocks]

    assert open_for("2026-01-19T23:59:59+00:00") == ["Acme", "Bolt"]
    assert open_for("2026-01-20T00:00:00+00:00") == ["Bolt"]
    assert open_for("2026-01-24T00:00:00+00:00") == []


def test_a_late_disagreement_is_recorded_and_flagged_an_in_time_one_is_not() -> None:
    dmc = excluded_before_christmas()
    dmc.record_supplier_disagreement("Acme", "equivalence", "new firmware", **at("2026-01-20T09:00:00+00:00"))
    assert dmc.status is S.SCHEDULED_BY_SUPPLIER_DISPUTE  # lawful, late: the DCC still schedules
    dmc.record_supplier_disagreement("Bolt", "equivalence", "new firmware", **at("2026-01-23T17:00:00+00:00"))
    (late,) = late_disagreements(dmc)
    assert late.clause == "20.12"
    assert "Acme" in late.what
    assert "2026-01-19T23:59:59.999999+00:00" in late.what
    assert late.event_ids == (dmc.event_id(7),)
    (row,) = status_list([dmc], [], datetime(2026, 1, 21, tzinfo=UTC))
    assert row.clocks == ()  # both Suppliers have acted


def review_over_easter() -> DmctEntry:
    entry = DmctEntry.schedule("E-X", "DMC-X", "dormant_only", "foc", "SMSO-B", date(2026, 2, 2),
                               date(2026, 3, 20), test_pack_id="PACK-FOC", **at("2026-01-15T10:00:00+00:00"))
    entry.start_testing("SIT-A", "R5.0", **at("2026-02-02T10:00:00+00:00"))
    entry.record_execution("T1", 1, "pass", "a1" * 32, **at("2026-03-10T10:00:00+00:00"))
    entry.complete_testing(True, False, **at("2026-03-20T10:00:00+00:00"))
    draft(entry, Clock(datetime(2026, 3, 25, 10, tzinfo=UTC)))
    entry.provide_draft_report(["Acme"], date(2026, 3, 27), **at("2026-03-27T10:00:00+00:00"))
    entry.provide_draft_report(["Bolt"], date(2026, 4, 1), **at("2026-04-01T10:00:00+01:00"))
    return entry


def test_each_supplier_has_its_own_10_working_day_window_across_easter() -> None:
    entry = review_over_easter()
    # Acme: 30 Mar-2 Apr (4), [3 and 6 Apr bank holidays], 7-10 Apr (8), 13-14 Apr (10)
    # Bolt: 2 Apr (1), 7-10 Apr (5), 13-17 Apr (10)
    due = {p.supplier: (p.deadline.due, p.deadline.ends_at.isoformat()) for p in entry.current_provisions}
    assert due == {"Acme": (date(2026, 4, 14), "2026-04-14T23:59:59.999999+01:00"),
                   "Bolt": (date(2026, 4, 17), "2026-04-17T23:59:59.999999+01:00")}
    assert all(p.deadline.convention == CONVENTION for p in entry.current_provisions)


def test_deemed_final_is_refused_while_any_suppliers_window_is_open() -> None:
    entry = review_over_easter()
    before = entry.version
    for when in ("2026-04-14T22:59:00+00:00", "2026-04-17T22:59:59+00:00"):  # 23:59 BST: still open
        with pytest.raises(InvalidDmctEventError) as raised:
            entry.deem_final(**at(when))
        assert raised.value.field == "status"
        assert "Bolt (until 2026-04-17T23:59:59.999999+01:00)" in str(raised.value)
    assert entry.version == before
    assert entry.status is S.DRAFT_REPORT_UNDER_REVIEW
    entry.deem_final(**at("2026-04-17T23:00:00+00:00"))  # midnight in London: both windows lapsed
    assert entry.status is S.FINAL_SUCCESSFUL


def test_a_confirmation_closes_that_suppliers_window_only() -> None:
    entry = review_over_easter()
    entry.record_supplier_no_referral("Bolt", **at("2026-04-02T10:00:00+01:00"))
    with pytest.raises(InvalidDmctEventError, match="Acme"):
        entry.deem_final(**at("2026-04-14T12:00:00+01:00"))
    (row,) = status_list([], [entry], datetime.fromisoformat("2026-04-14T12:00:00+01:00"))
    assert [(c.clause, c.supplier) for c in row.clocks] == [("20.37", "Acme")]
    entry.deem_final(**at("2026-04-15T00:00:00+01:00"))
    assert entry.status is S.FINAL_SUCCESSFUL


def test_a_referral_after_its_window_is_recorded_and_flagged() -> None:
    entry = review_over_easter()
    entry.record_supplier_referral("Acme", ["severity"], "I9 is severity 2",
                                   **at("2026-04-15T09:00:00+01:00"))
    entry.record_supplier_referral("Bolt", ["rerun_approach"], "re-runs too narrow",
                                   **at("2026-04-17T18:00:00+01:00"))
    assert entry.status is S.SOS_DETERMINATION_PENDING
    (late,) = referrals(entry)
    assert late.clause == "20.37"
    assert "Acme" in late.what
    assert "2026-04-14T23:59:59.999999+01:00" in late.what
