"""What the DMCT Process aggregates share (``ledger.dmct.dmc``, ``ledger.dmct.entry``): the enums of
their command arguments, the input dataclasses of the draft DMCT Testing Report, and the structural
checks on arguments, which raise ``InvalidDmctEventError`` naming the field.

Enum members are stored in events by ``.value`` (house rule 3: payloads are JSON); dates as
ISO-8601 strings; deadlines as ``Deadline.as_json()`` with the Working Day convention that
computed them (A38).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from ledger.calendar import Deadline, deadline
from ledger.dmct.errors import InvalidDmctEventError
from ledger.document_values import SHA256_HEX
from ledger.rules.document_types import Audience
from ledger.rules.roles import Role
from ledger.rules.routes import route
from ledger.work_off_plans import deadline_from_json

E = TypeVar("E", bound=StrEnum)


def _window_days(route_id: str) -> int:
    found = route(route_id).window
    assert found is not None, route_id
    return found.working_days


#: The Working Day windows, from the route table: §20.12 (R24, R25) and §20.37 (R36).
DISAGREEMENT_WINDOW = _window_days("R24")
REFERRAL_WINDOW = _window_days("R36")


class DataSource(StrEnum):
    """Whom the DCC asks for data a Supplier Party could not give (§20.4)."""

    METER_MANUFACTURER = "meter_manufacturer"
    SMSO = "smso"  # a SMETS1 SMSO acting as DCC Service Provider (also Dormant Meter data)


class AssessmentResult(StrEnum):
    """The §20.6 result: which of (a)-(f) applies; ``none`` (schedule it, §20.9); or testing
    planned with dates the DCC is not reasonably confident of (§20.11, A33)."""

    A = "a"  # already on, or proposed for, the EPCL
    B = "b"  # MOC/FOC SIT DMC, IOC MT DMC, or in PPCT (A13)
    C = "c"  # Capability Release MT/SIT timescales too uncertain
    D = "d"  # substantively equivalent: sub-basis d(i)/(ii)/(iii)
    E = "e"  # devices cannot be sourced, or not yet known
    F = "f"  # not economic to test (§20.7)
    NONE = "none"
    DATES_UNCERTAIN = "dates_uncertain"


#: Results excluding the DMC from the schedule, notified under §20.11 (reasons (a)-(e)).
EXCLUDING = frozenset({AssessmentResult.A, AssessmentResult.B, AssessmentResult.C, AssessmentResult.D,
                       AssessmentResult.E, AssessmentResult.DATES_UNCERTAIN})
#: Results whose §20.11 notice needs a rationale (§20.11(b)).
NEEDS_RATIONALE = frozenset({AssessmentResult.C, AssessmentResult.D, AssessmentResult.E,
                             AssessmentResult.DATES_UNCERTAIN})
#: Results a Supplier Party may disagree with within 20 Working Days (§20.12(a)/(b)).
DISPUTABLE = frozenset({AssessmentResult.C, AssessmentResult.D, AssessmentResult.DATES_UNCERTAIN})


class EquivalenceBasis(StrEnum):
    """§20.6(d): equivalent to (i) an entry on the EPCL, (ii) an entry proposed for it, (iii) a
    DMC planned for testing (its EPCL Report waits for that final report, §20.41)."""

    D_I = "d_i"
    D_II = "d_ii"
    D_III = "d_iii"


class DisagreementGround(StrEnum):
    """What a Supplier Party disagrees with (§20.12): equivalence (a) or timescale (b)."""

    EQUIVALENCE = "equivalence"
    TIMESCALE = "timescale"


class DeviceChange(StrEnum):
    """What option (c) needs (§20.25(a)-(c))."""

    FIRMWARE = "firmware"
    CONFIGURATION = "configuration"
    BOTH = "both"


class IssueOption(StrEnum):
    """The §20.20 option the DCC recommends for a DMCT Testing Issue."""

    A = "a"  # DCC Internal Systems change only (§20.22)
    B = "b"  # DCC Systems and Code change (§20.23-20.24)
    C = "c"  # SMETS1 Device change (§20.25-20.26)
    D = "d"  # Code change only (§20.27)


class CompletionOutcome(StrEnum):
    SUCCESSFUL = "successful"  # §20.32
    UNSUCCESSFUL = "unsuccessful"  # §20.33


class NotPossibleReason(StrEnum):
    """§20.33(b): why testing completed unsuccessfully without all tests executed."""

    TESTS_NOT_EXECUTABLE = "tests_not_executable"
    MT_NOT_COMPLETABLE = "mt_not_completable"
    BLOCKING_DEFECT = "blocking_defect"  # needs the SoS's agreement (A26)


class ReferralGround(StrEnum):
    """§20.37(a)-(c): why a Supplier Party refers a draft DMCT Testing Report."""

    RERUN_APPROACH = "rerun_approach"
    EXCLUSION = "exclusion"
    SEVERITY = "severity"


class TagGround(StrEnum):
    """§20.38(a)/(b): what TAG would determine differently."""

    SEVERITY = "severity"
    EXCLUSION = "exclusion"


class SosReportOutcome(StrEnum):
    """§20.40: (a) agrees; (b) successful after all; (c)(i) updated and final; (c)(ii) continue.
    Who chose between (c)(i) and (c)(ii) is not stated (A43): the SoS's direction is recorded."""

    A = "a"
    B = "b"
    C_I = "c_i"
    C_II = "c_ii"


