"""A planned EPCL entry leaves the schedule when the SoS directs removal (§20.12A) and goes the
§20.6(d) way to a DMCT EPCL Report (§20.41); an entry plans a test pack per kind of DMCT testing
(DMCT MT and DMCT SRVT, §20.14-20.17), in the entry and in the published DMCT Schedule."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.dmct.entry import DmctEntry
from ledger.dmct.entry_values import PlannedDates, planned_packs
from ledger.dmct.errors import InvalidDmctEventError
from ledger.dmct.findings import packs_for_testing
from ledger.dmct.schedule_values import (
    ChangeKind,
    DmctTesting,
    InvalidDmctScheduleEventError,
    PlannedPack,
    ScheduleEntry,
    entry_change_kinds,
    require_entry,
)
from ledger.rules.dmct_statuses import DmctStatus
from tests.unit.test_dmct_support import H3, Clock, entry_in

S = DmctStatus
MT, SRVT = DmctTesting.MT, DmctTesting.SRVT
BOTH = [PlannedPack(MT, "PACK-MT"), PlannedPack(SRVT, "PACK-SRVT")]


@pytest.fixture
def ctx() -> Clock:
    return Clock()


def scheduled(ctx: Clock, **packs: object) -> DmctEntry:
    return DmctEntry.schedule("E1", "DMC-1", "mixed", "moc", "SMSO-A", date(2026, 2, 2), date(2026, 3, 2),
                              schedule_version=3, **packs, **ctx())  # type: ignore[arg-type]


# -- §20.12A: removal ---------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [S.SCHEDULED, S.AWAITING_MT_UNDER_MTAD, S.IN_TESTING, S.PAUSED,
                                    S.TESTING_ISSUE_UNDER_RESOLUTION])
def test_an_entry_the_sos_removes_rests_on_equivalence_from_where_it_stood(
    status: DmctStatus, ctx: Clock
) -> None:
    entry = entry_in(status, ctx)

    entry.remove_from_schedule("d_i", "EPCL-9", schedule_version=4, **ctx())

    assert entry.status is S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT
    assert entry.status_clauses == ("20.12A", "20.6(d)", "20.41")
    assert (entry.equivalence and (entry.equivalence.basis.value, entry.equivalence.equivalent_to)) == (
        "d_i", "EPCL-9")
    assert entry.planned is None  # no longer in the DMCT Schedule


def test_a_removed_entry_goes_on_to_its_dmct_epcl_report(ctx: Clock) -> None:
    entry = entry_in(S.IN_TESTING, ctx)
    entry.remove_from_schedule("d_ii", "EPCL-9", **ctx())

    entry.produce_epcl_report("EPCL-R", ["E1"], H3, relied_reports=["DTR-E9"], **ctx())

    assert entry.status is S.EPCL_REPORT_PRODUCED
    assert entry.epcl_report is not None
    assert entry.epcl_report.basis == "20.41(b)(ii)"


def test_a_removed_entry_relying_on_a_planned_dmc_waits_for_its_report(ctx: Clock) -> None:
    entry = entry_in(S.SCHEDULED, ctx)
    entry.remove_from_schedule("d_iii", "DMC-7", **ctx())

    entry.await_relied_report("E5", **ctx())

    assert entry.status is S.EPCL_REPORT_WAITING_FOR_RELIED_REPORT


@pytest.mark.parametrize("status", [S.COMPLETED_SUCCESSFUL_DRAFT_REPORT, S.FINAL_SUCCESSFUL,
                                    S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT])
def test_removal_is_refused_once_testing_has_completed_or_never_was_scheduled(
    status: DmctStatus, ctx: Clock
) -> None:
    entry = entry_in(status, ctx)
    with pytest.raises(InvalidDmctEventError, match=r"^status: .*remove_from_schedule needs S14 or S16"):
        entry.remove_from_schedule("d_i", "EPCL-9", **ctx())


def test_removal_names_a_bad_basis(ctx: Clock) -> None:
    entry = entry_in(S.SCHEDULED, ctx)
    with pytest.raises(InvalidDmctEventError, match=r"^equivalence_basis: "):
        entry.remove_from_schedule("d_iv", "EPCL-9", **ctx())
    with pytest.raises(InvalidDmctEventError, match=r"^equivalent_to: "):
        entry.remove_from_schedule("d_i", " ", **ctx())
    assert entry.status is S.SCHEDULED


# -- §20.14-20.17: a pack per kind of testing ------------------------------------------------------------
def test_an_entry_plans_a_pack_for_dmct_mt_and_one_for_dmct_srvt(ctx: Clock) -> None:
    entry = scheduled(ctx, test_packs=[PlannedPack(SRVT, "PACK-SRVT"), PlannedPack(MT, "PACK-MT")])

    assert entry.planned is not None
    assert entry.planned.test_packs == (PlannedPack(MT, "PACK-MT"), PlannedPack(SRVT, "PACK-SRVT"))
    assert (entry.planned.pack_for(MT), entry.planned.pack_for(SRVT)) == ("PACK-MT", "PACK-SRVT")
    assert entry.planned.pack_ids == ("PACK-MT", "PACK-SRVT")


def test_revised_dates_keep_the_packs(ctx: Clock) -> None:
    entry = scheduled(ctx, test_packs=BOTH)
    entry.revise_dates(date(2026, 2, 9), date(2026, 3, 16), schedule_version=4, **ctx())
    assert entry.planned is not None
    assert entry.planned.test_packs == (PlannedPack(MT, "PACK-MT"), PlannedPack(SRVT, "PACK-SRVT"))
    assert entry.planned.planned_completion == date(2026, 3, 16)


@pytest.mark.parametrize(("packs", "field"), [
    ({"test_packs": "PACK-MT"}, "test_packs"),
    ({"test_packs": [{"testing": "dmct_mt", "pack_id": "P"}]}, "test_packs"),
    ({"test_packs": [PlannedPack("dmct_xx", "P")]}, "test_packs"),  # type: ignore[arg-type]
    ({"test_packs": [PlannedPack(MT, "P"), PlannedPack(MT, "Q")]}, "test_packs"),
    ({"test_packs": [PlannedPack(MT, "P"), PlannedPack(SRVT, "P")]}, "test_packs"),
    ({"test_packs": [PlannedPack(MT, " ")]}, "test_packs"),
    ({"test_packs": BOTH, "test_pack_id": "P"}, "test_pack_id"),
    ({}, "test_pack_id"),
])
def test_packs_that_do_not_say_which_testing_they_serve_are_refused(
    packs: dict[str, object], field: str, ctx: Clock
) -> None:
    with pytest.raises(InvalidDmctEventError, match=rf"^{field}: "):
        scheduled(ctx, **packs)


def test_an_entry_recorded_with_one_pack_still_reads_as_it_was() -> None:
    """Events recorded before packs by testing carry no ``test_packs``: replayed, the one pack stays."""
    assert planned_packs(None) == ()
    old = PlannedDates(date(2026, 2, 2), date(2026, 3, 2), "PACK-SRVT", None, 3)
    assert (old.test_packs, old.pack_ids, old.pack_for(SRVT)) == ((), ("PACK-SRVT",), None)


def test_testing_without_a_pack_for_each_testing_it_needs_is_flagged(ctx: Clock) -> None:
    entry = scheduled(ctx, test_packs=[PlannedPack(SRVT, "PACK-SRVT")])
    entry.start_testing("SIT-A", "R4.2", **ctx())  # DMCT MT and SRVT: no MT pack planned

    (finding,) = packs_for_testing(entry)

    assert finding.clause == "20.15"
    assert "dmct_mt" in finding.what
    both = scheduled(Clock(), test_packs=BOTH)
    both.start_testing("SIT-A", "R4.2", **Clock()())
    assert list(packs_for_testing(both)) == []


def test_on_the_mtad_route_an_srvt_pack_is_enough(ctx: Clock) -> None:
    entry = scheduled(ctx, test_packs=[PlannedPack(SRVT, "PACK-SRVT")])
    entry.notify_mtad_route("migration tested under the MTAD", **ctx())
    entry.record_tab_mt_completion(**ctx(behalf="tab"))
    entry.start_testing("SIT-A", "R4.2", **ctx())
    assert list(packs_for_testing(entry)) == []


# -- the DMCT Schedule publishes the packs ---------------------------------------------------------------
def schedule_row(**packs: object) -> ScheduleEntry:
    return ScheduleEntry("E1", "DMC-1", "mixed", "moc", date(2026, 2, 2), date(2026, 3, 2),  # type: ignore[arg-type]
                         **packs)  # type: ignore[arg-type]


def test_a_published_entry_carries_its_packs_by_testing_and_round_trips() -> None:
    row = require_entry(schedule_row(test_packs=(PlannedPack(SRVT, "PACK-SRVT"), PlannedPack(MT, "PACK-MT"))),
                        "DMCT Schedule v1")

    assert row.as_json()["test_packs"] == [{"testing": "dmct_mt", "pack_id": "PACK-MT"},
                                           {"testing": "dmct_srvt", "pack_id": "PACK-SRVT"}]
    assert ScheduleEntry.from_json(row.as_json()) == row
    assert row.pack_label == "dmct_mt PACK-MT, dmct_srvt PACK-SRVT"
    legacy = {k: v for k, v in row.as_json().items() if k != "test_packs"} | {"test_pack_id": "PACK-1"}
    assert ScheduleEntry.from_json(legacy).pack_label == "PACK-1"  # published before packs by testing


def test_a_changed_pack_is_a_change_of_the_schedule() -> None:
    before = require_entry(schedule_row(test_packs=tuple(BOTH)), "v1")
    changed = (PlannedPack(MT, "PACK-MT"), PlannedPack(SRVT, "PACK-NS"))
    after = require_entry(schedule_row(test_packs=changed), "v2")
    assert entry_change_kinds(before, after) == (ChangeKind.PACK_CHANGED,)
    assert entry_change_kinds(before, before) == ()


@pytest.mark.parametrize("packs", [{"test_packs": (PlannedPack(MT, "P"), PlannedPack(MT, "Q"))},
                                   {"test_packs": (PlannedPack(MT, "P"), PlannedPack(SRVT, "P"))},
                                   {"test_packs": (PlannedPack(MT, "P"),), "test_pack_id": "Q"}])
def test_a_published_entry_with_unclear_packs_is_refused(packs: dict[str, object]) -> None:
    with pytest.raises(InvalidDmctScheduleEventError, match=r"^entries: "):
        require_entry(schedule_row(**packs), "DMCT Schedule v1")
