"""Bearer tokens (issue 6 item 1): who is calling, proved by a token the ledger knows only by hash.

A token is ``akl_<principal name>_<token id>_<secret>``: the secret is
``secrets.token_urlsafe(32)`` (256 bits, 43 characters) and the token id 16 hex digits. It is
shown once, when issued (``akledger principals token NAME``); the ledger records only its
SHA-256 in a signed ``PrincipalTokenIssued`` event of the principal (``ledger.principals``). The
name inside the token says which principal to load, so no table beyond the ledger is needed: the
server replays that principal and compares the SHA-256 of the presented token with its tokens in
force using ``hmac.compare_digest``.

The authenticated principal is the principal a command is recorded as: any ``principal`` in a
request body is replaced by it. No token, a malformed, unknown or revoked one: 401 with
``WWW-Authenticate: Bearer`` (RFC 6750 §3). A disabled principal's token: 403.

Replaying the principal on every request cost more than the command it authorised (issue 6 item
9). So a token that authenticated is remembered (by its SHA-256, per ledger) with the principal
as replayed and its version; a later request with it asks the database only for the principal's
current version (one indexed read), and replays the principal again only if that moved. A token
revoked, a principal disabled or changed in any way is a new event, so it takes effect at once,
in every worker process: nothing is trusted for a time, only while the principal is unchanged.
On PostgreSQL that read runs outside any transaction (a connection in autocommit, of a small pool
of its own): one round trip, where a transaction's BEGIN and ROLLBACK made it three.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import weakref
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, Select, bindparam, func, select

from api.deps import get_ledger, reader_engine
from ledger.application import AKLedger
from ledger.commands.execute import find_principal
from ledger.errors import PermissionDeniedError
from ledger.principals import Principal

PREFIX = "akl_"
MALFORMED = "not an AK Ledger token (akl_<principal>_<token id>_<secret>)"
REMEMBERED = 1024  # tokens remembered per ledger; beyond it the memory starts afresh
_SECRET_LENGTH = 43  # secrets.token_urlsafe(32)
_TOKEN = re.compile(
    r"^akl_(?P<name>[a-z0-9][a-z0-9._-]{0,63})_(?P<token_id>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{43})$"
)

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="akledger token",
    bearerFormat="akl_<principal>_<token id>_<secret>",
    description="A principal's token from `akledger principals token NAME`; commands are recorded "
    "as that principal (a `principal` in the body is replaced by it).",
)


class AuthenticationError(Exception):
    """No valid bearer token (HTTP 401). ``reason`` says why without echoing the token;
    ``error`` is the RFC 6750 §3.1 code, ``None`` when no credentials were sent at all."""

    def __init__(self, reason: str, error: str | None = "invalid_token") -> None:
        super().__init__(f"Authorization: {reason}")
        self.field = "Authorization"
        self.reason = reason
        self.error = error


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``token`` is shown to its holder once; the ledger keeps ``sha256``."""

    principal: str
    token_id: str
    token: str

    @property
    def sha256(self) -> str:
        return token_sha256(self.token)


def new_token(principal: str) -> IssuedToken:
    """A fresh token for the principal called ``principal`` (not yet recorded)."""
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    assert len(secret) == _SECRET_LENGTH
    return IssuedToken(principal, token_id, f"{PREFIX}{principal}_{token_id}_{secret}")


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def authenticate(lg: AKLedger, token: str) -> Principal:
    """The principal ``token`` was issued to. Raises ``AuthenticationError`` (malformed, unknown
    principal, token not in force or not matching) and ``PermissionDeniedError`` (the principal
    is disabled)."""
    found = _TOKEN.match(token)
    if found is None:
        raise AuthenticationError(MALFORMED)
    name, token_id = found["name"], found["token_id"]
    digest = token_sha256(token)
    loaded = _principal(lg, name, digest)
    if loaded is None:
        raise AuthenticationError(f"token {token_id} is not in force")
    expected = loaded.active_tokens.get(token_id)
    # Compare even when the id is unknown, so the time taken does not say which ids exist.
    if not hmac.compare_digest(expected or "0" * 64, digest) or expected is None:
        raise AuthenticationError(f"token {token_id} is not in force")
    if loaded.disabled:
        raise PermissionDeniedError(
            loaded.role.value, "record anything", f"principal {name!r} is disabled ({loaded.disabled_reason})"
        )
    _remembered.remember(lg, digest, loaded)
    return loaded


