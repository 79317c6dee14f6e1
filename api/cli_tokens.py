"""``akledger principals token NAME`` and ``akledger principals revoke-token NAME TOKEN_ID``:
bearer tokens for the HTTP API (issue 6 item 1; the format is ``api.auth``).

Both run as the operator's principal (AKLEDGER_ACTOR) through ``ledger.commands.execute``, so
the permission table applies: only an ``admin`` issues or revokes tokens. ``token`` prints the
token once, on stdout (its id and how to use it on stderr); the ledger records only its SHA-256.
Exit codes as in ``api.cli``: an unknown NAME is 2; a disabled principal, or revoking a token
not in force, is a domain failure, 1.

``api.cli`` registers them on the ``principals`` sub-app::

    from api.cli_tokens import revoke_token, token
    principals_app.command("token")(token)
    principals_app.command("revoke-token")(revoke_token)
"""

from __future__ import annotations

from typing import Annotated

import typer

from api import log_service
from api.auth import new_token
from ledger.principals import principal_id


def _require_principal(name: str) -> None:
    from api.cli import fail, ledger

    if principal_id(name) not in ledger().repository:
        fail(2, f"NAME: no principal {name!r} (see `akledger principals list`)")


def token(
    name: Annotated[str, typer.Argument(help="The principal's handle.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the token with its id as JSON.")] = False,
) -> None:
    """Issue a bearer token for NAME (PrincipalTokenIssued records only its SHA-256). The token
    is printed once: store it now, it cannot be shown again."""
    from api.cli import err, out, run_command

    _require_principal(name)
    issued = new_token(name)
    executed = run_command("Principal.issue_token", {
        "target": {"name": name}, "token_id": issued.token_id, "token_sha256": issued.sha256,
    })
    if as_json:
        out.print_json(data={"principal": name, "token_id": issued.token_id, "token": issued.token,
                             "appended": [log_service.appended_json(a) for a in executed.appended]})
        return
    typer.echo(issued.token)
    err.print(f"token {issued.token_id} for {name!r}: shown once, store it now. "
              "Send it as `Authorization: Bearer <token>`.", highlight=False, soft_wrap=True)


def revoke_token(
    name: Annotated[str, typer.Argument(help="The principal's handle.")],
    token_id: Annotated[str, typer.Argument(help="The token's id (the part after the name).")],
) -> None:
    """Revoke one of NAME's tokens (PrincipalTokenRevoked): requests bearing it get 401."""
    from api.cli import out, run_command

    _require_principal(name)
    executed = run_command("Principal.revoke_token", {"target": {"name": name}, "token_id": token_id})
    out.print_json(data={"principal": name, "revoked": token_id,
                         "appended": [log_service.appended_json(a) for a in executed.appended]})
