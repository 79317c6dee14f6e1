"""Private signing keys on disk: ``$AKLEDGER_HOME/keys/<key id>.pem``, mode 0600.

Keys are named by their C2SP key id (hex), which is derived from the log origin and the
public key, so a key file cannot be confused with another ledger's.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.errors import KeyUnavailableError
from signing import keys, note
from signing.errors import MalformedInputError


class KeyStore:
    """A directory of PEM private keys, optionally encrypted with one passphrase."""

    def __init__(self, directory: Path, passphrase: bytes | None = None) -> None:
        self.directory = directory
        self._passphrase = passphrase

    def path(self, key_id: str) -> Path:
        return self.directory / f"{key_id}.pem"

    def create(self, origin: str) -> tuple[str, Ed25519PrivateKey]:
        """Generate a key, write it with mode 0600 and return (key id, key)."""
        key = keys.generate()
        key_id = note.key_id(origin, key.public_key()).hex()
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = keys.private_key_to_pem(key, self._passphrase)
        # O_EXCL: never overwrite a key; 0600 from the start, not chmod'ed afterwards.
        fd = os.open(self.path(key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        return key_id, key

    def load(self, key_id: str) -> Ed25519PrivateKey:
        """Raises KeyUnavailableError naming the key id and the reason."""
        path = self.path(key_id)
        try:
            pem = path.read_bytes()
        except FileNotFoundError as exc:
            raise KeyUnavailableError(f"signing key {key_id} not found at {path}") from exc
        except OSError as exc:
            raise KeyUnavailableError(f"signing key {key_id} unreadable: {exc}") from exc
        try:
            return keys.private_key_from_pem(pem, self._passphrase)
        except MalformedInputError as exc:
            raise KeyUnavailableError(
                f"signing key {key_id}: {exc} (check AKLEDGER_KEY_PASSPHRASE)"
            ) from exc
