"""What a Test Traceability Matrix records (``ledger.ttm``): its versions and their assurance, the
changes to the requirements baseline, the reports a version is used in, and the structural checks
on command arguments, which raise ``InvalidTtmEventError`` naming the field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from ledger.document_values import SHA256_HEX
from ledger.errors import InvalidTtmEventError

_VERSION = re.compile(r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$")


class TtmReport(StrEnum):
    """What a TTM version is used for (§11.3): tracking SIT progress, the SIT Auditor's interim
    opinion (§19.5, IOC), the SMETS1 SIT Audit Report (§19.4(a)), a Completion Report (§19.6(a))."""

    SIT_PROGRESS = "sit_progress"
    INTERIM_OPINION = "interim_opinion"
    SIT_AUDIT_REPORT = "sit_audit_report"
    COMPLETION_REPORT = "completion_report"


#: The clauses a use of the TTM in each report acts under.
REPORT_CLAUSES: dict[TtmReport, tuple[str, ...]] = {
    TtmReport.SIT_PROGRESS: ("11.3",),
    TtmReport.INTERIM_OPINION: ("19.5",),
    TtmReport.SIT_AUDIT_REPORT: ("11.3", "19.4(a)"),
    TtmReport.COMPLETION_REPORT: ("11.3", "19.6(a)"),
}


@dataclass(frozen=True)
class TtmVersion:
    """One published version of the TTM: the requirements (``Requirement`` ids) of the baseline it
    maps to test scenarios (``TestScenario`` ids), and its assurance by the DCC once recorded.
    ``version_event`` and ``assured_event`` are the versions of the events that recorded them."""

    version: str
    requirements_baseline: str
    document_sha256: str
    requirement_ids: tuple[str, ...]
    scenario_ids: tuple[str, ...]
    reason: str | None
    published_on: date
    version_event: int
    assured_on: date | None = None
    assurance_report_sha256: str | None = None
    assured_event: int | None = None


@dataclass(frozen=True)
class BaselineChange:
    """Sections F, G, H, L, N or P of the Amended SMETS1 SEC changed: ``requirements_baseline`` is
    in force from ``effective_on`` (§11.2)."""

    requirements_baseline: str
    changed_sections: tuple[str, ...]
    effective_on: date
    version: int


@dataclass(frozen=True)
class ReportUse:
    """A TTM version used in a report (§11.3), recorded as event ``version``."""

    ttm_version: str
    report: TtmReport
    report_sha256: str
    version: int


def fail(field: str, reason: str) -> InvalidTtmEventError:
    return InvalidTtmEventError(field, reason)


def require_text(field: str, value: str | None, whose: str) -> str:
    if value is None or not value.strip():
        raise fail(field, f"{whose}: must be given and not empty")
    return value


def require_sha256(field: str, value: str | None, whose: str) -> str:
    if value is None or not SHA256_HEX.match(value):
        raise fail(field, f"{whose}: {value!r} is not a SHA-256 (64 lowercase hex digits)")
    return value


def require_ids(field: str, values: list[str], whose: str, what: str) -> list[str]:
    """At least one aggregate id (UUID), none twice; returns them in canonical form."""
    if not values:
        raise fail(field, f"{whose}: lists no {what} (11.1)")
    ids: list[str] = []
    for value in values:
        try:
            ids.append(str(UUID(value)))
        except (ValueError, TypeError, AttributeError):
            raise fail(field, f"{whose}: {value!r} is not a {what} id (UUID)") from None
    if len(set(ids)) != len(ids):
        raise fail(field, f"{whose}: a {what} is listed twice")
    return ids


def version_key(version: str) -> tuple[int, ...]:
    """The order of TTM version numbers: dotted numbers compared part by part, trailing zeros
    ignored (``1.10`` follows ``1.9``; ``2`` and ``2.0`` are one version)."""
    parts = [int(p) for p in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def require_version_number(version: str, whose: str) -> str:
    if not isinstance(version, str) or not _VERSION.match(version):
        raise fail("version", f"{whose}: {version!r} is not a version number such as 1, 1.2 or 2.0.1")
    return version
