"""Commands over HTTP (issue 6): ``POST /commands/{command}`` for every command of the catalogue.

One route per command, so OpenAPI documents each with its own request body (the command's
envelope without ``command`` and ``principal``), who may issue it and an example. Each request
takes the path every write takes (``ledger.commands.execute.execute_json``) as the principal the
bearer token authenticates (``api.auth``); a ``principal`` in the body is replaced by it.

- ``201``: what was appended, each event with its id ``{originator_id}:{version}``, ledger
  position, signature, key id and batch path, plus ``ETag: "<version>"`` of the aggregate the
  command created or changed.
- ``If-Match: "<version>"`` (that ETag) on a command that changes an existing aggregate: 409
  naming ``If-Match`` if the aggregate is at another version, or is changed concurrently.
- ``Idempotency-Key``: see ``api.idempotency``.
- ``?wait=checkpoint``: also wait (at most :data:`CHECKPOINT_WAIT` seconds) for a signed
  checkpoint covering every appended event, and return it with each event's RFC 9162 inclusion
  proof; ``202`` without them if the wait runs out (the events are recorded all the same).
- The saves of the commands one process runs at the same time are committed in one transaction
  (``ledger.commands.group_commit``), each still its own signed save: one disk flush, under
  the events table's lock, for them all.
- Malformed input is a 4xx problem (``api.problems``), never a 5xx: body not JSON (400), not
  I-JSON (RFC 7493: 422 naming the field), too deep (400) or too large (413), not
  ``application/json`` (415).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Literal

import anyio.to_thread
from anyio import CapacityLimiter
from eventsourcing.persistence import RecordConflictError
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api import command_docs, idempotency, log_service
from api.auth import BearerToken, authenticate
from api.deps import get_ledger, loop_limiter
from api.problems import RequestRefusedError
from ledger.application import AKLedger
from ledger.commands.catalogue import CommandSpec, catalogue, json_schema
from ledger.commands.execute import Alongside, Executed, execute_json
from ledger.commands.group_commit import GroupCommit
from ledger.errors import InvalidFieldError, LedgerError
from ledger.log.reader import LogReader
from ledger.log.tables import log_leaves
from ledger.principals import Principal


async def _ledger(request: Request) -> AKLedger:
    """``get_ledger`` on the event loop: a sync dependency would cost a trip to the threadpool."""
    return get_ledger(request)


Ledger = Annotated[AKLedger, Depends(_ledger)]
MAX_BODY = 1 << 20  # bytes; the largest command line is a few kilobytes
MAX_DEPTH = 32  # JSON nesting; commands nest three or four levels
MAX_SAFE_INTEGER = 2**53 - 1  # RFC 7493 §2.2
CHECKPOINT_WAIT = 5.0  # seconds ?wait=checkpoint waits at most
CHECKPOINT_POLL = 0.05  # seconds between looks at the log
# Commands one process runs at once. Appends queue on the events table's lock (one sequencer),
# and those whose saves are ready together are committed together (``ledger.commands.group_commit``):
# with 8 in flight a group held 2.6-3.9 saves on PostgreSQL (2 workers, 16 clients), 1.9 with 4,
# for 290 appends/s instead of 190-270 and less CPU for each; 16 did no better. More only adds
# threads contending, and connections opened and closed beyond the pool.
CONCURRENT_COMMANDS = 8
_VERSION = re.compile(r'^\s*(?:"(\d{1,18})"|(\d{1,18}))\s*$')


class AppendedEvent(BaseModel):
    event_id: str
    originator_id: str
    version: int
    position: int
    topic: str
    key_id: str
    signature: str
    batch: dict[str, Any] | None


class CommandResult(BaseModel):
    """What a command recorded (201); with ``?wait=checkpoint``, also the checkpoint covering it
    and each event's inclusion proof (``null`` in a 202: the wait ran out)."""

    command: str
    principal: str
    aggregate_id: str
    version: int
    position: int
    appended: list[AppendedEvent]
    checkpoint: dict[str, Any] | None = None
    inclusion: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class _Request:
    """A command request as received: the token not yet checked against the ledger, the body
    read (or why it could not be)."""

    spec: CommandSpec
    token: str
    body: dict[str, Any] | RequestRefusedError
    if_match: str | None
    idempotency_key: str | None


