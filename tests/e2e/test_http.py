"""The HTTP API over real loopback: `akledger serve` in its own process, on both databases.

Everything the server says is checked offline with ``signing/`` alone: the checkpoint
against the vkey `akledger keys vkey` prints, entries and inclusion proofs against that
checkpoint's root, consistency proofs between two checkpoints.
"""

from __future__ import annotations

import base64
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from signing import merkle
from signing.checkpoint import Checkpoint, open_checkpoint
from signing.note import Verifier, parse_vkey

AKLEDGER = shutil.which("akledger", path=str(Path(sys.executable).parent)) or "akledger"
STARTUP_TIMEOUT = 30.0  # seconds for the server to answer /health (imports on a busy box)
COVERAGE_TIMEOUT = 5.0  # the goal is about 1 s under normal load; this only bounds the test
NOTE_TOPIC = "ledger.notes:Note.NoteRecorded"


def cli(env: dict[str, str], *args: str) -> str:
    """Run one `akledger` command as a user would; its stdout. Fails on a non-zero exit."""
    done = subprocess.run(
        [AKLEDGER, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"akledger {' '.join(args)}: {done.stderr}"
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def poll(what: str, timeout: float, ready: Callable[[], bool]) -> float:
    """Call ``ready`` until it is true; the seconds it took. Fails after ``timeout``."""
    start = time.monotonic()
    while not ready():
        if time.monotonic() - start > timeout:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - start


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    http: httpx.Client
    log: Path

    def health(self) -> dict[str, Any]:
        response = self.http.get("/health")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def stop(self) -> int:
        """SIGTERM, then wait; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=20)


@pytest.fixture
def server(env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    """`akledger init`, then `akledger serve` on a free loopback port, answering /health."""
    cli(env, "init")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [AKLEDGER, "serve", "--port", str(port)], env=env, stdout=out,
            stderr=subprocess.STDOUT,
        )
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10.0)
    running = Server(proc, http, log)

    def answers() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            return http.get("/health").status_code == 200
        except httpx.TransportError:
            return False

    try:
        poll("the server answering /health", STARTUP_TIMEOUT, answers)
        yield running
    finally:
        http.close()
        try:
            running.stop()
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
            raise


def record_note(env: dict[str, str], text: str) -> int:
    """`akledger note TEXT`; the acknowledged position (notification id)."""
    return int(json.loads(cli(env, "note", text))["position"])


def wait_until_covered(server: Server, size: int) -> dict[str, Any]:
    """Poll /health until the tree has ``size`` leaves; the health then."""
    poll(f"tree size {size}", COVERAGE_TIMEOUT, lambda: server.health()["tree_size"] >= size)
    return server.health()


def signed_checkpoint(server: Server, verifier: Verifier) -> Checkpoint:
    response = server.http.get("/log/checkpoint")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    checkpoint, _, _ = open_checkpoint(response.text, [verifier], verifier.name)
    return checkpoint


def get_json(server: Server, path: str, **params: int) -> dict[str, Any]:
    response = server.http.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def test_cli_notes_reach_a_signed_checkpoint_and_every_proof_verifies_offline(
    server: Server, env: dict[str, str]
) -> None:
    verifier = parse_vkey(cli(env, "keys", "vkey").strip())
    initial = signed_checkpoint(server, verifier)
    assert initial.size == 4  # `init` integrated its events (genesis, the first admin)

    positions = [record_note(env, "entry criteria met"), record_note(env, "TEST-042 passed")]
    health = wait_until_covered(server, 6)
    first = signed_checkpoint(server, verifier)
    positions.append(record_note(env, "witnessed by the SIT Auditor"))
    health = wait_until_covered(server, 7)
    second = signed_checkpoint(server, verifier)

    assert (first.size, second.size) == (6, 7)
    assert health["tree_size"] == 7
    assert health["integrator_lag"] == 0
    assert health["latest_checkpoint"]["size"] == 7
    assert health["latest_checkpoint"]["key_id"] == verifier.key_id.hex()

    integrated = []
    for index in range(second.size):
        entry = get_json(server, f"/log/entries/{index}")
        leaf = b64(entry["leaf_hash"])
        assert leaf == merkle.leaf_hash(b64(entry["entry"]))
        integrated.append(entry["notification_id"])
        if entry["notification_id"] in positions:
            assert json.loads(b64(entry["entry"]))["topic"] == NOTE_TOPIC
        for checkpoint in (first, second):
            if index < checkpoint.size:
                proof = get_json(server, "/log/proof/inclusion", index=index, size=checkpoint.size)
                merkle.verify_inclusion(
                    leaf, index, checkpoint.size, [b64(h) for h in proof["proof"]],
                    checkpoint.root_hash,
                )
    assert set(positions) <= set(integrated)

    for older, newer in ((initial, first), (initial, second), (first, second)):
        proof = get_json(server, "/log/proof/consistency", first=older.size, second=newer.size)
        merkle.verify_consistency(
            older.size, newer.size, [b64(h) for h in proof["proof"]],
            older.root_hash, newer.root_hash,
        )


# (request, the field the problem must name, the status). Tree size is 4 throughout (`init`).
MALFORMED = [
    ("/log/entries/-1", "index", 422),
    ("/log/entries/abc", "index", 422),
    (f"/log/entries/{10**30}", "index", 422),
    ("/log/entries/4", "index", 404),
    ("/log/proof/inclusion", "index", 422),
    ("/log/proof/inclusion?index=-1", "index", 422),
    ("/log/proof/inclusion?index=abc", "index", 422),
    ("/log/proof/inclusion?index=", "index", 422),
    ("/log/proof/inclusion?index=1.5", "index", 422),
    (f"/log/proof/inclusion?index={10**30}", "index", 422),
    (f"/log/proof/inclusion?index=-{10**30}", "index", 422),
    ("/log/proof/inclusion?index=4", "index", 404),
    ("/log/proof/inclusion?index=1&size=1", "index", 404),
    ("/log/proof/inclusion?index=0&size=0", "size", 422),
    ("/log/proof/inclusion?index=0&size=5", "size", 404),
    (f"/log/proof/inclusion?index=0&size={10**30}", "size", 422),
    ("/log/proof/consistency?second=1", "first", 422),
    ("/log/proof/consistency?first=-1&second=1", "first", 422),
    ("/log/proof/consistency?first=1&second=0", "first", 422),
    ("/log/proof/consistency?first=0&second=abc", "second", 422),
    ("/log/proof/consistency?first=0&second=5", "second", 404),
    (f"/log/proof/consistency?first=0&second={10**30}", "second", 422),
    (f"/log/proof/consistency?first={10**30}&second=1", "first", 422),
]


def problem_fault(response: httpx.Response, field: str, status: int) -> str | None:
    """What is wrong with ``response`` as the RFC 9457 answer naming ``field``, if anything."""
    if response.headers.get("content-type") != "application/problem+json":
        return f"{response.status_code} {response.headers.get('content-type')}: {response.text}"
    body = response.json()
    if response.status_code != status or body.get("status") != status:
        return f"status {response.status_code} (body {body.get('status')}), expected {status}"
    if not body.get("title") or field not in body.get("detail", ""):
        return f"the problem does not name {field!r}: {body}"
    return None


def test_malformed_requests_get_problem_json_naming_the_field_and_never_a_5xx(
    server: Server,
) -> None:
    faults = {
        path: fault
        for path, field, status in MALFORMED
        if (fault := problem_fault(server.http.get(path), field, status)) is not None
    }
    assert faults == {}
    assert server.health()["tree_size"] == 4  # still serving
    assert server.stop() == 0  # and stops cleanly on SIGTERM
