"""``akledger witness``: the SIT Auditor as a witness of the ledger's log (issue 7 item 4).

On the auditor's machine, with no access to the ledger's database:

* ``init --name NAME``: a fresh Ed25519 key and an empty state in the witness directory (0600);
* ``vkey``: the witness's tlog-cosignature verifier key, for the ledger's administrator;
* ``cosign --ledger URL --ledger-key VKEY``: fetch the latest checkpoint and a consistency proof
  from the last checkpoint this witness cosigned, verify both (``signing.witness``), cosign and
  post the cosigned checkpoint to ``POST /log/cosignatures``.

On the ledger's side, ``add VKEY`` registers a witness whose cosignatures the ledger will hold
and ``list`` shows them (these open the ledger's database, as every other command does).

Exit codes as in ``api.cli``: 0 cosigned (or done); 1 the log failed verification (a fork, an
inconsistent or malformed proof, a bad signature; evidence is kept in the witness directory);
2 bad input (a malformed vkey or URL, no witness directory, the ledger unreachable or refusing).
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Annotated, NoReturn

import httpx
import typer

from signing import note
from signing.checkpoint import Checkpoint, parse_checkpoint
from signing.errors import VerificationError
from signing.witness import Cosigned, Witness, WitnessDir, WitnessRefusalError

# api.cli registers this sub-app at its bottom; its helpers are imported where they are used.
witness_app = typer.Typer(
    no_args_is_help=True, help="Witness the ledger's log: cosign consistent checkpoints (C2SP)."
)

DIR_ENV = "AKLEDGER_WITNESS_DIR"
DEFAULT_DIR = Path("~/.akledger-witness")
HTTP_TIMEOUT = 30.0

WitnessDirOption = Annotated[
    Path, typer.Option("--dir", envvar=DIR_ENV, help="The witness's key and state directory.")
]


def _fail(code: int, message: str) -> NoReturn:
    from api.cli import fail

    fail(code, message)


def _directory(path: Path) -> WitnessDir:
    return WitnessDir(path.expanduser())


@witness_app.command("init")
def init(
    name: Annotated[str, typer.Option("--name", help="The witness's key name, e.g. sit-auditor.example/w1")],
    directory: WitnessDirOption = DEFAULT_DIR,
) -> None:
    """Create the witness: its own Ed25519 key and an empty state; print its vkey."""
    from api.cli import out

    try:
        witness = WitnessDir.init(directory.expanduser(), name)
    except VerificationError as exc:
        _fail(2, f"--name: {exc}")
    except FileExistsError as exc:
        _fail(2, f"--dir: {exc}")
    except OSError as exc:
        _fail(2, f"--dir: cannot create the witness directory: {exc}")
    out.print(witness.vkey, highlight=False, soft_wrap=True)


@witness_app.command("vkey")
def vkey(directory: WitnessDirOption = DEFAULT_DIR) -> None:
    """Print the witness's tlog-cosignature verifier key (give it to `akledger witness add`)."""
    from api.cli import out

    out.print(_load(_directory(directory)).vkey, highlight=False, soft_wrap=True)


def _load(directory: WitnessDir) -> Witness:
    try:
        return directory.load()
    except FileNotFoundError:
        _fail(2, f"--dir: no witness in {directory.path} (run `akledger witness init --name NAME`)")
    except (VerificationError, OSError) as exc:
        _fail(2, f"--dir: {exc}")


@witness_app.command("cosign")
def cosign(
    ledger_url: Annotated[str, typer.Option("--ledger", help="The ledger's base URL, e.g. http://host:8000")],
    ledger_key: Annotated[
        str, typer.Option("--ledger-key", help="The ledger's vkey (`akledger keys vkey`).")
    ],
    directory: WitnessDirOption = DEFAULT_DIR,
) -> None:
    """Verify the ledger's latest checkpoint against the last one cosigned, cosign and post it."""
    from api.cli import out

    try:
        log_key = note.parse_vkey(ledger_key.strip())
    except VerificationError as exc:
        _fail(2, f"--ledger-key: {exc}")
    if log_key.alg != note.ALG_ED25519:
        _fail(2, f"--ledger-key: {log_key.label} is not an Ed25519 (0x01) log key")
    witness_dir = _directory(directory)
    _load(witness_dir)  # a clear message if there is no witness here
    with witness_dir.locked() as witness, _client(ledger_url) as http:
        offered = _get(http, "/log/checkpoint").text
        proof = _proof(http, witness.last(log_key.name), offered)
        try:
            cosigned = witness_dir.cosign(witness, offered, proof, log_key)
        except WitnessRefusalError as exc:
            _fail(1, f"refused to cosign: {exc}; both signed checkpoints kept in {exc.path}")
        except VerificationError as exc:
            _fail(1, f"the ledger's checkpoint does not verify: {exc}")
        held = _post(http, cosigned)
    cp = cosigned.checkpoint
    state = "held by the ledger" if held else "the ledger already held a cosignature by this witness"
    out.print(f"cosigned {cp.origin} tree size {cp.size}; {state}", highlight=False, soft_wrap=True)
    out.print(cosigned.line.rstrip("\n"), highlight=False, soft_wrap=True)


