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

Kept answers (issue 6: query latency): the ledger's history is immutable, so an answer as of a
position never changes; it depends on the route, its filters, the position and the day judged on
(``query_service.AnswerKey``) and on nothing else. Each worker keeps answers by that key in a
bounded LRU (``api.answer_cache``), looked up after authentication (a request without a valid
token is refused before), with the position resolved from where the read model stands (the two
small queries ``fresh`` makes anyway; an ``as_of`` time costs one more): a new event moves the
latest to a new key, so nothing is ever invalidated. ``AKLedger-Answer-Cache`` says ``hit`` or
``miss``. For HTTP caches, every answer carries a strong ``ETag`` (the key and ``read_model``: the
body is a function of both) and ``Cache-Control``: ``private, max-age=31536000, immutable`` for
an ``as_of_position`` the read model has reached, ``private, no-cache`` for what moves with the
ledger (the latest, an ``as_of`` time, a position beyond the head); ``If-None-Match`` naming the
body's tag is answered 304 with no body.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import field, make_dataclass
from importlib.metadata import version as distribution_version
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api import query_service as service
from api.answer_cache import IMMUTABLE, REVALIDATE, AnswerCache, none_match, strong_etag
from api.auth import Authenticated
from api.deps import get_ledger
from api.problems import RequestRefusedError, problem_response
from api.query_examples import EXAMPLES
from api.query_service import AnswerKey, AsOfAsked, Filter, QueryInputError, ReadModel
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
CACHE_HEADER = "AKLedger-Answer-Cache"  # hit: answered from this worker's answer cache; miss: computed
#: The rules' release: an entity tag names an answer as this release computes it.
RELEASE = distribution_version("akledger")
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


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


#: The validators and cache policy of every answer (``answer``), for OpenAPI.
ANSWER_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": _header("Strong entity tag of this body: the answer's key (route, filters, position, day "
                    "judged on) and `read_model`; give it in `If-None-Match` to be answered 304 while "
                    "neither has changed"),
    "Cache-Control": _header(f"`{IMMUTABLE}` for an answer as of the `as_of_position` asked for (the "
                             f"ledger's history never changes, so neither does it); `{REVALIDATE}` for "
                             "the latest, an `as_of` time or a position beyond the head (ask again with "
                             "`If-None-Match`)"),
    CACHE_HEADER: _header("`hit`: answered from this worker's answer cache; `miss`: computed"),
}
NOT_MODIFIED: dict[str, Any] = {
    "description": "`If-None-Match` names this body's entity tag: the copy held is still the answer; "
                   "no body",
    "headers": {name: ANSWER_HEADERS[name] for name in ("ETag", "Cache-Control")},
}
IF_NONE_MATCH: dict[str, Any] = {
    "name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
    "description": "Entity tags of copies held (RFC 9110 §13.1.2): 304 if one is this body's",
}


def _route(path: str, answer: type, summary: str, *, filters: bool = True) -> Callable[[Any], Any]:
    """Register a GET route answering with ``answer``'s JSON, its example, its validators and cache
    policy (``ANSWER_HEADERS``; 304 for ``If-None-Match``), and its problems."""
    example = EXAMPLES[path]
    responses: dict[int | str, dict[str, Any]] = {
        304: NOT_MODIFIED, **QUERY_ERRORS, **({404: _NOT_FOUND} if filters else {})}
    return router.get(
        f"/{path}", summary=summary, response_model=_response_type(answer), responses=responses,
        response_description=f"The answer as of its position (`as_of`) and where the read model stood "
        f"(`read_model`); as `akledger query {path} --json` prints it, plus `read_model`",
        openapi_extra={"parameters": [IF_NONE_MATCH], "responses": {"200": {
            "headers": ANSWER_HEADERS, "content": {"application/json": {"example": example}}}}},
        operation_id=f"query_{path.replace('-', '_')}",
    )


# -- answering -------------------------------------------------------------------------------------


