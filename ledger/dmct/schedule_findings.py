"""Compliance findings on the DMCT Schedule, test packs and test environments: recorded, then
flagged, never refused (§20.9-20.18; catalogue 8.3 and Appendix "append-time checks").

Flagged: a schedule change a decision required (a new entry, a §20.12 inclusion, a §20.12A
removal, §20.22 revised dates) that no later publication shows (§20.9, 8.3); a publication whose
distribution misses a §20.10 recipient, the copy to SECAS or the DCC Website; testing of an entry
the schedule did not show when it started (§20.9); testing against a pack not agreed with the
TAG (or approved by the SoS) by the day testing started, or a non-standard pack of another DMC
(§20.16, §20.17); testing on alternate versions without the TAG's agreement (§20.18).

The decisions and testing starts are recorded on other aggregates (DMCs, planned entries,
matters), so the checks take them as simple facts (``ScheduleChangeDue``, ``TestingStart``):
each check is a pure function of those facts and the recorded schedule, packs and consents.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ledger.dmct.schedule import DmctSchedule, Publication
from ledger.dmct.schedule_values import REQUIRED_RECIPIENTS, TRIGGERS, ChangeKind, ChangeTrigger
from ledger.dmct.test_packs import DmctEnvironmentConsent, DmctTestPack, PackKind
from ledger.findings import Finding


@dataclass(frozen=True)
class ScheduleChangeDue:
    """A decision that requires the schedule to change (catalogue 8.3): ``trigger`` for entry
    ``entry_id``, decided on ``decided_on`` in event ``event_id``; for §20.22 revised dates,
    ``planned_completion`` is the revised completion date where known."""

    entry_id: str
    trigger: ChangeTrigger
    decided_on: date
    event_id: str
    planned_completion: date | None = None


@dataclass(frozen=True)
class TestingStart:
    """DMCT testing of planned entry ``entry_id`` (DMC ``dmc``) started on ``started_on`` in event
    ``event_id``, against packs ``pack_ids``; ``alternate_environment`` says whether on DCC
    System / environment versions other than those matching production (§20.18), with the
    ``DmctEnvironmentConsent`` reference relied on."""

    __test__ = False  # not a pytest test class

    entry_id: str
    dmc: str
    started_on: date
    event_id: str
    pack_ids: tuple[str, ...] = ()
    alternate_environment: bool = False
    environment_consent: str | None = None


def _shows(schedule: DmctSchedule, publication: Publication, due: ScheduleChangeDue) -> bool:
    entry = publication.entries.get(due.entry_id)
    if due.trigger is ChangeTrigger.REMOVAL_20_12A:
        return entry is None
    if due.trigger is not ChangeTrigger.REVISED_DATES_20_22:
        return entry is not None
    changed = any(c.entry_id == due.entry_id and ChangeKind.DATES_CHANGED in c.kinds
                  for p in schedule.publications if due.decided_on <= p.published_on
                  and p.event_version <= publication.event_version for c in p.changes)
    wanted = due.planned_completion
    return entry is not None and changed and (wanted is None or entry.planned_completion == wanted)


def unpublished_changes(schedule: DmctSchedule, due: Sequence[ScheduleChangeDue]) -> Iterator[Finding]:
    """Each required change that no publication on or after its decision shows (§20.9, §20.10;
    catalogue 8.3: "publish updated DMCT Schedule with changes")."""
    for change in due:
        later = [p for p in schedule.publications if p.published_on >= change.decided_on]
        if not any(_shows(schedule, p, change) for p in later):
            clause = TRIGGERS[ChangeTrigger(change.trigger)].clauses[0]
            yield Finding(clause, f"{schedule.label}: {change.trigger} of entry {change.entry_id!r} decided "
                          f"on {change.decided_on} is in no DMCT Schedule published since (§20.9, §20.10)",
                          (change.event_id,))


def incomplete_distributions(schedule: DmctSchedule) -> Iterator[Finding]:
    """Each publication not notified to every §20.10 recipient, not sent to SECAS for the SEC
    Website, or not recorded as published on the DCC Website."""
    for publication in schedule.publications:
        missing = [r.value for r in REQUIRED_RECIPIENTS if r not in publication.recipients]
        if not publication.sent_to_secas:
            missing.append("SECAS (SEC Website)")
        if publication.location is None:
            missing.append("the DCC Website")
        if missing:
            yield Finding("20.10", f"{schedule.label} version {publication.schedule_version} did not "
                          f"reach {', '.join(missing)}", (schedule.event_id(publication.event_version),))


def started_unscheduled(schedule: DmctSchedule, starts: Sequence[TestingStart]) -> Iterator[Finding]:
    """Testing of an entry the schedule in force when it started did not show (§20.9)."""
    for start in starts:
        in_force = [p for p in schedule.publications if p.published_on <= start.started_on]
        if not in_force or start.entry_id not in in_force[-1].entries:
            yield Finding("20.9", f"DMCT testing of entry {start.entry_id!r} started on {start.started_on} "
                          "but the DMCT Schedule then published does not show it", (start.event_id,))


def unagreed_packs_used(
    starts: Sequence[TestingStart], packs: Mapping[str, DmctTestPack]
) -> Iterator[Finding]:
    """Testing against a pack not agreed with the TAG (or approved by the SoS) by the day it
    started (§20.16, §20.17), or against another DMC's non-standard pack (§20.17)."""
    for start in starts:
        for pack_id in start.pack_ids:
            pack = packs.get(pack_id)
            where = f"DMCT testing of entry {start.entry_id!r} started on {start.started_on}"
            if pack is None:
                yield Finding("20.16", f"{where} against pack {pack_id!r}, of which no proposal is "
                              "recorded", (start.event_id,))
                continue
            clause = "20.17" if pack.kind is PackKind.NON_STANDARD else "20.16"
            if pack.agreed_as_of(start.started_on) is None:
                yield Finding(clause, f"{where} against {pack.label}, not then agreed with the TAG or "
                              "approved by the SoS", (start.event_id, pack.event_id(pack.current.version)))
            if pack.kind is PackKind.NON_STANDARD and pack.dmc != start.dmc:
                yield Finding("20.17", f"{where} for DMC {start.dmc!r} against {pack.label}, which is for "
                              f"DMC {pack.dmc!r}", (start.event_id, pack.event_id(1)))


