"""The DMCT Schedule: its publications, each a version with its planned EPCL entries and the change
log against the previous one (§20.9-20.10; catalogue 3.8 M13, M15; 8.3).

One schedule for the whole DMCT Process, id uuid5 ``akledger:dmct-schedule``: §20.9 speaks of "a
schedule ('the DMCT Schedule')" and §20.10 of publishing "the DMCT Schedule (and any subsequent
updates to it)", one document however many Capability Releases its entries belong to. Each entry
carries its Capability Release (catalogue 2.5), so a per-release view is a projection, not a
second schedule.

A publication (``DmctSchedulePublished``) holds the whole schedule as published: every entry with
its planned start and completion dates and its test pack or non-standard rationale (§20.9(a)-(c)),
the published document's SHA-256, where it was published on the DCC Website, who was notified
(Supplier Parties, the Panel, the Authority, the SoS) and whether SECAS was sent it for the SEC
Website (§20.10). The change log against the previous publication ("the DCC shall publish any
changes", §20.9) is computed by ``ledger.dmct.schedule_values.compute_changes`` and stored in the
event, each change with its reason: a new entry (§20.9), a §20.12 inclusion, a §20.12A removal,
§20.22 revised dates, or another DCC update. Notices and copies sent after the publication are
recorded by ``record_distribution``.

Structural rules (``InvalidDmctScheduleEventError`` naming the field; nothing is written):
schedule versions strictly increase; each publication is a new document; an entry appears once
per publication, keeps its DMC, installation type and Capability Release, ends no earlier than it
starts, and names its test pack or non-standard rationale; reasons fit the changes; recipients
are §20.10's, each once. Compliance (an unpublished change, an incomplete distribution) is
flagged by ``ledger.dmct.schedule_findings``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.context import citing
from ledger.dmct.schedule_values import (
    TRIGGERS,
    ChangeReason,
    ScheduleChange,
    ScheduleEntry,
    compute_changes,
    fail,
    require_entries,
    require_optional_text,
    require_recipients,
    require_sha256,
)
from ledger.rules.roles import Role

SCHEDULE_ID = uuid5(NAMESPACE_URL, "akledger:dmct-schedule")


@dataclass(frozen=True)
class Publication:
    """One published version of the schedule, with what its distribution reached so far."""

    schedule_version: int
    document_sha256: str
    published_on: date
    entries: dict[str, ScheduleEntry]
    changes: tuple[ScheduleChange, ...]
    event_version: int
    location: str | None = None
    recipients: frozenset[Role] = frozenset()
    sent_to_secas: bool = False
    distribution_versions: tuple[int, ...] = ()


def _clauses(changes: Sequence[ScheduleChange]) -> tuple[str, ...]:
    """§20.9-20.10 and the clauses of every trigger in the change log."""
    found = ["20.9", "20.10"]
    for change in changes:
        found += [c for c in TRIGGERS[change.trigger].clauses if c not in found]
    return tuple(found)


class DmctSchedule(Aggregate):
    """The DMCT Schedule (§20.9-20.10): open it once, then record each publication."""

    @classmethod
    def create_id(cls, **_: object) -> UUID:
        return SCHEDULE_ID

    @classmethod
    def open(cls, **context: Any) -> DmctSchedule:
        """Start the record of the DMCT Schedule (before its first publication, §20.9)."""
        return cls(**citing(context, "20.9"))

    # -- commands -------------------------------------------------------------------------------
    def publish(
        self,
        schedule_version: int,
        document_sha256: str,
        entries: Sequence[ScheduleEntry],
        *,
        reasons: Sequence[ChangeReason] = (),
        recipients: Sequence[Role | str] = (),
        sent_to_secas: bool = False,
        location: str | None = None,
        **context: Any,
    ) -> None:
        """Publish version ``schedule_version`` of the schedule with all its ``entries`` (§20.9),
        as the file ``document_sha256`` at ``location`` on the DCC Website, notifying
        ``recipients`` and sending SECAS a copy (§20.10). ``reasons`` say why entries changed
        from the previous publication (default: an added entry is new, anything else a DCC update).

        Raises ``InvalidDmctScheduleEventError``: schedule_version (not above the last),
        document_sha256 (malformed, or the previous publication's file), entries, reasons,
        recipients, location."""
        whose = f"{self.label} version {schedule_version!r}"
        last = self.latest
        if isinstance(schedule_version, bool) or not isinstance(schedule_version, int) \
                or schedule_version < 1:
            raise fail("schedule_version", f"{whose}: must be a whole number from 1")
        if last is not None and schedule_version <= last.schedule_version:
            raise fail("schedule_version", f"{whose}: must be above the last published version "
                       f"{last.schedule_version}")
        require_sha256("document_sha256", document_sha256, whose)
        if last is not None and document_sha256 == last.document_sha256:
            raise fail("document_sha256", f"{whose}: is the same file as version {last.schedule_version}")
        current = require_entries(entries, whose)
        changes = compute_changes({} if last is None else last.entries, current, reasons)
        notified = require_recipients("recipients", recipients, whose)
        require_optional_text("location", location, whose)
        self._published(
            schedule_version=schedule_version, document_sha256=document_sha256,
            entries=[current[e].as_json() for e in sorted(current)],
            changes=[c.as_json() for c in changes], recipients=[r.value for r in notified],
            sent_to_secas=bool(sent_to_secas), location=location,
            **citing(context, *_clauses(changes)),
        )

    def record_distribution(
        self,
        schedule_version: int,
        recipients: Sequence[Role | str] = (),
        *,
        sent_to_secas: bool = False,
        location: str | None = None,
        **context: Any,
    ) -> None:
        """Record notices of publication ``schedule_version`` given after it was published, its
        copy sent to SECAS for the SEC Website, or its DCC Website ``location`` (§20.10).

        Raises ``InvalidDmctScheduleEventError``: schedule_version (not published), recipients
        (not §20.10's, or notified already), sent_to_secas (sent already), location (already
        recorded), or nothing to record."""
        publication = self.publication(schedule_version)
        whose = f"{self.label} version {schedule_version}"
        notified = require_recipients("recipients", recipients, whose)
        if again := [r.value for r in notified if r in publication.recipients]:
            raise fail("recipients", f"{whose}: {', '.join(again)} already notified")
        if sent_to_secas and publication.sent_to_secas:
            raise fail("sent_to_secas", f"{whose}: already sent to SECAS")
        require_optional_text("location", location, whose)
        if location is not None and publication.location is not None:
            raise fail("location", f"{whose}: already published at {publication.location!r}")
        if not notified and not sent_to_secas and location is None:
            raise fail("recipients", f"{whose}: name a recipient, SECAS or the location")
        self._distributed(
            schedule_version=schedule_version, recipients=[r.value for r in notified],
            sent_to_secas=bool(sent_to_secas), location=location, **citing(context, "20.10"),
        )

    # -- events (apply only: no validation here, so old events always replay) -------------------
    @event("DmctScheduleOpened")
    def __init__(
        self, occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.publications: list[Publication] = []

    @event("DmctSchedulePublished")
    def _published(
        self, schedule_version: int, document_sha256: str, entries: list[dict[str, Any]],
        changes: list[dict[str, Any]], recipients: list[str], sent_to_secas: bool, location: str | None,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.publications.append(Publication(
            schedule_version, document_sha256, datetime.fromisoformat(occurred_at).date(),
            {e["entry_id"]: ScheduleEntry.from_json(e) for e in entries},
            tuple(ScheduleChange.from_json(c) for c in changes), self.version + 1, location,
            frozenset(Role(r) for r in recipients), sent_to_secas,
        ))

    @event("DmctScheduleDistributionRecorded")
    def _distributed(
        self, schedule_version: int, recipients: list[str], sent_to_secas: bool, location: str | None,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        index = next(i for i, p in enumerate(self.publications) if p.schedule_version == schedule_version)
        before = self.publications[index]
        self.publications[index] = replace(
            before, recipients=before.recipients | {Role(r) for r in recipients},
            sent_to_secas=before.sent_to_secas or sent_to_secas, location=location or before.location,
            distribution_versions=(*before.distribution_versions, self.version + 1),
        )

    # -- queries --------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return f"DMCT Schedule {self.id}"

    @property
    def latest(self) -> Publication | None:
        """The last publication, or None before the first."""
        return self.publications[-1] if self.publications else None

    def publication(self, schedule_version: int) -> Publication:
        """Publication ``schedule_version``. Raises (``schedule_version``) if none was published."""
        for found in self.publications:
            if found.schedule_version == schedule_version:
                return found
        published = ", ".join(str(p.schedule_version) for p in self.publications) or "none"
        raise fail("schedule_version", f"{self.label} has no version {schedule_version!r} "
                   f"(published: {published})")

    def event_id(self, version: int) -> str:
        """The id of this schedule's event ``version``, as the API reports it."""
        return f"{self.id}:{version}"


DmctScheduleOpened = DmctSchedule.DmctScheduleOpened  # type: ignore[attr-defined]
DmctSchedulePublished = DmctSchedule.DmctSchedulePublished  # type: ignore[attr-defined]
DmctScheduleDistributionRecorded = DmctSchedule.DmctScheduleDistributionRecorded  # type: ignore[attr-defined]
