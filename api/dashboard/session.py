"""Signing in to the dashboard with a principal's API token, held in a cookie.

The cookie holds the token itself, not a session of the server's making: every page
authenticates it afresh (``api.auth.authenticate``), so a revoked token or a disabled principal
is signed out at their next page, and the API stays stateless (any worker, no shared secret).
The cookie is therefore as secret as the token: ``HttpOnly`` (no script reads it),
``SameSite=Strict`` (no other site's page, form or link sends it, which is the dashboard's
defence against cross-site request forgery), ``Secure`` when served over HTTPS, scoped to
``/dashboard``, and a session cookie capped at ``MAX_AGE``. Signing out deletes it; the token
stays in force until revoked (``akledger principals revoke-token``).

A sign-in form posted from another site's page (its ``Origin`` names another host) is refused,
so nobody can sign a visitor in as someone else.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from api.auth import AuthenticationError, authenticate
from ledger.application import AKLedger
from ledger.errors import PermissionDeniedError
from ledger.principals import Principal

COOKIE = "akledger_dashboard"
PATH = "/dashboard"
SIGN_IN = f"{PATH}/sign-in"
MAX_AGE = 8 * 3600  # seconds: a working day, then sign in again
MAX_FORM = 4096  # bytes: a token and a path fit with room to spare


class SignInRefusedError(Exception):
    """The sign-in form cannot be accepted: ``field``, ``reason`` and the HTTP ``status``."""

    def __init__(self, field: str, reason: str, status: int) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason, self.status = field, reason, status


def signed_in(lg: AKLedger, request: Request) -> Principal | None:
    """The principal whose token the request's cookie holds; None without one, or when the token
    is no longer in force or its principal is disabled."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return authenticate(lg, token)
    except (AuthenticationError, PermissionDeniedError):
        return None


def to_sign_in(request: Request) -> RedirectResponse:
    """303 to the sign-in page, which returns here once signed in (the stale cookie dropped)."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = RedirectResponse(f"{SIGN_IN}?{urlencode({'next': here})}", status_code=303)
    if COOKIE in request.cookies:
        forget(response)
    return response


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a dashboard path only (never another site)."""
    if target and target.startswith(PATH) and not target.startswith("//") and "\\" not in target:
        return target
    return PATH


async def read_form(request: Request) -> dict[str, str]:
    """The posted ``application/x-www-form-urlencoded`` fields (first value of each). Raises
    ``SignInRefusedError`` for a form from another site, too large, or not a form."""
    origin = request.headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host", ""):
        raise SignInRefusedError("Origin", f"{origin[:80]} is not this site", 403)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise SignInRefusedError("Content-Type", "send the sign-in form (application/x-www-form-urlencoded)",
                                 415)
    body = await request.body()
    if len(body) > MAX_FORM:
        raise SignInRefusedError("body", f"more than {MAX_FORM} bytes", 413)
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=8)
    except (UnicodeDecodeError, ValueError) as exc:
        raise SignInRefusedError("body", f"not a form: {exc}", 400) from None
    return {name: values[0] for name, values in fields.items()}


def check_token(lg: AKLedger, token: str) -> Principal:
    """The principal ``token`` authenticates. Raises ``SignInRefusedError`` naming ``token``."""
    if not token.strip():
        raise SignInRefusedError("token", "paste the token `akledger principals token NAME` printed", 401)
    try:
        return authenticate(lg, token.strip())
    except AuthenticationError as exc:
        raise SignInRefusedError("token", exc.reason, 401) from None
    except PermissionDeniedError as exc:
        raise SignInRefusedError("token", str(exc), 403) from None


def remember(response: Response, request: Request, token: str) -> None:
    response.set_cookie(COOKIE, token.strip(), max_age=MAX_AGE, path=PATH, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def forget(response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict")


__all__ = ["COOKIE", "SIGN_IN", "SignInRefusedError", "check_token", "forget", "read_form", "remember",
           "safe_next", "signed_in", "to_sign_in"]
