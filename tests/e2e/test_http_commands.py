"""Commands over real loopback HTTP (issue 6): `akledger serve` in its own process, on both databases.

A principal's bearer token is issued through the command path (``Principal.issue_token`` by the
ledger's admin, as `akledger principals token` does); everything the server answers about the
log is checked offline with ``signing/`` alone.
"""

from __future__ import annotations

import base64
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.auth import new_token
from ledger.commands.execute import execute
from ledger.config import Settings
from ledger.store import open_ledger
from signing import merkle
from signing.checkpoint import open_checkpoint
from signing.note import parse_vkey
from tests.e2e.test_http import AKLEDGER, STARTUP_TIMEOUT, Server, cli, free_port, poll

JOIN_TIMEOUT = 120.0
RACERS = 8


@contextmanager
def serving(env: dict[str, str], log: Path, *options: str) -> Iterator[Server]:
    """`akledger serve OPTIONS` on a free loopback port until the block ends (SIGTERM)."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([AKLEDGER, "serve", "--port", str(port), *options], env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    running = Server(proc, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0), log)

    def answers() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            return running.http.get("/health").status_code == 200
        except httpx.TransportError:
            return False

    try:
        poll("the server answering /health", STARTUP_TIMEOUT, answers)
        yield running
    finally:
        running.http.close()
        try:
            running.stop()
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
            raise


@pytest.fixture
def bearer(env: dict[str, str], settings: Settings) -> dict[str, str]:
    """`akledger init`; a principal `dcc` (role dcc) added by the CLI; its token's header."""
    cli(env, "init")
    cli(env, "principals", "add", "dcc", "--role", "dcc", "--org", "DCC")
    issued = new_token("dcc")
    lg = open_ledger(settings)
    try:
        execute(lg, {"command": "Principal.issue_token", "principal": settings.actor, "occurred_at": now(),
                     "data": {"target": {"name": "dcc"}, "token_id": issued.token_id,
                              "token_sha256": issued.sha256}})
    finally:
        lg.close()
        lg.engine.dispose()
    return {"Authorization": f"Bearer {issued.token}"}


def now() -> str:
    return (datetime.now(UTC) - timedelta(seconds=5)).isoformat()


def note(text: str) -> dict[str, Any]:
    return {"occurred_at": now(), "data": {"text": text}}


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def test_a_command_waits_for_its_checkpoint_and_the_proof_verifies_offline(
    env: dict[str, str], bearer: dict[str, str], tmp_path: Path
) -> None:
    verifier = parse_vkey(cli(env, "keys", "vkey").strip())
    with serving(env, tmp_path / "serve.log") as server:
        response = server.http.post("/commands/Note.record", params={"wait": "checkpoint"},
                                    json=note("SIT Auditor witnessed run 3"), headers=bearer)
        assert response.status_code == 201, response.text
        body = response.json()
        checkpoint, _, _ = open_checkpoint(body["checkpoint"]["note"], [verifier], verifier.name)
        (event,), (proof,) = body["appended"], body["inclusion"]
        entry = server.http.get(f"/log/entries/{proof['index']}").json()
        assert entry["notification_id"] == event["position"]
        leaf = merkle.leaf_hash(b64(entry["entry"]))
        merkle.verify_inclusion(leaf, proof["index"], checkpoint.size, [b64(h) for h in proof["proof"]],
                                checkpoint.root_hash)
        assert response.headers["etag"] == '"1"'
        assert server.stop() == 0


def chunked() -> Iterator[bytes]:
    """A body of 2 MiB with no Content-Length (sent chunked)."""
    yield b'{"data": {"text": "'
    for _ in range(32):
        yield b"x" * 65536
    yield b'"}}'


# (what is wrong, body, content type, status, the field named)
OVER_THE_WIRE: list[tuple[str, Any, str, int, str]] = [
    ("not JSON", b"{", "application/json", 400, "body"),
    ("deeply nested", b"[" * 200_000 + b"]" * 200_000, "application/json", 400, "body"),
    ("huge number", b'{"data": {"text": ' + b"9" * 4000 + b"}}", "application/json", 422, "data.text"),
    ("plain text", b"note", "text/plain", 415, "Content-Type"),
    ("streamed past the limit", chunked, "application/json", 413, "body"),
]


def test_malformed_requests_over_the_wire_are_4xx_problems_and_never_a_5xx(
    env: dict[str, str], bearer: dict[str, str], tmp_path: Path
) -> None:
    with serving(env, tmp_path / "serve.log") as server:
        size = server.health()["tree_size"]
        faults = {}
        for what, content, media, status, field in OVER_THE_WIRE:
            response = server.http.post("/commands/Note.record", content=content() if callable(content)
                                        else content, headers={**bearer, "Content-Type": media})
            fine = (response.status_code == status
                    and response.headers.get("content-type") == "application/problem+json"
                    and response.json()["detail"].startswith(field))
            if not fine:
                faults[what] = (response.status_code, response.text[:200])
        unauthenticated = server.http.post("/commands/Note.record", json=note("who am I"))
        if unauthenticated.status_code != 401 or "Bearer" not in unauthenticated.headers["www-authenticate"]:
            faults["no token"] = (unauthenticated.status_code, unauthenticated.text[:200])
        assert faults == {}
        assert server.health()["tree_size"] == size  # nothing recorded, still serving
        assert server.stop() == 0


def test_two_workers_on_one_database_record_a_keyed_command_once(
    env: dict[str, str], bearer: dict[str, str], tmp_path: Path
) -> None:
    headers = {**bearer, "Idempotency-Key": "weekly-report-w47"}
    body = note("week 47 test execution report received")
    with (
        serving(env, tmp_path / "a.log") as first,
        serving(env, tmp_path / "b.log", "--no-integrator") as second,
    ):
        servers = (first, second)
        start = threading.Barrier(RACERS)
        poll("the setup integrated", 10.0, lambda: first.health()["integrator_lag"] == 0)
        size = first.health()["tree_size"]

        def post(i: int) -> httpx.Response:
            start.wait(JOIN_TIMEOUT)
            return servers[i % 2].http.post("/commands/Note.record", json=body, headers=headers)

        with ThreadPoolExecutor(RACERS) as pool:
            responses = list(pool.map(post, range(RACERS), timeout=JOIN_TIMEOUT))
        assert [r.status_code for r in responses] == [201] * RACERS, [r.text for r in responses]
        assert all(r.json() == responses[0].json() for r in responses)
        assert sum("idempotent-replayed" not in r.headers for r in responses) == 1
        poll("the note integrated", 10.0, lambda: first.health()["integrator_lag"] == 0)
        assert first.health()["tree_size"] == size + 1  # one event, whoever answered
        last = first.http.get(f"/log/entries/{size}").json()
        assert last["notification_id"] == responses[0].json()["position"]
        assert second.stop() == 0
