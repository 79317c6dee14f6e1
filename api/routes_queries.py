"""The read side over HTTP (issue 6 items 1 and 5): ``GET /queries/...``, one route per report.

The reports are ``akledger query``'s (``api.query_service``, shared with ``api.cli_query``), with
the same filters, and each answers "as of": ``as_of_position`` (a ledger position, 0 or more) or
``as_of`` (ISO 8601 with an offset; the last position the ledger had reached by then), neither
meaning the latest; the day-judged ones (work-off, matters, findings, dmct-status) also take
``on`` (the day deadlines are judged on). The body is the answer as the CLI's ``--json`` prints
it (``fact_codec.as_json``), whose ``as_of`` states the position, when the ledger reached it and
the day judged, plus ``read_model``: where the ``facts`` projection stood against the ledger's
head when the request was answered (``caught_up`` false: the latest answer is as of where the
projection is, ``lag`` events short of the head).

Freshness: a server that runs the projections in-process (``akledger serve``) keeps ``facts``
up to date in its own thread, and a request only reads it; without them (``--no-integrator``)
a request first applies what the projection lacks, unless another runner (``akledger
projector``) holds it. Queries are sync routes: they run in the threadpool, never on the event
loop.

Any enabled principal may read (a bearer token, ``api.auth``; 401 without). Refusals are RFC
9457 problems naming the query parameter: 404 for a ``phase``/``dmc``/``entry``/``version``
that names nothing recorded as of the position; 422 for an as-of or ``on`` that cannot be read,
both ``as_of_position`` and ``as_of``, or a phase whose kind has no criteria here (its TAD sets
them, §12.3); 503 with ``Retry-After`` when the read model has not yet applied the ledger up to
the position or time asked for (the answer would be incomplete: ask again shortly). A position
beyond the ledger's head answers as of the head (the body says which position).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field, make_dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from api import query_service as service
from api.auth import Authenticated
from api.deps import get_ledger
from api.problems import RequestRefusedError, problem_response
from api.query_examples import EXAMPLES
from api.query_service import AsOfAsked, QueryInputError, ReadModel
from ledger.application import AKLedger
from ledger.demo import IOC_SIT
from projections.as_of import ProjectionBehindError, QueryError
from projections.dmct_completion_queries import DmctCompletionAnswer
from projections.dmct_completion_queries import dmct_completion as completion_query
from projections.dmct_queries import DmctScheduleAnswer, DmctStatusAnswer, DmctThresholdsAnswer
from projections.fact_codec import encode as as_json
from projections.queries import (
    ExitAnswer,
    FindingsAnswer,
    HeatmapAnswer,
    MattersAnswer,
    NotEvaluatedError,
    ThresholdsAnswer,
    TtmAnswer,
    WorkOffAnswer,
)

Ledger = Annotated[AKLedger, Depends(get_ledger)]
RETRY_AFTER = "1"  # seconds: the projector applies a batch well within it
router = APIRouter(prefix="/queries", tags=["queries"])

# -- the parameters --------------------------------------------------------------------------------

Position = Annotated[int | None, Query(
    ge=0, le=service.MAX_POSITION, description="As of this ledger position (a notification id); "
    "not with `as_of`. Neither: the latest position the read model has applied.")]
Time = Annotated[str | None, Query(
    description="As of the last position the ledger had reached by this time (ISO 8601 with an offset); "
    "not with `as_of_position`.", json_schema_extra={"format": "date-time"},
    examples=["2026-07-01T12:00:00+01:00"])]
On = Annotated[str | None, Query(
    description="Judge deadlines on this day (YYYY-MM-DD; default: the day of `as_of`, or of the position).",
    json_schema_extra={"format": "date"}, examples=["2026-11-25"])]
Phase = Annotated[str, Query(description="The Test Phase's id.", examples=[IOC_SIT])]
PhaseFilter = Annotated[str | None, Query(description="Only this Test Phase.")]
Dmc = Annotated[str | None, Query(description="Only this DMC.")]

QUERY_ERRORS: dict[int | str, dict[str, Any]] = {
    401: problem_response("No valid bearer token (`WWW-Authenticate: Bearer`)"),
    403: problem_response("The token's principal is disabled"),
    422: problem_response("An as-of or `on` that cannot be read, both `as_of_position` and `as_of`, or "
                          "a phase whose kind has no exit criteria here; `errors` names the query parameter"),
    503: problem_response("The read model has not yet applied the ledger up to the position or time asked "
                          "for (`Retry-After`), or it has stopped at an event it cannot apply"),
}
_NOT_FOUND = problem_response("The filter names nothing recorded as of the position; `errors` names it")


def _response_type(answer: type) -> type:
    """``answer`` with the ``read_model`` member each response adds: for OpenAPI."""
    name = answer.__name__.removesuffix("Answer") + "Response"
    return make_dataclass(name, [("read_model", ReadModel, field(kw_only=True))], bases=(answer,),
                          frozen=True)


def _route(path: str, answer: type, summary: str, *, filters: bool = True) -> Callable[[Any], Any]:
    """Register a GET route answering with ``answer``'s JSON, its example, and its problems."""
    example = EXAMPLES[path]
    responses: dict[int | str, dict[str, Any]] = {**QUERY_ERRORS, **({404: _NOT_FOUND} if filters else {})}
    return router.get(
        f"/{path}", summary=summary, response_model=_response_type(answer), responses=responses,
        response_description=f"The answer as of its position (`as_of`) and where the read model stood "
        f"(`read_model`); as `akledger query {path} --json` prints it, plus `read_model`",
        openapi_extra={"responses": {"200": {"content": {"application/json": {"example": example}}}}},
        operation_id=f"query_{path.replace('-', '_')}",
    )


