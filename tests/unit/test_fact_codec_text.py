"""``fact_codec.dumps`` writes a fact's canonical text with orjson: it must be exactly
``json.dumps(encode(fact), sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, the text
the ``facts`` projection compares and stores, for every kind of fact, including when the same
nested objects recur in a later fact, and for awkward text, times, numbers and dataclasses."""

from __future__ import annotations

import dataclasses
import inspect
import json
import types
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from fractions import Fraction
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.planned_test_values import TestKind, TestResult
from projections import report_facts
from projections.fact_codec import dumps, encode
from projections.fact_kinds import FACT_TYPES
from projections.rules import dmct_completion
from projections.rules import facts as rule_facts
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

#: Every dataclass of the modules facts come from, nested ones and ``ExitFacts`` too, each on its own.
DATACLASSES = sorted(
    (c for m in (rule_facts, report_facts, dmct_completion) for c in vars(m).values()
     if inspect.isclass(c) and dataclasses.is_dataclass(c) and c.__module__ == m.__name__),
    key=lambda c: c.__name__)


def reference(value: Any) -> str:
    return json.dumps(encode(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@settings(max_examples=400, deadline=None)
@given(FACTS)
def test_the_text_is_the_encoded_json_sorted_and_compact(fact: Any) -> None:
    assert dumps(fact) == reference(fact)
    assert dumps(fact) == reference(fact)  # again: nested facts now come from memory


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DATACLASSES).flatmap(strategy))
def test_every_dataclass_of_the_fact_modules_is_written_as_the_standard_library_writes_it(value: Any) -> None:
    before = dict(vars(value))
    assert dumps(value) == reference(value)
    assert vars(value) == before  # its own attributes, read as they are, are left as they were


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


class _Offset(tzinfo):
    """A zone with any offset, or none at all (an aware-looking time without a UTC offset)."""

    def __init__(self, offset: timedelta | None) -> None:
        self.offset = offset

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return self.offset

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


class _Instant(datetime):
    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        return "an instant"


class _Day(date):
    pass


def test_times_orjson_would_write_otherwise_are_written_by_isoformat() -> None:
    at = datetime(2026, 3, 29, 1, 30, 5, 123456)
    odd = [at, at.replace(microsecond=0), datetime(999, 1, 2, 3, 4, 5),
           at.replace(tzinfo=timezone(timedelta(seconds=30))),  # orjson: +00:01
           at.replace(tzinfo=timezone(timedelta(hours=-1, seconds=-7))),
           at.replace(tzinfo=timezone(timedelta(microseconds=5))),
           at.replace(tzinfo=_Offset(None)),  # orjson: +00:00
           at.replace(tzinfo=_Offset(timedelta(hours=2, seconds=1))),
           _Instant(2026, 1, 1, 5), _Day(2026, 1, 5), date(1, 1, 1)]
    for when in odd:
        fact = ExecutionFact("t:1", 1, TestResult.PASS, when)  # type: ignore[arg-type]
        assert dumps(fact) == reference(fact)
        assert dumps({"at": when, "on": [when]}) == reference({"at": when, "on": [when]})


@dataclasses.dataclass(frozen=True)
class _Plain:
    b: int
    a: datetime | None = None
    kept: ClassVar[str] = "not a field"


@dataclasses.dataclass(frozen=True, slots=True)
class _Slotted:
    b: Fraction
    a: _Plain | None = None


@dataclasses.dataclass(frozen=True)
class _Computed:
    b: int
    derived: int = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "derived", self.b * 2)


class _Doubled:
    def __get__(self, obj: object, owner: type | None = None) -> Any:
        return self if obj is None else obj.__dict__["b"] * 2

    def __set__(self, obj: object, value: int) -> None:
        obj.__dict__["b"] = value


@dataclasses.dataclass
class _Described:
    b: _Doubled = _Doubled()  # a data descriptor as a field: read through it, not the instance's dict


@dataclasses.dataclass(frozen=True)
class _Masked:
    b: int

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        return value + 1 if name == "b" else value


def test_a_dataclass_is_written_as_its_fields_whatever_its_instance_holds() -> None:
    at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    extra = _Plain(1, at)
    object.__setattr__(extra, "_cache", "not a field")  # an attribute besides the fields
    swapped = _Plain(2)
    object.__delattr__(swapped, "a")  # a field read from the class (its default), not the instance
    object.__setattr__(swapped, "c", 3)  # as many attributes as fields, but not the fields
    values: list[Any] = [_Plain(1, at), extra, swapped, _Slotted(Fraction(1, 3), _Plain(2, at)),
                         _Computed(4), _Described(5), _Masked(6), (_Plain(7), {"x": _Slotted(Fraction(2))})]
    for value in values:
        assert dumps(value) == reference(value)
    assert dumps(swapped) == '{"a":null,"b":2}'
    assert dumps(_Described(5)) == '{"b":10}'
    assert dumps(_Masked(6)) == '{"b":7}'
