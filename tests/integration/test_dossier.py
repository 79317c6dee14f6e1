"""Dossier export (issue 7) from the demo ledger, on SQLite and PostgreSQL: the matter's whole
history and what it touches, proved against one checkpoint; redaction and anonymisation that
still verify; as of a position; bad input named; and ``POST /dossiers`` over HTTP."""

from __future__ import annotations

import base64
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from api import log_service
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import bootstrap_admin, execute
from ledger.commands.importer import import_lines
from ledger.config import Settings
from ledger.context import RecordingContext
from ledger.demo import demo_commands
from ledger.dossier.collect import matter_uuid
from ledger.dossier.errors import DossierInputError
from ledger.dossier.export import ExportRequest, export_dossier
from ledger.errors import NotFoundError
from ledger.log.cosignatures import add_witness, record_cosignature
from ledger.log.reader import LogReader
from ledger.rules.roles import Role
from ledger.store import create_ledger
from signing import note
from signing.dossier import verify_dossier
from signing.errors import DossierIncompleteError
from tests.conftest import ORIGIN
from tests.integration import test_api_support as support

MATTER = "R9-IOC-1"  # the demo's Supplier referral of a DMC selection to the SoS (§13.4)
OUTCOME = "selection stands: DMC-EDMI-03 is tested in MOC"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AKLedger]:
    """The demo's history recorded (not integrated) in one ledger per backend, shared by the
    module's tests: they only read it (export integrates, which any reader may do)."""
    home = tmp_path_factory.mktemp("dossier")
    if request.param == "sqlite":
        url = f"sqlite:///{home / 'ledger.sqlite3'}"
    else:
        base = request.getfixturevalue("pg_database")
        schema = f"d_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(base)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine.dispose()
        url = sa.engine.make_url(base).update_query_dict(
            {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    settings = Settings(home=home / "home", database_url=url, log_origin=ORIGIN, actor="tester",
                        key_passphrase=None)
    actor = Actor(principal="tester", role="admin", organisation="ledger operator")
    lg, _ = create_ledger(settings, actor)
    bootstrap_admin(lg, "tester", "ledger operator", RecordingContext(actor, datetime.now(UTC)))
    report = import_lines(lg, [json.dumps(c) for c in demo_commands("tester")], via="tester")
    assert not report.rejected
    try:
        yield lg
    finally:
        lg.close()
        lg.engine.dispose()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def manifest(data: bytes) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(members(data)["manifest.json"])
    return doc


def test_a_matter_exports_with_its_history_and_what_it_touches_and_verifies(demo: AKLedger) -> None:
    exported = export_dossier(demo, ExportRequest(MATTER))
    with demo.connect() as conn:  # export integrated what was pending: one checkpoint covers all
        assert exported.tree_size == LogReader(conn, demo.events_table).tree_size()
    report = verify_dossier(exported.zip_bytes, trusted_keys=[log_service.vkey(demo)])
    assert report.trusted
    assert report.matter_id == str(matter_uuid(MATTER))
    roles = {a["role"]: a for a in manifest(exported.zip_bytes)["aggregates"]}
    assert roles["matter"]["versions"] == 3  # raised, referred to the SoS, determined
    assert roles["subject"]["topic"] == "ledger.dmct.dmc:DmctDmc"  # DMC-EDMI-03, the subject
    assert roles["keychain"]["versions"] == 1
    html = members(exported.zip_bytes)["index.html"].decode()
    for shown in (OUTCOME, "route R9", "§13.4", "met", "determined", "DMC-EDMI-03"):
        assert shown in html, shown
    assert "<script" not in html


def rewrite(data: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    files = members(data)
    change(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, blob in files.items():
            zf.writestr(name, blob)
    return out.getvalue()


def test_a_dossier_without_the_matters_determination_is_caught_by_the_ledgers_statement(
    demo: AKLedger,
) -> None:
    exported = export_dossier(demo, ExportRequest(MATTER, preset="public"))
    matter_id = str(matter_uuid(MATTER))
    report = verify_dossier(exported.zip_bytes, trusted_keys=[log_service.vkey(demo)])
    assert report.stated[matter_id] == 3
    assert set(report.stated) == {a["id"] for a in manifest(exported.zip_bytes)["aggregates"]}

    def drop_the_determination(files: dict[str, bytes]) -> None:
        doc = json.loads(files["manifest.json"])
        (last,) = [e for e in doc["events"] if (e["originator_id"], e["version"]) == (matter_id, 3)]
        del files[last["file"]], files[last["proof"]]
        doc["events"].remove(last)
        for agg in doc["aggregates"]:
            if agg["id"] == matter_id:
                agg["versions"] = 2
        files["manifest.json"] = json.dumps(doc).encode()

    cut = rewrite(exported.zip_bytes, drop_the_determination)
    left_out = f"the matter {matter_id}: version 3 stated by the ledger is left out of the dossier"
    with pytest.raises(DossierIncompleteError, match=left_out):
        verify_dossier(cut, trusted_keys=[log_service.vkey(demo)])


def test_as_of_a_position_the_dossier_holds_the_history_up_to_it(demo: AKLedger) -> None:
    with demo.connect() as conn:
        referred = conn.execute(
            select(demo.events_table.c.id).where(
                demo.events_table.c.originator_id == matter_uuid(MATTER),
                demo.events_table.c.originator_version == 2,
            )
        ).scalar_one()
    exported = export_dossier(demo, ExportRequest(MATTER, as_of_position=int(referred)))
    verify_dossier(exported.zip_bytes)
    aggregates = manifest(exported.zip_bytes)["aggregates"]
    (matter,) = [a for a in aggregates if a["role"] == "matter"]
    assert matter["versions"] == 2
    statement = json.loads(members(exported.zip_bytes)["statement.json"])["statement"]
    assert (statement["matter"]["versions"], statement["as_of_position"]) == (2, int(referred))
    assert OUTCOME not in members(exported.zip_bytes)["index.html"].decode()
    with pytest.raises(NotFoundError, match="as of position 1"):
        export_dossier(demo, ExportRequest(MATTER, as_of_position=1))


def test_a_redacted_dossier_verifies_and_holds_neither_the_values_nor_their_salts(demo: AKLedger) -> None:
    exported = export_dossier(demo, ExportRequest(MATTER, redact=("outcome", "window"), preset="panel"))
    report = verify_dossier(exported.zip_bytes)
    assert any("outcome" in fields for fields in report.redacted.values())
    with demo.connect() as conn:
        states = conn.execute(select(demo.events_table.c.state).where(
            demo.events_table.c.originator_id.in_([matter_uuid(MATTER)]))).scalars().all()
    secrets = []
    for state in states:
        for name, (salt, value) in json.loads(state)["fields"].items():
            if name in ("outcome", "window"):
                secrets += [base64.b64decode(salt), json.dumps(value).encode()]
                secrets += [value.encode()] if isinstance(value, str) else []
    assert OUTCOME.encode() in secrets
    blobs = [exported.zip_bytes, *members(exported.zip_bytes).values()]
    for secret in secrets:
        for form in (secret, base64.b64encode(secret), secret.hex().encode()):
            assert not any(form in blob for blob in blobs), secret


def test_the_supplier_preset_shows_stable_pseudonyms_and_still_verifies(demo: AKLedger) -> None:
    exported = export_dossier(demo, ExportRequest(MATTER, preset="supplier"))
    report = verify_dossier(exported.zip_bytes)
    assert report.displayed  # pseudonyms are displayed, beside withheld values
    files = members(exported.zip_bytes)
    html = files["index.html"].decode()
    assert "Supplier A" in html
    assert "northwind-energy" not in html
    assert "Northwind Energy" not in html
    shown = [json.loads(v) for k, v in files.items() if k.startswith("events/")]
    supplier_values = {json.dumps(e["display"].get("supplier")) for e in shown if "supplier" in e["display"]}
    assert supplier_values == {'"Supplier A"'}  # the same name, the same pseudonym throughout
    assert all("supplier" not in e["fields"] for e in shown)


def test_bad_requests_are_named_and_write_nothing(demo: AKLedger) -> None:
    with demo.connect() as conn:
        before = conn.execute(select(func.count()).select_from(demo.events_table)).scalar_one()
    with pytest.raises(NotFoundError, match="no matter 'R99-NOPE'"):
        export_dossier(demo, ExportRequest("R99-NOPE"))
    with pytest.raises(DossierInputError, match="redact: no event of this dossier has a field 'colour'"):
        export_dossier(demo, ExportRequest(MATTER, redact=("colour",)))
    with pytest.raises(DossierInputError, match="redact: 'public_key' proves the ledger's keys"):
        export_dossier(demo, ExportRequest(MATTER, redact=("public_key",)))
    with pytest.raises(DossierInputError, match="preset: 'press' is not a preset"):
        export_dossier(demo, ExportRequest(MATTER, preset="press"))
    with demo.connect() as conn:
        assert conn.execute(select(func.count()).select_from(demo.events_table)).scalar_one() == before


def record_a_matter(lg: AKLedger) -> None:
    """A Supplier's R9 disagreement with a DMC selection decided the day before (§13.4)."""
    support.as_admin(lg, "Principal.add",
                     {"name": "northwind", "role": "supplier", "organisation": "Northwind"})
    trigger = datetime.fromisoformat(support.EARLIER).date() - timedelta(days=1)
    execute(lg, {"command": "Matter.raise_matter", "principal": "northwind", "occurred_at": support.EARLIER,
                 "data": {"reference": "R9-T-1", "route_id": "R9", "raised_by": "supplier",
                          "trigger_on": trigger.isoformat(), "subjects": [{"kind": "dmc", "id": "DMC-T-1"}]}})


def test_post_dossiers_returns_the_zip_and_names_bad_input(ledger: AKLedger, actor: Actor) -> None:
    staff = support.staff(ledger, actor)
    record_a_matter(ledger)
    client, dcc = staff.client(), staff.bearer(Role.DCC)
    response = client.post("/dossiers", json={"matter_id": "R9-T-1", "redact": ["trigger_on"]}, headers=dcc)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert verify_dossier(response.content).redacted
    unknown = client.post("/dossiers", json={"matter_id": "R9-NONE"}, headers=dcc)
    assert (unknown.status_code, unknown.headers["content-type"]) == (404, "application/problem+json")
    bad = client.post("/dossiers", json={"matter_id": "R9-T-1", "redact": ["colour"]}, headers=dcc)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "redact"
    preset = client.post("/dossiers", json={"matter_id": "R9-T-1", "preset": "press"}, headers=dcc)
    assert preset.status_code == 422
    assert client.post("/dossiers", json={"matter_id": "R9-T-1"}).status_code == 401


def test_a_witness_cosignature_travels_with_the_dossier(ledger: AKLedger, actor: Actor) -> None:
    support.staff(ledger, actor)
    record_a_matter(ledger)
    log_service.integrate(ledger)
    witness = Ed25519PrivateKey.generate()
    wvkey = note.cosignature_vkey("auditor.example/witness", witness.public_key())
    add_witness(ledger.engine, wvkey)
    cosigned = log_service.latest_checkpoint(ledger)
    line = note.cosign(note.parse_note(cosigned.note).text, "auditor.example/witness", witness, 1_764_000_000)
    record_cosignature(ledger.engine, cosigned.size, line)
    ledger.record_note("after the cosigned checkpoint", actor)  # the newest checkpoint is not cosigned
    log_service.integrate(ledger)
    exported = export_dossier(ledger, ExportRequest("R9-T-1"))
    assert exported.cosigned
    assert exported.tree_size == cosigned.size  # the newest cosigned checkpoint covering the matter
    report = verify_dossier(
        exported.zip_bytes, trusted_keys=[log_service.vkey(ledger)], witness_keys=[wvkey]
    )
    assert [w.split("+")[0] for w in report.witnesses] == ["auditor.example/witness"]


def test_only_the_dcc_exports_dossiers_over_http(ledger: AKLedger, actor: Actor) -> None:
    staff = support.staff(ledger, actor)
    record_a_matter(ledger)
    client = staff.client()
    for role in (Role.TAG, Role.SIT_AUDITOR):
        refused = client.post("/dossiers", json={"matter_id": "R9-T-1"}, headers=staff.bearer(role))
        assert refused.status_code == 403, refused.text
        assert refused.json()["errors"][0]["field"] == "principal"
