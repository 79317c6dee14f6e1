"""The DMCT Status List (``ledger.dmct.status_list``): one row per DMC, its entries after it, each
with its status code and name, clause basis, and the per-Supplier clocks still open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ledger.calendar import WorkingDayError
from ledger.dmct.entry import DmctEntry
from ledger.dmct.status_list import status_list
from ledger.rules.dmct_statuses import DmctLevel, DmctStatus
from tests.unit.test_dmct_support import Clock, dmc_in, entry_in, new_entry

S = DmctStatus


@pytest.fixture
def ctx() -> Clock:
    return Clock()


def test_rows_per_dmc_then_its_entries_with_status_and_clause_basis(ctx: Clock) -> None:
    dmc = dmc_in(S.SCHEDULED, ctx)
    under_review = entry_in(S.DRAFT_REPORT_UNDER_REVIEW, ctx)
    other = new_entry(ctx, "E0")
    orphan = DmctEntry.plan_on_equivalence("E1", "DMC-0", "active", "moc", "SMSO-A", "d_i", "EPCL-2", **ctx())
    rows = status_list([dmc], [under_review, orphan, other], ctx.at)
    assert [(r.level, r.dmc_id, r.entry_id, r.code) for r in rows] == [
        (DmctLevel.DMC, "DMC-1", None, "S14"), (DmctLevel.ENTRY, "DMC-1", "E0", "S14"),
        (DmctLevel.ENTRY, "DMC-1", "E1", "S26"), (DmctLevel.ENTRY, "DMC-0", "E1", "S07")]
    dmc_row, _, review_row, _ = rows
    assert (dmc_row.name, dmc_row.clauses, dmc_row.entry_ids) == ("SCHEDULED", ("20.12(a)", "20.9"), ("E1",))
    assert dmc_row.event_id == dmc.event_id(dmc.status_version)
    assert review_row.clauses == ("20.36",)
    assert review_row.planned == under_review.planned
    assert [(c.clause, c.supplier, c.deadline.working_days) for c in review_row.clocks] == [
        ("20.37", "Acme", 10), ("20.37", "Bolt", 10)]


def test_clocks_close_when_the_supplier_acts_or_the_window_ends(ctx: Clock) -> None:
    entry = entry_in(S.DRAFT_REPORT_UNDER_REVIEW, ctx)
    entry.record_supplier_referral("Acme", ["severity"], "I9 is severity 2", **ctx())
    (row,) = status_list([], [entry], ctx.at)
    assert (row.code, [c.supplier for c in row.clocks]) == ("S27", ["Bolt"])
    (later,) = status_list([], [entry], ctx.at + timedelta(days=30))
    assert later.clocks == ()


def test_as_of_must_be_an_instant(ctx: Clock) -> None:
    with pytest.raises(WorkingDayError):
        status_list([], [], datetime(2026, 1, 5))
    assert status_list([], [], datetime(2026, 1, 5, tzinfo=UTC)) == []
