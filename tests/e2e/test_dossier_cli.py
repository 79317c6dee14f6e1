"""`akledger dossier export|verify` as a user runs them, on both databases: export exits 0; verify
exits 0 for a valid dossier with no database, key directory or network, 1 naming what was
tampered with, 2 for bad input; export's bad input exits 2 naming the option. One ledger per
backend, and the commands that only read run concurrently (each process costs seconds)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signing import note
from tests.e2e.test_cli import assert_exit, one_line_error, run, run_all
from tests.e2e.test_import_cli import Lines

OPERATOR = "tester"  # AKLEDGER_ACTOR in the env fixture: `init` makes it the first admin
MATTER = "R9-E2E-1"


def record_a_matter(env: dict[str, str], tmp_path: Path) -> None:
    lines = Lines()
    lines.when = datetime.now(UTC) - timedelta(hours=2)
    lines.add("Principal.add", OPERATOR,
              {"name": "northwind", "role": "supplier", "organisation": "Northwind"})
    trigger = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    lines.add("Matter.raise_matter", "northwind", {
        "reference": MATTER, "route_id": "R9", "raised_by": "supplier", "trigger_on": trigger,
        "subjects": [{"kind": "dmc", "id": "DMC-E2E-1"}]})
    lines.add("Matter.refer", "northwind",
              {"target": {"reference": MATTER}, "to": "sos", "referred_by": "supplier"})
    run(env, "init")
    run(env, "import", "commands", str(lines.write(tmp_path / "lines.jsonl")))


def tampered(data: bytes) -> bytes:
    """The dossier with the referral's `to` changed from the SoS to the TAG."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in source.namelist():
            text = source.read(name).decode()
            if name.startswith("events/") and '"sos"' in text:
                doc = json.loads(text)
                if "to" in doc["fields"]:
                    doc["fields"]["to"]["value"] = "tag"
                    text = json.dumps(doc)
            zf.writestr(name, text)
    return out.getvalue()


def test_export_and_offline_verify_exit_0_1_2_naming_the_fault(env: dict[str, str], tmp_path: Path) -> None:
    record_a_matter(env, tmp_path)
    dossier = tmp_path / "dossier.zip"
    exported = run(env, "dossier", "export", MATTER, "--out", str(dossier), "--redact", "trigger_on")
    assert "withheld: trigger_on" in exported.stdout
    vkey = run(env, "keys", "vkey").stdout.strip()
    (tmp_path / "bad.zip").write_bytes(tampered(dossier.read_bytes()))
    (tmp_path / "garbage.zip").write_bytes(b"PK but not really a zip")
    witness = note.cosignature_vkey("auditor.example/witness", Ed25519PrivateKey.generate().public_key())
    # No database, no key directory, no network: a URL that points nowhere and an empty home.
    offline = {**env, "AKLEDGER_DATABASE_URL": "postgresql+psycopg2://nobody@127.0.0.1:1/nowhere",
               "AKLEDGER_HOME": str(tmp_path / "no-such-home")}
    out = str(tmp_path / "refused.zip")
    # In batches of a few processes: each costs seconds of CPU on a shared machine.
    ok, bad, garbage, unwitnessed = run_all(
        (offline, ["dossier", "verify", str(dossier), "--trusted-key", vkey]),
        (offline, ["dossier", "verify", str(tmp_path / "bad.zip"), "--trusted-key", vkey]),
        (offline, ["dossier", "verify", str(tmp_path / "garbage.zip")]),
        (offline, ["dossier", "verify", str(dossier), "--witness", witness]),
    )
    valid_json, missing, bad_key = run_all(
        (offline, ["dossier", "verify", str(dossier), "--json"]),
        (offline, ["dossier", "verify", str(tmp_path / "absent.zip")]),
        (offline, ["dossier", "verify", str(dossier), "--trusted-key", "not-a-vkey"]),
    )
    refused = run_all(
        (env, ["dossier", "export", "R9-NOPE", "--out", out]),
        (env, ["dossier", "export", MATTER, "--out", out, "--redact", "colour"]),
        (env, ["dossier", "export", MATTER, "--out", out, "--preset", "press"]),
        (env, ["dossier", "export", MATTER, "--out", out, "--as-of-position", "0"]),
    )
    assert_exit(ok, 0)
    assert "valid" in ok.stdout
    assert "signed by a trusted key" in ok.stdout
    assert_exit(valid_json, 0)
    assert json.loads(valid_json.stdout)["ok"] is True
    assert_exit(bad, 1)
    assert "value changed" in one_line_error(bad)
    assert "'to'" in one_line_error(bad)
    for result in (garbage, missing, bad_key):
        assert_exit(result, 2)
        one_line_error(result)
    assert "not a zip" in one_line_error(garbage)
    assert "trusted key" in one_line_error(bad_key)
    assert_exit(unwitnessed, 1)
    assert "no cosignature by witness auditor.example/witness" in one_line_error(unwitnessed)
    unknown, field, preset, position = refused
    for result in refused:
        assert_exit(result, 2)
    assert "no matter 'R9-NOPE'" in one_line_error(unknown)
    assert "--redact: no event of this dossier has a field 'colour'" in one_line_error(field)
    assert "--preset: 'press' is not a preset" in one_line_error(preset)
    assert "--as-of-position" in one_line_error(position)
    assert not Path(out).exists()
