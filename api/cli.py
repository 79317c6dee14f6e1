"""The ``akledger`` command line (typer + rich).

Exit codes: 0 ok; 1 verification or domain failure; 2 usage, input or configuration error.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from api import log_service
from api.cli_rules import rules_app
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import Executed, bootstrap_admin, execute
from ledger.config import Settings, load_settings
from ledger.context import RecordingContext
from ledger.errors import (
    ConfigError,
    LedgerError,
    NotFoundError,
    NotInitialisedError,
    UnknownPrincipalError,
)
from ledger.store import create_ledger, migrate, open_ledger
from signing import note

app = typer.Typer(no_args_is_help=True, help="AK Ledger: a signed audit ledger for SEC Appendix AK.")
keys_app = typer.Typer(no_args_is_help=True, help="The ledger's signing keys.")
log_app = typer.Typer(no_args_is_help=True, help="The verifiable log: checkpoints, entries, proofs.")
app.add_typer(keys_app, name="keys")
app.add_typer(log_app, name="log")
app.add_typer(rules_app, name="rules")

out = Console()
err = Console(stderr=True)


def fail(code: int, message: str) -> NoReturn:
    # soft_wrap: one line whatever the width (rich wraps at 80 columns when not a terminal).
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def handled() -> Iterator[None]:
    """Map the ledger's errors onto exit codes with a one-line message."""
    try:
        yield
    except (ConfigError, NotFoundError, NotInitialisedError, UnknownPrincipalError) as exc:
        fail(2, str(exc))
    except LedgerError as exc:
        fail(1, str(exc))


def settings() -> Settings:
    with handled():
        return load_settings()
    raise AssertionError  # unreachable: handled() exits


def ledger() -> AKLedger:
    with handled():
        return open_ledger(load_settings())
    raise AssertionError


def actor(s: Settings) -> Actor:
    return Actor(principal=s.actor)


def operator_context(s: Settings) -> RecordingContext:
    """The operator's own context, now: for what the operator records as itself."""
    return RecordingContext(actor(s), datetime.now(UTC))


def run_command(command: str, data: dict[str, Any]) -> Executed:
    """Run ``command`` as the operator's principal (AKLEDGER_ACTOR), now, through the same path
    as every other write (``ledger.commands.execute``): the permission table applies."""
    s = settings()
    lg = ledger()
    with handled():
        return execute(lg, {"command": command, "principal": s.actor,
                            "occurred_at": datetime.now(UTC).isoformat(), "data": data})
    raise AssertionError  # unreachable: handled() exits


def progress_bar(label: str) -> Progress:
    return Progress(
        TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    )


@app.command()
def init(
    if_absent: Annotated[
        bool, typer.Option("--if-absent", help="If a ledger exists, only migrate its tables.")
    ] = False,
) -> None:
    """Create the ledger: tables (Alembic), the genesis signing key, LedgerInitialised."""
    s = settings()
    if if_absent:
        with handled():
            try:
                existing = open_ledger(s)
            except NotInitialisedError:
                pass
            else:
                migrate(existing)
                out.print(f"ledger exists at {s.database_url}; tables migrated", highlight=False)
                return
    with handled():
        ledger_app, appended = create_ledger(s, actor(s))
        bootstrap_admin(ledger_app, s.actor, "ledger operator", operator_context(s))
        log_service.integrate(ledger_app)
        vkey = log_service.vkey(ledger_app)
    out.print(f"ledger created at {s.database_url}", highlight=False)
    out.print(f"origin: {s.log_origin}\nkey: {appended.key_id}\nvkey: {vkey}", highlight=False)
    out.print(f"admin principal: {s.actor} (AKLEDGER_ACTOR; add others with `akledger principals add`)",
              highlight=False)


@app.command("note")
def record_note(text: Annotated[str, typer.Argument(help="The note's text.")]) -> None:
    """Append a NoteRecorded event as the principal AKLEDGER_ACTOR names."""
    if not text.strip():
        fail(2, "TEXT: must not be blank")
    executed = run_command("Note.record", {"text": text})
    out.print_json(data=log_service.appended_json(executed.appended[0]))


