"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys and Ed25519 cosignatures.

Signature types ``0x01`` (Ed25519, signed-note) and ``0x04`` (timestamped Ed25519,
c2sp.org/tlog-cosignature). Parsing follows golang.org/x/mod/sumdb/note, stricter in that
base64 must be canonical and key names must not hold control characters. Verification
returns or raises a :mod:`signing.errors` error; it never returns False.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from signing.errors import MalformedInputError, NoteFormatError, SignatureError, UnknownKeyError

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
SUPPORTED_ALGS = frozenset({ALG_ED25519, ALG_COSIGNATURE_V1})

KEY_ID_SIZE = 4
PUBLIC_KEY_SIZE = 32
TIMESTAMP_SIZE = 8
COSIGNATURE_SIZE = TIMESTAMP_SIZE + 64  # timestamp || Ed25519 signature
# tlog-cosignature: "It MUST NOT exceed 2^63 - 1".
MAX_TIMESTAMP = 2**63 - 1
# signed-note: verifiers SHOULD cap the signature count but MUST accept 16; x/mod caps at 100.
MAX_SIGNATURES = 100
# Cap on the UTF-8 size of a whole note; generous for 100 signatures of any listed type.
MAX_NOTE_SIZE = 1 << 20

SIGNATURE_PREFIX = "\u2014 "  # em dash, space (signed-note "Format")
_COSIGNATURE_HEADER = b"cosignature/v1\n"
_KEY_ID_HEX = re.compile(r"[0-9a-fA-F]{8}")
# signed-note: no ASCII control characters other than newline; str must also be valid UTF-8,
# so lone surrogates are refused too.
_FORBIDDEN_CHAR = re.compile("[\x00-\x09\x0b-\x1f\ud800-\udfff]")


@dataclass(frozen=True)
class Verifier:
    """A trusted key: name, 4-byte key ID, Ed25519 public key and signature type.

    Build with :func:`parse_vkey` or :meth:`from_public_key`. The key ID must be the one
    signed-note recommends, as x/mod's ``NewVerifier`` requires. Not hashable.

    Raises (on construction):
        NoteFormatError: invalid name.
        MalformedInputError: unsupported ``alg`` or a key ID other than ``key_id(...)``.
    """

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey
    alg: int = ALG_ED25519

    def __post_init__(self) -> None:
        check_name(self.name, "verifier")
        if self.alg not in SUPPORTED_ALGS:
            raise MalformedInputError(
                f"verifier {self.name}: unsupported signature type {self.alg}"
            )
        expected = key_id(self.name, self.public_key, self.alg)
        if not hmac.compare_digest(self.key_id, expected):
            raise MalformedInputError(
                f"verifier {self.name}: key id {self.key_id.hex()} is not {expected.hex()}"
            )

    @classmethod
    def from_public_key(
        cls, name: str, public_key: Ed25519PublicKey, alg: int = ALG_ED25519
    ) -> Verifier:
        """The verifier for ``public_key`` under ``name``, with its computed key ID."""
        return cls(name, key_id(name, public_key, alg), public_key, alg)

    @property
    def label(self) -> str:
        """``name+keyid``, for messages."""
        return f"{self.name}+{self.key_id.hex()}"

    def verify(self, msg: bytes, sig: bytes) -> None:
        """Verify ``sig`` (the bytes after the key ID) over the note text ``msg``.

        For ``0x04`` keys ``sig`` is ``timestamp(8, big endian) || ed25519 sig(64)`` and the
        signed message is the tlog-cosignature "cosignature/v1" message over ``msg``.

        Raises:
            SignatureError: the signature does not verify (including a malformed cosignature).
        """
        if self.alg == ALG_COSIGNATURE_V1:
            try:
                timestamp, sig = _split_cosignature(sig)
            except NoteFormatError as exc:
                raise SignatureError(f"cosignature by {self.label}: {exc}") from exc
            msg = _cosigned_message(timestamp, msg)
        try:
            self.public_key.verify(sig, msg)
        except InvalidSignature:
            raise SignatureError(f"invalid signature for key {self.label}") from None


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, 4-byte key ID and the signature bytes after the ID."""

    name: str
    key_id: bytes
    signature: bytes

    @property
    def label(self) -> str:
        """``name+keyid``, for messages."""
        return f"{self.name}+{self.key_id.hex()}"

    def line(self) -> str:
        """The encoded ``— name base64(key_id || signature)\\n`` line."""
        encoded = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{SIGNATURE_PREFIX}{self.name} {encoded}\n"


@dataclass(frozen=True)
class Note:
    """A parsed note: text (with its final newline) and signatures in order of appearance."""

    text: str
    signatures: tuple[Signature, ...]


def check_name(name: str, what: str) -> None:
    """Raise NoteFormatError (naming ``what``) unless ``name`` is a valid key name.

    Valid: non-empty, no Unicode space, no ``+``, no control character, valid UTF-8.
    """
    if not name:
        raise NoteFormatError(f"{what}: key name is empty")
    if "+" in name:
        raise NoteFormatError(f"{what}: key name {name!r} contains '+'")
    if any(ch.isspace() for ch in name):
        raise NoteFormatError(f"{what}: key name {name!r} contains a space")
    if _FORBIDDEN_CHAR.search(name):
        raise NoteFormatError(f"{what}: key name {name!r} has a control character or is not UTF-8")


def check_note_text(text: str, what: str = "note text") -> None:
    """Raise NoteFormatError (naming ``what``) unless ``text`` can be a note's text.

    Valid: ends in a newline, valid UTF-8, no control character but newline, at most
    :data:`MAX_NOTE_SIZE` bytes.
    """
    if not text.endswith("\n"):
        raise NoteFormatError(f"{what}: does not end with a newline")
    _check_chars(text, what)


def _check_chars(text: str, what: str) -> None:
    # The character count bounds the byte count from below, so check it before encoding.
    if len(text) > MAX_NOTE_SIZE or len(text.encode("utf-8", "surrogatepass")) > MAX_NOTE_SIZE:
        raise NoteFormatError(f"{what}: longer than {MAX_NOTE_SIZE} bytes")
    bad = _FORBIDDEN_CHAR.search(text)
    if bad:
        raise NoteFormatError(
            f"{what}: character U+{ord(bad.group()):04X} at offset {bad.start()} is not allowed"
        )


def decode_base64(text: str, what: str) -> bytes:
    """Decode canonical padded base64 (RFC 4648 section 4); else raise NoteFormatError."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NoteFormatError(f"{what}: invalid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteFormatError(f"{what}: non-canonical base64")
    return raw


