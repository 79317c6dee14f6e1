"""From the DMCT aggregates to their facts: the DMCT Status List lines (§20.8), the planned EPCL
entries and their DMCT Testing Issues (§20.20), and the DMCT Schedule's publications (§20.9-20.10).

A DMC's or entry's status line is the one ``ledger.dmct.status_list.status_list`` gives for that
aggregate alone, computed before any deadline could have passed: so its clocks are every Supplier
Party window still waiting for that Supplier to act. Whether one is still open depends only on the
instant asked about (``is_within``), which the query applies (``projections.dmct_queries``); the
fact itself changes only when the aggregate does. ``DmctDmc`` and ``DmctEntry`` events derive from
``DmctEvent``, not from the aggregate's own ``Event`` class: ``FOLLOWED_EVENTS`` names it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ledger.dmct.dmc import DmctDmc
from ledger.dmct.entry import DmctEntry
from ledger.dmct.lifecycle import DmctEvent
from ledger.dmct.schedule import DmctSchedule
from ledger.dmct.status_list import StatusListRow, status_list
from projections.fact_kinds import BuiltFact, FactKind
from projections.report_facts import DmctEntryFact, DmctPublicationFact, DmctStatusFact

#: The DMCT aggregates the ``facts`` projection follows.
DMCT_AGGREGATES = (DmctDmc, DmctEntry, DmctSchedule)
#: Besides each aggregate's own ``Event``: the events of ``DmctDmc`` and ``DmctEntry`` after the first.
DMCT_EVENTS = (DmctEvent,)

# Before any deadline: every clock whose Supplier has not acted is open at this instant.
_BEFORE_ANY_DEADLINE = datetime.min.replace(tzinfo=UTC)


def dmct_status_fact(unit: DmctDmc | DmctEntry) -> DmctStatusFact:
    """The DMC's or entry's line of the DMCT Status List, with every clock waiting on a Supplier."""
    rows = status_list([unit], [], _BEFORE_ANY_DEADLINE) if isinstance(unit, DmctDmc) else status_list(
        [], [unit], _BEFORE_ANY_DEADLINE)
    (row,) = rows
    return _status_fact(row)


def _status_fact(row: StatusListRow) -> DmctStatusFact:
    return DmctStatusFact(
        level=row.level, dmc_id=row.dmc_id, entry_id=row.entry_id, status=row.status, clauses=row.clauses,
        since=row.since, event_id=row.event_id, waiting_clocks=row.clocks, entry_ids=row.entry_ids,
        planned=row.planned,
    )


def dmct_entry_fact(entry: DmctEntry) -> DmctEntryFact:
    return DmctEntryFact(
        entry_id=entry.entry_id, dmc_id=entry.dmc_id, installation_type=entry.installation_type,
        capability_release=entry.capability_release, smso=entry.smso, issue_ids=tuple(entry.issues),
        under_resolution=tuple(entry.issues_under_resolution),
    )


def publication_facts(schedule: DmctSchedule) -> list[DmctPublicationFact]:
    """One fact per publication, entries in entry id order (as the event stores them)."""
    return [
        DmctPublicationFact(
            schedule_id=str(schedule.id), schedule_version=p.schedule_version,
            document_sha256=p.document_sha256, published_on=p.published_on,
            entries=tuple(p.entries[e] for e in sorted(p.entries)), changes=p.changes, location=p.location,
            recipients=tuple(sorted(p.recipients)), sent_to_secas=p.sent_to_secas,
            event_id=schedule.event_id(p.event_version),
            distribution_event_ids=tuple(schedule.event_id(v) for v in p.distribution_versions),
        )
        for p in schedule.publications
    ]


def dmct_facts(aggregate: DmctDmc | DmctEntry | DmctSchedule) -> list[BuiltFact]:
    """Every fact of a DMCT aggregate, keyed by DMC id, entry id or schedule version."""
    if isinstance(aggregate, DmctSchedule):
        return [BuiltFact(FactKind.DMCT_PUBLICATION, str(f.schedule_version), None, f)
                for f in publication_facts(aggregate)]
    if isinstance(aggregate, DmctDmc):
        return [BuiltFact(FactKind.DMCT_STATUS, aggregate.dmc_id, None, dmct_status_fact(aggregate))]
    return [BuiltFact(FactKind.DMCT_STATUS, aggregate.entry_id, None, dmct_status_fact(aggregate)),
            BuiltFact(FactKind.DMCT_ENTRY, aggregate.entry_id, None, dmct_entry_fact(aggregate))]


__all__ = [
    "DMCT_AGGREGATES",
    "DMCT_EVENTS",
    "dmct_entry_fact",
    "dmct_facts",
    "dmct_status_fact",
    "publication_facts",
]
