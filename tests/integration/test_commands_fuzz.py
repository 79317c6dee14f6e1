"""Whatever a command's data holds, the write path answers with a ledger error naming a field, or
records it: never another exception (which the HTTP API would turn into a 500) and never a
partial write. Data is generated from each command's own input model, so it gets past the schema
and reaches the aggregates' rules, on targets that exist (the demo's history)."""

from __future__ import annotations

import dataclasses
import types
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.catalogue import catalogue
from ledger.commands.execute import bootstrap_admin, execute
from ledger.commands.importer import import_lines
from ledger.context import RecordingContext
from ledger.demo import IOC_SIT, demo_commands
from ledger.errors import LedgerError
from ledger.rules.permissions import DECIDING_BODIES
from tests.integration.test_commands import stored

WHEN = datetime.now(UTC) - timedelta(minutes=1)
TEXT = st.one_of(
    st.sampled_from(["", " ", "TI-IOC-002", "S1SP", "dcc", "1.0", "R9-IOC-1"]), st.text(max_size=12)
)


def strategy(annotation: Any) -> st.SearchStrategy[Any]:
    """JSON values of the type ``annotation`` names (as pydantic reads it from JSON)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return st.one_of(*(strategy(a) for a in get_args(annotation)))
    if origin is list:
        return st.lists(strategy(get_args(annotation)[0]), max_size=3)
    if origin is tuple:
        args = get_args(annotation)
        if len(args) == 2 and args[1] is Ellipsis:  # tuple[X, ...]: any number of X
            return st.lists(strategy(args[0]), max_size=3)
        return st.tuples(*(strategy(a) for a in args)).map(list)
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if annotation is type(None):
        return st.none()
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return st.sampled_from([e.value for e in annotation])
        if annotation is bool:
            return st.booleans()
        if annotation is int:
            return st.one_of(st.integers(-2, 6), st.integers())
        if annotation is str:
            return TEXT
        if annotation is date:
            return st.dates(date(2025, 1, 1), date(2027, 1, 1)).map(date.isoformat)
        if annotation is UUID:
            return st.uuids().map(str)
        if dataclasses.is_dataclass(annotation):
            hints = get_type_hints(annotation)
            fields = dataclasses.fields(annotation)
            return st.fixed_dictionaries({f.name: strategy(hints[f.name]) for f in fields})
        if issubclass(annotation, BaseModel):
            return model(annotation)
    if annotation is Any:
        return TEXT
    raise AssertionError(f"no strategy for {annotation!r}")


def model(cls: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    required = {n: strategy(f.annotation) for n, f in cls.model_fields.items() if f.is_required()}
    optional = {n: strategy(f.annotation) for n, f in cls.model_fields.items() if not f.is_required()}
    return st.fixed_dictionaries(required, optional=optional)


IOC = {"capability": "ioc", "kind": "sit", "service_provider": None, "epcl_entry": None}
TARGETS: dict[str, list[dict[str, Any]]] = {  # what the demo recorded, by aggregate
    "TestingIssue": [{"reference": r} for r in ("TI-IOC-001", "TI-IOC-002", "TI-IOC-003", "TI-MOC-001")],
    "Matter": [{"reference": "R9-IOC-1"}],
    "Document": [{"reference": "SIT-IOC-CR"}, {"reference": "SIT-AUDIT-MOC-1"}],
    "Principal": [{"name": "northwind-energy"}, {"name": "admin"}],
    "TestPhase": [IOC, {**IOC, "capability": "moc", "epcl_entry": "EPCL-101"}],
    "PlannedTest": [{"phase_id": IOC_SIT, "test_ref": f"SIT-IOC-F-00{n}"} for n in (1, 2)],
    "WorkOffPlan": [{"phase_id": IOC_SIT, "reference": "WOP-IOC-1"}],
    "DmcSelection": [{"capability": "ioc", "phase_id": IOC_SIT}],
    "CapabilityRelease": [{"capability": "ioc"}, {"capability": "moc"}],
}


def command_line(name: str) -> st.SearchStrategy[dict[str, Any]]:
    spec = catalogue()[name]
    fields = dict(spec.data_model.model_fields)
    data = model(spec.data_model)
    if "target" in fields:  # mostly targets the demo recorded, sometimes any the model allows
        known = TARGETS.get(spec.aggregate.__name__, [])
        anything = strategy(fields["target"].annotation)
        target = st.one_of(st.sampled_from(known), anything) if known else anything
        data = st.tuples(data, target).map(lambda pair: {**pair[0], "target": pair[1]})
    roles = sorted(spec.permission.roles, key=lambda r: r.value)
    bodies = sorted(spec.permission.on_behalf_of & DECIDING_BODIES, key=lambda r: r.value)
    principal = {"dcc": "dcc-test-ops", "supplier": "northwind-energy", "tag": "tag-secretariat",
                 "dcc_service_provider": "s1sp-test-lead", "sit_auditor": "sit-auditor", "admin": "admin",
                 "tab": "tab-secretariat", "panel": "panel-secretariat"}
    who = next((principal[r.value] for r in roles if r.value in principal), "dcc-test-ops")
    extra: dict[str, Any] = {}
    if bodies and who == "dcc-test-ops":
        extra = {"on_behalf_of": bodies[0].value, "evidence_sha256": "cd" * 32}
    return data.map(lambda d: {"command": name, "principal": who, "occurred_at": WHEN.isoformat(),
                               "data": d, **extra})


LINES = st.sampled_from(sorted(catalogue())).flatmap(command_line)


@pytest.fixture
def demo_ledger(ledger: AKLedger, actor: Actor) -> AKLedger:
    import json

    bootstrap_admin(ledger, "admin", "ledger operator", RecordingContext(actor, WHEN))
    report = import_lines(ledger, [json.dumps(c) for c in demo_commands("admin")])
    assert report.rejected == []
    return ledger


def test_generated_commands_are_recorded_or_refused_with_a_field_never_crash(demo_ledger: AKLedger) -> None:
    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(LINES)
    def run(command: dict[str, Any]) -> None:
        before = stored(demo_ledger)
        refused: LedgerError | None = None
        try:
            done = execute(demo_ledger, command)
        except LedgerError as exc:
            refused = exc
        if refused is not None:
            assert str(refused), command
            assert stored(demo_ledger) == before, f"{command}: refused ({refused}) but wrote events"
        else:
            assert stored(demo_ledger) == before + len(done.appended)

    run()
