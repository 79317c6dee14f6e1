"""The DMCT Status List (§20.8): one row per DMC and one per planned EPCL entry, as of an instant.

A pure function of the recorded ``DmctDmc`` and ``DmctEntry`` aggregates (the projection reuses
it). Each row gives the status (catalogue 8.1 code and name), its clause basis (the clauses the
event that set it cited) and since when, and the clocks still open at ``as_of``: a Supplier
Party's 20 Working Days to disagree with a §20.6(c)/(d) exclusion from its §20.11 notice (§20.12),
and its 10 Working Days to refer a draft DMCT Testing Report from its provision (§20.37), each per
Supplier (A40) with the deadline stored when the clock started. A clock closes when that Supplier
acts (disagrees; refers or confirms it will not), when the window ends, or when the DMC is
re-assessed or the entry leaves review. A DMC row lists its scheduled entries; the entries' own
rows follow it (catalogue 8: a DMC's list status is the roll-up of its entries and its own).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ledger.calendar import Deadline, WorkingDayError, is_within
from ledger.dmct.dmc import DmctDmc
from ledger.dmct.entry import DmctEntry
from ledger.dmct.entry_values import PlannedDates
from ledger.rules.dmct_statuses import DmctLevel, DmctStatus

_UNDER_REVIEW = (DmctStatus.DRAFT_REPORT_UNDER_REVIEW, DmctStatus.SOS_DETERMINATION_PENDING)


@dataclass(frozen=True)
class OpenClock:
    """A Supplier Party's window still running: ``clause`` limits ``act``, until ``deadline``."""

    clause: str
    supplier: str
    act: str
    deadline: Deadline


@dataclass(frozen=True)
class StatusListRow:
    """One line of the DMCT Status List. ``entry_id`` is None on a DMC's row; ``entry_ids`` lists
    a DMC's scheduled entries; ``planned`` an entry's schedule dates, if scheduled."""

    level: DmctLevel
    dmc_id: str
    entry_id: str | None
    status: DmctStatus
    clauses: tuple[str, ...]
    since: datetime
    event_id: str
    clocks: tuple[OpenClock, ...] = ()
    entry_ids: tuple[str, ...] = ()
    planned: PlannedDates | None = None

    @property
    def code(self) -> str:
        return self.status.value

    @property
    def name(self) -> str:
        return self.status.name


def dmc_clocks(dmc: DmctDmc, as_of: datetime) -> tuple[OpenClock, ...]:
    """The §20.12 windows of the latest assessment still open at ``as_of``."""
    disagreed = {d.supplier for d in dmc.current_disagreements}
    return tuple(
        OpenClock("20.12", n.supplier, "disagree with the exclusion", n.deadline)
        for n in dmc.current_notices
        if n.deadline is not None and n.supplier not in disagreed and is_within(n.deadline, as_of)
    )


def entry_clocks(entry: DmctEntry, as_of: datetime) -> tuple[OpenClock, ...]:
    """The §20.37 windows of the draft under review still open at ``as_of``."""
    if entry.status not in _UNDER_REVIEW:
        return ()
    acted = {r.supplier for r in entry.current_referrals} | {
        supplier for (round_, supplier) in entry.no_referrals if round_ == entry.round}
    return tuple(
        OpenClock("20.37", p.supplier, "refer the draft DMCT Testing Report to the SoS", p.deadline)
        for p in entry.current_provisions
        if p.supplier not in acted and is_within(p.deadline, as_of)
    )


def status_list(dmcs: Iterable[DmctDmc], entries: Iterable[DmctEntry],
                as_of: datetime) -> list[StatusListRow]:
    """The DMCT Status List at ``as_of`` (timezone-aware): DMCs by id, each followed by its
    entries by id; entries whose DMC is not recorded come last, by DMC then entry id.
    Raises ``WorkingDayError`` if ``as_of`` is naive."""
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise WorkingDayError(f"status_list: 'as_of' must be timezone-aware, got naive {as_of.isoformat()}")
    by_dmc: dict[str, list[DmctEntry]] = {}
    for entry in entries:
        by_dmc.setdefault(entry.dmc_id, []).append(entry)
    rows: list[StatusListRow] = []
    known = sorted(dmcs, key=lambda d: d.dmc_id)
    for dmc in known:
        rows.append(StatusListRow(
            DmctLevel.DMC, dmc.dmc_id, None, dmc.status, dmc.status_clauses, dmc.status_since,
            dmc.event_id(dmc.status_version), dmc_clocks(dmc, as_of), tuple(dmc.entry_ids)))
        rows.extend(_entry_row(e, as_of) for e in sorted(by_dmc.pop(dmc.dmc_id, []),
                                                         key=lambda e: e.entry_id))
    for dmc_id in sorted(by_dmc):
        rows.extend(_entry_row(e, as_of) for e in sorted(by_dmc[dmc_id], key=lambda e: e.entry_id))
    return rows


def _entry_row(entry: DmctEntry, as_of: datetime) -> StatusListRow:
    return StatusListRow(
        DmctLevel.ENTRY, entry.dmc_id, entry.entry_id, entry.status, entry.status_clauses, entry.status_since,
        entry.event_id(entry.status_version), entry_clocks(entry, as_of), planned=entry.planned)


__all__ = ["OpenClock", "StatusListRow", "dmc_clocks", "entry_clocks", "status_list"]
