"""Sealed entries: commitments, canonical form, signatures, redaction."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signing.canonical import canonical
from signing.entry import (
    Header,
    SealedEvent,
    commitment,
    parse_entry,
    prepare,
    seal,
    sign_save,
    verify_disclosure,
    verify_signature,
)
from signing.errors import CommitmentError, MalformedInputError, SignatureError

HEADER = Header(
    originator_id="0689c8ae-d358-452b-897e-8de6a47299c0",
    version=1,
    topic="ledger.notes:Note.NoteRecorded",
    occurred_at="2026-11-25T10:00:00+00:00",
    recorded_at="2026-11-25T10:00:01+00:00",
    actor={"principal": "alice", "role": "dcc-test-manager", "organisation": "DCC"},
    key_id="1a2b3c4d",
)
PAYLOAD = {"text": "Témoin: SIT run 3", "count": 3, "tags": ["a", None, True]}


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def test_a_sealed_event_round_trips_and_verifies(key: Ed25519PrivateKey) -> None:
    sealed = SealedEvent.from_state(seal(HEADER, PAYLOAD, key).to_state())
    doc = parse_entry(sealed.entry)
    verify_disclosure(doc, sealed.fields)
    verify_signature(sealed, key.public_key())
    assert doc["key_id"] == HEADER.key_id
    assert set(doc["commitments"]) == set(PAYLOAD)
    assert {name: value for name, (_, value) in sealed.fields.items()} == PAYLOAD


def test_a_withheld_field_still_verifies_but_an_added_one_does_not(key: Ed25519PrivateKey) -> None:
    sealed = seal(HEADER, PAYLOAD, key)
    doc = parse_entry(sealed.entry)
    redacted = {k: v for k, v in sealed.fields.items() if k != "text"}
    verify_disclosure(doc, redacted)
    with pytest.raises(CommitmentError, match="extra"):
        verify_disclosure(doc, {**sealed.fields, "extra": (b"\0" * 16, 1)})


@pytest.mark.parametrize("value", ["Témoin: SIT run 4", 4, None, ["a"], {"x": 1}])
def test_a_changed_value_breaks_its_commitment(key: Ed25519PrivateKey, value: object) -> None:
    sealed = seal(HEADER, PAYLOAD, key)
    salt, _ = sealed.fields["text"]
    with pytest.raises(CommitmentError, match="text"):
        verify_disclosure(parse_entry(sealed.entry), {"text": (salt, value)})


def test_same_value_under_fresh_salts_gives_unlinkable_commitments(key: Ed25519PrivateKey) -> None:
    first, second = seal(HEADER, PAYLOAD, key), seal(HEADER, PAYLOAD, key)
    assert parse_entry(first.entry)["commitments"] != parse_entry(second.entry)["commitments"]


def test_commitment_is_sha256_of_salt_and_canonical_value() -> None:
    import hashlib

    salt = bytes(16)
    assert commitment(salt, {"b": 1, "a": "x"}) == hashlib.sha256(salt + b'{"a":"x","b":1}').digest()
    with pytest.raises(MalformedInputError):
        commitment(b"short", 1)


@pytest.mark.parametrize("bad", [1.5, {"a": [0.1]}, float("nan")])
def test_floats_are_refused_in_signed_values(bad: object) -> None:
    with pytest.raises(MalformedInputError, match="float"):
        canonical(bad)


def test_a_flipped_entry_byte_breaks_the_signature(key: Ed25519PrivateKey) -> None:
    sealed = seal(HEADER, PAYLOAD, key)
    tampered = SealedEvent(
        sealed.entry.replace(b'"version":1', b'"version":2'), sealed.signature, sealed.fields
    )
    with pytest.raises(SignatureError):
        verify_signature(tampered, key.public_key())
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(SignatureError):
        verify_signature(sealed, other)


@pytest.mark.parametrize("size", [2, 3, 7, 100])
def test_a_save_is_signed_once_and_each_event_verifies_alone(
    key: Ed25519PrivateKey, size: int
) -> None:
    unsigned = [prepare(HEADER, {**PAYLOAD, "count": i}) for i in range(size)]
    sealed = sign_save(unsigned, key)
    assert len({s.signature for s in sealed}) == 1
    for i, event in enumerate(sealed):
        alone = SealedEvent.from_state(event.to_state())  # nothing but what is stored with it
        assert alone.batch is not None
        assert (alone.batch.index, alone.batch.size) == (i, size)
        verify_signature(alone, key.public_key())


def test_an_event_changed_inside_a_signed_save_fails(key: Ed25519PrivateKey) -> None:
    sealed = sign_save([prepare(HEADER, {**PAYLOAD, "count": i}) for i in range(4)], key)
    second = sealed[1]
    assert second.batch is not None
    forged_entry = sealed[2].entry  # another member's entry with this member's path
    for forged in (
        SealedEvent(forged_entry, second.signature, second.fields, second.batch),
        SealedEvent(second.entry, second.signature, second.fields, type(second.batch)(
            2, second.batch.size, second.batch.path)),
        SealedEvent(second.entry, second.signature, second.fields, type(second.batch)(
            1, second.batch.size, second.batch.path[:-1])),
    ):
        with pytest.raises(SignatureError):
            verify_signature(forged, key.public_key())


@pytest.mark.parametrize(
    "entry",
    [
        b"not json",
        b"[]",
        b'{"format":"other/v1"}',
        b'{"format":"akledger-entry/v1"}',
    ],
)
def test_malformed_entries_are_refused(entry: bytes) -> None:
    with pytest.raises(MalformedInputError):
        parse_entry(entry)


def test_a_non_canonical_entry_is_refused(key: Ed25519PrivateKey) -> None:
    doc = json.loads(seal(HEADER, PAYLOAD, key).entry)
    pretty = json.dumps(doc, indent=1).encode()
    with pytest.raises(MalformedInputError, match="canonical"):
        parse_entry(pretty)


@pytest.mark.parametrize("state", [b"", b"{}", b'{"entry":"x","signature":"!!","fields":{}}'])
def test_garbage_state_is_not_a_sealed_event(state: bytes) -> None:
    with pytest.raises(MalformedInputError):
        SealedEvent.from_state(state)
