"""``akledger projections status|rebuild``: the read models and how far behind the ledger they are.

Exit codes as in ``api.cli``: 0 ok; 1 a projection failed (the message names the event position
and the error) or another runner holds it; 2 an unknown projection name.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import TaskID
from rich.table import Table

from projections.registry import projections_for
from projections.tracking import status

projections_app = typer.Typer(no_args_is_help=True, help="The read models (projections) and their lag.")


@projections_app.command("status")
def show_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Each projection's position, the ledger's head, the lag, and the fault it stopped at."""
    from api.cli import handled, ledger, out

    lg = ledger()
    with handled():
        views = status(lg.engine, [p.name for p in projections_for(lg)])
    rows = [
        {"name": v.name, "position": v.position, "head": v.head, "lag": v.lag,
         "fault": None if v.fault is None else {"position": v.fault.notification_id, "error": v.fault.error,
                                                "at": v.fault.at.isoformat()}}
        for v in views
    ]
    if as_json:
        out.print_json(data=rows)
        return
    table = Table("projection", "position", "head", "lag", "fault")
    for row in rows:
        fault = row["fault"]
        table.add_row(str(row["name"]), str(row["position"]), str(row["head"]), str(row["lag"]),
                      "" if not isinstance(fault, dict) else f"[red]at {fault['position']}: {fault['error']}")
    out.print(table)
    if any(row["fault"] for row in rows):
        raise typer.Exit(1)


@projections_app.command("rebuild")
def rebuild_projections(
    names: Annotated[list[str] | None, typer.Argument(help="Projections to rebuild (default: all).")] = None,
    parts: Annotated[int | None, typer.Option(
        "--parts", min=1, max=64,
        help="Processes that replay the facts projection, each a share of the aggregates, swapped in at "
             "once (default: one per CPU, at most 4, for 50,000 events or more; 1: in this process)."),
    ] = None,
) -> None:
    """Empty a projection's tables, reset its tracking and replay the ledger into it (stop the
    projector first: a running one holds the projection)."""
    from api.cli import fail, handled, ledger, out, progress_bar
    from projections.runner import rebuild

    lg = ledger()
    known = {p.name: p for p in projections_for(lg)}
    unknown = [n for n in names or [] if n not in known]
    if unknown:
        fail(2, f"NAME: {', '.join(map(repr, unknown))} is not a projection ({', '.join(known)})")
    for name in names or list(known):
        with handled(), progress_bar(f"rebuilding {name}") as bar:
            task = bar.add_task(name, total=None)

            def advance(n: int, total: int, task: TaskID = task) -> None:
                bar.update(task, completed=n, total=total)

            done = rebuild(lg, known[name], advance, parts=parts)
        out.print(f"{name}: {done} events replayed", highlight=False)
