"""Behaviour of ``signing.merkle``: RFC 9162 hashing, proofs, verification, compact ranges.

Oracles: the golden vectors in ``shared/vectors/rfc6962.json`` (transparency-dev/merkle,
trillian, certificate-transparency-go) and a deliberately naive recursive reference below,
written line by line from the RFC 9162 text (2.1.1, 2.1.3, 2.1.4).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signing import merkle
from signing.errors import MalformedInputError, RootMismatchError, VerificationError
from signing.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    NodeId,
    TreeBuilder,
    consistency_proof,
    consistency_proof_plan,
    fold_right,
    inclusion_proof,
    inclusion_proof_plan,
    leaf_hash,
    node_hash,
    proof_from_plan,
    range_cover,
    root,
    root_from_inclusion,
    root_plan,
    verify_consistency,
    verify_inclusion,
)

Outcome = type[VerificationError] | None  # None: the call must return normally


# --- golden vectors ----------------------------------------------------------------------------


def _vectors_path() -> Path:
    shared = os.environ.get("AKLEDGER_SHARED_DIR")
    base = Path(shared) if shared else Path(__file__).resolve().parents[3] / "shared"
    return base / "vectors" / "rfc6962.json"


VECTORS_PATH = _vectors_path()
VECTORS: dict[str, Any] | None = (
    json.loads(VECTORS_PATH.read_text(encoding="utf-8")) if VECTORS_PATH.is_file() else None
)


@pytest.fixture
def vectors() -> dict[str, Any]:
    """The golden vectors; a missing file FAILS the test (it is never skipped)."""
    if VECTORS is None:
        pytest.fail(f"golden vectors not found at {VECTORS_PATH} (set AKLEDGER_SHARED_DIR)")
    return VECTORS


def _table(key: str, name: Callable[[dict[str, Any]], str]) -> list[Any]:
    # If the file is missing, one placeholder row, failed by the `vectors` fixture.
    if VECTORS is None:
        return [pytest.param(None, id="vectors-missing")]
    return [pytest.param(row, id=name(row)) for row in VECTORS[key]]


INCLUSION_CASES = _table("inclusion_proofs_upstream", lambda c: f"leaf{c['leaf_index']}-of-{c['tree_size']}")
CONSISTENCY_CASES = _table("consistency_proofs_upstream", lambda c: f"{c['first']}-to-{c['second']}")


def _hex(value: str) -> bytes:
    return bytes.fromhex(value)


def _golden_leaves(vectors: dict[str, Any]) -> list[bytes]:
    return [_hex(x) for x in vectors["leaf_hashes"]]


# --- reference implementation, straight from RFC 9162 ------------------------------------------


class Span:
    """D[begin:end] of a list of leaf hashes: slices without copying, hashable for memoising."""

    __slots__ = ("begin", "end", "leaves")

    def __init__(self, leaves: Sequence[bytes], begin: int = 0, end: int | None = None) -> None:
        self.leaves, self.begin = leaves, begin
        self.end = len(leaves) if end is None else end

    def __len__(self) -> int:
        return self.end - self.begin

    def __getitem__(self, part: slice) -> Span:
        start, stop, _ = part.indices(len(self))
        return Span(self.leaves, self.begin + start, self.begin + stop)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Span) and (self.leaves, self.begin, self.end) == (
            other.leaves,
            other.begin,
            other.end,
        )

    def __hash__(self) -> int:
        return hash((id(self.leaves), self.begin, self.end))


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def ref_split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@functools.cache
def ref_mth(d: Span) -> bytes:
    n = len(d)
    if n == 0:
        return _h(b"")
    if n == 1:  # the span already holds leaf hashes SHA-256(0x00 || d(0))
        return d.leaves[d.begin]
    k = ref_split(n)
    return _h(b"\x01" + ref_mth(d[0:k]) + ref_mth(d[k:n]))


def ref_path(m: int, d: Span) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = ref_split(n)
    if m < k:
        return [*ref_path(m, d[0:k]), ref_mth(d[k:n])]
    return [*ref_path(m - k, d[k:n]), ref_mth(d[0:k])]


def ref_subproof(m: int, d: Span, b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = ref_split(n)
    if m <= k:
        return [*ref_subproof(m, d[0:k], b), ref_mth(d[k:n])]
    return [*ref_subproof(m - k, d[k:n], False), ref_mth(d[0:k])]


def ref_proof(m: int, d: Span) -> list[bytes]:
    return [] if m in (0, len(d)) else ref_subproof(m, d, True)


def ref_root_from_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes | None:
    """RFC 9162 2.1.3.2 verbatim; ``None`` where the RFC fails for a reason other than roots."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = _h(b"\x01" + p + r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _h(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def ref_roots_from_consistency(
    first: int, second: int, path: Sequence[bytes], first_hash: bytes
) -> tuple[bytes, bytes] | None:
    """RFC 9162 2.1.4.2 verbatim for 0 < first < second; ``None`` as above, else (fr, sr)."""
    if not path:
        return None
    path = [first_hash, *path] if first & (first - 1) == 0 else list(path)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            fr, sr = _h(b"\x01" + c + fr), _h(b"\x01" + c + sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = _h(b"\x01" + sr + c)
        fn, sn = fn >> 1, sn >> 1
    return (fr, sr) if sn == 0 else None


def ref_inclusion_outcome(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], expected_root: bytes
) -> Outcome:
    if index < 0:
        return MalformedInputError
    r = ref_root_from_inclusion(leaf, index, size, path)
    if r is None:
        return MalformedInputError
    return None if r == expected_root else RootMismatchError