def alternate_environment_without_consent(
    starts: Sequence[TestingStart], consents: Mapping[str, DmctEnvironmentConsent]
) -> Iterator[Finding]:
    """Testing on alternate DCC System / environment versions without the TAG's agreement by the
    day it started, for that DMC (§20.18: "shall only execute tests ... if the TAG agrees")."""
    for start in starts:
        if not start.alternate_environment:
            continue
        where = f"DMCT testing of entry {start.entry_id!r} (DMC {start.dmc!r}) on alternate versions"
        consent = None if start.environment_consent is None else consents.get(start.environment_consent)
        if consent is None:
            yield Finding("20.18", f"{where}: no recorded proposal to the TAG "
                          f"({start.environment_consent or 'none named'})", (start.event_id,))
            continue
        events = (start.event_id, consent.event_id(consent.decided_version or 1))
        if not consent.tag_agreed or consent.decided_on is None or consent.decided_on > start.started_on:
            state = "refused" if consent.tag_agreed is False else "not agreed"
            yield Finding("20.18", f"{where} started on {start.started_on}: {consent.label} was {state} "
                          "by the TAG then", events)
        elif start.dmc not in consent.dmcs:
            yield Finding("20.18", f"{where}: {consent.label} covers {', '.join(consent.dmcs)} only", events)


def schedule_findings(schedule: DmctSchedule, due: Sequence[ScheduleChangeDue] = ()) -> list[Finding]:
    """Every finding on the schedule's publications, and on the changes ``due`` required."""
    return [*incomplete_distributions(schedule), *unpublished_changes(schedule, due)]


def dmct_start_findings(
    starts: Sequence[TestingStart],
    schedule: DmctSchedule,
    packs: Mapping[str, DmctTestPack],
    consents: Mapping[str, DmctEnvironmentConsent],
) -> list[Finding]:
    """Every finding on the testing ``starts``: packs by pack id, consents by reference."""
    return [
        *started_unscheduled(schedule, starts),
        *unagreed_packs_used(starts, packs),
        *alternate_environment_without_consent(starts, consents),
    ]


__all__ = [
    "ScheduleChangeDue",
    "TestingStart",
    "alternate_environment_without_consent",
    "dmct_start_findings",
    "incomplete_distributions",
    "schedule_findings",
    "started_unscheduled",
    "unagreed_packs_used",
    "unpublished_changes",
]
