"""What a projection is: a name, the tables it owns, the topics it handles, and how it applies events.

A projection turns events of the notification log into rows of its own read-model tables,
through pure SQLAlchemy Core on the ``Connection`` the runner gives it. The runner owns the
transaction (the rows and the tracking commit together, or neither does), so a projection
never begins, commits or rolls back; and it never swallows an error: raising stops the
projection at that event (``projections.runner``).

Preconditions of ``process``: events arrive in notification order, each exactly once, and
only events whose topic is in ``topics`` (every event when ``topics`` is empty).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import Executable

Progress = Callable[[int, int], None]
"""Called with (events done, events in all) as a replay goes."""

Write = tuple[Executable, dict[str, Any]]
"""One statement and its parameters."""


@dataclass(frozen=True)
class Positioned:
    """A domain event and its position in the ledger (its notification id)."""

    position: int
    event: DomainEventProtocol[UUID]


class Projection(ABC):
    """A read model kept up to date from the notification log.

    Subclasses set ``name`` (unique, at most 64 characters: the tracking key), ``tables``
    (created by migrations, emptied by a rebuild) and ``topics``, and implement ``process``.
    """

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    topics: ClassVar[tuple[str, ...]]

    @abstractmethod
    def process(self, event: DomainEventProtocol[UUID], position: int, connection: Connection) -> None:
        """Apply one event: write its rows through ``connection`` (inside the runner's transaction)."""

    def process_batch(self, events: Sequence[Positioned], connection: Connection) -> None:
        """Apply a batch, in order. Override to write many rows per statement (executemany);
        the runner falls back to ``process``, one event at a time, to find which event failed."""
        for item in events:
            self.process(item.event, item.position, connection)


def execute_in_runs(connection: Connection, writes: Iterable[Write]) -> None:
    """Execute ``writes`` in order; consecutive writes of the same statement object go as one
    executemany, so a batch of like events costs one round trip, yet order is kept (an
    insert is never overtaken by a later update of the same row)."""
    statement: Executable | None = None
    params: list[dict[str, Any]] = []
    for next_statement, next_params in writes:
        if next_statement is not statement:
            if statement is not None:
                connection.execute(statement, params)
            statement, params = next_statement, []
        params.append(next_params)
    if statement is not None:
        connection.execute(statement, params)
