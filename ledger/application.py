"""The AK Ledger eventsourcing Application: signed appends on SQLite or PostgreSQL.

Persistence is eventsourcing-sqlalchemy through one SQLAlchemy URL; the mapper is
:class:`ledger.mapper.SigningMapper`. The signing key in force is found from the ledger
itself (the ``SigningKeys`` aggregate) and loaded from the key directory.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import EventStore, Mapper, Recording
from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection, Engine

from ledger.actors import Actor
from ledger.config import Settings
from ledger.errors import AlreadyInitialisedError, NotInitialisedError
from ledger.keystore import KeyStore
from ledger.log.tables import ledger_keys
from ledger.mapper import SealedRecording, Signer, SigningEventStore, SigningMapper
from ledger.notes import Note
from ledger.signing_keys import SigningKeys
from signing import keys as key_bytes


@dataclass(frozen=True)
class Appended:
    """What the caller of a command gets back at once: where and how it was signed."""

    originator_id: UUID
    version: int
    position: int  # notification id
    topic: str
    key_id: str
    signature: str  # base64
    batch: dict[str, Any] | None  # the event's path to its save's signed root, if shared


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class AKLedger(Application[UUID]):
    """Commands append signed events; the log integrator makes them verifiable."""

    name = "AKLedger"  # eventsourcing-sqlalchemy table: akledger_events

    def __init__(self, settings: Settings, *, create_table: bool = False) -> None:
        self.settings = settings
        self.keystore = KeyStore(settings.keys_dir, settings.key_passphrase)
        super().__init__(
            env={
                "PERSISTENCE_MODULE": "ledger.recorder:LedgerFactory",
                "SQLALCHEMY_URL": settings.database_url,
                "CREATE_TABLE": "y" if create_table else "n",
            }
        )

    def construct_mapper(self) -> Mapper[UUID]:
        return SigningMapper(transcoder=self.construct_transcoder())

    def construct_event_store(self) -> EventStore[UUID]:
        # The mapper is constructed first (Application.__init__ order) and is ours.
        return SigningEventStore(mapper=self.signing_mapper, recorder=self.recorder)

    # -- infrastructure handles -------------------------------------------------------
    @property
    def signing_mapper(self) -> SigningMapper:
        assert isinstance(self.mapper, SigningMapper)
        return self.mapper

    @property
    def engine(self) -> Engine:
        engine = self.recorder.datastore.engine  # type: ignore[attr-defined]
        assert isinstance(engine, Engine)
        return engine

    @property
    def events_table(self) -> Table:
        table = self.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        assert isinstance(table, Table)
        return table

    def connect(self) -> Connection:
        return self.engine.connect()

    # -- keys -------------------------------------------------------------------------
    @property
    def signing_keys_id(self) -> UUID:
        return SigningKeys.create_id(self.settings.log_origin)

    def signing_keys(self) -> SigningKeys:
        """Raises NotInitialisedError when the ledger has not been created."""
        try:
            aggregate: Any = self.repository.get(self.signing_keys_id)
        except AggregateNotFoundError as exc:
            raise NotInitialisedError(
                f"no ledger with origin {self.settings.log_origin!r} in the database "
                "(run `akledger init`, or check AKLEDGER_LOG_ORIGIN)"
            ) from exc
        assert isinstance(aggregate, SigningKeys)
        return aggregate

    def load_signer(self) -> Signer:
        """Load the key in force from the key directory so that appends can be signed."""
        key_id = self.signing_keys().active_key_id
        signer = Signer(key_id, self.keystore.load(key_id))
        self.signing_mapper.signer = signer
        return signer

    def signer_for(self, key_id: str) -> Signer:
        current = self.signing_mapper.signer
        if current is not None and current.key_id == key_id:
            return current
        return Signer(key_id, self.keystore.load(key_id))

    def initialise(self, actor: Actor) -> Appended:
        """Create the genesis key and the ``LedgerInitialised`` event it signs."""
        try:
            self.repository.get(self.signing_keys_id)
        except AggregateNotFoundError:
            pass
        else:
            raise AlreadyInitialisedError(
                f"a ledger with origin {self.settings.log_origin!r} already exists"
            )
        key_id, private_key = self.keystore.create(self.settings.log_origin)
        self.signing_mapper.signer = Signer(key_id, private_key)
        public = key_bytes.public_bytes(private_key.public_key())
        aggregate = SigningKeys(
            origin=self.settings.log_origin,
            key_id=key_id,
            public_key=base64.b64encode(public).decode(),
            occurred_at=now_iso(),
            actor=actor.as_json(),
        )
        return self._save_key_event(aggregate, key_id, public)

    def rotate_key(self, actor: Actor) -> Appended:
        """Add a key; the rotation event is signed by the key it retires."""
        aggregate = self.signing_keys()
        self.load_signer()
        previous = aggregate.active_key_id
        key_id, private_key = self.keystore.create(self.settings.log_origin)
        public = key_bytes.public_bytes(private_key.public_key())
        aggregate.rotate(
            key_id=key_id,
            public_key=base64.b64encode(public).decode(),
            previous_key_id=previous,
            occurred_at=now_iso(),
            actor=actor.as_json(),
        )
        appended = self._save_key_event(aggregate, key_id, public)
        self.signing_mapper.signer = Signer(key_id, private_key)
        return appended

    def _save_key_event(self, aggregate: SigningKeys, key_id: str, public: bytes) -> Appended:
        # One transaction: the event and the key row stand or fall together.
        with self.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
            appended = self.append(aggregate, session=session)[0]
            session.execute(
                insert(ledger_keys).values(
                    key_id=key_id,
                    name=self.settings.log_origin,
                    public_key=public,
                    introduced_by=appended.position,
                    recorded_at=datetime.now(UTC),
                )
            )
        return appended

    # -- commands ---------------------------------------------------------------------
    def append(self, *aggregates: Any, **kwargs: Any) -> list[Appended]:
        """Save and describe what was appended (position, key id, signature)."""
        return [self._describe(r) for r in self.save(*aggregates, **kwargs)]

    def record_note(self, text: str, actor: Actor, occurred_at: str | None = None) -> Appended:
        note = Note(text=text, occurred_at=occurred_at or now_iso(), actor=actor.as_json())
        return self.append(note)[0]

    def _describe(self, recording: Recording[UUID]) -> Appended:
        # SigningEventStore's recordings carry the sealed event: nothing to parse again.
        assert isinstance(recording, SealedRecording)
        assert recording.sealed is not None
        sealed = recording.sealed
        return Appended(
            originator_id=recording.domain_event.originator_id,
            version=recording.domain_event.originator_version,
            position=recording.notification.id,
            topic=recording.notification.topic,
            key_id=str(json.loads(sealed.entry)["key_id"]),
            signature=base64.b64encode(sealed.signature).decode(),
            batch=None if sealed.batch is None else sealed.batch.as_json(),
        )
