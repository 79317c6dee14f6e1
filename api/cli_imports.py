"""``akledger import junit`` and ``akledger import ttm`` (issue 8 item 3).

Like ``import commands``, run by an operator (AKLEDGER_ACTOR) who must be an enabled ``admin``
principal; each event records ``--principal`` as its actor and the operator as ``via``. Every
file is read before anything is recorded. Exit codes as in ``api.cli``: 0 every testcase or row
recorded (or, with ``--dry-run``, would be); 1 one was rejected (the report names each); 2 bad
input (a file unreadable or malformed, naming the file and line; an unknown option value,
principal or phase), with nothing written. ``api.cli`` registers these at its bottom.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from api.cli_commands import _operator
from ledger.application import AKLedger
from ledger.imports import junit, ttm_csv
from ledger.imports.units import ImportInputError, UnitReport, require_phase, require_principal
from ledger.phases import TestPhase

T = TypeVar("T")

_PHASE = "The Test Phase's id (a UUID), as planned tests and executions name it."
_PRINCIPAL = "The principal recorded as acting (e.g. the DCC's test operations); the operator is via."
_DRY_RUN = "Run every check, the commands' included, then roll back: nothing is written."
_JSON = "Print the report as JSON."


def _prepare(lg: AKLedger, operator: str, read: Callable[[], T]) -> T:
    """Check the operator (exit 2 unless an enabled admin), then read the input (exit 2 on
    ``ImportInputError``) and load the signer."""
    from api.cli import fail, handled

    with handled():
        _operator(lg, operator)
    try:
        found = read()
    except ImportInputError as exc:
        fail(2, str(exc))
    with handled():
        lg.load_signer()
    return found


def _finish(report: UnitReport[T], summary: str, headers: Sequence[str], rows: list[list[str]],
            as_json: dict[str, object] | None) -> None:
    from api.cli import err, out

    if as_json is not None:
        out.print_json(data=as_json)
    else:
        out.print(summary, highlight=False, soft_wrap=True)
        if rows:
            table = Table(title="rejected")
            for header in headers:
                table.add_column(header, overflow="fold")  # every reason whole, however narrow
            for row in rows:
                table.add_row(*row)
            err.print(table)
    raise typer.Exit(1 if report.rejected else 0)


def _done(report: UnitReport[T], what: str) -> str:
    verb = "would be recorded" if report.dry_run else "recorded"
    return (f"{report.read} {what}: {len(report.recorded)} {verb} ({report.commands} commands, "
            f"{report.events} events), {report.unchanged} already recorded, {len(report.rejected)} rejected"
            + (" (dry run: nothing written)" if report.dry_run else ""))


def import_junit(
    files: Annotated[list[Path], typer.Argument(help="JUnit XML files (pytest, surefire, xUnit).")],
    phase: Annotated[str, typer.Option("--phase", help=_PHASE)],
    principal: Annotated[str, typer.Option("--principal", help=_PRINCIPAL)],
    map_by: Annotated[str, typer.Option(
        "--map-by", help="property:NAME (the testcase's property naming the planned test's test_ref) "
        "or name (classname.name, then name, equal to the test_ref).")] = "property:planned_test",
    evidence_sha256: Annotated[str, typer.Option(
        "--evidence-sha256", help="auto: each XML file's SHA-256; or the SHA-256 of the evidence.")] = "auto",
    environment: Annotated[str | None, typer.Option(
        "--environment", help="The test environment (7.6); else the `environment` property.")] = None,
    codebase_version: Annotated[str | None, typer.Option(
        "--codebase-version", help="The codebase tested (7.6); else a `codebase_version` property.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN)] = False,
    as_json: Annotated[bool, typer.Option("--json", help=_JSON)] = False,
) -> None:
    """Record each JUnit testcase as a run of its planned test: pass, fail (failure or error, with
    the message as reason) or not_run (skipped); timed by the testcase's or suite's timestamp (UTC
    if it names no zone; else the file's modification time); numbered after the test's latest
    run; the XML file's SHA-256 as its evidence. A testcase mapping to no planned test, or
    refused, is reported (file, testcase, field, reason) and nothing is written for it."""
    from api.cli import ledger, progress_bar, settings

    s, lg = settings(), ledger()

    def read() -> tuple[junit.JunitOptions, list[junit.JunitFile]]:
        options = junit.JunitOptions(
            phase_id=require_phase(lg, phase).id, principal=principal, map_by=junit.MapBy.parse(map_by),
            evidence_sha256=junit.evidence_option(evidence_sha256), environment=environment,
            codebase_version=codebase_version, dry_run=dry_run,
        )
        require_principal(lg, principal)
        return options, [junit.read_file(f) for f in files]

    options, read_files = _prepare(lg, s.actor, read)
    total = sum(len(f.cases) for f in read_files)
    with progress_bar("importing JUnit XML") as bar:
        task = bar.add_task("junit", total=total)
        report = junit.import_junit(lg, read_files, options, via=s.actor,
                                    progress=lambda n: bar.update(task, completed=n))
    rows = [[r.file, r.testcase, r.field, r.reason] for r in report.rejected]
    _finish(report, f"{len(read_files)} files, " + _done(report, "testcases"),
            ("file", "testcase", "field", "reason"), rows, report.as_json() if as_json else None)


def import_ttm(
    file: Annotated[Path, typer.Argument(help="The TTM as CSV (UTF-8), header row first.")],
    phase: Annotated[str, typer.Option("--phase", help=_PHASE)],
    principal: Annotated[str, typer.Option("--principal", help=_PRINCIPAL)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN)] = False,
    as_json: Annotated[bool, typer.Option("--json", help=_JSON)] = False,
) -> None:
    """Record the TTM's requirements, test scenarios and planned tests, one row (one scenario) at a
    time, each row all or nothing.

    \b
    Columns (header required, any order; `;` separates list items):
      scenario_ref            required: the test scenario's reference
      requirements            required: the clauses it traces to, each with its Section letter
                              (F, G, H, L, N or P), e.g. `F2.3; H5.1(b)`
      baseline_version        required: the requirements baseline of those clauses
      scenario_title          the scenario's title
      requirement_title       the requirement's title (a row naming one requirement)
      test_ref                the planned test of the phase exercising the scenario
      test_kind               functional (default), end_of_cycle or regression
      functional_group        required for a functional test (the heatmap's group)
      dmc                     the DMC the test runs on
      source_document_sha256  the test specification's SHA-256 (default: this file's)
      test_scenarios          other scenarios the test traces to, recorded by an earlier row
    What is recorded already is not recorded again, but must agree with the row. A rejected row
    is reported with its row number (the header is row 1), column and reason."""
    from api.cli import ledger, progress_bar, settings

    s, lg = settings(), ledger()

    def read() -> tuple[ttm_csv.TtmFile, TestPhase]:
        found = require_phase(lg, phase)
        require_principal(lg, principal)
        return ttm_csv.read_file(file), found

    ttm, found = _prepare(lg, s.actor, read)
    with progress_bar(f"importing {file.name}") as bar:
        task = bar.add_task("ttm", total=len(ttm.rows))
        report = ttm_csv.import_ttm(
            lg, ttm, found, principal, occurred_at=datetime.now(UTC).isoformat(), dry_run=dry_run,
            via=s.actor, progress=lambda n: bar.update(task, completed=n),
        )
    rows = [[str(r.row), r.column, r.reason] for r in report.rejected]
    _finish(report, f"{file}: " + _done(report, "rows"), ("row", "column", "reason"), rows,
            report.as_json() if as_json else None)
