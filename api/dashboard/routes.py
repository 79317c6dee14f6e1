"""The dashboard's pages under ``/dashboard`` (issue 8 item 1): server-rendered, no script needed.

Every view page goes through ``page``: signed in (else 303 to the sign-in page, which comes back
here), the as-of picker read (``moment``), the ``facts`` projection caught up when it is behind
and nothing else is running it, one ``AsOf`` resolved for the whole page, then the view's
``boards`` function. Query parameters are read here rather than declared on the routes, so that a
bad one is shown on the page (4xx, naming the parameter) instead of answered in JSON:

==========================================  ===========================================
an as-of or filter that cannot be read      422 (``DashboardInputError``, ``AsOfError``)
a filter naming nothing recorded by then    404 (``phase``, ``dmc``)
the facts projection behind the position    503, with where it stands
==========================================  ===========================================
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.dashboard import boards, integrity, session
from api.dashboard.moment import POSITION, TIME, DashboardInputError, Moment, link, read_moment
from api.deps import get_ledger
from api.routes_queries import fresh
from ledger.application import AKLedger
from projections import dmct_queries
from projections.as_of import AsOf, AsOfError, ProjectionBehindError, resolve
from projections.queries import NotEvaluatedError, UnknownPhaseError

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(prefix="/dashboard", include_in_schema=False)

#: The views in the navigation: (path, title, what the page's boards function is).
Board = Callable[[AKLedger, AsOf, Any], dict[str, Any]]
VIEWS: tuple[tuple[str, str, Board | None], ...] = (
    ("integrity", "Integrity", None),
    ("thresholds", "Thresholds", boards.thresholds),
    ("exit-criteria", "Exit criteria", boards.exit_board),
    ("dmct", "DMCT Status List", boards.dmct),
    ("ttm", "TTM", boards.ttm),
    ("heatmap", "Heatmap", boards.heatmap),
    ("work-off", "Work Off Plans", boards.work_off),
    ("matters", "Matters", boards.matters),
    ("findings", "Findings", boards.findings),
)
_TITLES = {path: title for path, title, _ in VIEWS}


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status)


def page(request: Request, view: str) -> Response:
    """A view page for the signed-in principal, as of the moment its query string asks for."""
    lg = get_ledger(request)
    principal = session.signed_in(lg, request)
    if principal is None:
        return session.to_sign_in(request)
    params = request.query_params
    context: dict[str, Any] = {"view": view, "title": _TITLES[view], "principal": principal,
                               "nav": VIEWS, "moment": Moment(), "params": params, "link": link,
                               "phase_label": boards.phase_label,
                               "asked": {k: params.get(k, "") for k in (TIME, POSITION)}}
    context["filters"] = filters = {k: v for k, v in params.items() if k not in (TIME, POSITION) and v}
    context["latest"] = link(f"/dashboard/{view}", Moment(), **filters)
    try:
        moment = context["moment"] = read_moment(params)
        state = fresh(request, lg)  # read, or catch up when no projector runs here (as the queries)
        projected, head = state.position, state.ledger_head
        at = resolve(lg.engine, moment.position, moment.time, moment.day)
        context.update(at=at, projected=projected, head=head,
                       phase_names={p.phase_id: boards.phase_label(p) for p in boards.phases(lg, at)})
        board = next(b for path, _, b in VIEWS if path == view)
        context.update(integrity.state(lg, request.app) if board is None else board(lg, at, params))
    except DashboardInputError as exc:
        return _problem(request, context, exc.status, exc.field, exc.reason)
    except AsOfError as exc:
        return _problem(request, context, 422, "as_of_position, as_of", str(exc))
    except UnknownPhaseError as exc:
        return _problem(request, context, 404, "phase", str(exc))
    except dmct_queries.UnknownDmcError as exc:
        return _problem(request, context, 404, "dmc", str(exc))
    except dmct_queries.UnknownEntryError as exc:
        return _problem(request, context, 404, "entry", str(exc))
    except NotEvaluatedError as exc:
        return _problem(request, context, 422, "phase", str(exc))
    except ProjectionBehindError as exc:
        return _problem(request, context, 503, "as_of_position, as_of", f"{exc}; try again shortly")
    return _render(request, f"{view}.html", context)


def _problem(request: Request, context: dict[str, Any], status: int, field: str, reason: str) -> Response:
    context.update(error={"field": field, "reason": reason, "status": status})
    return _render(request, "problem.html", context, status)


# -- sign-in ---------------------------------------------------------------------------------------


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    return _render(request, "sign_in.html", {"next": session.safe_next(request.query_params.get("next"))})


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    """Accept a principal's token: the cookie set, then back to the page asked for (303)."""
    lg = get_ledger(request)
    target = session.safe_next(request.query_params.get("next"))
    try:
        form = await session.read_form(request)
        target = session.safe_next(form.get("next") or target)
        await run_in_threadpool(session.check_token, lg, form.get("token", ""))
    except session.SignInRefusedError as exc:
        return _render(request, "sign_in.html", {"next": target, "error": exc}, exc.status)
    response = RedirectResponse(target, status_code=303)
    session.remember(response, request, form["token"])
    return response


@router.post("/sign-out")
def sign_out() -> Response:
    response = RedirectResponse(session.SIGN_IN, status_code=303)
    session.forget(response)
    return response


# -- the views -------------------------------------------------------------------------------------


@router.get("")
def home(request: Request) -> Response:
    return RedirectResponse(link("/dashboard/integrity", _moment_or_latest(request)), status_code=303)


def _moment_or_latest(request: Request) -> Moment:
    try:
        return read_moment(request.query_params)
    except DashboardInputError:
        return Moment()


@router.post("/integrity/verify")
def verify(request: Request) -> Response:
    """Run a bounded verify now (``integrity``) and show the integrity page with its result."""
    lg = get_ledger(request)
    principal = session.signed_in(lg, request)
    if principal is None:  # back to the page, not to this action
        return RedirectResponse(f"{session.SIGN_IN}?next=/dashboard/integrity", status_code=303)
    integrity.verify_now(lg, request.app, principal.name)
    return RedirectResponse("/dashboard/integrity", status_code=303)


def _view(path: str) -> Callable[[Request], Response]:
    def show(request: Request) -> Response:
        return page(request, path)

    show.__name__ = f"dashboard_{path.replace('-', '_')}"
    return show


for _path, _title, _ in VIEWS:
    router.add_api_route(f"/{_path}", _view(_path), methods=["GET"], name=f"dashboard-{_path}",
                         summary=_title)


__all__ = ["VIEWS", "page", "router", "templates"]
