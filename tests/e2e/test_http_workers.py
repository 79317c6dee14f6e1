"""`akledger serve --workers N` (issue 6 items 7, 8): several uvicorn worker processes on one
socket, one integrator and one projection runner in the supervising parent, over real loopback.

Which worker answered is in the ``AKLedger-Worker`` header (its pid). A keep-alive connection
stays with the worker that accepted it, so each test first *pins* clients to each worker and then
races them: the requests really do arrive at two processes at once.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.server import WORKER_HEADER
from tests.e2e.test_http import AKLEDGER, Server, cli, free_port, poll
from tests.e2e.test_http_commands import bearer, note  # noqa: F401 - bearer is a fixture
from tests.integration.test_api_support import EARLIER, raise_issue

WORKERS = 2
# Spawned workers import the whole app before they answer: on the shared 2-core test machine,
# under other test runs, that has taken two minutes. This only bounds the wait.
WORKERS_STARTUP_TIMEOUT = 240.0
JOIN_TIMEOUT = 120.0
PER_WORKER = 4  # racing clients pinned to each worker

postgres_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@contextmanager
def serving_workers(env: dict[str, str], log: Path, *options: str) -> Iterator[tuple[Server, list[int]]]:
    """`akledger serve --workers 2 OPTIONS` until the block ends (SIGTERM); the server and the
    pids of its workers, once both have answered."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [AKLEDGER, "serve", "--port", str(port), "--workers", str(WORKERS), *options],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    running = Server(proc, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60.0), log)
    seen: set[int] = set()

    def both_answer() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with httpx.Client(base_url=str(running.http.base_url), timeout=60.0) as fresh:
                response = fresh.get("/health")  # a new connection: either worker may accept it
        except httpx.TransportError:
            return False
        if response.status_code == 200:
            seen.add(int(response.headers[WORKER_HEADER]))
        return len(seen) == WORKERS

    try:
        poll("both workers answering /health", WORKERS_STARTUP_TIMEOUT, both_answer)
        yield running, sorted(seen)
    finally:
        running.http.close()
        try:
            running.stop()
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
            raise


def pinned_clients(server: Server, per_worker: int) -> dict[int, list[httpx.Client]]:
    """``per_worker`` clients kept connected to each worker, by worker pid."""
    pinned: dict[int, list[httpx.Client]] = {}
    one_connection = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    def enough() -> bool:
        client = httpx.Client(base_url=str(server.http.base_url), timeout=60.0, limits=one_connection)
        pid = int(client.get("/health").headers[WORKER_HEADER])
        if len(pinned.setdefault(pid, [])) < per_worker:
            pinned[pid].append(client)
        else:
            client.close()
        return len(pinned) == WORKERS and all(len(c) == per_worker for c in pinned.values())

    poll("clients connected to each worker", 60.0, enough)
    return pinned


def race(clients: list[httpx.Client], send: Callable[[httpx.Client], httpx.Response]) -> list[httpx.Response]:
    """``send`` on every client at once (a barrier releases them together)."""
    start = threading.Barrier(len(clients))

    def go(client: httpx.Client) -> httpx.Response:
        start.wait(JOIN_TIMEOUT)
        return send(client)

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(go, clients, timeout=JOIN_TIMEOUT))


def health_of_each(server: Server) -> dict[int, dict[str, Any]]:
    """/health as each worker answers it."""
    answers: dict[int, dict[str, Any]] = {}
    for clients in pinned_clients(server, 1).values():
        response = clients[0].get("/health")
        assert response.status_code == 200, response.text
        answers[int(response.headers[WORKER_HEADER])] = response.json()
        clients[0].close()
    return answers


def leaves(server: Server) -> list[int]:
    """The notification id of every leaf of the tree, in leaf order."""
    size = server.health()["tree_size"]
    return [server.http.get(f"/log/entries/{i}").json()["notification_id"] for i in range(size)]


