"""Read side: an index of the runs' ``facts`` rows by phase and the day they were executed
(``projections.tables.ExecutedDay``), so the §9.4(b) finding (a run executed after its phase's exit
was proposed, ``projections.cross_findings``) reads only the runs executed from the day before the
phase's first proposal, instead of every run of the phase (840k at 10^6 events: 2.8 s on SQLite).
No replay: the index covers the rows already there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy.schema import CreateIndex, DropIndex

from projections.tables import facts

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = next(index for index in facts.indexes if index.name == "facts_by_executed_day")


# IF (NOT) EXISTS by the database: SQLAlchemy's reflection skips expression indexes on SQLite, so
# ``checkfirst`` would not see it. A ledger made at 0003 from today's tables has it already.
def upgrade() -> None:
    op.get_bind().execute(CreateIndex(INDEX, if_not_exists=True))


def downgrade() -> None:
    op.get_bind().execute(DropIndex(INDEX, if_exists=True))