def ref_consistency_outcome(
    size1: int, size2: int, path: Sequence[bytes], root1: bytes, root2: bytes
) -> Outcome:
    if size1 < 0 or size1 > size2:
        return MalformedInputError
    if size1 == 0 or size1 == size2:  # outside 2.1.4.2: nothing to prove, proof must be empty
        if path:
            return MalformedInputError
        # As transparency-dev/merkle: equal sizes need equal roots, even at size 0.
        return None if size1 != size2 or root1 == root2 else RootMismatchError
    roots = ref_roots_from_consistency(size1, size2, path, root1)
    if roots is None:
        return MalformedInputError
    return None if roots == (root1, root2) else RootMismatchError


# --- shared fixtures and helpers ---------------------------------------------------------------

MAX_LEAVES = 10**4
# Module-level cache of leaf hashes so that trees of up to 10**4 leaves are cheap.
LEAVES = [_h(b"\x00" + i.to_bytes(8, "big")) for i in range(MAX_LEAVES)]
ALL = Span(LEAVES)


def _complete_nodes(leaves: Sequence[bytes]) -> dict[NodeId, bytes]:
    builder = TreeBuilder()
    nodes: dict[NodeId, bytes] = {}
    for h in leaves:
        nodes.update(builder.append(h))
    return nodes


# Every complete node of the tree over LEAVES (it also holds every smaller tree's nodes).
NODES = _complete_nodes(LEAVES)


