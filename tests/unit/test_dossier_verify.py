"""The offline dossier verifier (signing.dossier) on a hand-built dossier: it verifies, and
each tampering is caught with its own error and message."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signing import merkle, note
from signing.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint
from signing.dossier import (
    STATEMENT_DOMAIN,
    DossierEvent,
    TlogProof,
    event_path,
    parse_tlog_proof,
    proof_path,
    sign_statement,
    statement_bytes,
    statement_of,
    verify_dossier,
    write_dossier,
)
from signing.entry import Header, SealedEvent, prepare, sign_save
from signing.errors import (
    CommitmentError,
    DossierFormatError,
    DossierIncompleteError,
    EntryAlteredError,
    NoteFormatError,
    RootMismatchError,
    SignatureError,
    UnknownKeyError,
    WitnessError,
)

ORIGIN = "test.example/dossier"
CHAIN = "00000000-0000-0000-0000-00000000000c"
MATTER = "00000000-0000-0000-0000-00000000000a"
ISSUE = "00000000-0000-0000-0000-00000000000b"
ACTOR = {"principal": "dcc-test-ops", "role": "dcc", "organisation": "DCC"}


@dataclass
class Built:
    zip_bytes: bytes
    log_key: Ed25519PrivateKey
    sealed: list[SealedEvent]


def _vkey(key: Ed25519PrivateKey) -> str:
    return note.vkey(ORIGIN, key.public_key())


def _key_id(key: Ed25519PrivateKey) -> str:
    return note.key_id(ORIGIN, key.public_key()).hex()


def build(
    *, redact: dict[int, set[str]] | None = None, cosigners: Sequence[tuple[str, Ed25519PrivateKey]] = (),
    statement_key: Ed25519PrivateKey | None = None,
) -> Built:
    """A ledger of 6 entries (genesis key, a Testing Issue, a matter in 3 versions, a stray note),
    its checkpoint, and a dossier of the first five with the ledger's statement of completeness
    (signed by ``statement_key`` if given). ``redact`` maps leaf index -> fields withheld."""
    log_key = Ed25519PrivateKey.generate()
    kid = _key_id(log_key)
    public = base64.b64encode(log_key.public_key().public_bytes_raw()).decode()

    def header(oid: str, version: int, topic: str) -> Header:
        return Header(oid, version, topic, "2026-01-12T09:00:00+00:00", "2026-01-12T09:00:01+00:00",
                      ACTOR, kid)

    rows: list[tuple[Header, dict[str, Any]]] = [
        (header(CHAIN, 1, "ledger.signing_keys:SigningKeys.LedgerInitialised"),
         {"origin": ORIGIN, "key_id": kid, "public_key": public}),
        (header(ISSUE, 1, "ledger.testing_issues:TestingIssue.Raised"),
         {"reference": "TI-IOC-002", "summary": "Tariff update rejected", "severity": 2}),
        (header(MATTER, 1, "ledger.matters:Matter.MatterRaised"),
         {"route_id": "R9", "trigger_party": "northwind-energy", "reference": "R9-IOC-1"}),
        (header(MATTER, 2, "ledger.matters:Matter.MatterReferred"), {"to": "sos", "referred_by": "supplier"}),
        (header(MATTER, 3, "ledger.matters:Matter.MatterDetermined"),
         {"determined_by": "sos", "outcome": "selection stands"}),
        (header("00000000-0000-0000-0000-0000000000ff", 1, "ledger.notes:Note.Recorded"), {"text": "other"}),
    ]
    sealed = [sign_save([prepare(h, p)], log_key)[0] for h, p in rows[:3]]
    sealed += sign_save([prepare(h, p) for h, p in rows[3:5]], log_key)  # one batch save of two
    sealed += sign_save([prepare(*rows[5])], log_key)
    leaves = [merkle.leaf_hash(s.entry) for s in sealed]
    cp_note = sign_checkpoint(Checkpoint(ORIGIN, len(leaves), merkle.root(leaves)), ORIGIN, log_key)
    for name, key in cosigners:
        line = note.cosign(note.parse_note(cp_note).text, name, key, 1_700_000_000)
        cp_note = note.add_signature(cp_note, line)
    events = []
    for i, s in enumerate(sealed[:5]):
        withheld = (redact or {}).get(i, set())
        fields = {k: v for k, v in s.fields.items() if k not in withheld}
        shown = SealedEvent(s.entry, s.signature, fields, s.batch)
        display = {"trigger_party": "Supplier A"} if "trigger_party" in withheld else {}
        events.append(DossierEvent(i, i + 1, shown, merkle.inclusion_proof(leaves, i), display))
    manifest = {
        "matter": {"id": MATTER},
        "aggregates": [
            {"id": MATTER, "role": "matter", "versions": 3},
            {"id": ISSUE, "role": "subject", "versions": 1},
            {"id": CHAIN, "role": "keychain", "versions": 1},
        ],
    }
    keys = [{"key_id": kid, "vkey": _vkey(log_key), "valid_from": 0, "valid_until": None}]
    signer = statement_key or log_key
    statement = sign_statement(
        statement_of(parse_checkpoint(note.parse_note(cp_note).text), MATTER,
                     {MATTER: 3, ISSUE: 1, CHAIN: 1}, None),
        _key_id(signer), signer,
    )
    return Built(write_dossier(manifest, events, cp_note, keys, "<html></html>", statement), log_key, sealed)


def rewrite(zip_bytes: bytes, change: Callable[[dict[str, str]], None]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        members = {n: zf.read(n).decode() for n in zf.namelist()}
    change(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return out.getvalue()


def edit_json(members: dict[str, str], name: str, edit: Callable[[dict[str, Any]], None]) -> None:
    doc = json.loads(members[name])
    edit(doc)
    members[name] = json.dumps(doc)


def test_a_dossier_verifies_offline_and_reports_what_it_proved() -> None:
    built = build()
    report = verify_dossier(built.zip_bytes, trusted_keys=[_vkey(built.log_key)])
    assert (report.matter_id, report.events, report.aggregates, report.tree_size) == (MATTER, 5, 3, 6)
    assert report.trusted
    assert report.redacted == {}


def test_each_proof_is_a_c2sp_tlog_proof_with_the_checkpoint() -> None:
    built = build()
    with zipfile.ZipFile(io.BytesIO(built.zip_bytes)) as zf:
        text = zf.read(proof_path(3)).decode()
        checkpoint = zf.read("checkpoint").decode()
    assert text.startswith("c2sp.org/tlog-proof@v1\nindex 3\n")
    proof = parse_tlog_proof(text)
    assert proof.checkpoint == checkpoint
    leaves = [merkle.leaf_hash(s.entry) for s in built.sealed]
    assert list(proof.hashes) == merkle.inclusion_proof(leaves, 3)


def test_a_changed_value_is_named() -> None:
    def change(m: dict[str, str]) -> None:
        edit_json(m, event_path(4), lambda d: d["fields"]["outcome"].update(value="selection overturned"))

    with pytest.raises(CommitmentError, match=rf"event {MATTER} v3 .*value changed.*'outcome'"):
        verify_dossier(rewrite(build().zip_bytes, change))


def test_a_removed_entry_is_named() -> None:
    def change(m: dict[str, str]) -> None:
        del m[event_path(3)]

    with pytest.raises(DossierIncompleteError, match=rf"event {MATTER} v2 .*an entry was removed"):
        verify_dossier(rewrite(build().zip_bytes, change))


def test_a_version_of_the_matter_left_out_is_named() -> None:
    def change(m: dict[str, str]) -> None:
        del m[event_path(3)], m[proof_path(3)]
        edit_json(m, "manifest.json", lambda d: d.update(
            events=[e for e in d["events"] if e["index"] != 3]))

    left_out = rf"the matter {MATTER}: version\(s\) 2 of its history 1..3"
    with pytest.raises(DossierIncompleteError, match=left_out):
        verify_dossier(rewrite(build().zip_bytes, change))


def drop_the_determination(m: dict[str, str]) -> None:
    """Cut the matter's last version (its determination, leaf 4) and lower its count to match."""
    del m[event_path(4)], m[proof_path(4)]

    def lower(d: dict[str, Any]) -> None:
        d["events"] = [e for e in d["events"] if e["index"] != 4]
        for agg in d["aggregates"]:
            if agg["id"] == MATTER:
                agg["versions"] = 2
    edit_json(m, "manifest.json", lower)