@dataclass(frozen=True)
class ReportedTest:
    """A test of the pack as a draft DMCT Testing Report states it (§20.34/§20.35 (b), (c)):
    how many runs, and the latest result (``pass``, ``fail`` or ``not_run``)."""

    test_id: str
    runs: int
    result: str


@dataclass(frozen=True)
class ReportedIssue:
    """An open or excluded Testing Issue in a draft report (§20.34/§20.35 (d), (f), (g)): its
    severity and the rationale for that severity, or for its exclusion (§20.29(a))."""

    issue_id: str
    severity: int
    rationale: str


# -- structural checks ----------------------------------------------------------------------------
def fail(field: str, reason: str) -> InvalidDmctEventError:
    return InvalidDmctEventError(field, reason)


def require_text(field: str, value: object, whose: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(field, f"{whose}: must be given and not empty")
    return value


def optional_text(field: str, value: object, whose: str) -> str | None:
    return None if value is None else require_text(field, value, whose)


def require_names(field: str, values: object, whose: str, *, required: bool = True) -> list[str]:
    """Distinct, non-empty names; at least one when ``required``."""
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise fail(field, f"{whose}: must be a list, got {values!r}")
    names = [require_text(field, value, whose) for value in values]
    if required and not names:
        raise fail(field, f"{whose}: name at least one")
    if repeated := sorted({n for n in names if names.count(n) > 1}):
        raise fail(field, f"{whose}: lists {', '.join(repeated)} more than once")
    return names


def require_enum(kind: type[E], field: str, value: object, whose: str) -> E:
    if isinstance(value, str) and value in {m.value for m in kind}:
        return kind(value)
    allowed = ", ".join(m.value for m in kind)
    raise fail(field, f"{whose}: {value!r} is not a {kind.__name__} ({allowed})")


def require_enums(kind: type[E], field: str, values: object, whose: str) -> list[E]:
    return [require_enum(kind, field, v, whose) for v in require_names(field, values, whose)]


def require_sha256(field: str, value: object, whose: str) -> str:
    if not isinstance(value, str) or not SHA256_HEX.match(value):
        raise fail(field, f"{whose}: {value!r} is not a SHA-256 (64 lowercase hex digits)")
    return value


def optional_sha256(field: str, value: object, whose: str) -> str | None:
    return None if value is None else require_sha256(field, value, whose)


def require_bool(field: str, value: object, whose: str) -> bool:
    if not isinstance(value, bool):
        raise fail(field, f"{whose}: must be true or false, got {value!r}")
    return value


def require_date(field: str, value: object, whose: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise fail(field, f"{whose}: {value!r} is not a date")
    return value


def require_positive(field: str, value: object, whose: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise fail(field, f"{whose}: must be a whole number from 1, got {value!r}")
    return value


def require_recipients(field: str, values: object, whose: str) -> list[str]:
    """Distinct recipients: roles (``panel``, ``sos``, ``supplier`` ...) or audiences
    (``parties``, ``stakeholders`` ...)."""
    known = {r.value for r in Role} | {a.value for a in Audience}
    names = require_names(field, values, whose, required=False)
    for name in names:
        if name not in known:
            raise fail(field, f"{whose}: {name!r} is not a role or audience ({', '.join(sorted(known))})")
    return names


def require_decider(field: str, value: object, allowed: Sequence[Role], context: dict[str, Any],
                    whose: str) -> Role:
    """``value`` as one of the ``allowed`` bodies; a decision recorded on behalf of a body names it."""
    role = require_enum(Role, field, value, whose)
    if role not in allowed:
        raise fail(field, f"{whose}: decided by {', '.join(r.value for r in allowed)}, not {role.value}")
    behalf = context.get("on_behalf_of")
    if behalf is not None and behalf != role.value:
        raise fail(field, f"{whose}: {role.value} decided, but it is recorded on behalf of {behalf}")
    return role


def window(trigger: date, working_days: int) -> dict[str, Any]:
    """The stored deadline "within ``working_days`` of ``trigger``" (with its convention)."""
    return deadline(trigger, working_days).as_json()


def stored_deadline(data: dict[str, Any] | None) -> Deadline | None:
    return None if data is None else deadline_from_json(data)


def stamp(occurred_at: str) -> datetime:
    return datetime.fromisoformat(occurred_at)


__all__ = [
    "DISAGREEMENT_WINDOW",
    "DISPUTABLE",
    "EXCLUDING",
    "NEEDS_RATIONALE",
    "REFERRAL_WINDOW",
    "AssessmentResult",
    "CompletionOutcome",
    "DataSource",
    "DeviceChange",
    "DisagreementGround",
    "EquivalenceBasis",
    "IssueOption",
    "NotPossibleReason",
    "ReferralGround",
    "ReportedIssue",
    "ReportedTest",
    "SosReportOutcome",
    "TagGround",
    "fail",
    "optional_sha256",
    "optional_text",
    "require_bool",
    "require_date",
    "require_decider",
    "require_enum",
    "require_enums",
    "require_names",
    "require_positive",
    "require_recipients",
    "require_sha256",
    "require_text",
    "stamp",
    "stored_deadline",
    "window",
]
