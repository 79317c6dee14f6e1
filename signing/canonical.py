"""Canonical JSON (RFC 8785, JCS) for everything that is hashed or signed.

The ``rfc8785`` package is the reference encoder. Signed values here are restricted (style
rule 3: str, int, bool, None, lists and str-keyed dicts; no floats), and for that subset
RFC 8785 output coincides with the standard library's compact, key-sorted JSON as long as
(a) every object key is ASCII, so code-point order equals RFC 8785's UTF-16 order, (b) no
string holds a surrogate code point, and (c) every integer is within the I-JSON range, where
ECMAScript prints integers exactly as Python does. Strings escape the same way in both: the
two-character forms for \\b \\t \\n \\f \\r, lowercase \\u00xx for the other controls, and
nothing else. Values inside that subset take the fast path (a differential property test
checks it against ``rfc8785``); anything else goes to ``rfc8785`` itself.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from signing.errors import MalformedInputError

JSONValue = Any
"""A value made only of str, int, bool, None, and lists / str-keyed dicts of those."""

MAX_SAFE_INTEGER = 2**53 - 1  # I-JSON (RFC 7493) / ECMAScript Number.MAX_SAFE_INTEGER

_encode = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
).encode


def canonical(value: JSONValue) -> bytes:
    """Return the RFC 8785 encoding of ``value``.

    Raises:
        MalformedInputError: ``value`` holds a float, a non-str key, an integer outside
            the I-JSON range, or a type JSON cannot carry.
    """
    if _in_fast_subset(value):
        return _encode(value).encode("utf-8")
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise MalformedInputError(f"value cannot be canonicalised: {exc}") from exc


def _in_fast_subset(value: JSONValue) -> bool:
    """True when the standard library's encoding is RFC 8785's; raises on floats."""
    if isinstance(value, str):
        return not _has_surrogate(value)
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    if isinstance(value, float):
        raise MalformedInputError(f"floats are not allowed in signed values: {value!r}")
    # No short-circuit below: every value is visited, so a float anywhere is refused even
    # where an earlier item already sends the value to the reference encoder.
    if isinstance(value, dict):
        fast = True
        for key, item in value.items():
            fast = _in_fast_subset(item) and fast and isinstance(key, str) and key.isascii()
        return fast
    if isinstance(value, list | tuple):
        fast = True
        for item in value:
            fast = _in_fast_subset(item) and fast
        return fast
    return False


def _has_surrogate(text: str) -> bool:
    if text.isascii():
        return False
    return any("\ud800" <= ch <= "\udfff" for ch in text)
