"""JUnit XML and TTM CSV imports through the one write path, on SQLite and PostgreSQL (issue 8
item 3): each testcase or row recorded whole or not at all, the rejected ones named, a dry run
writing nothing yet reporting what the real import does."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import bootstrap_admin, execute
from ledger.context import RecordingContext
from ledger.imports import junit, ttm_csv
from ledger.imports.units import ImportInputError, require_phase, require_principal
from ledger.phases import TestPhase
from ledger.planned_tests import PlannedTest
from ledger.requirements import Requirement
from ledger.test_scenarios import TestScenario

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime.now(UTC) - timedelta(hours=1)
DCC, AUDITOR = "dcc-ops", "sit-auditor"
PHASE = TestPhase.create_id("ioc", "sit", None, None)
PLANNED = ("TP-001", "TP-002", "TP-003", "TP-004", "com.example.sit.TariffIT.updatesTariff")


def stored(lg: AKLedger) -> int:
    with lg.connect() as conn:
        count = conn.execute(select(func.count()).select_from(lg.events_table)).scalar_one()
    assert isinstance(count, int)
    return count


def run(lg: AKLedger, command: str, principal: str, data: dict[str, Any]) -> None:
    execute(lg, {"command": command, "principal": principal, "occurred_at": NOW.isoformat(), "data": data})


@pytest.fixture
def sit(ledger: AKLedger, actor: Actor) -> AKLedger:
    """A ledger with a DCC and a SIT Auditor principal, the IOC SIT Test Phase, and no tests yet."""
    bootstrap_admin(ledger, "admin", "ledger operator", RecordingContext(actor, NOW))
    run(ledger, "Principal.add", "admin", {"name": DCC, "role": "dcc", "organisation": "DCC"})
    run(ledger, "Principal.add", "admin", {"name": AUDITOR, "role": "sit_auditor", "organisation": "Audit"})
    run(ledger, "TestPhase.plan", DCC, {"capability": "ioc", "kind": "sit"})
    return ledger


@pytest.fixture
def planned(sit: AKLedger) -> AKLedger:
    """``sit`` with the planned tests the JUnit fixtures run."""
    for ref in PLANNED:
        run(sit, "PlannedTest.plan", DCC, {
            "phase_id": str(PHASE), "phase_kind": "sit", "test_ref": ref, "kind": "functional",
            "source_document_sha256": "cd" * 32, "functional_group": "Tariff",
        })
    return sit


def planned_test(lg: AKLedger, ref: str) -> PlannedTest:
    found = lg.repository.get(PlannedTest.create_id(str(PHASE), ref))
    assert isinstance(found, PlannedTest)
    return found


def options(**overrides: Any) -> junit.JunitOptions:
    fields: dict[str, Any] = {"phase_id": PHASE, "principal": DCC, "environment": "SIT-A",
                              "codebase_version": "R1.4.2", **overrides}
    return junit.JunitOptions(**fields)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_testcases_mapped_by_property_become_runs_and_an_unmapped_one_is_named(planned: AKLedger) -> None:
    path = FIXTURES / "junit" / "pytest_xunit1.xml"
    before = stored(planned)
    report = junit.import_junit(planned, [junit.read_file(path)], options(), via="admin")

    assert (report.read, len(report.recorded), report.events) == (5, 4, 4)
    assert stored(planned) == before + 4
    (rejected,) = report.rejected
    assert (rejected.file, rejected.testcase, rejected.field) == (
        str(path), "tests.sit.test_misc.test_not_in_the_plan", "property:planned_test")
    runs = {ref: planned_test(planned, ref).latest_execution for ref in PLANNED[:4]}
    assert {ref: (r.run_number, r.result.value) for ref, r in runs.items() if r} == {
        "TP-001": (1, "pass"), "TP-002": (1, "fail"), "TP-003": (1, "fail"), "TP-004": (1, "not_run")}
    tp1, tp2, tp3, tp4 = runs.values()
    assert tp1 is not None
    assert tp2 is not None
    assert tp3 is not None
    assert tp4 is not None
    assert tp1.evidence_sha256 == sha256(path)  # the XML file is the run's evidence
    assert tp1.executed_at == datetime(2026, 3, 2, 10, 15, 0, 123456, UTC)  # no zone given: UTC
    assert (tp1.environment, tp1.codebase_version) == ("SIT-A", "R1.4.2")
    assert tp2.reason == "failure: AssertionError: assert 'NACK' == 'ACK'"
    assert str(tp3.reason).startswith("error: failed on setup")
    assert tp4.reason == "skipped (pytest.skip): DMC-SEC-01 not in the lab this week"


def test_testcases_mapped_by_name_take_their_environment_from_the_suite(planned: AKLedger) -> None:
    path = FIXTURES / "junit" / "surefire.xml"
    report = junit.import_junit(
        planned, [junit.read_file(path)],
        options(map_by=junit.MapBy.parse("name"), environment=None, codebase_version=None),
    )
    assert [(r.testcase, r.field) for r in report.rejected] == [
        ("com.example.sit.TariffIT.rejectsBadTariff", "name")]
    assert "'com.example.sit.TariffIT.rejectsBadTariff' or 'rejectsBadTariff'" in report.rejected[0].reason
    by_full_name = planned_test(planned, "com.example.sit.TariffIT.updatesTariff").latest_execution
    by_name = planned_test(planned, "TP-003").latest_execution  # classname.name is not planned; name is
    assert by_full_name is not None
    assert by_name is not None
    assert (by_full_name.environment, by_full_name.codebase_version) == ("SIT-B", "R1.5.0")
    assert by_name.result.value == "pass"


def test_runs_are_numbered_after_the_latest_including_earlier_files(planned: AKLedger) -> None:
    files = [junit.read_file(FIXTURES / "junit" / n) for n in ("pytest_xunit1.xml", "xunit2.xml")]
    report = junit.import_junit(planned, files, options(environment=None, codebase_version=None))
    # pytest_xunit1 has no environment: its four mapped testcases are refused, naming the field.
    assert [r.field for r in report.rejected] == ["environment"] * 4 + ["property:planned_test"]
    # xunit2: the suite's property maps both testcases to TP-001 (a rerun, then a pass: a pass).
    tp1 = planned_test(planned, "TP-001")
    assert [(e.run_number, e.result.value, e.executed_by) for e in tp1.executions] == [
        (1, "pass", ("alice", "bob")), (2, "pass", ("alice", "bob"))]
    again = junit.import_junit(planned, files[1:], options())
    assert not again.rejected
    assert [e.run_number for e in planned_test(planned, "TP-001").executions] == [1, 2, 3, 4]


def test_a_refused_testcase_writes_nothing_and_the_others_are_written(
    planned: AKLedger, tmp_path: Path
) -> None:
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    path = tmp_path / "mixed.xml"
    path.write_text(f"""<testsuites>
      <testsuite name="s" timestamp="{NOW.isoformat()}">
        <testcase classname="c" name="now"><properties><property name="planned_test" value="TP-001"/>
        </properties></testcase>
        <testcase classname="c" name="later" timestamp="{future}"><properties>
          <property name="planned_test" value="TP-002"/></properties></testcase>
        <testcase classname="c" name="badly timed" timestamp="last tuesday"><properties>
          <property name="planned_test" value="TP-003"/></properties></testcase>
      </testsuite></testsuites>""", encoding="utf-8")
    before = stored(planned)
    report = junit.import_junit(planned, [junit.read_file(path)], options())
    assert [(r.testcase, r.field, r.command) for r in report.rejected] == [
        ("c.later", "occurred_at", "PlannedTest.record_execution"), ("c.badly timed", "timestamp", None)]
    assert "in the future" in report.rejected[0].reason
    assert stored(planned) == before + 1
    assert planned_test(planned, "TP-001").latest_execution is not None
    assert planned_test(planned, "TP-002").latest_execution is None

    # A principal whose role may not record executions: each testcase refused, naming it.
    refused = junit.import_junit(planned, [junit.read_file(path)], options(principal=AUDITOR))
    assert refused.recorded == []
    assert [r.field for r in refused.rejected] == ["principal", "principal", "timestamp"]
    assert "sit_auditor may not PlannedTest.record_execution" in refused.rejected[0].reason
    assert stored(planned) == before + 1


def test_a_junit_dry_run_reports_what_the_import_would_do_and_writes_nothing(planned: AKLedger) -> None:
    files = [junit.read_file(FIXTURES / "junit" / n) for n in ("pytest_xunit1.xml", "xunit2.xml")]
    before = stored(planned)
    dry = junit.import_junit(planned, files, options(dry_run=True))
    assert stored(planned) == before
    assert all(planned_test(planned, ref).latest_execution is None for ref in PLANNED)
    real = junit.import_junit(planned, files, options())
    assert dry.as_json() == {**real.as_json(), "dry_run": True}
    assert (len(real.recorded), len(real.rejected)) == (6, 1)
    assert [e.run_number for e in planned_test(planned, "TP-001").executions] == [1, 2, 3]


def test_the_ttm_rows_record_requirements_scenarios_and_planned_tests(sit: AKLedger) -> None:
    path = FIXTURES / "ttm" / "ttm.csv"
    phase = require_phase(sit, str(PHASE))
    report = ttm_csv.import_ttm(sit, ttm_csv.read_file(path), phase, DCC, occurred_at=NOW.isoformat())
    assert report.rejected == []
    # Row 2: F2.3, SC-001, TP-001; row 3: H5.1(b), SC-002, TP-002; row 4: L4.2, SC-003; row 5: SC-004, TP-010.
    assert [len(unit) for unit in report.recorded] == [3, 3, 2, 2]
    f23 = Requirement.create_id("F", "F2.3", "TBRD-1.0")
    assert sit.repository.get(f23).title == "Tariff update"
    sc2 = sit.repository.get(TestScenario.create_id("SC-002"))
    assert sc2.requirement_ids == [str(f23), str(Requirement.create_id("H", "H5.1(b)", "TBRD-1.0"))]
    tp1, tp10 = planned_test(sit, "TP-001"), planned_test(sit, "TP-010")
    assert (tp1.kind.value, tp1.functional_group, tp1.dmc) == ("functional", "Tariff", "DMC-SEC-01")
    assert tp1.source_document_sha256 == sha256(path)  # none given: the TTM file itself
    assert tp10.source_document_sha256 == "a" * 64
    assert tp10.scenario_ids == [str(TestScenario.create_id(r)) for r in ("SC-004", "SC-003")]

    # The same file again: everything is recorded already and agrees; nothing is written.
    before = stored(sit)
    again = ttm_csv.import_ttm(sit, ttm_csv.read_file(path), phase, DCC, occurred_at=NOW.isoformat())
    assert (again.unchanged, again.recorded, again.rejected, stored(sit)) == (4, [], [], before)


def test_each_rejected_ttm_row_is_named_and_nothing_of_it_is_written(sit: AKLedger) -> None:
    path = FIXTURES / "ttm" / "ttm_rejections.csv"
    phase = require_phase(sit, str(PHASE))
    before = stored(sit)
    dry = ttm_csv.import_ttm(sit, ttm_csv.read_file(path), phase, DCC, occurred_at=NOW.isoformat(),
                             dry_run=True)
    assert stored(sit) == before
    report = ttm_csv.import_ttm(sit, ttm_csv.read_file(path), phase, DCC, occurred_at=NOW.isoformat())
    assert dry.as_json() == {**report.as_json(), "dry_run": True}
    assert {r.row: r.column for r in report.rejected} == {
        3: "requirements", 4: "functional_group", 5: "test_kind", 6: "requirements", 7: "test_scenarios",
        8: "source_document_sha256", 9: "requirements", 12: "test_ref", 13: "baseline_version"}
    reasons = {r.row: r.reason for r in report.rejected}
    assert "Section letter" in reasons[3]
    assert "recorded already" in reasons[6]
    assert "'SC-999' is not recorded" in reasons[7]
    assert (report.read, len(report.recorded), report.unchanged) == (11, 1, 1)
    assert stored(sit) == before + 3  # row 2 only: G1.1, SC-010, TP-020
    # Rows 4, 5 and 8 were refused at their planned test: their requirement and scenario, which
    # came first in the same unit, were not written either.
    for clause, scenario in (("G1.2", "SC-012"), ("G1.3", "SC-013"), ("G1.5", "SC-015")):
        assert Requirement.create_id("G", clause, "TBRD-1.0") not in sit.repository
        assert TestScenario.create_id(scenario) not in sit.repository


def test_bad_input_is_refused_before_anything_is_read_or_written(sit: AKLedger, tmp_path: Path) -> None:
    with pytest.raises(ImportInputError, match="--phase: no Test Phase"):
        require_phase(sit, str(UUID(int=7)))
    with pytest.raises(ImportInputError, match="--phase: 'SIT' is not a Test Phase id"):
        require_phase(sit, "SIT")
    with pytest.raises(ImportInputError, match="--principal: no principal named 'nobody'"):
        require_principal(sit, "nobody")
    with pytest.raises(ImportInputError, match=r"unknown column 'priority'"):
        ttm_csv.read_file(FIXTURES / "ttm" / "unknown_column.csv")
    with pytest.raises(ImportInputError, match="row 1 is not a header"):
        ttm_csv.read_file(FIXTURES / "ttm" / "no_header.csv")
    with pytest.raises(ImportInputError, match="cannot read"):
        ttm_csv.read_file(tmp_path / "missing.csv")