def test_a_dropped_tail_with_a_lowered_count_is_caught_by_the_ledgers_statement() -> None:
    built = build()
    left_out = rf"the matter {MATTER}: version 3 stated by the ledger is left out of the dossier"
    with pytest.raises(DossierIncompleteError, match=left_out):
        verify_dossier(rewrite(built.zip_bytes, drop_the_determination), trusted_keys=[_vkey(built.log_key)])


def test_a_dropped_tail_of_several_versions_is_named_as_a_range() -> None:
    def change(m: dict[str, str]) -> None:
        drop_the_determination(m)
        del m[event_path(3)], m[proof_path(3)]
        edit_json(m, "manifest.json", lambda d: d.update(events=[e for e in d["events"] if e["index"] != 3]))
        edit_json(m, "manifest.json",
                  lambda d: [a.update(versions=1) for a in d["aggregates"] if a["id"] == MATTER])

    left_out = rf"the matter {MATTER}: versions 2..3 stated by the ledger are left out"
    with pytest.raises(DossierIncompleteError, match=left_out):
        verify_dossier(rewrite(build().zip_bytes, change))


def test_a_dossier_without_the_statement_is_incomplete() -> None:
    def change(m: dict[str, str]) -> None:
        drop_the_determination(m)
        del m["statement.json"]

    with pytest.raises(DossierIncompleteError, match=r"statement\.json is not in the dossier.*a tail"):
        verify_dossier(rewrite(build().zip_bytes, change))


