"""The Test Phases and Capability Releases as data (def. "Test Phase", "Capability Release";
catalogue 2.2): how phases of each kind are keyed (``PHASE_KINDS``), the generic Entry Criteria of
§12.5 and the phases each applies to (``ENTRY_CRITERIA``), and the Test Stages (§12.4).

Applied by ``ledger.phases`` (``TestPhase``) and ``ledger.capability_releases``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OperatingCapability(StrEnum):
    """The Capability Releases (def.; their meanings are in the DCC Licence Condition 13 plan)."""

    IOC = "ioc"
    MOC = "moc"
    FOC = "foc"


class PhaseKind(StrEnum):
    """The Test Phases (def. "Test Phase"; UTS read as in A14)."""

    PIT = "pit"
    SIT = "sit"
    UTS = "uts"
    ACTIVE_MMT = "active_mmt"
    DORMANT_MMT = "dormant_mmt"
    MIXED_MMT = "mixed_mmt"
    SCT = "sct"


class EntryCriterion(StrEnum):
    A = "12.5(a)"
    B = "12.5(b)"
    C = "12.5(c)"
    D = "12.5(d)"
    E = "12.5(e)"
    F = "12.5(f)"


class StageKind(StrEnum):
    """Test Stages (§12.4); the Solution Test is the only one the text names, within SIT (def.)."""

    SOLUTION_TEST = "solution_test"
    END_OF_CYCLE = "end_of_cycle"  # §7.4(c), Table 13.1 #2A
    REGRESSION = "regression"  # §7.4, Table 13.1 #2B
    OTHER = "other"


@dataclass(frozen=True)
class PhaseKindRow:
    """How phases of a kind are keyed: per DCC Service Provider, and per planned EPCL entry in
    which releases."""

    clauses: tuple[str, ...]
    per_service_provider: bool
    per_epcl_entry_in: tuple[OperatingCapability, ...]


IOC, MOC, FOC = OperatingCapability.IOC, OperatingCapability.MOC, OperatingCapability.FOC
_MMT = PhaseKindRow(("Table 1.1", "5.5", "7.2"), False, (IOC, MOC, FOC))
PHASE_KINDS: dict[PhaseKind, PhaseKindRow] = {
    PhaseKind.PIT: PhaseKindRow(("Table 1.1", "5.5", "7.2"), True, ()),
    PhaseKind.SIT: PhaseKindRow(("Table 1.1", "5.5", "7.2"), False, (MOC, FOC)),
    PhaseKind.UTS: PhaseKindRow(("Table 1.1", "7.3"), False, ()),
    PhaseKind.ACTIVE_MMT: _MMT, PhaseKind.DORMANT_MMT: _MMT, PhaseKind.MIXED_MMT: _MMT,
    PhaseKind.SCT: PhaseKindRow(("Table 1.1", "5.5", "7.2"), False, ()),
}


@dataclass(frozen=True)
class EntryCriterionRow:
    """A generic Entry Criterion (§12.5): its words, the only phases it applies to (empty: all),
    and the phases that need not meet it."""

    text: str
    only_for: tuple[tuple[PhaseKind, OperatingCapability], ...] = ()
    not_required_for: tuple[tuple[PhaseKind, OperatingCapability], ...] = ()


_SIT = PhaseKind.SIT
ENTRY_CRITERIA: dict[EntryCriterion, EntryCriterionRow] = {
    EntryCriterion.A: EntryCriterionRow("test plan signed off by the DCC"),
    EntryCriterion.B: EntryCriterionRow(
        "Test Completion Certificates for any precursor Test Phase issued, unless it is determined "
        "that the Test Phase may overlap (§5.6; an MT phase is no precursor to SIT for MOC/FOC, §12.6)"),
    EntryCriterion.C: EntryCriterionRow(
        "test specification prepared, including the production of a TTM", not_required_for=((_SIT, IOC),)),
    EntryCriterion.D: EntryCriterionRow(
        "test laboratories, SMETS1 Devices, tools, stubs, environments and data in place, secure, ready"),
    EntryCriterion.E: EntryCriterionRow(
        "DCC has concluded its discussions with TAG on the draft Depth and Breadth of SIT document",
        only_for=((_SIT, MOC), (_SIT, FOC))),
    EntryCriterion.F: EntryCriterionRow("approval to proceed certificate issued by the DCC"),
}
