"""Witnesses: ``log_witnesses`` (the keys the ledger accepts) and ``log_cosignatures`` (the
tlog-cosignature lines it holds per checkpoint), both append-only.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from ledger.log.append_only import create_triggers, drop_triggers
from ledger.log.tables import WITNESS_TABLES, log_cosignatures, log_witnesses

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (log_witnesses, log_cosignatures)


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        table.create(bind)
    create_triggers(bind, WITNESS_TABLES)


def downgrade() -> None:
    bind = op.get_bind()
    drop_triggers(bind, WITNESS_TABLES)
    for table in reversed(TABLES):
        table.drop(bind, checkfirst=True)
