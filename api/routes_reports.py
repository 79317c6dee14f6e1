"""Reports over HTTP (issue 8 item 2): ``GET /reports/{name}`` as ``akledger report NAME`` computes
them (``projections.reports``), as of a position or time, as HTML (``format=html``, the default: a
page that opens with no script) or JSON (``format=json``). Each states the signed checkpoint it was
computed against (``checkpoint``: null while the integrator has not yet signed one covering the
position). Parameters, auth and refusals as ``GET /queries/...`` (``api.routes_queries``): any
enabled principal's bearer token; 404 for a phase recorded nowhere as of the position; 422 naming
a parameter that cannot be read; 503 while the read model is behind the position asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.auth import Authenticated
from api.problems import RequestRefusedError, problem_response
from api.query_service import AsOfAsked
from api.report_render import render_html
from api.routes_queries import QUERY_ERRORS, Ledger, On, Phase, Position, Time, answered
from ledger.application import AKLedger
from projections.as_of import resolve
from projections.fact_codec import encode as as_json
from projections.reports.dmct import dmct_draft
from projections.reports.model import Report
from projections.reports.sit import auditor_checklist, sit_completion
from projections.reports.weekly import weekly

router = APIRouter(prefix="/reports", tags=["reports"])
Format = Annotated[Literal["html", "json"], Query(description="html (default): a page; json: every row.")]
_RESPONSES: dict[int | str, dict[str, Any]] = {
    **QUERY_ERRORS,
    404: problem_response("The phase is recorded nowhere as of the position; `errors` names it"),
    200: {"content": {"text/html": {}, "application/json": {}},
          "description": "The report: clause items, each computed, documented, confirmed or not, or not "
                         "recorded, as of its position and checkpoint"},
}


def _report(
    request: Request, lg: AKLedger, build: Callable[[AsOfAsked], Report], position: int | None,
    when: str | None, on: str | None, shape: str,
) -> Response:
    report, state = answered(request, lg, build, position, when, on)
    if shape == "json":
        return JSONResponse({**as_json(report), "read_model": as_json(state)})
    return HTMLResponse(render_html(report))


def _at(lg: AKLedger, at: AsOfAsked) -> Any:
    return resolve(lg.engine, at.position, at.time, at.day)


@router.get("/sit-completion", response_class=Response, responses=_RESPONSES,
            summary="SIT Completion Report evidence pack of a phase (§9.4, §9.5, §13.16, Table 13.1)")
def sit_completion_report(
    request: Request, lg: Ledger, _: Authenticated, phase: Phase, as_of_position: Position = None,
    as_of: Time = None, on: On = None, format: Format = "html",
) -> Response:
    return _report(request, lg, lambda at: sit_completion(lg.engine, phase, _at(lg, at)),
                   as_of_position, as_of, on, format)


@router.get("/sit-auditor-checklist", response_class=Response, responses=_RESPONSES,
            summary="The SIT Auditor's §19.4(a)-(f) confirmations checked against the facts")
def sit_auditor_checklist(
    request: Request, lg: Ledger, _: Authenticated, phase: Phase, as_of_position: Position = None,
    as_of: Time = None, on: On = None, format: Format = "html",
) -> Response:
    return _report(request, lg, lambda at: auditor_checklist(lg.engine, phase, _at(lg, at)),
                   as_of_position, as_of, on, format)


@router.get("/dmct-draft", response_class=Response, responses=_RESPONSES,
            summary="A planned EPCL entry's draft DMCT Testing Report (§20.34/§20.35) checked against "
                    "its history")
def dmct_draft_report(
    request: Request, lg: Ledger, _: Authenticated,
    entry: Annotated[str, Query(description="The planned EPCL entry's id.", examples=["EPCL-206"])],
    as_of_position: Position = None, as_of: Time = None, format: Format = "html",
) -> Response:
    return _report(request, lg, lambda at: dmct_draft(lg, entry, _at(lg, at)), as_of_position, as_of, None,
                   format)


@router.get("/weekly", response_class=Response, responses=_RESPONSES,
            summary="Weekly test execution report (§16.1-16.3), anonymised unless anonymise=false")
def weekly_report(
    request: Request, lg: Ledger, _: Authenticated,
    week_ending: Annotated[str, Query(description="The last day of the week (YYYY-MM-DD).",
                                      json_schema_extra={"format": "date"}, examples=["2026-03-08"])],
    anonymise: Annotated[bool, Query(
        description="Pseudonyms for Service Providers and DMCs (§16.1).")] = True,
    as_of_position: Position = None, as_of: Time = None, format: Format = "html",
) -> Response:
    try:
        ending = date.fromisoformat(week_ending)
    except ValueError:
        raise RequestRefusedError(422, "Invalid query", "week_ending",
                                  f"{week_ending!r} is not a date (YYYY-MM-DD)") from None
    return _report(request, lg, lambda at: weekly(lg.engine, ending, _at(lg, at), anonymise=anonymise),
                   as_of_position, as_of, None, format)


__all__ = ["router"]
