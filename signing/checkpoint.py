"""C2SP transparency-log checkpoints (c2sp.org/tlog-checkpoint): the signed-note body.

The note text is at least three non-empty newline-terminated lines: origin, tree size in
decimal, base64 root hash; any further lines are opaque extension lines.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signing.errors import NoteFormatError
from signing.note import Note, Verifier, check_note_text, decode_base64, open_note, sign_note

ROOT_HASH_SIZE = 32
# Tree sizes are uint64 in every implementation we interoperate with (transparency-dev/formats).
MAX_TREE_SIZE = 2**64 - 1
# tlog-checkpoint: "ASCII decimal ... with no leading zeroes (unless the tree is empty)".
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def _check_line(line: str, what: str) -> None:
    if not line:
        raise NoteFormatError(f"{what}: empty")
    if "\n" in line:
        raise NoteFormatError(f"{what}: contains a newline")
    check_note_text(line + "\n", what)


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint body: origin, tree size, RFC 6962 root hash, extension lines.

    Raises (on construction):
        NoteFormatError: origin or an extension line empty, containing a newline or a control
            character; size not in ``[0, 2^64-1]``; root hash not 32 bytes.
    """

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "checkpoint origin")
        if isinstance(self.size, bool) or not 0 <= self.size <= MAX_TREE_SIZE:
            raise NoteFormatError(f"checkpoint size {self.size!r} is not in [0, 2^64-1]")
        if len(self.root_hash) != ROOT_HASH_SIZE:
            raise NoteFormatError(f"checkpoint root hash is {len(self.root_hash)} bytes, not 32")
        for n, extension in enumerate(self.extensions, 4):
            _check_line(extension, f"checkpoint line {n} (extension)")

    def text(self) -> str:
        """The note text: each line followed by a newline."""
        root = base64.b64encode(self.root_hash).decode("ascii")
        lines = (self.origin, str(self.size), root, *self.extensions)
        return "".join(line + "\n" for line in lines)


def _parse_size(line: str) -> int:
    # ASCII-only on purpose: int() would accept "+1", " 1", "1_0" and Arabic-Indic digits.
    if not _DECIMAL.fullmatch(line):
        raise NoteFormatError(
            f"checkpoint line 2 (tree size): {line!r} is not a decimal without leading zeros"
        )
    size = int(line)
    if size > MAX_TREE_SIZE:
        raise NoteFormatError(f"checkpoint line 2 (tree size): {size} exceeds 2^64-1")
    return size


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint note text strictly.

    Raises:
        NoteFormatError: naming the offending line: text not newline-terminated or not note
            text; fewer than three lines; an empty line; a size with a sign, leading zeros or
            non-ASCII digits, or over 2^64-1; a root hash that is not canonical base64 of 32
            bytes.
    """
    check_note_text(text, "checkpoint")
    lines = text[:-1].split("\n")  # not splitlines(): U+2028 etc. are ordinary characters here
    if len(lines) < 3:
        raise NoteFormatError(f"checkpoint: {len(lines)} lines, expected at least 3")
    for n, line in enumerate(lines, 1):
        if not line:
            raise NoteFormatError(f"checkpoint line {n}: empty")
    size = _parse_size(lines[1])
    root = decode_base64(lines[2], "checkpoint line 3 (root hash)")
    if len(root) != ROOT_HASH_SIZE:
        raise NoteFormatError(f"checkpoint line 3 (root hash): {len(root)} bytes, not 32")
    return Checkpoint(lines[0], size, root, tuple(lines[3:]))


def sign_checkpoint(cp: Checkpoint, name: str, private_key: Ed25519PrivateKey) -> str:
    """The signed note of ``cp`` with one Ed25519 signature by ``name``.

    Raises:
        NoteFormatError: ``name`` is not a valid key name.
    """
    return sign_note(cp.text(), name, private_key)


def open_checkpoint(
    note: str, verifiers: Sequence[Verifier], origin: str | None = None
) -> tuple[Checkpoint, Note, list[Verifier]]:
    """Verify a signed checkpoint (:func:`signing.note.open_note`) and parse its text.

    Any known verifier counts, cosigners included: pass only the log's key to require the
    log's own signature.

    Raises:
        NoteFormatError: the note or its checkpoint text is malformed, or ``origin`` is given
            and differs from the checkpoint's origin.
        SignatureError, UnknownKeyError, MalformedInputError: as :func:`open_note`.
    """
    parsed, signers = open_note(note, verifiers)
    checkpoint = parse_checkpoint(parsed.text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteFormatError(
            f"checkpoint origin {checkpoint.origin!r} is not the expected {origin!r}"
        )
    return checkpoint, parsed, signers
