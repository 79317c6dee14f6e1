"""What a Planned Test records (``ledger.planned_tests``): its kind, executions, witnessing and
de-scope acts, and the structural checks on command arguments, which raise
``InvalidTraceabilityEventError`` naming the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from ledger.document_values import SHA256_HEX
from ledger.errors import InvalidTraceabilityEventError


class TestKind(StrEnum):
    """What a planned test is planned for (Table 13.1 #1A/#1B functional, #2A end of cycle,
    #2B regression)."""

    __test__ = False  # not a pytest test class

    FUNCTIONAL = "functional"
    END_OF_CYCLE = "end_of_cycle"
    REGRESSION = "regression"


class TestResult(StrEnum):
    """The outcome of one run (§8.1(i), §9.4(b): run, passed, failed, not run with reason)."""

    __test__ = False

    PASS = "pass"  # noqa: S105 (a test result, not a password)
    FAIL = "fail"
    NOT_RUN = "not_run"


NEEDS_REASON = frozenset({TestResult.FAIL, TestResult.NOT_RUN})


@dataclass(frozen=True)
class Execution:
    """One run of a planned test, and the version of the event that recorded it."""

    run_number: int
    result: TestResult
    reason: str | None
    environment: str
    codebase_version: str
    evidence_sha256: str | None
    executed_at: datetime
    executed_by: tuple[str, ...]
    version: int


@dataclass(frozen=True)
class Witnessing:
    """The DCC's observation of one run (§13.14-13.15)."""

    run_number: int
    observer: str
    deviation_from_script: bool
    observer_involved: bool
    version: int


@dataclass(frozen=True)
class DescopeAct:
    """A step of §12.9(a): the DCC's proposal (``approved`` None), the TAB's decision or
    recommendation, the SoS's approval or refusal, or the DCC applying the de-scope."""

    act: str  # proposed | tab_decided | sos_decided | applied
    approved: bool | None
    proposal: int  # number of the proposal it belongs to (1, 2, ...)
    version: int


def fail(field: str, reason: str) -> InvalidTraceabilityEventError:
    return InvalidTraceabilityEventError(field, reason)


def require_text(field: str, value: str | None, whose: str) -> str:
    if value is None or not value.strip():
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


def require_instant(field: str, value: str, whose: str) -> str:
    """An ISO-8601 timestamp with a time zone; returns it unchanged."""
    try:
        when = datetime.fromisoformat(value)
    except (ValueError, TypeError):
        raise fail(field, f"{whose}: {value!r} is not an ISO-8601 timestamp") from None
    if when.tzinfo is None:
        raise fail(field, f"{whose}: {value!r} must carry a time zone")
    return value
