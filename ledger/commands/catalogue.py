"""The command catalogue: every command a principal may issue, with its input schema (issue 3 item 9).

A command is ``Aggregate.method`` (the names of ``ledger.rules.permissions``). Its input is one
envelope ``{"command", "principal", "occurred_at", "data"}`` (plus, for a decision recorded on a
body's behalf, ``on_behalf_of`` and ``evidence_sha256``, and optionally ``clauses``); ``data``
holds the method's arguments and, for a command on an existing aggregate, a ``target`` naming it.

The input models are pydantic models derived from the aggregate methods' signatures, so the
catalogue cannot drift from the domain: ``E | str`` parameters become the enum ``E`` (the JSON
Schema lists the values), ``Sequence[X]`` a list, and dataclasses such as ``Subject`` and
``Party`` objects. Unknown fields are refused, so a misspelt field is named rather than ignored.
The aggregates still apply their own structural rules when the command runs.

Targets: an aggregate with a natural key (a Testing Issue's reference, a Test Phase's capability,
kind, Service Provider and EPCL entry) is named by that key or by ``{"id": UUID}``; a matter,
document or notice by the ``reference`` it was recorded with, or by its id.
"""

from __future__ import annotations

import inspect
import re
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints
from uuid import UUID

from eventsourcing.domain import Aggregate
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import models_json_schema

from ledger.capability_releases import CapabilityRelease
from ledger.cycle_runs import CycleRuns
from ledger.dmc_selection import DmcSelection
from ledger.dmct.cross_checks import cross_check
from ledger.dmct.dmc import DmctDmc
from ledger.dmct.entry import DmctEntry
from ledger.dmct.schedule import DmctSchedule
from ledger.dmct.test_packs import DmctEnvironmentConsent, DmctTestPack
from ledger.documents import Document
from ledger.matters import Matter
from ledger.notices import Notice
from ledger.phases import TestPhase
from ledger.planned_tests import PlannedTest
from ledger.principals import Principal
from ledger.requirements import Requirement
from ledger.rules.permissions import PERMISSIONS, Permission
from ledger.rules.roles import Role
from ledger.test_scenarios import TestScenario
from ledger.testing_issues import TestingIssue
from ledger.ttm import Ttm
from ledger.work_off_plans import WorkOffPlan

#: The aggregates whose methods are commands, by the name commands use.
AGGREGATES: dict[str, type[Aggregate]] = {
    cls.__name__: cls
    for cls in (
        Principal,
        CapabilityRelease,
        TestPhase,
        TestingIssue,
        Requirement,
        TestScenario,
        PlannedTest,
        WorkOffPlan,
        DmcSelection,
        DmctDmc,
        DmctEntry,
        DmctSchedule,
        DmctTestPack,
        DmctEnvironmentConsent,
        Matter,
        Document,
        Notice,
        Ttm,
        CycleRuns,
    )
}
#: Aggregates with no natural key: named by the ``reference`` given when recorded (or their id).
REFERENCED = frozenset({"Matter", "Document", "Notice"})
#: The data field that names who acts, which must be the role the command is recorded as.
ACTING_FIELDS: dict[str, str] = {
    "Matter.raise_matter": "raised_by",
    "Matter.refer": "referred_by",
    "Matter.determine": "determined_by",
    "Matter.withdraw": "withdrawn_by",
    "TestPhase.revoke_tcc": "revoked_by",
    "TestPhase.reinstate_tcc": "reinstated_by",
    "TestPhase.determine_completion": "determined_by",
    "TestPhase.direct_continuation": "directed_by",
    "DmctEntry.record_option_b_approach": "decided_by",
    "Document.record": "issued_by",
    "Notice.give": "given_by",
}
#: The data field holding the document or notice type that ``authorise`` checks.
TYPE_FIELDS = {"Document.record": "document_type", "Notice.give": "notice_type"}
_SHA256 = r"^[0-9a-f]{64}$"
_STRICT = ConfigDict(extra="forbid", strict=True)


class Envelope(BaseModel):
    """What every command line carries besides its data."""

    model_config = _STRICT

    principal: str = Field(min_length=1, description="The name of the principal issuing the command.")
    occurred_at: AwareDatetime = Field(
        description="When it happened (ISO 8601 with offset); not more than 5 minutes ahead."
    )
    on_behalf_of: Role | None = Field(
        None, description="The body whose decision the DCC records (tag, tab, panel, sos)."
    )
    evidence_sha256: str | None = Field(
        None, pattern=_SHA256, description="SHA-256 of the body's minutes or letter (on behalf)."
    )
    clauses: list[str] = Field(
        default_factory=list, description="Clauses acted under; defaults to the command's own."
    )


class IdTarget(BaseModel):
    """An aggregate named by its id."""

    model_config = _STRICT
    id: UUID


class ReferenceTarget(BaseModel):
    """A matter, document or notice named by the reference it was recorded with."""

    model_config = _STRICT
    reference: str = Field(min_length=1)


