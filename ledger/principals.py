"""Principals: the people and systems that record events, each holding one role (issue 3 item 5).

A principal is named by a handle (``acme-energy-ops``); its id is derived from that name, so the
same name always means the same principal. Its role is one of the Appendix AK bodies of catalogue
section 1 (``ledger.rules.roles.Role``) or ``admin``; ``testing_participant`` is a class of
parties (§2.3), not a role anyone is given. Who may issue which command is
``ledger.rules.permissions``; listing every principal is ``ledger.principal_directory``.

Structural rules raise ``InvalidPrincipalEventError`` naming the field; nothing is written:
the name is a handle, the role is a principal role, the organisation is not blank; a disabled
principal is not disabled again nor given a new role; a role change changes the role.
Every command takes ``**context.fields()``.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.errors import InvalidPrincipalEventError
from ledger.rules.roles import Role

PRINCIPAL_ROLES: tuple[Role, ...] = tuple(r for r in Role if r is not Role.TESTING_PARTICIPANT)
_HANDLE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def principal_role(value: Role | str, name: str) -> Role:
    """The role ``value`` names. Raises ``InvalidPrincipalEventError`` (role) for any other."""
    try:
        role = Role(value)
    except ValueError:
        role = None
    if role is None or role not in PRINCIPAL_ROLES:
        known = ", ".join(r.value for r in PRINCIPAL_ROLES)
        raise InvalidPrincipalEventError("role", f"principal {name!r}: {value!r} is not one of {known}")
    return role


def principal_id(name: str) -> UUID:
    """The id of the principal called ``name``."""
    return uuid5(NAMESPACE_URL, f"akledger:principal:{name}")


def _text(field: str, value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise InvalidPrincipalEventError(field, f"principal {name!r}: must not be blank")
    return value.strip()


class Principal(Aggregate):
    """Somebody entitled to record events, in one role, for one organisation."""

    @classmethod
    def create_id(cls, name: str, **_: object) -> UUID:
        return principal_id(name)

    @classmethod
    def add(
        cls, name: str, role: Role | str, organisation: str, *, display_name: str | None = None,
        **context: Any,
    ) -> Principal:
        """Add the principal. Raises ``InvalidPrincipalEventError``: name (not a lower-case handle
        of at most 64 characters), role, organisation (blank), display_name (blank if given)."""
        if not isinstance(name, str) or not _HANDLE.match(name):
            raise InvalidPrincipalEventError(
                "name", f"{name!r} is not a handle (lower-case letters, digits, '.', '_', '-'; <= 64)"
            )
        value = principal_role(role, name).value
        org = _text("organisation", organisation, name)
        shown = None if display_name is None else _text("display_name", display_name, name)
        return cls(name=name, role=value, organisation=org, display_name=shown, **context)

    def disable(self, reason: str, **context: Any) -> None:
        """Disable the principal. Raises ``InvalidPrincipalEventError``: status (already
        disabled), reason (blank)."""
        self._require_enabled("disable")
        self._disabled(reason=_text("reason", reason, self.name), **context)

    def change_role(self, role: Role | str, **context: Any) -> None:
        """Give the principal another role. Raises ``InvalidPrincipalEventError``: status
        (disabled), role (not a principal role, or the role it holds)."""
        self._require_enabled("change the role of")
        value = principal_role(role, self.name).value
        if value == self.role.value:
            raise InvalidPrincipalEventError("role", f"principal {self.name!r} already is {value}")
        self._role_changed(role=value, previous_role=self.role.value, **context)

    def _require_enabled(self, verb: str) -> None:
        if self.disabled:
            raise InvalidPrincipalEventError(
                "status", f"cannot {verb} principal {self.name!r}: disabled ({self.disabled_reason})"
            )

    @event("PrincipalAdded")
    def __init__(
        self, name: str, role: str, organisation: str, display_name: str | None, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.name = name
        self.role = Role(role)
        self.organisation = organisation
        self.display_name = display_name
        self.disabled = False
        self.disabled_reason: str | None = None

    @event("PrincipalDisabled")
    def _disabled(
        self, reason: str, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.disabled = True
        self.disabled_reason = reason

    @event("PrincipalRoleChanged")
    def _role_changed(
        self, role: str, previous_role: str, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.role = Role(role)

    def as_json(self) -> dict[str, str | bool | None]:
        return {
            "name": self.name, "id": str(self.id), "role": self.role.value,
            "organisation": self.organisation, "display_name": self.display_name,
            "disabled": self.disabled, "disabled_reason": self.disabled_reason,
        }