def key_id(name: str, public_key: Ed25519PublicKey, alg: int = ALG_ED25519) -> bytes:
    """``SHA-256(name || 0x0A || alg || public key)[:4]`` (signed-note, tlog-cosignature).

    Raises:
        NoteFormatError: invalid name.
        MalformedInputError: ``alg`` is not a byte value.
    """
    check_name(name, "key id")
    if not 0 <= alg <= 0xFF:
        raise MalformedInputError(f"signature type {alg} is not a byte")
    return _key_id_of(name, bytes([alg]) + public_key.public_bytes_raw())


def _key_id_of(name: str, material: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + material).digest()[:KEY_ID_SIZE]


def _encode_vkey(name: str, public_key: Ed25519PublicKey, alg: int) -> str:
    kid = key_id(name, public_key, alg)
    material = base64.b64encode(bytes([alg]) + public_key.public_bytes_raw()).decode("ascii")
    return f"{name}+{kid.hex()}+{material}"


def vkey(name: str, public_key: Ed25519PublicKey) -> str:
    """The ``0x01`` vkey ``name+hex8+base64(0x01 || pubkey)``; NoteFormatError if bad name."""
    return _encode_vkey(name, public_key, ALG_ED25519)


def cosignature_vkey(name: str, public_key: Ed25519PublicKey) -> str:
    """The tlog-cosignature ``0x04`` vkey; NoteFormatError if ``name`` is invalid."""
    return _encode_vkey(name, public_key, ALG_COSIGNATURE_V1)


def parse_vkey(text: str) -> Verifier:
    """Parse ``name+hex8+base64(alg || pubkey)`` with ``alg`` 0x01 or 0x04.

    Raises:
        NoteFormatError: bad shape, bad name, key ID not 8 hex digits, bad base64, unknown
            signature type, public key not 32 bytes, or key ID not matching the key.
    """
    name, sep1, rest = text.partition("+")
    hex_id, sep2, encoded = rest.partition("+")
    if not sep1 or not sep2:
        raise NoteFormatError("vkey: expected <name>+<key id>+<key>")
    check_name(name, "vkey")
    if not _KEY_ID_HEX.fullmatch(hex_id):
        raise NoteFormatError(f"vkey {name}: key id {hex_id!r} is not 8 hex digits")
    material = decode_base64(encoded, f"vkey {name}: key")
    if not material:
        raise NoteFormatError(f"vkey {name}: key is empty")
    alg, raw = material[0], material[1:]
    if alg not in SUPPORTED_ALGS:
        raise NoteFormatError(f"vkey {name}: unknown signature type 0x{alg:02x}")
    if len(raw) != PUBLIC_KEY_SIZE:
        raise NoteFormatError(f"vkey {name}: Ed25519 key is {len(raw)} bytes, not 32")
    kid = bytes.fromhex(hex_id)
    if not hmac.compare_digest(kid, _key_id_of(name, material)):
        raise NoteFormatError(f"vkey {name}: key id {hex_id} does not match the key")
    try:
        public_key = Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise NoteFormatError(f"vkey {name}: {exc}") from exc
    return Verifier(name, kid, public_key, alg)


