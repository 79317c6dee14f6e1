"""As-of queries of the DMCT Process (§20): the DMCT Status List (§20.8), the DMCT Schedule in force
with its change log (§20.9-20.10), and a planned EPCL entry's Table 20.1 threshold counts (§20.28).

Each reads the facts valid at the position (``projections.as_of``; the as-of arguments as in
``projections.queries``) and returns a frozen dataclass whose first field, ``as_of``, says where
the answer stands. The status lines are those ``ledger.dmct.status_list`` gives for each aggregate
(``projections.dmct_fact_builders``), in its order; a Supplier Party's clock (§20.12, §20.37) is
open while the day judged (``AsOf.judged_on``) is at or before its deadline's last day (A38).

Raises (besides ``as_of.resolve``'s): ``UnknownDmcError``, ``UnknownEntryError``,
``UnknownScheduleVersionError`` when what a filter names was not recorded as of the position.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from sqlalchemy.engine import Engine

from ledger.calendar import LONDON, is_within
from ledger.dmct.entry_values import PlannedDates
from ledger.dmct.schedule_values import REQUIRED_RECIPIENTS
from ledger.dmct.status_list import OpenClock, StatusListRow
from ledger.rules.dmct_statuses import DmctLevel
from ledger.rules.roles import Role
from ledger.rules.thresholds import ThresholdContext
from projections.as_of import AsOf, QueryError, resolve, rows_at
from projections.fact_kinds import FactKind
from projections.report_facts import DmctEntryFact, DmctPublicationFact, DmctStatusFact
from projections.rules.facts import IssueFact
from projections.rules.thresholds import ThresholdCount, counts_verdict, threshold_counts
from projections.rules.verdicts import Verdict


class UnknownDmcError(QueryError, LookupError):
    """No DMC of that id was in the DMCT Process (or the schedule) as of the position."""

    def __init__(self, dmc_id: str, position: int) -> None:
        super().__init__(f"no DMC {dmc_id!r} was in the DMCT Process as of position {position}")
        self.dmc_id = dmc_id


class UnknownEntryError(QueryError, LookupError):
    """No planned EPCL entry of that id was in the DMCT Process as of the position."""

    def __init__(self, entry_id: str, position: int) -> None:
        super().__init__(f"no planned EPCL entry {entry_id!r} was in the DMCT Process as of position "
                         f"{position}")
        self.entry_id = entry_id


class UnknownScheduleVersionError(QueryError, LookupError):
    """The DMCT Schedule had no publication of that version as of the position."""

    def __init__(self, version: int, published: Iterable[int], position: int) -> None:
        listed = ", ".join(map(str, published)) or "none"
        super().__init__(f"no DMCT Schedule version {version} was published as of position {position} "
                         f"(published: {listed})")
        self.version = version


@dataclass(frozen=True)
class DmctStatusRow:
    """One line of the DMCT Status List: ``code`` (catalogue 8.1, e.g. ``S14``) and ``name``
    (``SCHEDULED``), the clauses the status rests on and since when, the clocks open on the day
    judged; a DMC's line lists its scheduled entries, an entry's its planned dates."""

    level: DmctLevel
    dmc_id: str
    entry_id: str | None
    code: str
    name: str
    clauses: tuple[str, ...]
    since: datetime
    event_id: str
    clocks: tuple[OpenClock, ...]
    entry_ids: tuple[str, ...]
    planned: PlannedDates | None


@dataclass(frozen=True)
class DmctStatusAnswer:
    """The DMCT Status List (of ``dmc`` only, when given); ``clocks_at``: the instant the clocks
    were judged at (the start of the day judged, Europe/London)."""

    as_of: AsOf
    dmc: str | None
    clocks_at: datetime
    rows: tuple[DmctStatusRow, ...]
    open_clocks: int


@dataclass(frozen=True)
class DmctScheduleAnswer:
    """The DMCT Schedule as of the position: the latest publication (or the version asked for),
    its entries and change log (of ``dmc`` only, when given), the versions published so far, and
    the §20.10 recipients not (yet) recorded as notified of it. ``publication`` None: none yet."""

    as_of: AsOf
    dmc: str | None
    publication: DmctPublicationFact | None
    previous_version: int | None
    published_versions: tuple[int, ...]
    missing_recipients: tuple[Role, ...]


@dataclass(frozen=True)
class DmctThresholdsAnswer:
    """Table 20.1 for a planned EPCL entry: (a) the entry, (b) the aggregate across DMCT (A11),
    both must pass (§20.28). ``recorded_issue_ids``: the DMCT Testing Issues the entry records
    (§20.20), each counted as an issue in respect of the entry (``linked_issues``, A58);
    ``uncounted_issue_ids``: those of which no Testing Issue is recorded, which the counts
    therefore cannot take in."""

    as_of: AsOf
    entry_id: str
    dmc_id: str
    context: ThresholdContext
    counts: tuple[ThresholdCount, ...]
    verdict: Verdict
    recorded_issue_ids: tuple[str, ...]
    uncounted_issue_ids: tuple[str, ...]


def status_row(row: StatusListRow) -> DmctStatusRow:
    """A line of ``ledger.dmct.status_list.status_list`` as the answer gives it."""
    return DmctStatusRow(row.level, row.dmc_id, row.entry_id, row.code, row.name, row.clauses, row.since,
                         row.event_id, row.clocks, row.entry_ids, row.planned)


def clocks_instant(day: date) -> datetime:
    """The instant a day's clocks are judged at: a window ends at the end of its last day (A38),
    so any instant of ``day`` gives the same answer; its start, Europe/London."""
    return datetime.combine(day, time.min, LONDON)


def dmct_status(
    engine: Engine, dmc: str | None = None, *, as_of_position: int | None = None,
    as_of: datetime | None = None, judged_on: date | None = None,
) -> DmctStatusAnswer:
    """The DMCT Status List as of the position, its clocks judged on the day. Raises
    ``UnknownDmcError`` when ``dmc`` names no DMC (nor entry's DMC) recorded by then."""
    at = resolve(engine, as_of_position, as_of, judged_on)
    with engine.connect() as conn:
        lines: list[DmctStatusFact] = [f for _, f in rows_at(conn, FactKind.DMCT_STATUS, at.position)]
    instant = clocks_instant(at.judged_on)
    rows = [status_row(_line(f, instant)) for f in _ordered(lines)]
    if dmc is not None:
        rows = [r for r in rows if r.dmc_id == dmc]
        if not rows:
            raise UnknownDmcError(dmc, at.position)
    return DmctStatusAnswer(at, dmc, instant, tuple(rows), sum(len(r.clocks) for r in rows))


def _line(fact: DmctStatusFact, instant: datetime) -> StatusListRow:
    open_ = tuple(c for c in fact.waiting_clocks if is_within(c.deadline, instant))
    return StatusListRow(fact.level, fact.dmc_id, fact.entry_id, fact.status, fact.clauses, fact.since,
                         fact.event_id, open_, fact.entry_ids, fact.planned)


def _ordered(lines: list[DmctStatusFact]) -> list[DmctStatusFact]:
    """As ``status_list`` orders them: DMCs by id, each followed by its entries by id; entries
    whose DMC is not recorded last, by DMC then entry id."""
    by_dmc: dict[str, list[DmctStatusFact]] = {}
    for line in (f for f in lines if f.entry_id is not None):
        by_dmc.setdefault(line.dmc_id, []).append(line)
    ordered: list[DmctStatusFact] = []
    for dmc in sorted((f for f in lines if f.entry_id is None), key=lambda f: f.dmc_id):
        ordered += [dmc, *sorted(by_dmc.pop(dmc.dmc_id, []), key=lambda f: f.entry_id or "")]
    for dmc_id in sorted(by_dmc):
        ordered += sorted(by_dmc[dmc_id], key=lambda f: f.entry_id or "")
    return ordered


def dmct_schedule(
    engine: Engine, *, dmc: str | None = None, version: int | None = None, as_of_position: int | None = None,
    as_of: datetime | None = None,
) -> DmctScheduleAnswer:
    """The publication in force as of the position (``version``: that one instead) and its change
    log against the previous publication. Raises ``UnknownScheduleVersionError``, and
    ``UnknownDmcError`` when ``dmc`` is neither in the DMCT Process nor in the publication."""
    at = resolve(engine, as_of_position, as_of)
    with engine.connect() as conn:
        found: list[DmctPublicationFact] = [
            f for _, f in rows_at(conn, FactKind.DMCT_PUBLICATION, at.position)]
        known = {f.dmc_id for _, f in rows_at(conn, FactKind.DMCT_STATUS, at.position)}
    publications = sorted(found, key=lambda p: p.schedule_version)
    versions = tuple(p.schedule_version for p in publications)
    chosen = publications[-1] if publications and version is None else next(
        (p for p in publications if p.schedule_version == version), None)
    if version is not None and chosen is None:
        raise UnknownScheduleVersionError(version, versions, at.position)
    earlier = [v for v in versions if chosen is not None and v < chosen.schedule_version]
    if dmc is not None and chosen is not None:
        named = {e.dmc for e in chosen.entries} | {
            side.dmc for c in chosen.changes for side in (c.before, c.after) if side is not None}
        if dmc not in known | named:
            raise UnknownDmcError(dmc, at.position)
        chosen = _of_dmc(chosen, dmc)
    elif dmc is not None and dmc not in known:
        raise UnknownDmcError(dmc, at.position)
    missing = () if chosen is None else tuple(r for r in REQUIRED_RECIPIENTS if r not in chosen.recipients)
    return DmctScheduleAnswer(at, dmc, chosen, earlier[-1] if earlier else None, versions, missing)


def _of_dmc(publication: DmctPublicationFact, dmc: str) -> DmctPublicationFact:
    changes = tuple(c for c in publication.changes
                    if any(side is not None and side.dmc == dmc for side in (c.before, c.after)))
    entries = tuple(e for e in publication.entries if e.dmc == dmc)
    return replace(publication, entries=entries, changes=changes)


def dmct_thresholds(
    engine: Engine, entry_id: str, *, as_of_position: int | None = None, as_of: datetime | None = None,
) -> DmctThresholdsAnswer:
    """The Table 20.1 counts of ``entry_id`` from the Testing Issues recorded as of the position
    (``projections.rules.thresholds``). Raises ``UnknownEntryError``."""
    at = resolve(engine, as_of_position, as_of)
    with engine.connect() as conn:
        entries: dict[str, DmctEntryFact] = {
            e.entry_id: e for _, e in rows_at(conn, FactKind.DMCT_ENTRY, at.position)}
        issues: list[IssueFact] = [i for _, i in rows_at(conn, FactKind.ISSUE, at.position)]
    entry = entries.get(entry_id)
    if entry is None:
        raise UnknownEntryError(entry_id, at.position)
    counts = entry_counts(entry_id, entries.values(), issues)
    known = {i.reference for i in issues}
    return DmctThresholdsAnswer(
        at, entry_id, entry.dmc_id, ThresholdContext.DMCT_PLANNED_EPCL_ENTRY, tuple(counts),
        counts_verdict(counts), entry.issue_ids, tuple(i for i in entry.issue_ids if i not in known),
    )


def linked_issues(entries: Iterable[DmctEntryFact], issues: Iterable[IssueFact]) -> list[IssueFact]:
    """``issues`` with each DMCT Testing Issue linked to the entries that record it (§20.20): a
    Testing Issue is the same entity in DMCT (A58), so an entry recording it makes it an issue
    "in respect of" that entry (§20.28(a)) even where its ``epcl_entry_ids`` leave the entry out."""
    recorded_on: dict[str, list[str]] = {}
    for entry in entries:
        for reference in entry.issue_ids:
            recorded_on.setdefault(reference, []).append(entry.entry_id)
    linked = []
    for issue in issues:
        extra = [e for e in recorded_on.get(issue.reference, ()) if e not in issue.epcl_entry_ids]
        linked.append(replace(issue, epcl_entry_ids=(*issue.epcl_entry_ids, *extra)) if extra else issue)
    return linked


def entry_counts(
    entry_id: str, entries: Iterable[DmctEntryFact], issues: Iterable[IssueFact]
) -> list[ThresholdCount]:
    """Table 20.1 for ``entry_id``: (a) the entry and (b) the aggregate across the planned entries
    in DMCT (A11), from the Testing Issues linked to the entries (``linked_issues``)."""
    known = list(entries)
    return threshold_counts(ThresholdContext.DMCT_PLANNED_EPCL_ENTRY, entry_id, linked_issues(known, issues),
                            dmct_entry_ids=tuple(e.entry_id for e in known))


__all__ = [
    "DmctScheduleAnswer",
    "DmctStatusAnswer",
    "DmctStatusRow",
    "DmctThresholdsAnswer",
    "UnknownDmcError",
    "UnknownEntryError",
    "UnknownScheduleVersionError",
    "clocks_instant",
    "dmct_schedule",
    "dmct_status",
    "dmct_thresholds",
    "entry_counts",
    "linked_issues",
    "status_row",
]
