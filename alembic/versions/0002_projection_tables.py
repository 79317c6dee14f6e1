"""Read side: projection tracking and faults, the ``principals`` read model, the events NOTIFY trigger.

Later projections add their tables in later migrations with
``projections.schema.create_read_model`` (and change them with ``replace_read_model``, which
resets the projection's tracking so the runner replays it).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from projections.principals import PrincipalsProjection
from projections.schema import (
    create_notify_trigger,
    create_read_model,
    drop_notify_trigger,
    drop_read_model,
)
from projections.tables import principals, projection_faults, projection_tracking

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNNER_TABLES = (projection_tracking, projection_faults)


def upgrade() -> None:
    bind = op.get_bind()
    for table in RUNNER_TABLES:
        table.create(bind)
    create_read_model(bind, (principals,))
    create_notify_trigger(bind)


def downgrade() -> None:
    bind = op.get_bind()
    drop_notify_trigger(bind)
    drop_read_model(bind, PrincipalsProjection.name, (principals,))
    for table in reversed(RUNNER_TABLES):
        table.drop(bind)
