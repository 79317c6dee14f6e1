"""Requirements of the Amended SMETS1 SEC that SIT tests (§11.1; catalogue 2.7).

A ``Requirement`` is one clause of Section F, G, H, L, N or P at one baseline version; its id
derives from section, clause and baseline, so the same clause at a new baseline (§11.2: the
TTM is updated when those Sections change during SIT) is a new requirement, and the old one is
marked superseded by it.

Structural rules (``InvalidTraceabilityEventError`` naming the field; nothing is written):
section is one of F, G, H, L, N, P; the clause reference reads like ``F2.3`` or ``2.3(a)``
(a leading letter, if any, is the section's); the baseline is named; a requirement is
superseded once, by a later baseline of the same clause.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.planned_test_values import fail, require_text

SECTIONS = ("F", "G", "H", "L", "N", "P")  # §11.1
_CLAUSE_REF = re.compile(r"^([A-Z])?[0-9]{1,3}(\.[0-9]{1,3})*(\([a-z0-9]{1,4}\))*$")


def requirement_key(section: str, clause_ref: str, baseline_version: str) -> str:
    """The clause reference without a repeated section letter: ``F2.3`` and ``2.3`` are one."""
    clause = clause_ref[1:] if clause_ref[:1] == section else clause_ref
    return f"{section}{clause}@{baseline_version}"


class Requirement(Aggregate):
    """One requirement of the Amended SMETS1 SEC at one baseline version."""

    @classmethod
    def create_id(cls, section: str, clause_ref: str, baseline_version: str, **_: object) -> UUID:
        key = requirement_key(section, clause_ref, baseline_version)
        return uuid5(NAMESPACE_URL, f"akledger:requirement:{key}")

    @classmethod
    def record(
        cls, section: str, clause_ref: str, baseline_version: str, *, title: str | None = None,
        **context: Any,
    ) -> Requirement:
        """Record a requirement to be tested. Raises ``InvalidTraceabilityEventError``:
        section, clause_ref, baseline_version."""
        whose = f"requirement {section}/{clause_ref}@{baseline_version}"
        if section not in SECTIONS:
            raise fail("section", f"{whose}: {section!r} is not Section {', '.join(SECTIONS)} (11.1)")
        match = _CLAUSE_REF.match(clause_ref or "")
        if match is None:
            raise fail("clause_ref", f"{whose}: {clause_ref!r} is not a clause such as F2.3 or 2.3(a)")
        if match.group(1) not in (None, section):
            raise fail("clause_ref", f"{whose}: clause {clause_ref} is not in Section {section}")
        require_text("baseline_version", baseline_version, whose)
        return cls(
            section=section, clause_ref=clause_ref, baseline_version=baseline_version, title=title,
            **{**context, "clauses": list(context.get("clauses") or ["11.1"])},
        )

    def supersede(self, by_baseline_version: str, **context: Any) -> None:
        """The clause changed at a later baseline (§11.2). Raises
        ``InvalidTraceabilityEventError``: by_baseline_version (empty or this one's), status."""
        require_text("by_baseline_version", by_baseline_version, self.label)
        if by_baseline_version == self.baseline_version:
            raise fail("by_baseline_version", f"{self.label}: cannot be superseded by its own baseline")
        if self.superseded_by is not None:
            raise fail("status", f"{self.label}: already superseded by {self.superseded_by}")
        successor = self.create_id(self.section, self.clause_ref, by_baseline_version)
        self._superseded(
            by_baseline_version=by_baseline_version, successor_id=str(successor),
            **{**context, "clauses": list(context.get("clauses") or ["11.2"])},
        )

    @property
    def label(self) -> str:
        return f"requirement {requirement_key(self.section, self.clause_ref, self.baseline_version)}"

    @event("RequirementRecorded")
    def __init__(
        self, section: str, clause_ref: str, baseline_version: str, title: str | None,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.section, self.clause_ref, self.baseline_version = section, clause_ref, baseline_version
        self.title = title
        self.superseded_by: str | None = None

    @event("RequirementSuperseded")
    def _superseded(
        self, by_baseline_version: str, successor_id: str, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.superseded_by = successor_id