@keys_app.command("vkey")
def keys_vkey() -> None:
    """Print the key in force as a C2SP signed-note verifier key."""
    lg = ledger()
    with handled():
        out.print(log_service.vkey(lg), highlight=False, soft_wrap=True)


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Add a signing key; the rotation is recorded as an event signed by the old key."""
    s = settings()
    lg = ledger()
    with handled():
        appended = lg.rotate_key(actor(s))
        log_service.integrate(lg)
    out.print_json(data=log_service.appended_json(appended))


@keys_app.command("list")
def keys_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show every key and the span of history it signs."""
    lg = ledger()
    with handled():
        rows = log_service.key_list(lg)
    if as_json:
        out.print_json(data={"keys": rows})
        return
    table = Table("key id", "introduced at", "signs notifications", "status", "vkey")
    for row in rows:
        span = f"{row['valid_from']}..{row['valid_until'] or ''}"
        table.add_row(row["key_id"], str(row["introduced_by"]), span, row["status"], row["vkey"])
    out.print(table)


@log_app.command("integrate")
def log_integrate() -> None:
    """Integrate every pending event into the tree and sign a checkpoint per batch."""
    lg = ledger()
    with handled(), progress_bar("integrating") as bar:
        task = bar.add_task("integrate", total=log_service.pending(lg))
        total = log_service.integrate(lg, lambda r: bar.update(task, advance=r.integrated))
    out.print(f"integrated {total} entries; tree size {log_service.tree_size(lg)}")


@log_app.command("checkpoint")
def log_checkpoint() -> None:
    """Print the latest signed checkpoint, verbatim."""
    lg = ledger()
    with handled():
        cp = log_service.latest_checkpoint(lg)
    sys.stdout.write(cp.note)


