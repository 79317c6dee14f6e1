"""RFC 9162 (= RFC 6962) Merkle trees: hashing, proofs, verification, compact ranges.

Pure functions over bytes, no I/O. Section numbers refer to RFC 9162 section 2.1.

* A *leaf hash* is ``leaf_hash(entry)``; every hash is ``HASH_SIZE`` bytes.
* A ``NodeId`` ``(level, index)`` names the *complete* subtree of ``2**level`` leaves that
  starts at leaf ``index * 2**level``; level 0 are the leaves themselves.
* In the tree over ``n`` leaves the split is at ``k`` = the largest power of two ``< n``, so
  every subtree that occurs is either complete, or a *right-border* subtree ``[b, e)`` whose
  start ``b`` is a multiple of a power of two ``>= e - b``. ``range_cover(b, e)`` of such a
  subtree lists its complete pieces, largest first, and ``fold_right`` of their hashes is its
  hash. A ledger that stores only complete nodes can thus answer every proof with the
  ``*_plan`` functions in O(log n) node reads.

Verification either returns ``None`` or raises a ``VerificationError`` subclass:
``MalformedInputError`` when the input has the wrong shape (a hash not 32 bytes, an index out
of range, a proof of the wrong length) and ``RootMismatchError`` when a well-formed proof leads
to a root other than the expected one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import TypeAlias

from signing.errors import MalformedInputError, RootMismatchError

HASH_SIZE = 32
NodeId: TypeAlias = tuple[int, int]
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

# Domain separation prefixes, RFC 9162 section 2.1.1 (second-preimage resistance).
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_Range: TypeAlias = tuple[int, int]  # leaves [begin, end)


# --- hashing (2.1.1) -------------------------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    """Return SHA-256(0x00 || entry), the hash of a leaf with input ``entry``."""
    return hashlib.sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return SHA-256(0x01 || left || right), the hash of an interior node."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _require_hash(value: object, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        size = len(value) if isinstance(value, bytes) else type(value).__name__
        raise MalformedInputError(f"{what} must be {HASH_SIZE} bytes, got {size}")


def _require_size(value: int, what: str) -> None:
    if value < 0:
        raise MalformedInputError(f"{what} must be >= 0, got {value}")


def _split(n: int) -> int:
    """Largest power of two strictly smaller than ``n``; precondition ``n >= 2``."""
    return 1 << ((n - 1).bit_length() - 1)


def _mth(leaf_hashes: Sequence[bytes], begin: int, end: int) -> bytes:
    """MTH(D[begin:end]) with O(end - begin) hashes and O(log n) memory.

    Keeps the right frontier of the tree over the leaves seen so far (one complete node per
    set bit of the count, largest first) and folds it at the end, as ``TreeBuilder`` does.
    """
    if begin == end:
        return EMPTY_ROOT
    stack: list[bytes] = []
    for offset in range(end - begin):
        h = leaf_hashes[begin + offset]
        # Leaf number `offset` completes one parent per trailing one bit of `offset`.
        carry = offset
        while carry & 1:
            h = node_hash(stack.pop(), h)
            carry >>= 1
        stack.append(h)
    return fold_right(stack)


def _require_leaf_hashes(leaf_hashes: Sequence[bytes]) -> None:
    for position, h in enumerate(leaf_hashes):
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            _require_hash(h, f"leaf hash {position}")  # raises, naming the leaf


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return MTH(D[n]) (2.1.1) for the given leaf hashes; ``EMPTY_ROOT`` for no leaves.

    Raises ``MalformedInputError`` if any leaf hash is not ``HASH_SIZE`` bytes.
    """
    _require_leaf_hashes(leaf_hashes)
    return _mth(leaf_hashes, 0, len(leaf_hashes))


# --- compact ranges ----------------------------------------------------------------------------


