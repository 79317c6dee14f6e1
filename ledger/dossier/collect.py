"""Which events a matter's dossier holds, read from the event store with their leaf indices.

A dossier holds (issue 7):

- the matter's whole history (versions 1..n as of the position asked for);
- every aggregate it touches, each with its whole history as of that position: the subjects it
  concerns (Testing Issues, phases, DMCs, planned EPCL entries, documents ...: resolved from the
  subject's kind and id), the aggregates whose events name the matter (by id or reference: a
  DMCT referral's ``matter_id``, a decision recorded elsewhere), and the documents whose events
  carry an evidence hash the matter's events cite;
- the key chain (``SigningKeys``), which proves which key was valid for which entries.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Table, or_, select
from sqlalchemy.engine import Connection

from ledger.capability_releases import CapabilityRelease
from ledger.dmct.dmc import DmctDmc
from ledger.dmct.entry import DmctEntry
from ledger.documents import Document
from ledger.errors import NotFoundError
from ledger.log.tables import log_leaves
from ledger.matter_values import SubjectKind
from ledger.matters import Matter
from ledger.references import reference_id
from ledger.signing_keys import SigningKeys
from ledger.testing_issues import TestingIssue
from signing.entry import SealedEvent

MATTER_TOPIC_PREFIX = f"{Matter.__module__}:{Matter.__qualname__}."

# Subject kind -> how its id may name an aggregate (besides being the aggregate's UUID itself).
_SUBJECT_IDS: dict[SubjectKind, Callable[[str], UUID]] = {
    SubjectKind.TESTING_ISSUE: lambda ref: TestingIssue.create_id(reference=ref),
    SubjectKind.CAPABILITY_RELEASE: lambda ref: CapabilityRelease.create_id(capability=ref),
    SubjectKind.DMC: lambda ref: DmctDmc.create_id(dmc_id=ref),
    SubjectKind.PLANNED_EPCL_ENTRY: lambda ref: DmctEntry.create_id(entry_id=ref),
    SubjectKind.DOCUMENT: lambda ref: Document.create_id(reference=ref),
}


@dataclass(frozen=True)
class StoredEvent:
    """One stored event: where it is (notification id, leaf index if integrated) and its seal."""

    position: int
    index: int | None
    originator_id: UUID
    version: int
    topic: str
    sealed: SealedEvent

    @property
    def values(self) -> dict[str, Any]:
        return {name: value for name, (_, value) in self.sealed.fields.items()}

    @property
    def header(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self.sealed.entry)
        return doc


@dataclass(frozen=True)
class Aggregate:
    id: UUID
    role: str  # matter | subject | related | keychain
    events: tuple[StoredEvent, ...]

    @property
    def topic(self) -> str:
        return self.events[0].topic.rsplit(".", 1)[0]


@dataclass(frozen=True)
class Collected:
    matter: Aggregate
    aggregates: tuple[Aggregate, ...]  # the matter first, the key chain last
    unresolved_subjects: tuple[dict[str, str], ...]

    @property
    def events(self) -> list[StoredEvent]:
        return sorted((e for a in self.aggregates for e in a.events), key=lambda e: e.position)


def matter_uuid(matter: str) -> UUID:
    """A matter's id from its UUID or its reference (``ledger.references``)."""
    try:
        return UUID(matter)
    except ValueError:
        return reference_id("matter", matter)


def read_events(
    conn: Connection, events: Table, ids: Iterable[UUID], as_of: int | None
) -> dict[UUID, list[StoredEvent]]:
    """Every event of the aggregates ``ids`` up to position ``as_of``, in version order."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    query = (
        select(events.c.id, events.c.originator_id, events.c.originator_version, events.c.topic,
               events.c.state, log_leaves.c.idx)
        .outerjoin(log_leaves, log_leaves.c.notification_id == events.c.id)
        .where(events.c.originator_id.in_(wanted))
        .order_by(events.c.originator_version)
    )
    if as_of is not None:
        query = query.where(events.c.id <= as_of)
    found: dict[UUID, list[StoredEvent]] = {}
    for row in conn.execute(query):
        oid = _uuid(row.originator_id)
        found.setdefault(oid, []).append(StoredEvent(
            int(row.id), None if row.idx is None else int(row.idx), oid, int(row.originator_version),
            str(row.topic), SealedEvent.from_state(bytes(row.state)),
        ))
    return found


def mentioning(conn: Connection, events: Table, needles: Sequence[str], as_of: int | None) -> set[UUID]:
    """Aggregates with an event whose disclosed values contain one of ``needles`` (a full scan:
    a dossier is exported rarely, and no index knows which payload names what)."""
    if not needles:
        return set()
    query = select(events.c.originator_id, events.c.state).where(
        or_(*(events.c.state.like(f"%{n}%".encode()) for n in needles))
    )
    if as_of is not None:
        query = query.where(events.c.id <= as_of)
    found = set()
    for row in conn.execute(query):
        values = json.dumps([v for _, v in SealedEvent.from_state(bytes(row.state)).fields.values()])
        if any(n in values for n in needles):
            found.add(_uuid(row.originator_id))
    return found


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def subject_candidates(kind: str, ident: str) -> list[UUID]:
    candidates = []
    with contextlib.suppress(ValueError):
        candidates.append(UUID(ident))
    try:
        resolve = _SUBJECT_IDS.get(SubjectKind(kind))
    except ValueError:
        resolve = None
    if resolve is not None:
        candidates.append(resolve(ident))
    return candidates


def collect(conn: Connection, events: Table, matter: str, origin: str, as_of: int | None) -> Collected:
    """The matter's events and everything it touches, as of ``as_of`` (a position).

    Raises:
        NotFoundError: no matter ``matter`` (by id or reference) as of that position.
    """
    matter_id = matter_uuid(matter)
    own = read_events(conn, events, [matter_id], as_of).get(matter_id, [])
    if not own or not own[0].topic.startswith(MATTER_TOPIC_PREFIX):
        when = "" if as_of is None else f" as of position {as_of}"
        raise NotFoundError(f"no matter {matter!r} in the ledger{when}")
    raised = own[0].values
    subjects = [s for s in raised.get("subjects") or [] if isinstance(s, dict)]
    by_subject: dict[UUID, dict[str, str]] = {}
    for subject in subjects:
        for candidate in subject_candidates(str(subject.get("kind")), str(subject.get("id"))):
            by_subject.setdefault(candidate, subject)
    subject_events = read_events(conn, events, by_subject, as_of)
    resolved = {by_subject[oid]["id"] for oid in subject_events}
    unresolved = tuple(s for s in subjects if s.get("id") not in resolved)
    needles = [str(matter_id)]
    if raised.get("reference"):
        needles.append(json.dumps(raised["reference"]))
    needles += sorted({str(e.values["evidence_sha256"]) for e in own if e.values.get("evidence_sha256")})
    chain_id = SigningKeys.create_id(origin)
    related_ids = mentioning(conn, events, needles, as_of) - {matter_id, chain_id, *subject_events}
    related = read_events(conn, events, related_ids, as_of)
    chain = read_events(conn, events, [chain_id], None).get(chain_id, [])
    aggregates = [Aggregate(matter_id, "matter", tuple(own))]
    aggregates += [Aggregate(oid, "subject", tuple(evs)) for oid, evs in subject_events.items()]
    aggregates += [Aggregate(oid, "related", tuple(evs)) for oid, evs in sorted(related.items())]
    aggregates.append(Aggregate(chain_id, "keychain", tuple(chain)))
    return Collected(aggregates[0], tuple(aggregates), unresolved)
