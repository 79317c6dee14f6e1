"""The Appendix AK rule tables (ledger.rules) against the seed text of Appendix AK.

Oracles: the seed text itself (every clause a row cites exists and is in force; the threshold
tables and their headings are verbatim; every "final and binding" and every "N Working Days" in
the text is carried by a row) and the catalogue's counts (44 routes, 37 time rules, T1-T20).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any

import pytest

from ledger.calendar import CONVENTION, LONDON
from ledger.errors import LedgerError
from ledger.rules import deadlines, routes, thresholds
from ledger.rules.errors import RuleNotFoundError
from ledger.rules.export import as_json
from ledger.rules.roles import Role
from ledger.rules.thresholds import ThresholdContext, ThresholdScope, ThresholdTable, limit_for
from tests.unit.seed_text import check_ref, clause, seed_lines, table_block, unstruck

SECTION_REF = re.compile(r"§(\d+\.\d+A?(?:\([a-z]+\))*)")


def cited(row: Any) -> list[str]:
    """Every clause reference a row carries in its clause fields (including a route's window)."""
    refs: list[str] = []
    for f in fields(row):
        value = getattr(row, f.name)
        if f.name == "clause":
            refs.append(value)
        elif f.name == "clauses":
            refs.extend(value)
        elif is_dataclass(value):
            refs.extend(cited(value))
    return refs


def all_rows() -> Iterator[Any]:
    yield from thresholds.COLUMNS
    yield from thresholds.THRESHOLDS
    yield from thresholds.WHICH_TABLE
    yield from thresholds.COUNTING_RULES
    yield from routes.ROUTES
    yield from (r for r in deadlines.TIME_RULES if r.in_force)
    yield from deadlines.WORK_OFF_PLAN_WINDOWS


# --- the seed oracle itself --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "problem"),
    [
        ("13.26", None), ("15.1(c)", None), ("20.33(a)(iv)", None), ("20.12A", None),
        ("Table 13.1 #2A", None), ("Table 10.1", None), ("13.30", None),
        ("5.6", None), ("8.4", None), ("8.6", None), ("16.4", None),  # renumbered: new number
        ("13.31", "is struck"), ("13.32", "is struck"),
        ("13.33", "not in the text"), ("15.1(d)", "no unstruck item (d)"),
        ("2.4(d)", "no unstruck item (d)"), ("Table 13.1 #9", "has no row 9"),
        ("Table 13.4", "no Table 13.4"), ("s13.26", "not a clause reference"),
    ],
)
def test_seed_oracle_accepts_clauses_in_force_and_rejects_others(ref: str, problem: str | None) -> None:
    found = check_ref(ref)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


def test_renumbered_clause_is_the_new_one_not_the_struck_one() -> None:
    found = clause("5.6")
    assert found is not None
    assert "shall not overlap any SIT and SMETS1 Interface Testing" in found[0]


# --- every row cites clauses in force ------------------------------------------------------------


def test_every_row_cites_a_clause_in_force() -> None:
    problems = [
        f"{getattr(row, 'id', row)}: {p}"
        for row in all_rows() for ref in cited(row) if (p := check_ref(ref)) is not None
    ]
    assert not problems, problems


def test_every_section_mark_in_free_text_names_a_clause_of_the_seed() -> None:
    missing = []
    for row in all_rows():
        row_json = as_json(row)
        assert isinstance(row_json, dict)
        for value in row_json.values():
            for ref in SECTION_REF.findall(str(value)):
                number = re.match(r"\d+\.\d+A?", ref)
                assert number is not None
                if clause(number[0]) is None:
                    missing.append(f"{getattr(row, 'id', row)}: §{ref}")
    assert not missing, missing


def test_the_struck_time_rule_cites_a_struck_clause() -> None:
    struck = [r for r in deadlines.TIME_RULES if not r.in_force]
    assert [r.id for r in struck] == ["TR37"]
    assert check_ref("13.32") == "13.32: clause 13.32 is struck"