def range_cover(begin: int, end: int) -> list[NodeId]:
    """Return the maximal complete subtrees covering leaves ``[begin, end)``, left to right.

    Precondition ``0 <= begin <= end``, else ``MalformedInputError``. Empty range gives ``[]``.
    """
    _require_size(begin, "begin")
    if end < begin:
        raise MalformedInputError(f"range end {end} is before begin {begin}")
    cover: list[NodeId] = []
    while begin < end:
        # Biggest block aligned at `begin` (begin's lowest set bit) that fits before `end`.
        level = (end - begin).bit_length() - 1
        if begin:
            level = min(level, (begin & -begin).bit_length() - 1)
        cover.append((level, begin >> level))
        begin += 1 << level
    return cover


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """Hash of the subtree made of consecutive complete-subtree hashes, largest first.

    ``h = last; for x in reversed(rest): h = node_hash(x, h)``. Correct for the pieces of
    ``range_cover(b, e)`` when ``[b, e)`` is an RFC 9162 subtree (see module docstring).
    Raises ``MalformedInputError`` on empty input or a hash that is not ``HASH_SIZE`` bytes.
    """
    if not hashes:
        raise MalformedInputError("cannot fold an empty list of hashes")
    for position, h in enumerate(hashes):
        _require_hash(h, f"hash {position} to fold")
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


# --- proof shapes (2.1.3.1, 2.1.4.1) ---------------------------------------------------------


def _inclusion_ranges(index: int, size: int) -> list[_Range]:
    """Leaf ranges of the elements of PATH(index, D[size]), in proof order (deepest first)."""
    _require_size(index, "index")
    if index >= size:
        raise MalformedInputError(f"leaf index {index} out of range for tree size {size}")
    ranges: list[_Range] = []
    begin, end = 0, size
    while end - begin > 1:  # PATH(m, D[n]) for n > 1, 2.1.3.1
        mid = begin + _split(end - begin)
        if index < mid:
            ranges.append((mid, end))
            end = mid
        else:
            ranges.append((begin, mid))
            begin = mid
    ranges.reverse()
    return ranges


