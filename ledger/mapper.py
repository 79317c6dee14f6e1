"""The signing mapper: every stored event is a sealed, signed ledger entry.

eventsourcing's documented hook for changing how events are stored is a ``Mapper``
subclass (``Application.construct_mapper``). Instead of the transcoder's JSON, the stored
state is a :class:`signing.entry.SealedEvent`: the canonical entry (header + per-field
commitments), its Ed25519 signature, and each payload field's salt and value. The
payload must already be JSON (str, int, bool, None, lists and dicts): nothing is
transcoded, so what is signed is exactly what is stored.

A save is signed once (:func:`signing.entry.sign_save`): :class:`SigningEventStore` hands
the mapper all the events of a save together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    EventStore,
    Mapper,
    MapperDeserialisationError,
    Notification,
    Recording,
    StoredEvent,
)
from eventsourcing.utils import get_topic, resolve_topic

from ledger.errors import InvalidEventError, KeyUnavailableError
from signing.entry import Header, SealedEvent, Unsigned, prepare, sign_save
from signing.errors import MalformedInputError


@dataclass(frozen=True)
class Signer:
    """The key in force: its C2SP key id (hex) and private key."""

    key_id: str
    private_key: Ed25519PrivateKey


class SigningMapper(Mapper[UUID]):
    """Seals and signs on the way in; opens (without verifying) on the way out.

    Verification is the verifier's job (``akledger verify``), not every read's.
    """

    signer: Signer | None = None

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        return self.to_stored_events([domain_event])[0]

    def to_stored_events(
        self, domain_events: Sequence[DomainEventProtocol[UUID]]
    ) -> list[StoredEvent]:
        """Seal the events of one save and sign them together."""
        return [stored for stored, _ in self.seal_events(domain_events)]

    def seal_events(
        self, domain_events: Sequence[DomainEventProtocol[UUID]]
    ) -> list[tuple[StoredEvent, SealedEvent]]:
        """Seal the events of one save and sign them together; also the sealed events."""
        signer = self.signer
        if signer is None:
            raise KeyUnavailableError("no signing key is loaded; the ledger cannot append")
        prepared = [self._prepare(event, signer.key_id) for event in domain_events]
        sealed = sign_save([unsigned for _, unsigned in prepared], signer.private_key)
        return [
            (StoredEvent(st.originator_id, st.originator_version, st.topic, s.to_state()), s)
            for (st, _), s in zip(prepared, sealed, strict=True)
        ]

    def _prepare(
        self, domain_event: DomainEventProtocol[UUID], key_id: str
    ) -> tuple[StoredEvent, Unsigned]:
        topic = get_topic(domain_event.__class__)
        payload = dict(vars(domain_event))
        originator_id = payload.pop("originator_id")
        version = payload.pop("originator_version")
        timestamp: datetime = payload.pop("timestamp")
        try:
            occurred_at = payload.pop("occurred_at")
            actor = payload.pop("actor")
        except KeyError as exc:
            raise InvalidEventError(f"{topic} carries no {exc.args[0]}") from exc
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            payload["class_version"] = class_version
        header = Header(
            originator_id=str(originator_id),
            version=version,
            topic=topic,
            occurred_at=occurred_at,
            recorded_at=timestamp.isoformat(),
            actor=actor,
            key_id=key_id,
        )
        try:
            unsigned = prepare(header, payload)
        except MalformedInputError as exc:
            raise InvalidEventError(f"{topic} for {originator_id}: {exc}") from exc
        return StoredEvent(originator_id, version, topic, b""), unsigned

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        cls = resolve_topic(stored_event.topic)
        try:
            # Only the values and the entry's header are needed: the salts and the signature
            # stay encoded (``SealedEvent.from_state`` would decode every one; the verifier does).
            doc = _loads(stored_event.state)
            entry = _loads(doc["entry"])
            state: dict[str, Any] = {name: pair[1] for name, pair in doc["fields"].items()}
            state["occurred_at"] = entry["occurred_at"]
            state["actor"] = entry["actor"]
            state["timestamp"] = datetime.fromisoformat(entry["recorded_at"])
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            msg = (
                f"stored event {stored_event.originator_id} v{stored_event.originator_version} "
                f"({stored_event.topic}) is not a sealed event: {exc}"
            )
            raise MapperDeserialisationError(msg) from exc
        originator_id = stored_event.originator_id
        state["originator_id"] = originator_id if isinstance(originator_id, UUID) else UUID(
            str(originator_id)
        )
        state["originator_version"] = stored_event.originator_version
        class_version = getattr(cls, "class_version", 1)
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        domain_event = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", state)
        return domain_event  # type: ignore[no-any-return]


def _loads(text: bytes | str) -> Any:
    """JSON by orjson (a few times faster: every read of an event parses its sealed state); by the
    standard library where orjson declines what it accepts (an integer beyond 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


class SigningEventStore(EventStore[UUID]):
    """eventsourcing's EventStore, but a save's events are sealed and signed together.

    ``put`` is the library's own, except that it asks the mapper for all stored events at
    once (``to_stored_events``) instead of one by one.
    """

    mapper: SigningMapper

    def put(
        self, domain_events: Sequence[DomainEventProtocol[UUID]], **kwargs: Any
    ) -> list[Recording[UUID]]:
        sealed = self.mapper.seal_events(domain_events) if domain_events else []
        notification_ids = self.recorder.insert_events([s for s, _ in sealed], **kwargs)
        if not notification_ids:
            return []
        return [
            SealedRecording(
                d,
                Notification(
                    originator_id=s.originator_id, originator_version=s.originator_version,
                    topic=s.topic, state=s.state, id=n_id,
                ),
                sealed=sealed_event,
            )
            for d, (s, sealed_event), n_id in zip(
                domain_events, sealed, notification_ids, strict=True
            )
        ]


@dataclass(frozen=True)
class SealedRecording(Recording[UUID]):
    """A recording that also carries its sealed event, so callers need not parse it again."""

    sealed: SealedEvent | None = None
