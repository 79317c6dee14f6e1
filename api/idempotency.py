"""``Idempotency-Key`` on command POSTs (issue 6 item 3): a retry records nothing twice.

The first successful request with a key writes a row of ``api_idempotency`` (principal, key,
SHA-256 of the request, status, response) in the same database transaction as its events
(``execute_json(alongside=...)``): both commit or neither does. So the promise holds across
workers and restarts, since it lives in the database:

- a retry with the same key and the same request gets the stored response again, with
  ``Idempotent-Replayed: true``, and appends nothing;
- the same key with a different request is refused, 422 naming ``Idempotency-Key``;
- of two concurrent requests with one key, the one that loses the race on the primary key rolls
  back (its events with it) and answers with the winner's stored response.

Only successes are stored: a refused request (4xx) writes nothing, so the client may correct it
and retry with the same key. Keys are per principal: two principals' keys never collide.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, select

from api.problems import RequestRefusedError
from api.tables import api_idempotency
from ledger.application import AKLedger
from ledger.commands.execute import Alongside, Executed

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as a header value can carry safely


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]
    replayed: bool


class RaceLostError(Exception):
    """Another request with the same key committed first; this one's transaction rolls back."""


def checked_key(value: str) -> str:
    """``value`` if it is a usable key. Raises ``RequestRefusedError`` (422, Idempotency-Key)."""
    if not _KEY.match(value):
        raise RequestRefusedError(422, "Invalid request", KEY_HEADER,
                             "1 to 255 visible ASCII characters (no spaces)")
    return value


def request_sha256(command: str, body: Mapping[str, Any], if_match: str | None) -> str:
    """The SHA-256 of what the request asks for: the command, its body (keys sorted, so the
    body's layout does not matter) and its ``If-Match``. The body's ``principal`` is left out:
    the token says who asks."""
    asked = {"command": command, "body": {k: v for k, v in body.items() if k != "principal"},
             "if_match": if_match}
    canonical = json.dumps(asked, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def stored_response(lg: AKLedger, principal: str, key: str, digest: str) -> StoredResponse | None:
    """The response stored for ``key``, replayed; ``None`` if there is none. Raises
    ``RequestRefusedError`` (422, Idempotency-Key) if it was stored for a different request."""
    with lg.connect() as conn:
        row = conn.execute(
            select(api_idempotency).where(
                api_idempotency.c.principal == principal, api_idempotency.c.key == key
            )
        ).first()
    if row is None:
        return None
    if row.request_sha256 != digest:
        raise RequestRefusedError(
            422, "Invalid request", KEY_HEADER,
            f"{key!r} was used for a different request (another command, body or If-Match) "
            "by this principal; use a new key",
        )
    return StoredResponse(int(row.status_code), json.loads(row.response_json), replayed=True)


def recorder(
    principal: str, key: str, digest: str, respond: Callable[[Executed], tuple[int, dict[str, Any]]]
) -> Alongside:
    """An ``alongside`` for ``execute_json``: stores ``respond(executed)`` in the save's
    transaction. Raises ``RaceLostError`` (inside that transaction, which then rolls back) when a
    concurrent request stored the key first."""

    def store(session: Any, executed: Executed) -> None:
        status, body = respond(executed)
        try:
            session.execute(insert(api_idempotency).values(
                principal=principal, key=key, request_sha256=digest, status_code=status,
                response_json=json.dumps(body), created_at=datetime.now(UTC),
            ))
        except sa_exc.IntegrityError:
            raise RaceLostError(f"{KEY_HEADER} {key!r} of {principal!r}") from None

    return store
