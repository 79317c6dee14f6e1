"""DMCT commands through the one write path, on SQLite and PostgreSQL: a command on a planned EPCL
entry is checked against its DMC and what it names (``ledger.dmct.cross_checks``) and refused
naming ``data.<field>``, with nothing written; the DMCT findings that need no day are in the
``findings`` query (§20.21 here), as of any position."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import bootstrap_admin, execute
from ledger.context import RecordingContext
from ledger.dmct.entry import DmctEntry
from ledger.errors import InvalidFieldError
from projections.facts_projection import FactsProjection
from projections.queries import findings
from projections.runner import run_once

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DCC, SUPPLIER = "dcc-ops", "acme-supply"


class Story:
    """Commands one after another, an hour apart, from ``START``."""

    def __init__(self, lg: AKLedger) -> None:
        self.lg, self.at = lg, START

    def __call__(self, command: str, data: dict[str, Any], by: str = DCC) -> int:
        self.at += timedelta(hours=1)
        line = {"command": command, "principal": by, "occurred_at": self.at.isoformat(), "data": data}
        return execute(self.lg, line).appended[-1].position


def events(lg: AKLedger) -> int:
    with lg.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(lg.events_table)).scalar_one())


@pytest.fixture
def story(ledger: AKLedger, actor: Actor) -> Story:
    bootstrap_admin(ledger, "admin", "ledger operator", RecordingContext(actor, START))
    run = Story(ledger)
    run("Principal.add", {"name": DCC, "role": "dcc", "organisation": "DCC"}, by="admin")
    run("Principal.add", {"name": SUPPLIER, "role": "supplier", "organisation": "Acme"}, by="admin")
    run("DmctDmc.receive_submission", {"dmc_id": "DMC-1", "supplier": SUPPLIER, "submission_ref": "SUB-1",
                                       "cycle": "2026-02"}, by=SUPPLIER)
    run("DmctDmc.begin_assessment", {"target": {"dmc_id": "DMC-1"}})
    run("DmctDmc.record_assessment", {"target": {"dmc_id": "DMC-1"}, "result": "none"})
    return run


def schedule(entry_id: str, dmc_id: str = "DMC-1") -> dict[str, Any]:
    return {"entry_id": entry_id, "dmc_id": dmc_id, "installation_type": "dormant_only",
            "capability_release": "moc", "smso": "SMSO-A", "planned_start": "2026-04-06",
            "planned_completion": "2026-05-01",
            "test_packs": [{"testing": "dmct_mt", "pack_id": "PACK-MT"},
                           {"testing": "dmct_srvt", "pack_id": "PACK-SRVT"}]}


def refused(story: Story, field: str, command: str, data: dict[str, Any]) -> str:
    before = events(story.lg)
    with pytest.raises(InvalidFieldError) as raised:
        story(command, data)
    assert raised.value.field == field, str(raised.value)
    assert events(story.lg) == before  # nothing written
    return str(raised.value)


def test_an_entry_is_scheduled_only_for_its_dmc_once_the_dmc_scheduled_it(story: Story) -> None:
    unknown = refused(story, "data.dmc_id", "DmctEntry.schedule", schedule("E1", "DMC-9"))
    assert "no DMCT DMC 'DMC-9'" in unknown
    assert "S03" in refused(story, "data.dmc_id", "DmctEntry.schedule", schedule("E1"))
    story("DmctDmc.schedule_entries", {"target": {"dmc_id": "DMC-1"}, "entry_ids": ["E1"]})
    refused(story, "data.entry_id", "DmctEntry.schedule", schedule("E2"))

    story("DmctEntry.schedule", schedule("E1"))

    entry = story.lg.repository.get(DmctEntry.create_id("E1"))
    assert isinstance(entry, DmctEntry)
    assert entry.planned is not None
    assert [(p.testing.value, p.pack_id) for p in entry.planned.test_packs] == [
        ("dmct_mt", "PACK-MT"), ("dmct_srvt", "PACK-SRVT")]


def test_a_dmct_testing_issue_must_be_a_testing_issue_naming_the_entry(story: Story) -> None:
    story("DmctDmc.schedule_entries", {"target": {"dmc_id": "DMC-1"}, "entry_ids": ["E1"]})
    story("DmctEntry.schedule", schedule("E1"))
    story("DmctEntry.start_testing", {"target": {"entry_id": "E1"}, "environment": "SIT-A",
                                      "environment_version": "R4.2"})
    record = {"target": {"entry_id": "E1"}, "issue_id": "TI-D-1"}
    refused(story, "data.issue_id", "DmctEntry.record_testing_issue", record)
    story("TestingIssue.raise_issue", {
        "reference": "TI-D-1", "summary": "join response dropped", "phase_id": "DMCT-MOC",
        "dmc_ids": ["DMC-1"], "epcl_entry_ids": ["E1"], "service_providers": ["SMSO-A"],
        "cause": "dcc_total_system", "environment": "test", "raised_by": DCC, "security_impact": False})

    story("DmctEntry.record_testing_issue", record)


def test_dmct_findings_are_in_the_findings_query_as_of_any_position(story: Story) -> None:
    story("DmctDmc.schedule_entries", {"target": {"dmc_id": "DMC-1"}, "entry_ids": ["E1"]})
    story("DmctEntry.schedule", schedule("E1"))
    started = story("DmctEntry.start_testing", {"target": {"entry_id": "E1"}, "environment": "SIT-A",
                                                "environment_version": "R4.2"})
    story("DmctEntry.pause", {"target": {"entry_id": "E1"}})  # no §16.1 report named
    run_once(story.lg, FactsProjection(story.lg))

    now = findings(story.lg.engine)
    before = findings(story.lg.engine, as_of_position=started)

    assert [(f.source, f.subject, f.clause) for f in now.findings] == [("dmct_status", "E1", "20.21")]
    assert before.findings == ()
