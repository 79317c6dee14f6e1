"""``akledger dossier export|verify``: a matter's dossier, and its offline verification (issue 7).

``export`` reads the ledger (and integrates pending events, which signs a checkpoint, so it
needs the key directory as any append does). ``verify`` needs nothing but the file and the
keys given on the command line: no database, no key directory, no network.

Exit codes as in ``api.cli``: 0 ok (verify: the dossier is valid); 1 verification failure, the
message naming the event and what is wrong; 2 bad input (an unreadable or malformed file, a bad
vkey, an unknown matter, a bad --redact field or --preset), with a one-line message.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from ledger.dossier.errors import DossierInputError
from ledger.dossier.export import ExportRequest, export_dossier
from signing.dossier import verify_dossier
from signing.errors import MalformedInputError, VerificationError

dossier_app = typer.Typer(no_args_is_help=True, help="Referral dossiers: export, redact, verify offline.")


@dossier_app.command("export")
def export(
    matter: Annotated[str, typer.Argument(help="The matter's id or reference (e.g. R9-IOC-1).")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the dossier (.zip).")],
    redact: Annotated[
        list[str] | None, typer.Option("--redact", help="Withhold this payload field (repeatable).")
    ] = None,
    preset: Annotated[
        str | None, typer.Option("--preset", help="panel (13.20) | public | supplier (13.5, 16.1, 20.43)")
    ] = None,
    as_of_position: Annotated[
        int | None, typer.Option("--as-of-position", help="Only events up to this ledger position.")
    ] = None,
) -> None:
    """Export MATTER's whole history and every event it touches, each with its signature and an
    inclusion proof against one checkpoint, the keys, and index.html."""
    from api.cli import fail, handled, ledger, out, progress_bar

    lg = ledger()
    with handled(), progress_bar("proving") as bar:
        task = bar.add_task("prove", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            exported = export_dossier(
                lg, ExportRequest(matter, tuple(redact or ()), preset, as_of_position), advance
            )
        except DossierInputError as exc:
            fail(2, f"--{exc.field.replace('_', '-')}: {exc.reason}")
    try:
        out_file.write_bytes(exported.zip_bytes)
    except OSError as exc:
        fail(2, f"--out {out_file}: {exc.strerror or exc}")
    withheld = ", ".join(exported.withheld) or "nothing"
    out.print(
        f"dossier of matter {exported.matter_id}: {exported.events} events of {exported.aggregates} "
        f"aggregates, proved against the checkpoint of tree size {exported.tree_size}"
        f"{' (cosigned)' if exported.cosigned else ''}; withheld: {withheld}; written to {out_file}",
        highlight=False, soft_wrap=True,
    )


@dossier_app.command("verify")
def verify(
    dossier: Annotated[Path, typer.Argument(help="The dossier (.zip).")],
    trusted_key: Annotated[
        list[str] | None, typer.Option("--trusted-key", help="The ledger's vkey (akledger keys vkey).")
    ] = None,
    witness: Annotated[
        list[str] | None, typer.Option("--witness", help="A witness vkey whose cosignature is required.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Verify a dossier offline: every event is in the signed ledger, nothing of each aggregate's
    history in between is left out, withheld fields were really there."""
    from api.cli import fail, out

    try:
        data = dossier.read_bytes()
    except OSError as exc:
        fail(2, f"{dossier}: {exc.strerror or exc}")
    try:
        report = verify_dossier(data, trusted_keys=trusted_key or (), witness_keys=witness or ())
    except MalformedInputError as exc:
        fail(2, f"{dossier}: {exc}")
    except VerificationError as exc:
        fail(1, f"{dossier} does not verify: {exc}")
    if as_json:
        out.print_json(json.dumps({"ok": True, **asdict(report)}))
        return
    pinned = "signed by a trusted key" if report.trusted else "self-consistent (no --trusted-key given)"
    withheld = sum(len(v) for v in report.redacted.values())
    out.print(
        f"{dossier}: valid. Matter {report.matter_id}: {report.events} events of {report.aggregates} "
        f"aggregates in {report.origin} at tree size {report.tree_size}, {pinned}; "
        f"{withheld} withheld field(s); witnesses: {', '.join(report.witnesses) or 'none required'}",
        highlight=False, soft_wrap=True,
    )
