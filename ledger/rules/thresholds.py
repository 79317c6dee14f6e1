"""Testing Issue Thresholds as data: Tables 13.2, 13.3 and 20.1, which applies where, counting rules.

A threshold is the maximum number of extant Testing Issues of a severity that may be permitted
(Table 1.1 "Testing Issue Thresholds"). A count passes when it is at or below the limit
(``within_threshold``; §12.9(c) "at or below", Table 13.1 #3 "within", §20.28 fails on "exceed").
Counting which issues are extant is a later projection; this module holds only the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ledger.rules.counting_rules import COUNTING_RULES, CountingRule
from ledger.rules.errors import RuleNotFoundError


class ThresholdTable(StrEnum):
    """The three threshold tables of Appendix AK, by table number."""

    TABLE_13_2 = "13.2"
    TABLE_13_3 = "13.3"
    TABLE_20_1 = "20.1"


class ThresholdScope(StrEnum):
    """A column of a threshold table: what the count is taken over."""

    PIT = "pit"
    SIT_IOC = "sit_ioc"
    SMETS1_INTERFACE_TESTING_IOC = "uts_smets1_interface_testing_ioc"
    SCT = "sct"
    SIT_MOC_FOC_PHASE = "sit_moc_foc_phase"
    SIT_MOC_FOC_AGGREGATE = "sit_moc_foc_aggregate"
    DMCT_PLANNED_EPCL_ENTRY = "dmct_planned_epcl_entry"
    DMCT_AGGREGATE = "dmct_aggregate"


class ThresholdContext(StrEnum):
    """A kind of testing whose exit (or completion) is gated by a threshold (catalogue 5.4)."""

    PIT = "pit"
    SIT_IOC = "sit_ioc"
    SMETS1_INTERFACE_TESTING_IOC = "smets1_interface_testing_ioc"
    SCT = "sct"
    MIGRATION_TEST_PHASE = "migration_test_phase"
    SIT_MOC_FOC = "sit_moc_foc"
    DMCT_PLANNED_EPCL_ENTRY = "dmct_planned_epcl_entry"
    SMETS1_UPLIFT_DCC_TESTING = "smets1_uplift_dcc_testing"


@dataclass(frozen=True)
class ThresholdColumn:
    """One column of a threshold table: its heading exactly as in the text, and who is counted."""

    table: ThresholdTable
    scope: ThresholdScope
    heading: str
    counted_across: str
    clause: str


@dataclass(frozen=True)
class ThresholdRow:
    """The limit for one severity in one column of one table."""

    table: ThresholdTable
    scope: ThresholdScope
    severity: int
    limit: int
    clause: str
    note: str


@dataclass(frozen=True)
class ThresholdApplicability:
    """Which table and columns gate a kind of testing (catalogue 5.4); ``table`` None: set elsewhere."""

    context: ThresholdContext
    table: ThresholdTable | None
    scopes: tuple[ThresholdScope, ...]
    counted_across: str
    clauses: tuple[str, ...]
    note: str


_T132, _T133, _T201 = ThresholdTable.TABLE_13_2, ThresholdTable.TABLE_13_3, ThresholdTable.TABLE_20_1

# Table titles exactly as in the text.
TABLE_TITLES: dict[ThresholdTable, str] = {
    _T132: "Table 13.2 Testing Issue Thresholds per DCC Service Provider",
    _T133: "Table 13.3 SMETS 1 SVTAD Testing Issue Thresholds for SIT in the Circumstances of MOC or FOC",
    _T201: "Table 20.1 SMETS 1 SVTAD Testing Issue Thresholds for DMCT",
}
_S = ThresholdScope
_PER_SP = "per DCC Service Provider (§13.22)"
_SIT_COLLECTIVE = "all DCC Service Providers collectively (§13.23)"
_DMCT_COLLECTIVE = (
    "all DCC Service Providers collectively, including the relevant SMETS1 SMSO acting as a "
    "DCC Service Provider (§20.28)"
)

COLUMNS: tuple[ThresholdColumn, ...] = (
    ThresholdColumn(_T132, _S.PIT, "PIT", _PER_SP, "13.22"),
    ThresholdColumn(_T132, _S.SIT_IOC, "SIT (IOC only)", _PER_SP, "13.22"),
    # The heading has an en dash, as in the text.
    ThresholdColumn(_T132, _S.SMETS1_INTERFACE_TESTING_IOC,
                    "UTS \u2013 SMETS1 Interface Testing (IOC Only)", _PER_SP, "13.22"),
    ThresholdColumn(_T132, _S.SCT, "SCT", _PER_SP, "13.22"),
    ThresholdColumn(_T133, _S.SIT_MOC_FOC_PHASE,
                    "For Clause 13.23 (a) SIT Test Phases for MOC or FOC", _SIT_COLLECTIVE, "13.23(a)"),
    ThresholdColumn(_T133, _S.SIT_MOC_FOC_AGGREGATE,
                    "For Clause 13.23 (b) Aggregate limit across SIT Test Phases for MOC or FOC",
                    _SIT_COLLECTIVE, "13.23(b)"),
    ThresholdColumn(_T201, _S.DMCT_PLANNED_EPCL_ENTRY,
                    "For Clause 20.28 (a) Planned entry on the EPCL", _DMCT_COLLECTIVE, "20.28(a)"),
    ThresholdColumn(_T201, _S.DMCT_AGGREGATE,
                    "For Clause 20.28 (b) Aggregate limit across DMCT", _DMCT_COLLECTIVE, "20.28(b)"),
)

_PIT = "Table 13.2 PIT: per DCC Service Provider, each Capability Release"
_SIT = "Table 13.2 SIT (IOC only): per DCC Service Provider"
_UTS = "Table 13.2 UTS column: SMETS1 Interface Testing exit, IOC only (§13.21)"
_SCT = "Table 13.2 SCT: per DCC Service Provider, each Capability Release"
_SITA = "Table 13.3 (a): this SIT Test Phase (one per planned EPCL entry), all providers together"
_SITB = "Table 13.3 (b): open issues for MOC or FOC across SIT Test Phases (scope: A10)"
_DMA = "Table 20.1 (a): this planned EPCL entry, all providers together"
_DMB = "Table 20.1 (b): open issues irrespective of where they arose (scope: A11)"

THRESHOLDS: tuple[ThresholdRow, ...] = (
    # Table 13.2 Testing Issue Thresholds per DCC Service Provider (§13.22), verbatim.
    ThresholdRow(_T132, _S.PIT, 1, 0, "13.22", _PIT),
    ThresholdRow(_T132, _S.PIT, 2, 0, "13.22", _PIT),
    ThresholdRow(_T132, _S.PIT, 3, 15, "13.22", _PIT),
    ThresholdRow(_T132, _S.PIT, 4, 30, "13.22", _PIT),
    ThresholdRow(_T132, _S.PIT, 5, 60, "13.22", _PIT),
    ThresholdRow(_T132, _S.SIT_IOC, 1, 0, "13.22", _SIT),
    ThresholdRow(_T132, _S.SIT_IOC, 2, 0, "13.22", _SIT),
    ThresholdRow(_T132, _S.SIT_IOC, 3, 15, "13.22", _SIT),
    ThresholdRow(_T132, _S.SIT_IOC, 4, 30, "13.22", _SIT),
    ThresholdRow(_T132, _S.SIT_IOC, 5, 60, "13.22", _SIT),
    ThresholdRow(_T132, _S.SMETS1_INTERFACE_TESTING_IOC, 1, 0, "13.22", _UTS),
    ThresholdRow(_T132, _S.SMETS1_INTERFACE_TESTING_IOC, 2, 0, "13.22", _UTS),
    ThresholdRow(_T132, _S.SMETS1_INTERFACE_TESTING_IOC, 3, 5, "13.22", _UTS),
    ThresholdRow(_T132, _S.SMETS1_INTERFACE_TESTING_IOC, 4, 10, "13.22", _UTS),
    ThresholdRow(_T132, _S.SMETS1_INTERFACE_TESTING_IOC, 5, 20, "13.22", _UTS),
    ThresholdRow(_T132, _S.SCT, 1, 0, "13.22", _SCT),
    ThresholdRow(_T132, _S.SCT, 2, 0, "13.22", _SCT),
    ThresholdRow(_T132, _S.SCT, 3, 15, "13.22", _SCT),
    ThresholdRow(_T132, _S.SCT, 4, 30, "13.22", _SCT),
    ThresholdRow(_T132, _S.SCT, 5, 60, "13.22", _SCT),
    # Table 13.3 SIT in the circumstances of MOC or FOC (§13.23), verbatim.
    ThresholdRow(_T133, _S.SIT_MOC_FOC_PHASE, 1, 0, "13.23(a)", _SITA),
    ThresholdRow(_T133, _S.SIT_MOC_FOC_PHASE, 2, 0, "13.23(a)", _SITA),
    ThresholdRow(_T133, _S.SIT_MOC_FOC_PHASE, 3, 15, "13.23(a)", _SITA),
    ThresholdRow(_T133, _S.SIT_MOC_FOC_PHASE, 4, 30, "13.23(a)", _SITA),
    ThresholdRow(_T133, _S.SIT_MOC_FOC_PHASE, 5, 60, "13.23(a)", _SITA),
    ThresholdRow(_T133, _S.SIT_MOC_FOC_AGGREGATE, 1, 0, "13.23(b)", _SITB),
    ThresholdRow(_T133, _S.SIT_MOC_FOC_AGGREGATE, 2, 0, "13.23(b)", _SITB),
    ThresholdRow(_T133, _S.SIT_MOC_FOC_AGGREGATE, 3, 30, "13.23(b)", _SITB),
    ThresholdRow(_T133, _S.SIT_MOC_FOC_AGGREGATE, 4, 60, "13.23(b)", _SITB),
    ThresholdRow(_T133, _S.SIT_MOC_FOC_AGGREGATE, 5, 120, "13.23(b)", _SITB),
    # Table 20.1 DMCT (§20.28), verbatim.
    ThresholdRow(_T201, _S.DMCT_PLANNED_EPCL_ENTRY, 1, 0, "20.28(a)", _DMA),
    ThresholdRow(_T201, _S.DMCT_PLANNED_EPCL_ENTRY, 2, 0, "20.28(a)", _DMA),
    ThresholdRow(_T201, _S.DMCT_PLANNED_EPCL_ENTRY, 3, 15, "20.28(a)", _DMA),
    ThresholdRow(_T201, _S.DMCT_PLANNED_EPCL_ENTRY, 4, 30, "20.28(a)", _DMA),
    ThresholdRow(_T201, _S.DMCT_PLANNED_EPCL_ENTRY, 5, 60, "20.28(a)", _DMA),
    ThresholdRow(_T201, _S.DMCT_AGGREGATE, 1, 0, "20.28(b)", _DMB),
    ThresholdRow(_T201, _S.DMCT_AGGREGATE, 2, 0, "20.28(b)", _DMB),
    ThresholdRow(_T201, _S.DMCT_AGGREGATE, 3, 30, "20.28(b)", _DMB),
    ThresholdRow(_T201, _S.DMCT_AGGREGATE, 4, 60, "20.28(b)", _DMB),
    ThresholdRow(_T201, _S.DMCT_AGGREGATE, 5, 120, "20.28(b)", _DMB),
)

_C = ThresholdContext
WHICH_TABLE: tuple[ThresholdApplicability, ...] = (
    ThresholdApplicability(_C.PIT, _T132, (_S.PIT,), _PER_SP, ("13.22",),
                           "each Capability Release (§7.2)"),
    ThresholdApplicability(_C.SIT_IOC, _T132, (_S.SIT_IOC,), _PER_SP, ("13.22",), ""),
    ThresholdApplicability(_C.SMETS1_INTERFACE_TESTING_IOC, _T132, (_S.SMETS1_INTERFACE_TESTING_IOC,),
                           _PER_SP, ("13.21", "13.22"),
                           "applied at SMETS1 Interface Testing exit, not UTS Test Phase exit (§13.21)"),
    ThresholdApplicability(_C.SCT, _T132, (_S.SCT,), _PER_SP, ("13.22",),
                           "each Capability Release (§7.2)"),
    ThresholdApplicability(_C.MIGRATION_TEST_PHASE, None, (), "as set out in the MTAD", ("13.22",),
                           "Active, Dormant and Mixed MMT: thresholds are in the MTAD, not here"),
    ThresholdApplicability(_C.SIT_MOC_FOC, _T133, (_S.SIT_MOC_FOC_PHASE, _S.SIT_MOC_FOC_AGGREGATE),
                           _SIT_COLLECTIVE, ("13.23",),
                           "both columns must be met: (a) this SIT Test Phase, (b) the aggregate"),
    ThresholdApplicability(_C.DMCT_PLANNED_EPCL_ENTRY, _T201,
                           (_S.DMCT_PLANNED_EPCL_ENTRY, _S.DMCT_AGGREGATE), _DMCT_COLLECTIVE, ("20.28",),
                           "both columns must be met: (a) this planned entry, (b) the aggregate"),
    ThresholdApplicability(_C.SMETS1_UPLIFT_DCC_TESTING, None, (),
                           "as set out in each SMETS1 Uplift DCC Testing Approach Document", ("21.3(g)",),
                           "thresholds and exclusion process are set per Uplift TAD"),
)


def within_threshold(count: int, limit: int) -> bool:
    """True if ``count`` extant issues are at or below ``limit`` (§12.9(c); Table 13.1 #3; §20.28)."""
    return count <= limit


def limit_for(table: ThresholdTable, severity: int, scope: ThresholdScope) -> int:
    """The limit for ``severity`` in column ``scope`` of ``table``.

    Raises ``RuleNotFoundError`` if the table has no such column or severity (severities are 1-5).
    """
    for row in THRESHOLDS:
        if row.table is table and row.scope is scope and row.severity == severity:
            return row.limit
    raise RuleNotFoundError(
        f"Table {table.value} has no limit for severity {severity!r} in column {scope.value!r}"
    )


def columns_of(table: ThresholdTable) -> tuple[ThresholdColumn, ...]:
    """The columns of ``table`` in the order the text prints them."""
    return tuple(c for c in COLUMNS if c.table is table)


def which_table(context: ThresholdContext) -> ThresholdApplicability:
    """Which table and columns gate ``context`` (catalogue 5.4). Every context has a row."""
    for row in WHICH_TABLE:
        if row.context is context:
            return row
    raise RuleNotFoundError(f"no threshold applicability row for context {context.value!r}")


def counting_rule(rule_id: str) -> CountingRule:
    """The counting rule ``rule_id`` (T1-T20). Raises ``RuleNotFoundError`` if there is none."""
    for rule in COUNTING_RULES:
        if rule.id == rule_id:
            return rule
    raise RuleNotFoundError(f"no counting rule {rule_id!r} (T1-T20)")


__all__ = [
    "COLUMNS",
    "COUNTING_RULES",
    "TABLE_TITLES",
    "THRESHOLDS",
    "WHICH_TABLE",
    "CountingRule",
    "ThresholdApplicability",
    "ThresholdColumn",
    "ThresholdContext",
    "ThresholdRow",
    "ThresholdScope",
    "ThresholdTable",
    "columns_of",
    "counting_rule",
    "limit_for",
    "which_table",
    "within_threshold",
]