def _consistency_ranges(size1: int, size2: int) -> list[_Range]:
    """Leaf ranges of the elements of PROOF(size1, D[size2]), in proof order."""
    _require_size(size1, "size1")
    if size1 > size2:
        raise MalformedInputError(f"size1 {size1} is greater than size2 {size2}")
    if size1 in (0, size2):
        return []
    ranges: list[_Range] = []
    begin, end, whole = 0, size2, True  # SUBPROOF(m, D[n], b) with b = `whole`, 2.1.4.1
    while size1 != end:
        mid = begin + _split(end - begin)
        if size1 <= mid:
            ranges.append((mid, end))
            end = mid
        else:
            ranges.append((begin, mid))
            begin, whole = mid, False
    if not whole:  # SUBPROOF(m, D[m], false) = {MTH(D[m])}
        ranges.append((begin, end))
    ranges.reverse()
    return ranges


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Return PATH(index, D[n]) (2.1.3.1) over ``n = len(leaf_hashes)`` leaves.

    Raises ``MalformedInputError`` unless ``0 <= index < n`` and every leaf hash is
    ``HASH_SIZE`` bytes.
    """
    ranges = _inclusion_ranges(index, len(leaf_hashes))
    _require_leaf_hashes(leaf_hashes)
    return [_mth(leaf_hashes, begin, end) for begin, end in ranges]


def consistency_proof(leaf_hashes: Sequence[bytes], size1: int) -> list[bytes]:
    """Return PROOF(size1, D[n]) (2.1.4.1) over ``n = len(leaf_hashes)`` leaves.

    ``[]`` if ``size1`` is 0 or ``n``. Raises ``MalformedInputError`` unless ``0 <= size1 <= n``
    and every leaf hash is ``HASH_SIZE`` bytes.
    """
    ranges = _consistency_ranges(size1, len(leaf_hashes))
    _require_leaf_hashes(leaf_hashes)
    return [_mth(leaf_hashes, begin, end) for begin, end in ranges]


# --- verification (2.1.3.2, 2.1.4.2) ---------------------------------------------------------
# Decomposition as in transparency-dev/merkle proof/verify.go: the proof splits into "inner"
# elements (below the level where the paths to `index` and to `size - 1` diverge) and "border"
# elements (left siblings on the right border, always hashed in from the left).


def _inner_border(index: int, size: int) -> tuple[int, int]:
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        seed = node_hash(seed, h) if (index >> i) & 1 == 0 else node_hash(h, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    # Only the left siblings: they are all that the older, smaller tree contains.
    for i, h in enumerate(proof):
        if (index >> i) & 1:
            seed = node_hash(h, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for h in proof:
        seed = node_hash(h, seed)
    return seed


def _require_proof(proof: Sequence[bytes], expected: int, what: str) -> None:
    if len(proof) != expected:
        raise MalformedInputError(f"{what} has {len(proof)} hashes, expected {expected}")
    for position, h in enumerate(proof):
        _require_hash(h, f"{what} hash {position}")


def _require_root(computed: bytes, expected: bytes, what: str) -> None:
    if not hmac.compare_digest(computed, expected):
        raise RootMismatchError(f"{what}: computed root {computed.hex()} != expected {expected.hex()}")


def root_from_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """Return the root that ``proof`` of leaf ``index`` in a tree of ``size`` leads to.

    Raises ``MalformedInputError`` unless ``0 <= index < size``, ``leaf_hash`` and every
    proof element are ``HASH_SIZE`` bytes and ``len(proof)`` is the length of
    PATH(index, D[size]).
    """
    _require_size(index, "index")
    if index >= size:
        raise MalformedInputError(f"leaf index {index} out of range for tree size {size}")
    _require_hash(leaf_hash, "leaf hash")
    inner, border = _inner_border(index, size)
    _require_proof(proof, inner + border, f"inclusion proof of leaf {index} in size {size}")
    result = _chain_inner(leaf_hash, proof[:inner], index)
    return _chain_border_right(result, proof[inner:])


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``proof`` shows leaf ``index`` with ``leaf_hash`` in the tree ``root``.

    Raises ``MalformedInputError`` as ``root_from_inclusion`` or if ``root`` is not
    ``HASH_SIZE`` bytes; ``RootMismatchError`` if the proof leads to a different root.
    """
    _require_hash(root, "root")
    computed = root_from_inclusion(leaf_hash, index, size, proof)
    _require_root(computed, root, f"inclusion of leaf {index} in tree size {size}")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Check that tree ``root2`` of ``size2`` leaves extends tree ``root1`` of ``size1``.

    Preconditions (else ``MalformedInputError``): ``0 <= size1 <= size2``; both roots and
    every proof element ``HASH_SIZE`` bytes; ``len(proof)`` the length of
    PROOF(size1, D[size2]), which is 0 when ``size1`` is 0 or ``size2``. ``size1 == 0`` is
    consistent with any ``root2`` (``root1`` is not compared with ``EMPTY_ROOT``).
    Raises ``RootMismatchError`` if a root does not match (``size1 == size2``: if
    ``root1 != root2``).
    """
    _require_size(size1, "size1")
    if size1 > size2:
        raise MalformedInputError(f"size1 {size1} is greater than size2 {size2}")
    _require_hash(root1, "root1")
    _require_hash(root2, "root2")
    what = f"consistency proof from size {size1} to {size2}"
    if size1 in (0, size2):
        _require_proof(proof, 0, what)
        if size1 == size2:
            _require_root(root1, root2, what)
        return
    inner, border = _inner_border(size1 - 1, size2)
    # The levels below size1's lowest set bit are shared by both paths: skip them.
    shift = (size1 & -size1).bit_length() - 1
    inner -= shift
    # If size1 is a power of two, its root is itself a node of the bigger tree and is not
    # repeated in the proof (2.1.4.1: SUBPROOF(m, D[m], true) = {}).
    seeded = size1 == 1 << shift
    _require_proof(proof, inner + border + (0 if seeded else 1), what)
    seed, rest = (root1, proof) if seeded else (proof[0], proof[1:])
    mask = (size1 - 1) >> shift
    hash1 = _chain_border_right(_chain_inner_right(seed, rest[:inner], mask), rest[inner:])
    _require_root(hash1, root1, f"{what} (old root)")
    hash2 = _chain_border_right(_chain_inner(seed, rest[:inner], mask), rest[inner:])
    _require_root(hash2, root2, f"{what} (new root)")


# --- storage-backed proofs -------------------------------------------------------------------


def root_plan(size: int) -> list[NodeId]:
    """Complete nodes whose ``fold_right`` is the root of a tree of ``size > 0`` leaves.

    ``[]`` for size 0 (the root is then ``EMPTY_ROOT``). Raises ``MalformedInputError`` if
    ``size < 0``.
    """
    _require_size(size, "size")
    return range_cover(0, size)


def inclusion_proof_plan(index: int, size: int) -> list[list[NodeId]]:
    """For each element of PATH(index, D[size]), the nodes whose ``fold_right`` it is.

    Raises ``MalformedInputError`` unless ``0 <= index < size``.
    """
    return [range_cover(begin, end) for begin, end in _inclusion_ranges(index, size)]


def consistency_proof_plan(size1: int, size2: int) -> list[list[NodeId]]:
    """For each element of PROOF(size1, D[size2]), the nodes whose ``fold_right`` it is.

    ``[]`` if ``size1`` is 0 or ``size2``. Raises ``MalformedInputError`` unless
    ``0 <= size1 <= size2``.
    """
    return [range_cover(begin, end) for begin, end in _consistency_ranges(size1, size2)]


def proof_from_plan(plan: Sequence[Sequence[NodeId]], nodes: Mapping[NodeId, bytes]) -> list[bytes]:
    """Evaluate a plan against stored complete-node hashes.

    Raises ``MalformedInputError`` naming the first ``NodeId`` missing from ``nodes``, or if a
    plan element is empty or a stored hash is not ``HASH_SIZE`` bytes.
    """
    proof: list[bytes] = []
    for element in plan:
        hashes: list[bytes] = []
        for node in element:
            if node not in nodes:
                raise MalformedInputError(f"node {node} needed by the proof is not stored")
            hashes.append(nodes[node])
        proof.append(fold_right(hashes))
    return proof


class TreeBuilder:
    """Incremental append: keeps the right frontier (one complete node per set bit of size).

    ``TreeBuilder(size, frontier)`` resumes a tree of ``size`` leaves from the hashes of its
    ``root_plan(size)`` nodes; it raises ``MalformedInputError`` if ``size < 0``, if the keys
    of ``frontier`` are not exactly those nodes, or if a hash is not ``HASH_SIZE`` bytes.
    """

    def __init__(self, size: int = 0, frontier: Mapping[NodeId, bytes] | None = None) -> None:
        expected = root_plan(size)
        given = dict(frontier or {})
        if set(given) != set(expected):
            missing = sorted(set(expected) - set(given))
            extra = sorted(set(given) - set(expected))
            raise MalformedInputError(
                f"frontier for size {size} must be {expected}: missing {missing}, extra {extra}"
            )
        for node in expected:
            _require_hash(given[node], f"frontier node {node}")
        self._size = size
        self._stack: list[tuple[NodeId, bytes]] = [(node, given[node]) for node in expected]

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def append(self, leaf_hash: bytes) -> list[tuple[NodeId, bytes]]:
        """Append a leaf; return every complete node it creates, lowest level first.

        That is ``(0, i)`` for the new leaf ``i`` and each parent it completes. Raises
        ``MalformedInputError`` if ``leaf_hash`` is not ``HASH_SIZE`` bytes.
        """
        _require_hash(leaf_hash, "leaf hash")
        node: NodeId = (0, self._size)
        h = leaf_hash
        created = [(node, h)]
        # A node with an odd index is a right child: it completes its parent.
        while node[1] & 1:
            _, left = self._stack.pop()
            node, h = (node[0] + 1, node[1] >> 1), node_hash(left, h)
            created.append((node, h))
        self._stack.append((node, h))
        self._size += 1
        return created

    def root(self) -> bytes:
        """Root of the tree so far; ``EMPTY_ROOT`` at size 0."""
        if not self._stack:
            return EMPTY_ROOT
        return fold_right([h for _, h in self._stack])

    def frontier(self) -> dict[NodeId, bytes]:
        """Hashes of the ``root_plan(size)`` nodes, to resume with ``TreeBuilder(size, ...)``."""
        return dict(self._stack)
