"""Rule-table rows as JSON values (for ``akledger rules show --json`` and the HTTP API)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from datetime import date
from enum import Enum
from typing import TypeAlias

from ledger.rules import deadlines, routes, thresholds
from ledger.rules.errors import RuleNotFoundError

JSON: TypeAlias = str | int | bool | list["JSON"] | dict[str, "JSON"] | None


def as_json(value: object) -> JSON:
    """A dataclass row (or a value inside one) as JSON: enums by value, tuples as lists.

    Raises ``TypeError`` for a value with no JSON form (floats included: rule tables hold none).
    """
    if isinstance(value, Enum):
        return as_json(value.value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [as_json(item) for item in value]
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"no JSON form for {type(value).__name__}: {value!r}")


def rows_as_json(rows: Iterable[object]) -> list[JSON]:
    """Each of the dataclass ``rows`` as JSON, in order."""
    return [as_json(row) for row in rows]


def rule_tables_json(name: str) -> dict[str, JSON]:
    """The rule tables shown by ``akledger rules show NAME --json``.

    ``name`` is "thresholds", "routes" or "deadlines"; raises ``RuleNotFoundError`` otherwise.
    """
    if name == "thresholds":
        return {
            "tables": {t.value: title for t, title in thresholds.TABLE_TITLES.items()},
            "columns": rows_as_json(thresholds.COLUMNS),
            "thresholds": rows_as_json(thresholds.THRESHOLDS),
            "which_table": rows_as_json(thresholds.WHICH_TABLE),
            "counting_rules": rows_as_json(thresholds.COUNTING_RULES),
        }
    if name == "routes":
        return {"routes": rows_as_json(routes.ROUTES)}
    if name == "deadlines":
        return {
            "time_rules": rows_as_json(deadlines.TIME_RULES),
            "work_off_plan": rows_as_json(deadlines.WORK_OFF_PLAN_WINDOWS),
            "untimed": list(deadlines.UNTIMED),
        }
    raise RuleNotFoundError(f"no rule tables named {name!r} (thresholds, routes, deadlines)")
