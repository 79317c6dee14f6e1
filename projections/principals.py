"""The ``principals`` read model: every principal, its role, organisation and whether disabled.

From the events of ``ledger.principals``: ``PrincipalAdded`` inserts the row (``added_at`` is
its position), ``PrincipalRoleChanged`` sets the role, ``PrincipalDisabled`` sets disabled.
Rows are keyed by the aggregate id, which the later events carry (not the name).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.utils import get_topic
from sqlalchemy import bindparam, insert, update
from sqlalchemy.engine import Connection

from ledger.principals import Principal
from projections.base import Positioned, Projection, Write, execute_in_runs
from projections.tables import principals

_AGGREGATE = get_topic(Principal)
ADDED = f"{_AGGREGATE}.PrincipalAdded"
DISABLED = f"{_AGGREGATE}.PrincipalDisabled"
ROLE_CHANGED = f"{_AGGREGATE}.PrincipalRoleChanged"

_c = principals.c
_INSERT = insert(principals)
_DISABLE = update(principals).where(_c.principal_id == bindparam("key")).values(disabled=True)
_SET_ROLE = update(principals).where(_c.principal_id == bindparam("key")).values(role=bindparam("new_role"))


class PrincipalsProjection(Projection):
    """Keeps ``principals`` (``projections.tables``) up to date."""

    name = "principals"
    tables = (principals,)
    topics = (ADDED, DISABLED, ROLE_CHANGED)

    def process(self, event: DomainEventProtocol[UUID], position: int, connection: Connection) -> None:
        execute_in_runs(connection, _writes(event, position))

    def process_batch(self, events: Sequence[Positioned], connection: Connection) -> None:
        execute_in_runs(connection, (w for item in events for w in _writes(item.event, item.position)))


def _writes(event: DomainEventProtocol[UUID], position: int) -> Iterator[Write]:
    topic = get_topic(type(event))
    fields: dict[str, Any] = vars(event)
    key = str(event.originator_id)
    if topic == ADDED:
        yield _INSERT, {
            "principal_id": key, "name": fields["name"], "role": fields["role"],
            "organisation": fields["organisation"], "disabled": False, "added_at": position,
        }
    elif topic == DISABLED:
        yield _DISABLE, {"key": key}
    elif topic == ROLE_CHANGED:
        yield _SET_ROLE, {"key": key, "new_role": fields["role"]}
    else:
        raise ValueError(f"projection principals: no handler for {topic} (notification {position})")
