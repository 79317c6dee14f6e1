"""Read side: a planned test's runs are ``facts`` rows of their own (kind ``execution``), no longer
part of the test's row; the ``facts`` projection is replayed into the tables as they are now.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from projections.facts_projection import FactsProjection
from projections.schema import replace_read_model
from projections.tables import facts, positions

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (facts, positions)


def upgrade() -> None:
    replace_read_model(op.get_bind(), FactsProjection.name, TABLES)


def downgrade() -> None:
    # The rows written by this revision's code do not fit the code before it: replayed by that code.
    replace_read_model(op.get_bind(), FactsProjection.name, TABLES)
