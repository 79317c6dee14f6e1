"""What a report is: sections of clause items, as of one ledger position, against one checkpoint.

A report answers the clauses of Appendix AK that say what a report "shall include" (§9.4, §9.5,
§13.16, §19.4, §16.1-16.3, §20.34/§20.35). Each item names its clause and says how the ledger
answers it (``ItemState``): computed from the recorded history (the counts, the lists, with the
event ids behind them), covered by a document recorded in the ledger (its event id; the ledger
holds the document's SHA-256, not its text), a confirmation the ledger's facts support or do not
support, or not recorded at all, which is itself the finding. Nothing in a report is free text
typed for the report: every figure is read from facts valid at the report's position.

The report states the signed checkpoint it was computed against: the first checkpoint whose tree
covers every event up to the position (``checkpoint_covering``), so a reader can check, with the
log's inclusion proofs, that the history the figures come from is the one the ledger signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ledger.log.tables import log_checkpoints, log_leaves
from projections.as_of import AsOf


class ItemState(StrEnum):
    """How the ledger answers a clause item."""

    COMPUTED = "computed"  # figures and lists computed from the recorded history
    DOCUMENTED = "documented"  # a document recorded in the ledger covers it (its hash is held)
    CONFIRMED = "confirmed"  # a confirmation the recorded facts support
    NOT_CONFIRMED = "not_confirmed"  # a confirmation the recorded facts contradict (the rows say why)
    NOT_RECORDED = "not_recorded"  # nothing in the ledger answers it as of the position


@dataclass(frozen=True)
class Item:
    """One clause item: ``clause`` e.g. ``9.4(b)``; ``asks`` what the clause asks, in brief;
    ``summary`` the answer in a sentence; ``rows`` a table (column -> value), if any;
    ``event_ids`` the events it rests on."""

    clause: str
    asks: str
    state: ItemState
    summary: str
    rows: tuple[dict[str, Any], ...] = ()
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class CheckpointRef:
    """The signed checkpoint the report was computed against: its tree ``size`` covers the
    ``leaves`` events up to the position; ``note`` is the C2SP signed note, verbatim."""

    size: int
    root_hash: str
    key_id: str
    note: str
    leaves: int


@dataclass(frozen=True)
class Report:
    """A report of ``name`` about ``subject`` (a phase, an entry, a week), as of a position."""

    name: str
    title: str
    subject: str
    as_of: AsOf
    checkpoint: CheckpointRef | None
    sections: tuple[Section, ...]

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for s in self.sections for i in s.items)


def checkpoint_covering(conn: Connection, position: int) -> CheckpointRef | None:
    """The smallest signed checkpoint whose tree holds every event up to ``position`` (None when
    the integrator has not yet signed one that far: integrate first)."""
    leaves = conn.execute(
        select(func.count()).select_from(log_leaves).where(log_leaves.c.notification_id <= position)
    ).scalar_one()
    integrated = conn.execute(select(func.max(log_leaves.c.notification_id))).scalar()
    if integrated is None or int(integrated) < position:
        return None  # events up to the position are not all in the tree yet
    row = conn.execute(
        select(log_checkpoints.c.size, log_checkpoints.c.root_hash, log_checkpoints.c.key_id,
               log_checkpoints.c.note)
        .where(log_checkpoints.c.size >= max(int(leaves), 1))
        .order_by(log_checkpoints.c.size).limit(1)
    ).first()
    if row is None:
        return None
    return CheckpointRef(int(row.size), bytes(row.root_hash).hex(), str(row.key_id), str(row.note),
                         int(leaves))


def state_of(ok: bool) -> ItemState:
    return ItemState.CONFIRMED if ok else ItemState.NOT_CONFIRMED


__all__ = ["CheckpointRef", "Item", "ItemState", "Report", "Section", "checkpoint_covering", "state_of"]