@dataclass(frozen=True)
class CommandSpec:
    """One command: what it runs, who may issue it, and the model of its envelope."""

    name: str
    aggregate: type[Aggregate]
    method: str
    creates: bool
    parameters: tuple[str, ...]
    permission: Permission
    summary: str
    envelope: type[Envelope]
    data_model: type[BaseModel]
    acting_field: str | None = None
    type_field: str | None = None

    @property
    def function(self) -> Callable[..., Any]:
        found: Callable[..., Any] = getattr(self.aggregate, self.method)
        return found

    def check_across(self, repository: Any, target: Aggregate | None, arguments: dict[str, Any]) -> None:
        """The checks against other recorded aggregates the command's own cannot make (the DMC a
        DMCT entry names, and its status: ``ledger.dmct.cross_checks``); ``target`` None when the
        command creates its aggregate. Raises the aggregate's ``InvalidFieldError`` naming the field."""
        cross_check(self.name, repository, target, arguments)


def _field_type(annotation: Any) -> Any:
    """``E | str`` -> ``E``; ``Sequence[X]`` -> ``list[X]``; recursively."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation)]
        enums = [a for a in members if isinstance(a, type) and issubclass(a, Enum)]
        if enums and str in members:
            members = [a for a in members if a is not str]
        converted = tuple(_field_type(a) for a in members)
        return converted[0] if len(converted) == 1 else Union[converted]  # noqa: UP007
    if origin is not None and origin.__module__ == "collections.abc" and origin.__name__ == "Sequence":
        (item,) = get_args(annotation)
        return list[_field_type(item)]  # type: ignore[misc]
    if origin is list:
        (item,) = get_args(annotation)
        return list[_field_type(item)]  # type: ignore[misc]
    return annotation


def _fields(function: Callable[..., Any], skip: int) -> dict[str, Any]:
    hints = get_type_hints(function)
    fields: dict[str, Any] = {}
    for parameter in list(inspect.signature(function).parameters.values())[skip:]:
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        annotation = _field_type(hints[parameter.name])
        default = ... if parameter.default is inspect.Parameter.empty else parameter.default
        if isinstance(default, tuple):
            default = list(default)
        fields[parameter.name] = (annotation, default)
    return fields


def _key_model(aggregate: type[Aggregate]) -> type[BaseModel]:
    name = aggregate.__name__
    if name in REFERENCED:
        return ReferenceTarget
    fields = _fields(aggregate.create_id, skip=0)
    return create_model(f"{name}Key", __config__=_STRICT, **fields)


def _summary(function: Callable[..., Any]) -> str:
    """The docstring's first paragraph, without the note on ``context`` every command shares."""
    doc = (inspect.getdoc(function) or "").split("\n\n")[0].replace("\n", " ").replace("``", "`")
    return re.sub(r";? ?`context` is `RecordingContext\.fields\(\)`\.?", ".", doc).replace("..", ".")


def _envelope(command: str, data: type[BaseModel]) -> type[Envelope]:
    name: Any = Literal[command]  # a Literal of a value known only here
    return create_model(command.replace(".", "_"), __base__=Envelope, command=(name, ...), data=(data, ...))


def _spec(permission: Permission) -> CommandSpec:
    aggregate_name, method = permission.command.split(".")
    aggregate = AGGREGATES[aggregate_name]
    function = getattr(aggregate, method)
    creates = isinstance(inspect.getattr_static(aggregate, method), classmethod)
    fields = _fields(function, skip=0 if creates else 1)
    if not creates:
        key = _key_model(aggregate)
        fields = {"target": (Union[key, IdTarget], ...), **fields}  # noqa: UP007
    data = create_model(f"{aggregate_name}_{method}_data", __config__=_STRICT, **fields)
    envelope = _envelope(permission.command, data)
    return CommandSpec(
        name=permission.command,
        aggregate=aggregate,
        method=method,
        creates=creates,
        parameters=tuple(f for f in fields if f != "target"),
        permission=permission,
        summary=_summary(function),
        envelope=envelope,
        data_model=data,
        acting_field=ACTING_FIELDS.get(permission.command),
        type_field=TYPE_FIELDS.get(permission.command),
    )


def _note_spec() -> CommandSpec:
    data = create_model("Note_record_data", __config__=_STRICT, text=(str, Field(min_length=1)))
    envelope = _envelope("Note.record", data)
    from ledger.notes import Note

    return CommandSpec(
        name="Note.record",
        aggregate=Note,
        method="__init__",
        creates=True,
        parameters=("text",),
        permission=PERMISSIONS["Note.record"],
        summary="Record a free-text note.",
        envelope=envelope,
        data_model=data,
    )


@cache
def catalogue() -> dict[str, CommandSpec]:
    """Every command, by name, in the permission table's order."""
    specs = {}
    for name, permission in PERMISSIONS.items():
        specs[name] = _note_spec() if name == "Note.record" else _spec(permission)
    return specs


def command_names() -> Sequence[str]:
    return tuple(catalogue())


def json_schema(names: Sequence[str] | None = None) -> dict[str, Any]:
    """A JSON Schema (2020-12) for a command line: one of the commands' envelopes."""
    chosen = [catalogue()[n] for n in (names or command_names())]
    refs, defs = models_json_schema([(spec.envelope, "validation") for spec in chosen])
    for spec in chosen:
        model = defs["$defs"][spec.envelope.__name__]
        model["title"], model["description"] = spec.name, spec.summary
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "AK Ledger command",
        "description": "One line of `akledger import commands`: a command and its data.",
        "oneOf": [refs[(spec.envelope, "validation")] for spec in chosen],
        **defs,
    }


__all__ = [
    "ACTING_FIELDS",
    "AGGREGATES",
    "CommandSpec",
    "Envelope",
    "IdTarget",
    "ReferenceTarget",
    "catalogue",
    "command_names",
    "json_schema",
]
