"""Query answers kept and revalidated (issue 6: query latency), on the demo ledger, on SQLite and
PostgreSQL, through the app ``create_app`` builds (``api.routes_queries``, ``api.answer_cache``).

A repeat is answered from the worker's answer cache, byte for byte the answer computed afresh;
every filter and the day judged on are part of what is kept, so no request is answered another's
answer; an appended event moves the latest answer to the new position; an answer as of a fixed
position is immutable for HTTP caches and revalidates to 304, the moving ones must revalidate;
nobody without a valid token is answered, cached or not; the cache keeps within its bounds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.answer_cache import IMMUTABLE, REVALIDATE, AnswerCache
from api.http import create_app
from api.routes_queries import CACHE_HEADER
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import bootstrap_admin, execute
from ledger.commands.importer import import_lines
from ledger.config import Settings
from ledger.context import RecordingContext
from ledger.demo import DCC, IOC_SIT, MOC_ENTRIES, demo_commands, phase_id
from ledger.store import create_ledger
from tests.conftest import BACKENDS, ORIGIN
from tests.e2e.test_http_queries import database
from tests.integration.test_api_support import as_admin, issue_token

ON = "2026-11-25"  # a day the demo's last DMCT window is open (as tests/e2e/test_http_queries.py)
ACTOR = Actor(principal="tester", role="dcc-test-manager", organisation="DCC")
#: Requests of one route that differ in a filter or the day judged on: none may be answered
#: with another's answer.
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "thresholds": [{"phase": IOC_SIT}, {"phase": phase_id("moc", MOC_ENTRIES[0])}],
    "exit-criteria": [{"phase": IOC_SIT}, {"phase": IOC_SIT, "require_evidence": "true"}],
    "heatmap": [{}, {"dmc": "DMC-SEC-01"}, {"phase": IOC_SIT}],
    "work-off": [{}, {"on": ON}, {"on": "2026-02-02"}],
    "matters": [{}, {"on": ON}],
    "findings": [{}, {"on": ON}],
    "dmct-status": [{}, {"on": ON}, {"dmc": "DMC-ACL-04", "on": ON}],
    "dmct-schedule": [{}, {"version": 1}, {"dmc": "DMC-ACL-04"}],
    "dmct-thresholds": [{"entry": "EPCL-206"}, {"entry": "EPCL-201"}],
    "dmct-completion": [{}, {"entry": "EPCL-206"}],
}


@dataclass
class Demo:
    """The demo ledger, open, and the bearer headers of its admin, a DCC user and a principal
    that has since been disabled."""

    ledger: AKLedger
    admin: dict[str, str]
    reader: dict[str, str]
    disabled: dict[str, str]

    def client(self) -> TestClient:
        """A client of a new app: its answer cache empty."""
        return TestClient(create_app(self.ledger), raise_server_exceptions=False)

    def head(self) -> int:
        body: dict[str, Any] = self.client().get("/queries/matters", headers=self.admin).json()
        position: int = body["read_model"]["ledger_head"]
        return position


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    yield from demo_ledger(request, tmp_path_factory)


def demo_ledger(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo ledger on the backend ``request.param``: for a fixture to yield from."""
    home = tmp_path_factory.mktemp(f"answers-{request.param}")
    settings = Settings(home=home / "home", database_url=database(request.param, home, request),
                        log_origin=ORIGIN, actor=ACTOR.principal, key_passphrase=None)
    lg, _ = create_ledger(settings, ACTOR)
    try:
        bootstrap_admin(lg, "admin", "ledger operator", RecordingContext(ACTOR, datetime.now(UTC)))
        report = import_lines(lg, [json.dumps(c) for c in demo_commands("admin")])
        assert [r.as_json() for r in report.rejected] == []
        as_admin(lg, "Principal.add", {"name": "retired", "role": "dcc", "organisation": "DCC"})
        admin, reader, retired = (issue_token(lg, name) for name in ("admin", DCC, "retired"))
        as_admin(lg, "Principal.disable", {"target": {"name": "retired"}, "reason": "left the programme"})
        yield Demo(lg, bearer(admin.token), bearer(reader.token), bearer(retired.token))
    finally:
        lg.close()
        lg.engine.dispose()


