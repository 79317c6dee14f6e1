"""The ledger's identity: its log origin and the chain of its Ed25519 signing keys.

The first event of every ledger, ``LedgerInitialised``, names the genesis key and is signed
by it. Each ``SigningKeyRotated`` names the next key and is signed by the key it retires,
so the whole chain of keys can be checked from the log alone. A key is in force from the
event that introduces it until the event that introduces its successor. It signs the events
appended while it is in force (the rotation event that retires it included) and the
checkpoints signed while it is in force, that is those whose last entry is at or after its
introducing event and before its successor's (so the checkpoint that ends at a rotation is
already signed by the new key). It stays valid for that history after it is retired.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event


class SigningKeys(Aggregate):
    """One per ledger; its id is derived from the log origin."""

    @classmethod
    def create_id(cls, origin: str, **_: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"akledger:{origin}")

    @event("LedgerInitialised")
    def __init__(
        self, origin: str, key_id: str, public_key: str, occurred_at: str, actor: dict[str, str]
    ) -> None:
        self.origin = origin
        self.keys: list[tuple[str, str]] = [(key_id, public_key)]

    @event("SigningKeyRotated")
    def rotate(
        self,
        key_id: str,
        public_key: str,
        previous_key_id: str,
        occurred_at: str,
        actor: dict[str, str],
    ) -> None:
        self.keys.append((key_id, public_key))

    @property
    def active_key_id(self) -> str:
        return self.keys[-1][0]


LedgerInitialised = SigningKeys.LedgerInitialised  # type: ignore[attr-defined]
SigningKeyRotated = SigningKeys.SigningKeyRotated  # type: ignore[attr-defined]