def answer(
    request: Request, lg: AKLedger, filters: Mapping[str, Filter], query: Callable[[AsOfAsked], Any],
    position: int | None, when: str | None, on: str | None = None,
) -> Response:
    """``query``'s answer as of what was asked, with where the read model stood; a refusal as a
    problem naming the query parameter. ``filters`` must hold every parameter of the route but the
    as-of ones that can change the answer: the answer is kept by its key (``query_service.
    AnswerKey``: the route's path, ``filters``, position and day judged on) and answered from this
    process's ``answer_cache`` while the read model stands there; an ``If-None-Match`` naming the
    body's entity tag is answered 304."""
    report = request.url.path
    at = _read_as_of(position, when, on)
    state = fresh(request, lg)
    with _refusals(at):
        expected = service.expected_key(lg, report, filters, at, state)
    held = request.headers.get("if-none-match")
    if expected is not None and none_match(held, tag := etag(lg, expected, state)):
        return _not_modified(tag, _cache_control(expected, at))  # whether or not this worker keeps it
    key, body, outcome = _kept_or_computed(answer_cache(request), expected, report, filters, at, query)
    tag = etag(lg, key, state)
    if outcome == "miss" and none_match(held, tag):
        return _not_modified(tag, _cache_control(key, at))
    return _answered(body, state, tag, _cache_control(key, at), outcome)


def _kept_or_computed(
    store: AnswerCache, expected: AnswerKey | None, report: str, filters: Mapping[str, Filter], at: AsOfAsked,
    query: Callable[[AsOfAsked], Any],
) -> tuple[AnswerKey, bytes, str]:
    """The answer kept under ``expected`` ("hit"), or computed and kept under its own key ("miss":
    the key it has, should the read model have moved meanwhile). One thread at a time computes
    an expected key; the others asking for it wait and find it kept."""
    with nullcontext() if expected is None else store.computing(expected):
        if expected is not None and (kept := store.get(expected)) is not None:
            return expected, kept, "hit"
        with _refusals(at):
            found = query(at)
        key = service.answer_key(report, filters, at, found.as_of)
        body = _json(as_json(found))
        store.put(key, body)
        return key, body, "miss"


def answered(
    request: Request, lg: AKLedger, query: Callable[[AsOfAsked], Any], position: int | None,
    when: str | None, on: str | None = None,
) -> tuple[Any, ReadModel]:
    """``query``'s answer as of what was asked, and where the read model stood, uncached (the
    reports, ``api.routes_reports``); raises ``RequestRefusedError`` naming the query parameter."""
    at = _read_as_of(position, when, on)
    state = fresh(request, lg)
    with _refusals(at):
        return query(at), state


def _read_as_of(position: int | None, when: str | None, on: str | None) -> AsOfAsked:
    try:
        return service.read_as_of(position, when, on)
    except QueryInputError as exc:
        raise RequestRefusedError(422, "Invalid query", exc.parameters, exc.reason) from None


@contextmanager
def _refusals(at: AsOfAsked) -> Iterator[None]:
    """A query's errors as the problems they answer with, naming the query parameter."""
    try:
        yield
    except ProjectionBehindError as exc:
        raise RequestRefusedError(503, "Read model behind", service.parameter_of(exc, at), str(exc),
                                  {"Retry-After": RETRY_AFTER}, projected_position=exc.position) from None
    except NotEvaluatedError as exc:
        raise RequestRefusedError(422, "Not evaluated here", "phase", str(exc)) from None
    except QueryError as exc:
        status = 404 if isinstance(exc, LookupError) else 422
        raise RequestRefusedError(status, "Not found" if status == 404 else "Invalid query",
                                  service.parameter_of(exc, at) or ("query",), str(exc)) from None


def fresh(request: Request, lg: AKLedger) -> ReadModel:
    """Where the ``facts`` projection stands: read only, when this server's projector keeps it up
    to date; else caught up first (unless another runner holds it)."""
    projector = getattr(request.app.state, "projector", None)
    if projector is not None and projector.health.state != "stopped":
        return service.read_model(lg)
    return service.catch_up(lg)