def test_an_altered_statement_fails_its_signature() -> None:
    def change(m: dict[str, str]) -> None:
        drop_the_determination(m)

        def lower(d: dict[str, Any]) -> None:
            d["statement"]["matter"]["versions"] = 2
            for agg in d["statement"]["aggregates"]:
                if agg["id"] == MATTER:
                    agg["versions"] = 2
        edit_json(m, "statement.json", lower)

    altered = r"statement of completeness does not match its signature.*altered"
    with pytest.raises(SignatureError, match=altered):
        verify_dossier(rewrite(build().zip_bytes, change))


def test_a_statement_signed_by_an_unknown_key_is_named() -> None:
    forger = Ed25519PrivateKey.generate()
    built = build(statement_key=forger)
    unknown = rf"statement of completeness is signed by key {_key_id(forger)}, not by the ledger key in force"
    with pytest.raises(UnknownKeyError, match=unknown):
        verify_dossier(built.zip_bytes)


def test_a_statement_forged_under_the_ledgers_key_id_fails_its_signature() -> None:
    built, forger = build(), Ed25519PrivateKey.generate()

    def change(m: dict[str, str]) -> None:
        drop_the_determination(m)
        doc = json.loads(m["statement.json"])
        doc["statement"]["matter"]["versions"] = 2
        doc["statement"]["aggregates"] = [
            {**a, "versions": 2} if a["id"] == MATTER else a for a in doc["statement"]["aggregates"]
        ]
        doc["signature"] = base64.b64encode(forger.sign(statement_bytes(doc["statement"]))).decode()
        m["statement.json"] = json.dumps(doc)

    with pytest.raises(SignatureError, match=r"statement of completeness does not match its signature"):
        verify_dossier(rewrite(built.zip_bytes, change))


def test_a_statement_for_another_checkpoint_is_named() -> None:
    built = build()

    def change(m: dict[str, str]) -> None:
        doc = json.loads(m["statement.json"])
        statement = {**doc["statement"], "tree_size": 7}  # genuinely signed, but not for this checkpoint
        m["statement.json"] = json.dumps(sign_statement(statement, _key_id(built.log_key), built.log_key))

    other = rf"statement of completeness is for matter {MATTER} at {ORIGIN} tree size 7, not this dossier's"
    with pytest.raises(DossierIncompleteError, match=other):
        verify_dossier(rewrite(built.zip_bytes, change))