class _Remembered:
    """Per ledger: token SHA-256 -> the principal it authenticated, as replayed then. Shared by
    the server's threads, hence the lock; a principal object here is only ever read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_ledger: weakref.WeakKeyDictionary[AKLedger, dict[str, Principal]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, lg: AKLedger, digest: str) -> Principal | None:
        with self._lock:
            return self._by_ledger.get(lg, {}).get(digest)

    def remember(self, lg: AKLedger, digest: str, principal: Principal) -> None:
        with self._lock:
            known = self._by_ledger.setdefault(lg, {})
            if len(known) >= REMEMBERED and digest not in known:
                known.clear()
            known[digest] = principal


_remembered = _Remembered()


def _principal(lg: AKLedger, name: str, digest: str) -> Principal | None:
    """The principal called ``name`` as it is now: the one remembered for the token ``digest`` if
    the ledger holds no event of it beyond that one's version, else replayed afresh."""
    known = _remembered.get(lg, digest)
    if known is not None and known.name == name and _version(lg, known.id) == known.version:
        return known
    return find_principal(lg, name)


def _version(lg: AKLedger, aggregate_id: UUID) -> int | None:
    """The version of the latest event of ``aggregate_id`` the ledger holds (one indexed read)."""
    reader = _version_reader(lg)
    with reader.engine.connect() as conn:
        found = conn.execute(reader.statement, {"aggregate_id": aggregate_id}).scalar_one()
    return None if found is None else int(found)


@dataclass(frozen=True)
class _VersionReader:
    engine: Engine
    statement: Select[tuple[int | None]]


_readers: weakref.WeakKeyDictionary[AKLedger, _VersionReader] = weakref.WeakKeyDictionary()
_readers_made = threading.Lock()


def _version_reader(lg: AKLedger) -> _VersionReader:
    """The ledger's version query (made once; the statement is compiled once), and the engine it
    runs on (``api.deps.reader_engine``: on PostgreSQL one round trip)."""
    with _readers_made:
        found = _readers.get(lg)
        if found is None:
            events = lg.events_table
            statement = select(func.max(events.c.originator_version)).where(
                events.c.originator_id == bindparam("aggregate_id", type_=events.c.originator_id.type)
            )
            found = _readers[lg] = _VersionReader(reader_engine(lg), statement)
        return found


def bearer_principal(
    lg: Annotated[AKLedger, Depends(get_ledger)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """FastAPI dependency: the principal the request's bearer token authenticates."""
    return authenticate(lg, _token(credentials))


async def presented_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> str:
    """FastAPI dependency: the bearer token sent, not yet checked against the ledger (no database:
    it runs on the event loop). Raises ``AuthenticationError`` if there is none or it is not shaped
    as a token. A route taking it calls ``authenticate`` itself, in the thread it reads the ledger
    in: one trip to the threadpool per request rather than two."""
    token = _token(credentials)
    if _TOKEN.match(token) is None:
        raise AuthenticationError(MALFORMED)
    return token


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None:
        raise AuthenticationError("a bearer token is required (Authorization: Bearer akl_...)", None)
    return credentials.credentials


#: A route parameter: the authenticated principal.
Authenticated = Annotated[Principal, Depends(bearer_principal)]
#: A route parameter: the bearer token, to ``authenticate`` in the route's own worker thread.
BearerToken = Annotated[str, Depends(presented_token)]
