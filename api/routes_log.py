"""The verifiable log over HTTP: checkpoint (with witness cosignatures), entries, proofs; and
``POST /log/cosignatures``, where witnesses hand back their cosignatures (c2sp.org/tlog-cosignature).

Posting needs no token: a cosignature is accepted only if it is by a witness an administrator
registered (``akledger witness add``) and verifies over a checkpoint the ledger signed.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from api import log_service
from api.deps import get_ledger
from api.problems import RequestRefusedError, problem_response
from ledger.application import AKLedger
from ledger.log.cosignatures import CosignatureRefusedError
from signing.note import MAX_SIGNATURES

router = APIRouter(prefix="/log", tags=["log"], responses={404: problem_response("No such entry")})
Ledger = Annotated[AKLedger, Depends(get_ledger)]
MAX_INDEX = 2**62  # keeps every integer inside the database's BIGINT


@router.get(
    "/checkpoint",
    response_class=PlainTextResponse,
    summary="The latest signed checkpoint (C2SP tlog-checkpoint in a signed note), verbatim, followed "
    "by the witness cosignatures the ledger holds for it (c2sp.org/tlog-cosignature)",
)
def checkpoint(lg: Ledger) -> PlainTextResponse:
    return PlainTextResponse(log_service.cosigned_checkpoint(lg))


@router.get("/entries/{index}", summary="One entry: the exact leaf input, base64")
def entry(lg: Ledger, index: Annotated[int, Path(ge=0, le=MAX_INDEX)]) -> dict[str, Any]:
    return log_service.entry_json(lg, index)


@router.get("/proof/inclusion", summary="RFC 9162 inclusion proof for leaf `index` in tree `size`")
def inclusion(
    lg: Ledger,
    index: Annotated[int, Query(ge=0, le=MAX_INDEX)],
    size: Annotated[int | None, Query(ge=1, le=MAX_INDEX)] = None,
) -> dict[str, Any]:
    return log_service.inclusion_json(lg, index, size)


@router.get("/proof/consistency", summary="RFC 9162 consistency proof between two tree sizes")
def consistency(
    lg: Ledger,
    first: Annotated[int, Query(ge=0, le=MAX_INDEX)],
    second: Annotated[int, Query(ge=0, le=MAX_INDEX)],
) -> dict[str, Any]:
    if first > second:  # malformed, not absent: 422 like any other invalid parameter
        raise RequestValidationError([{
            "type": "less_than_equal", "loc": ("query", "first"), "input": first,
            "msg": f"Input should be less than or equal to second ({second})",
        }])
    return log_service.consistency_json(lg, first, second)


MAX_COSIGNATURE_BODY = 64 * 1024  # a checkpoint with 100 cosignature lines is under 16 KiB


class CosignaturesIn(BaseModel):
    """The JSON form: the tree size of the checkpoint cosigned and the signature lines."""

    model_config = ConfigDict(extra="forbid")
    size: int = Field(ge=0, le=MAX_INDEX)
    cosignatures: list[str] = Field(min_length=1, max_length=MAX_SIGNATURES)


_COSIGNATURES_BODY: dict[str, Any] = {
    "requestBody": {"required": True, "content": {
        "text/plain": {"schema": {"type": "string", "description":
            "the checkpoint as GET /log/checkpoint served it, with the witness's cosignature "
            "line(s) appended (a C2SP signed note)"}},
        "application/json": {"schema": CosignaturesIn.model_json_schema()},
    }},
}


@router.post(
    "/cosignatures",
    summary="Hand in witness cosignatures of one of the ledger's checkpoints (201 if any is new)",
    openapi_extra=_COSIGNATURES_BODY,
    responses={200: {"description": "every cosignature was already held"}},
    status_code=201,
)
async def post_cosignatures(lg: Ledger, request: Request) -> JSONResponse:
    body = await request.body()
    if len(body) > MAX_COSIGNATURE_BODY:
        raise RequestRefusedError(413, "Request too large", "body", f"more than {MAX_COSIGNATURE_BODY} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestRefusedError(422, "Invalid request", "body", f"not UTF-8: {exc.reason}") from None
    media = request.headers.get("content-type", "text/plain").split(";")[0].strip().lower()
    size: int | None
    lines: str | list[str]
    if media == "application/json":
        parsed = _json_body(text)
        size, lines = parsed.size, parsed.cosignatures
    elif media == "text/plain":
        size, lines = None, text
    else:
        raise RequestRefusedError(
            415, "Unsupported media type", "Content-Type",
            f"{media!r}: send text/plain (a cosigned checkpoint) or application/json")
    try:  # the database work off the event loop, as FastAPI does for the sync routes
        result = await run_in_threadpool(log_service.accept_cosignatures, lg, size, lines)
    except CosignatureRefusedError as exc:
        raise RequestRefusedError(422, "Cosignature refused", exc.field, exc.reason) from exc
    new = any(c["new"] for c in result["cosignatures"])
    return JSONResponse(result, status_code=201 if new else 200)


def _json_body(text: str) -> CosignaturesIn:
    try:
        return CosignaturesIn.model_validate(json.loads(text))
    except json.JSONDecodeError as exc:
        raise RequestRefusedError(422, "Invalid request", "body", f"not JSON: {exc.msg}") from None
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
