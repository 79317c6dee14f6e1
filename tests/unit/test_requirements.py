"""Requirements (§11.1-11.2) and test scenarios (§8.1(c)), in memory."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ledger.actors import Actor
from ledger.context import RecordingContext
from ledger.errors import InvalidTraceabilityEventError
from ledger.requirements import Requirement
from ledger.test_scenarios import TestScenario

DCC = Actor(principal="dcc-tm", role="dcc", organisation="DCC")


def ctx() -> dict[str, Any]:
    return RecordingContext(DCC, datetime(2026, 2, 2, 10, tzinfo=UTC)).fields()


def test_a_requirement_is_recorded_with_section_clause_and_baseline() -> None:
    req = Requirement.record("H", "H14.37", "SEC 4.10", title="Resolution", **ctx())
    assert (req.section, req.clause_ref, req.baseline_version) == ("H", "H14.37", "SEC 4.10")
    assert req.id == Requirement.create_id("H", "14.37", "SEC 4.10")
    assert req.id != Requirement.create_id("H", "14.37", "SEC 4.11")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("A", "2.1", "v1"), "section"),
        (("F", "two", "v1"), "clause_ref"),
        (("F", "G2.1", "v1"), "clause_ref"),
        (("F", "2.1", " "), "baseline_version"),
    ],
)
def test_a_malformed_requirement_is_refused_naming_the_field(args: tuple[str, str, str], field: str) -> None:
    with pytest.raises(InvalidTraceabilityEventError) as caught:
        Requirement.record(*args, **ctx())
    assert caught.value.field == field


def test_a_requirement_is_superseded_once_by_a_later_baseline() -> None:
    req = Requirement.record("F", "2.3(a)", "v1", **ctx())
    req.supersede("v2", **ctx())
    assert req.superseded_by == str(Requirement.create_id("F", "2.3(a)", "v2"))
    superseded: Any = req.collect_events()[-1]
    assert superseded.clauses == ["11.2"]
    with pytest.raises(InvalidTraceabilityEventError, match="already superseded"):
        req.supersede("v3", **ctx())


def test_a_requirement_cannot_be_superseded_by_its_own_baseline() -> None:
    req = Requirement.record("F", "2.3", "v1", **ctx())
    with pytest.raises(InvalidTraceabilityEventError) as caught:
        req.supersede("v1", **ctx())
    assert caught.value.field == "by_baseline_version"
    assert req.superseded_by is None


def test_a_scenario_traces_to_requirement_ids() -> None:
    req = Requirement.record("G", "3.1", "v1", **ctx())
    scenario = TestScenario.identify("SC-01", [str(req.id)], **ctx())
    assert scenario.requirement_ids == [str(req.id)]
    identified: Any = scenario.collect_events()[0]
    assert identified.clauses == ["8.1(c)", "11.1"]


@pytest.mark.parametrize("ids", [[], ["not-a-uuid"], [str(Requirement.create_id("G", "1", "v"))] * 2])
def test_a_scenario_without_valid_distinct_requirements_is_refused(ids: list[str]) -> None:
    with pytest.raises(InvalidTraceabilityEventError) as caught:
        TestScenario.identify("SC-02", ids, **ctx())
    assert caught.value.field == "requirement_ids"
