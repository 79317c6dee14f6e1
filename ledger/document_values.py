"""What documents and notices share (``ledger.documents``, ``ledger.notices``): the parties who
issue, give or receive them, the confidentiality marking, and the structural checks on command
arguments. The checks raise ``InvalidDocumentEventError`` naming the field; nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from ledger.context import citing
from ledger.errors import InvalidDocumentEventError
from ledger.rules.document_types import Audience, TypeRow
from ledger.rules.roles import Role

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
E = TypeVar("E", bound=StrEnum)


class ConfidentialityMarking(StrEnum):
    """The marking a document carries (§9.6 "appropriate confidentiality markings").

    The text prescribes no scheme; these three are the ledger's (derived): ``public`` may be
    published; ``restricted`` goes to its named recipients only; ``confidential`` is marked so.
    """

    PUBLIC = "public"
    RESTRICTED = "restricted"
    CONFIDENTIAL = "confidential"


@dataclass(frozen=True)
class Party:
    """Who issues, gives or receives: a role or an audience, optionally a named one
    (``Party(Role.SUPPLIER, "Acme Energy")``)."""

    role: Role | Audience
    name: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"role": self.role.value, "name": self.name}

    @classmethod
    def from_json(cls, data: dict[str, str | None]) -> Party:
        return cls(_party_role(str(data["role"])), data["name"])


def _party_role(value: str) -> Role | Audience:
    try:
        return Role(value)
    except ValueError:
        return Audience(value)


def fail(field: str, reason: str) -> InvalidDocumentEventError:
    return InvalidDocumentEventError(field, reason)


def require_enum(kind: type[E], field: str, value: E | str, whose: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise fail(field, f"{whose}: {value!r} is not a {kind.__name__}") from None


def require_sha256(field: str, value: str | None, whose: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not SHA256_HEX.match(value):
        raise fail(field, f"{whose}: {value!r} is not a SHA-256 (64 lowercase hex digits)")
    return value


def require_text(field: str, value: str, whose: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(field, f"{whose}: must not be empty")
    return value


def require_party(field: str, party: Party, whose: str) -> dict[str, str | None]:
    if not isinstance(party, Party) or not isinstance(party.role, Role | Audience):
        raise fail(field, f"{whose}: {party!r} is not a Party of a Role or Audience")
    if party.name is not None:
        require_text(field, party.name, whose)
    return party.as_json()


def require_parties(field: str, parties: Sequence[Party], whose: str) -> list[dict[str, str | None]]:
    return [require_party(field, p, whose) for p in parties]


def with_clauses(context: dict[str, Any], row: TypeRow) -> dict[str, Any]:
    """The context, its clauses defaulting to the type's row (every event cites its clauses)."""
    return citing(context, *row.clauses)