def test_the_statement_is_domain_separated_canonical_json_and_reported() -> None:
    built = build()
    with zipfile.ZipFile(io.BytesIO(built.zip_bytes)) as zf:
        doc = json.loads(zf.read("statement.json"))
    signed = statement_bytes(doc["statement"])
    assert signed.startswith(STATEMENT_DOMAIN)
    assert signed.startswith(b"akledger/dossier-statement/v1\0{")
    built.log_key.public_key().verify(base64.b64decode(doc["signature"]), signed)
    assert verify_dossier(built.zip_bytes).stated == {MATTER: 3, ISSUE: 1, CHAIN: 1}


def test_an_altered_proof_hash_is_named() -> None:
    def change(m: dict[str, str]) -> None:
        lines = m[proof_path(2)].split("\n")
        lines[2] = base64.b64encode(b"\x07" * 32).decode()
        m[proof_path(2)] = "\n".join(lines)

    altered = rf"event {MATTER} v1 \(leaf 2\): its inclusion proof .*hash was altered"
    with pytest.raises(RootMismatchError, match=altered):
        verify_dossier(rewrite(build().zip_bytes, change))


def test_a_checkpoint_resigned_by_an_unknown_key_is_named() -> None:
    built = build()
    forger = Ed25519PrivateKey.generate()

    def change(m: dict[str, str]) -> None:
        genuine = m["checkpoint"]
        forged = sign_checkpoint(parse_checkpoint(note.parse_note(genuine).text), ORIGIN, forger)
        for name in list(m):
            m[name] = m[name].replace(genuine, forged)

    with pytest.raises(UnknownKeyError, match=r"not signed by the ledger key in force .*unknown key"):
        verify_dossier(rewrite(built.zip_bytes, change))


def test_a_whole_forged_ledger_fails_against_the_trusted_key() -> None:
    genuine, forged = build(), build()
    with pytest.raises(UnknownKeyError, match="holds no trusted key"):
        verify_dossier(forged.zip_bytes, trusted_keys=[_vkey(genuine.log_key)])


def test_a_redacted_dossier_verifies_and_holds_neither_value_nor_salt() -> None:
    built = build(redact={2: {"trigger_party", "reference"}, 4: {"outcome"}})
    report = verify_dossier(built.zip_bytes)
    assert report.redacted == {f"{MATTER} v1": ["reference", "trigger_party"], f"{MATTER} v3": ["outcome"]}
    assert report.displayed == {f"{MATTER} v1": ["trigger_party"]}
    with zipfile.ZipFile(io.BytesIO(built.zip_bytes)) as zf:
        blobs = [built.zip_bytes, *(zf.read(n) for n in zf.namelist())]
    for index, name in ((2, "trigger_party"), (2, "reference"), (4, "outcome")):
        salt, value = built.sealed[index].fields[name]
        needles = (json.dumps(value).encode(), str(value).encode(), base64.b64encode(salt),
                   salt.hex().encode())
        for needle in needles:
            assert not any(needle in blob for blob in blobs), (name, needle)


