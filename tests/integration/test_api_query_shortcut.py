"""A query GET is answered alike whichever way it goes through the app: the shortcut past
FastAPI's routing and dependency resolution (``api.http.QueryGets``) or the route itself (an app
built without the shortcut). On the demo ledger, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import http
from api.http import QueryGets, create_app
from api.routes_queries import CACHE_HEADER
from ledger.demo import IOC_SIT
from tests.conftest import BACKENDS
from tests.integration.test_answer_cache import VARIANTS, Demo, demo_ledger

COMPARED_HEADERS = ("content-type", "www-authenticate", "etag", "cache-control", CACHE_HEADER.lower())
#: case -> (path, whose token: "admin", "disabled", a raw Authorization header or None; parameters)
REFUSALS: dict[str, tuple[str, str | None, dict[str, Any]]] = {
    "no token": ("thresholds", None, {"phase": IOC_SIT}),
    "not a token": ("thresholds", "Bearer akl_x", {"phase": IOC_SIT}),
    "another scheme": ("matters", "Basic YTpi", {}),
    "an unknown token": ("matters", "Bearer akl_admin_0123456789abcdef_" + "A" * 43, {}),
    "a disabled principal": ("matters", "disabled", {}),
    "no token and a bad parameter": ("thresholds", None, {"phase": IOC_SIT, "as_of_position": -1}),
    "a negative position": ("thresholds", "admin", {"phase": IOC_SIT, "as_of_position": -1}),
    "a position that is no number": ("dmct-status", "admin", {"as_of_position": "x"}),
    "a position and a time": ("matters", "admin", {"as_of_position": 3, "as_of": "2026-07-01T12:00+01:00"}),
    "a time without an offset": ("matters", "admin", {"as_of": "2026-07-01T12:00:00"}),
    "a day that is no day": ("work-off", "admin", {"on": "2026-02-30"}),
    "no phase": ("thresholds", "admin", {}),
    "an unknown phase": ("thresholds", "admin", {"phase": "no-such-phase"}),
    "not a boolean": ("exit-criteria", "admin", {"phase": IOC_SIT, "require_evidence": "perhaps"}),
    "version 0": ("dmct-schedule", "admin", {"version": 0}),
    "an unknown entry": ("dmct-thresholds", "admin", {"entry": "EPCL-999"}),
}


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    yield from demo_ledger(request, tmp_path_factory)


def without_shortcut(app: FastAPI) -> FastAPI:
    app.user_middleware = [m for m in app.user_middleware if m.cls is not QueryGets]
    return app


def both(demo: Demo, path: str, headers: dict[str, str], params: dict[str, Any]) -> list[httpx.Response]:
    """The same GET through a new app with the shortcut and one without (each cache empty)."""
    apps = create_app(demo.ledger), without_shortcut(create_app(demo.ledger))
    clients = [TestClient(app, raise_server_exceptions=False) for app in apps]
    return [client.get(f"/queries/{path}", params=params, headers=headers) for client in clients]


def shape(response: httpx.Response) -> tuple[int, dict[str, str], Any]:
    headers = {h: response.headers[h] for h in COMPARED_HEADERS if h in response.headers}
    return response.status_code, headers, response.json()


def headers_for(demo: Demo, who: str | None) -> dict[str, str]:
    if who is None:
        return {}
    if who in ("admin", "disabled"):
        return demo.admin if who == "admin" else demo.disabled
    return {"Authorization": who}


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the shortcut answered."""
    seen: list[str] = []
    answer = QueryGets._answer

    def answered(self: QueryGets, route: Any, *args: Any) -> Any:
        seen.append(route.path)
        return answer(self, route, *args)

    monkeypatch.setattr(QueryGets, "_answer", answered)
    return seen


def test_every_query_route_is_taken_by_the_shortcut(demo: Demo) -> None:
    app = create_app(demo.ledger)
    TestClient(app).get("/health")  # builds the middleware stack
    shortcut = app.middleware_stack
    while not isinstance(shortcut, QueryGets):
        shortcut = shortcut.app  # type: ignore[union-attr]
    assert sorted(shortcut.routes) == sorted(f"/queries/{path}" for path in [*VARIANTS, "ttm"])


@pytest.mark.parametrize("path", [*VARIANTS, "ttm"])
def test_the_shortcut_and_the_route_answer_a_query_alike(demo: Demo, path: str, taken: list[str]) -> None:
    variants = VARIANTS.get(path, [{"phase": IOC_SIT}])
    earlier = demo.head() - 5
    taken.clear()
    for params in [*variants, {**variants[0], "as_of_position": earlier}]:
        shortcut, route = both(demo, path, demo.reader, params)
        assert shape(shortcut) == shape(route), params
        assert shortcut.status_code == 200, shortcut.text
    assert taken == [f"/queries/{path}"] * (len(variants) + 1)  # and none by the app without it


@pytest.mark.parametrize("case", list(REFUSALS))
def test_the_shortcut_and_the_route_refuse_alike(demo: Demo, case: str) -> None:
    path, who, params = REFUSALS[case]
    shortcut, route = both(demo, path, headers_for(demo, who), params)
    assert shape(shortcut) == shape(route)
    assert 400 <= shortcut.status_code < 500, shortcut.text
    assert shortcut.headers["content-type"].startswith("application/problem+json")


def test_a_repeat_and_a_conditional_request_are_answered_from_the_cache_by_the_shortcut(
    demo: Demo, taken: list[str]
) -> None:
    client = TestClient(create_app(demo.ledger))
    first = client.get("/queries/thresholds", params={"phase": IOC_SIT}, headers=demo.reader)
    again = client.get("/queries/thresholds", params={"phase": IOC_SIT}, headers=demo.reader)
    held = client.get("/queries/thresholds", params={"phase": IOC_SIT},
                      headers={**demo.reader, "If-None-Match": first.headers["etag"]})
    assert [r.headers.get(CACHE_HEADER) for r in (first, again)] == ["miss", "hit"]
    assert again.content == first.content
    assert (held.status_code, held.content, held.headers["etag"]) == (304, b"", first.headers["etag"])
    assert taken == ["/queries/thresholds"] * 3


def test_what_the_shortcut_does_not_take_is_answered_by_the_app_as_before(
    demo: Demo, taken: list[str]
) -> None:
    client = TestClient(create_app(demo.ledger), raise_server_exceptions=False)
    assert client.get("/queries/no-such-report", headers=demo.reader).status_code == 404
    assert client.post("/queries/matters", headers=demo.reader).status_code == 405
    assert client.get("/queries/matters/", headers=demo.reader, follow_redirects=False).status_code == 307
    assert taken == []


def test_a_route_taking_more_than_the_shortcut_passes_is_left_to_fastapi() -> None:
    from fastapi import APIRouter, Header

    router = APIRouter(prefix="/queries")

    @router.get("/with-a-header")
    def with_a_header(x_more: str = Header()) -> dict[str, str]:
        return {"more": x_more}

    assert [http.shortcut_query(route) for route in router.routes] == [False]
