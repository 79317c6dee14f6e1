"""Canonical JSON (RFC 8785, JCS) for everything that is hashed or signed.

A thin boundary over the ``rfc8785`` package: it adds the house rule that signed values
carry no floats (style rule 3), and translates the package's errors into ours.
"""

from __future__ import annotations

from typing import Any

import rfc8785

from signing.errors import MalformedInputError

JSONValue = Any
"""A value made only of str, int, bool, None, and lists / str-keyed dicts of those."""


def canonical(value: JSONValue) -> bytes:
    """Return the RFC 8785 encoding of ``value``.

    Raises:
        MalformedInputError: ``value`` holds a float, a non-str key, an integer outside
            the I-JSON range, or a type JSON cannot carry.
    """
    _reject_floats(value)
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise MalformedInputError(f"value cannot be canonicalised: {exc}") from exc


def _reject_floats(value: JSONValue) -> None:
    if isinstance(value, float):
        raise MalformedInputError(f"floats are not allowed in signed values: {value!r}")
    if isinstance(value, dict):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_floats(item)
