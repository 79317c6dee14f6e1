"""Log tables (keys, leaves, nodes, checkpoints) and append-only triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from ledger.log.append_only import create_triggers, drop_triggers
from ledger.log.tables import (
    APPEND_ONLY_TABLES,
    ledger_keys,
    log_checkpoints,
    log_leaves,
    log_nodes,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (ledger_keys, log_leaves, log_nodes, log_checkpoints)


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        table.create(bind)
    # The event table is eventsourcing-sqlalchemy's own; `akledger init` creates it first.
    create_triggers(bind, APPEND_ONLY_TABLES)


def downgrade() -> None:
    bind = op.get_bind()
    drop_triggers(bind, APPEND_ONLY_TABLES)
    for table in reversed(TABLES):
        table.drop(bind)
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS akledger_append_only()")
