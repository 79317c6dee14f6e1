"""The FastAPI application.

``POST /commands/<name>`` takes a shortcut past FastAPI's routing and dependency resolution
(``CommandPosts``): the appends are the hot path, and those came to about a fifth of the CPU a
worker spent on one (a scan of the ~160 routes, twice; the parameters resolved one by one).
``GET /queries/<report>`` takes another (``QueryGets``): an answer kept in the answer cache costs
little else, so the routing and two trips to the threadpool were most of its cost. The routes
stay, for the OpenAPI document and every request the shortcuts leave to them.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from functools import partial
from typing import Any, Literal, TypeGuard

import anyio.to_thread
from fastapi import FastAPI, Request, Response
from fastapi.dependencies.utils import request_params_to_args
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from api import (
    dashboard,
    idempotency,
    log_service,
    problems,
    routes_commands,
    routes_dossiers,
    routes_log,
    routes_queries,
    routes_reports,
)
from api.answer_cache import AnswerCache
from api.auth import authenticate, bearer_principal, bearer_scheme, presented_token
from api.deps import get_ledger, loop_limiter
from api.integrator_worker import WorkerStatus
from ledger.application import AKLedger
from ledger.commands.catalogue import catalogue
from ledger.errors import NotFoundError
from projections.registry import projections_for
from projections.tracking import status as projection_status


def create_app(
    lg: AKLedger, worker: WorkerStatus | None = None, projector: WorkerStatus | None = None
) -> FastAPI:
    """The API for ``lg``; ``worker`` is the in-process integrator and ``projector`` the
    in-process projection runner, if this process runs them."""
    app = FastAPI(
        title="AK Ledger",
        summary="A signed, event-sourced audit ledger for SMETS1 testing under SEC Appendix AK",
        version="0.1.0",
    )
    app.state.ledger = lg
    app.state.projector = projector  # routes_queries: read only while it keeps facts up to date
    app.state.answer_cache = AnswerCache()  # routes_queries: answers kept by their key
    projection_names = [p.name for p in projections_for(lg)]  # once, not per /health request
    problems.install(app)
    app.include_router(routes_log.router)
    app.include_router(routes_commands.router)
    app.include_router(routes_queries.router)
    app.include_router(routes_dossiers.router)
    app.include_router(routes_reports.router)
    app.include_router(dashboard.router)  # the auditor's pages
    app.mount(dashboard.STATIC_PATH, dashboard.static_files(), name="dashboard-static")
    app.add_middleware(CommandPosts, lg=lg, handlers=app.exception_handlers)
    app.add_middleware(QueryGets, lg=lg, handlers=app.exception_handlers, routes=routes_queries.router.routes)

    @app.get(
        "/health",
        tags=["health"],
        summary="Integrator and projections: state and lag; tree size; latest checkpoint "
        "(503 if the integrator or a projection stopped)",
    )
    def health(response: Response) -> dict[str, Any]:
        lag = log_service.pending(lg)
        size = log_service.tree_size(lg)
        try:
            latest = log_service.latest_checkpoint(lg)
            checkpoint: dict[str, Any] | None = {"size": latest.size, "key_id": latest.key_id}
        except NotFoundError:
            checkpoint = None
        state = worker.health if worker is not None else None
        status = "ok" if lag < 10_000 else "lagging"
        if state is not None and state.state != "running":
            status = f"integrator {state.state}"
            if state.state == "stopped":
                response.status_code = 503
        views = projection_status(lg.engine, projection_names)
        faulty = [v.name for v in views if v.fault is not None]
        running = projector.health if projector is not None else None
        if faulty or (running is not None and running.state == "stopped"):
            why = ", ".join(faulty) if faulty else str(running.error if running is not None else "")
            status = f"projection stopped: {why}"
            response.status_code = 503
        return {
            "status": status,
            "integrator": (
                {"state": "external"} if state is None
                else {"state": state.state, "last_error": state.error}
            ),
            "projections": {
                "runner": "external" if running is None else running.state,
                "last_error": None if running is None else running.error,
                "views": [
                    {"name": v.name, "position": v.position, "lag": v.lag,
                     "fault": None if v.fault is None else
                     {"position": v.fault.notification_id, "error": v.fault.error}}
                    for v in views
                ],
            },
            "origin": lg.settings.log_origin,
            "tree_size": size,
            "integrator_lag": lag,
            "latest_checkpoint": checkpoint,
        }

    return app


COMMANDS_PREFIX = "/commands/"
_WAITS: Mapping[bytes, Literal["checkpoint"] | None] = {b"": None, b"wait=checkpoint": "checkpoint"}


class CommandPosts:
    """ASGI middleware: a ``POST /commands/<name>`` of a command of the catalogue, with no query
    or only ``wait=checkpoint``, answered as its route answers it (``routes_commands.answer``,
    the token read by the route's own dependencies, the headers by the names it declares), an
    error by the app's own problem handlers (``api.problems``), the most specific first, as
    Starlette looks them up. Anything else (another query, path or method) goes on to FastAPI.

    It sits inside Starlette's outermost middleware, so an error without a handler is a 500 as
    before."""

    def __init__(self, app: ASGIApp, lg: AKLedger, handlers: Mapping[Any, Any]) -> None:
        self.app = app
        self.lg = lg
        self.handlers = handlers  # the app's, filled by ``problems.install``
        self.specs = dict(catalogue())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        spec = wait = None
        if scope["type"] == "http" and scope["method"] == "POST" and not scope.get("root_path"):
            path: str = scope["path"]
            if path.startswith(COMMANDS_PREFIX) and scope["query_string"] in _WAITS:
                spec = self.specs.get(path[len(COMMANDS_PREFIX):])
                wait = _WAITS[scope["query_string"]]
        if spec is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            token = await presented_token(await bearer_scheme(request))
            headers = request.headers
            response: Response = await routes_commands.answer(
                request, self.lg, spec, token, wait, headers.get("if-match"),
                headers.get(idempotency.KEY_HEADER.lower()),
            )
        except Exception as exc:
            response = await handled(self.handlers, request, exc)
        await response(scope, receive, send)


QUERIES_PREFIX = "/queries/"
#: Queries answered at once by a worker's threads (``QueryGets``); more wait for one to finish.
#: An answer kept is mostly Python under the GIL: 16 at once (16 clients) cost 2.5 ms of CPU a
#: request instead of 0.9 alone (threads contending; connections opened and closed beyond the
#: pool), so a few threads serve them better, and the pool keeps room for the commands'.
CONCURRENT_QUERIES = 4
#: The dependencies a query route may have for ``QueryGets`` to answer it: the ledger and the
#: authenticated principal, by the names the routes of ``api.routes_queries`` give them.
_QUERY_DEPENDENCIES = {"lg": get_ledger, "_": bearer_principal}


class QueryGets:
    """ASGI middleware: a ``GET /queries/<report>`` answered by its route's endpoint, called as
    FastAPI calls it: the query parameters validated by the route's own fields (any error, and
    any route that takes more than the ledger, the principal, the request and query parameters,
    is left to FastAPI, which answers it as before); the token read and checked as the route's
    dependencies check it (401/403 first, before any answer is looked at), in the one trip to the
    threadpool that then runs the endpoint (at most ``CONCURRENT_QUERIES`` at once); an error
    answered by the app's own problem handlers.
    Anything else goes on to FastAPI."""

    def __init__(
        self, app: ASGIApp, lg: AKLedger, handlers: Mapping[Any, Any], routes: list[BaseRoute]
    ) -> None:
        self.app = app
        self.lg = lg
        self.handlers = handlers  # the app's, filled by ``problems.install``
        self.routes = {route.path: route for route in routes if shortcut_query(route)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = None
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("root_path"):
            path: str = scope["path"]
            if path.startswith(QUERIES_PREFIX):
                route = self.routes.get(path)
        if route is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        values, errors = request_params_to_args(route.dependant.query_params, request.query_params)
        if errors:  # FastAPI's 422 (or 401 first), exactly as the route answers it
            await self.app(scope, receive, send)
            return
        try:
            token = await presented_token(await bearer_scheme(request))
            response = await anyio.to_thread.run_sync(
                partial(self._answer, route, request, token, values),
                limiter=loop_limiter("queries", CONCURRENT_QUERIES),
            )
        except Exception as exc:
            response = await handled(self.handlers, request, exc)
        await response(scope, receive, send)

    def _answer(self, route: APIRoute, request: Request, token: str, values: dict[str, Any]) -> Response:
        principal = authenticate(self.lg, token)
        answer: Response = route.endpoint(request=request, lg=self.lg, _=principal, **values)
        return answer


def shortcut_query(route: BaseRoute) -> TypeGuard[APIRoute]:
    """Whether ``QueryGets`` may answer ``route``: a GET of ``/queries/`` whose endpoint takes the
    request, the ledger, the principal and query parameters, nothing else."""
    if not isinstance(route, APIRoute) or route.methods != {"GET"}:
        return False
    if not route.path.startswith(QUERIES_PREFIX):
        return False
    dependant = route.dependant
    dependencies = {d.name: d.call for d in dependant.dependencies}
    return (
        dependencies == _QUERY_DEPENDENCIES and dependant.request_param_name == "request"
        and not (dependant.path_params or dependant.header_params or dependant.cookie_params
                 or dependant.body_params)
    )


async def handled(handlers: Mapping[Any, Any], request: Request, exc: Exception) -> Response:
    """``exc`` answered by the app's handler for it (the most specific first, as Starlette looks
    them up); re-raised if it has none (a 500, as before)."""
    handler = next((handlers[c] for c in type(exc).__mro__ if c in handlers), None)
    if handler is None:
        raise exc
    answered = handler(request, exc)
    response: Response = await answered if inspect.isawaitable(answered) else answered
    return response
