"""The ledger holds witness cosignatures only for checkpoints it signed, from registered
witnesses, append-only; migration 0005 downgrades and upgrades again. Both databases."""

from __future__ import annotations

import httpx
import pytest
from alembic import command
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from api import log_service
from api.http import create_app
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.log.cosignatures import (
    CosignatureRefusedError,
    add_witness,
    cosignature_lines,
    cosigned_note,
    record_cosignature,
    witnesses,
)
from ledger.log.tables import APPEND_ONLY_TABLES, WITNESS_TABLES
from ledger.store import alembic_config, migrate
from signing import note
from signing.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
NAME = "auditor.example/witness"
VKEY = note.cosignature_vkey(NAME, KEY.public_key())
T0 = 1_764_115_200


@pytest.fixture
def integrated(ledger: AKLedger, actor: Actor) -> AKLedger:
    ledger.load_signer()
    for i in range(3):
        ledger.record_note(f"note {i}", actor)
    assert log_service.integrate(ledger) == 4
    return ledger


def checkpoint_text(lg: AKLedger) -> tuple[int, str]:
    stored = log_service.latest_checkpoint(lg)
    return stored.size, note.parse_note(stored.note).text


def test_a_registered_witness_cosignature_is_held_and_served(integrated: AKLedger) -> None:
    add_witness(integrated.engine, VKEY)
    size, body = checkpoint_text(integrated)
    line = note.cosign(body, NAME, KEY, T0)
    held = record_cosignature(integrated.engine, size, line)
    assert (held.new, held.witness, held.timestamp) == (True, NAME, T0)
    assert cosignature_lines(integrated.engine, size) == [line.rstrip("\n")]
    assert cosignature_lines(integrated.engine, size - 1) == []

    again = record_cosignature(integrated.engine, size, note.cosign(body, NAME, KEY, T0 + 60))
    assert (again.new, again.timestamp) == (False, T0)  # the first one stays
    assert len(cosignature_lines(integrated.engine, size)) == 1

    served = cosigned_note(integrated.engine, log_service.latest_checkpoint(integrated).note, size)
    _, _, signers = open_checkpoint(served, [note.parse_vkey(VKEY), note.parse_vkey(
        log_service.vkey(integrated))])
    assert {v.name for v in signers} == {NAME, integrated.settings.log_origin}


def test_a_cosignature_over_a_checkpoint_the_ledger_did_not_sign_is_refused(integrated: AKLedger) -> None:
    add_witness(integrated.engine, VKEY)
    size, body = checkpoint_text(integrated)
    cp = parse_checkpoint(body)
    forged = Checkpoint(cp.origin, cp.size, bytes(32)).text()
    with pytest.raises(CosignatureRefusedError, match=r"cosignature: .* does not verify") as exc:
        record_cosignature(integrated.engine, size, note.cosign(forged, NAME, KEY, T0))
    assert exc.value.field == "cosignature"
    with pytest.raises(CosignatureRefusedError, match="size: the ledger signed no checkpoint"):
        record_cosignature(integrated.engine, size + 5, note.cosign(body, NAME, KEY, T0))
    assert cosignature_lines(integrated.engine, size) == []


def test_unregistered_or_malformed_cosignatures_are_refused(integrated: AKLedger) -> None:
    size, body = checkpoint_text(integrated)
    with pytest.raises(CosignatureRefusedError, match="not a registered witness"):
        record_cosignature(integrated.engine, size, note.cosign(body, NAME, KEY, T0))
    with pytest.raises(CosignatureRefusedError, match=r"cosignature: .*base64"):
        record_cosignature(integrated.engine, size, "\u2014 w AAAA!")
    with pytest.raises(CosignatureRefusedError, match="vkey: "):
        add_witness(integrated.engine, "not a vkey")
    with pytest.raises(CosignatureRefusedError, match="not a tlog-cosignature"):
        add_witness(integrated.engine, note.vkey(NAME, KEY.public_key()))
    add_witness(integrated.engine, VKEY)
    add_witness(integrated.engine, VKEY)  # idempotent
    other = note.cosignature_vkey(NAME, Ed25519PrivateKey.generate().public_key())
    with pytest.raises(CosignatureRefusedError, match=r"name: witness .* already registered"):
        add_witness(integrated.engine, other)
    assert [w.vkey for w in witnesses(integrated.engine)] == [VKEY]


@pytest.mark.parametrize(("table", "statement"), [
    ("log_cosignatures", "UPDATE log_cosignatures SET timestamp = timestamp + 1"),
    ("log_cosignatures", "DELETE FROM log_cosignatures"),
    ("log_witnesses", "UPDATE log_witnesses SET key_id = 'ffffffff'"),
    ("log_witnesses", "DELETE FROM log_witnesses"),
])
def test_the_witness_tables_are_append_only(integrated: AKLedger, table: str, statement: str) -> None:
    add_witness(integrated.engine, VKEY)
    size, body = checkpoint_text(integrated)
    record_cosignature(integrated.engine, size, note.cosign(body, NAME, KEY, T0))
    with integrated.connect() as conn:
        before = conn.execute(text(f"SELECT * FROM {table}")).all()
    with pytest.raises(DBAPIError, match=f"{statement.split()[0]} on {table} refused"), \
            integrated.engine.begin() as conn:
        conn.execute(text(statement))
    with integrated.connect() as conn:
        assert conn.execute(text(f"SELECT * FROM {table}")).all() == before


