"""What a Test Phase records (``ledger.phases``): the records its history leaves (criterion
facts, entry, stages, certificates and acts on them, determinations) and the structural checks
on command arguments, which raise ``InvalidPhaseEventError`` naming the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledger.document_values import SHA256_HEX
from ledger.errors import InvalidPhaseEventError
from ledger.rules.phase_kinds import EntryCriterion, StageKind
from ledger.rules.roles import Role


@dataclass(frozen=True)
class CriterionFact:
    criterion: EntryCriterion
    met: bool
    document_sha256: str | None
    basis: str | None
    occurred_at: datetime
    version: int


@dataclass(frozen=True)
class Entry:
    """The entry event and the latest fact per §12.5 criterion recorded before it."""

    version: int
    occurred_at: datetime
    criteria: tuple[CriterionFact, ...]


@dataclass(frozen=True)
class Stage:
    stage_id: str
    name: str
    kind: StageKind
    entered_version: int
    exited_version: int | None = None


@dataclass(frozen=True)
class Certificate:
    """A Test Completion Certificate issued to a DCC Service Provider (def.; A28, A51)."""

    certificate_id: str
    service_provider: str
    tab_approval_sha256: str | None
    certificate_sha256: str | None
    version: int
    revoked: bool = False


@dataclass(frozen=True)
class CertificateAct:
    """A revocation or reinstatement (§15.2, A32) and the body that decided it."""

    certificate_id: str
    revoked: bool
    decided_by: Role
    occurred_at: datetime
    version: int


@dataclass(frozen=True)
class Determination:
    """A completion determination or a direction to continue, with what stood when it was made."""

    completed: bool
    decided_by: Role
    occurred_at: datetime
    version: int
    certificates_in_force: tuple[str, ...]
    tag_review_since_exit_proposed: bool
    outstanding_matters: tuple[str, ...] = ()


# -- structural checks ------------------------------------------------------------------------
def fail(field: str, reason: str) -> InvalidPhaseEventError:
    return InvalidPhaseEventError(field, reason)


def require_role(field: str, value: Role | str, context: dict[str, Any], whose: str) -> Role:
    try:
        role = Role(value)
    except ValueError:
        raise fail(field, f"{whose}: {value!r} is not a role") from None
    behalf = context.get("on_behalf_of")
    if behalf is not None and behalf != role.value:
        raise fail(field, f"{whose}: {role.value} decided, but it is recorded on behalf of {behalf}")
    return role


def require_sha256(field: str, value: str | None, whose: str) -> None:
    if value is not None and not SHA256_HEX.match(value):
        raise fail(field, f"{whose}: {value!r} is not a SHA-256 (64 lowercase hex digits)")


def require_name(field: str, value: str | None, whose: str) -> str:
    if value is None or not value.strip():
        raise fail(field, f"{whose}: must be given and not empty")
    return value
