"""Capability Releases: IOC, MOC and FOC (def. "Capability Release"; §5.5, §7.2), and the SoS
direction that SMETS1 Interface Testing be repeated for MOC/FOC (§7.3, A50).

Structural rules (``InvalidPhaseEventError`` naming the field; nothing is written): the release
is IOC, MOC or FOC; the repeat is directed for MOC/FOC only. Its Test Phases are ``ledger.phases``.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.errors import InvalidPhaseEventError
from ledger.rules.phase_kinds import OperatingCapability


class CapabilityRelease(Aggregate):
    """IOC, MOC or FOC; one per ledger, its id derived from the capability."""

    @classmethod
    def create_id(cls, capability: str, **_: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"akledger:capability-release:{capability}")

    @classmethod
    def record(
        cls, capability: OperatingCapability | str, *, delivery_plan_reference: str | None = None,
        **context: Any,
    ) -> CapabilityRelease:
        """Record the release (§5.5, §7.2; timetable from the Licence Condition 13 plan, §8.6)."""
        try:
            value = OperatingCapability(capability).value
        except ValueError:
            raise InvalidPhaseEventError("capability", f"{capability!r} is not IOC, MOC or FOC") from None
        clauses = list(context.pop("clauses", None) or ("5.5", "7.2"))
        return cls(
            capability=value, delivery_plan_reference=delivery_plan_reference, clauses=clauses, **context
        )

    def direct_interface_testing_repeat(self, **context: Any) -> None:
        """Record the SoS direction that SMETS1 Interface Testing be repeated (§7.3, A50).
        Raises ``InvalidPhaseEventError`` (capability) for IOC, where it is always conducted."""
        if self.capability is OperatingCapability.IOC:
            raise InvalidPhaseEventError(
                "capability", f"release {self.id}: SMETS1 Interface Testing is conducted for IOC"
            )
        self._repeat_directed(**{**context, "clauses": list(context.get("clauses") or ("7.3",))})

    @event("CapabilityReleaseRecorded")
    def __init__(
        self, capability: str, delivery_plan_reference: str | None, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.capability = OperatingCapability(capability)
        self.delivery_plan_reference = delivery_plan_reference
        self.interface_testing_directions: list[int] = []

    @event("InterfaceTestingRepeatDirected")
    def _repeat_directed(
        self, occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.interface_testing_directions.append(self.version + 1)

    @property
    def interface_testing_applies(self) -> bool:
        """SMETS1 Interface Testing is conducted for IOC, and for MOC/FOC on direction (§7.3)."""
        return self.capability is OperatingCapability.IOC or bool(self.interface_testing_directions)

CapabilityReleaseRecorded = CapabilityRelease.CapabilityReleaseRecorded  # type: ignore[attr-defined]
InterfaceTestingRepeatDirected = CapabilityRelease.InterfaceTestingRepeatDirected  # type: ignore[attr-defined]
