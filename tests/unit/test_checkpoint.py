"""C2SP tlog-checkpoint bodies: golden example, round trips, must-fail table, properties."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from signing.checkpoint import (
    MAX_TREE_SIZE,
    Checkpoint,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)
from signing.errors import NoteFormatError, SignatureError, UnknownKeyError
from signing.note import (
    add_signature,
    cosign,
    cosignature_vkey,
    parse_vkey,
    sign_note,
    verify_cosignature,
    vkey,
)

# C2SP tlog-checkpoint.md example body.
SPEC_ORIGIN = "example.com/behind-the-sofa"
SPEC_ROOT_B64 = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
SPEC_TEXT = f"{SPEC_ORIGIN}\n20852163\n{SPEC_ROOT_B64}\n"
ROOT = bytes(range(32))
ROOT_B64 = base64.b64encode(ROOT).decode()


def _key(n: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32)


def _body(origin: str = "o", size: str = "1", root: str = ROOT_B64, *rest: str) -> str:
    return "".join(line + "\n" for line in (origin, size, root, *rest))


def test_spec_checkpoint_parses_and_reencodes() -> None:
    cp = parse_checkpoint(SPEC_TEXT)
    assert cp == Checkpoint(SPEC_ORIGIN, 20852163, base64.b64decode(SPEC_ROOT_B64))
    assert cp.text() == SPEC_TEXT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_body("o", "0"), Checkpoint("o", 0, ROOT)),
        (_body("o", str(MAX_TREE_SIZE)), Checkpoint("o", MAX_TREE_SIZE, ROOT)),
        (_body("o", "7", ROOT_B64, "ext a", "ext b"), Checkpoint("o", 7, ROOT, ("ext a", "ext b"))),
        (_body(" spaced + plus ", "1"), Checkpoint(" spaced + plus ", 1, ROOT)),
        (_body("o\u2028p\x85", "1"), Checkpoint("o\u2028p\x85", 1, ROOT)),
    ],
)
def test_parse_checkpoint_accepts(text: str, expected: Checkpoint) -> None:
    assert parse_checkpoint(text) == expected
    assert expected.text() == text


BAD_CHECKPOINTS = [
    ("empty", "", "does not end with a newline"),
    ("no final newline", _body()[:-1], "does not end with a newline"),
    ("two lines", "o\n1\n", "2 lines, expected at least 3"),
    ("empty origin", _body(""), "line 1: empty"),
    ("empty size", _body("o", ""), "line 2: empty"),
    ("empty root", _body("o", "1", ""), "line 3: empty"),
    ("blank extension", _body("o", "1", ROOT_B64, "", "ext"), "line 4: empty"),
    ("trailing blank line", _body() + "\n", "line 4: empty"),
    ("leading zero", _body("o", "01"), "line 2 (tree size)"),
    ("zero with leading zero", _body("o", "00"), "line 2 (tree size)"),
    ("plus sign", _body("o", "+1"), "line 2 (tree size)"),
    ("minus sign", _body("o", "-1"), "line 2 (tree size)"),
    ("leading space", _body("o", " 1"), "line 2 (tree size)"),
    ("underscore", _body("o", "1_0"), "line 2 (tree size)"),
    ("Arabic-Indic digit", _body("o", "\u0661"), "line 2 (tree size)"),
    ("hex size", _body("o", "0x10"), "line 2 (tree size)"),
    ("size over 2^64-1", _body("o", str(MAX_TREE_SIZE + 1)), "exceeds 2^64-1"),
    ("root 31 bytes", _body("o", "1", base64.b64encode(bytes(31)).decode()), "31 bytes"),
    ("root 33 bytes", _body("o", "1", base64.b64encode(bytes(33)).decode()), "33 bytes"),
    ("root not base64", _body("o", "1", "!" * 44), "line 3 (root hash): invalid base64"),
    ("root unpadded", _body("o", "1", ROOT_B64.rstrip("=")), "invalid base64"),
    ("root url-safe", _body("o", "1", "-_" + ROOT_B64[2:]), "invalid base64"),
    ("root non-canonical", _body("o", "1", SPEC_ROOT_B64.replace("2I=", "2J=")), "non-canonical"),
    ("carriage return", _body("o\r"), "U+000D"),
    ("NUL in extension", _body("o", "1", ROOT_B64, "e\x00"), "U+0000"),
    ("lone surrogate", _body("o\udc00"), "U+DC00"),
]


@pytest.mark.parametrize(
    ("text", "message"), [pytest.param(t, m, id=i) for i, t, m in BAD_CHECKPOINTS]
)
def test_parse_checkpoint_rejects(text: str, message: str) -> None:
    with pytest.raises(NoteFormatError, match=re.escape(message)):
        parse_checkpoint(text)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (("", 1, ROOT), "origin: empty"),
        (("a\nb", 1, ROOT), "origin: contains a newline"),
        (("a\tb", 1, ROOT), "U+0009"),
        (("o", -1, ROOT), "not in [0, 2^64-1]"),
        (("o", MAX_TREE_SIZE + 1, ROOT), "not in [0, 2^64-1]"),
        (("o", True, ROOT), "not in [0, 2^64-1]"),
        (("o", 1, ROOT[:31]), "31 bytes"),
        (("o", 1, ROOT, ("",)), "line 4 (extension): empty"),
        (("o", 1, ROOT, ("ok", "a\nb")), "line 5 (extension): contains a newline"),
    ],
)
def test_checkpoint_refuses_invalid_fields(fields: tuple[object, ...], message: str) -> None:
    with pytest.raises(NoteFormatError, match=re.escape(message)):
        Checkpoint(*fields)  # type: ignore[arg-type]


def test_sign_and_open_checkpoint() -> None:
    cp = Checkpoint("log.example/1", 42, ROOT, ("ext",))
    note = sign_checkpoint(cp, "log.example/1", _key(1))
    verifier = parse_vkey(vkey("log.example/1", _key(1).public_key()))
    opened, parsed, signers = open_checkpoint(note, [verifier], origin="log.example/1")
    assert opened == cp
    assert parsed.text == cp.text()
    assert signers == [verifier]


def test_open_checkpoint_checks_the_origin() -> None:
    note = sign_checkpoint(Checkpoint("log.example/1", 1, ROOT), "k", _key(1))
    verifier = parse_vkey(vkey("k", _key(1).public_key()))
    with pytest.raises(NoteFormatError, match=re.escape("not the expected 'log.example/2'")):
        open_checkpoint(note, [verifier], origin="log.example/2")


def test_open_checkpoint_rejects_tampering_and_unknown_keys() -> None:
    note = sign_checkpoint(Checkpoint("log.example/1", 41, ROOT), "k", _key(1))
    verifier = parse_vkey(vkey("k", _key(1).public_key()))
    with pytest.raises(SignatureError):
        open_checkpoint(note.replace("\n41\n", "\n42\n"), [verifier])
    with pytest.raises(UnknownKeyError):
        open_checkpoint(note, [parse_vkey(vkey("k", _key(2).public_key()))])


def test_open_checkpoint_rejects_a_signed_non_checkpoint() -> None:
    note = sign_note("just\ntwo lines\n", "k", _key(1))
    with pytest.raises(NoteFormatError, match="2 lines"):
        open_checkpoint(note, [parse_vkey(vkey("k", _key(1).public_key()))])


def test_cosigned_checkpoint_opens_with_log_and_witness() -> None:
    cp = Checkpoint("log.example/1", 9, ROOT)
    note = add_signature(
        sign_checkpoint(cp, "log.example/1", _key(1)), cosign(cp.text(), "w", _key(2), 1234)
    )
    log_v = parse_vkey(vkey("log.example/1", _key(1).public_key()))
    witness_v = parse_vkey(cosignature_vkey("w", _key(2).public_key()))
    opened, parsed, signers = open_checkpoint(note, [log_v, witness_v])
    assert opened == cp
    assert signers == [log_v, witness_v]
    assert verify_cosignature(parsed.text, parsed.signatures[1], witness_v) == 1234


LINE_CHARS = st.characters(min_codepoint=0x20, exclude_categories=["Cs"])
LINES = st.text(LINE_CHARS, min_size=1)
CHECKPOINTS = st.builds(
    Checkpoint,
    origin=LINES,
    size=st.integers(min_value=0, max_value=MAX_TREE_SIZE),
    root_hash=st.binary(min_size=32, max_size=32),
    extensions=st.lists(LINES, max_size=3).map(tuple),
)


@settings(database=None)
@given(CHECKPOINTS)
def test_checkpoint_text_round_trips(cp: Checkpoint) -> None:
    assert parse_checkpoint(cp.text()) == cp


@settings(database=None, max_examples=50)
@given(CHECKPOINTS)
def test_signed_checkpoint_round_trips(cp: Checkpoint) -> None:
    verifier = parse_vkey(vkey("log", _key(3).public_key()))
    opened, _, _ = open_checkpoint(sign_checkpoint(cp, "log", _key(3)), [verifier], cp.origin)
    assert opened == cp


@settings(database=None)
@given(st.text())
def test_parse_checkpoint_fails_only_with_note_format_error(text: str) -> None:
    try:
        cp = parse_checkpoint(text)
    except NoteFormatError:
        return
    assert cp.text() == text
