"""Read side: the ``facts`` projection's tables, ``facts`` (temporal facts) and ``positions``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from projections.facts_projection import FactsProjection
from projections.schema import create_read_model, drop_read_model
from projections.tables import facts, positions

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (facts, positions)


def upgrade() -> None:
    create_read_model(op.get_bind(), TABLES)


def downgrade() -> None:
    drop_read_model(op.get_bind(), FactsProjection.name, TABLES)