def _parse_signature_line(line: str, number: int) -> Signature:
    what = f"note: signature line {number}"
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteFormatError(f"{what}: does not start with an em dash and a space")
    name, sep, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    check_name(name, what)
    if not sep or not encoded:
        raise NoteFormatError(f"{what}: no signature after the key name")
    raw = decode_base64(encoded, what)
    if len(raw) <= KEY_ID_SIZE:
        raise NoteFormatError(f"{what}: signature is {len(raw)} bytes, fewer than 5")
    return Signature(name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:])


def parse_note(note: str) -> Note:
    """Parse a signed note without verifying it (signed-note "Format").

    The text runs to the newline before the last blank line; each later line must be
    ``— <name> <base64>\n``.

    Raises:
        NoteFormatError: control characters (CR included), invalid UTF-8, over the size or
            signature-count limit, no blank line, no signature line, a malformed line.
    """
    _check_chars(note, "note")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteFormatError("note: no blank line between text and signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise NoteFormatError("note: no signature lines")
    if not block.endswith("\n"):
        raise NoteFormatError("note: last signature line does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteFormatError(f"note: {len(lines)} signatures, more than {MAX_SIGNATURES}")
    signatures = tuple(_parse_signature_line(line, n) for n, line in enumerate(lines, 1))
    return Note(text, signatures)


def signer_line(name: str, private_key: Ed25519PrivateKey, text: str) -> str:
    """The Ed25519 (``0x01``) signature line over note ``text``, ending in a newline.

    Raises:
        NoteFormatError: ``text`` fails :func:`check_note_text`, or ``name`` is invalid.
    """
    check_note_text(text)
    kid = key_id(name, private_key.public_key(), ALG_ED25519)
    return Signature(name, kid, private_key.sign(text.encode("utf-8"))).line()


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """``text``, a blank line, and one Ed25519 signature line by ``name``.

    Raises:
        NoteFormatError: ``text`` fails :func:`check_note_text`, or ``name`` is invalid.
    """
    return text + "\n" + signer_line(name, private_key, text)


def add_signature(note: str, line: str) -> str:
    """Append one signature ``line`` (e.g. a cosignature) to a signed ``note``, unverified.

    An existing signature with the same name and key ID is dropped, as x/mod's ``Sign`` does.

    Raises:
        NoteFormatError: ``note`` does not parse; ``line`` is not exactly one signature line
            ending in a newline; the result would exceed the note limits.
    """
    parsed = parse_note(note)
    if not line.endswith("\n") or "\n" in line[:-1]:
        raise NoteFormatError("signature line: must be exactly one newline-terminated line")
    _check_chars(line, "signature line")
    new = _parse_signature_line(line[:-1], len(parsed.signatures) + 1)
    kept = [s for s in parsed.signatures if (s.name, s.key_id) != (new.name, new.key_id)]
    result = parsed.text + "\n" + "".join(s.line() for s in kept) + new.line()
    parse_note(result)  # enforces the size and count limits on the result
    return result


def _index_verifiers(verifiers: Sequence[Verifier]) -> dict[tuple[str, bytes], Verifier]:
    known: dict[tuple[str, bytes], Verifier] = {}
    for v in verifiers:
        other = known.setdefault((v.name, v.key_id), v)
        same_key = other.public_key.public_bytes_raw() == v.public_key.public_bytes_raw()
        if other.alg != v.alg or not same_key:
            # x/mod: "ambiguous key"; someone controls the verifier list, so give up.
            raise MalformedInputError(f"ambiguous verifiers for key {v.label}")
    return known


def open_note(note: str, verifiers: Sequence[Verifier]) -> tuple[Note, list[Verifier]]:
    """Parse ``note`` and verify every signature whose (name, key ID) is a known verifier.

    Signatures from unknown keys are ignored (signed-note: "Verifiers MUST ignore signatures
    from unknown keys"); ``0x04`` verifiers check cosignatures over the note text.

    Returns:
        The note and the verifiers with a valid signature, in order of first signature.

    Raises:
        NoteFormatError: the note does not parse.
        MalformedInputError: two different verifiers share a name and key ID.
        SignatureError: a signature by a known key does not verify.
        UnknownKeyError: no signature is by a known key.
    """
    parsed = parse_note(note)
    known = _index_verifiers(verifiers)
    message = parsed.text.encode("utf-8")
    signed: dict[tuple[str, bytes], Verifier] = {}
    for sig in parsed.signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        verifier.verify(message, sig.signature)
        signed.setdefault((sig.name, sig.key_id), verifier)
    if not signed:
        names = ", ".join(sorted({s.label for s in parsed.signatures}))
        raise UnknownKeyError(f"note has no signature by a known key (signed by {names})")
    return parsed, list(signed.values())


def _cosigned_message(timestamp: int, text: bytes) -> bytes:
    # tlog-cosignature "Ed25519 signed message": header line, time line, note text.
    return _COSIGNATURE_HEADER + b"time %d\n" % timestamp + text


def _split_cosignature(sig: bytes) -> tuple[int, bytes]:
    if len(sig) != COSIGNATURE_SIZE:
        raise NoteFormatError(f"cosignature is {len(sig)} bytes, not {COSIGNATURE_SIZE}")
    timestamp = int.from_bytes(sig[:TIMESTAMP_SIZE], "big")
    if timestamp > MAX_TIMESTAMP:
        raise NoteFormatError(f"cosignature timestamp {timestamp} exceeds 2^63-1")
    return timestamp, sig[TIMESTAMP_SIZE:]


def cosign(checkpoint_text: str, name: str, private_key: Ed25519PrivateKey, timestamp: int) -> str:
    """A tlog-cosignature (``0x04``) line over ``checkpoint_text`` at POSIX ``timestamp``.

    Raises:
        NoteFormatError: ``checkpoint_text`` is not note text, or ``name`` is invalid.
        MalformedInputError: ``timestamp`` is not in ``[0, 2^63-1]``.
    """
    check_note_text(checkpoint_text, "checkpoint text")
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise MalformedInputError(f"cosignature timestamp {timestamp} is not in [0, 2^63-1]")
    kid = key_id(name, private_key.public_key(), ALG_COSIGNATURE_V1)
    message = _cosigned_message(timestamp, checkpoint_text.encode("utf-8"))
    signature = timestamp.to_bytes(TIMESTAMP_SIZE, "big") + private_key.sign(message)
    return Signature(name, kid, signature).line()


def verify_cosignature(checkpoint_text: str, sig: Signature, verifier: Verifier) -> int:
    """Verify a ``0x04`` cosignature over ``checkpoint_text``; return its timestamp.

    Raises:
        MalformedInputError: ``verifier`` is not a ``0x04`` (cosignature) key.
        UnknownKeyError: ``sig`` names another key (name or key ID differ).
        NoteFormatError: ``checkpoint_text`` is not note text; the cosignature is not
            8 + 64 bytes or its timestamp exceeds 2^63-1.
        SignatureError: the signature does not verify.
    """
    if verifier.alg != ALG_COSIGNATURE_V1:
        raise MalformedInputError(f"verifier {verifier.label} is not a cosignature (0x04) key")
    if sig.name != verifier.name or not hmac.compare_digest(sig.key_id, verifier.key_id):
        raise UnknownKeyError(f"signature by {sig.label} is not by {verifier.label}")
    check_note_text(checkpoint_text, "checkpoint text")
    timestamp, _ = _split_cosignature(sig.signature)
    verifier.verify(checkpoint_text.encode("utf-8"), sig.signature)
    return timestamp


def parse_signature_line(line: str) -> Signature:
    """Parse one ``— <name> <base64>`` signature line (with or without its final newline).

    Raises:
        NoteFormatError: not exactly one line, a control character, no em dash prefix, a bad
            key name, non-canonical base64, or a signature of fewer than 5 bytes.
    """
    body = line[:-1] if line.endswith("\n") else line
    if "\n" in body:
        raise NoteFormatError("signature line: must be exactly one line")
    _check_chars(body, "signature line")
    return _parse_signature_line(body, 1)
