"""What a record of end-of-cycle or regression runs holds (``ledger.cycle_runs``): each run and its
results, the clauses its events cite, and the structural checks on command arguments, which raise
``InvalidCycleRunEventError`` naming the field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.document_values import SHA256_HEX
from ledger.errors import InvalidCycleRunEventError
from ledger.planned_test_values import TestKind
from ledger.rules.phase_kinds import OperatingCapability, PhaseKind

#: Migration Test Phases: they have end-of-cycle testing too (§5.6) and a D&B Regression (§7.6).
MT_KINDS = frozenset({PhaseKind.ACTIVE_MMT, PhaseKind.DORMANT_MMT, PhaseKind.MIXED_MMT})
#: End-of-cycle runs are MOC/FOC (§7.4(c), §5.6; Table 13.1 #2A for MOC/FOC only: domain README, A18).
END_OF_CYCLE_RELEASES = frozenset({OperatingCapability.MOC, OperatingCapability.FOC})
#: §7.4(c): "two functional end of cycle test runs" before exiting a MOC/FOC SIT Test Phase.
END_OF_CYCLE_RUNS = 2


@dataclass(frozen=True)
class RunResults:
    """What a run ended with: the planned tests of its kind, how many were executed and passed,
    the defects (Testing Issue references) the DCC excludes from the pass rate, and optionally
    the planned test executions (``"{planned test id}:{version}"``) and the results' evidence."""

    planned_tests: int
    executed: int
    passed: int
    excluded_defects: tuple[str, ...]
    execution_ids: tuple[str, ...]
    results_sha256: str | None
    ended_at: datetime
    version: int

    @property
    def failed(self) -> int:
        return self.executed - self.passed


@dataclass(frozen=True)
class CycleRun:
    """One run: ``known_defects`` are the Testing Issue references known at its start (Table 13.1
    #2A item 1; #2B and A24 for regression); ``run_id`` is the scope of a Testing Issue's
    ``end_of_cycle`` exclusion for this run (``ExclusionKind``)."""

    run_number: int
    run_id: str
    known_defects: tuple[str, ...]
    environment: str | None
    codebase_version: str | None
    started_at: datetime
    version: int
    device_sets: tuple[str, ...] = ()
    dnb_regression_version: str | None = None
    dnb_regression_sha256: str | None = None
    results: RunResults | None = None


def cycle_run_id(phase_id: str, kind: TestKind, run_number: int) -> str:
    """The id of run ``run_number`` of ``kind`` in phase ``phase_id``, from that natural key."""
    return str(uuid5(NAMESPACE_URL, f"akledger:cycle-run:{phase_id}:{kind.value}:{run_number}"))


def dnb_regression_applies(phase_kind: PhaseKind, capability: OperatingCapability) -> bool:
    """MOC/FOC regression in SIT and MT follows the Depth and Breadth of Regression Testing
    document for those phases (§7.4(d), §7.6-7.7); IOC regression does not (§7.4(b), §7.5)."""
    in_scope = phase_kind is PhaseKind.SIT or phase_kind in MT_KINDS
    return in_scope and capability in END_OF_CYCLE_RELEASES


def default_clauses(
    kind: TestKind, phase_kind: PhaseKind, capability: OperatingCapability
) -> tuple[str, ...]:
    """The clauses a run's events cite when the command gives none."""
    sit = phase_kind is PhaseKind.SIT
    if kind is TestKind.END_OF_CYCLE:
        return ("7.4(c)", "Table 13.1 #2A") if sit else ("5.6",)
    if dnb_regression_applies(phase_kind, capability):
        return ("7.4(d)", "7.6", "Table 13.1 #2B") if sit else ("7.4(d)", "7.6")
    return ("7.4(b)", "7.5", "Table 13.1 #2B") if sit else ("9.3",)


# -- structural checks ------------------------------------------------------------------------
def fail(field: str, reason: str) -> InvalidCycleRunEventError:
    return InvalidCycleRunEventError(field, reason)


def require_text(field: str, value: str | None, whose: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(field, f"{whose}: must be given and not empty")
    return value


def require_sha256(field: str, value: str | None, whose: str) -> None:
    if value is not None and not SHA256_HEX.match(value):
        raise fail(field, f"{whose}: {value!r} is not a SHA-256 (64 lowercase hex digits)")


def require_uuid(field: str, value: str, whose: str) -> str:
    try:
        return str(UUID(value))
    except (ValueError, TypeError, AttributeError):
        raise fail(field, f"{whose}: {value!r} is not an aggregate id (UUID)") from None


def require_refs(field: str, values: Sequence[str] | None, whose: str) -> list[str]:
    """Distinct, non-empty references; ``None`` or empty is no reference."""
    if isinstance(values, str):
        raise fail(field, f"{whose}: must be a list, got {values!r}")
    refs = [require_text(field, value, whose) for value in values or []]
    if repeated := sorted({r for r in refs if refs.count(r) > 1}):
        raise fail(field, f"{whose}: lists {', '.join(repeated)} more than once")
    return refs


def require_count(field: str, value: int, whose: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise fail(field, f"{whose}: {value!r} is not a whole number of tests")
    return value
