"""Signing keys: rotation, what each key signs, restarts, missing and encrypted key files."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from api import log_service
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.config import Settings, load_settings
from ledger.errors import KeyUnavailableError
from ledger.store import create_ledger, open_ledger
from signing.checkpoint import open_checkpoint
from signing.errors import UnknownKeyError
from signing.note import parse_note, parse_vkey


@contextmanager
def reopened(settings: Settings) -> Iterator[AKLedger]:
    """The ledger opened afresh, as a restarted process would (no signer loaded)."""
    app = open_ledger(settings)
    try:
        yield app
    finally:
        app.close()
        app.engine.dispose()


def checkpoint_key_id(lg: AKLedger) -> str:
    """The key id (hex) on the latest checkpoint's one signature line."""
    (signature,) = parse_note(log_service.latest_checkpoint(lg).note).signatures
    return signature.key_id.hex()


def test_events_after_a_rotation_carry_the_new_key_and_every_event_still_verifies(
    ledger: AKLedger, actor: Actor
) -> None:
    old = ledger.load_signer().key_id
    genesis_vkey = log_service.vkey(ledger)
    before = ledger.record_note("before the rotation", actor)
    rotation = ledger.rotate_key(actor)
    after = ledger.record_note("after the rotation", actor)

    new = ledger.signing_keys().active_key_id
    assert new != old
    assert (before.key_id, rotation.key_id, after.key_id) == (old, old, new)  # 1: retiring key
    log_service.integrate(ledger)
    report = log_service.verify(ledger, full=True, trusted=[parse_vkey(genesis_vkey)])
    assert report.ok, report.fault
    assert report.signatures == 4


def test_an_auditor_pinning_only_the_new_key_is_told_the_genesis_key_is_unknown(
    ledger: AKLedger, actor: Actor
) -> None:
    ledger.rotate_key(actor)
    log_service.integrate(ledger)
    report = log_service.verify(ledger, trusted=[parse_vkey(log_service.vkey(ledger))])
    assert report.fault is not None
    assert report.fault.kind == "unknown-key"


def test_key_list_shows_the_retired_key_valid_for_its_history_and_the_new_one_in_force(
    ledger: AKLedger, actor: Actor
) -> None:
    old = ledger.load_signer().key_id
    ledger.record_note("signed by the genesis key", actor)
    rotation = ledger.rotate_key(actor)
    new = ledger.signing_keys().active_key_id

    retired, current = log_service.key_list(ledger)

    assert retired["key_id"] == old
    assert retired["status"].startswith("retired")
    assert (retired["valid_from"], retired["valid_until"]) == (1, rotation.position)
    assert current["key_id"] == new
    assert current["status"] == "in force"
    assert current["introduced_by"] == rotation.position
    assert (current["valid_from"], current["valid_until"]) == (rotation.position + 1, None)
    assert parse_vkey(retired["vkey"]).key_id.hex() == old
    assert parse_vkey(current["vkey"]).key_id.hex() == new
    assert current["vkey"] == log_service.vkey(ledger)


def test_checkpoints_after_a_rotation_are_signed_by_the_new_key_alone(
    ledger: AKLedger, actor: Actor
) -> None:
    old = ledger.load_signer().key_id
    old_vkey = log_service.vkey(ledger)
    log_service.integrate(ledger)
    assert checkpoint_key_id(ledger) == old

    ledger.rotate_key(actor)
    new = ledger.signing_keys().active_key_id
    log_service.integrate(ledger)  # the tree now ends with the rotation event
    assert checkpoint_key_id(ledger) == new
    ledger.record_note("after the rotation", actor)
    log_service.integrate(ledger)
    assert checkpoint_key_id(ledger) == new

    latest = log_service.latest_checkpoint(ledger).note
    checkpoint, _, _ = open_checkpoint(latest, [parse_vkey(log_service.vkey(ledger))])
    assert checkpoint.size == 3
    with pytest.raises(UnknownKeyError):
        open_checkpoint(latest, [parse_vkey(old_vkey)])
    report = log_service.verify(ledger)
    assert report.ok, report.fault
    assert report.checkpoints == 3


def test_a_restarted_ledger_signs_with_the_rotated_key(
    ledger: AKLedger, settings: Settings, actor: Actor
) -> None:
    ledger.load_signer()
    ledger.rotate_key(actor)
    new = ledger.signing_keys().active_key_id

    with reopened(settings) as restarted:
        assert restarted.load_signer().key_id == new
        assert restarted.record_note("after the restart", actor).key_id == new
        log_service.integrate(restarted)
        assert checkpoint_key_id(restarted) == new
        report = log_service.verify(restarted, full=True)
    assert report.ok, report.fault
    assert report.signatures == 3


def test_a_missing_key_file_stops_appends_and_checkpoints_naming_the_key(
    ledger: AKLedger, settings: Settings, actor: Actor
) -> None:
    ledger.load_signer()
    ledger.record_note("integrated later", actor)
    key_id = ledger.signing_keys().active_key_id
    path = ledger.keystore.path(key_id)
    path.rename(path.with_suffix(".away"))

    with reopened(settings) as restarted:
        with pytest.raises(KeyUnavailableError, match=key_id):
            restarted.load_signer()
        with pytest.raises(KeyUnavailableError, match=key_id):
            log_service.integrate(restarted)  # a checkpoint cannot be signed either
        assert log_service.tree_size(restarted) == 0  # the batch rolled back whole
        assert log_service.pending(restarted) == 2


def test_key_files_are_readable_by_their_owner_only(ledger: AKLedger, actor: Actor) -> None:
    ledger.rotate_key(actor)
    pems = sorted(ledger.keystore.directory.glob("*.pem"))
    assert [p.stem for p in pems] == sorted(k for k, _ in ledger.signing_keys().keys)
    for pem in pems:
        assert stat.S_IMODE(pem.stat().st_mode) == 0o600, pem
    assert stat.S_IMODE(ledger.keystore.directory.stat().st_mode) & 0o077 == 0


def test_with_a_passphrase_keys_are_encrypted_and_a_wrong_passphrase_fails_clearly(
    env: dict[str, str], actor: Actor
) -> None:
    settings = load_settings({**env, "AKLEDGER_KEY_PASSPHRASE": "correct horse battery"})
    assert settings.key_passphrase == b"correct horse battery"
    app, _ = create_ledger(settings, actor)
    try:
        app.rotate_key(actor)
        key_ids = [k for k, _ in app.signing_keys().keys]
    finally:
        app.close()
        app.engine.dispose()
    assert len(key_ids) == 2
    for key_id in key_ids:
        pem = (settings.keys_dir / f"{key_id}.pem").read_bytes()
        assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")

    with reopened(settings) as restarted:
        assert restarted.load_signer().key_id == key_ids[-1]
        restarted.record_note("signed with the decrypted key", actor)
    for wrong in (b"wrong horse", None):
        with reopened(replace(settings, key_passphrase=wrong)) as restarted, pytest.raises(
            KeyUnavailableError, match=rf"{key_ids[-1]}.*AKLEDGER_KEY_PASSPHRASE"
        ):
            restarted.load_signer()
