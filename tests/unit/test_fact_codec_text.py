"""``fact_codec.dumps`` writes a fact's canonical text with orjson: it must be exactly
``json.dumps(encode(fact), sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, the text
the ``facts`` projection compares and stores, for every kind of fact, including when the same
nested objects recur in a later fact, and for awkward text, times and numbers."""

from __future__ import annotations

import dataclasses
import json
import types
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Union, get_args, get_origin, get_type_hints

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.planned_test_values import TestKind, TestResult
from projections.fact_codec import dumps, encode
from projections.fact_kinds import FACT_TYPES
from projections.rules.facts import ExecutionFact, PlannedTestFact
from tests.integration import test_facts_codec


def strategy(tp: Any) -> st.SearchStrategy[Any]:
    """``test_facts_codec.strategy``, with dict fields too."""
    if get_origin(tp) is dict:
        key, value = get_args(tp)
        return st.dictionaries(strategy(key), strategy(value), max_size=3)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = get_type_hints(tp)
        return st.builds(tp, **{f.name: strategy(hints[f.name]) for f in dataclasses.fields(tp)})
    if get_origin(tp) in (Union, types.UnionType):
        return st.one_of(*(strategy(a) for a in get_args(tp)))
    if get_origin(tp) is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(strategy(args[0]), max_size=3).map(tuple)
        return st.tuples(*(strategy(a) for a in args))
    return test_facts_codec.strategy(tp)


FACTS = st.sampled_from(sorted(FACT_TYPES.values(), key=lambda t: t.__name__)).flatmap(strategy)


def reference(value: Any) -> str:
    return json.dumps(encode(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@settings(max_examples=400, deadline=None)
@given(FACTS)
def test_the_text_is_the_encoded_json_sorted_and_compact(fact: Any) -> None:
    assert dumps(fact) == reference(fact)
    assert dumps(fact) == reference(fact)  # again: nested facts now come from memory


def _execution(n: int, zone: timezone = UTC) -> ExecutionFact:
    at = datetime(2026, 1, 5, 9, tzinfo=UTC).astimezone(zone) + timedelta(hours=n)
    return ExecutionFact(f"t:{n + 1}", n, TestResult.PASS, at, None, n % 2 == 0)


def test_a_fact_sharing_earlier_objects_gets_the_text_of_its_own_values() -> None:
    runs = tuple(_execution(n) for n in range(3))
    first = PlannedTestFact("p", "T-1", "phase", TestKind.FUNCTIONAL, runs)
    assert dumps(first) == reference(first)
    later = dataclasses.replace(first, executions=(*runs, _execution(3)))
    assert dumps(later) == reference(later)
    # an equal instant in another zone is another text: remembered by identity, never by equality
    moved = dataclasses.replace(first, executions=(_execution(0, timezone(timedelta(hours=1))), *runs[1:]))
    assert moved == first
    assert dumps(moved) == reference(moved) != dumps(first)
    assert '"té"' in dumps(dataclasses.replace(first, test_ref="té"))  # not ASCII-escaped


def test_awkward_text_times_and_numbers_are_written_as_the_standard_library_writes_them() -> None:
    awkward = "\x00\x08\t\n\x1f\x7f\u2028é\"\\/😀"
    at = datetime(2026, 3, 29, 1, 30, 5, 123456, tzinfo=UTC)
    fact = ExecutionFact(awkward, 2**40, TestResult.FAIL, at, awkward, True)
    assert dumps(fact) == reference(fact)
    assert dumps(dataclasses.replace(fact, executed_at=at.replace(microsecond=0))) == reference(
        dataclasses.replace(fact, executed_at=at.replace(microsecond=0)))