def test_0005_downgrades_to_0004_and_upgrades_again(integrated: AKLedger) -> None:
    def tables() -> set[str]:
        return set(inspect(integrated.engine).get_table_names())

    assert tables() >= set(WITNESS_TABLES)
    with integrated.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0004")
    assert not (tables() & set(WITNESS_TABLES))
    assert tables() >= set(APPEND_ONLY_TABLES)
    migrate(integrated)
    assert tables() >= set(WITNESS_TABLES)
    add_witness(integrated.engine, VKEY)
    size, body = checkpoint_text(integrated)
    record_cosignature(integrated.engine, size, note.cosign(body, NAME, KEY, T0))
    with pytest.raises(DBAPIError, match="DELETE on log_cosignatures refused"), \
            integrated.engine.begin() as conn:
        conn.execute(text("DELETE FROM log_cosignatures"))


# -- POST /log/cosignatures and GET /log/checkpoint (in-process app) -----------------------------


def client(lg: AKLedger) -> TestClient:
    return TestClient(create_app(lg), raise_server_exceptions=False)


def refused(response: httpx.Response, status: int, field: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail = str(response.json()["detail"])
    assert detail.startswith(f"{field}: "), detail
    return detail


def test_a_posted_cosigned_checkpoint_is_held_and_served(integrated: AKLedger) -> None:
    add_witness(integrated.engine, VKEY)
    http = client(integrated)
    served = http.get("/log/checkpoint").text
    assert served == log_service.latest_checkpoint(integrated).note  # nothing held yet: unchanged
    body = note.parse_note(served).text
    cosigned = note.add_signature(served, note.cosign(body, NAME, KEY, T0))
    created = http.post("/log/cosignatures", content=cosigned, headers={"Content-Type": "text/plain"})
    assert created.status_code == 201, created.text
    assert created.json()["cosignatures"] == [
        {"witness": NAME, "key_id": note.parse_vkey(VKEY).key_id.hex(), "timestamp": T0, "new": True}]
    assert http.post("/log/cosignatures", content=cosigned).status_code == 200  # already held
    assert http.get("/log/checkpoint").text == cosigned
    _, _, signers = open_checkpoint(http.get("/log/checkpoint").text, [note.parse_vkey(VKEY)])
    assert [v.name for v in signers] == [NAME]


def test_cosignatures_posted_as_json_are_verified_against_the_named_checkpoint(
    integrated: AKLedger, actor: Actor
) -> None:
    add_witness(integrated.engine, VKEY)
    http = client(integrated)
    size, body = checkpoint_text(integrated)
    line = note.cosign(body, NAME, KEY, T0).rstrip("\n")
    integrated.record_note("one more", actor)
    log_service.integrate(integrated)
    assert log_service.latest_checkpoint(integrated).size == size + 1
    ok = http.post("/log/cosignatures", json={"size": size, "cosignatures": [line]})
    assert ok.status_code == 201, ok.text
    assert cosignature_lines(integrated.engine, size) == [line]
    assert NAME not in http.get("/log/checkpoint").text  # the latest has no cosignature yet
    refused(http.post("/log/cosignatures", json={"size": size + 1, "cosignatures": [line]}),
            422, "cosignature")


def test_malformed_or_foreign_cosignatures_get_problem_json_naming_the_field(integrated: AKLedger) -> None:
    add_witness(integrated.engine, VKEY)
    http = client(integrated)
    served = http.get("/log/checkpoint").text
    size, body = checkpoint_text(integrated)
    cp = parse_checkpoint(body)
    forged_text = Checkpoint(cp.origin, cp.size, bytes(32)).text()
    forged = forged_text + "\n" + note.cosign(forged_text, NAME, KEY, T0)
    stranger = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    cases = [
        (http.post("/log/cosignatures", content=forged), 422, "checkpoint"),
        (http.post("/log/cosignatures", content=served), 422, "checkpoint"),  # no cosignature on it
        (http.post("/log/cosignatures", content="nonsense"), 422, "checkpoint"),
        (http.post("/log/cosignatures", content=b"\xff\xfe"), 422, "body"),
        (http.post("/log/cosignatures", content=note.add_signature(
            served, note.cosign(body, "stranger", stranger, T0))), 422, "cosignature"),
        (http.post("/log/cosignatures", json={"size": size, "cosignatures": [
            note.cosign(forged_text, NAME, KEY, T0)]}), 422, "cosignature"),
        (http.post("/log/cosignatures", json={"size": size + 9, "cosignatures": [
            note.cosign(body, NAME, KEY, T0)]}), 422, "size"),
        (http.post("/log/cosignatures", json={"size": -1, "cosignatures": ["x"]}), 422, "size"),
        (http.post("/log/cosignatures", json={"size": size, "cosignatures": []}), 422, "cosignatures"),
        (http.post("/log/cosignatures", json={"size": size, "cosignatures": ["x"], "more": 1}), 422,
         "more"),
        (http.post("/log/cosignatures", content="{", headers={"Content-Type": "application/json"}),
         422, "body"),
        (http.post("/log/cosignatures", content=b"x", headers={"Content-Type": "image/png"}),
         415, "Content-Type"),
        (http.post("/log/cosignatures", content=b"x" * 70_000), 413, "body"),
    ]
    for response, status, field in cases:
        refused(response, status, field)
    assert cosignature_lines(integrated.engine, size) == []
    assert http.get("/log/checkpoint").text == served
