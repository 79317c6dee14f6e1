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

Bearer tokens (issue 6 item 1): ``issue_token`` records only the SHA-256 of a token the API
generated (``api.auth``), never the token, so the ledger, its dossiers and its backups cannot
leak one; ``revoke_token`` ends it. A token id is used once: a revoked id is not issued again.
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
_TOKEN_ID = re.compile(r"^[a-z0-9]{1,64}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


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

    def issue_token(self, token_id: str, token_sha256: str, **context: Any) -> None:
        """Record a bearer token issued to the principal, by the SHA-256 (lower-case hex) of the
        token alone. Raises ``InvalidPrincipalEventError``: status (disabled), token_id (not 1-64
        lower-case letters or digits, or issued before), token_sha256 (not 64 lower-case hex)."""
        self._require_enabled("issue a token to")
        if not isinstance(token_id, str) or not _TOKEN_ID.match(token_id):
            raise InvalidPrincipalEventError(
                "token_id", f"principal {self.name!r}: {token_id!r} is not 1-64 lower-case letters or digits"
            )
        if token_id in self.tokens:
            raise InvalidPrincipalEventError(
                "token_id", f"principal {self.name!r}: token {token_id} was issued already"
            )
        if not isinstance(token_sha256, str) or not _SHA256.match(token_sha256):
            raise InvalidPrincipalEventError(
                "token_sha256", f"principal {self.name!r}: not a SHA-256 in lower-case hex"
            )
        self._token_issued(token_id=token_id, token_sha256=token_sha256, **context)

    def revoke_token(self, token_id: str, **context: Any) -> None:
        """Revoke one of the principal's tokens (a disabled principal's too). Raises
        ``InvalidPrincipalEventError``: token_id (never issued, or revoked already)."""
        if self.tokens.get(token_id) is None:
            state = "was revoked already" if token_id in self.tokens else "was never issued"
            raise InvalidPrincipalEventError(
                "token_id", f"principal {self.name!r}: token {token_id!r} {state}"
            )
        self._token_revoked(token_id=token_id, **context)

    @property
    def active_tokens(self) -> dict[str, str]:
        """The SHA-256 of each token in force, by token id."""
        return {i: digest for i, digest in self.tokens.items() if digest is not None}

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
        self.tokens: dict[str, str | None] = {}  # token id -> SHA-256; None once revoked

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

    @event("PrincipalTokenIssued")
    def _token_issued(
        self, token_id: str, token_sha256: str, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.tokens[token_id] = token_sha256

    @event("PrincipalTokenRevoked")
    def _token_revoked(
        self, token_id: str, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.tokens[token_id] = None

    def as_json(self) -> dict[str, str | bool | None]:
        return {
            "name": self.name, "id": str(self.id), "role": self.role.value,
            "organisation": self.organisation, "display_name": self.display_name,
            "disabled": self.disabled, "disabled_reason": self.disabled_reason,
        }
