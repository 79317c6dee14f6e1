"""From the DMCT aggregates to their facts: the DMCT Status List lines (§20.8), the planned EPCL
entries and their DMCT Testing Issues (§20.20), what an entry's testing recorded for the
§20.32/§20.33 evaluation, the DMCT findings that need no day (``ledger.dmct.findings``), and the
DMCT Schedule's publications (§20.9-20.10).

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
from ledger.dmct.findings import dmc_findings, entry_findings
from ledger.dmct.lifecycle import DmctEvent
from ledger.dmct.schedule import DmctSchedule
from ledger.dmct.status_list import StatusListRow, status_list
from ledger.dmct.values import CompletionOutcome
from ledger.rules.dmct_statuses import DmctStatus
from projections.fact_kinds import BuiltFact, FactKind
from projections.report_facts import DmctEntryFact, DmctPublicationFact, DmctStatusFact, FindingsFact
from projections.rules.dmct_completion import DmctCompletionFact, RecordedCompletion, summarise_runs

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


def dmct_completion_fact(entry: DmctEntry) -> DmctCompletionFact:
    """What the entry's events say about its testing, for the §20.32/§20.33 evaluation: tested
    unless it rests on equivalence (§20.6(d), §20.12A) or on its dormant-only entry (§20.9)."""
    recorded = entry.completion
    return DmctCompletionFact(
        entry_id=entry.entry_id, dmc_id=entry.dmc_id, status=entry.status,
        tested=entry.equivalence is None and entry.status is not DmctStatus.NOT_TESTED_DORMANT_ENTRY_SUFFICES,
        rounds=len(entry.rounds),
        tests=summarise_runs([(e.test_id, e.run, e.result) for e in entry.executions]),
        issue_ids=tuple(entry.issues), under_resolution=tuple(entry.issues_under_resolution),
        mtad_route=entry.mtad_route, panel_mt_completed=entry.panel_mt_completed,
        blocking_defect_agreed=bool(entry.blocking_defect_versions),
        recorded=None if recorded is None else RecordedCompletion(
            recorded.outcome, recorded.basis, recorded.not_possible, entry.event_id(recorded.version),
            recorded.all_tests_executed),
        final=_final(entry),
    )


def _final(entry: DmctEntry) -> CompletionOutcome | None:
    """The outcome the report became final with (§20.39, §20.40): S28 and the EPCL Report after it
    successful, S29 unsuccessful; None before."""
    if entry.status is DmctStatus.FINAL_UNSUCCESSFUL:
        return CompletionOutcome.UNSUCCESSFUL
    reported = (DmctStatus.FINAL_SUCCESSFUL, DmctStatus.EPCL_REPORT_PRODUCED,
                DmctStatus.EPCL_REPORT_PUBLISHED)
    return CompletionOutcome.SUCCESSFUL if entry.status in reported and entry.completions else None


def dmct_findings_fact(aggregate: DmctDmc | DmctEntry, key: str) -> list[BuiltFact]:
    """The DMCT findings that need nothing but the aggregate and no day (``ledger.dmct.findings``;
    an entry's without its DMC's submitters), as the ``findings`` query reads them."""
    found = dmc_findings(aggregate) if isinstance(aggregate, DmctDmc) else entry_findings(aggregate)
    if not found:
        return []
    kind = FactKind.DMCT_STATUS.value
    return [BuiltFact(FactKind.FINDINGS, key, None, FindingsFact(kind, key, tuple(found)))]


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
        return [BuiltFact(FactKind.DMCT_STATUS, aggregate.dmc_id, None, dmct_status_fact(aggregate)),
                *dmct_findings_fact(aggregate, aggregate.dmc_id)]
    return [BuiltFact(FactKind.DMCT_STATUS, aggregate.entry_id, None, dmct_status_fact(aggregate)),
            BuiltFact(FactKind.DMCT_ENTRY, aggregate.entry_id, None, dmct_entry_fact(aggregate)),
            BuiltFact(FactKind.DMCT_COMPLETION, aggregate.entry_id, None, dmct_completion_fact(aggregate)),
            *dmct_findings_fact(aggregate, aggregate.entry_id)]


__all__ = [
    "DMCT_AGGREGATES",
    "DMCT_EVENTS",
    "dmct_completion_fact",
    "dmct_entry_fact",
    "dmct_facts",
    "dmct_findings_fact",
    "dmct_status_fact",
    "publication_facts",
]
