"""/health tells the truth about the in-process integrator."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from api.http import create_app
from api.integrator_worker import IntegratorWorker, ProjectionWorker
from ledger.actors import Actor
from ledger.application import AKLedger
from projections.tracking import record_fault


def _wait_for(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_health_reports_a_running_integrator_and_its_lag(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    ledger.record_note("first", actor)
    worker = IntegratorWorker(ledger, interval=0.02).start()
    try:
        client = TestClient(create_app(ledger, worker))
        _wait_for(lambda: client.get("/health").json()["integrator_lag"] == 0)
        body = client.get("/health").json()
        assert body["status"] == "ok"
        assert body["integrator"] == {"state": "running", "last_error": None}
        assert body["tree_size"] == 2
        assert body["latest_checkpoint"]["size"] == 2
    finally:
        worker.stop()


def test_a_stopped_integrator_makes_health_answer_503(ledger: AKLedger, actor: Actor) -> None:
    signer = ledger.load_signer()
    ledger.record_note("first", actor)
    ledger.keystore.path(signer.key_id).unlink()  # the checkpoint key is gone
    ledger.signing_mapper.signer = None  # and not cached either
    worker = IntegratorWorker(ledger, interval=0.02).start()
    try:
        _wait_for(lambda: worker.health.state == "stopped")
        response = TestClient(create_app(ledger, worker)).get("/health")
        assert response.status_code == 503
        body = response.json()
        assert body["integrator"]["state"] == "stopped"
        assert signer.key_id in body["integrator"]["last_error"]
        assert body["integrator_lag"] == 2
    finally:
        worker.stop()


def test_health_reports_each_projection_and_its_lag(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    ledger.record_note("first", actor)
    worker = IntegratorWorker(ledger, interval=0.02).start()
    projector = ProjectionWorker(ledger, interval=0.02).start()
    try:
        client = TestClient(create_app(ledger, worker, projector))
        _wait_for(lambda: all(v["lag"] == 0 for v in client.get("/health").json()["projections"]["views"]))
        body = client.get("/health").json()
        assert body["status"] == "ok"
        assert body["projections"]["runner"] == "running"
        assert {v["name"] for v in body["projections"]["views"]} == {"facts", "principals"}
        assert all(v["fault"] is None and v["position"] == 2 for v in body["projections"]["views"])
    finally:
        projector.stop()
        worker.stop()


def test_a_projection_stopped_at_a_fault_makes_health_answer_503(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    ledger.record_note("first", actor)
    with ledger.connect() as conn, conn.begin():
        record_fault(conn, "facts", 2, "ValueError: no handler")
    response = TestClient(create_app(ledger)).get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "projection stopped: facts"
    (facts,) = [v for v in body["projections"]["views"] if v["name"] == "facts"]
    assert facts["fault"] == {"position": 2, "error": "ValueError: no handler"}
