"""Replaying a file of commands, one JSON object per line (``akledger import commands``).

Each line is one command (``{"command", "principal", "occurred_at", "data"}``, see
``ledger.commands.catalogue``) run by :func:`ledger.commands.execute.execute_json`: all of it is
recorded or none of it. A line that cannot be recorded is reported with its number, the field and
the reason, and the import goes on with the next line: later lines that depend on a rejected one
are rejected in turn (their target does not exist), never recorded against the wrong thing.
Blank lines are skipped. The operator running the import is recorded with each event (``via``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ledger.application import AKLedger
from ledger.commands.execute import Executed, execute_json
from ledger.errors import CommandInputError, LedgerError, PermissionDeniedError


@dataclass(frozen=True)
class Rejection:
    """A line not recorded: where, which command, which field, why."""

    line: int
    command: str | None
    field: str
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"line": self.line, "command": self.command, "field": self.field, "reason": self.reason}


@dataclass
class ImportReport:
    """How an import went: lines read, commands recorded, lines rejected."""

    lines: int = 0
    recorded: list[Executed] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def events(self) -> int:
        return sum(len(e.appended) for e in self.recorded)

    def as_json(self) -> dict[str, object]:
        return {
            "lines": self.lines,
            "recorded": len(self.recorded),
            "events": self.events,
            "rejected": [r.as_json() for r in self.rejected],
        }


def rejection(line: int, text: str, exc: LedgerError) -> Rejection:
    """Describe why ``text`` (line ``line``) was not recorded."""
    command = _command_of(text)
    if isinstance(exc, CommandInputError):
        (first, why), more = exc.errors[0], [f"{f}: {r}" for f, r in exc.errors[1:]]
        return Rejection(line, command, first, "; ".join([why, *more]))
    if isinstance(exc, PermissionDeniedError):
        return Rejection(line, command, exc.field, str(exc))
    found = getattr(exc, "field", None)
    reason = getattr(exc, "reason", None) or str(exc)
    return Rejection(line, command, found if isinstance(found, str) else "(line)", str(reason))


def _command_of(text: str) -> str | None:
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        return None
    name = raw.get("command") if isinstance(raw, dict) else None
    return name if isinstance(name, str) else None


def import_lines(
    lg: AKLedger,
    lines: Iterable[str],
    *,
    via: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Run each non-blank line as a command; ``progress`` is told each line number done."""
    report = ImportReport()
    for number, text in enumerate(lines, start=1):
        report.lines = number
        if text.strip():
            try:
                report.recorded.append(execute_json(lg, text, via=via))
            except LedgerError as exc:
                report.rejected.append(rejection(number, text, exc))
        if progress is not None:
            progress(number)
    return report
