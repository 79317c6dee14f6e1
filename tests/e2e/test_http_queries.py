"""The read side over real loopback HTTP (issue 6 items 1 and 5): `akledger serve` on the demo
ledger, on both databases; one ledger and one server per module and backend.

Each ``GET /queries/...`` answers as `akledger query ... --json` does for the same as-of (the CLI
run in-process through typer's runner, on the same database), as of a position or a time; a past
position answers as the ledger stood then; any enabled principal may read, nobody without a
token; a refusal is a problem naming the query parameter.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app as cli_app
from api.query_examples import EXAMPLES
from ledger.demo import DCC, IOC_SIT
from projections.runner_connection import RunnerConnection
from tests.conftest import ORIGIN
from tests.e2e.test_http import Server, cli, poll
from tests.e2e.test_http_commands import serving

ON = "2026-11-25"  # a day the demo's last DMCT window is open (as tests/e2e/test_query_cli.py)
ADMIN = "tester"
CATCH_UP_TIMEOUT = 30.0  # seconds for the server's projector to apply the demo (a busy box)
#: Each route, its query parameters, and the same report's `akledger query` arguments.
QUERIES: dict[str, tuple[dict[str, str], list[str]]] = {
    "thresholds": ({"phase": IOC_SIT}, ["--phase", IOC_SIT]),
    "exit-criteria": ({"phase": IOC_SIT, "require_evidence": "true"},
                      ["--phase", IOC_SIT, "--require-evidence"]),
    "ttm": ({"phase": IOC_SIT}, ["--phase", IOC_SIT]),
    "heatmap": ({"dmc": "DMC-SEC-01"}, ["--dmc", "DMC-SEC-01"]),
    "work-off": ({"on": ON}, ["--on", ON]),
    "matters": ({"on": ON}, ["--on", ON]),
    "findings": ({"on": ON}, ["--on", ON]),
    "dmct-status": ({"on": ON}, ["--on", ON]),
    "dmct-schedule": ({}, []),
    "dmct-thresholds": ({"entry": "EPCL-206"}, ["--entry", "EPCL-206"]),
    "dmct-completion": ({"entry": "EPCL-206"}, ["--entry", "EPCL-206"]),
}


@dataclass
class Demo:
    """The demo ledger served: its environment, the server, an admin's and a DCC user's bearer
    headers, and the ledger's head once the server's projector has applied it."""

    env: dict[str, str]
    server: Server
    admin: dict[str, str]
    reader: dict[str, str]
    head: int

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> httpx.Response:
        return self.server.http.get(f"/queries/{path}", params=params,
                                    headers=self.admin if headers is None else headers)

    def answer(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        body: dict[str, Any] = response.json()
        return body


def database(backend: str, home: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{home / 'ledger.sqlite3'}"
    base = request.getfixturevalue("pg_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    return sa.engine.make_url(base).update_query_dict(
        {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def token(env: dict[str, str], name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {cli(env, 'principals', 'token', name).strip()}"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    home = tmp_path_factory.mktemp(f"queries-{request.param}")
    env = {**os.environ, "AKLEDGER_HOME": str(home / "home"), "AKLEDGER_LOG_ORIGIN": ORIGIN,
           "AKLEDGER_ACTOR": ADMIN, "AKLEDGER_DATABASE_URL": database(request.param, home, request)}
    cli(env, "demo", "--no-serve")
    admin, reader = token(env, ADMIN), token(env, DCC)
    with serving(env, home / "serve.log") as server:
        def caught_up() -> bool:
            response = server.http.get("/queries/matters", headers=admin)
            assert response.status_code == 200, response.text
            return bool(response.json()["read_model"]["caught_up"])

        poll("the facts projection applying the demo", CATCH_UP_TIMEOUT, caught_up)
        head = server.http.get("/queries/matters", headers=admin).json()["read_model"]["ledger_head"]
        yield Demo(env, server, admin, reader, head)


def cli_answer(demo: Demo, name: str, *args: str) -> dict[str, Any]:
    """`akledger query NAME ARGS --json`, run in-process on the demo's database."""
    result = CliRunner().invoke(cli_app, ["query", name, *args, "--json"], env=demo.env)
    assert result.exit_code == 0, result.output
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def without_read_model(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "read_model"}


def topic_positions(demo: Demo, suffix: str) -> list[tuple[int, dict[str, Any]]]:
    """Each entry whose topic ends with ``suffix``: its position and the entry."""
    listed = json.loads(cli(demo.env, "log", "entries", "--json"))["entries"]
    found = [(e["notification_id"], json.loads(base64.b64decode(e["entry"]))) for e in listed]
    return [(position, entry) for position, entry in found if entry["topic"].endswith(suffix)]


# -- the tests -------------------------------------------------------------------------------------


def test_every_query_answers_as_the_cli_does_as_of_the_same_position(demo: Demo) -> None:
    for name, (params, args) in QUERIES.items():
        body = demo.answer(name, as_of_position=demo.head, **params)
        assert body["as_of"]["position"] == demo.head, name
        assert body["read_model"] == {"position": demo.head, "ledger_head": demo.head, "lag": 0,
                                      "caught_up": True}, name
        assert set(body) == set(EXAMPLES[name]), name  # the documented example has the same members
        same = cli_answer(demo, name, *args, "--as-of-position", str(demo.head))
        assert without_read_model(body) == same, name
    latest = demo.answer("thresholds", phase=IOC_SIT)
    assert latest["as_of"]["position"] == demo.head  # neither as-of: the latest
    assert latest["verdict"] == "fail"  # severity 2 issues open against a limit of 0