def test_an_altered_commitment_of_a_redacted_field_is_named() -> None:
    built = build(redact={4: {"outcome"}})

    def change(m: dict[str, str]) -> None:
        def alter(d: dict[str, Any]) -> None:
            entry = json.loads(str(d["entry"]))
            entry["commitments"]["outcome"] = "00" * 32
            d["entry"] = json.dumps(entry, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
        edit_json(m, event_path(4), alter)

    with pytest.raises(EntryAlteredError, match=r"commitment of a redacted field \(outcome\)"):
        verify_dossier(rewrite(built.zip_bytes, change))


def test_a_required_witness_cosignature_is_checked() -> None:
    witness = Ed25519PrivateKey.generate()
    wvkey = note.cosignature_vkey("auditor.example/witness", witness.public_key())
    built = build(cosigners=[("auditor.example/witness", witness)])
    report = verify_dossier(built.zip_bytes, witness_keys=[wvkey])
    assert len(report.witnesses) == 1
    assert report.witnesses[0].startswith("auditor.example/witness+")
    with pytest.raises(WitnessError, match=r"no cosignature by witness auditor\.example/witness"):
        verify_dossier(build().zip_bytes, witness_keys=[wvkey])


def test_bad_input_is_a_format_error() -> None:
    with pytest.raises(DossierFormatError, match="not a zip"):
        verify_dossier(b"not a zip")
    with pytest.raises(DossierFormatError, match="trusted key"):
        verify_dossier(build().zip_bytes, trusted_keys=["nonsense"])


def build_rotated(*, stale: bool = False) -> tuple[bytes, Ed25519PrivateKey, Ed25519PrivateKey]:
    """Genesis key1, a matter event, key1 rotated to key2, a second matter event signed by key2
    (or, ``stale``, still by the retired key1); the checkpoint signed by key2."""
    key1, key2 = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()

    def sealed(oid: str, version: int, key: Ed25519PrivateKey, payload: dict[str, Any]) -> SealedEvent:
        header = Header(oid, version, f"t:{oid[-1]}.E{version}", "2026-01-12T09:00:00+00:00",
                        "2026-01-12T09:00:01+00:00", ACTOR, _key_id(key))
        return sign_save([prepare(header, payload)], key)[0]

    def public(key: Ed25519PrivateKey) -> str:
        return base64.b64encode(key.public_key().public_bytes_raw()).decode()

    events = [
        sealed(CHAIN, 1, key1, {"origin": ORIGIN, "key_id": _key_id(key1), "public_key": public(key1)}),
        sealed(MATTER, 1, key1, {"route_id": "R9"}),
        sealed(CHAIN, 2, key1, {"key_id": _key_id(key2), "public_key": public(key2),
                                "previous_key_id": _key_id(key1)}),
        sealed(MATTER, 2, key1 if stale else key2, {"to": "sos"}),
    ]
    leaves = [merkle.leaf_hash(s.entry) for s in events]
    cp_note = sign_checkpoint(Checkpoint(ORIGIN, 4, merkle.root(leaves)), ORIGIN, key2)
    dossier = [DossierEvent(i, i + 1, s, merkle.inclusion_proof(leaves, i)) for i, s in enumerate(events)]
    manifest = {"matter": {"id": MATTER}, "aggregates": [
        {"id": MATTER, "role": "matter", "versions": 2}, {"id": CHAIN, "role": "keychain", "versions": 2},
    ]}
    keys = [{"key_id": _key_id(k), "vkey": _vkey(k)} for k in (key1, key2)]
    statement = sign_statement(statement_of(parse_checkpoint(note.parse_note(cp_note).text), MATTER,
                                            {MATTER: 2, CHAIN: 2}, None), _key_id(key2), key2)
    return write_dossier(manifest, dossier, cp_note, keys, "", statement), key1, key2


def test_a_rotated_key_chain_is_followed_and_pinned_by_any_trusted_key_in_it() -> None:
    data, key1, key2 = build_rotated()
    for trusted in (key1, key2):
        report = verify_dossier(data, trusted_keys=[_vkey(trusted)])
        assert report.keys == [f"{ORIGIN}+{_key_id(key1)}", f"{ORIGIN}+{_key_id(key2)}"]


def test_an_event_signed_by_a_retired_key_is_named() -> None:
    data, key1, key2 = build_rotated(stale=True)
    retired = rf"event {MATTER} v2 \(leaf 3\): signed by key {_key_id(key1)}, but key {_key_id(key2)}"
    with pytest.raises(UnknownKeyError, match=retired):
        verify_dossier(data, trusted_keys=[_vkey(key2)])


@pytest.mark.parametrize(("text", "reason"), [
    ("c2sp.org/tlog-proof@v2\nindex 0\n\ncp", "first line"),
    ("c2sp.org/tlog-proof@v1\nindex 01\n\ncp", "leading zeros"),
    ("c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\ncp", "extra"),
    ("c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\ncp", "3 bytes, not 32"),
    ("c2sp.org/tlog-proof@v1\nindex 1\n", "no empty line"),
])
def test_a_malformed_tlog_proof_is_refused_naming_the_line(text: str, reason: str) -> None:
    with pytest.raises(NoteFormatError, match=reason):
        parse_tlog_proof(text)


def test_a_tlog_proof_round_trips_with_extra_data() -> None:
    proof = TlogProof(0, (b"\x01" * 32,), "origin\n1\nroot\n\n— sig\n", b"context")
    assert parse_tlog_proof(proof.text()) == proof
