"""The witness cosigns a checkpoint only if it extends the last one it cosigned, and keeps
both signed checkpoints when the log forks (signing.witness)."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signing import merkle, note
from signing.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from signing.errors import MalformedInputError, NoteFormatError, UnknownKeyError
from signing.witness import (
    EVIDENCE_DIR,
    KEY_FILE,
    STATE_FILE,
    ForkError,
    InconsistentCheckpointError,
    RollbackError,
    Witness,
    WitnessDir,
    check_extends,
)

ORIGIN = "ak-ledger.example/log"
LOG_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
LOG_V = note.parse_vkey(note.vkey(ORIGIN, LOG_KEY.public_key()))
NAME = "sit-auditor.example/w1"
NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
T0 = int(NOW.timestamp())
LEAVES = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(40)]


def signed(size: int, leaves: list[bytes] = LEAVES, key: Ed25519PrivateKey = LOG_KEY,
           origin: str = ORIGIN) -> str:
    return sign_checkpoint(Checkpoint(origin, size, merkle.root(leaves[:size])), origin, key)


def proof(first: int, second: int, leaves: list[bytes] = LEAVES) -> list[bytes]:
    return merkle.consistency_proof(leaves[:second], first)


def forked_leaves(at: int) -> list[bytes]:
    """Another history: the same first ``at`` entries, then different ones."""
    return LEAVES[:at] + [merkle.leaf_hash(f"other {i}".encode()) for i in range(at, 40)]


@pytest.fixture
def witness() -> Witness:
    return Witness(NAME, Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64))))


def test_a_consistent_series_is_cosigned_and_each_cosignature_verifies(witness: Witness) -> None:
    witness_v = note.parse_vkey(witness.vkey)
    last = 0
    for size in (1, 5, 8, 8, 13, 40):
        cosigned = witness.cosign(signed(size), proof(last, size), LOG_V, T0 + size)
        assert cosigned.checkpoint.size == size
        cp, _, signers = open_checkpoint(cosigned.note, [LOG_V, witness_v], origin=ORIGIN)
        assert [v.alg for v in signers] == [note.ALG_ED25519, note.ALG_COSIGNATURE_V1]
        sig = note.parse_signature_line(cosigned.line)
        assert note.verify_cosignature(cp.text(), sig, witness_v) == T0 + size
        assert witness.last(ORIGIN) == cp
        last = size


def test_the_cosignature_is_the_tlog_cosignature_v1_format(witness: Witness) -> None:
    cosigned = witness.cosign(signed(7), [], LOG_V, T0)
    prefix, name, encoded = cosigned.line.rstrip("\n").split(" ")
    raw = base64.b64decode(encoded)
    public = witness.key.public_key().public_bytes_raw()
    # key ID = SHA-256(name || 0x0A || 0x04 || public key)[:4]; then timestamp(8) || signature(64)
    assert (prefix, name, len(raw)) == ("\u2014", NAME, 4 + 8 + 64)
    assert raw[:4] == hashlib.sha256(NAME.encode() + b"\n\x04" + public).digest()[:4]
    assert int.from_bytes(raw[4:12], "big") == T0
    message = f"cosignature/v1\ntime {T0}\n{cosigned.checkpoint.text()}".encode()
    witness.key.public_key().verify(raw[12:], message)  # raises if the message differs
    assert witness.vkey.startswith(f"{NAME}+{raw[:4].hex()}+")


def test_same_size_with_another_root_is_a_fork(witness: Witness) -> None:
    witness.cosign(signed(20), [], LOG_V, T0)
    other = signed(20, forked_leaves(10))
    with pytest.raises(ForkError, match="two checkpoints of tree size 20 with different roots") as exc:
        witness.cosign(other, [], LOG_V, T0 + 1)
    assert (exc.value.evidence.seen, exc.value.evidence.offered) == (signed(20), other)
    assert witness.seen[ORIGIN] == signed(20)  # the state did not move


def test_a_larger_checkpoint_of_another_history_is_inconsistent(witness: Witness) -> None:
    witness.cosign(signed(20), [], LOG_V, T0)
    other = forked_leaves(10)
    # The forked log's honest proof from its own size 20 does not connect to the root we saw.
    with pytest.raises(InconsistentCheckpointError, match="not proven to extend size 20"):
        witness.cosign(signed(30, other), proof(20, 30, other), LOG_V, T0 + 1)
    assert witness.seen[ORIGIN] == signed(20)


@pytest.mark.parametrize("damage", ["flip a bit", "drop a hash", "add a hash", "proof for 19"])
def test_a_tampered_proof_is_refused(witness: Witness, damage: str) -> None:
    witness.cosign(signed(20), [], LOG_V, T0)
    good = proof(20, 33)
    bad = {
        "flip a bit": [bytes([good[0][0] ^ 1]) + good[0][1:], *good[1:]],
        "drop a hash": good[:-1],
        "add a hash": [*good, bytes(32)],
        "proof for 19": proof(19, 33),
    }[damage]
    with pytest.raises(InconsistentCheckpointError) as exc:
        witness.cosign(signed(33), bad, LOG_V, T0 + 1)
    assert exc.value.evidence.proof == tuple(bad)
    assert witness.cosign(signed(33), good, LOG_V, T0 + 2).checkpoint.size == 33


def test_a_smaller_checkpoint_is_a_rollback(witness: Witness) -> None:
    witness.cosign(signed(20), [], LOG_V, T0)
    with pytest.raises(RollbackError, match="tree size 12 after cosigned size 20"):
        witness.cosign(signed(12), [], LOG_V, T0 + 1)


def test_a_checkpoint_not_signed_by_the_log_key_is_refused_without_evidence(witness: Witness) -> None:
    impostor = Ed25519PrivateKey.from_private_bytes(bytes(range(64, 96)))
    with pytest.raises(UnknownKeyError):
        witness.cosign(signed(5, key=impostor), [], LOG_V, T0)
    with pytest.raises(NoteFormatError, match="origin"):  # the origin must be the key's name
        witness.cosign(sign_checkpoint(Checkpoint("elsewhere", 5, merkle.root(LEAVES[:5])),
                                       ORIGIN, LOG_KEY), [], LOG_V, T0)
    assert witness.seen == {}


def test_check_extends_trusts_the_first_checkpoint_and_needs_the_log_key() -> None:
    assert check_extends(None, signed(3), [], LOG_V).size == 3
    witness_v = note.parse_vkey(note.cosignature_vkey(NAME, LOG_KEY.public_key()))
    with pytest.raises(MalformedInputError, match="not an Ed25519"):
        check_extends(None, signed(3), [], witness_v)


def test_the_directory_is_private_and_keeps_both_checkpoints_of_a_fork(tmp_path: Path) -> None:
    home = tmp_path / "w"
    created = WitnessDir.init(home, NAME)
    for name in (KEY_FILE, STATE_FILE):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        WitnessDir.init(home, NAME)
    directory = WitnessDir(home)
    assert directory.load().vkey == created.vkey

    with directory.locked() as witness:
        directory.cosign(witness, signed(20), [], LOG_V, NOW)
    assert directory.load().seen == {ORIGIN: signed(20)}  # persisted
    forked = signed(20, forked_leaves(10))
    with pytest.raises(ForkError) as exc, directory.locked() as witness:
        directory.cosign(witness, forked, [], LOG_V, NOW)
    assert exc.value.path is not None
    assert exc.value.path.parent == home / EVIDENCE_DIR
    kept = json.loads(exc.value.path.read_text())
    assert (kept["kind"], kept["seen"], kept["offered"]) == ("fork", signed(20), forked)
    assert stat.S_IMODE(exc.value.path.stat().st_mode) == 0o600
    # The evidence stands on its own: both notes verify under the log's key, same size.
    sizes = {open_checkpoint(kept[k], [LOG_V])[0].size for k in ("seen", "offered")}
    roots = {open_checkpoint(kept[k], [LOG_V])[0].root_hash for k in ("seen", "offered")}
    assert (sizes, len(roots)) == ({20}, 2)
    assert directory.load().seen == {ORIGIN: signed(20)}