def ask(client: TestClient, path: str, headers: dict[str, str], conditional: str | None = None,
        **params: Any) -> httpx.Response:
    """GET the query ``path`` with ``params``, with ``If-None-Match: conditional`` if given."""
    held = {} if conditional is None else {"If-None-Match": conditional}
    response: httpx.Response = client.get(f"/queries/{path}", params=params, headers={**headers, **held})
    return response


def ok(response: httpx.Response, outcome: str) -> httpx.Response:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers[CACHE_HEADER] == outcome, response.request.url
    return response


# -- the tests -------------------------------------------------------------------------------------


def test_a_repeat_is_answered_from_the_cache_as_the_answer_computed_afresh(demo: Demo) -> None:
    client = demo.client()
    for path, variants in VARIANTS.items():
        params = variants[0]
        first = ok(ask(client, path, demo.admin, **params), "miss")
        again = ok(ask(client, path, demo.reader, **params), "hit")  # any principal: the same answer
        afresh = ok(ask(demo.client(), path, demo.admin, **params), "miss")
        assert again.content == first.content == afresh.content, path
        assert again.headers["etag"] == first.headers["etag"] == afresh.headers["etag"], path


def test_no_request_is_answered_with_the_answer_to_another_filter_or_day(demo: Demo) -> None:
    client, position = demo.client(), demo.head()
    for path, variants in VARIANTS.items():
        asked = [ok(ask(client, path, demo.admin, as_of_position=position, **params), "miss")
                 for params in variants]
        again = [ok(ask(client, path, demo.admin, as_of_position=position, **params), "hit")
                 for params in variants]
        alone = [ok(ask(demo.client(), path, demo.admin, as_of_position=position, **params), "miss")
                 for params in variants]
        assert [a.content for a in asked] == [a.content for a in again] == [a.content for a in alone], path
    dmct = [ask(client, "dmct-status", demo.admin, as_of_position=position, **params).json()
            for params in VARIANTS["dmct-status"]]
    assert dmct[0]["as_of"]["judged_on"] != dmct[1]["as_of"]["judged_on"] == ON
    assert len(dmct[2]["rows"]) < len(dmct[1]["rows"])
    evidence = [ask(client, "exit-criteria", demo.admin, as_of_position=position, **params).json()
                for params in VARIANTS["exit-criteria"]]
    assert evidence[0] != evidence[1]


def test_an_appended_event_moves_the_latest_answer_to_the_new_position(demo: Demo) -> None:
    client = demo.client()
    before = ok(ask(client, "thresholds", demo.admin, phase=IOC_SIT), "miss")
    ok(ask(client, "thresholds", demo.admin, phase=IOC_SIT), "hit")
    was = before.json()["as_of"]["position"]
    reference = f"TI-CACHE-{was}"
    raised = execute(demo.ledger, {
        "command": "TestingIssue.raise_issue", "principal": DCC, "occurred_at": datetime.now(UTC).isoformat(),
        "data": {"reference": reference, "summary": "alert lost",
                 "phase_id": IOC_SIT, "dmc_ids": ["DMC-SEC-01"], "epcl_entry_ids": [],
                 "service_providers": ["S1SP"], "cause": "dcc_total_system", "environment": "test",
                 "raised_by": DCC, "security_impact": False}})
    after = ok(ask(client, "thresholds", demo.admin, before.headers["etag"], phase=IOC_SIT), "miss")
    assert after.json()["as_of"]["position"] == raised.appended[-1].position > was
    assert after.headers["etag"] != before.headers["etag"]
    unclassified = [{i["reference"] for c in a.json()["counts"] for i in c["unclassified"]}
                    for a in (before, after)]
    assert unclassified[1] - unclassified[0] == {reference}
    assert after.content == ok(ask(demo.client(), "thresholds", demo.admin, phase=IOC_SIT), "miss").content


def test_an_answer_as_of_a_position_is_immutable_and_revalidates_to_304(demo: Demo) -> None:
    client, position = demo.client(), demo.head() - 5
    first = ok(ask(client, "dmct-status", demo.admin, as_of_position=position), "miss")
    tag = first.headers["etag"]
    assert tag.startswith('"')
    assert first.headers["cache-control"] == IMMUTABLE
    for held in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        unchanged = ask(client, "dmct-status", demo.admin, held, as_of_position=position)
        assert unchanged.status_code == 304, held
        assert unchanged.content == b""
        assert (unchanged.headers["etag"], unchanged.headers["cache-control"]) == (tag, IMMUTABLE)
    elsewhere = ask(demo.client(), "dmct-status", demo.admin, tag, as_of_position=position)
    assert elsewhere.status_code == 304  # another worker, nothing cached yet: the tag alone tells
    other = ok(ask(client, "dmct-status", demo.admin, '"other"', as_of_position=position), "hit")
    assert other.content == first.content


