"""C2SP signed notes and Ed25519 cosignatures: golden vectors, round trips, must-fail tables."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from signing.errors import (
    MalformedInputError,
    NoteFormatError,
    SignatureError,
    UnknownKeyError,
)
from signing.note import (
    ALG_COSIGNATURE_V1,
    ALG_ED25519,
    MAX_NOTE_SIZE,
    MAX_SIGNATURES,
    Signature,
    Verifier,
    add_signature,
    cosign,
    cosignature_vkey,
    key_id,
    open_note,
    parse_note,
    parse_vkey,
    sign_note,
    signer_line,
    verify_cosignature,
    vkey,
)

DASH = "\u2014 "

# C2SP signed-note.md (commit 5ba5ee8), as in /work/shared/vectors/rfc6962.json.
C2SP_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
C2SP_NOTE = (
    "This is an example message.\n\n"
    f"{DASH}example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3"
    "mFXmRKuwHjG1Yu72IneyaQM=\n"
)

# golang.org/x/mod/sumdb/note note.go / note_test.go: a private key, its vkey and signatures.
PETER_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_B64 = (
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
)
PETER_SIG = f"{DASH}PeterNeumann {PETER_B64}\n"
ENOCH_SIG = (
    f"{DASH}EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwn"
    "WLox33WWd1RvMc+QQ=\n"
)
PETER_NOTE = TEXT + "\n" + PETER_SIG

# transparency-dev/formats note/note_cosigv1_test.go: a native 0x04 vkey, and a 0x01 vkey
# whose base64 contains '+'.
REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
PLUS_VKEY = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"

# C2SP tlog-cosignature.md example: a checkpoint with a log signature and a cosignature.
SPEC_CHECKPOINT = (
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)
SPEC_COSIGNED = (
    SPEC_CHECKPOINT
    + "\n"
    + f"{DASH}example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URY"
    "N7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    f"{DASH}witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9d"
    "lrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)

T0 = 1_700_000_000


def _key(n: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32)


def _peter() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(PETER_SEED)


def _vkey_from_material(name: str, material: bytes) -> str:
    """A vkey with the correct key id over arbitrary key material (alg byte included)."""
    kid = hashlib.sha256(name.encode() + b"\n" + material).digest()[:4]
    return f"{name}+{kid.hex()}+{base64.b64encode(material).decode()}"


def _with_signature(line: str, transform: bytes) -> str:
    """``line`` with its decoded signature bytes XORed with ``transform`` (zero-extended)."""
    name, encoded = line[len(DASH) : -1].split(" ")
    raw = bytearray(base64.b64decode(encoded))
    for i, b in enumerate(transform):
        raw[i] ^= b
    return f"{DASH}{name} {base64.b64encode(bytes(raw)).decode()}\n"


# --- verifier keys -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "kid", "alg"),
    [
        (C2SP_VKEY, "example.com/foo", "530d903a", ALG_ED25519),
        (PETER_VKEY, "PeterNeumann", "c74f20a3", ALG_ED25519),
        (ENOCH_VKEY, "EnochRoot", "af0cfe78", ALG_ED25519),
        (PLUS_VKEY, "TEST", "7997405c", ALG_ED25519),
        (REMORA_VKEY, "remora.n621.de", "da77ade7", ALG_COSIGNATURE_V1),
    ],
)
def test_golden_vkeys_parse(text: str, name: str, kid: str, alg: int) -> None:
    verifier = parse_vkey(text)
    assert (verifier.name, verifier.key_id.hex(), verifier.alg) == (name, kid, alg)
    encode = vkey if alg == ALG_ED25519 else cosignature_vkey
    assert encode(name, verifier.public_key) == text


def test_vkey_of_x_mod_private_key_is_the_golden_vkey() -> None:
    assert vkey("PeterNeumann", _peter().public_key()) == PETER_VKEY


def test_key_id_is_sha256_of_name_newline_type_and_key() -> None:
    public = _key(1).public_key()
    raw = public.public_bytes_raw()
    for alg in (ALG_ED25519, ALG_COSIGNATURE_V1):
        expected = hashlib.sha256(b"log.example\n" + bytes([alg]) + raw).digest()[:4]
        assert key_id("log.example", public, alg) == expected
    assert key_id("log.example", public) != key_id("log.example", public, ALG_COSIGNATURE_V1)


@pytest.mark.parametrize("alg", [ALG_ED25519, ALG_COSIGNATURE_V1])
def test_vkey_round_trip(alg: int) -> None:
    public = _key(2).public_key()
    encode = vkey if alg == ALG_ED25519 else cosignature_vkey
    assert parse_vkey(encode("w.example/a", public)) == Verifier.from_public_key(
        "w.example/a", public, alg
    )


BAD_VKEYS = [
    ("empty", "", "expected <name>+<key id>+<key>"),
    ("no key", "PeterNeumann+c74f20a3", "expected <name>+<key id>+<key>"),
    ("empty name", PETER_VKEY.replace("PeterNeumann", ""), "key name is empty"),
    ("name with space", PETER_VKEY.replace("Peter", "Peter "), "contains a space"),
    ("name with control", PETER_VKEY.replace("Peter", "Peter\x01"), "control character"),
    ("short key id", PETER_VKEY.replace("c74f20a3", "c74f20a"), "not 8 hex digits"),
    ("non-hex key id", PETER_VKEY.replace("c74f20a3", "c74f20g3"), "not 8 hex digits"),
    ("key id mismatch", PETER_VKEY.replace("c74f20a3", "c74f20a4"), "does not match the key"),
    ("name mismatch", PETER_VKEY.replace("PeterNeumann", "PeterNeuman"), "does not match"),
    ("bad base64", PETER_VKEY.replace("ARpc", "AR!c"), "invalid base64"),
    ("trailing newline", PETER_VKEY + "\n", "invalid base64"),
    ("empty key", "PeterNeumann+c74f20a3+", "key is empty"),
    # x/mod note_test.go: wrong length key with adjusted key hash (its base64 is non-canonical).
    (
        "x/mod wrong length",
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "non-canonical base64",
    ),
    # x/mod note_test.go: unknown algorithm with adjusted key hash.
    (
        "x/mod unknown algorithm",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "unknown signature type 0x65",
    ),
    ("ECDSA type", _vkey_from_material("k", b"\x02" + bytes(32)), "unknown signature type 0x02"),
    ("ML-DSA type", _vkey_from_material("k", b"\x06" + bytes(32)), "unknown signature type 0x06"),
    ("short key", _vkey_from_material("k", b"\x01" + bytes(31)), "31 bytes, not 32"),
    ("long key", _vkey_from_material("k", b"\x04" + bytes(33)), "33 bytes, not 32"),
]


@pytest.mark.parametrize(("text", "message"), [pytest.param(t, m, id=i) for i, t, m in BAD_VKEYS])
def test_parse_vkey_rejects(text: str, message: str) -> None:
    with pytest.raises(NoteFormatError, match=re.escape(message)):
        parse_vkey(text)


def test_parse_vkey_rejects_every_truncation_and_mangling() -> None:
    # Port of x/mod TestNewVerifier: every proper substring and every single-character
    # increment of a valid vkey must be rejected.
    for i in range(len(PETER_VKEY) + 1):
        for j in range(i + 1, len(PETER_VKEY) + 1):
            if (i, j) != (0, len(PETER_VKEY)):
                with pytest.raises(NoteFormatError):
                    parse_vkey(PETER_VKEY[i:j])
    for i, ch in enumerate(PETER_VKEY):
        with pytest.raises(NoteFormatError):
            parse_vkey(PETER_VKEY[:i] + chr(ord(ch) + 1) + PETER_VKEY[i + 1 :])


def test_verifier_rejects_inconsistent_fields() -> None:
    public = _key(1).public_key()
    with pytest.raises(MalformedInputError, match="key id"):
        Verifier("a.example", bytes(4), public)
    with pytest.raises(MalformedInputError, match="unsupported signature type"):
        Verifier("a.example", key_id("a.example", public, 2), public, alg=2)
    with pytest.raises(NoteFormatError, match="contains '\\+'"):
        Verifier.from_public_key("a+b", public)


# --- signing and opening -------------------------------------------------------------------


def test_golden_c2sp_note_opens() -> None:
    verifier = parse_vkey(C2SP_VKEY)
    note, signers = open_note(C2SP_NOTE, [verifier])
    assert note.text == "This is an example message.\n"
    assert signers == [verifier]


def test_sign_note_reproduces_x_mod_golden_bytes() -> None:
    assert sign_note(TEXT, "PeterNeumann", _peter()) == PETER_NOTE


def test_open_ignores_signatures_by_unknown_keys() -> None:
    peter, enoch = parse_vkey(PETER_VKEY), parse_vkey(ENOCH_VKEY)
    two = PETER_NOTE + ENOCH_SIG
    note, signers = open_note(two, [peter])
    assert note.text == TEXT
    assert [s.label for s in note.signatures] == ["PeterNeumann+c74f20a3", "EnochRoot+af0cfe78"]
    assert signers == [peter]
    assert open_note(two, [enoch, peter])[1] == [peter, enoch]


@pytest.mark.parametrize(
    "text", [TEXT, "\n", "a\n\nb\n", "ends in a blank line\n\n", "\u00e9\u2028\n"]
)
def test_sign_open_round_trip(text: str) -> None:
    key = _key(3)
    signed = sign_note(text, "log.example/x", key)
    note, signers = open_note(signed, [parse_vkey(vkey("log.example/x", key.public_key()))])
    assert note.text == text
    assert [s.name for s in signers] == ["log.example/x"]


def test_duplicate_signature_lines_count_once() -> None:
    note, signers = open_note(PETER_NOTE + PETER_SIG, [parse_vkey(PETER_VKEY)])
    assert len(note.signatures) == 2
    assert len(signers) == 1


BAD_NOTES = [
    ("text only", TEXT, "no blank line"),
    ("no signatures", TEXT + "\n", "no signature lines"),
    ("unterminated signature", PETER_NOTE[:-1], "does not end with a newline"),
    ("control character", "\x01" + PETER_NOTE, "U+0001"),
    ("carriage return in text", PETER_NOTE.replace("\n", "\r\n", 1), "U+000D"),
    ("carriage return in signature", PETER_NOTE[:-1] + "\r\n", "U+000D"),
    ("lone surrogate", "\ud800" + PETER_NOTE, "U+D800"),
    # x/mod note_test.go: the first space ends the name, so the rest is not base64.
    ("name with space", PETER_NOTE.replace("PeterNeumann", "Bad Name"), "invalid base64"),
    ("name with NBSP", PETER_NOTE.replace("PeterNeumann", "Bad\u00a0Name"), "contains a space"),
    ("name with plus", PETER_NOTE.replace("PeterNeumann", "Peter+Neumann"), "contains '+'"),
    ("empty name", PETER_NOTE.replace("PeterNeumann", ""), "key name is empty"),
    ("name only", TEXT + "\n" + DASH + "PeterNeumann\n", "no signature after the key name"),
    ("name and space", TEXT + "\n" + DASH + "PeterNeumann \n", "no signature after"),
    ("unexpected line", PETER_NOTE + "Unexpected line.\n", "line 2: does not start with"),
    ("hyphen for em dash", PETER_NOTE.replace("\u2014", "-"), "does not start with an em dash"),
    ("no space after dash", PETER_NOTE.replace(DASH, "\u2014"), "does not start with an em dash"),
    ("bad base64", PETER_NOTE.replace("x08go/", "x08go!"), "invalid base64"),
    ("unpadded base64", PETER_NOTE.replace("AM=\n", "AM\n"), "invalid base64"),
    ("non-canonical base64", PETER_NOTE.replace("AM=\n", "AN=\n"), "non-canonical base64"),
    ("4-byte signature", TEXT + "\n" + DASH + "PeterNeumann x08gow==\n", "fewer than 5"),
    ("too many signatures", TEXT + "\n" + PETER_SIG * (MAX_SIGNATURES + 1), "more than 100"),
    ("over-long", "a" * MAX_NOTE_SIZE + "\n\n" + PETER_SIG, "longer than"),
]


@pytest.mark.parametrize(("note", "message"), [pytest.param(n, m, id=i) for i, n, m in BAD_NOTES])
def test_malformed_notes_are_rejected(note: str, message: str) -> None:
    with pytest.raises(NoteFormatError, match=re.escape(message)):
        parse_note(note)
    with pytest.raises(NoteFormatError, match=re.escape(message)):
        open_note(note, [parse_vkey(PETER_VKEY)])


@settings(database=None)
@given(st.text())
def test_parse_note_fails_only_with_note_format_error(note: str) -> None:
    try:
        parsed = parse_note(note)
    except NoteFormatError:
        return
    assert parsed.text.endswith("\n")
    assert parsed.signatures


def test_tampered_text_fails() -> None:
    tampered = PETER_NOTE.replace("problem,", "problem;")
    with pytest.raises(SignatureError, match=r"invalid signature for key PeterNeumann\+c74f20a3"):
        open_note(tampered, [parse_vkey(PETER_VKEY)])


@pytest.mark.parametrize("offset", [4, 35, 67])
def test_tampered_signature_byte_fails(offset: int) -> None:
    tampered = TEXT + "\n" + _with_signature(PETER_SIG, bytes(offset) + b"\x01")
    with pytest.raises(SignatureError):
        open_note(tampered, [parse_vkey(PETER_VKEY)])


def test_x_mod_inserted_bytes_signature_fails() -> None:
    tampered = TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(SignatureError):
        open_note(tampered, [parse_vkey(PETER_VKEY)])


def test_signature_by_unknown_key_fails() -> None:
    other = sign_note(TEXT, "Mallory", _key(4))
    with pytest.raises(UnknownKeyError, match=r"Mallory\+"):
        open_note(other, [parse_vkey(PETER_VKEY)])


def test_same_name_other_key_is_ignored_as_unknown() -> None:
    # signed-note: signatures sharing a name (but not the key id) with a known key are ignored.
    impostor = sign_note(TEXT, "PeterNeumann", _key(4))
    with pytest.raises(UnknownKeyError):
        open_note(impostor, [parse_vkey(PETER_VKEY)])
    _, signers = open_note(impostor + PETER_SIG, [parse_vkey(PETER_VKEY)])
    assert [s.label for s in signers] == ["PeterNeumann+c74f20a3"]


def test_wrong_key_id_is_unknown_key() -> None:
    wrong_id = TEXT + "\n" + _with_signature(PETER_SIG, b"\x00\x00\x00\x01")
    with pytest.raises(UnknownKeyError):
        open_note(wrong_id, [parse_vkey(PETER_VKEY)])


def test_known_name_and_id_with_another_keys_signature_fails() -> None:
    forged_sig = _key(4).sign(TEXT.encode())
    forged = Signature("PeterNeumann", bytes.fromhex("c74f20a3"), forged_sig).line()
    with pytest.raises(SignatureError):
        open_note(TEXT + "\n" + forged, [parse_vkey(PETER_VKEY)])


def test_one_bad_signature_by_a_known_key_rejects_the_note() -> None:
    bad_enoch = _with_signature(ENOCH_SIG, bytes(10) + b"\x80")
    peter, enoch = parse_vkey(PETER_VKEY), parse_vkey(ENOCH_VKEY)
    assert open_note(PETER_NOTE + bad_enoch, [peter])[1] == [peter]
    with pytest.raises(SignatureError, match="EnochRoot"):
        open_note(PETER_NOTE + bad_enoch, [peter, enoch])


def test_no_verifiers_means_unknown_key() -> None:
    with pytest.raises(UnknownKeyError):
        open_note(PETER_NOTE, [])


def test_ambiguous_verifiers_are_refused() -> None:
    peter = parse_vkey(PETER_VKEY)
    assert open_note(PETER_NOTE, [peter, parse_vkey(PETER_VKEY)])[1] == [peter]
    # A 32-bit key id collision cannot be constructed honestly; forge one past validation.
    twin = Verifier.__new__(Verifier)
    object.__setattr__(twin, "name", peter.name)
    object.__setattr__(twin, "key_id", peter.key_id)
    object.__setattr__(twin, "public_key", _key(5).public_key())
    object.__setattr__(twin, "alg", ALG_ED25519)
    with pytest.raises(MalformedInputError, match="ambiguous"):
        open_note(PETER_NOTE, [peter, twin])


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        ("abc", "n", "does not end with a newline"),
        ("", "n", "does not end with a newline"),
        ("a\rb\n", "n", "U+000D"),
        (TEXT, "bad name", "contains a space"),
        (TEXT, "a+b", "contains '+'"),
        (TEXT, "", "key name is empty"),
    ],
)
def test_sign_note_rejects_bad_input(text: str, name: str, message: str) -> None:
    with pytest.raises(NoteFormatError, match=re.escape(message)):
        sign_note(text, name, _key(1))


# --- adding signatures ----------------------------------------------------------------------


def test_add_signature_appends_a_verifiable_line() -> None:
    enoch_line = signer_line("Other", _key(6), TEXT)
    both = add_signature(PETER_NOTE, enoch_line)
    assert both == PETER_NOTE + enoch_line
    other = parse_vkey(vkey("Other", _key(6).public_key()))
    assert open_note(both, [parse_vkey(PETER_VKEY), other])[1][1] == other


def test_add_signature_replaces_the_same_keys_signature() -> None:
    stale = TEXT + "\n" + _with_signature(PETER_SIG, bytes(20) + b"\x01") + ENOCH_SIG
    fixed = add_signature(stale, signer_line("PeterNeumann", _peter(), TEXT))
    assert fixed == TEXT + "\n" + ENOCH_SIG + PETER_SIG
    assert open_note(fixed, [parse_vkey(PETER_VKEY)])[1] == [parse_vkey(PETER_VKEY)]


@pytest.mark.parametrize(
    ("note", "line", "message"),
    [
        (PETER_NOTE, PETER_SIG[:-1], "exactly one newline-terminated line"),
        (PETER_NOTE, PETER_SIG + PETER_SIG, "exactly one newline-terminated line"),
        (PETER_NOTE, "not a signature\n", "does not start with an em dash"),
        (PETER_NOTE, PETER_SIG.replace("\n", "\r\n"), "U+000D"),
        (TEXT, PETER_SIG, "no blank line"),
        (TEXT + "\n" + PETER_SIG * MAX_SIGNATURES, ENOCH_SIG, "more than 100"),
    ],
)
def test_add_signature_rejects(note: str, line: str, message: str) -> None:
    with pytest.raises(NoteFormatError, match=re.escape(message)):
        add_signature(note, line)


# --- cosignatures (tlog-cosignature, type 0x04) ----------------------------------------------


def test_spec_cosignature_line_layout() -> None:
    witness = parse_note(SPEC_COSIGNED).signatures[1]
    assert witness.key_id.hex() == "8d66cf3f"
    assert len(witness.signature) == 8 + 64
    assert int.from_bytes(witness.signature[:8], "big") == 1679315147


def _cosigned(timestamp: int = T0) -> tuple[str, Verifier, Verifier]:
    log, witness = _key(7), _key(8)
    line = cosign(SPEC_CHECKPOINT, "witness.example/w1", witness, timestamp)
    note = add_signature(sign_note(SPEC_CHECKPOINT, "example.com/behind-the-sofa", log), line)
    log_v = parse_vkey(vkey("example.com/behind-the-sofa", log.public_key()))
    witness_v = parse_vkey(cosignature_vkey("witness.example/w1", witness.public_key()))
    return note, log_v, witness_v


def test_cosignature_round_trip() -> None:
    note, log_v, witness_v = _cosigned()
    parsed, signers = open_note(note, [log_v, witness_v])
    assert signers == [log_v, witness_v]
    assert verify_cosignature(parsed.text, parsed.signatures[1], witness_v) == T0
    assert open_note(note, [witness_v])[1] == [witness_v]


def test_cosignature_signs_the_tlog_cosignature_message() -> None:
    witness = _key(8)
    line = cosign(SPEC_CHECKPOINT, "witness.example/w1", witness, T0)
    sig = parse_note(SPEC_CHECKPOINT + "\n" + line).signatures[0]
    assert sig.key_id == key_id("witness.example/w1", witness.public_key(), ALG_COSIGNATURE_V1)
    assert sig.signature[:8] == T0.to_bytes(8, "big")
    message = f"cosignature/v1\ntime {T0}\n{SPEC_CHECKPOINT}".encode()
    witness.public_key().verify(sig.signature[8:], message)  # raises if not


def _retimed(sig: Signature, timestamp: int) -> Signature:
    return Signature(sig.name, sig.key_id, timestamp.to_bytes(8, "big") + sig.signature[8:])


def test_tampered_cosignature_timestamp_fails() -> None:
    note, log_v, witness_v = _cosigned()
    parsed = parse_note(note)
    retimed = _retimed(parsed.signatures[1], T0 + 1)
    with pytest.raises(SignatureError):
        verify_cosignature(parsed.text, retimed, witness_v)
    tampered = parsed.text + "\n" + parsed.signatures[0].line() + retimed.line()
    with pytest.raises(SignatureError, match=r"witness\.example/w1"):
        open_note(tampered, [log_v, witness_v])


def test_cosignature_timestamp_over_2_63_is_malformed() -> None:
    note, _, witness_v = _cosigned()
    parsed = parse_note(note)
    retimed = _retimed(parsed.signatures[1], 2**63)
    with pytest.raises(NoteFormatError, match="exceeds 2\\^63-1"):
        verify_cosignature(parsed.text, retimed, witness_v)
    with pytest.raises(SignatureError, match="exceeds"):
        open_note(parsed.text + "\n" + retimed.line(), [witness_v])


def test_cosignature_of_wrong_length_is_malformed() -> None:
    note, _, witness_v = _cosigned()
    sig = parse_note(note).signatures[1]
    short = Signature(sig.name, sig.key_id, sig.signature[:-1])
    with pytest.raises(NoteFormatError, match="71 bytes"):
        verify_cosignature(SPEC_CHECKPOINT, short, witness_v)


def test_tampered_checkpoint_fails_cosignature() -> None:
    note, _, witness_v = _cosigned()
    sig = parse_note(note).signatures[1]
    with pytest.raises(SignatureError):
        verify_cosignature(SPEC_CHECKPOINT.replace("20852163", "20852164"), sig, witness_v)


def test_verify_cosignature_needs_the_matching_cosigner() -> None:
    note, log_v, _ = _cosigned()
    sig = parse_note(note).signatures[1]
    with pytest.raises(MalformedInputError, match="not a cosignature"):
        verify_cosignature(SPEC_CHECKPOINT, sig, log_v)
    other = parse_vkey(cosignature_vkey("witness.example/w2", _key(9).public_key()))
    with pytest.raises(UnknownKeyError):
        verify_cosignature(SPEC_CHECKPOINT, sig, other)


def test_signature_types_do_not_cross_verify() -> None:
    # The same key and name under 0x01 and 0x04 have different key ids (signed-note).
    witness = _key(8)
    plain = parse_vkey(vkey("witness.example/w1", witness.public_key()))
    cosigner = parse_vkey(cosignature_vkey("witness.example/w1", witness.public_key()))
    cosigned = SPEC_CHECKPOINT + "\n" + cosign(SPEC_CHECKPOINT, "witness.example/w1", witness, T0)
    with pytest.raises(UnknownKeyError):
        open_note(cosigned, [plain])
    with pytest.raises(UnknownKeyError):
        open_note(sign_note(SPEC_CHECKPOINT, "witness.example/w1", witness), [cosigner])


@pytest.mark.parametrize(
    ("text", "timestamp", "error"),
    [
        (SPEC_CHECKPOINT, -1, MalformedInputError),
        (SPEC_CHECKPOINT, 2**63, MalformedInputError),
        (SPEC_CHECKPOINT.rstrip("\n"), T0, NoteFormatError),
    ],
)
def test_cosign_rejects_bad_input(text: str, timestamp: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        cosign(text, "w.example", _key(1), timestamp)


def test_cosign_accepts_the_full_timestamp_range() -> None:
    witness = parse_vkey(cosignature_vkey("w.example", _key(1).public_key()))
    for timestamp in (0, 2**63 - 1):
        line = cosign(SPEC_CHECKPOINT, "w.example", _key(1), timestamp)
        sig = parse_note(SPEC_CHECKPOINT + "\n" + line).signatures[0]
        assert verify_cosignature(SPEC_CHECKPOINT, sig, witness) == timestamp
