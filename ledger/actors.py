"""Who did something: every event names its actor (principal, role, organisation)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The principal on whose authority an event is recorded."""

    principal: str
    role: str = "operator"
    organisation: str = "DCC"

    def as_json(self) -> dict[str, str]:
        return {"principal": self.principal, "role": self.role, "organisation": self.organisation}