def test_untimed_decisions_cite_clauses_in_force() -> None:
    assert [ref for ref in deadlines.UNTIMED if check_ref(ref)] == []


# --- counts and ids ----------------------------------------------------------------------------


def test_counts_and_ids_are_as_in_the_catalogue() -> None:
    assert [r.id for r in routes.ROUTES] == [f"R{i}" for i in range(1, 45)]
    assert [r.id for r in deadlines.TIME_RULES] == [f"TR{i}" for i in range(1, 38)]
    assert [r.id for r in thresholds.COUNTING_RULES] == [f"T{i}" for i in range(1, 21)]
    per_table = {t: sum(r.table is t for r in thresholds.THRESHOLDS) for t in ThresholdTable}
    assert per_table == {ThresholdTable.TABLE_13_2: 20, ThresholdTable.TABLE_13_3: 10,
                         ThresholdTable.TABLE_20_1: 10}
    assert len(thresholds.COLUMNS) == 8
    assert {r.context for r in thresholds.WHICH_TABLE} == set(ThresholdContext)
    keys = [(r.table, r.scope, r.severity) for r in thresholds.THRESHOLDS]
    assert len(keys) == len(set(keys))


# --- thresholds --------------------------------------------------------------------------------


@pytest.mark.parametrize("table", list(ThresholdTable))
def test_threshold_tables_are_verbatim(table: ThresholdTable) -> None:
    header, *rows = table_block(thresholds.TABLE_TITLES[table])
    columns = thresholds.columns_of(table)
    assert header.split("\t")[1:] == [c.heading for c in columns]
    for line in rows:
        severity, *limits = (int(cell) for cell in line.split("\t"))
        assert [limit_for(table, severity, c.scope) for c in columns] == limits, line


@pytest.mark.parametrize(
    ("table", "severity", "scope", "limit"),
    [
        (ThresholdTable.TABLE_13_2, 1, ThresholdScope.PIT, 0),
        (ThresholdTable.TABLE_13_2, 1, ThresholdScope.SIT_IOC, 0),
        (ThresholdTable.TABLE_13_2, 3, ThresholdScope.SMETS1_INTERFACE_TESTING_IOC, 5),
        (ThresholdTable.TABLE_13_2, 5, ThresholdScope.SCT, 60),
        (ThresholdTable.TABLE_13_3, 4, ThresholdScope.SIT_MOC_FOC_PHASE, 30),
        (ThresholdTable.TABLE_13_3, 5, ThresholdScope.SIT_MOC_FOC_AGGREGATE, 120),
        (ThresholdTable.TABLE_20_1, 3, ThresholdScope.DMCT_AGGREGATE, 30),
    ],
)
def test_limit_for(table: ThresholdTable, severity: int, scope: ThresholdScope, limit: int) -> None:
    assert limit_for(table, severity, scope) == limit


@pytest.mark.parametrize(
    ("table", "severity", "scope"),
    [
        (ThresholdTable.TABLE_13_3, 3, ThresholdScope.PIT),  # a column of another table
        (ThresholdTable.TABLE_13_2, 6, ThresholdScope.PIT),
        (ThresholdTable.TABLE_20_1, 0, ThresholdScope.DMCT_AGGREGATE),
    ],
)
def test_limit_for_an_unknown_cell_names_it(table: ThresholdTable, severity: int,
                                           scope: ThresholdScope) -> None:
    named = rf"Table {re.escape(table.value)} .*{severity}.*{scope.value}"
    with pytest.raises(RuleNotFoundError, match=named):
        limit_for(table, severity, scope)


def test_a_count_passes_at_the_limit_and_fails_above_it() -> None:
    assert thresholds.within_threshold(15, 15)  # "at or below", §12.9(c)
    assert not thresholds.within_threshold(16, 15)
    assert thresholds.within_threshold(0, 0)
    assert not thresholds.within_threshold(1, 0)


