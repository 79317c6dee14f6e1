"""RFC 9457 problem+json: the one place errors become HTTP responses.

Every problem names the input at fault in ``detail`` (``"<field>: <reason>"``) and, where there
is one, in ``errors`` (``[{"field", "reason"}]``): a query parameter, a header (``If-Match``,
``Idempotency-Key``, ``Authorization``, ``Content-Type``), ``body``, or a command's field as
``data.<name>``. The ledger's errors map as follows (issue 6):

============================================  ======================================
``AuthenticationError``, unknown principal     401, ``WWW-Authenticate: Bearer``
``PermissionDeniedError``                      403
``InvalidFieldError`` on ``data.target``       404 (no such aggregate)
``InvalidFieldError`` on ``status``            409 (impossible transition; names the allowed commands)
``VersionConflictError``, a lost save race     409 (``If-Match``, or ``data`` without one)
``CommandInputError``, other ``InvalidField``  422
``NotFoundError``                              404
``ConfigError``                                503
``ProjectionFailedError`` (a read model stopped) 503
============================================  ======================================

The queries (``api.routes_queries``) refuse with 404 (a filter naming nothing recorded as of the
position), 422 (an as-of that cannot be read) and 503 with ``Retry-After`` (the read model has
not reached the position asked for), each naming the query parameter. ``PROBLEM_SCHEMA`` is what
OpenAPI declares for a problem (``problem_response``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eventsourcing.persistence import RecordConflictError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from api.auth import AuthenticationError
from ledger.errors import (
    CommandInputError,
    ConfigError,
    InvalidFieldError,
    LedgerError,
    NotFoundError,
    PermissionDeniedError,
    UnknownPrincipalError,
    VersionConflictError,
)
from projections.errors import ProjectionFailedError

PROBLEM = "application/problem+json"
#: JSON Schema of every problem this API answers with (RFC 9457 §3; ``errors`` is ours).
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object", "title": "Problem",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string", "description": "`<field>: <reason>` where a field is at fault"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "reason"],
            "properties": {"field": {"type": "string"}, "reason": {"type": "string"}}}},
    },
}


def problem_response(description: str) -> dict[str, Any]:
    """An OpenAPI ``responses`` entry: an RFC 9457 problem (``application/problem+json``)."""
    return {"description": description, "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}}}


class RequestRefusedError(Exception):
    """A request refused before the ledger sees it (a header, the body's media type, size or
    syntax, a query parameter): ``status``, the ``field`` (or fields) at fault and why; any
    ``headers`` to send (``Retry-After``) and ``extra`` members of the problem."""

    def __init__(
        self, status: int, title: str, field: str | tuple[str, ...], reason: str,
        headers: Mapping[str, str] | None = None, **extra: Any,
    ) -> None:
        fields = (field,) if isinstance(field, str) else field
        super().__init__(f"{', '.join(fields)}: {reason}")
        self.status, self.title, self.fields, self.reason = status, title, fields, reason
        self.field = ", ".join(fields)
        self.headers, self.extra = headers, extra


def problem(
    status: int, title: str, detail: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def field_problem(
    status: int, title: str, field: str, reason: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return problem(status, title, f"{field}: {reason}", headers, errors=[{"field": field, "reason": reason}])


def _bearer_challenge(error: str | None) -> dict[str, str]:
    # RFC 6750 §3: no error code when the request carried no credentials at all.
    return {"WWW-Authenticate": 'Bearer realm="akledger"' + (f', error="{error}"' if error else "")}


def _invalid_field(exc: InvalidFieldError) -> JSONResponse:
    if isinstance(exc.__context__, RecordConflictError):  # lost a race to save the same aggregate
        return field_problem(409, "Conflict", exc.field, exc.reason)
    if exc.field == "data.target":
        return field_problem(404, "Not found", exc.field, exc.reason)
    if exc.field == "status":
        return field_problem(409, "Conflict", exc.field, exc.reason)
    return field_problem(422, "Invalid command", exc.field, exc.reason)


def install(app: FastAPI) -> None:
    """The handlers below, and the 422 problem declared in OpenAPI for every route added after
    this (FastAPI would otherwise declare its own ``HTTPValidationError`` JSON, which it never
    sends here)."""
    app.router.responses.setdefault(422, problem_response(
        "A parameter, header or body does not fit its schema; `errors` names it"))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"] if p not in ("query", "path", "body", "header")),
             "reason": e["msg"]}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
        return problem(422, "Invalid request", detail, errors=errors)

    @app.exception_handler(RequestRefusedError)
    async def refused(_: Request, exc: RequestRefusedError) -> JSONResponse:
        return problem(exc.status, exc.title, str(exc), exc.headers,
                       errors=[{"field": f, "reason": exc.reason} for f in exc.fields], **exc.extra)

    @app.exception_handler(AuthenticationError)
    async def unauthenticated(_: Request, exc: AuthenticationError) -> JSONResponse:
        return field_problem(401, "Unauthorized", exc.field, exc.reason, _bearer_challenge(exc.error))

    @app.exception_handler(UnknownPrincipalError)
    async def unknown_principal(_: Request, exc: UnknownPrincipalError) -> JSONResponse:
        return field_problem(401, "Unauthorized", exc.field, exc.reason, _bearer_challenge("invalid_token"))

    @app.exception_handler(PermissionDeniedError)
    async def forbidden(_: Request, exc: PermissionDeniedError) -> JSONResponse:
        return field_problem(403, "Forbidden", exc.field, str(exc))

    @app.exception_handler(VersionConflictError)
    async def version_conflict(_: Request, exc: VersionConflictError) -> JSONResponse:
        return field_problem(409, "Conflict", exc.field, exc.reason)

    @app.exception_handler(CommandInputError)
    async def invalid_command(_: Request, exc: CommandInputError) -> JSONResponse:
        errors = [{"field": field, "reason": reason} for field, reason in exc.errors]
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
        return problem(422, "Invalid command", detail, errors=errors)

    @app.exception_handler(InvalidFieldError)
    async def invalid_field(_: Request, exc: InvalidFieldError) -> JSONResponse:
        return _invalid_field(exc)

    @app.exception_handler(NotFoundError)
    async def not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return problem(404, "Not found", str(exc))

    @app.exception_handler(ProjectionFailedError)
    async def read_model_stopped(_: Request, exc: ProjectionFailedError) -> JSONResponse:
        return problem(503, "Read model stopped", str(exc))

    @app.exception_handler(ConfigError)
    async def config(_: Request, exc: ConfigError) -> JSONResponse:
        return problem(503, "Misconfigured", str(exc))

    @app.exception_handler(LedgerError)
    async def ledger_error(_: Request, exc: LedgerError) -> JSONResponse:
        return problem(409, "Ledger refused the request", str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail), exc.headers)
