"""``akledger commands list|schema`` and ``akledger import commands FILE.jsonl`` (issue 3 item 9).

The import is run by an operator (AKLEDGER_ACTOR) who must be an enabled ``admin`` principal:
each line is recorded as its own principal, with the operator named as ``via``. Exit codes as in
``api.cli``: 0 every line recorded; 1 a line was rejected (the report names each one: line, field,
reason); 2 the file cannot be read or the operator may not import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ledger.application import AKLedger
from ledger.commands.catalogue import catalogue, json_schema
from ledger.commands.execute import find_principal
from ledger.commands.importer import ImportReport, import_lines
from ledger.errors import PermissionDeniedError, UnknownPrincipalError
from ledger.principals import Principal
from ledger.rules.roles import Role

# api.cli registers these sub-apps at its bottom; its helpers are imported where used.
commands_app = typer.Typer(no_args_is_help=True, help="The commands principals may issue.")
import_app = typer.Typer(no_args_is_help=True, help="Bulk imports into the ledger.")


@commands_app.command("list")
def list_commands(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every command: who may issue it, under which clauses, what it does."""
    from api.cli import out

    rows = [
        {
            "command": s.name,
            "roles": sorted(r.value for r in s.permission.roles),
            "on_behalf_of": sorted(r.value for r in s.permission.on_behalf_of),
            "clauses": list(s.permission.clauses),
            "summary": s.summary,
        }
        for s in catalogue().values()
    ]
    if as_json:
        out.print_json(data=rows)
        return
    table = Table("command", "who", "clauses", "what", title=f"{len(rows)} commands")
    for row in rows:
        who = ", ".join(row["roles"]) + (
            f" (DCC for {', '.join(row['on_behalf_of'])})" if row["on_behalf_of"] else ""
        )
        table.add_row(str(row["command"]), who, ", ".join(row["clauses"]), str(row["summary"]))
    out.print(table)


@commands_app.command("schema")
def schema(
    command: Annotated[list[str] | None, typer.Argument(help="Only these commands (default: all).")] = None,
) -> None:
    """Print the JSON Schema (2020-12) of a command line."""
    from api.cli import fail, out

    unknown = [c for c in command or [] if c not in catalogue()]
    if unknown:
        fail(2, f"COMMAND: {', '.join(map(repr, unknown))} is not a command (see `akledger commands list`)")
    out.print_json(data=json_schema(command or None))


def _operator(lg: AKLedger, name: str) -> Principal:
    """The importing operator: an enabled admin principal."""
    from api.cli import fail

    found = find_principal(lg, name)
    if found is None:
        fail(2, str(UnknownPrincipalError(name)).replace("principal:", "AKLEDGER_ACTOR:", 1))
    if found.disabled or found.role is not Role.ADMIN:
        why = "is disabled" if found.disabled else f"is {found.role.value}, not admin"
        fail(2, str(PermissionDeniedError(found.role.value, "import commands", f"{name!r} {why}")))
    return found


def run_import(lg: AKLedger, path: Path, operator: str) -> ImportReport:
    """Import ``path`` as ``operator`` with a progress bar (used by ``demo`` too)."""
    from api.cli import fail, handled, progress_bar

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        fail(2, f"FILE: cannot read {path}: {exc}")
    with handled():
        _operator(lg, operator)
        lg.load_signer()
        with progress_bar(f"importing {path.name}") as bar:
            task = bar.add_task("import", total=len(lines))
            return import_lines(lg, lines, via=operator, progress=lambda n: bar.update(task, completed=n))
    raise AssertionError  # unreachable: handled() exits


@import_app.command("commands")
def import_commands(
    file: Annotated[Path, typer.Argument(help="JSON Lines: one command per line.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Record each line's command, all of it or none of it; report the lines rejected."""
    from api.cli import err, ledger, out, settings

    s = settings()
    report = run_import(ledger(), file, s.actor)
    if as_json:
        out.print_json(data=report.as_json())
    else:
        out.print(
            f"{file}: {report.lines} lines, {len(report.recorded)} commands recorded "
            f"({report.events} events), {len(report.rejected)} rejected",
            highlight=False,
        )
        if report.rejected:
            table = Table("line", "command", "field", "reason", title="rejected lines")
            for r in report.rejected:
                table.add_row(str(r.line), r.command or "?", r.field, r.reason)
            err.print(table)
    raise typer.Exit(1 if report.rejected else 0)


def write_lines(path: Path, commands: list[dict[str, object]]) -> None:
    """Write ``commands`` as JSON Lines."""
    path.write_text("".join(json.dumps(c, sort_keys=False) + "\n" for c in commands), encoding="utf-8")
