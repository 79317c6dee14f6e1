"""`akledger import junit` and `akledger import ttm` as a user runs them, on both databases: exit 0
when every testcase or row is recorded, 1 naming each rejected one, 2 for input that cannot be
imported (naming the file and line, or the option), with nothing written on a dry run or exit 2."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from ledger.config import Settings
from ledger.log.tables import EVENTS_TABLE
from ledger.phases import TestPhase
from tests.e2e.test_cli import as_json, assert_exit, one_line_error, run, run_all
from tests.e2e.test_import_cli import OPERATOR, Lines

FIXTURES = Path(__file__).parents[1] / "fixtures"
JUNIT, TTM = FIXTURES / "junit", FIXTURES / "ttm"
DCC = "dcc-ops"
PHASE = str(TestPhase.create_id("ioc", "sit", None, None))


def events(settings: Settings) -> int:
    engine = sa.create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            count = conn.execute(sa.text(f"SELECT count(*) FROM {EVENTS_TABLE}")).scalar_one()
    finally:
        engine.dispose()
    assert isinstance(count, int)
    return count


def set_up(env: dict[str, str], tmp_path: Path, *tests: str) -> None:
    """`init`, then the DCC principal, the IOC SIT phase and ``tests`` planned in it."""
    f = Lines()
    f.add("Principal.add", OPERATOR, {"name": DCC, "role": "dcc", "organisation": "DCC"})
    f.add("TestPhase.plan", DCC, {"capability": "ioc", "kind": "sit"})
    for ref in tests:
        f.add("PlannedTest.plan", DCC, {"phase_id": PHASE, "phase_kind": "sit", "test_ref": ref,
                                        "kind": "functional", "source_document_sha256": "cd" * 32,
                                        "functional_group": "Tariff"})
    run(env, "init")
    run(env, "import", "commands", str(f.write(tmp_path / "setup.jsonl")))


def test_junit_files_are_recorded_and_each_rejected_testcase_is_named(
    env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    set_up(env, tmp_path, "TP-001", "TP-002", "TP-003", "TP-004")
    common = ["--phase", PHASE, "--principal", DCC, "--environment", "SIT-A", "--codebase-version", "R1"]
    files = [str(JUNIT / "pytest_xunit1.xml"), str(JUNIT / "xunit2.xml")]
    before = events(settings)

    dry, dry_table = run_all((env, ["import", "junit", *files, *common, "--dry-run", "--json"]),
                             (env, ["import", "junit", *files, *common, "--dry-run"]))
    assert_exit(dry, 1)
    assert events(settings) == before  # a dry run writes nothing
    assert_exit(dry_table, 1)
    assert "7 testcases: 6 would be recorded" in dry_table.stdout
    assert "dry run: nothing written" in dry_table.stdout
    assert "rejected" in dry_table.stderr  # the table of rejected testcases, folded to fit

    real = as_json(run(env, "import", "junit", *files, *common, "--json", code=1))
    assert events(settings) == before + 6
    assert {**as_json(dry), "dry_run": False} == real
    assert (real["testcases"], real["recorded"], real["events"]) == (7, 6, 6)
    (rejected,) = real["rejected"]
    assert rejected == {"file": files[0], "testcase": "tests.sit.test_misc.test_not_in_the_plan",
                        "field": "property:planned_test",
                        "reason": "the testcase has no such property naming its planned test",
                        "command": None}

    # The xUnit file alone: every testcase maps, exit 0; its runs follow the ones recorded.
    again = as_json(run(env, "import", "junit", files[1], *common, "--json"))
    assert (again["recorded"], again["rejected"]) == (2, [])
    assert events(settings) == before + 8


def test_junit_input_that_cannot_be_imported_exits_2_and_writes_nothing(
    env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    set_up(env, tmp_path, "TP-001")
    common = ["--phase", PHASE, "--principal", DCC]
    good, malformed = str(JUNIT / "xunit2.xml"), str(JUNIT / "malformed.xml")
    before = events(settings)
    results = run_all(
        (env, ["import", "junit", good, malformed, *common]),
        (env, ["import", "junit", good, "--phase", "00000000-0000-0000-0000-000000000007",
               "--principal", DCC]),
        (env, ["import", "junit", good, *common, "--map-by", "title"]),
        (env, ["import", "junit", good, "--phase", PHASE, "--principal", "nobody"]),
    )
    for result in results:
        assert_exit(result, 2)
        assert result.stdout == ""
    messages = [one_line_error(r) for r in results]
    assert f"FILE {malformed}: line 5, column 4: not well-formed XML" in messages[0]
    assert "--phase: no Test Phase 00000000-0000-0000-0000-000000000007 is recorded" in messages[1]
    assert "--map-by: 'title' is neither property:NAME nor name" in messages[2]
    assert "--principal: no principal named 'nobody'" in messages[3]
    assert events(settings) == before


def test_the_ttm_csv_is_recorded_row_by_row_naming_each_rejected_row(
    env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    set_up(env, tmp_path)
    common = ["--phase", PHASE, "--principal", DCC]
    before = events(settings)
    dry, unknown, headless = run_all(
        (env, ["import", "ttm", str(TTM / "ttm_rejections.csv"), *common, "--dry-run", "--json"]),
        (env, ["import", "ttm", str(TTM / "unknown_column.csv"), *common]),
        (env, ["import", "ttm", str(TTM / "no_header.csv"), *common]),
    )
    assert_exit(dry, 1)
    for result in (unknown, headless):
        assert_exit(result, 2)
    assert "row 1: unknown column 'priority'" in one_line_error(unknown)
    assert "row 1 is not a header" in one_line_error(headless)
    assert events(settings) == before

    recorded = as_json(run(env, "import", "ttm", str(TTM / "ttm.csv"), *common, "--json"))
    assert (recorded["rows"], recorded["recorded"], recorded["events"], recorded["rejected"]) == (
        4, 4, 10, [])
    table = run(env, "import", "ttm", str(TTM / "ttm_rejections.csv"), *common, code=1)
    assert "11 rows: 1 recorded (3 commands, 3 events), 1 already recorded, 9 rejected" in table.stdout
    assert "test_scenarios" in table.stderr
    assert events(settings) == before + 13
    rows = {r["row"]: r["column"] for r in as_json(dry)["rejected"]}
    assert rows[4] == "functional_group"
    assert rows[5] == "test_kind"
