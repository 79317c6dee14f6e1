"""The dashboard over the ASGI app (issue 8 item 1), on the demo ledger, on both databases.

Each view renders for a signed-in principal and sends anyone else to the sign-in page; the
sign-in cookie is HttpOnly and SameSite=Strict and holds a token the ledger still honours; an
as-of or filter that cannot be read is a 4xx page naming the parameter, never a 500; and a page
as of an earlier position shows the ledger as it stood there.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api import log_service
from api.auth import IssuedToken
from api.dashboard.routes import VIEWS
from api.http import create_app
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import bootstrap_admin
from ledger.commands.importer import import_lines
from ledger.config import Settings
from ledger.context import RecordingContext
from ledger.demo import AUDITOR, IOC_SIT, demo_commands
from ledger.store import create_ledger
from projections import queries
from tests.conftest import BACKENDS, ORIGIN
from tests.integration.test_api_support import as_admin, issue_token

PATHS = [f"/dashboard/{path}" for path, _, _ in VIEWS]


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AKLedger]:
    """The demo history, integrated (so there is a checkpoint), once per database for the module:
    the tests only read it (each revocation is of a token of its own)."""
    home = tmp_path_factory.mktemp("dashboard")
    url = f"sqlite:///{home / 'ledger.sqlite3'}"
    if request.param == "postgresql":
        base = request.getfixturevalue("pg_database")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(base)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine.dispose()
        in_schema = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        url = in_schema.render_as_string(hide_password=False)
    settings = Settings(home=home / "home", database_url=url, log_origin=ORIGIN, actor="tester",
                        key_passphrase=None)
    actor = Actor(principal="tester", role="dcc-test-manager", organisation="DCC")
    lg, _ = create_ledger(settings, actor)
    try:
        bootstrap_admin(lg, "admin", "ledger operator", RecordingContext(actor, datetime.now(UTC)))
        report = import_lines(lg, [json.dumps(c) for c in demo_commands("admin")])
        assert [r.as_json() for r in report.rejected] == []
        log_service.integrate(lg)
        yield lg
    finally:
        lg.close()
        lg.engine.dispose()


@pytest.fixture
def auditor(demo: AKLedger) -> IssuedToken:
    """A token of the demo's SIT Auditor, new for each test."""
    return issue_token(demo, AUDITOR)