def test_a_past_position_or_time_answers_as_the_ledger_stood_then(demo: Demo) -> None:
    (first, _), *_ = topic_positions(demo, "TestingIssueRaised")
    before, latest = (demo.answer("thresholds", phase=IOC_SIT, as_of_position=p)
                      for p in (first - 1, demo.head))
    assert (before["as_of"]["position"], latest["as_of"]["position"]) == (first - 1, demo.head)
    counted = [{i["reference"] for c in a["counts"] for r in c["rows"] for i in r["counted"]}
               for a in (before, latest)]
    assert (counted[0], before["verdict"]) == (set(), "pass")  # before any Testing Issue was raised
    assert counted[1]
    assert latest["verdict"] == "fail"
    assert before["read_model"]["position"] == demo.head  # answered from the up-to-date read model

    (_, _), (second, published), *_ = topic_positions(demo, "DmctSchedulePublished")
    by_time = demo.answer("dmct-schedule", as_of=published["recorded_at"])
    by_position = demo.answer("dmct-schedule", as_of_position=second)
    assert by_time["publication"]["schedule_version"] == 2
    assert without_read_model(by_time) == {**without_read_model(by_position), "as_of": by_time["as_of"]}
    assert by_time["as_of"]["position"] >= second
    same = cli_answer(demo, "dmct-schedule", "--as-of", published["recorded_at"])
    assert without_read_model(by_time) == same
    assert demo.answer("matters", as_of="2000-01-01T00:00:00+00:00")["matters"] == []


def test_any_enabled_principal_may_read_and_nobody_without_a_token(demo: Demo) -> None:
    assert demo.answer("matters", on=ON) == {**demo.get("matters", demo.reader, on=ON).json()}
    for headers in ({}, {"Authorization": "Bearer akl_nobody_0123456789abcdef_" + "x" * 43},
                    {"Authorization": "Basic dGVzdGVyOg=="}):
        refused = demo.get("thresholds", headers, phase=IOC_SIT)
        assert refused.status_code == 401, headers
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert refused.json()["errors"][0]["field"] == "Authorization"


@pytest.mark.parametrize(("path", "params", "status", "fields"), [
    ("thresholds", {"phase": "no-such-phase"}, 404, ["phase"]),
    ("exit-criteria", {"phase": "no-such-phase"}, 404, ["phase"]),
    ("work-off", {"phase": "no-such-phase"}, 404, ["phase"]),
    ("heatmap", {"dmc": "DMC-NONE"}, 404, ["dmc"]),
    ("dmct-status", {"dmc": "DMC-NONE"}, 404, ["dmc"]),
    ("dmct-schedule", {"version": 9}, 404, ["version"]),
    ("dmct-thresholds", {"entry": "EPCL-999"}, 404, ["entry"]),
    ("dmct-completion", {"entry": "EPCL-999"}, 404, ["entry"]),
    ("thresholds", {}, 422, ["phase"]),
    ("matters", {"as_of": "2026-07-01T12:00:00"}, 422, ["as_of"]),
    ("matters", {"as_of": "yesterday"}, 422, ["as_of"]),
    ("findings", {"as_of_position": 3, "as_of": "2026-07-01T12:00:00+01:00"}, 422,
     ["as_of_position", "as_of"]),
    ("heatmap", {"as_of_position": -1}, 422, ["as_of_position"]),
    ("heatmap", {"as_of_position": "three"}, 422, ["as_of_position"]),
    ("work-off", {"on": "31/12/2026"}, 422, ["on"]),
    ("dmct-status", {"on": "0001-01-01"}, 422, ["on"]),
])
def test_a_refusal_is_a_problem_naming_the_query_parameter(
    demo: Demo, path: str, params: dict[str, Any], status: int, fields: list[str]
) -> None:
    refused = demo.get(path, **params)
    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert [e["field"] for e in problem["errors"]] == fields
    assert problem["detail"].startswith(fields[0])


def test_without_an_in_process_projector_a_query_catches_the_read_model_up_itself(
    env: dict[str, str], tmp_path: Path
) -> None:
    cli(env, "init")
    admin = token(env, ADMIN)
    recorded = json.loads(cli(env, "note", "TAG meeting 15 minutes received"))["position"]
    with serving(env, tmp_path / "serve.log", "--no-integrator") as server:
        response = server.http.get("/queries/matters", headers=admin)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["as_of"]["position"] == recorded  # nothing else ran the projection: the request did
        assert body["read_model"] == {"position": recorded, "ledger_head": recorded, "lag": 0,
                                      "caught_up": True}
        if env["AKLEDGER_DATABASE_URL"].startswith("postgresql"):
            answered_behind(server, env, admin, recorded)


def answered_behind(server: Server, env: dict[str, str], admin: dict[str, str], projected: int) -> None:
    """With another runner holding the facts projection (its PostgreSQL advisory lock), the latest
    answer stands where the projection is and says so; a position beyond it is 503, retry later."""
    engine = sa.create_engine(env["AKLEDGER_DATABASE_URL"])
    try:
        with RunnerConnection(engine) as other:
            assert other.try_lock("facts")
            head = json.loads(cli(env, "note", "TAB meeting 3 minutes received"))["position"]
            latest = server.http.get("/queries/matters", headers=admin)
            ahead = server.http.get("/queries/matters", headers=admin, params={"as_of_position": head})
    finally:
        engine.dispose()
    assert latest.status_code == 200, latest.text
    assert latest.json()["as_of"]["position"] == projected
    assert latest.json()["read_model"] == {"position": projected, "ledger_head": head,
                                           "lag": head - projected, "caught_up": False}
    assert ahead.status_code == 503, ahead.text
    assert ahead.headers["retry-after"] == "1"
    assert ahead.json()["errors"][0]["field"] == "as_of_position"
    assert ahead.json()["projected_position"] == projected
