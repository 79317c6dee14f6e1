"""Recording one unit of an import (a testcase's run, a TTM row's records) all or nothing.

A unit is a list of commands. :func:`record_unit` runs each through
:func:`ledger.commands.execute.execute` (principal, permission table, schema, acting role, context,
the aggregates' rules, the signed save) inside one database transaction of the ledger's recorder:
eventsourcing-sqlalchemy joins every save made inside it, so the unit's events commit together,
and a refusal of any of its commands rolls back the ones before it. A dry run takes exactly the
same path and rolls the transaction back at the end: what it reports is what the real import
would have done, and nothing is written.

Errors: :class:`ImportInputError` is a file that cannot be imported at all (CLI exit 2);
:class:`UnitRefused` one unit that cannot be recorded, which the importers report as a rejected
row and carry on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from ledger.application import AKLedger
from ledger.commands.execute import Executed, execute, find_principal
from ledger.commands.importer import rejection
from ledger.errors import LedgerError
from ledger.phases import TestPhase

Command = Mapping[str, Any]


class ImportInputError(LedgerError):
    """The input cannot be imported at all (unreadable file, malformed XML, a CSV without its
    header, an unknown principal or phase); ``where`` names the file or option, and nothing is
    written."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


class UnitRefused(LedgerError):  # noqa: N818 (a refusal, reported, not a program error)
    """Command ``index`` of a unit was refused: ``field`` and ``reason`` say why (as
    ``akledger import commands`` reports a line); nothing of the unit was written."""

    def __init__(self, index: int, command: str | None, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.index = index
        self.command = command
        self.field = field
        self.reason = reason


class _RolledBack(Exception):  # noqa: N818 (control flow of a dry run, never escapes)
    """Raised at the end of a dry-run unit so that its transaction rolls back."""


def record_unit(
    lg: AKLedger, commands: Sequence[Command], *, via: str | None, dry_run: bool
) -> list[Executed]:
    """Run ``commands`` in order in one transaction: all recorded, or (on the first refusal, or
    when ``dry_run``) none. Raises :class:`UnitRefused` naming the command refused."""
    done: list[Executed] = []
    try:
        with lg.recorder.transaction(commit=True):  # type: ignore[attr-defined]
            for index, command in enumerate(commands):
                try:
                    done.append(execute(lg, command, via=via))
                except LedgerError as exc:
                    found = rejection(index, json.dumps(command, default=str), exc)
                    raise UnitRefused(index, found.command, found.field, found.reason) from None
            if dry_run:
                raise _RolledBack
    except _RolledBack:
        pass
    return done


def require_principal(lg: AKLedger, name: str) -> None:
    """The principal an import records as must exist and be enabled (``--principal``); whether
    its role may issue each command is the permission table's, per unit."""
    found = find_principal(lg, name)
    if found is None:
        raise ImportInputError("--principal", f"no principal named {name!r} (see `akledger principals list`)")
    if found.disabled:
        raise ImportInputError("--principal", f"principal {name!r} is disabled")


def require_phase(lg: AKLedger, text: str) -> TestPhase:
    """The Test Phase ``--phase`` names by its id, which must be recorded."""
    try:
        phase_id = UUID(text)
    except ValueError:
        raise ImportInputError("--phase", f"{text!r} is not a Test Phase id (a UUID)") from None
    try:
        found: object = lg.repository.get(phase_id)
    except AggregateNotFoundError:
        raise ImportInputError("--phase", f"no Test Phase {phase_id} is recorded") from None
    if not isinstance(found, TestPhase):
        raise ImportInputError("--phase", f"{phase_id} is a {type(found).__name__}, not a Test Phase")
    return found


R = TypeVar("R")


@dataclass
class UnitReport(Generic[R]):
    """How an import went: units read, units recorded (their commands), units rejected."""

    dry_run: bool = False
    read: int = 0
    recorded: list[list[Executed]] = field(default_factory=list)
    unchanged: int = 0  # units whose records were all recorded already
    rejected: list[R] = field(default_factory=list)

    @property
    def commands(self) -> int:
        return sum(len(unit) for unit in self.recorded)

    @property
    def events(self) -> int:
        return sum(len(e.appended) for unit in self.recorded for e in unit)

    def counts(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "recorded": len(self.recorded),
            "unchanged": self.unchanged,
            "commands": self.commands,
            "events": self.events,
        }