# -- keeping answers (issue 6: query latency) ------------------------------------------------------


def answer_cache(request: Request) -> AnswerCache:
    found = request.app.state.answer_cache  # made with the app (``api.http.create_app``)
    assert isinstance(found, AnswerCache)
    return found


def etag(lg: AKLedger, key: AnswerKey, state: ReadModel) -> str:
    """The strong entity tag of the body answering ``key`` with the read model at ``state``: the
    body is the key's answer (this release's rules on this ledger) plus ``read_model``."""
    return strong_etag(RELEASE, lg.settings.log_origin, key, state)


def _cache_control(key: AnswerKey, at: AsOfAsked) -> str:
    """``IMMUTABLE`` for an answer as of the position asked for (reached by the read model, and
    judged on a given day or its position's); ``REVALIDATE`` for the latest, an as-of time (a
    time near now can come to name a later position) or a position beyond the head."""
    fixed = at.position is not None and key.position == at.position
    return IMMUTABLE if fixed and (key.judged_on is None or at.day is not None) else REVALIDATE


def _answered(answer: bytes, state: ReadModel, tag: str, control: str, outcome: str) -> Response:
    """``answer`` with ``read_model``, as ``JSONResponse`` would render ``{**answer, "read_model": ...}``
    (an answer has no ``read_model`` member of its own)."""
    body = answer[:-1] + b',"read_model":' + _json(as_json(state)) + b"}"
    return Response(body, media_type="application/json",
                    headers={"ETag": tag, "Cache-Control": control, CACHE_HEADER: outcome})


def _not_modified(tag: str, control: str) -> Response:
    # RFC 9110 §15.4.5: the validators and Cache-Control a 200 would carry, no body.
    return Response(status_code=304, headers={"ETag": tag, "Cache-Control": control})


