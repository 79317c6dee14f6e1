"""Test scenarios mapped to requirements (§8.1(c), §11.1; catalogue 3.3 P3).

A ``TestScenario`` is identified by its reference within a TTM and traces to the ids of the
``Requirement`` aggregates it covers. Structural rules (``InvalidTraceabilityEventError``):
the reference is named, at least one requirement id is given, each is a UUID, none twice.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.planned_test_values import fail, require_text, require_uuid


class TestScenario(Aggregate):
    """One test scenario and the requirements it traces to."""

    __test__ = False  # not a pytest test class

    @classmethod
    def create_id(cls, scenario_ref: str, **_: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"akledger:test-scenario:{scenario_ref}")

    @classmethod
    def identify(
        cls, scenario_ref: str, requirement_ids: list[str], *, title: str | None = None,
        **context: Any,
    ) -> TestScenario:
        """Raises ``InvalidTraceabilityEventError``: scenario_ref, requirement_ids."""
        require_text("scenario_ref", scenario_ref, "test scenario")
        whose = f"test scenario {scenario_ref!r}"
        if not requirement_ids:
            raise fail("requirement_ids", f"{whose}: traces to no requirement (11.1)")
        ids = [require_uuid("requirement_ids", r, whose) for r in requirement_ids]
        if len(set(ids)) != len(ids):
            raise fail("requirement_ids", f"{whose}: a requirement is listed twice")
        return cls(
            scenario_ref=scenario_ref, requirement_ids=ids, title=title,
            **{**context, "clauses": list(context.get("clauses") or ["8.1(c)", "11.1"])},
        )

    @event("TestScenarioIdentified")
    def __init__(
        self, scenario_ref: str, requirement_ids: list[str], title: str | None, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.scenario_ref, self.requirement_ids, self.title = scenario_ref, list(requirement_ids), title
