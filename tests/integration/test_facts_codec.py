"""Facts survive their JSON: whatever a fact holds, ``decode(type, encode(fact)) == fact``, and the
JSON holds only JSON values (no floats); JSON that does not fit a fact is refused naming the field."""

from __future__ import annotations

import dataclasses
import json
import types
from datetime import UTC, date, datetime, timedelta, timezone
from enum import Enum
from fractions import Fraction
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.findings import Finding
from ledger.rules.phase_kinds import OperatingCapability, PhaseKind
from ledger.testing_issue_values import IssueCause
from projections.fact_codec import FactCodecError, decode, dumps, encode
from projections.fact_kinds import FACT_TYPES
from projections.rules.facts import ExitFacts, IssueFact, PhaseFact

ZONES = st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))])
INSTANTS = st.builds(lambda d, z: d.replace(tzinfo=z),
                     st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1)), ZONES)


def strategy(tp: Any) -> st.SearchStrategy[Any]:
    """Values of the type ``tp`` a fact's field is annotated with."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        return st.one_of(*(strategy(a) for a in get_args(tp)))
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(strategy(args[0]), max_size=3).map(tuple)
        return st.tuples(*(strategy(a) for a in args))
    if tp is type(None):
        return st.none()
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = get_type_hints(tp)
        return st.builds(tp, **{f.name: strategy(hints[f.name]) for f in dataclasses.fields(tp)})
    if isinstance(tp, type) and issubclass(tp, Enum):
        return st.sampled_from(list(tp))
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(max_size=8), int: st.integers(-(2**40), 2**40), bool: st.booleans(),
        datetime: INSTANTS, date: st.dates(date(2020, 1, 1), date(2030, 1, 1)),
        Fraction: st.fractions(max_denominator=1000),
    }
    return simple[tp]


FACTS = st.sampled_from(sorted(FACT_TYPES.values(), key=lambda t: t.__name__)).flatmap(strategy)


def _no_floats(value: Any) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, list):
        return all(_no_floats(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _no_floats(v) for k, v in value.items())
    return True


@settings(max_examples=400, deadline=None)
@given(FACTS)
def test_every_kind_of_fact_round_trips_through_json(fact: Any) -> None:
    data = encode(fact)
    assert _no_floats(data)
    assert decode(type(fact), json.loads(json.dumps(data))) == fact
    assert dumps(decode(type(fact), data)) == dumps(fact)  # one canonical text per fact


@settings(max_examples=50, deadline=None)
@given(strategy(ExitFacts))
def test_a_whole_exit_evaluation_input_round_trips(facts: ExitFacts) -> None:
    assert decode(ExitFacts, encode(facts)) == facts


def test_the_json_is_the_documented_form() -> None:
    phase = PhaseFact("P1", PhaseKind.SIT, OperatingCapability.MOC, minimum_pass_rate=Fraction(19, 20))
    data = encode(phase)
    assert data["kind"] == "sit"
    assert data["capability"] == "moc"
    assert data["minimum_pass_rate"] == "19/20"
    assert data["certificates"] == []
    issue = IssueFact("TI-1", "P1", None, OperatingCapability.IOC, datetime(2026, 1, 5, 9, tzinfo=UTC),
                      True, 3, IssueCause.OTHER, service_providers=("S1SP",))
    data = encode(issue)
    assert data["raised_at"] == "2026-01-05T09:00:00+00:00"
    assert data["phase_kind"] is None
    assert data["service_providers"] == ["S1SP"]
    finding = Finding("15.1", "late", ("a:1",))
    assert encode(finding) == {"clause": "15.1", "what": "late", "event_ids": ["a:1"]}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"phase_id": "P1", "kind": "nonsense", "capability": "ioc"}, "PhaseFact.kind"),
        ({"phase_id": "P1", "kind": "sit", "capability": "ioc", "minimum_pass_rate": 0.95},
         "PhaseFact.minimum_pass_rate"),
        ({"phase_id": "P1", "kind": "sit", "capability": "ioc",
          "certificates": [{"certificate_id": 7}]}, "PhaseFact.certificates[0].certificate_id"),
        ({"phase_id": "P1", "kind": "sit", "capability": "ioc", "colour": "red"},
         "PhaseFact: unknown fields"),
        ({"phase_id": "P1", "kind": "sit"}, "PhaseFact"),
    ],
)
def test_json_that_does_not_fit_the_fact_is_refused_naming_the_field(
    data: dict[str, Any], field: str
) -> None:
    with pytest.raises(FactCodecError, match=field.replace("[", r"\[").replace("]", r"\]")):
        decode(PhaseFact, data)