@log_app.command("entries")
def log_entries(
    start: Annotated[int, typer.Option("--from", min=0)] = 0,
    stop: Annotated[int | None, typer.Option("--to", min=0, help="exclusive")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = True,
) -> None:
    """Entries [FROM, TO) with the exact leaf input bytes (base64)."""
    lg = ledger()
    with handled():
        data = log_service.entries_json(lg, start, stop)
    out.print_json(data=data) if as_json else out.print(data)


@log_app.command("inclusion")
def log_inclusion(
    index: Annotated[int, typer.Argument(min=0)],
    size: Annotated[int | None, typer.Option("--size", min=1)] = None,
    as_json: Annotated[bool, typer.Option("--json")] = True,
) -> None:
    """An RFC 9162 inclusion proof for leaf INDEX."""
    lg = ledger()
    with handled():
        out.print_json(data=log_service.inclusion_json(lg, index, size))


@log_app.command("consistency")
def log_consistency(
    size1: Annotated[int, typer.Argument(min=0)],
    size2: Annotated[int, typer.Argument(min=0)],
    as_json: Annotated[bool, typer.Option("--json")] = True,
) -> None:
    """An RFC 9162 consistency proof between two tree sizes."""
    lg = ledger()
    with handled():
        out.print_json(data=log_service.consistency_json(lg, size1, size2))


@app.command()
def verify(
    full: Annotated[bool, typer.Option("--full", help="Also verify every event signature.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    trusted_key: Annotated[list[str] | None, typer.Option("--trusted-key", help="vkey")] = None,
    checkpoint: Annotated[
        list[Path] | None, typer.Option("--checkpoint", help="a checkpoint seen before")
    ] = None,
) -> None:
    """Recompute every entry and the tree; check every checkpoint. Exit 1 names the fault."""
    lg = ledger()
    try:
        trusted = [note.parse_vkey(k) for k in trusted_key or []]
        remembered = [p.read_text(encoding="utf-8") for p in checkpoint or []]
    except (OSError, ValueError) as exc:
        fail(2, f"--trusted-key/--checkpoint: {exc}")
    with handled(), progress_bar("verifying") as bar:
        task = bar.add_task("verify", total=None)
        report = log_service.verify(
            lg, full=full, trusted=trusted, expected=remembered,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    data = log_service.report_json(report)
    if as_json:
        out.print_json(data=data)
    elif report.ok:
        out.print(
            f"[green]intact[/]: {report.events} events, tree size {report.tree_size}, "
            f"{report.checkpoints} checkpoints, {report.signatures} signatures verified"
            + (f", {report.pending} not yet integrated" if report.pending else "")
        )
    else:
        assert report.fault is not None
        where = "" if report.fault.index is None else f" at leaf {report.fault.index}"
        err.print(f"[bold red]NOT INTACT[/] ({report.fault.kind}{where}): {report.fault.message}",
                  highlight=False, soft_wrap=True)
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    integrator: Annotated[
        bool,
        typer.Option(
            "--integrator/--no-integrator",
            help="Run the log integrator in-process (off when a separate `projector` runs it).",
        ),
    ] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1, max=64,
            help="HTTP worker processes (PostgreSQL only); the integrator still runs once, in the parent.",
        ),
    ] = 1,
) -> None:
    """Serve the HTTP API (and, by default, run the log integrator in-process). With --workers N
    (PostgreSQL), N processes serve it and the integrator and projections still run once, here."""
    from api.server import WorkersFailedError, run_server

    if workers > 1 and settings().is_sqlite:
        fail(2, f"--workers {workers}: SQLite admits one writer process at a time, so several workers "
             "need PostgreSQL (AKLEDGER_DATABASE_URL); use --workers 1 on SQLite")
    lg = ledger()
    with handled():
        try:
            run_server(lg, host, port, print_url=lambda url: out.print(f"serving on {url}"),
                       integrator=integrator, workers=workers)
        except WorkersFailedError as exc:
            fail(1, str(exc))


@app.command()
def projector() -> None:
    """Run the log integrator and every projection continuously (beside an API served with
    --no-integrator). Stops, exit 1, when either fails: a supervisor restarts it, and each restart
    retries the same event."""
    from api.integrator_worker import IntegratorWorker, ProjectionWorker

    lg = ledger()
    workers = [IntegratorWorker(lg).start(), ProjectionWorker(lg).start()]
    try:
        while all(w.health.state != "stopped" for w in workers):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for worker in workers:
            worker.stop()
    stopped = [w for w in workers if w.health.state == "stopped"]
    if stopped:
        fail(1, "; ".join(f"{w.name} stopped: {w.health.error}" for w in stopped))


@app.command()
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
) -> None:
    """Create a demo ledger (if none) from a file of commands, integrate, verify, then serve.

    The demo's history (``ledger.demo``) is written to AKLEDGER_HOME/demo-commands.jsonl and
    recorded through ``akledger import commands``, the path any other file takes."""
    from api.cli_commands import run_import, write_lines
    from ledger.demo import DCC, demo_commands
    from ledger.principals import principal_id

    s = settings()
    with handled():
        try:
            lg = open_ledger(s)
        except LedgerError:
            lg, _ = create_ledger(s, actor(s))
            bootstrap_admin(lg, s.actor, "ledger operator", operator_context(s))
    if principal_id(DCC) not in lg.repository:
        path = s.home / "demo-commands.jsonl"
        write_lines(path, demo_commands(s.actor))
        report = run_import(lg, path, s.actor)
        if report.rejected:
            fail(1, f"demo: {len(report.rejected)} lines rejected, first: {report.rejected[0].as_json()}")
        out.print(f"demo history: {len(report.recorded)} commands from {path}", highlight=False)
    with handled():
        log_service.integrate(lg)
        report_ = log_service.verify(lg)
    out.print(f"demo ledger at {s.database_url}: tree size {report_.tree_size}, "
              f"{'intact' if report_.ok else 'NOT INTACT'}", highlight=False)
    if serve_after:
        from api.server import run_server
        from ledger.demo import AUDITOR

        out.print(f"dashboard: http://127.0.0.1:{port}/dashboard (sign in with a principal's token, e.g. "
                  f"the SIT Auditor's: AKLEDGER_HOME={s.home} .venv/bin/akledger principals token {AUDITOR})",
                  highlight=False, soft_wrap=True)

        with handled():
            run_server(lg, "127.0.0.1", port, print_url=lambda url: out.print(f"serving on {url}"))


def main() -> None:
    app()


__all__ = ["app", "main"]


# At the bottom: these modules import this module's helpers.
from api.cli_commands import commands_app, import_app  # noqa: E402
from api.cli_dmct_query import dmct_completion  # noqa: E402
from api.cli_dossier import dossier_app  # noqa: E402
from api.cli_imports import import_junit, import_ttm  # noqa: E402
from api.cli_principals import principals_app  # noqa: E402
from api.cli_projections import projections_app  # noqa: E402
from api.cli_query import query_app  # noqa: E402
from api.cli_report import report  # noqa: E402
from api.cli_tokens import revoke_token, token  # noqa: E402
from api.cli_witness import witness_app  # noqa: E402

principals_app.command("token")(token)
principals_app.command("revoke-token")(revoke_token)
import_app.command("junit")(import_junit)
import_app.command("ttm")(import_ttm)
query_app.command("dmct-completion")(dmct_completion)
app.command("report")(report)
app.add_typer(principals_app, name="principals")
app.add_typer(commands_app, name="commands")
app.add_typer(import_app, name="import")
app.add_typer(projections_app, name="projections")
app.add_typer(query_app, name="query")
app.add_typer(dossier_app, name="dossier")
app.add_typer(witness_app, name="witness")