def test_which_table_follows_the_clauses() -> None:
    sit = thresholds.which_table(ThresholdContext.SIT_MOC_FOC)
    assert sit.table is ThresholdTable.TABLE_13_3
    assert len(sit.scopes) == 2
    assert thresholds.which_table(ThresholdContext.MIGRATION_TEST_PHASE).table is None  # MTAD, §13.22
    assert thresholds.which_table(ThresholdContext.SMETS1_UPLIFT_DCC_TESTING).clauses == ("21.3(g)",)
    dmct = thresholds.which_table(ThresholdContext.DMCT_PLANNED_EPCL_ENTRY)
    assert "SMSO" in dmct.counted_across  # §20.28 includes the relevant SMETS1 SMSO
    assert "per DCC Service Provider" in thresholds.which_table(ThresholdContext.PIT).counted_across


def test_counting_rule_lookup() -> None:
    assert thresholds.counting_rule("T12").clauses == ("14.4",)
    with pytest.raises(RuleNotFoundError, match="'T21'"):
        thresholds.counting_rule("T21")


# --- routes ------------------------------------------------------------------------------------


def test_key_windows_match_the_clause_text() -> None:
    r15 = routes.route("R15")
    assert r15.window is not None
    assert r15.window.working_days == 5
    assert "TAG's decision" in r15.window.trigger
    assert r15.window.clause == "13.26"
    assert (r15.referred_by, r15.referred_to, r15.final_and_binding) == ((Role.DCC,), (Role.SOS,), Role.SOS)
    windows = {r.id: (r.window.working_days, r.window.clause) for r in routes.routes_with_window()
               if r.window is not None}
    assert windows == {"R9": (10, "13.4"), "R10": (10, "13.7"), "R15": (5, "13.26"),
                       "R24": (20, "20.12"), "R25": (20, "20.12"), "R36": (10, "20.37")}


def test_final_and_binding_only_where_the_text_says_so() -> None:
    said = {ref for r in routes.ROUTES for ref in r.clauses
            if (found := clause(ref.split("(")[0])) is not None
            and "final and binding" in unstruck(found[0])}
    binding = {r.id for r in routes.ROUTES if r.final_and_binding is not None}
    for r in routes.ROUTES:
        carries = any(ref in said or ref == "Table 13.1 #2A" for ref in r.clauses)
        if r.id in binding:
            assert carries, f"{r.id} is final and binding but cites no clause saying so"
    text_clauses = {"7.5", "7.6", "12.7", "13.4", "13.26", "13.29", "14.2", "20.7", "20.16",
                    "20.17", "20.24", "20.40", "21.4", "21.12"}
    assert text_clauses <= said
    for ref in text_clauses:
        assert any(ref in r.clauses and r.final_and_binding for r in routes.ROUTES), ref
    assert routes.route("R18").final_and_binding is Role.TAG  # §14.2: the TAG's decision
    assert routes.route("R10").final_and_binding is None  # §13.7-13.8 do not say so
    assert routes.route("R24").final_and_binding is None  # nor does §20.12A


def test_route_rows_are_consistent() -> None:
    for r in routes.ROUTES:
        if r.final_and_binding is not None:
            assert r.final_and_binding in r.decided_by, r.id
        if not r.referrer_stated:
            assert r.referred_to, r.id
        if r.referred_by:
            assert r.referred_to, r.id
    unstated = {r.id for r in routes.ROUTES if not r.referrer_stated}
    assert {"R6", "R7", "R32"} <= unstated  # "shall be referred" (A44)


def test_route_lookups() -> None:
    assert routes.route("R44").clauses == ("6.4(d)",)
    assert {r.id for r in routes.routes_citing("13.26")} == {"R15"}
    assert {r.id for r in routes.routes_citing("20.12")} == {"R24", "R25"}  # "20.12(a)", "20.12(b)"
    with pytest.raises(RuleNotFoundError, match="'R45'") as caught:
        routes.route("R45")
    assert isinstance(caught.value, LedgerError)


