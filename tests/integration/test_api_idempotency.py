"""Idempotency-Key (issue 6 item 3): a command retried with its key is recorded once, whether the
retries come one after another, at the same moment, or through two app instances (two workers)
on the same database. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.tables import api_idempotency
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.rules.roles import Role
from ledger.store import open_ledger
from tests.integration import test_api_support as support
from tests.integration.test_api_support import Staff, note, raise_issue

KEY = {"Idempotency-Key": "3f0c2a1e-retry-me"}
RACERS = 6
JOIN_TIMEOUT = 120.0


@pytest.fixture
def staff(ledger: AKLedger, actor: Actor) -> Staff:
    return support.staff(ledger, actor)


def stored_keys(lg: AKLedger) -> int:
    with lg.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(api_idempotency)).scalar_one())


def test_a_retry_with_the_same_key_and_request_replays_the_response_and_appends_nothing(
    staff: Staff,
) -> None:
    client, headers = staff.client(), {**staff.bearer(Role.DCC), **KEY}
    first = client.post("/commands/TestingIssue.raise_issue", json=raise_issue("TI-7"), headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    after = staff.stored()
    # The same request, laid out differently: the key's promise is about meaning, not bytes.
    body = raise_issue("TI-7")
    reordered = dict(reversed(list(body.items())))
    for retry in (body, reordered, {**body, "principal": "somebody-else"}):
        again = client.post("/commands/TestingIssue.raise_issue", json=retry, headers=headers)
        assert again.status_code == 201, again.text
        assert again.headers["idempotent-replayed"] == "true"
        assert again.headers["etag"] == first.headers["etag"]
        assert again.json() == first.json()
    assert staff.stored() == after
    assert stored_keys(staff.ledger) == 1


def test_the_same_key_with_another_request_is_422_naming_the_key_and_appends_nothing(staff: Staff) -> None:
    client, headers = staff.client(), {**staff.bearer(Role.DCC), **KEY}
    assert client.post("/commands/Note.record", json=note("first"), headers=headers).status_code == 201
    before = staff.stored()
    for command, body in (("Note.record", note("second")), ("TestingIssue.raise_issue", raise_issue("TI-8"))):
        response = client.post(f"/commands/{command}", json=body, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["detail"].startswith("Idempotency-Key: ")
    assert staff.stored() == before


def test_keys_are_per_principal(staff: Staff) -> None:
    client = staff.client()
    for role in (Role.DCC, Role.SUPPLIER):
        response = client.post("/commands/Note.record", json=note(), headers={**staff.bearer(role), **KEY})
        assert response.status_code == 201
        assert "idempotent-replayed" not in response.headers
    assert stored_keys(staff.ledger) == 2


def test_a_refused_request_stores_nothing_so_the_corrected_one_may_reuse_its_key(staff: Staff) -> None:
    client, headers = staff.client(), {**staff.bearer(Role.DCC), **KEY}
    wrong = client.post("/commands/Note.record", json={**note(), "data": {"text": ""}}, headers=headers)
    assert wrong.status_code == 422
    assert stored_keys(staff.ledger) == 0
    right = client.post("/commands/Note.record", json=note(), headers=headers)
    assert right.status_code == 201
    assert "idempotent-replayed" not in right.headers


@pytest.mark.parametrize("key", [b"", b" spaced ", b"x" * 256, "caf\u00e9".encode()])
def test_an_unusable_key_is_422_naming_the_header(staff: Staff, key: bytes) -> None:
    headers: dict[str, str | bytes] = {**staff.bearer(Role.DCC), "Idempotency-Key": key}
    response = staff.client().post("/commands/Note.record", json=note(), headers=headers)
    assert response.status_code == 422, response.text
    assert "Idempotency-Key" in response.json()["detail"]


def race(
    clients: list[TestClient], path: str, body: dict[str, Any], headers: dict[str, str]
) -> list[httpx.Response]:
    """``RACERS`` requests at once, spread over ``clients``."""
    start = threading.Barrier(RACERS)

    def one(i: int) -> httpx.Response:
        start.wait(JOIN_TIMEOUT)
        return clients[i % len(clients)].post(path, json=body, headers=headers)

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(one, range(RACERS), timeout=JOIN_TIMEOUT))


def assert_recorded_once(staff: Staff, responses: list[httpx.Response], before: int, events: int) -> None:
    assert [r.status_code for r in responses] == [201] * RACERS, [r.text for r in responses]
    assert all(r.json() == responses[0].json() for r in responses), "every racer got the one response"
    fresh = [r for r in responses if "idempotent-replayed" not in r.headers]
    assert len(fresh) == 1, "exactly one racer recorded the command"
    assert staff.stored() == before + events
    assert stored_keys(staff.ledger) == 1


@pytest.mark.parametrize(("command", "body"), [
    ("Note.record", note("once only")),  # a new aggregate each time: only the key can catch it
    ("TestingIssue.raise_issue", raise_issue("TI-9")),  # a natural key: its id collides too
])
def test_concurrent_requests_with_one_key_record_the_command_once(
    staff: Staff, command: str, body: dict[str, Any]
) -> None:
    before = staff.stored()
    clients = [staff.client() for _ in range(RACERS)]
    responses = race(clients, f"/commands/{command}", body, {**staff.bearer(Role.DCC), **KEY})
    assert_recorded_once(staff, responses, before, events=1)


def test_concurrent_retries_of_an_if_match_change_record_it_once(staff: Staff) -> None:
    client, headers = staff.client(), staff.bearer(Role.DCC)
    client.post("/commands/TestingIssue.raise_issue", json=raise_issue("TI-1"), headers=headers)
    before = staff.stored()
    change = {"occurred_at": support.EARLIER, "data": {"target": {"reference": "TI-1"}, "severity": 2}}
    clients = [staff.client() for _ in range(RACERS)]
    responses = race(clients, "/commands/TestingIssue.determine_severity", change,
                     {**headers, **KEY, "If-Match": '"1"'})
    assert_recorded_once(staff, responses, before, events=1)
    assert {r.headers["etag"] for r in responses} == {'"2"'}


def test_two_app_instances_on_one_database_record_a_keyed_command_once(staff: Staff) -> None:
    """Two workers: each its own application, engine and connection pool; the key lives in the
    database they share."""
    other = open_ledger(staff.ledger.settings)
    try:
        before = staff.stored()
        clients = [staff.client(), staff.client(other)]
        responses = race(clients, "/commands/Note.record", note("two workers"),
                         {**staff.bearer(Role.DCC), **KEY})
        assert_recorded_once(staff, responses, before, events=1)
        replay = clients[1].post("/commands/Note.record", json=note("two workers"),
                                 headers={**staff.bearer(Role.DCC), **KEY})
        assert replay.headers["idempotent-replayed"] == "true"
        assert replay.json() == responses[0].json()
    finally:
        other.close()
        other.engine.dispose()