# -- answering -------------------------------------------------------------------------------------


def answer(
    request: Request, lg: AKLedger, query: Callable[[AsOfAsked], Any], position: int | None,
    when: str | None, on: str | None = None,
) -> JSONResponse:
    """``query``'s answer as of what was asked, with where the read model stood; a refusal as a
    problem naming the query parameter."""
    found, state = answered(request, lg, query, position, when, on)
    return JSONResponse({**as_json(found), "read_model": as_json(state)})


def answered(
    request: Request, lg: AKLedger, query: Callable[[AsOfAsked], Any], position: int | None,
    when: str | None, on: str | None = None,
) -> tuple[Any, ReadModel]:
    """``query``'s answer as of what was asked, and where the read model stood (``answer``);
    raises ``RequestRefusedError`` naming the query parameter."""
    try:
        at = service.read_as_of(position, when, on)
    except QueryInputError as exc:
        raise RequestRefusedError(422, "Invalid query", exc.parameters, exc.reason) from None
    state = fresh(request, lg)
    try:
        found = query(at)
    except ProjectionBehindError as exc:
        raise RequestRefusedError(503, "Read model behind", service.parameter_of(exc, at), str(exc),
                                  {"Retry-After": RETRY_AFTER}, projected_position=exc.position) from None
    except NotEvaluatedError as exc:
        raise RequestRefusedError(422, "Not evaluated here", "phase", str(exc)) from None
    except QueryError as exc:
        status = 404 if isinstance(exc, LookupError) else 422
        raise RequestRefusedError(status, "Not found" if status == 404 else "Invalid query",
                                  service.parameter_of(exc, at) or ("query",), str(exc)) from None
    return found, state


def fresh(request: Request, lg: AKLedger) -> ReadModel:
    """Where the ``facts`` projection stands: read only, when this server's projector keeps it up
    to date; else caught up first (unless another runner holds it)."""
    projector = getattr(request.app.state, "projector", None)
    if projector is not None and projector.health.state != "stopped":
        return service.read_model(lg)
    return service.catch_up(lg)


# -- the reports -----------------------------------------------------------------------------------


@_route("thresholds", ThresholdsAnswer,
        "Testing Issue Threshold counts gating a phase, each against its limit (Tables 13.2, 13.3)")
def thresholds(request: Request, lg: Ledger, _: Authenticated, phase: Phase, as_of_position: Position = None,
               as_of: Time = None) -> JSONResponse:
    return answer(request, lg, lambda at: service.thresholds(lg, phase, at), as_of_position, as_of)


@_route("exit-criteria", ExitAnswer, "Exit Criteria of a PIT or SIT phase, each with its verdict "
        "(§12.9; Table 13.1)")
def exit_criteria(
    request: Request, lg: Ledger, _: Authenticated, phase: Phase,
    require_evidence: Annotated[bool, Query(description="A criterion whose Table 13.1 evidence is not "
                                                        "recorded is NOT_EVIDENCED.")] = False,
    as_of_position: Position = None, as_of: Time = None,
) -> JSONResponse:
    return answer(request, lg, lambda at: service.exit_criteria(lg, phase, at, require_evidence),
                  as_of_position, as_of)