@postgres_only
@pytest.mark.slow
def test_two_workers_record_keyed_retries_once_refuse_stale_changes_and_one_integrator_grows_the_tree(
    env: dict[str, str], bearer: dict[str, str], tmp_path: Path  # noqa: F811 - the fixture
) -> None:
    with serving_workers(env, tmp_path / "serve.log") as (server, pids):
        pinned = pinned_clients(server, PER_WORKER)
        clients = [c for pid in pids for c in pinned[pid]]
        size = server.health()["tree_size"]

        # One Idempotency-Key, sent at once to both workers: appended once, one body for all.
        keyed = {**bearer, "Idempotency-Key": "tag-minutes-47"}
        body = note("TAG meeting 47 minutes received")
        responses = race(clients, lambda c: c.post("/commands/Note.record", json=body, headers=keyed))
        assert [r.status_code for r in responses] == [201] * len(clients), [r.text for r in responses]
        assert {int(r.headers[WORKER_HEADER]) for r in responses} == set(pids)
        assert all(r.json() == responses[0].json() for r in responses)
        assert sum("idempotent-replayed" not in r.headers for r in responses) == 1

        # Concurrent changes of one version through both workers: one recorded, the rest 409.
        raised = clients[0].post("/commands/TestingIssue.raise_issue", json=raise_issue("TI-W1"),
                                 headers=bearer)
        assert raised.status_code == 201, raised.text
        change = {"occurred_at": EARLIER,
                  "data": {"target": {"reference": "TI-W1"}, "severity": 2}}
        stale = {**bearer, "If-Match": raised.headers["etag"]}
        responses = race(clients, lambda c: c.post("/commands/TestingIssue.determine_severity",
                                                   json=change, headers=stale))
        codes = sorted(r.status_code for r in responses)
        assert codes == [201] + [409] * (len(clients) - 1), [r.text for r in responses]
        assert {int(r.headers[WORKER_HEADER]) for r in responses} == set(pids)
        assert all(r.json()["detail"].startswith("If-Match: ") for r in responses if r.status_code == 409)

        # Plain appends through both workers; the one integrator takes each event once.
        responses = race(clients, lambda c: c.post("/commands/Note.record", json=note("run log"),
                                                   headers=bearer))
        assert [r.status_code for r in responses] == [201] * len(clients), [r.text for r in responses]
        appended = size + 1 + 2 + len(clients)  # the keyed note, raise + one severity, the notes
        poll("everything integrated", 30.0, lambda: server.health()["tree_size"] == appended)
        integrated = leaves(server)
        assert len(set(integrated)) == len(integrated) == appended
        assert integrated == sorted(integrated)

        for pid, health in health_of_each(server).items():
            assert health["integrator"] == {"state": "running", "last_error": None}, pid
            assert health["projections"]["runner"] == "running", pid
            assert (health["tree_size"], health["integrator_lag"]) == (appended, 0), pid
        assert server.stop() == 0
    verified = json.loads(cli(env, "verify", "--json"))
    assert verified["ok"] is True, verified


@postgres_only
@pytest.mark.slow
def test_every_worker_reports_the_lag_of_an_integrator_that_runs_elsewhere(
    env: dict[str, str], bearer: dict[str, str], tmp_path: Path  # noqa: F811 - the fixture
) -> None:
    with serving_workers(env, tmp_path / "serve.log", "--no-integrator") as (server, pids):
        before = health_of_each(server)
        pinned = pinned_clients(server, 1)
        for pid in pids:
            recorded = pinned[pid][0].post("/commands/Note.record", json=note("pending"), headers=bearer)
            assert recorded.status_code == 201, recorded.text
        for pid, health in health_of_each(server).items():
            assert health["integrator"] == {"state": "external"}
            assert health["projections"]["runner"] == "external"
            assert health["integrator_lag"] == before[pid]["integrator_lag"] + WORKERS
            lags = {v["name"]: v["lag"] for v in before[pid]["projections"]["views"]}
            assert {v["name"]: v["lag"] - lags[v["name"]] for v in health["projections"]["views"]} == {
                name: WORKERS for name in lags}
        cli(env, "log", "integrate")
        expected = before[pids[0]]["tree_size"] + before[pids[0]]["integrator_lag"] + WORKERS
        for health in health_of_each(server).values():
            assert (health["tree_size"], health["integrator_lag"]) == (expected, 0)
        assert server.stop() == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_refuses_several_workers_naming_the_option(env: dict[str, str]) -> None:
    cli(env, "init")
    done = subprocess.run([AKLEDGER, "serve", "--port", str(free_port()), "--workers", "2"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1
    assert "--workers 2" in done.stderr
    assert "SQLite" in done.stderr
