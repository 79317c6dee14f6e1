"""``akledger rules show thresholds|routes|deadlines [--json]`` through the registered CLI app."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from ledger.rules import deadlines, routes, thresholds

runner = CliRunner()


def show(*args: str) -> Any:
    result = runner.invoke(app, ["rules", "show", *args])
    assert result.exit_code == 0, result.output
    return result


def test_thresholds_json_has_every_row_of_the_three_tables() -> None:
    data = json.loads(show("thresholds", "--json").stdout)
    assert len(data["thresholds"]) == len(thresholds.THRESHOLDS) == 40
    assert {(r["table"], r["scope"], r["severity"], r["limit"]) for r in data["thresholds"]} == {
        (r.table.value, r.scope.value, r.severity, r.limit) for r in thresholds.THRESHOLDS
    }
    assert {r["table"] for r in data["thresholds"]} == {"13.2", "13.3", "20.1"}
    assert [r["id"] for r in data["counting_rules"]] == [f"T{i}" for i in range(1, 21)]
    assert len(data["which_table"]) == 8
    assert data["tables"]["13.2"] == "Table 13.2 Testing Issue Thresholds per DCC Service Provider"
    assert all(r["clause"] for r in data["thresholds"])


def test_routes_json_has_all_44_routes_with_their_windows() -> None:
    data = json.loads(show("routes", "--json").stdout)
    assert [r["id"] for r in data["routes"]] == [f"R{i}" for i in range(1, 45)]
    r15 = data["routes"][14]
    assert r15["window"] == {"working_days": 5, "trigger": "the TAG's decision",
                             "act": "the DCC's referral to the SoS", "clause": "13.26"}
    assert r15["final_and_binding"] == "sos"
    assert r15["referred_by"] == ["dcc"]
    assert data["routes"][0]["window"] is None
    assert len(data["routes"]) == len(routes.ROUTES)


def test_deadlines_json_has_every_time_rule_and_the_work_off_plan_windows() -> None:
    data = json.loads(show("deadlines", "--json").stdout)
    assert [r["id"] for r in data["time_rules"]] == [f"TR{i}" for i in range(1, 38)]
    assert data["time_rules"][36]["in_force"] is False
    assert [(w["severity"], w["working_days"]) for w in data["work_off_plan"]] == [
        (3, 20), (4, 40), (5, 60)]
    assert data["untimed"] == list(deadlines.UNTIMED)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("thresholds", ["Table 13.2 Testing Issue Thresholds", "Table 20.1", "T20", "120"]),
        ("routes", ["R1 Draft Testing Approach Document approval", "R44", "§13.26", "5 Working Days"]),
        ("deadlines", ["TR1", "TR37", "NOT IN FORCE", "Work Off Plan due dates"]),
    ],
)
def test_tables_are_printed_for_a_person_by_default(name: str, expected: list[str]) -> None:
    result = runner.invoke(app, ["rules", "show", name], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for text in expected:
        assert text in result.stdout, text
    assert not result.stdout.lstrip().startswith("{")


def test_an_unknown_table_is_a_usage_error_naming_the_argument() -> None:
    result = runner.invoke(app, ["rules", "show", "bogus", "--json"])
    assert result.exit_code == 2
    assert "TABLE" in result.stderr
    assert "bogus" in result.stderr
    assert result.stdout == ""


def test_a_missing_table_name_is_a_usage_error() -> None:
    result = runner.invoke(app, ["rules", "show"])
    assert result.exit_code == 2
    assert "TABLE" in result.stderr
