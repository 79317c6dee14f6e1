"""Reports computed from the ledger as of a position (issue 8 item 2), on SQLite and PostgreSQL.

The demo history (``ledger.demo``) gives the IOC SIT phase four planned tests (two passed, two
failed at their latest run), four Testing Issues raised (one closed) and three Work Off Plan items;
the reports must say exactly that, state the checkpoint they rest on, and say less as of an
earlier position.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from api import log_service
from api.report_render import render_html, render_json
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import bootstrap_admin
from ledger.commands.importer import import_lines
from ledger.config import Settings
from ledger.context import RecordingContext
from ledger.demo import IOC_SIT, demo_commands
from ledger.store import create_ledger
from projections.as_of import resolve
from projections.dmct_queries import UnknownEntryError
from projections.registry import projection_named
from projections.reports.dmct import dmct_draft
from projections.reports.model import ItemState, Report, checkpoint_covering
from projections.reports.sit import auditor_checklist, sit_completion
from projections.reports.weekly import Pseudonyms, week_of, weekly
from projections.runner import run_once
from projections.tables import facts
from signing.checkpoint import open_checkpoint
from signing.note import parse_vkey
from tests.conftest import BACKENDS, ORIGIN

WHEN = datetime.now(UTC) - timedelta(minutes=1)


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AKLedger]:
    """The demo history, recorded once per module and backend (the reports only read it)."""
    home = tmp_path_factory.mktemp("reports")
    if request.param == "sqlite":
        url = f"sqlite:///{home / 'ledger.sqlite3'}"
    else:
        base = request.getfixturevalue("pg_database")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(base)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine.dispose()
        url = sa.engine.make_url(base).update_query_dict(
            {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    actor = Actor(principal="tester", role="dcc-test-manager", organisation="DCC")
    app, _ = create_ledger(Settings(home / "home", url, ORIGIN, "tester", None), actor)
    try:
        bootstrap_admin(app, "admin", "ledger operator", RecordingContext(actor, WHEN))
        report = import_lines(app, [json.dumps(c) for c in demo_commands("admin")])
        assert [r.as_json() for r in report.rejected] == []
        run_once(app, projection_named("facts", app))
        log_service.integrate(app)
        yield app
    finally:
        app.close()
        app.engine.dispose()


def item(report: Report, clause: str, nth: int = 0):  # type: ignore[no-untyped-def]
    return [i for i in report.items if i.clause == clause][nth]


def test_the_sit_completion_pack_counts_the_ioc_phase(demo: AKLedger) -> None:
    at = resolve(demo.engine)
    pack = sit_completion(demo.engine, IOC_SIT, at)

    assert item(pack, "9.4(b)").summary == "run 4, passed 2, failed 2, not run 0 of 4"
    assert item(pack, "9.4(d)").summary == "2 tests failed at their latest run"
    assert item(pack, "9.4(e)").summary == "4 Testing Issues raised in the phase"
    assert item(pack, "9.4(f)").summary == "3 open"
    assert item(pack, "9.4(g)").state is ItemState.NOT_RECORDED  # no provider report in the demo
    assert item(pack, "15.1").summary.startswith("3 items")
    assert item(pack, "9.5(c)").state is ItemState.NOT_CONFIRMED  # the demo's IOC phase fails 12.9(b)
    assert pack.checkpoint is not None
    assert pack.checkpoint.leaves <= pack.checkpoint.size


def test_the_checkpoint_a_report_states_is_signed_and_covers_its_position(demo: AKLedger) -> None:
    at = resolve(demo.engine)
    pack = sit_completion(demo.engine, IOC_SIT, at)
    assert pack.checkpoint is not None
    cp, _, _ = open_checkpoint(pack.checkpoint.note, [parse_vkey(log_service.vkey(demo))])
    assert cp.size == pack.checkpoint.size
    assert cp.root_hash.hex() == pack.checkpoint.root_hash
    with demo.engine.connect() as conn:
        assert checkpoint_covering(conn, at.position) == pack.checkpoint
        # a position the integrator has not reached: no checkpoint covers it
        assert checkpoint_covering(conn, at.position + 1_000_000) is None


def test_an_earlier_position_reports_less(demo: AKLedger) -> None:
    latest = sit_completion(demo.engine, IOC_SIT, resolve(demo.engine))
    with demo.engine.connect() as conn:  # the position the IOC phase was first planned at
        planned = conn.execute(select(func.min(facts.c.valid_from)).where(
            facts.c.kind == "phase", facts.c.aggregate_id == IOC_SIT)).scalar_one()
    early = sit_completion(demo.engine, IOC_SIT, resolve(demo.engine, as_of_position=int(planned)))

    assert item(early, "9.4(e)").summary == "0 Testing Issues raised in the phase"
    assert item(early, "9.4(b)").summary == "run 0, passed 0, failed 0, not run 0 of 0"
    assert item(latest, "9.4(e)").summary == "4 Testing Issues raised in the phase"
    assert early.as_of.position < latest.as_of.position
    assert early.checkpoint is not None
    assert early.checkpoint.size <= latest.checkpoint.size


def test_the_auditor_checklist_confirms_only_what_the_facts_support(demo: AKLedger) -> None:
    checklist = auditor_checklist(demo.engine, IOC_SIT, resolve(demo.engine))
    states = {i.clause: i.state for i in checklist.items}
    assert list(states) == ["19.4(a)", "19.4(b)", "19.4(c)", "19.4(d)", "19.4(e)", "19.4(f)"]
    assert states["19.4(d)"] is ItemState.NOT_CONFIRMED  # exit criteria fail
    assert states["19.4(e)"] is ItemState.CONFIRMED  # every open issue is in WOP-IOC-1
    assert states["19.4(f)"] is ItemState.NOT_RECORDED


def test_the_weekly_report_is_anonymised_and_rendered(demo: AKLedger) -> None:
    at = resolve(demo.engine)
    plain = weekly(demo.engine, date(2026, 3, 8), at, anonymise=False)
    hidden = weekly(demo.engine, date(2026, 3, 8), at)
    providers = {p for s in plain.sections for i in s.items for r in i.rows for p in
                 str(r.get("providers", "")).split(", ") if p}
    text = render_html(hidden) + render_json(hidden)
    assert providers, "the demo's IOC issues name their DCC Service Providers"
    assert not any(p in text for p in providers)
    assert "SP-1" in text
    assert "<script" not in render_html(hidden)
    assert f"tree size <strong>{hidden.checkpoint.size}" in render_html(hidden)  # type: ignore[union-attr]


def test_week_bounds_and_pseudonyms() -> None:
    start, end = week_of(date(2026, 3, 29))  # the week the clocks go forward
    assert (start.date(), end.date()) == (date(2026, 3, 23), date(2026, 3, 30))
    assert (end - start) == timedelta(days=7)  # wall-clock week, 167 hours elapsed
    name = Pseudonyms(True)
    assert [name("SP", "CGI"), name("SP", "BT"), name("SP", "CGI"), name("DMC", "X")] == \
        ["SP-1", "SP-2", "SP-1", "DMC-1"]
    assert Pseudonyms(False)("SP", "CGI") == "CGI"


def test_reports_over_http_as_html_and_json(demo: AKLedger) -> None:
    from fastapi.testclient import TestClient

    from api.http import create_app
    from tests.integration.test_api_support import issue_token

    token = issue_token(demo, "admin").token
    run_once(demo, projection_named("facts", demo))
    log_service.integrate(demo)
    client = TestClient(create_app(demo))
    auth = {"Authorization": f"Bearer {token}"}
    page = client.get("/reports/sit-completion", params={"phase": IOC_SIT}, headers=auth)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "§9.4(b)" in page.text
    data = client.get("/reports/sit-auditor-checklist", params={"phase": IOC_SIT, "format": "json"},
                      headers=auth).json()
    assert data["sections"][0]["items"][0]["clause"] == "19.4(a)"
    assert data["checkpoint"]["size"] >= data["checkpoint"]["leaves"]
    draft = client.get("/reports/dmct-draft", params={"entry": "EPCL-207", "format": "json"}, headers=auth)
    assert draft.json()["name"] == "dmct-draft"
    week = client.get("/reports/weekly", params={"week_ending": "2026-03-08", "format": "json"}, headers=auth)
    assert week.status_code == 200, week.text
    assert client.get("/reports/weekly", params={"week_ending": "2026-03-08"}).status_code == 401
    bad = client.get("/reports/weekly", params={"week_ending": "sunday"}, headers=auth)
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "week_ending")
    unknown = client.get("/reports/sit-completion", params={"phase": "nope"}, headers=auth)
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (404, "phase")


def test_the_draft_dmct_report_is_checked_against_the_entry_history(demo: AKLedger) -> None:
    at = resolve(demo.engine)
    good = dmct_draft(demo, "EPCL-207", at)  # tested, re-run after fixes, completed successfully
    assert [i.clause for i in good.items] == [f"20.34({c})" for c in "abcdefghi"]
    assert {i.state for i in good.items} <= {ItemState.CONFIRMED, ItemState.DOCUMENTED}
    assert "3 re-runs recorded" in item(good, "20.34(e)").summary
    failed = dmct_draft(demo, "EPCL-206", at)  # unsuccessful: a severity 2 issue, later made 3 by the SoS
    assert failed.title.startswith("Draft DMCT Testing Report (unsuccessful, §20.35)")
    assert item(failed, "20.35(g)").state is ItemState.NOT_CONFIRMED
    assert "TI-DMCT-002" in item(failed, "20.35(g)").summary
    untested = dmct_draft(demo, "EPCL-205", at)  # paused for option (c): no draft yet
    assert {i.state for i in untested.items} == {ItemState.NOT_RECORDED}
    with pytest.raises(UnknownEntryError):
        dmct_draft(demo, "EPCL-999", at)
