"""Typed errors of the signing package.

Verification functions in ``signing`` either return or raise one of these; they never
return ``False`` (the sigstore-python convention). Foreign exceptions (``binascii``,
``cryptography``) are translated at the boundary into these.
"""

from __future__ import annotations


class VerificationError(Exception):
    """Something does not verify. The message says what and where."""


class MalformedInputError(VerificationError):
    """Input is not of the required shape (a hash not 32 bytes, an index out of range, ...)."""


class RootMismatchError(VerificationError):
    """A proof or recomputation leads to a root other than the expected one."""


class SignatureError(VerificationError):
    """A signature does not verify under the named key."""


class UnknownKeyError(VerificationError):
    """A signature names a key that the verifier does not know or trust."""


class NoteFormatError(MalformedInputError):
    """A signed note, checkpoint or verifier key is not in the C2SP format."""


class CommitmentError(VerificationError):
    """A disclosed field value does not match the commitment in its entry."""


class DossierFormatError(MalformedInputError):
    """A dossier is not a zip in the ``akledger-dossier/v1`` layout (bad input, not tampering)."""


class DossierIncompleteError(VerificationError):
    """An event the dossier must hold is not in it: an entry removed, or a version of an
    aggregate's history (the matter's above all) left out."""


class EntryAlteredError(SignatureError):
    """An entry matches neither its signature nor the checkpoint: its bytes were altered (for
    an event with withheld fields, typically a redacted field's commitment)."""


class WitnessError(VerificationError):
    """A witness cosignature the verifier requires is missing or does not verify."""
