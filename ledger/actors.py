"""Who did something: every event names its actor (principal, role, organisation)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The principal on whose authority an event is recorded.

    ``via`` names the operator who entered it for the principal, when that is somebody else
    (``akledger import commands`` run by an administrator); it is omitted otherwise.
    """

    principal: str
    role: str = "operator"
    organisation: str = "DCC"
    via: str | None = None

    def as_json(self) -> dict[str, str]:
        found = {"principal": self.principal, "role": self.role, "organisation": self.organisation}
        return found if self.via is None else {**found, "via": self.via}
