"""The verifiable log over HTTP: checkpoint, entries, proofs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse

from api import log_service
from api.deps import get_ledger
from ledger.application import AKLedger

router = APIRouter(prefix="/log", tags=["log"])
Ledger = Annotated[AKLedger, Depends(get_ledger)]
MAX_INDEX = 2**62  # keeps every integer inside the database's BIGINT


@router.get(
    "/checkpoint",
    response_class=PlainTextResponse,
    summary="The latest signed checkpoint (C2SP tlog-checkpoint in a signed note), verbatim",
)
def checkpoint(lg: Ledger) -> PlainTextResponse:
    return PlainTextResponse(log_service.latest_checkpoint(lg).note)


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