def signed_in(lg: AKLedger, token: IssuedToken) -> TestClient:
    client = TestClient(create_app(lg), raise_server_exceptions=False)
    response = client.post("/dashboard/sign-in", data={"token": token.token, "next": "/dashboard/heatmap"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/dashboard/heatmap"
    return client


def test_every_view_renders_for_a_signed_in_principal_and_sends_anyone_else_to_sign_in(
    demo: AKLedger, auditor: IssuedToken
) -> None:
    anonymous = TestClient(create_app(demo), raise_server_exceptions=False)
    client = signed_in(demo, auditor)
    for path in PATHS:
        refused = anonymous.get(f"{path}?as_of_position=40", follow_redirects=False)
        assert refused.status_code == 303, path
        assert refused.headers["location"] == f"/dashboard/sign-in?next={path.replace('/', '%2F')}" \
                                              "%3Fas_of_position%3D40"
        page = client.get(path)
        assert page.status_code == 200, (path, page.text[-2000:])
        assert page.headers["content-type"].startswith("text/html")
        assert f"Signed in as <strong>{AUDITOR}</strong>" in page.text
        assert 'aria-current="page"' in page.text
        # every link of the navigation carries the moment asked for
        earlier = client.get(f"{path}?as_of_position=40")
        assert earlier.status_code == 200, path
        assert 'data-position="40"' in earlier.text
        assert 'href="/dashboard/heatmap?as_of_position=40"' in earlier.text
    assert anonymous.get("/dashboard/static/dashboard.css").status_code == 200


def test_the_views_show_what_the_queries_answer(demo: AKLedger, auditor: IssuedToken) -> None:
    client = signed_in(demo, auditor)
    thresholds = client.get("/dashboard/thresholds", params={"phase": IOC_SIT}).text
    assert "Table 13.2" in thresholds
    assert 'class="gauge"' in thresholds
    exit_board = client.get("/dashboard/exit-criteria").text
    assert "12.9(a)" in exit_board
    assert "Table 13.1" in exit_board
    dmct = client.get("/dashboard/dmct", params={"clocks": "open"}).text
    assert "EPCL-207" in dmct
    assert "§20.37" in dmct
    assert "S14" not in dmct  # lines without an open clock are filtered out
    work_off = client.get("/dashboard/work-off").text
    assert "WOP-IOC-1" in work_off
    assert "OVERDUE" in work_off
    matters = client.get("/dashboard/matters", params={"state": "determined"}).text
    assert "R9-IOC-1" in matters
    assert "R9-IOC-1" not in client.get("/dashboard/matters", params={"state": "open"}).text


def heatmap_total(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-field="(\w+)">(\d+)<', html)}


def test_the_heatmap_as_of_an_earlier_position_or_date_stands_where_the_ledger_stood(
    demo: AKLedger, auditor: IssuedToken
) -> None:
    client = signed_in(demo, auditor)
    now = heatmap_total(client.get("/dashboard/heatmap").text)
    then = heatmap_total(client.get("/dashboard/heatmap", params={"as_of_position": 40}).text)
    expected = queries.heatmap(demo.engine, as_of_position=40).total
    assert then == {"passed": expected.passed, "failed": expected.failed, "not_run": expected.not_run,
                    "planned": expected.planned, "witnessed": expected.witnessed}
    assert then["planned"] < now["planned"]
    yesterday = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    before = heatmap_total(client.get("/dashboard/heatmap", params={"as_of": yesterday}).text)
    assert before["planned"] == 0
    by_phase = client.get("/dashboard/heatmap", params={"by": "phase"})
    assert by_phase.status_code == 200
    assert heatmap_total(by_phase.text) == now


@pytest.mark.parametrize(("query", "status", "field"), [
    ({"as_of_position": "abc"}, 422, "as_of_position"),
    ({"as_of_position": "-1"}, 422, "as_of_position"),
    ({"as_of_position": "9" * 30}, 422, "as_of_position"),
    ({"as_of": "yesterday"}, 422, "as_of"),
    ({"as_of": "2026-02-30"}, 422, "as_of"),
    ({"as_of": "2026-07-01T12:00:00"}, 422, "as_of"),
    ({"as_of": "0001-01-01"}, 422, "as_of"),
    ({"as_of": "2026-07-01", "as_of_position": "3"}, 422, "as_of_position, as_of"),
    ({"phase": "no-such-phase"}, 404, "phase"),
    ({"by": "colour"}, 422, "by"),
])
def test_a_bad_as_of_or_filter_is_a_4xx_page_naming_the_parameter(
    demo: AKLedger, auditor: IssuedToken, query: dict[str, str], status: int, field: str
) -> None:
    client = signed_in(demo, auditor)
    page = client.get("/dashboard/heatmap", params=query)
    assert page.status_code == status, page.text[-1500:]
    assert f'<code class="field">{field}</code>' in page.text
    assert page.headers["content-type"].startswith("text/html")


def test_what_a_query_string_says_is_shown_escaped(demo: AKLedger, auditor: IssuedToken) -> None:
    client = signed_in(demo, auditor)
    page = client.get("/dashboard/matters", params={"as_of": "<script>alert(1)</script>"})
    assert page.status_code == 422
    assert "<script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_other_views_name_their_own_bad_filters(demo: AKLedger, auditor: IssuedToken) -> None:
    client = signed_in(demo, auditor)
    for path, query, status, field in [
        ("dmct", {"dmc": "DMC-NOPE"}, 404, "dmc"),
        ("dmct", {"family": "purple"}, 422, "family"),
        ("thresholds", {"entry": "EPCL-999"}, 404, "entry"),
        ("matters", {"state": "asleep"}, 422, "state"),
        ("findings", {"source": "nothing"}, 422, "source"),
        ("ttm", {"phase": "nope"}, 404, "phase"),
        ("exit-criteria", {"as_of": "2026-13-01"}, 422, "as_of"),
    ]:
        page = client.get(f"/dashboard/{path}", params=query)
        assert page.status_code == status, (path, page.text[-1500:])
        assert f'<code class="field">{field}</code>' in page.text, path


def test_sign_in_sets_an_httponly_strict_cookie_and_refuses_a_bad_token(
    demo: AKLedger, auditor: IssuedToken
) -> None:
    client = TestClient(create_app(demo), raise_server_exceptions=False)
    assert client.get("/dashboard/sign-in").status_code == 200
    forged = auditor.token[:-4] + ("AAAA" if not auditor.token.endswith("AAAA") else "BBBB")
    for token in ("", "hunter2", forged):
        refused = client.post("/dashboard/sign-in", data={"token": token}, follow_redirects=False)
        assert refused.status_code == 401
        assert '<code class="field">token</code>' in refused.text
        assert "set-cookie" not in refused.headers
    elsewhere = client.post("/dashboard/sign-in", data={"token": auditor.token},
                            headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert elsewhere.status_code == 403
    assert "set-cookie" not in elsewhere.headers
    off_site = client.post("/dashboard/sign-in", data={"token": auditor.token, "next": "//evil.example/x"},
                           follow_redirects=False)
    assert off_site.status_code == 303
    assert off_site.headers["location"] == "/dashboard"
    cookie = off_site.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/dashboard" in cookie
    assert client.get("/dashboard/integrity").status_code == 200
    out = client.post("/dashboard/sign-out", follow_redirects=False)
    assert out.status_code == 303
    assert 'akledger_dashboard=""' in out.headers["set-cookie"]
    assert client.get("/dashboard/integrity", follow_redirects=False).status_code == 303


def test_a_revoked_token_is_signed_out_at_the_next_page(demo: AKLedger, auditor: IssuedToken) -> None:
    client = signed_in(demo, auditor)
    assert client.get("/dashboard/findings").status_code == 200
    as_admin(demo, "Principal.revoke_token", {"target": {"name": AUDITOR}, "token_id": auditor.token_id})
    gone = client.get("/dashboard/findings", follow_redirects=False)
    assert gone.status_code == 303
    assert gone.headers["location"].startswith("/dashboard/sign-in")


def test_verify_now_shows_the_result_on_the_integrity_page(demo: AKLedger, auditor: IssuedToken) -> None:
    client = signed_in(demo, auditor)
    page = client.get("/dashboard/integrity").text
    assert "Not verified from this dashboard" in page
    assert f'id="tree-size">{log_service.tree_size(demo)}<' in page
    done = client.post("/dashboard/integrity/verify", follow_redirects=True)
    assert done.status_code == 200
    assert f"run from this dashboard by <strong>{AUDITOR}</strong>" in done.text
    assert "verdict-pass" in done.text
