"""HTTP API: ``api_idempotency``, the responses to commands POSTed with an Idempotency-Key.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from api.tables import api_idempotency

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    api_idempotency.create(op.get_bind())


def downgrade() -> None:
    api_idempotency.drop(op.get_bind(), checkfirst=True)
