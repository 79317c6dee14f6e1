"""canonical() is RFC 8785: differential tests against the rfc8785 reference encoder."""

from __future__ import annotations

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from signing.canonical import MAX_SAFE_INTEGER, canonical
from signing.errors import MalformedInputError

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
    | st.text()  # includes controls, U+2028, non-BMP and (sometimes) lone surrogates
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=600, deadline=None, database=None)
@given(values)
def test_canonical_equals_the_reference_encoder(value: object) -> None:
    try:
        expected = rfc8785.dumps(value)  # type: ignore[arg-type]
    except rfc8785.CanonicalizationError:
        with pytest.raises(MalformedInputError):
            canonical(value)
        return
    assert canonical(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"\U0001f600": 1, "\ufb33": 2},  # UTF-16 order differs from code-point order
        "\x00\x1f\x7f\u2028\u2029\b\f\n\r\t\"\\",
        2**53 - 1,
        -(2**53) + 1,
        {"b": [True, None, {"a": ""}], "a": "é"},
    ],
)
def test_edge_cases_match_the_reference(value: object) -> None:
    assert canonical(value) == rfc8785.dumps(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [2**53, -(2**53), 10**30])
def test_integers_outside_i_json_are_refused(value: int) -> None:
    with pytest.raises(MalformedInputError):
        canonical(value)


@pytest.mark.parametrize(
    "value",
    [1.5, {"a": [0.1]}, float("nan"), float("inf"), {"é": 1.5}, ["\ud800", 0.5], {"\U0001f600": [1, 2.0]}],
)
def test_floats_are_refused(value: object) -> None:
    with pytest.raises(MalformedInputError, match="float"):
        canonical(value)


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(MalformedInputError):
        canonical("\ud800")
