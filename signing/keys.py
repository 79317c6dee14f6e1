"""Ed25519 key material as bytes: generation, PEM (de)serialisation, raw public keys.

File handling lives with the ledger (``ledger.keystore``); this module never touches disk.
Never log or print what these functions return for a private key.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from signing.errors import MalformedInputError

PUBLIC_KEY_SIZE = 32


def generate() -> Ed25519PrivateKey:
    """A fresh Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def private_key_to_pem(key: Ed25519PrivateKey, passphrase: bytes | None = None) -> bytes:
    """PKCS#8 PEM, encrypted with the best available scheme when a passphrase is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def private_key_from_pem(pem: bytes, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    """Load a PKCS#8 PEM Ed25519 key.

    Raises:
        MalformedInputError: not PEM, wrong passphrase, or not an Ed25519 key.
    """
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase or None)
    except (ValueError, TypeError) as exc:
        raise MalformedInputError(f"cannot load private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise MalformedInputError("private key is not Ed25519")
    return key


def public_bytes(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_from_bytes(raw: bytes) -> Ed25519PublicKey:
    """Raises MalformedInputError unless ``raw`` is a 32-byte Ed25519 public key."""
    if len(raw) != PUBLIC_KEY_SIZE:
        raise MalformedInputError(f"Ed25519 public key must be 32 bytes, got {len(raw)}")
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise MalformedInputError(f"not an Ed25519 public key: {exc}") from exc