def _json(value: object) -> bytes:
    """``value`` as ``JSONResponse`` renders it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


# -- the reports -----------------------------------------------------------------------------------


@_route("thresholds", ThresholdsAnswer,
        "Testing Issue Threshold counts gating a phase, each against its limit (Tables 13.2, 13.3)")
def thresholds(request: Request, lg: Ledger, _: Authenticated, phase: Phase, as_of_position: Position = None,
               as_of: Time = None) -> Response:
    return answer(request, lg, {"phase": phase}, lambda at: service.thresholds(lg, phase, at),
                  as_of_position, as_of)


@_route("exit-criteria", ExitAnswer, "Exit Criteria of a PIT or SIT phase, each with its verdict "
        "(§12.9; Table 13.1)")
def exit_criteria(
    request: Request, lg: Ledger, _: Authenticated, phase: Phase,
    require_evidence: Annotated[bool, Query(description="A criterion whose Table 13.1 evidence is not "
                                                        "recorded is NOT_EVIDENCED.")] = False,
    as_of_position: Position = None, as_of: Time = None,
) -> Response:
    return answer(request, lg, {"phase": phase, "require_evidence": require_evidence},
                  lambda at: service.exit_criteria(lg, phase, at, require_evidence), as_of_position, as_of)


@_route("ttm", TtmAnswer, "Requirement -> scenario -> planned test -> latest run for a phase (§11.1)")
def ttm(request: Request, lg: Ledger, _: Authenticated, phase: Phase, as_of_position: Position = None,
        as_of: Time = None) -> Response:
    return answer(request, lg, {"phase": phase}, lambda at: service.ttm(lg, phase, at),
                  as_of_position, as_of)


@_route("heatmap", HeatmapAnswer, "Functional group x DMC: planned tests and their latest results "
        "(Table 13.1 #7)")
def heatmap(request: Request, lg: Ledger, _: Authenticated, phase: PhaseFilter = None, dmc: Dmc = None,
            as_of_position: Position = None, as_of: Time = None) -> Response:
    return answer(request, lg, {"phase": phase, "dmc": dmc},
                  lambda at: service.heatmap(lg, phase, dmc, at), as_of_position, as_of)


@_route("work-off", WorkOffAnswer, "Work Off Plan items and their deadlines: overdue, resolved late "
        "(§15.1-15.2)")
def work_off(request: Request, lg: Ledger, _: Authenticated, phase: PhaseFilter = None,
             as_of_position: Position = None, as_of: Time = None, on: On = None) -> Response:
    return answer(request, lg, {"phase": phase}, lambda at: service.work_off(lg, phase, at),
                  as_of_position, as_of, on)


@_route("matters", MattersAnswer, "Disputes and referrals: open, lapsed, determined, withdrawn",
        filters=False)
def matters(request: Request, lg: Ledger, _: Authenticated, as_of_position: Position = None,
            as_of: Time = None, on: On = None) -> Response:
    return answer(request, lg, {}, lambda at: service.matters(lg, at), as_of_position, as_of, on)


@_route("findings", FindingsAnswer, "Compliance findings: each names the clause breached and the events "
        "that show it", filters=False)
def findings(request: Request, lg: Ledger, _: Authenticated, as_of_position: Position = None,
             as_of: Time = None, on: On = None) -> Response:
    return answer(request, lg, {}, lambda at: service.findings(lg, at), as_of_position, as_of, on)


@_route("dmct-status", DmctStatusAnswer, "The DMCT Status List: each DMC and planned EPCL entry, its "
        "status, clause basis and open Supplier clocks (§20.8, §20.12, §20.37)")
def dmct_status(request: Request, lg: Ledger, _: Authenticated, dmc: Dmc = None,
                as_of_position: Position = None, as_of: Time = None, on: On = None) -> Response:
    return answer(request, lg, {"dmc": dmc}, lambda at: service.dmct_status(lg, dmc, at),
                  as_of_position, as_of, on)


@_route("dmct-schedule", DmctScheduleAnswer, "The DMCT Schedule in force and its change log against the "
        "previous publication (§20.9-20.10)")
def dmct_schedule(
    request: Request, lg: Ledger, _: Authenticated, dmc: Dmc = None,
    version: Annotated[int | None, Query(ge=1, le=service.MAX_POSITION,
                                         description="This publication instead of the latest.")] = None,
    as_of_position: Position = None, as_of: Time = None,
) -> Response:
    return answer(request, lg, {"dmc": dmc, "version": version},
                  lambda at: service.dmct_schedule(lg, dmc, version, at), as_of_position, as_of)


@_route("dmct-thresholds", DmctThresholdsAnswer, "Table 20.1 for a planned EPCL entry: the entry and the "
        "aggregate across DMCT (§20.28)")
def dmct_thresholds(
    request: Request, lg: Ledger, _: Authenticated,
    entry: Annotated[str, Query(description="The planned EPCL entry's id.", examples=["EPCL-206"])],
    as_of_position: Position = None, as_of: Time = None,
) -> Response:
    return answer(request, lg, {"entry": entry},
                  lambda at: service.dmct_thresholds(lg, entry, at), as_of_position, as_of)


@_route("dmct-completion", DmctCompletionAnswer, "Whether DMCT testing of each planned EPCL entry has "
        "completed, successfully or not (§20.32, §20.33, A25), beside the DCC's recorded completion")
def dmct_completion(
    request: Request, lg: Ledger, _: Authenticated,
    entry: Annotated[str | None, Query(description="Only this planned EPCL entry.",
                                       examples=["EPCL-206"])] = None,
    as_of_position: Position = None, as_of: Time = None,
) -> Response:
    return answer(request, lg, {"entry": entry},
                  lambda at: completion_query(lg.engine, entry, as_of_position=at.position, as_of=at.time),
                  as_of_position, as_of)


__all__ = ["router"]