def test_the_latest_a_time_or_a_position_beyond_the_head_must_revalidate(demo: Demo) -> None:
    client, head = demo.client(), demo.head()
    latest = ok(ask(client, "matters", demo.admin), "miss")
    assert latest.headers["cache-control"] == REVALIDATE
    same = ask(client, "matters", demo.admin, latest.headers["etag"])
    assert (same.status_code, same.headers["cache-control"]) == (304, REVALIDATE)
    recorded_at = latest.json()["as_of"]["reached_at"]
    by_time = [ok(ask(client, "matters", demo.admin, as_of=recorded_at), outcome)
               for outcome in ("miss", "hit")]
    assert by_time[0].content == by_time[1].content
    assert by_time[0].headers["cache-control"] == REVALIDATE
    beyond = ok(ask(client, "matters", demo.admin, as_of_position=head + 1000), "hit")  # the head's answer
    assert beyond.headers["cache-control"] == REVALIDATE
    assert beyond.json()["as_of"]["position"] == head
    empty = ok(ask(client, "matters", demo.admin, as_of_position=0), "miss")  # judged on today's clock
    assert empty.headers["cache-control"] == REVALIDATE


def test_nobody_without_a_valid_token_is_answered_even_from_the_cache(demo: Demo) -> None:
    client = demo.client()
    cached = ok(ask(client, "thresholds", demo.admin, phase=IOC_SIT), "miss")
    ok(ask(client, "thresholds", demo.admin, phase=IOC_SIT), "hit")
    for headers in ({}, {"Authorization": "Bearer akl_nobody_0123456789abcdef_" + "x" * 43}):
        for conditional in (None, cached.headers["etag"]):
            refused = ask(client, "thresholds", headers, conditional, phase=IOC_SIT)
            assert refused.status_code == 401, (headers, conditional)
            assert refused.headers["content-type"] == "application/problem+json"
            assert "etag" not in refused.headers
            assert cached.content not in refused.content
    forbidden = ask(client, "thresholds", demo.disabled, cached.headers["etag"], phase=IOC_SIT)
    assert forbidden.status_code == 403
    assert "etag" not in forbidden.headers


def test_the_cache_keeps_within_its_bounds_and_answers_the_same_after_an_eviction(demo: Demo) -> None:
    client, head = demo.client(), demo.head()
    client.app.state.answer_cache = AnswerCache(max_entries=3)  # type: ignore[attr-defined]
    positions = [head - k for k in range(5)]
    first = [ok(ask(client, "dmct-status", demo.admin, as_of_position=p), "miss") for p in positions]
    stats = client.app.state.answer_cache.stats()  # type: ignore[attr-defined]
    assert (stats.entries, stats.evictions) == (3, 2)
    assert ok(ask(client, "dmct-status", demo.admin, as_of_position=positions[-1]), "hit").content == \
        first[-1].content
    again = ok(ask(client, "dmct-status", demo.admin, as_of_position=positions[0]), "miss")  # evicted
    assert again.content == first[0].content
    assert client.app.state.answer_cache.stats().entries == 3  # type: ignore[attr-defined]


def test_the_openapi_document_declares_the_validators_and_the_304(demo: Demo) -> None:
    document = demo.client().get("/openapi.json").json()
    for path in VARIANTS:
        operation = document["paths"][f"/queries/{path}"]["get"]
        assert {"ETag", "Cache-Control", CACHE_HEADER} <= set(operation["responses"]["200"]["headers"]), path
        assert set(operation["responses"]["304"]["headers"]) == {"ETag", "Cache-Control"}, path
        assert "content" not in operation["responses"]["304"], path
        assert "If-None-Match" in {p["name"] for p in operation["parameters"] if p["in"] == "header"}, path


def test_a_request_that_is_refused_is_not_cached(demo: Demo) -> None:
    client = demo.client()
    for _ in range(2):
        missing = ask(client, "dmct-status", demo.admin, dmc="DMC-NONE")
        assert missing.status_code == 404
        assert "etag" not in missing.headers
    assert client.app.state.answer_cache.stats().entries == 0  # type: ignore[attr-defined]
