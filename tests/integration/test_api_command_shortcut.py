"""A command POST is answered alike whichever way it goes through the app: the shortcut past
FastAPI's routing (``api.http.CommandPosts``, taken with no query or ``wait=checkpoint``) or the
command's route (any other query). On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api import routes_commands
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.rules.roles import Role
from tests.integration import test_api_support as support
from tests.integration.test_api_support import Staff, note, raise_issue

ROUTE_ONLY = {"via": "route"}  # a query the shortcut leaves to FastAPI (and the route ignores)
COMPARED_HEADERS = ("content-type", "www-authenticate", "etag", "idempotent-replayed")


@pytest.fixture
def staff(ledger: AKLedger, actor: Actor) -> Staff:
    return support.staff(ledger, actor)


def shape(response: httpx.Response) -> tuple[int, dict[str, str], Any]:
    """What a client sees, less what differs from one append to the next (ids, positions)."""
    headers = {h: response.headers[h] for h in COMPARED_HEADERS if h in response.headers}
    body = response.json()
    if response.status_code == 201:
        body = {k: v for k, v in body.items() if k in ("command", "principal", "version")}
        headers.pop("etag")
    return response.status_code, headers, body


def both(staff: Staff, path: str, **request: Any) -> tuple[httpx.Response, httpx.Response]:
    client = staff.client()
    return client.post(path, **request), client.post(path, params=ROUTE_ONLY, **request)


NOTE = "/commands/Note.record"
JSON = {"Content-Type": "application/json"}
#: case -> (path, role whose token is sent or None, more headers, body)
CASES: dict[str, tuple[str, Role | None, dict[str, str], dict[str, Any] | bytes]] = {
    "recorded": (NOTE, Role.DCC, {}, note()),
    "no token": (NOTE, None, {}, note()),
    "not a token": (NOTE, None, {"Authorization": "Bearer akl_x"}, note()),
    "another scheme": (NOTE, None, {"Authorization": "Basic YTpi"}, note()),
    "not allowed": ("/commands/TestingIssue.raise_issue", Role.SIT_AUDITOR, {}, raise_issue("TI-9")),
    "not JSON": (NOTE, Role.DCC, JSON, b"{"),
    "not application/json": (NOTE, Role.DCC, {"Content-Type": "text/plain"}, b"{}"),
    "another command": (NOTE, Role.DCC, {}, {**note(), "command": "Note.remove"}),
    "If-Match on a creation": (NOTE, Role.DCC, {"If-Match": '"1"'}, note()),
    "a bad key": (NOTE, Role.DCC, {"Idempotency-Key": "a b"}, note()),
    "bad data": (NOTE, Role.DCC, {}, {**note(), "data": {"text": 7}}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_shortcut_and_the_route_answer_a_command_post_alike(staff: Staff, case: str) -> None:
    path, role, more, body = CASES[case]
    headers = {**({} if role is None else staff.bearer(role)), **more}
    sent = {"content": body} if isinstance(body, bytes) else {"json": body}
    shortcut, route = both(staff, path, headers=headers, **sent)
    assert shape(shortcut) == shape(route)
    assert shortcut.status_code < 500, shortcut.text


def test_a_keyed_retry_is_replayed_alike_through_either(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer, taken = routes_commands.answer, []

    async def answered(request: Any, *args: Any) -> Any:
        taken.append("route" if "route" in request.scope else "shortcut")  # FastAPI's routing sets it
        return await answer(request, *args)

    monkeypatch.setattr(routes_commands, "answer", answered)
    headers = {**staff.bearer(Role.DCC), "Idempotency-Key": "shortcut-or-route"}
    first, again = both(staff, "/commands/Note.record", json=note(), headers=headers)
    assert taken == ["shortcut", "route"]
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


def test_paths_and_methods_the_shortcut_does_not_take_are_answered_by_the_app_as_before(staff: Staff) -> None:
    client, headers = staff.client(), staff.bearer(Role.DCC)
    assert client.post("/commands/No.such_command", json=note(), headers=headers).status_code == 404
    assert client.get("/commands/Note.record", headers=headers).status_code == 405
    assert client.post("/commands/schema", json=note(), headers=headers).status_code == 405
    wrong = client.post("/commands/Note.record", params={"wait": "forever"}, json=note(), headers=headers)
    assert (wrong.status_code, wrong.json()["detail"][:5]) == (422, "wait:")
