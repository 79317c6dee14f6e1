"""The DMCT Process read from the temporal fact store (issue 4 item 3): the DMCT Status List, the
DMCT Schedule in force and Table 20.1, as of any position, are what the ledger truncated at that
position gives: the status list ``ledger.dmct.status_list`` computes from its aggregates, the
schedule's latest publication, the counts its own facts give. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.calendar import LONDON
from ledger.config import Settings
from ledger.dmct.dmc import DmctDmc
from ledger.dmct.entry import DmctEntry
from ledger.dmct.schedule import SCHEDULE_ID
from ledger.dmct.status_list import status_list
from projections.as_of import AsOfError
from projections.dmct_completion_queries import dmct_completion
from projections.dmct_queries import (
    UnknownDmcError,
    UnknownEntryError,
    UnknownScheduleVersionError,
    clocks_instant,
    dmct_schedule,
    dmct_status,
    dmct_thresholds,
    status_row,
)
from projections.fact_codec import as_json
from tests.integration.test_facts_as_of import (  # demo, fresh_ledgers: fixtures
    LINES,
    bootstrap,
    demo,  # noqa: F401
    fresh_ledgers,  # noqa: F401
    import_each,
    new_ledger,
    project,
)

COMMANDS = [json.loads(line) for line in LINES]


def after(command: str, entry_or_dmc: str) -> int:
    """How many demo commands there are up to and including the first ``command`` on it."""
    return 1 + next(i for i, c in enumerate(COMMANDS) if c["command"] == command
                    and entry_or_dmc in json.dumps(c["data"]))


# Points of the DMCT story (as a number of demo commands recorded): §20.12 windows running after
# the §20.11 notices; a §20.37 window running for EPCL-201's draft; another for EPCL-206's; the end.
CUTS = (after("DmctDmc.notify_exclusion", "DMC-ELS-13"), after("DmctEntry.provide_draft_report", "EPCL-201"),
        after("DmctEntry.provide_draft_report", "EPCL-206"), len(LINES))


def day_of(commands: int) -> date:
    return datetime.fromisoformat(COMMANDS[commands - 1]["occurred_at"]).astimezone(LONDON).date()


def recorded(lg: AKLedger, commands: int) -> tuple[list[DmctDmc], list[DmctEntry]]:
    """The DMCs and planned entries the first ``commands`` demo commands created, read whole."""
    created = COMMANDS[:commands]
    dmcs = [lg.repository.get(DmctDmc.create_id(c["data"]["dmc_id"])) for c in created
            if c["command"] == "DmctDmc.receive_submission"]
    entries = [lg.repository.get(DmctEntry.create_id(c["data"]["entry_id"])) for c in created
               if c["command"] in ("DmctEntry.schedule", "DmctEntry.plan_on_equivalence")]
    return dmcs, entries


def without_as_of(answer: object) -> Any:
    data = as_json(answer)
    data.pop("as_of")
    return data


def test_the_status_list_as_of_a_position_is_that_of_the_ledger_truncated_there(
    demo: tuple[AKLedger, list[int]],  # noqa: F811
    settings: Settings, tmp_path: Path, actor: Actor,
    fresh_ledgers: list[AKLedger],  # noqa: F811
) -> None:
    full, ends = demo
    clocks_seen: set[tuple[str, str]] = set()
    open_on: dict[tuple[int, int], int] = {}  # (commands, 0: on its day, 1: 30 days on) -> clocks open
    for commands in CUTS:
        truncated = new_ledger(settings, tmp_path, actor, fresh_ledgers)
        bootstrap(truncated, actor)
        import_each(truncated, LINES[:commands])
        project(truncated)
        dmcs, entries = recorded(truncated, commands)
        for later, day in enumerate((day_of(commands), day_of(commands) + timedelta(days=30))):
            answer = dmct_status(full.engine, as_of_position=ends[commands], judged_on=day)
            expected = [status_row(r) for r in status_list(dmcs, entries, clocks_instant(day))]
            assert list(answer.rows) == expected, (commands, day)
            assert without_as_of(answer) == without_as_of(dmct_status(truncated.engine, judged_on=day))
            clocks_seen |= {(r.entry_id or r.dmc_id, c.clause) for r in answer.rows for c in r.clocks}
            open_on[(commands, later)] = answer.open_clocks
        schedule = dmct_schedule(full.engine, as_of_position=ends[commands])
        latest = truncated.repository.get(SCHEDULE_ID).latest
        found = schedule.publication
        assert (found and (found.schedule_version, found.entries, found.changes)) == (
            latest and (latest.schedule_version, tuple(latest.entries[e] for e in sorted(latest.entries)),
                        latest.changes))
        assert without_as_of(schedule) == without_as_of(dmct_schedule(truncated.engine))
        for entry in entries:
            then = dmct_thresholds(full.engine, entry.entry_id, as_of_position=ends[commands])
            assert without_as_of(then) == without_as_of(dmct_thresholds(truncated.engine, entry.entry_id))
        completion = dmct_completion(full.engine, as_of_position=ends[commands])
        assert without_as_of(completion) == without_as_of(dmct_completion(truncated.engine))
    # The cuts do see clocks open, and closed 30 days on: the comparison is not of empty lists.
    assert clocks_seen >= {("DMC-SAG-07", "20.12"), ("DMC-ELS-13", "20.12"), ("EPCL-201", "20.37"),
                           ("EPCL-206", "20.37"), ("EPCL-207", "20.37")}
    assert all(open_on[(c, 0)] > open_on[(c, 1)] for c in CUTS), open_on


def test_a_suppliers_clock_runs_to_the_end_of_its_last_day(demo: tuple[AKLedger, list[int]]) -> None:  # noqa: F811
    lg, _ = demo
    (line,) = [r for r in dmct_status(lg.engine, "DMC-ACL-12", judged_on=date(2026, 11, 30)).rows if r.clocks]
    assert (line.entry_id, line.code, [(c.clause, c.supplier, c.deadline.due) for c in line.clocks]) == (
        "EPCL-207", "S26", [("20.37", "northwind-energy", date(2026, 11, 30))])
    assert dmct_status(lg.engine, "DMC-ACL-12", judged_on=date(2026, 12, 1)).open_clocks == 0


def test_the_schedule_in_force_and_each_earlier_publication(demo: tuple[AKLedger, list[int]]) -> None:  # noqa: F811
    lg, ends = demo
    latest = dmct_schedule(lg.engine)
    assert (latest.published_versions, latest.previous_version) == ((1, 2, 3, 4, 5), 4)
    assert latest.missing_recipients == ()
    assert latest.publication is not None
    assert [(c.entry_id, c.trigger.value) for c in latest.publication.changes] == [
        ("EPCL-210", "removal_20_12a")]
    fourth = dmct_schedule(lg.engine, version=4).publication
    assert fourth is not None
    assert [(c.entry_id, c.trigger.value) for c in fourth.changes] == [
        ("EPCL-207", "revised_dates_20_22"), ("EPCL-210", "inclusion_20_12")]
    second = dmct_schedule(lg.engine, version=2).publication
    assert second is not None
    assert {(c.entry_id, c.trigger.value) for c in second.changes} == {
        ("EPCL-202", "dcc_update"), ("EPCL-208", "inclusion_20_12")}
    only = dmct_schedule(lg.engine, dmc="DMC-SAG-07", version=2).publication
    assert only is not None
    assert [e.entry_id for e in only.entries] == [c.entry_id for c in only.changes] == ["EPCL-208"]
    assert dmct_schedule(lg.engine, as_of_position=ends[1]).publication is None


def test_table_20_1_counts_the_dmct_testing_issues_of_the_entry_and_across_dmct(
    demo: tuple[AKLedger, list[int]],  # noqa: F811
) -> None:
    """Each DMCT Testing Issue is a Testing Issue naming its entry (A58): Table 20.1 counts it, in
    (a) for its entry and in (b) for every entry, at its severity as of the position (§20.28)."""
    lg, ends = demo
    answer = dmct_thresholds(lg.engine, "EPCL-206")
    assert (answer.dmc_id, answer.verdict.value) == ("DMC-L+G-10", "pass")
    assert [c.column.value for c in answer.counts] == ["dmct_planned_epcl_entry", "dmct_aggregate"]
    assert [r.limit for r in answer.counts[0].rows] == [0, 0, 15, 30, 60]
    assert (answer.recorded_issue_ids, answer.uncounted_issue_ids) == (("TI-DMCT-002",), ())
    counted = [[r.counted_ids for r in c.rows] for c in answer.counts]
    assert counted == [[(), (), ("TI-DMCT-002",), (), ()]] * 2
    other = dmct_thresholds(lg.engine, "EPCL-208")  # only the aggregate takes in another entry's issue
    assert [c.row(3).counted_ids for c in other.counts] == [(), ("TI-DMCT-002",)]
    at_completion = dmct_thresholds(lg.engine, "EPCL-206",
                                    as_of_position=ends[after("DmctEntry.complete_testing", "EPCL-206")])
    assert at_completion.verdict.value == "fail"  # severity 2 then: over the limit of 0
    assert at_completion.counts[0].row(2).counted_ids == ("TI-DMCT-002",)


def test_completion_is_evaluated_as_of_any_position(demo: tuple[AKLedger, list[int]]) -> None:  # noqa: F811
    """§20.32/§20.33 (A25) from the record: EPCL-206 unsuccessful on (iii) when the DCC completed it,
    successful once the SoS determined it so and its issue was re-graded severity 3 (§20.40(b))."""
    lg, ends = demo
    then = dmct_completion(lg.engine, "EPCL-206",
                           as_of_position=ends[after("DmctEntry.complete_testing", "EPCL-206")])
    (result,) = then.results
    assert (result.evaluation.value, result.basis, result.agrees_with_record) == (
        "unsuccessful", ("20.33(a)(iii)",), True)
    (now,) = dmct_completion(lg.engine, "EPCL-206").results
    assert (now.evaluation.value, now.final and now.final.value, now.agrees_with_record) == (
        "successful", "successful", True)
    every = dmct_completion(lg.engine)
    assert {r.entry_id: r.evaluation.value for r in every.results} == {
        "EPCL-201": "successful", "EPCL-202": "not_required", "EPCL-203": "successful",
        "EPCL-204": "successful", "EPCL-205": "not_completed", "EPCL-206": "successful",
        "EPCL-207": "successful", "EPCL-208": "not_completed", "EPCL-209": "not_required",
        "EPCL-210": "not_required"}
    assert every.disagreeing == ()
    with pytest.raises(UnknownEntryError, match="EPCL-999"):
        dmct_completion(lg.engine, "EPCL-999")


def test_filters_naming_nothing_recorded_are_refused(demo: tuple[AKLedger, list[int]]) -> None:  # noqa: F811
    lg, ends = demo
    with pytest.raises(UnknownDmcError, match="DMC-NONE"):
        dmct_status(lg.engine, "DMC-NONE")
    with pytest.raises(UnknownDmcError, match="DMC-ACL-04"):  # not yet submitted then
        dmct_status(lg.engine, "DMC-ACL-04", as_of_position=ends[1])
    with pytest.raises(UnknownEntryError, match="EPCL-999"):
        dmct_thresholds(lg.engine, "EPCL-999")
    with pytest.raises(UnknownScheduleVersionError, match="published: 1, 2, 3, 4, 5"):
        dmct_schedule(lg.engine, version=6)
    with pytest.raises(AsOfError):
        dmct_status(lg.engine, as_of_position=-1)
