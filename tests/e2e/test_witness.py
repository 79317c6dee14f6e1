"""A witness cosigns a real ledger over real HTTP (`akledger serve`), on both databases.

The witness runs `akledger witness ...` with no access to the ledger's database or keys; the
ledger then serves its checkpoint with the cosignature, which verifies with ``signing/`` alone.
When the ledger (an insider holding its key) shows a second checkpoint of a size the witness
already cosigned, with another root, the witness refuses and keeps both as evidence.
"""

from __future__ import annotations

import hashlib
import json
import stat
import subprocess
from pathlib import Path

import sqlalchemy as sa

from ledger.config import Settings
from ledger.keystore import KeyStore
from ledger.log.append_only import drop_triggers
from ledger.log.tables import log_checkpoints
from signing import note
from signing.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from tests.e2e.test_http import AKLEDGER, Server, cli, poll, record_note
from tests.e2e.test_http_commands import serving

WITNESS = "sit-auditor.example/w1"
SETTLE_TIMEOUT = 60.0  # only bounds the test on a loaded machine


def auditor_env(env: dict[str, str], tmp_path: Path, name: str = "witness") -> dict[str, str]:
    """The auditor's environment: a witness directory, and no way into the ledger's database."""
    clean = {k: v for k, v in env.items() if not k.startswith("AKLEDGER_")}
    return {**clean, "AKLEDGER_WITNESS_DIR": str(tmp_path / name),
            "AKLEDGER_HOME": str(tmp_path / "no-ledger-here"),
            "AKLEDGER_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AKLEDGER, *args], env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def cosign(auditor: dict[str, str], server: Server, ledger_vkey: str) -> subprocess.CompletedProcess[str]:
    return run(auditor, "witness", "cosign", "--ledger", str(server.http.base_url), "--ledger-key",
               ledger_vkey)


def served(server: Server, *verifiers: note.Verifier) -> tuple[Checkpoint, list[note.Verifier]]:
    response = server.http.get("/log/checkpoint")
    assert response.status_code == 200, response.text
    checkpoint, _, signers = open_checkpoint(response.text, list(verifiers), verifiers[0].name)
    return checkpoint, signers


def settled(server: Server) -> int:
    """Wait until every recorded event is in a signed checkpoint; its tree size."""
    def caught_up() -> bool:
        health = server.health()
        latest = health["latest_checkpoint"]
        return health["integrator_lag"] == 0 and latest is not None and latest["size"] == health["tree_size"]

    poll("the integrator catching up", SETTLE_TIMEOUT, caught_up)
    return int(server.health()["tree_size"])


def fork_the_latest_checkpoint(settings: Settings, size: int) -> None:
    """The insider's split view: re-sign the checkpoint of ``size`` over another root."""
    engine = sa.create_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            row = conn.execute(sa.select(log_checkpoints).where(log_checkpoints.c.size == size)).one()
            key = KeyStore(settings.keys_dir).load(row.key_id)
            root = hashlib.sha256(b"another history").digest()
            forged = sign_checkpoint(Checkpoint(settings.log_origin, size, root), settings.log_origin, key)
            drop_triggers(conn, [log_checkpoints.name])
            conn.execute(sa.update(log_checkpoints).where(log_checkpoints.c.size == size)
                         .values(note=forged, root_hash=root))
    finally:
        engine.dispose()


def test_a_witness_cosigns_over_http_and_detects_a_fork(
    env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    cli(env, "init")
    log_vkey = cli(env, "keys", "vkey").strip()
    log_v = note.parse_vkey(log_vkey)
    auditor = auditor_env(env, tmp_path)
    made = run(auditor, "witness", "init", "--name", WITNESS)
    assert made.returncode == 0, made.stderr
    witness_vkey = made.stdout.strip()
    assert run(auditor, "witness", "vkey").stdout.strip() == witness_vkey
    for name in ("witness.key", "state.json"):
        assert stat.S_IMODE((tmp_path / "witness" / name).stat().st_mode) == 0o600
    witness_v = note.parse_vkey(witness_vkey)
    cli(env, "witness", "add", WITNESS, witness_vkey)
    assert cli(env, "witness", "list").strip() == witness_vkey

    with serving(env, tmp_path / "serve.log") as server:
        for i in range(3):
            record_note(env, f"SIT run {i}")
        size1 = settled(server)
        first = cosign(auditor, server, log_vkey)
        assert first.returncode == 0, first.stderr
        checkpoint, signers = served(server, log_v, witness_v)
        assert checkpoint.size == size1
        assert [v.name for v in signers] == [log_v.name, WITNESS]  # the log's, then the witness's

        for i in range(3, 6):
            record_note(env, f"SIT run {i}")
        size2 = settled(server)
        assert size2 == size1 + 3
        second = cosign(auditor, server, log_vkey)
        assert second.returncode == 0, second.stderr  # consistent with size 4: proof verified
        checkpoint, signers = served(server, log_v, witness_v)
        assert (checkpoint.size, len(signers)) == (size2, 2)

        fork_the_latest_checkpoint(settings, size2)
        forked = cosign(auditor, server, log_vkey)
    assert forked.returncode == 1, forked.stdout
    assert "fork" in forked.stderr
    assert f"tree size {size2} with different roots" in forked.stderr
    (kept,) = (tmp_path / "witness" / "evidence").iterdir()
    evidence = json.loads(kept.read_text())
    seen, _, _ = open_checkpoint(evidence["seen"], [log_v])
    offered, _, _ = open_checkpoint(evidence["offered"], [log_v])
    assert (seen.size, offered.size) == (size2, size2)
    assert seen.root_hash == checkpoint.root_hash != offered.root_hash
    state = json.loads((tmp_path / "witness" / "state.json").read_text())
    assert state["logs"][log_v.name] == evidence["seen"]  # the witness did not move to the fork


def test_witness_commands_refuse_bad_input_with_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    cli(env, "init")
    log_vkey = cli(env, "keys", "vkey").strip()
    auditor = auditor_env(env, tmp_path)
    nowhere = run(auditor, "witness", "cosign", "--ledger", "http://127.0.0.1:9", "--ledger-key", log_vkey)
    assert (nowhere.returncode, "no witness" in nowhere.stderr) == (2, True), nowhere.stderr
    assert run(auditor, "witness", "init", "--name", "bad name").returncode == 2
    assert run(auditor, "witness", "init", "--name", WITNESS).returncode == 0
    again = run(auditor, "witness", "init", "--name", WITNESS)
    assert (again.returncode, "--dir" in again.stderr) == (2, True)
    bad_key = run(auditor, "witness", "cosign", "--ledger", "http://127.0.0.1:9", "--ledger-key", "x+y")
    assert (bad_key.returncode, "--ledger-key" in bad_key.stderr) == (2, True)
    down = run(auditor, "witness", "cosign", "--ledger", "http://127.0.0.1:9", "--ledger-key", log_vkey)
    assert (down.returncode, "--ledger" in down.stderr) == (2, True)
    not_url = run(auditor, "witness", "cosign", "--ledger", "ftp://x", "--ledger-key", log_vkey)
    assert not_url.returncode == 2
    witness_vkey = run(auditor, "witness", "vkey").stdout.strip()
    mismatch = run(env, "witness", "add", "someone.else", witness_vkey)
    assert (mismatch.returncode, "NAME" in mismatch.stderr) == (2, True)
    as_log_key = run(env, "witness", "add", WITNESS, note.vkey(WITNESS, note.parse_vkey(
        witness_vkey).public_key))
    assert (as_log_key.returncode, "0x04" in as_log_key.stderr) == (2, True)


def test_an_unregistered_witness_cosignature_is_refused_by_the_ledger(
    env: dict[str, str], tmp_path: Path
) -> None:
    cli(env, "init")
    log_vkey = cli(env, "keys", "vkey").strip()
    auditor = auditor_env(env, tmp_path)
    assert run(auditor, "witness", "init", "--name", WITNESS).returncode == 0
    with serving(env, tmp_path / "serve.log") as server:
        settled(server)
        refused = cosign(auditor, server, log_vkey)
        assert refused.returncode == 2
        assert "not a registered witness key" in refused.stderr
        assert WITNESS not in server.http.get("/log/checkpoint").text