def _client(url: str) -> httpx.Client:
    try:
        base = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        _fail(2, f"--ledger: {exc}")
    if base.scheme not in ("http", "https") or not base.host:
        _fail(2, f"--ledger: {url!r} is not an http(s) URL")
    return httpx.Client(base_url=base, timeout=HTTP_TIMEOUT)


def _get(http: httpx.Client, path: str, **params: int) -> httpx.Response:
    try:
        response = http.get(path, params=params)
    except httpx.HTTPError as exc:
        _fail(2, f"--ledger: GET {path}: {exc}")
    if response.status_code != 200:
        _fail(2, f"--ledger: GET {path}: {response.status_code} {_detail(response)}")
    return response


def _proof(http: httpx.Client, last: Checkpoint | None, offered: str) -> list[bytes]:
    """The ledger's consistency proof from ``last`` to ``offered``."""
    if last is None:
        return []  # first checkpoint: trusted on first use
    try:
        size = parse_checkpoint(note.parse_note(offered).text).size
    except VerificationError as exc:
        _fail(1, f"the ledger's checkpoint does not verify: {exc}")
    if not last.size < size:
        return []  # same size: compared root to root; smaller: refused as a rollback
    body = _get(http, "/log/proof/consistency", first=last.size, second=size).json()
    try:
        return [base64.b64decode(h, validate=True) for h in body["proof"]]
    except (KeyError, TypeError, binascii.Error) as exc:
        _fail(1, f"the ledger's consistency proof from {last.size} to {size} is malformed: {exc!r}")


def _post(http: httpx.Client, cosigned: Cosigned) -> bool:
    """POST the cosigned note; whether the ledger stored it anew."""
    try:
        response = http.post("/log/cosignatures", content=cosigned.note.encode("utf-8"),
                             headers={"Content-Type": "text/plain; charset=utf-8"})
    except httpx.HTTPError as exc:
        _fail(2, f"--ledger: POST /log/cosignatures: {exc} (cosignature made: {cosigned.line.strip()})")
    if response.status_code not in (200, 201):
        _fail(2, f"--ledger: POST /log/cosignatures: {response.status_code} {_detail(response)}")
    return response.status_code == 201


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
        return str(body.get("detail", response.text)) if isinstance(body, dict) else response.text[:200]
    except ValueError:
        return response.text[:200]


# -- the ledger's side -----------------------------------------------------------------------------


@witness_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The witness's name, as in its vkey.")],
    witness_vkey: Annotated[str, typer.Argument(metavar="VKEY", help="Its vkey (`akledger witness vkey`).")],
) -> None:
    """Register a witness on the ledger: its cosignatures are then held and served."""
    from api import log_service
    from api.cli import handled, ledger, out
    from ledger.log.cosignatures import CosignatureRefusedError

    lg = ledger()
    if witness_vkey.partition("+")[0] != name:
        _fail(2, f"NAME: {name!r} is not the name in VKEY ({witness_vkey.partition('+')[0]!r})")
    with handled():
        try:
            witness = log_service.add_witness(lg, witness_vkey)
        except CosignatureRefusedError as exc:
            _fail(2, str(exc))
    out.print(f"witness {witness.name} ({witness.key_id}) registered", highlight=False)


@witness_app.command("list")
def list_witnesses() -> None:
    """The witnesses the ledger holds cosignatures from."""
    from api import log_service
    from api.cli import ledger, out

    for w in log_service.witness_list(ledger()):
        out.print(w["vkey"], highlight=False, soft_wrap=True)


__all__ = ["DIR_ENV", "witness_app"]
