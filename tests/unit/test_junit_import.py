"""Reading JUnit XML for ``akledger import junit``: each flavour's testcases, results, reasons,
times and properties as the import maps them, and the input it refuses (file and line named)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ledger.imports.junit import MapBy, evidence_option, read_file
from ledger.imports.units import ImportInputError

JUNIT = Path(__file__).parents[1] / "fixtures" / "junit"


def test_pytest_xunit1_testcases_carry_their_own_planned_test_property() -> None:
    path = JUNIT / "pytest_xunit1.xml"
    read = read_file(path)
    assert read.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [(c.label, c.properties.get("planned_test"), c.result) for c in read.cases] == [
        ("tests.sit.test_tariff.test_update_tariff", "TP-001", "pass"),
        ("tests.sit.test_tariff.test_tariff_rejected", "TP-002", "fail"),
        ("tests.sit.test_prepay.test_top_up", "TP-003", "fail"),
        ("tests.sit.test_prepay.test_debt_recovery", "TP-004", "not_run"),
        ("tests.sit.test_misc.test_not_in_the_plan", None, "pass"),
    ]
    passed, failed, errored, skipped, _ = read.cases
    assert passed.reason is None
    assert failed.reason == "failure: AssertionError: assert 'NACK' == 'ACK'"
    assert errored.reason == "error: failed on setup with \"fixture 'dmc_lab' not found\""
    assert skipped.reason == "skipped (pytest.skip): DMC-SEC-01 not in the lab this week"
    assert {c.timestamp for c in read.cases} == {"2026-03-02T10:15:00.123456"}  # the suite's


def test_surefire_suite_properties_apply_to_its_testcases_and_it_has_no_timestamp() -> None:
    read = read_file(JUNIT / "surefire.xml")  # a <testsuite> root
    assert [(c.classname, c.name, c.result) for c in read.cases] == [
        ("com.example.sit.TariffIT", "updatesTariff", "pass"),
        ("com.example.sit.TariffIT", "rejectsBadTariff", "fail"),
        ("com.example.sit.TariffIT", "TP-003", "pass"),
    ]
    assert read.cases[1].reason == (
        "failure (org.opentest4j.AssertionFailedError): expected: <ACK> but was: <NACK>")
    for case in read.cases:
        assert (case.properties["environment"], case.properties["codebase_version"]) == ("SIT-B", "R1.5.0")
        assert case.timestamp is None  # the import falls back to the file's modification time
    assert read.modified_at.endswith("+00:00")


def test_xunit2_a_rerun_that_passed_is_a_pass_and_suite_properties_are_inherited() -> None:
    read = read_file(JUNIT / "xunit2.xml")
    assert [(c.name, c.result, c.reason) for c in read.cases] == [
        ("test_update_tariff", "pass", None), ("test_update_tariff_again", "pass", None)]
    assert read.cases[0].properties["planned_test"] == "TP-001"
    assert read.cases[0].timestamp == "2026-03-03T09:00:00.000000+00:00"


def test_nested_suites_inherit_and_override_properties_and_times(tmp_path: Path) -> None:
    path = tmp_path / "nested.xml"
    path.write_text("""<testsuites timestamp="2026-01-01T00:00:00Z">
      <testsuite name="outer"><properties><property name="environment" value="SIT-A"/>
        <property name="planned_test" value="TP-9"/></properties>
        <testcase name="a"/>
        <testsuite name="inner" timestamp="2026-01-02T00:00:00+01:00">
          <properties><property name="environment" value="SIT-B"/></properties>
          <testcase name="b" timestamp="2026-01-03T00:00:00Z"><properties>
            <property name="planned_test" value="TP-10"/></properties></testcase>
          <testcase name="c"/>
        </testsuite></testsuite></testsuites>""", encoding="utf-8")
    cases = {c.name: c for c in read_file(path).cases}
    assert {n: (c.properties["environment"], c.properties["planned_test"], c.timestamp)
            for n, c in cases.items()} == {
        "a": ("SIT-A", "TP-9", "2026-01-01T00:00:00Z"),
        "b": ("SIT-B", "TP-10", "2026-01-03T00:00:00Z"),
        "c": ("SIT-B", "TP-9", "2026-01-02T00:00:00+01:00"),
    }


@pytest.mark.parametrize(("name", "message"), [
    ("malformed.xml", "line 5, column 4: not well-formed XML (mismatched tag)"),
    ("not_junit.xml", "the root element <assemblies> is not <testsuites> or <testsuite>"),
    ("missing.xml", "cannot read"),
])
def test_a_file_that_is_not_junit_xml_is_named_with_its_line(name: str, message: str) -> None:
    with pytest.raises(ImportInputError) as raised:
        read_file(JUNIT / name)
    assert raised.value.where == f"FILE {JUNIT / name}"
    assert message in raised.value.reason


def test_an_entity_expansion_attack_is_refused_as_malformed(tmp_path: Path) -> None:
    path = tmp_path / "laughs.xml"
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 12))
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY l0 "lol">{entities}]>'
                    '<testsuite><testcase name="&l11;"/></testsuite>', encoding="utf-8")
    with pytest.raises(ImportInputError, match="not well-formed XML"):
        read_file(path)


def test_map_by_and_evidence_options_are_read_or_refused_by_name() -> None:
    assert MapBy.parse("name") == MapBy(None)
    assert MapBy.parse("property:test_id") == MapBy("test_id")
    assert str(MapBy.parse("property:planned_test")) == "property:planned_test"
    for bad in ("property:", "title", "prop:x"):
        with pytest.raises(ImportInputError, match="--map-by"):
            MapBy.parse(bad)
    assert evidence_option("auto") == "auto"
    assert evidence_option("ab" * 32) == "ab" * 32
    for bad in ("AB" * 32, "ab" * 31, "none"):
        with pytest.raises(ImportInputError, match="--evidence-sha256"):
            evidence_option(bad)
