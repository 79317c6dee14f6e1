"""What every recorded event carries besides its own data (issue: "Every event carries ...").

``occurred_at`` (when it happened in the world: may be in the past, never more than five
minutes ahead of the ledger's clock), the actor, the clauses of Appendix AK it acts under,
and, for a decision recorded on another body's behalf (TAG, TAB, Panel, SoS ...), that body
and the SHA-256 of the evidence document. Aggregate commands take these as keyword fields:
``issue.determine_severity(3, **context.fields())``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.actors import Actor
from ledger.errors import InvalidFieldError

FUTURE_TOLERANCE = timedelta(minutes=5)
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_CLAUSE = re.compile(r"^(Table )?[0-9]{1,2}(\.[0-9]{1,2}[A-Z]?)*(\([a-z]{1,4}\))*( #[0-9][A-Z]?)?$")


@dataclass(frozen=True)
class RecordingContext:
    """Who records what, when it happened, under which clauses, on whose behalf."""

    actor: Actor
    occurred_at: datetime
    clauses: tuple[str, ...] = ()
    on_behalf_of: str | None = None
    evidence_sha256: str | None = None

    def __post_init__(self) -> None:
        validate(self, now=datetime.now(UTC))

    def fields(self) -> dict[str, Any]:
        """The keyword fields an aggregate command passes on to its event."""
        return {
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "actor": self.actor.as_json(),
            "clauses": list(self.clauses),
            "on_behalf_of": self.on_behalf_of,
            "evidence_sha256": self.evidence_sha256,
        }


def citing(fields: Mapping[str, Any], *defaults: str) -> dict[str, Any]:
    """``fields`` with ``clauses`` defaulted to the command's own clauses where none were given,
    so that every event cites the clauses it acts under."""
    return {**fields, "clauses": list(fields.get("clauses") or defaults)}


def validate(context: RecordingContext, now: datetime) -> None:
    """Raises InvalidFieldError naming the field and the reason."""
    when = context.occurred_at
    if when.tzinfo is None:
        raise InvalidFieldError("occurred_at", "must carry a time zone (ISO 8601 with offset)")
    if when - now > FUTURE_TOLERANCE:
        raise InvalidFieldError("occurred_at", f"{when.isoformat()} is more than 5 minutes in the future")
    for clause in context.clauses:
        if not _CLAUSE.match(clause):
            raise InvalidFieldError(
                "clauses", f"{clause!r} is not a clause reference such as 13.25, 20.6(d) or Table 13.1 #2A"
            )
    if context.on_behalf_of is not None and context.evidence_sha256 is None:
        raise InvalidFieldError(
            "evidence_sha256", f"required for a decision recorded on behalf of {context.on_behalf_of}"
        )
    if context.evidence_sha256 is not None and not _SHA256_HEX.match(context.evidence_sha256):
        raise InvalidFieldError("evidence_sha256", "must be 64 lowercase hex digits")