@dataclass(frozen=True)
class _Asked:
    spec: CommandSpec
    authenticated: Principal  # as ``api.auth`` loaded it for this request
    principal: str
    body: dict[str, Any]
    if_match: str | None
    expected_version: int | None
    key: str | None


# -- the request ---------------------------------------------------------------------------------
async def read_command_body(request: Request) -> dict[str, Any]:
    """The request's JSON object. Raises ``RequestRefusedError``: 415, 413, 400, 422 (not I-JSON)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise RequestRefusedError(415, "Unsupported media type", "Content-Type",
                             f"{media or '(none)'}: a command is sent as application/json")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise RequestRefusedError(413, "Content too large", "body", f"more than {MAX_BODY} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise RequestRefusedError(413, "Content too large", "body", f"more than {MAX_BODY} bytes")
        chunks.append(chunk)
    return parse_command_body(b"".join(chunks))


def parse_command_body(raw: bytes) -> dict[str, Any]:
    """``raw`` as a JSON object in I-JSON (RFC 7493): UTF-8, unique member names, integers within
    +-(2**53-1), finite numbers, no lone surrogates. Raises ``RequestRefusedError``."""
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_members,
                           parse_constant=_no_constant)
    except RecursionError:
        raise _malformed("body", "nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, a repeated member name
        raise _malformed("body", f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise _malformed("body", "a command is a JSON object")
    _check_i_json(value)
    return value


def _malformed(where: str, reason: str) -> RequestRefusedError:
    return RequestRefusedError(400, "Malformed request body", where, reason)


def _invalid(where: str, reason: str) -> RequestRefusedError:
    return RequestRefusedError(422, "Invalid command", where, reason)


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("a member name is repeated in one object (RFC 7493 §2.3)")
    return found


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _check_i_json(body: dict[str, Any]) -> None:
    stack: list[tuple[str, Any, int]] = [("", body, 1)]
    while stack:
        path, value, depth = stack.pop()
        where = path or "body"
        if depth > MAX_DEPTH:
            raise _malformed(where, f"nested deeper than {MAX_DEPTH}")
        if isinstance(value, str):
            _require_text(value, where)
        elif isinstance(value, dict):
            for name, member in value.items():
                _require_text(name, where)
                stack.append((f"{path}.{name}" if path else name, member, depth + 1))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}", v, depth + 1) for i, v in enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
            raise _invalid(where, "an integer beyond +-(2**53-1) (RFC 7493)")
        elif isinstance(value, float) and not math.isfinite(value):
            raise _invalid(where, "a number too large for I-JSON (RFC 7493)")


def _require_text(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _invalid(where, "a lone surrogate is not text (RFC 7493 §2.1)") from None


def expected_version(spec: CommandSpec, if_match: str | None) -> int | None:
    """The version ``If-Match`` names. Raises ``RequestRefusedError`` (422, If-Match)."""
    if if_match is None:
        return None
    if spec.creates:
        raise RequestRefusedError(
            422, "Invalid request", "If-Match", f"{spec.name} records a new {spec.aggregate.__name__}: "
            "no version to match",
        )
    found = _VERSION.match(if_match)
    if found is None or int(found[1] or found[2]) < 1:
        raise RequestRefusedError(
            422, "Invalid request", "If-Match", 'one entity tag "<version>", as an ETag gave it'
        )
    return int(found[1] or found[2])


# -- recording -----------------------------------------------------------------------------------
def command_result(spec: CommandSpec, principal: str, executed: Executed) -> tuple[int, dict[str, Any]]:
    """The 201 body: the aggregate created or changed (its new version is the ETag) and every
    event appended."""
    primary = executed.aggregate_ids[-1] if spec.creates else executed.aggregate_ids[0]
    appended = [log_service.appended_json(a) for a in executed.appended]
    return 201, {
        "command": spec.name, "principal": principal, "aggregate_id": str(primary),
        "version": max(a.version for a in executed.appended if a.originator_id == primary),
        "position": max(a.position for a in executed.appended), "appended": appended,
    }


def authenticated_record(lg: AKLedger, request: _Request) -> idempotency.StoredResponse:
    """Authenticate, check the request, record (in one worker thread: the first and last read the
    database). The checks come in the order they always had: the token (401/403), the body, the
    command it names, ``If-Match``, ``Idempotency-Key``."""
    spec, principal = request.spec, authenticate(lg, request.token)
    if isinstance(request.body, RequestRefusedError):
        raise request.body
    body = request.body
    if body.get("command", spec.name) != spec.name:
        raise RequestRefusedError(
            422, "Invalid command", "command", f"{body['command']!r} sent to the route of {spec.name}"
        )
    key = request.idempotency_key
    asked = _Asked(
        spec, principal, principal.name, body, request.if_match, expected_version(spec, request.if_match),
        None if key is None else idempotency.checked_key(key),
    )
    return record(lg, asked)


def record(lg: AKLedger, asked: _Asked) -> idempotency.StoredResponse:
    """Run the command (in a worker thread: it blocks on the database)."""
    respond = partial(command_result, asked.spec, asked.principal)
    if asked.key is None:
        return idempotency.StoredResponse(*respond(_execute(lg, asked, None)), replayed=False)
    digest = idempotency.request_sha256(asked.spec.name, asked.body, asked.if_match)
    found = idempotency.stored_response(lg, asked.principal, asked.key, digest)
    if found is not None:
        return found
    try:
        executed = _execute(lg, asked, idempotency.recorder(asked.principal, asked.key, digest, respond))
    except (idempotency.RaceLostError, RequestRefusedError, LedgerError):
        # A concurrent request with this key may have won (the race on the key, or on the
        # aggregate's version, If-Match or not): if so, answer as it did.
        found = idempotency.stored_response(lg, asked.principal, asked.key, digest)
        if found is None:
            raise
        return found
    return idempotency.StoredResponse(*respond(executed), replayed=False)


def _execute(lg: AKLedger, asked: _Asked, alongside: Alongside | None) -> Executed:
    line = json.dumps({**asked.body, "command": asked.spec.name, "principal": asked.principal})
    try:
        return execute_json(lg, line, expected_version=asked.expected_version, alongside=alongside,
                            authenticated=asked.authenticated, group=_group_commit(lg))
    except InvalidFieldError as exc:
        if asked.expected_version is not None and isinstance(exc.__context__, RecordConflictError):
            raise RequestRefusedError(
                409, "Conflict", "If-Match", f"{asked.spec.name}: its target changed meanwhile, "
                f"it is no longer at version {asked.expected_version}",
            ) from None
        raise


_groups: weakref.WeakKeyDictionary[AKLedger, GroupCommit] = weakref.WeakKeyDictionary()
_groups_made = threading.Lock()


def _group_commit(lg: AKLedger) -> GroupCommit:
    """The ledger's group commit in this process: the saves of the commands in flight here at the
    same time share a transaction, and so the disk flush that holds the events table's lock."""
    with _groups_made:
        found = _groups.get(lg)
        if found is None:
            found = _groups[lg] = GroupCommit(lg)
        return found


