"""``akledger principals``: add, list and disable the principals who record events (issue 3
item 5). Exit codes as in ``api.cli``: a bad ``--role`` or blank input is 2; a duplicate name or
disabling twice is a domain failure, 1.

The CLI records as the principal AKLEDGER_ACTOR names, through ``ledger.commands.execute`` like
every other write, so the permission table applies: only an ``admin`` adds or disables principals
(``akledger init`` makes its operator the first admin).
"""

from __future__ import annotations

from typing import Annotated

import typer
from eventsourcing.application import AggregateNotFoundError
from rich.table import Table

from api import log_service
from ledger.application import AKLedger
from ledger.commands.execute import find_principal
from ledger.errors import NotFoundError
from ledger.principal_directory import DIRECTORY_ID, PrincipalDirectory
from ledger.principals import PRINCIPAL_ROLES, Principal

# api.cli registers this sub-app at its bottom, so its helpers are imported where they are used:
# importing this module first must not meet a half-initialised api.cli.
principals_app = typer.Typer(no_args_is_help=True, help="Who may record events, in which role.")


def _directory(lg: AKLedger) -> PrincipalDirectory | None:
    try:
        found: object = lg.repository.get(DIRECTORY_ID)
    except AggregateNotFoundError:
        return None
    assert isinstance(found, PrincipalDirectory)
    return found


def _principal(lg: AKLedger, name: str) -> Principal:
    """Raises NotFoundError naming the principal."""
    found = find_principal(lg, name)
    if found is None:
        raise NotFoundError(f"NAME: no principal {name!r} (see `akledger principals list`)")
    return found


@principals_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The principal's handle, e.g. acme-energy-ops.")],
    role: Annotated[str, typer.Option("--role", help=", ".join(r.value for r in PRINCIPAL_ROLES))],
    org: Annotated[str, typer.Option("--org", help="The organisation it acts for.")],
    display_name: Annotated[str | None, typer.Option("--display-name")] = None,
) -> None:
    """Add a principal (PrincipalAdded), listed in the principal directory."""
    from api.cli import fail, handled, ledger, out, run_command

    if role not in {r.value for r in PRINCIPAL_ROLES}:
        fail(2, f"--role: {role!r} is not one of {', '.join(r.value for r in PRINCIPAL_ROLES)}")
    executed = run_command(
        "Principal.add", {"name": name, "role": role, "organisation": org, "display_name": display_name}
    )
    with handled():
        principal = _principal(ledger(), name)
    out.print_json(data={"principal": principal.as_json(),
                         "appended": [log_service.appended_json(a) for a in executed.appended]})


@principals_app.command("list")
def list_principals(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every principal, in the order added, disabled ones included."""
    from api.cli import handled, ledger, out

    lg = ledger()
    with handled():
        directory = _directory(lg)
        names = list(directory.principals) if directory else []
        rows = [_principal(lg, n).as_json() for n in names]
    if as_json:
        out.print_json(data={"principals": rows})
        return
    table = Table("name", "role", "organisation", "display name", "status")
    for column, key in zip(table.columns[:2], ("name", "role"), strict=True):  # never cut a handle
        column.min_width = max((len(str(r[key])) for r in rows), default=4)
    for row in rows:
        status = f"disabled: {row['disabled_reason']}" if row["disabled"] else "enabled"
        table.add_row(*(str(row[k] or "") for k in ("name", "role", "organisation", "display_name")), status)
    out.print(table)


@principals_app.command("disable")
def disable(
    name: Annotated[str, typer.Argument(help="The principal's handle.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is disabled.")],
) -> None:
    """Disable a principal (PrincipalDisabled)."""
    from api.cli import fail, handled, ledger, out, run_command

    if not reason.strip():
        fail(2, "--reason: must not be blank")
    lg = ledger()
    with handled():
        _principal(lg, name)  # NAME names the missing principal (exit 2) before anything is run
    executed = run_command("Principal.disable", {"target": {"name": name}, "reason": reason})
    with handled():
        principal = _principal(ledger(), name)
    out.print_json(data={"principal": principal.as_json(),
                         "appended": [log_service.appended_json(a) for a in executed.appended]})
