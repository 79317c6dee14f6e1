"""The directory of principals: one aggregate with a fixed id listing every principal's name.

Why an index aggregate rather than scanning the notification log for ``PrincipalAdded``: listing
then reads one aggregate instead of the whole log, and adding a principal saves the directory and
the principal together, so two concurrent adds of the same name conflict on the directory's
version and one of them is refused, instead of relying on the id collision alone.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.errors import InvalidPrincipalEventError

DIRECTORY_ID = uuid5(NAMESPACE_URL, "akledger:principal-directory")


class PrincipalDirectory(Aggregate):
    """Names of every principal ever added, in the order added (disabled ones included)."""

    @classmethod
    def create_id(cls, **_: object) -> UUID:
        return DIRECTORY_ID

    @classmethod
    def open(cls, **context: Any) -> PrincipalDirectory:
        """A new, empty directory (the first ``principals add`` opens it)."""
        return cls(**context)

    def enlist(self, name: str, principal_id: str, **context: Any) -> None:
        """List a newly added principal. Raises ``InvalidPrincipalEventError`` (name) if listed."""
        if name in self.principals:
            raise InvalidPrincipalEventError("name", f"principal {name!r} already exists")
        self._enlisted(name=name, principal_id=principal_id, **context)

    @event("PrincipalDirectoryOpened")
    def __init__(
        self, occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.principals: dict[str, str] = {}

    @event("PrincipalEnlisted")
    def _enlisted(
        self, name: str, principal_id: str, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.principals[name] = principal_id