def _flip(value: bytes, bit: int) -> bytes:
    flipped = bytearray(value)
    flipped[bit // 8] ^= 1 << (bit % 8)
    return bytes(flipped)


def _flip_at(path: Sequence[bytes], pos: int, bit: int) -> list[bytes]:
    return [*path[:pos], _flip(path[pos], bit), *path[pos + 1 :]]


def _check(call: Callable[[], object], expected: Outcome) -> None:
    if expected is None:
        call()
    else:
        with pytest.raises(expected):
            call()


def _ceil_log2(n: int) -> int:
    return (n - 1).bit_length()


def _check_plan_shape(plan: list[list[NodeId]], size: int) -> None:
    """Plans read only nodes inside the tree and O(log n) of them."""
    for element in plan:
        assert 1 <= len(element) <= _ceil_log2(size)
        assert all((index + 1) << level <= size for level, index in element)
    assert sum(len(element) for element in plan) <= 2 * _ceil_log2(size)


SLOW = settings(max_examples=40, deadline=None, database=None)
FAST = settings(max_examples=150, deadline=None, database=None)


# --- golden vectors ----------------------------------------------------------------------------


def test_empty_root_is_sha256_of_nothing(vectors: dict[str, Any]) -> None:
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT == _hex(vectors["roots_by_tree_size"]["0"])
    assert root([]) == EMPTY_ROOT
    assert HASH_SIZE == len(EMPTY_ROOT) == 32


def test_leaf_hashes_match_vectors(vectors: dict[str, Any]) -> None:
    entries = [_hex(x) for x in vectors["leaves_hex"]]
    assert len(entries) == 8
    assert [leaf_hash(e) for e in entries] == _golden_leaves(vectors)


def test_node_hashes_by_level_match_vectors(vectors: dict[str, Any]) -> None:
    levels = [[_hex(x) for x in row] for row in vectors["node_hashes_by_level"]]
    assert [len(row) for row in levels] == [8, 4, 2, 1]
    assert levels[0] == _golden_leaves(vectors)
    for level in range(1, len(levels)):
        below = levels[level - 1]
        pairs = zip(below[0::2], below[1::2], strict=True)
        assert levels[level] == [node_hash(left, right) for left, right in pairs]
    table = {(lv, i): h for lv, row in enumerate(levels) for i, h in enumerate(row)}
    assert _complete_nodes(levels[0]) == table


def test_roots_by_tree_size_match_vectors(vectors: dict[str, Any]) -> None:
    leaves = _golden_leaves(vectors)
    roots = {int(size): _hex(h) for size, h in vectors["roots_by_tree_size"].items()}
    assert sorted(roots) == list(range(9))
    for size, expected in roots.items():
        assert root(leaves[:size]) == expected, size
        assert ref_mth(Span(leaves[:size])) == expected, size
        builder = TreeBuilder()
        for h in leaves[:size]:
            builder.append(h)
        assert builder.root() == expected, size


@pytest.mark.parametrize("case", INCLUSION_CASES)
def test_upstream_inclusion_proof_regenerates_and_verifies(
    vectors: dict[str, Any], case: dict[str, Any]
) -> None:
    index, size = case["leaf_index"], case["tree_size"]
    leaves = _golden_leaves(vectors)[:size]
    leaf, expected_root = _hex(case["leaf_hash"]), _hex(case["root"])
    path = [_hex(x) for x in case["path"]]
    assert leaves[index] == leaf
    assert inclusion_proof(leaves, index) == path == ref_path(index, Span(leaves))
    assert proof_from_plan(inclusion_proof_plan(index, size), _complete_nodes(leaves)) == path
    assert root_from_inclusion(leaf, index, size, path) == expected_root
    verify_inclusion(leaf, index, size, path, expected_root)


@pytest.mark.parametrize("case", CONSISTENCY_CASES)
def test_upstream_consistency_proof_regenerates_and_verifies(
    vectors: dict[str, Any], case: dict[str, Any]
) -> None:
    size1, size2 = case["first"], case["second"]
    leaves = _golden_leaves(vectors)[:size2]
    root1, root2 = _hex(case["first_root"]), _hex(case["second_root"])
    path = [_hex(x) for x in case["path"]]
    assert (root(leaves[:size1]), root(leaves)) == (root1, root2)
    assert consistency_proof(leaves, size1) == path == ref_proof(size1, Span(leaves))
    plan = consistency_proof_plan(size1, size2)
    assert proof_from_plan(plan, _complete_nodes(leaves)) == path
    verify_consistency(size1, size2, path, root1, root2)


# --- failing cases, derived from any valid proof -----------------------------------------------

Call = Callable[[], None]
Mutation = tuple[str, Call, Outcome]


def _bits(every_bit: bool) -> Sequence[int]:
    return range(8 * HASH_SIZE) if every_bit else (0, 7, 8 * HASH_SIZE - 1)


def _inclusion_mutations(universe: Sequence[bytes], size: int, index: int, every_bit: bool) -> list[Mutation]:
    """Broken variants of the proof of leaf ``index`` in ``universe[:size]``, each with the
    error it must raise. Other tree sizes are taken from ``universe``."""
    leaf, whole = universe[index], Span(universe)
    path, good = inclusion_proof(universe[:size], index), ref_mth(whole[0:size])

    def call(leaf: bytes, index: int, size: int, path: Sequence[bytes], r: bytes) -> Call:
        return lambda: verify_inclusion(leaf, index, size, path, r)

    out: list[Mutation] = [
        (f"flip-{pos}-{bit}", call(leaf, index, size, _flip_at(path, pos, bit), good),
         RootMismatchError)
        for pos in range(len(path))
        for bit in _bits(every_bit)
    ]  # fmt: skip
    out += [
        ("flip-leaf", call(_flip(leaf, 3), index, size, path, good), RootMismatchError),
        ("flip-root", call(leaf, index, size, path, _flip(good, 250)), RootMismatchError),
        ("extended", call(leaf, index, size, [*path, leaf], good), MalformedInputError),
        ("index-is-size", call(leaf, size, size, path, good), MalformedInputError),
        ("index-negative", call(leaf, -1, size, path, good), MalformedInputError),
        ("size-zero", call(leaf, index, 0, path, good), MalformedInputError),
        ("leaf-31-bytes", call(leaf[:-1], index, size, path, good), MalformedInputError),
        ("root-33-bytes", call(leaf, index, size, path, good + b"\x00"), MalformedInputError),
    ]
    if path:
        short = [path[0][:-1], *path[1:]]
        out += [
            ("truncated", call(leaf, index, size, path[:-1], good), MalformedInputError),
            ("first-dropped", call(leaf, index, size, path[1:], good), MalformedInputError),
            ("element-31-bytes", call(leaf, index, size, short, good), MalformedInputError),
        ]
    # Wrong position or size, each with the genuine leaf and root of the claimed tree: the
    # RFC 9162 algorithm decides whether shape or root is wrong; either way it must reject.
    for other in sorted({index - 1, index + 1, index ^ 1} - {index, -1}):
        if other < len(universe):
            o_leaf = universe[other]
            expected = ref_inclusion_outcome(o_leaf, other, size, path, good)
            out.append((f"index-{other}", call(o_leaf, other, size, path, good), expected))
    for other in sorted({size - 1, size + 1, 2 * size} - {size}):
        if index < other <= len(universe):
            o_root = ref_mth(whole[0:other])
            expected = ref_inclusion_outcome(leaf, index, other, path, o_root)
            out.append((f"size-{other}", call(leaf, index, other, path, o_root), expected))
    return out


def _consistency_mutations(
    universe: Sequence[bytes], size1: int, size2: int, every_bit: bool
) -> list[Mutation]:
    """Broken variants of the proof from ``universe[:size1]`` to ``universe[:size2]``, each
    with the error it must raise."""
    whole = Span(universe)
    path = consistency_proof(universe[:size2], size1)
    root1, root2 = ref_mth(whole[0:size1]), ref_mth(whole[0:size2])

    def call(s1: int, s2: int, path: Sequence[bytes], r1: bytes, r2: bytes) -> Call:
        return lambda: verify_consistency(s1, s2, path, r1, r2)

    out: list[Mutation] = [
        (f"flip-{pos}-{bit}", call(size1, size2, _flip_at(path, pos, bit), root1, root2),
         RootMismatchError)
        for pos in range(len(path))
        for bit in _bits(every_bit)
    ]  # fmt: skip
    if size1 > 0:  # a size-0 tree is consistent with anything: no root is compared
        out += [
            ("flip-root1", call(size1, size2, path, _flip(root1, 9), root2), RootMismatchError),
            ("flip-root2", call(size1, size2, path, root1, _flip(root2, 9)), RootMismatchError),
        ]
    out += [
        ("extended", call(size1, size2, [*path, root1], root1, root2), MalformedInputError),
        ("size1-negative", call(-1, size2, path, root1, root2), MalformedInputError),
        ("root1-31-bytes", call(size1, size2, path, root1[:-1], root2), MalformedInputError),
        ("root2-33-bytes", call(size1, size2, path, root1, root2 + b"\x00"), MalformedInputError),
    ]
    if size1 < size2:
        out.append(("sizes-swapped", call(size2, size1, path, root2, root1), MalformedInputError))
    if path:
        short = [path[0][:-1], *path[1:]]
        out += [
            ("truncated", call(size1, size2, path[:-1], root1, root2), MalformedInputError),
            ("first-dropped", call(size1, size2, path[1:], root1, root2), MalformedInputError),
            ("element-31-bytes", call(size1, size2, short, root1, root2), MalformedInputError),
        ]
    # Wrong sizes with the genuine roots of the claimed trees (see _inclusion_mutations).
    for other in sorted({size1 - 1, size1 + 1} - {0, size1}):
        # (size2, size2, [], root2, root2) would be a true claim, not a mutation.
        if other < size2 or (other == size2 and path):
            r1 = ref_mth(whole[0:other])
            expected = ref_consistency_outcome(other, size2, path, r1, root2)
            out.append((f"size1-{other}", call(other, size2, path, r1, root2), expected))
    for other in sorted({size2 - 1, size2 + 1} - {size2}):
        if 0 < size1 < other <= len(universe):  # size 0 is consistent with any size2
            r2 = ref_mth(whole[0:other])
            expected = ref_consistency_outcome(size1, other, path, root1, r2)
            out.append((f"size2-{other}", call(size1, other, path, root1, r2), expected))
    return out


def _check_mutations(mutations: list[Mutation]) -> None:
    for name, mutated, expected in mutations:
        assert expected is not None, name
        try:
            mutated()
        except expected:
            continue
        except VerificationError as error:
            pytest.fail(f"{name}: raised {type(error).__name__}, expected {expected.__name__}")
        pytest.fail(f"{name}: verified, expected {expected.__name__}")


@pytest.mark.parametrize("case", INCLUSION_CASES)
def test_upstream_inclusion_proof_rejects_every_mutation(
    vectors: dict[str, Any], case: dict[str, Any]
) -> None:
    leaves = _golden_leaves(vectors)
    mutations = _inclusion_mutations(leaves, case["tree_size"], case["leaf_index"], True)
    _check_mutations(mutations)


@pytest.mark.parametrize("case", CONSISTENCY_CASES)
def test_upstream_consistency_proof_rejects_every_mutation(
    vectors: dict[str, Any], case: dict[str, Any]
) -> None:
    leaves = _golden_leaves(vectors)
    mutations = _consistency_mutations(leaves, case["first"], case["second"], True)
    _check_mutations(mutations)


def test_equal_sizes_need_equal_roots_and_an_empty_proof(vectors: dict[str, Any]) -> None:
    # The vectors' note on 1 -> 1: trivially consistent only if roots equal, proof empty.
    leaves = _golden_leaves(vectors)
    one, two = leaves[0], root(leaves[:2])
    verify_consistency(1, 1, [], one, one)
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    with pytest.raises(RootMismatchError):
        verify_consistency(1, 1, [], one, two)
    with pytest.raises(MalformedInputError):
        verify_consistency(1, 1, [one], one, one)
    with pytest.raises(MalformedInputError):
        verify_consistency(2, 1, [], two, one)


def test_empty_tree_is_consistent_with_any_tree() -> None:
    verify_consistency(0, 5, [], EMPTY_ROOT, ref_mth(ALL[0:5]))
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    with pytest.raises(MalformedInputError):
        verify_consistency(0, 5, [LEAVES[0]], EMPTY_ROOT, ref_mth(ALL[0:5]))
    with pytest.raises(MalformedInputError):
        verify_consistency(-1, 5, [], EMPTY_ROOT, ref_mth(ALL[0:5]))


def test_nonempty_proof_is_needed_between_different_sizes() -> None:
    with pytest.raises(MalformedInputError):
        verify_consistency(4, 8, [], ref_mth(ALL[0:4]), ref_mth(ALL[0:8]))
    with pytest.raises(MalformedInputError):
        verify_consistency(3, 8, [], ref_mth(ALL[0:3]), ref_mth(ALL[0:8]))


# --- agreement with the reference --------------------------------------------------------------


def test_proofs_match_reference_exhaustively_for_small_trees() -> None:
    for size in range(1, 65):
        leaves = LEAVES[:size]
        assert root(leaves) == ref_mth(ALL[0:size])
        for index in range(size):
            assert inclusion_proof(leaves, index) == ref_path(index, ALL[0:size]), (index, size)
        for size1 in range(size + 1):
            assert consistency_proof(leaves, size1) == ref_proof(size1, ALL[0:size]), (size1, size)


@SLOW
@given(size=st.integers(0, MAX_LEAVES))
def test_root_matches_reference(size: int) -> None:
    assert root(LEAVES[:size]) == ref_mth(ALL[0:size])


@SLOW
@given(data=st.data(), size=st.integers(1, MAX_LEAVES))
def test_inclusion_proof_matches_reference_and_verifies(data: st.DataObject, size: int) -> None:
    index = data.draw(st.integers(0, size - 1), label="index")
    leaves = LEAVES[:size]
    proof = inclusion_proof(leaves, index)
    assert proof == ref_path(index, ALL[0:size])
    assert proof_from_plan(inclusion_proof_plan(index, size), NODES) == proof
    assert root_from_inclusion(leaves[index], index, size, proof) == ref_mth(ALL[0:size])
    verify_inclusion(leaves[index], index, size, proof, ref_mth(ALL[0:size]))


@SLOW
@given(data=st.data(), size2=st.integers(0, MAX_LEAVES))
def test_consistency_proof_matches_reference_and_verifies(data: st.DataObject, size2: int) -> None:
    size1 = data.draw(st.integers(0, size2), label="size1")
    proof = consistency_proof(LEAVES[:size2], size1)
    assert proof == ref_proof(size1, ALL[0:size2])
    assert proof_from_plan(consistency_proof_plan(size1, size2), NODES) == proof
    verify_consistency(size1, size2, proof, ref_mth(ALL[0:size1]), ref_mth(ALL[0:size2]))


@FAST
@given(entries=st.lists(st.binary(max_size=40), max_size=40))
def test_root_of_arbitrary_entries_matches_reference(entries: list[bytes]) -> None:
    leaves = [leaf_hash(e) for e in entries]
    assert leaves == [_h(b"\x00" + e) for e in entries]
    assert root(leaves) == ref_mth(Span(leaves))


@settings(max_examples=60, deadline=None, database=None)
@given(data=st.data(), size=st.integers(1, 2000))
def test_mutated_proofs_are_rejected_with_the_right_error(data: st.DataObject, size: int) -> None:
    index = data.draw(st.integers(0, size - 1), label="index")
    _check_mutations(_inclusion_mutations(LEAVES, size, index, every_bit=False))
    size1 = data.draw(st.integers(0, size), label="size1")
    _check_mutations(_consistency_mutations(LEAVES, size1, size, every_bit=False))


@st.composite
def _hash_or_junk(draw: st.DrawFn) -> bytes:
    choice = draw(st.sampled_from(["leaf", "node", "junk"]))
    if choice == "junk":
        return draw(st.binary(min_size=HASH_SIZE - 1, max_size=HASH_SIZE + 1))
    if choice == "leaf":
        return LEAVES[draw(st.integers(0, 63))]
    return ref_mth(ALL[0 : draw(st.integers(0, 64))])


@settings(max_examples=400, deadline=None, database=None)
@given(
    index=st.integers(-2, 70),
    size=st.integers(-2, 70),
    proof=st.lists(_hash_or_junk(), max_size=8),
    leaf=_hash_or_junk(),
    expected_root=_hash_or_junk(),
)
def test_inclusion_verifier_agrees_with_rfc_algorithm_on_any_input(
    index: int, size: int, proof: list[bytes], leaf: bytes, expected_root: bytes
) -> None:
    hashes = [leaf, expected_root, *proof]
    if any(len(h) != HASH_SIZE for h in hashes):
        expected: Outcome = MalformedInputError
    else:
        expected = ref_inclusion_outcome(leaf, index, size, proof, expected_root)
    _check(lambda: verify_inclusion(leaf, index, size, proof, expected_root), expected)


@settings(max_examples=400, deadline=None, database=None)
@given(
    size1=st.integers(-2, 70),
    size2=st.integers(-2, 70),
    proof=st.lists(_hash_or_junk(), max_size=8),
    root1=_hash_or_junk(),
    root2=_hash_or_junk(),
)
def test_consistency_verifier_agrees_with_rfc_algorithm_on_any_input(
    size1: int, size2: int, proof: list[bytes], root1: bytes, root2: bytes
) -> None:
    hashes = [root1, root2, *proof]
    if any(len(h) != HASH_SIZE for h in hashes) and 0 <= size1 <= size2:
        expected: Outcome = MalformedInputError
    else:
        expected = ref_consistency_outcome(size1, size2, proof, root1, root2)
    _check(lambda: verify_consistency(size1, size2, proof, root1, root2), expected)


# --- preconditions of the provers --------------------------------------------------------------


@pytest.mark.parametrize(("size", "index"), [(0, 0), (1, 1), (8, 8), (8, 100), (8, -1)])
def test_inclusion_proof_of_leaf_outside_tree_is_malformed(size: int, index: int) -> None:
    with pytest.raises(MalformedInputError):
        inclusion_proof(LEAVES[:size], index)
    with pytest.raises(MalformedInputError):
        inclusion_proof_plan(index, size)


@pytest.mark.parametrize(("size2", "size1"), [(0, 1), (8, 9), (8, -1), (0, -1)])
def test_consistency_proof_beyond_tree_is_malformed(size2: int, size1: int) -> None:
    with pytest.raises(MalformedInputError):
        consistency_proof(LEAVES[:size2], size1)
    with pytest.raises(MalformedInputError):
        consistency_proof_plan(size1, size2)


@pytest.mark.parametrize("size", [0, 1, 7, 8])
def test_consistency_proof_from_empty_or_same_tree_is_empty(size: int) -> None:
    assert consistency_proof(LEAVES[:size], 0) == []
    assert consistency_proof(LEAVES[:size], size) == []
    assert consistency_proof_plan(0, size) == consistency_proof_plan(size, size) == []


@pytest.mark.parametrize(
    "bad",
    [b"", b"\x00" * 31, b"\x00" * 33, bytearray(32)],
    ids=["empty", "31-bytes", "33-bytes", "bytearray"],
)
def test_leaf_hash_of_wrong_length_is_malformed(bad: bytes) -> None:
    # Neither proof below hashes the bad leaf: it is the proven leaf, or inside the old tree
    # of power-of-two size 4 (whose root the proof omits); it must be caught all the same.
    leaves = [*LEAVES[:5], bad, *LEAVES[6:8]]
    with pytest.raises(MalformedInputError, match="leaf hash 5"):
        root(leaves)
    with pytest.raises(MalformedInputError, match="leaf hash 5"):
        inclusion_proof(leaves, 5)
    with pytest.raises(MalformedInputError, match="leaf hash 1"):
        consistency_proof([LEAVES[0], bad, *LEAVES[2:8]], 4)
    with pytest.raises(MalformedInputError):
        TreeBuilder().append(bad)


# --- compact ranges and storage-backed plans ---------------------------------------------------


def _brute_cover(begin: int, end: int) -> list[NodeId]:
    """Walk a perfect tree top-down, keeping each node wholly inside [begin, end)."""
    top = max(end - 1, 0).bit_length()

    def walk(level: int, index: int) -> list[NodeId]:
        lo, hi = index << level, (index + 1) << level
        if hi <= begin or lo >= end:
            return []
        if begin <= lo and hi <= end:
            return [(level, index)]
        return walk(level - 1, 2 * index) + walk(level - 1, 2 * index + 1)

    return walk(top, 0)


@pytest.mark.parametrize(
    ("begin", "end", "cover"),
    [
        (0, 0, []),
        (5, 5, []),
        (0, 1, [(0, 0)]),
        (0, 8, [(3, 0)]),
        (8, 16, [(3, 1)]),
        (0, 7, [(2, 0), (1, 2), (0, 6)]),
        (3, 7, [(0, 3), (1, 2), (0, 6)]),
        (1, 8, [(0, 1), (1, 1), (2, 1)]),
        (5, 13, [(0, 5), (1, 3), (2, 2), (0, 12)]),
    ],
)
def test_range_cover_table(begin: int, end: int, cover: list[NodeId]) -> None:
    assert range_cover(begin, end) == cover


def test_range_cover_matches_brute_force_for_small_ranges() -> None:
    for end in range(70):
        for begin in range(end + 1):
            assert range_cover(begin, end) == _brute_cover(begin, end), (begin, end)


@FAST
@given(begin=st.integers(0, 2**48), length=st.integers(0, 2**48))
def test_range_cover_matches_brute_force_for_large_ranges(begin: int, length: int) -> None:
    cover = range_cover(begin, begin + length)
    assert cover == _brute_cover(begin, begin + length)
    assert len(cover) <= 2 * max(length.bit_length(), 1)


@pytest.mark.parametrize(("begin", "end"), [(-1, 3), (5, 4)])
def test_range_cover_of_invalid_range_is_malformed(begin: int, end: int) -> None:
    with pytest.raises(MalformedInputError):
        range_cover(begin, end)


def test_fold_right_table() -> None:
    a, b, c = LEAVES[:3]
    assert fold_right([a]) == a
    assert fold_right([a, b]) == node_hash(a, b)
    assert fold_right([a, b, c]) == node_hash(a, node_hash(b, c))
    with pytest.raises(MalformedInputError):
        fold_right([])
    with pytest.raises(MalformedInputError):
        fold_right([a, b[:-1]])


def test_root_plan_folds_to_root() -> None:
    assert root_plan(0) == []
    for size in range(1, 300):
        plan = root_plan(size)
        assert plan == range_cover(0, size)
        assert len(plan) == size.bit_count()
        assert fold_right([NODES[node] for node in plan]) == ref_mth(ALL[0:size])
    with pytest.raises(MalformedInputError):
        root_plan(-1)


def test_inclusion_plans_give_path_for_every_leaf_of_trees_up_to_300() -> None:
    for size in range(1, 301):
        for index in range(size):
            plan = inclusion_proof_plan(index, size)
            _check_plan_shape(plan, size)
            assert proof_from_plan(plan, NODES) == ref_path(index, ALL[0:size]), (index, size)


def test_consistency_plans_give_proof_for_all_sizes_up_to_200() -> None:
    for size2 in range(1, 201):
        for size1 in range(1, size2 + 1):
            plan = consistency_proof_plan(size1, size2)
            _check_plan_shape(plan, size2)
            assert proof_from_plan(plan, NODES) == ref_proof(size1, ALL[0:size2]), (size1, size2)


def test_plans_equal_generated_proofs_for_small_trees() -> None:
    for size in range(1, 65):
        leaves = LEAVES[:size]
        nodes = _complete_nodes(leaves)  # exactly the tree's own nodes, nothing beyond
        for index in range(size):
            plan = inclusion_proof_plan(index, size)
            assert proof_from_plan(plan, nodes) == inclusion_proof(leaves, index)
        for size1 in range(size + 1):
            plan = consistency_proof_plan(size1, size)
            assert proof_from_plan(plan, nodes) == consistency_proof(leaves, size1)


def test_proof_from_plan_names_the_missing_node() -> None:
    nodes = _complete_nodes(LEAVES[:8])
    del nodes[(1, 3)]
    plan = inclusion_proof_plan(5, 8)
    assert [(1, 3)] in plan
    with pytest.raises(MalformedInputError, match=r"\(1, 3\)"):
        proof_from_plan(plan, nodes)
    with pytest.raises(MalformedInputError):
        proof_from_plan([[]], nodes)
    with pytest.raises(MalformedInputError):
        proof_from_plan([[(0, 0)]], {(0, 0): b"short"})


# --- TreeBuilder -------------------------------------------------------------------------------


def test_tree_builder_matches_root_and_creates_each_complete_node_once() -> None:
    builder = TreeBuilder()
    assert (builder.size, builder.root(), builder.frontier()) == (0, EMPTY_ROOT, {})
    for i in range(400):
        created = builder.append(LEAVES[i])
        parents = (~i & (i + 1)).bit_length() - 1  # trailing one bits of i
        expected = [
            ((lv, i >> lv), ref_mth(ALL[(i >> lv) << lv : ((i >> lv) + 1) << lv]))
            for lv in range(parents + 1)
        ]
        assert created == expected, i
        assert builder.size == i + 1
        assert builder.root() == root(LEAVES[: i + 1]) == ref_mth(ALL[0 : i + 1])
        assert list(builder.frontier()) == root_plan(i + 1)


def test_tree_builder_resumed_from_frontier_continues_identically() -> None:
    original = TreeBuilder()
    frontiers = [original.frontier()]
    steps = []
    for h in LEAVES[:130]:
        steps.append((original.append(h), original.root()))
        frontiers.append(original.frontier())
    for size in range(65):
        resumed = TreeBuilder(size, frontiers[size])
        assert resumed.size == size
        assert resumed.root() == ref_mth(ALL[0:size])
        for i in range(size, 130):
            assert (resumed.append(LEAVES[i]), resumed.root()) == steps[i], (size, i)
        assert resumed.frontier() == original.frontier()


def test_tree_builder_frontier_is_a_copy() -> None:
    builder = TreeBuilder()
    builder.append(LEAVES[0])
    builder.frontier().clear()
    assert builder.root() == LEAVES[0]


@pytest.mark.parametrize(
    ("size", "frontier"),
    [
        (-1, {}),
        (3, None),
        (3, {(1, 0): NODES[(1, 0)]}),
        (3, {(1, 0): NODES[(1, 0)], (0, 2): NODES[(0, 2)], (0, 3): NODES[(0, 3)]}),
        (3, {(1, 0): NODES[(1, 0)], (0, 1): NODES[(0, 1)]}),
        (3, {(1, 0): NODES[(1, 0)], (0, 2): b"\x00" * 31}),
        (0, {(0, 0): LEAVES[0]}),
    ],
    ids=["negative", "none", "missing", "extra", "wrong-node", "short-hash", "nonempty-at-0"],
)
def test_tree_builder_rejects_frontier_not_matching_size(
    size: int, frontier: dict[NodeId, bytes] | None
) -> None:
    with pytest.raises(MalformedInputError):
        TreeBuilder(size, frontier)


def test_tree_builder_rejects_bad_leaf_without_changing() -> None:
    builder = TreeBuilder(3, {(1, 0): NODES[(1, 0)], (0, 2): NODES[(0, 2)]})
    with pytest.raises(MalformedInputError):
        builder.append(b"\x00" * 31)
    assert builder.size == 3
    assert builder.root() == ref_mth(ALL[0:3])


def test_module_exports_the_agreed_api() -> None:
    expected = {
        "HASH_SIZE", "NodeId", "EMPTY_ROOT", "leaf_hash", "node_hash", "root",
        "inclusion_proof", "consistency_proof", "verify_inclusion", "verify_consistency",
        "root_from_inclusion", "range_cover", "fold_right", "inclusion_proof_plan",
        "consistency_proof_plan", "root_plan", "proof_from_plan", "TreeBuilder",
    }  # fmt: skip
    assert expected <= set(vars(merkle))
