"""How a DMCT aggregate applies the transition table (``ledger.rules.dmct_statuses``).

Every command first asks whether any row allows it from the current status (``_allow``), then,
once its arguments are checked and its outcome (``case``) known, triggers its event through the
row for that outcome (``_transit``): the event cites the row's clauses (unless the caller gave
its own) and carries the status it leads to (``status_to``; None: unchanged), so the status, its
clause basis and when it was reached replay from the events alone, whatever the table says later
(catalogue M11: "from, to, clause basis"). A command no row allows raises
``InvalidDmctEventError`` with field ``status``, naming the current status, the statuses the
command needs and the commands allowed next.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import Aggregate

from ledger.context import citing
from ledger.dmct.errors import InvalidDmctEventError
from ledger.rules.dmct_statuses import (
    DmctCommand,
    DmctLevel,
    DmctStatus,
    allowed_next,
    rows_for,
    transition,
)


class DmctEvent(Aggregate.Event):
    """Every DMCT event carries the recording context (``ledger.context``) and the status it
    leads to (``status_to``, a DMCT Status List code; None when the status is unchanged)."""

    occurred_at: str
    actor: dict[str, str]
    clauses: list[str]
    on_behalf_of: str | None
    evidence_sha256: str | None
    status_to: str | None

    @property
    def event_id(self) -> str:
        """``"{originator_id}:{version}"``, the form findings and the API name events by."""
        return f"{self.originator_id}:{self.originator_version}"

    @property
    def at(self) -> datetime:
        return datetime.fromisoformat(self.occurred_at)

    def apply(self, aggregate: Any) -> None:
        self.evolve(aggregate)
        if self.status_to is not None:
            aggregate.status = DmctStatus(self.status_to)
            aggregate.status_clauses = tuple(self.clauses)
            aggregate.status_version = self.originator_version
            aggregate.status_since = self.at

    def evolve(self, aggregate: Any) -> None:
        """What the event records besides the status (apply only: no validation, so old events
        always replay); events that record more override this."""


if TYPE_CHECKING:
    _Base = Aggregate
else:
    _Base = object


class DmctLifecycle(_Base):
    """The table-driven part of ``DmctDmc`` and ``DmctEntry`` (a mixin: at run time a plain class,
    so the aggregate's metaclass sees no annotations of it)."""

    UNIT: ClassVar[DmctLevel]
    status: DmctStatus
    status_clauses: tuple[str, ...]
    status_version: int
    status_since: datetime

    @property
    def label(self) -> str:
        raise NotImplementedError

    def allowed_next(self) -> tuple[DmctCommand, ...]:
        """The commands the table allows from the current status."""
        return allowed_next(self.UNIT, self.status)

    def event_id(self, version: int) -> str:
        """The id of this aggregate's event ``version``, as the API reports it."""
        return f"{self.id}:{version}"

    def _allow(self, command: DmctCommand) -> None:
        """Raises (``status``) unless some row of ``command`` allows the current status."""
        if not any(self.status in t.allowed_from for t in rows_for(self.UNIT, command)):
            raise self._refused(command, None)

    def _transit(
        self, command: DmctCommand, event_class: type[DmctEvent], context: dict[str, Any], *,
        case: str | None = None, **data: Any,
    ) -> None:
        """Trigger ``event_class`` through the row of ``command`` for ``case`` from the status."""
        row = transition(self.UNIT, command, self.status, case)
        if row is None:
            raise self._refused(command, case)
        status_to = None if row.to is None else row.to.value
        self.trigger_event(event_class, status_to=status_to, **data, **citing(context, *row.clauses))

    def _refused(self, command: DmctCommand, case: str | None) -> InvalidDmctEventError:
        rows = [t for t in rows_for(self.UNIT, command) if case is None or t.case in (case, None)]
        needs = sorted({s for t in rows for s in t.allowed_from})
        what = command.value + ("" if case is None else f" ({case})")
        allowed = ", ".join(c.value for c in self.allowed_next()) or "nothing"
        return InvalidDmctEventError(
            "status", f"{self.label} is {self.status.label}; {what} needs "
            f"{' or '.join(s.value for s in needs) or 'a new aggregate'}; allowed next: {allowed}")

    def _refuse(self, field: str, reason: str) -> InvalidDmctEventError:
        return InvalidDmctEventError(field, f"{self.label}: {reason}")


__all__ = ["DmctEvent", "DmctLifecycle"]