# --- time rules and Work Off Plans -------------------------------------------------------------


def test_every_working_day_number_in_the_text_is_carried_by_a_rule() -> None:
    numbers: dict[str, set[int]] = {}
    for ref in {ref.split("(")[0] for r in all_rows() for ref in cited(r) if not ref.startswith("Table")}:
        found = clause(ref)
        if found is not None:
            numbers[ref] = {int(n) for n in re.findall(r"(\d+) Working Days", unstruck(found[0]))}
    numbers = {ref: n for ref, n in numbers.items() if n}
    assert set(numbers) >= {"13.4", "13.7", "13.26", "15.1", "20.2", "20.12", "20.37"}
    for ref, amounts in numbers.items():
        carried = {r.amount for r in deadlines.TIME_RULES
                   if any(c == ref or c.startswith(f"{ref}(") for c in r.clauses)}
        if ref == "15.1":
            carried |= {w.working_days for w in deadlines.WORK_OFF_PLAN_WINDOWS}
        assert amounts <= carried, (ref, amounts, carried)


def test_route_windows_agree_with_the_time_rules() -> None:
    for r in routes.routes_with_window():
        assert r.window is not None
        assert any(t.amount == r.window.working_days and r.window.clause in t.clauses
                   and t.unit is deadlines.TimeUnit.WORKING_DAYS for t in deadlines.TIME_RULES), r.id


def test_time_rule_spot_checks() -> None:
    tr3 = deadlines.time_rule("TR3")
    assert (tr3.amount, tr3.unit, tr3.clauses) == (5, deadlines.TimeUnit.WORKING_DAYS, ("13.26",))
    assert deadlines.time_rule("TR8").kind is deadlines.TimeRuleKind.LEAD_TIME  # "in advance of"
    assert deadlines.time_rule("TR6").unit is deadlines.TimeUnit.WEEKS
    assert deadlines.time_rule("TR37").unit is deadlines.TimeUnit.MONTHS
    for rule in deadlines.TIME_RULES:
        assert (rule.amount is None) == (rule.unit is deadlines.TimeUnit.NONE) or rule.id == "TR4"
    with pytest.raises(RuleNotFoundError, match="'TR38'"):
        deadlines.time_rule("TR38")


def test_work_off_plan_windows_are_20_40_60() -> None:
    assert [(w.severity, w.working_days, w.clause) for w in deadlines.WORK_OFF_PLAN_WINDOWS] == [
        (3, 20, "15.1(a)"), (4, 40, "15.1(b)"), (5, 60, "15.1(c)")]


@pytest.mark.parametrize(
    ("tcc_issued", "severity", "due"),
    [
        ("2024-12-02", 3, "2025-01-02"),  # over Christmas, Boxing Day and New Year's Day
        ("2024-12-02", 4, "2025-01-30"),
        ("2024-12-02", 5, "2025-02-27"),
        ("2024-03-28", 3, "2024-04-29"),  # over Easter
    ],
)
def test_work_off_plan_due(tcc_issued: str, severity: int, due: str) -> None:
    limit = deadlines.work_off_plan_due(date.fromisoformat(tcc_issued), severity)
    assert limit.due == date.fromisoformat(due)
    assert limit.trigger == date.fromisoformat(tcc_issued)
    assert limit.ends_at == datetime.combine(limit.due, datetime.max.time(), tzinfo=LONDON)
    assert limit.convention == CONVENTION


@pytest.mark.parametrize(("severity", "message"), [(1, "A31"), (2, "A31"), (0, "1-5"), (6, "1-5")])
def test_work_off_plan_due_has_no_date_for_other_severities(severity: int, message: str) -> None:
    with pytest.raises(RuleNotFoundError, match=message):
        deadlines.work_off_plan_due(date(2024, 12, 2), severity)


def test_seed_is_the_whole_text() -> None:
    assert len(seed_lines()) > 900  # a truncated copy would let clauses go missing unnoticed