@_route("ttm", TtmAnswer, "Requirement -> scenario -> planned test -> latest run for a phase (§11.1)")
def ttm(request: Request, lg: Ledger, _: Authenticated, phase: Phase, as_of_position: Position = None,
        as_of: Time = None) -> JSONResponse:
    return answer(request, lg, lambda at: service.ttm(lg, phase, at), as_of_position, as_of)


@_route("heatmap", HeatmapAnswer, "Functional group x DMC: planned tests and their latest results "
        "(Table 13.1 #7)")
def heatmap(request: Request, lg: Ledger, _: Authenticated, phase: PhaseFilter = None, dmc: Dmc = None,
            as_of_position: Position = None, as_of: Time = None) -> JSONResponse:
    return answer(request, lg, lambda at: service.heatmap(lg, phase, dmc, at), as_of_position, as_of)


@_route("work-off", WorkOffAnswer, "Work Off Plan items and their deadlines: overdue, resolved late "
        "(§15.1-15.2)")
def work_off(request: Request, lg: Ledger, _: Authenticated, phase: PhaseFilter = None,
             as_of_position: Position = None, as_of: Time = None, on: On = None) -> JSONResponse:
    return answer(request, lg, lambda at: service.work_off(lg, phase, at), as_of_position, as_of, on)


@_route("matters", MattersAnswer, "Disputes and referrals: open, lapsed, determined, withdrawn",
        filters=False)
def matters(request: Request, lg: Ledger, _: Authenticated, as_of_position: Position = None,
            as_of: Time = None, on: On = None) -> JSONResponse:
    return answer(request, lg, lambda at: service.matters(lg, at), as_of_position, as_of, on)


@_route("findings", FindingsAnswer, "Compliance findings: each names the clause breached and the events "
        "that show it", filters=False)
def findings(request: Request, lg: Ledger, _: Authenticated, as_of_position: Position = None,
             as_of: Time = None, on: On = None) -> JSONResponse:
    return answer(request, lg, lambda at: service.findings(lg, at), as_of_position, as_of, on)


@_route("dmct-status", DmctStatusAnswer, "The DMCT Status List: each DMC and planned EPCL entry, its "
        "status, clause basis and open Supplier clocks (§20.8, §20.12, §20.37)")
def dmct_status(request: Request, lg: Ledger, _: Authenticated, dmc: Dmc = None,
                as_of_position: Position = None, as_of: Time = None, on: On = None) -> JSONResponse:
    return answer(request, lg, lambda at: service.dmct_status(lg, dmc, at), as_of_position, as_of, on)


@_route("dmct-schedule", DmctScheduleAnswer, "The DMCT Schedule in force and its change log against the "
        "previous publication (§20.9-20.10)")
def dmct_schedule(
    request: Request, lg: Ledger, _: Authenticated, dmc: Dmc = None,
    version: Annotated[int | None, Query(ge=1, le=service.MAX_POSITION,
                                         description="This publication instead of the latest.")] = None,
    as_of_position: Position = None, as_of: Time = None,
) -> JSONResponse:
    return answer(request, lg, lambda at: service.dmct_schedule(lg, dmc, version, at), as_of_position, as_of)


@_route("dmct-thresholds", DmctThresholdsAnswer, "Table 20.1 for a planned EPCL entry: the entry and the "
        "aggregate across DMCT (§20.28)")
def dmct_thresholds(
    request: Request, lg: Ledger, _: Authenticated,
    entry: Annotated[str, Query(description="The planned EPCL entry's id.", examples=["EPCL-206"])],
    as_of_position: Position = None, as_of: Time = None,
) -> JSONResponse:
    return answer(request, lg, lambda at: service.dmct_thresholds(lg, entry, at), as_of_position, as_of)


@_route("dmct-completion", DmctCompletionAnswer, "Whether DMCT testing of each planned EPCL entry has "
        "completed, successfully or not (§20.32, §20.33, A25), beside the DCC's recorded completion")
def dmct_completion(
    request: Request, lg: Ledger, _: Authenticated,
    entry: Annotated[str | None, Query(description="Only this planned EPCL entry.",
                                       examples=["EPCL-206"])] = None,
    as_of_position: Position = None, as_of: Time = None,
) -> JSONResponse:
    return answer(request, lg, lambda at: completion_query(lg.engine, entry, as_of_position=at.position,
                                                           as_of=at.time), as_of_position, as_of)


__all__ = ["router"]
