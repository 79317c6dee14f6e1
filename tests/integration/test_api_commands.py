"""POST /commands/{command} (issue 6 items 2, 4, 5): what a client is told, If-Match, waiting for
a checkpoint, the catalogue and its OpenAPI, and malformed input that is a 4xx, never a 5xx.
On SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from api import log_service, routes_commands
from api.integrator_worker import IntegratorWorker
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.catalogue import catalogue, json_schema
from ledger.rules.roles import Role
from signing import merkle
from signing.checkpoint import open_checkpoint
from signing.note import parse_vkey
from tests.integration import test_api_support as support
from tests.integration.test_api_support import EARLIER, Staff, note, raise_issue

JOIN_TIMEOUT = 120.0


@pytest.fixture
def staff(ledger: AKLedger, actor: Actor) -> Staff:
    return support.staff(ledger, actor)


def severity(value: int, reference: str = "TI-1") -> dict[str, Any]:
    return {"occurred_at": EARLIER, "data": {"target": {"reference": reference}, "severity": value}}


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def test_a_recorded_command_tells_where_each_event_went_and_how_it_was_signed(staff: Staff) -> None:
    response = staff.client().post("/commands/Principal.add", headers=staff.bearer(Role.ADMIN), json={
        "occurred_at": EARLIER, "data": {"name": "acme-ops", "role": "supplier", "organisation": "Acme"}})
    assert response.status_code == 201, response.text
    body = response.json()
    principal: Any = staff.ledger.repository.get(body["aggregate_id"])
    assert principal.name == "acme-ops"  # the aggregate created, not the directory beside it
    assert response.headers["etag"] == f'"{principal.version}"' == f'"{body["version"]}"'
    assert len(body["appended"]) == 2  # the directory lists it in the same save
    signer = staff.ledger.signing_mapper.signer
    assert signer is not None
    for event in body["appended"]:
        assert event["event_id"] == f"{event['originator_id']}:{event['version']}"
        assert event["key_id"] == signer.key_id
        assert len(b64(event["signature"])) == 64  # Ed25519
    assert body["position"] == max(e["position"] for e in body["appended"])


def test_if_match_refuses_a_change_to_another_version_naming_the_header(staff: Staff) -> None:
    client, headers = staff.client(), staff.bearer(Role.DCC)
    raised = client.post("/commands/TestingIssue.raise_issue", json=raise_issue("TI-1"), headers=headers)
    assert raised.headers["etag"] == '"1"'
    before = staff.stored()
    stale = client.post("/commands/TestingIssue.determine_severity", json=severity(2),
                        headers={**headers, "If-Match": '"7"'})
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("If-Match: ")
    assert staff.stored() == before
    for given in ("seven", '"0"', 'W/"1"', '"1", "2"'):
        malformed = client.post("/commands/TestingIssue.determine_severity", json=severity(2),
                                headers={**headers, "If-Match": given})
        assert malformed.status_code == 422, given
        assert malformed.json()["detail"].startswith("If-Match: ")
    new = client.post("/commands/Note.record", json=note(), headers={**headers, "If-Match": '"1"'})
    assert new.status_code == 422  # nothing exists yet to be at a version
    changed = client.post("/commands/TestingIssue.determine_severity", json=severity(2),
                          headers={**headers, "If-Match": raised.headers["etag"]})
    assert changed.status_code == 201, changed.text
    assert changed.headers["etag"] == '"2"'
    assert staff.stored() == before + 1


def test_of_two_concurrent_changes_to_one_version_one_is_recorded_and_one_is_409(staff: Staff) -> None:
    clients = [staff.client(), staff.client()]
    headers = staff.bearer(Role.DCC)
    clients[0].post("/commands/TestingIssue.raise_issue", json=raise_issue("TI-1"), headers=headers)
    for version in range(1, 4):
        start = threading.Barrier(2)

        def change(i: int, version: int = version, start: threading.Barrier = start) -> httpx.Response:
            start.wait(JOIN_TIMEOUT)
            return clients[i].post("/commands/TestingIssue.determine_severity", json=severity(2 + i),
                                   headers={**headers, "If-Match": f'"{version}"'})

        with ThreadPoolExecutor(2) as pool:
            responses = list(pool.map(change, range(2), timeout=JOIN_TIMEOUT))
        assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
        refused = next(r for r in responses if r.status_code == 409)
        assert refused.json()["detail"].startswith("If-Match: ")
        recorded = next(r for r in responses if r.status_code == 201)
        assert recorded.headers["etag"] == f'"{version + 1}"'
    issue: Any = staff.ledger.repository.get(recorded.json()["aggregate_id"])
    assert issue.version == 4


def test_the_refusals_of_the_ledger_map_to_404_409_and_422_naming_the_field(staff: Staff) -> None:
    client, headers = staff.client(), staff.bearer(Role.DCC)
    missing = client.post("/commands/TestingIssue.determine_severity", json=severity(2, "TI-404"),
                          headers=headers)
    assert (missing.status_code, missing.json()["detail"][:12]) == (404, "data.target:")
    client.post("/commands/TestingIssue.raise_issue", json=raise_issue("TI-1"), headers=headers)
    close = {"occurred_at": EARLIER, "data": {"target": {"reference": "TI-1"}, "resolution": "fixed",
                                              "retest_execution_ids": ["EX-1"]}}
    assert client.post("/commands/TestingIssue.close", json=close, headers=headers).status_code == 201
    again = client.post("/commands/TestingIssue.close", json=close, headers=headers)
    assert (again.status_code, again.json()["detail"][:7]) == (409, "status:")
    wrong = client.post("/commands/TestingIssue.determine_severity", json=severity(9), headers=headers)
    assert (wrong.status_code, wrong.json()["detail"][:14]) == (422, "data.severity:")
    twice = client.post("/commands/TestingIssue.raise_issue", json=raise_issue("TI-1"), headers=headers)
    assert twice.status_code == 422
    assert twice.json()["detail"].startswith("data.reference: ")


def test_wait_checkpoint_returns_a_signed_checkpoint_and_a_proof_that_verifies(staff: Staff) -> None:
    verifier = parse_vkey(log_service.vkey(staff.ledger))
    worker = IntegratorWorker(staff.ledger, interval=0.02).start()
    try:
        response = staff.client().post("/commands/Note.record", params={"wait": "checkpoint"},
                                       json=note("proved at once"), headers=staff.bearer(Role.DCC))
    finally:
        worker.stop()
    assert response.status_code == 201, response.text
    body = response.json()
    checkpoint, _, _ = open_checkpoint(body["checkpoint"]["note"], [verifier], verifier.name)
    assert checkpoint.size == body["checkpoint"]["size"]
    (event,), (proof,) = body["appended"], body["inclusion"]
    assert proof["event_id"] == event["event_id"]
    entry = log_service.entry_json(staff.ledger, proof["index"])
    assert entry["notification_id"] == event["position"]
    leaf = b64(entry["leaf_hash"])
    assert leaf == merkle.leaf_hash(b64(entry["entry"]))
    merkle.verify_inclusion(leaf, proof["index"], checkpoint.size, [b64(h) for h in proof["proof"]],
                            checkpoint.root_hash)


def test_wait_checkpoint_answers_202_without_a_proof_when_no_checkpoint_comes(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes_commands, "CHECKPOINT_WAIT", 0.2)  # no integrator runs here
    before = staff.stored()
    response = staff.client().post("/commands/Note.record", params={"wait": "checkpoint"},
                                   json=note(), headers=staff.bearer(Role.DCC))
    assert response.status_code == 202, response.text
    assert (response.json()["checkpoint"], response.json()["inclusion"]) == (None, None)
    assert staff.stored() == before + 1  # recorded all the same
    unknown = staff.client().post("/commands/Note.record", params={"wait": "forever"},
                                  json=note(), headers=staff.bearer(Role.DCC))
    assert (unknown.status_code, unknown.json()["detail"][:5]) == (422, "wait:")


def test_the_catalogue_its_schema_and_openapi_document_every_command(staff: Staff) -> None:
    client = staff.client()
    listed = [c["command"] for c in client.get("/commands").json()["commands"]]
    assert list(catalogue()) == listed
    assert client.get("/commands/schema").json() == json_schema(listed)
    paths = client.get("/openapi.json").json()["paths"]
    assert {p for p in paths if p.startswith("/commands/")} == {f"/commands/{n}" for n in [*listed, "schema"]}
    for name in listed:
        spec = catalogue()[name]
        operation = paths[f"/commands/{name}"]["post"]
        assert operation["tags"] == [spec.aggregate.__name__]
        assert spec.summary in operation["description"]
        media = operation["requestBody"]["content"]["application/json"]
        assert {"command", "principal"}.isdisjoint(media["schema"]["properties"])
        assert "$ref" not in json.dumps(media["schema"])  # self-contained
        # The example is a request the command's schema accepts.
        line = {**media["example"], "command": name, "principal": "someone"}
        spec.envelope.model_validate_json(json.dumps(line), strict=True)


DEEP = b'{"occurred_at": "2026-01-05T09:00:00Z", "data": {"text": ' + b"[" * 40 + b"]" * 40 + b"}}"
# (what is wrong, the body, its content type, the status, the field the problem names)
MALFORMED: list[tuple[str, bytes, str | None, int, str]] = [
    ("not JSON", b'{"occurred_at": ', "application/json", 400, "body"),
    ("empty", b"", "application/json", 400, "body"),
    ("an array", b"[]", "application/json", 400, "body"),
    ("a string", b'"note"', "application/json", 400, "body"),
    ("not UTF-8", b'{"data": {"text": "\xff\xfe"}}', "application/json", 400, "body"),
    ("a repeated member", b'{"data": {}, "data": {}}', "application/json", 400, "body"),
    ("NaN", b'{"data": {"text": NaN}}', "application/json", 400, "body"),
    ("nested too deeply", DEEP, "application/json", 400, "data.text"),
    ("nested beyond recursion", b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "body"),
    ("a huge integer", b'{"data": {"text": 1' + b"0" * 30 + b"}}", "application/json", 422, "data.text"),
    ("a huger integer", b'{"data": {"text": 1' + b"0" * 5000 + b"}}", "application/json", 400, "body"),
    ("an infinite number", b'{"data": {"text": 1e400}}', "application/json", 422, "data.text"),
    ("a lone surrogate", b'{"data": {"text": "\\ud800"}}', "application/json", 422, "data.text"),
    ("too large", b'{"data": "' + b"x" * (routes_commands.MAX_BODY + 1) + b'"}', "application/json", 413,
     "body"),
    ("form data", b"text=hello", "application/x-www-form-urlencoded", 415, "Content-Type"),
    ("no content type", b"{}", None, 415, "Content-Type"),
    ("another command", b'{"command": "Principal.add"}', "application/json", 422, "command"),
    ("no data", b'{"occurred_at": "2026-01-05T09:00:00Z"}', "application/json", 422, "data"),
    ("a wrong type", b'{"occurred_at": "2026-01-05T09:00:00Z", "data": {"text": 5}}', "application/json", 422,
     "data.text"),
    ("an unknown field", b'{"occurred_at": "2026-01-05T09:00:00Z", "data": {"text": "x", "txt": "x"}}',
     "application/json", 422, "data.txt"),
    ("a naive time", b'{"occurred_at": "2026-01-05T09:00:00", "data": {"text": "x"}}', "application/json",
     422, "occurred_at"),
]


def test_malformed_bodies_are_4xx_problems_naming_the_field_and_write_nothing(staff: Staff) -> None:
    client, before, faults = staff.client(), staff.stored(), {}
    for what, content, media, status, field in MALFORMED:
        headers = {**staff.bearer(Role.DCC), **({"Content-Type": media} if media else {})}
        response = client.post("/commands/Note.record", content=content, headers=headers)
        is_problem = response.headers.get("content-type") == "application/problem+json"
        detail = response.json()["detail"] if is_problem else ""
        if response.status_code != status or not detail.startswith(field):
            faults[what] = (response.status_code, response.text[:200])
    assert faults == {}
    assert staff.stored() == before