def _commands_limiter() -> CapacityLimiter:
    """The running event loop's limiter of commands in flight."""
    return loop_limiter("commands", CONCURRENT_COMMANDS)


# -- ?wait=checkpoint ----------------------------------------------------------------------------
def covering_checkpoint(lg: AKLedger, appended: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest checkpoint and each event's inclusion proof in it, if it covers them all."""
    positions = [a["position"] for a in appended]
    with lg.connect() as conn:
        leaves = dict(conn.execute(
            select(log_leaves.c.notification_id, log_leaves.c.idx)
            .where(log_leaves.c.notification_id.in_(positions))
        ).tuples().all())
        checkpoint = LogReader(conn, lg.events_table).latest_checkpoint()
    if len(leaves) < len(positions) or checkpoint is None or checkpoint.size <= max(leaves.values()):
        return None
    return {
        "checkpoint": {"size": checkpoint.size, "key_id": checkpoint.key_id, "note": checkpoint.note},
        "inclusion": [
            {"event_id": a["event_id"], **log_service.inclusion_json(lg, int(leaves[a["position"]]),
                                                                     checkpoint.size)}
            for a in appended
        ],
    }


async def with_checkpoint(lg: AKLedger, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    deadline = time.monotonic() + CHECKPOINT_WAIT
    while True:
        covered = await run_in_threadpool(covering_checkpoint, lg, body["appended"])
        if covered is not None:
            return 201, {**body, **covered}
        if time.monotonic() >= deadline:
            return 202, {**body, "checkpoint": None, "inclusion": None}
        await asyncio.sleep(CHECKPOINT_POLL)


# -- the routes ----------------------------------------------------------------------------------
async def answer(
    request: Request, lg: AKLedger, spec: CommandSpec, token: str, wait: Literal["checkpoint"] | None,
    if_match: str | None, idempotency_key: str | None,
) -> JSONResponse:
    """The response to a ``POST`` of ``spec`` whose bearer ``token`` is shaped as one
    (``api.auth.presented_token``), once FastAPI or ``api.http.CommandPosts`` has read the rest
    of the request's head. Raises what the problem handlers (``api.problems``) answer."""
    try:
        body: dict[str, Any] | RequestRefusedError = await read_command_body(request)
    except RequestRefusedError as refused:  # raised once the token is known good, as before
        body = refused
    outcome = await anyio.to_thread.run_sync(
        authenticated_record, lg, _Request(spec, token, body, if_match, idempotency_key),
        limiter=_commands_limiter(),
    )
    status, result = outcome.status_code, outcome.body
    if wait == "checkpoint":
        status, result = await with_checkpoint(lg, result)
    headers = {"ETag": f'"{result["version"]}"'}
    if outcome.replayed:
        headers[idempotency.REPLAYED_HEADER] = "true"
    return JSONResponse(result, status_code=status, headers=headers)


def _endpoint(spec: CommandSpec) -> Callable[..., Awaitable[JSONResponse]]:
    async def post_command(
        request: Request,
        lg: Ledger,
        token: BearerToken,
        wait: Annotated[Literal["checkpoint"] | None, Query(description=command_docs.WAIT)] = None,
        if_match: Annotated[str | None, Header(alias="If-Match", description=command_docs.IF_MATCH)] = None,
        idempotency_key: Annotated[
            str | None, Header(alias=idempotency.KEY_HEADER, description=command_docs.IDEMPOTENCY_KEY)
        ] = None,
    ) -> JSONResponse:
        return await answer(request, lg, spec, token, wait, if_match, idempotency_key)

    post_command.__name__ = f"post_{spec.name.replace('.', '_')}"
    return post_command


def commands_router() -> APIRouter:
    """``GET /commands``, ``GET /commands/schema`` and one ``POST`` route per command of the
    catalogue as it is now (it is fixed at import: the permission table and the aggregates)."""
    router = APIRouter(prefix="/commands")
    specs = dict(catalogue())

    @router.get("", tags=["commands"], summary="Every command: who may issue it, its route and summary")
    def list_commands() -> dict[str, Any]:
        return {"commands": [command_docs.listing(spec) for spec in specs.values()]}

    @router.get("/schema", tags=["commands"],
                summary="JSON Schema (2020-12) of a command line: one of every command's envelopes")
    def schema() -> dict[str, Any]:
        return json_schema(tuple(specs))

    examples = command_docs.demo_examples()
    responses = {**command_docs.RESPONSES, 202: {**command_docs.RESPONSES[202], "model": CommandResult}}
    for spec in specs.values():
        router.add_api_route(
            f"/{spec.name}", _endpoint(spec), methods=["POST"], status_code=201,
            response_model=CommandResult, tags=[spec.aggregate.__name__],
            summary=spec.name, description=command_docs.description(spec),
            operation_id=f"command_{spec.name.replace('.', '_')}",
            response_description="Recorded: every event appended, signed; `ETag` the aggregate's version",
            responses=responses,
            openapi_extra=command_docs.request_body(spec, examples.get(spec.name)),
        )
    return router


router = commands_router()
