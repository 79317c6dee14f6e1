"""The Test Traceability Matrix (``ledger.ttm``, §11.1-11.3) and its findings
(``ledger.findings.ttm``): each command accepted and refused naming the field, each finding raised
and not raised, in memory."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ledger.actors import Actor
from ledger.context import RecordingContext
from ledger.errors import InvalidTtmEventError
from ledger.findings import Finding
from ledger.findings.ttm import (
    baseline_changes_not_reflected,
    reports_on_unfit_versions,
    requirements_of_another_baseline,
    requirements_without_scenario,
    sit_commenced_without_assured_ttm,
    ttm_findings,
    unassured_versions_during_sit,
    versions_off_baseline,
)
from ledger.requirements import Requirement
from ledger.rules.phase_kinds import OperatingCapability
from ledger.test_scenarios import TestScenario
from ledger.ttm import Ttm
from ledger.ttm_values import TtmReport

DCC = Actor("dana", "dcc", "DCC")
H1, H2, H3 = "a1" * 32, "b2" * 32, "c3" * 32
REQ_1 = str(Requirement.create_id("F", "2.1", "B1"))
REQ_2 = str(Requirement.create_id("H", "14.37", "B1"))
SC_1 = str(TestScenario.create_id("SC-1"))
JAN_5, JAN_20, FEB_2, MAR_2 = date(2026, 1, 5), date(2026, 1, 20), date(2026, 2, 2), date(2026, 3, 2)


def on(day: date = JAN_5) -> dict[str, Any]:
    """The DCC recording, at noon on ``day``."""
    return RecordingContext(DCC, datetime(day.year, day.month, day.day, 12, tzinfo=UTC)).fields()


def ttm(capability: str = "moc") -> Ttm:
    return Ttm.produce("SIT-MOC-EPCL-7", capability, "B1", **on())


def published(capability: str = "moc", version: str = "1.0", day: date = JAN_5, baseline: str = "B1") -> Ttm:
    matrix = ttm(capability)
    matrix.publish_version(version, baseline, H1, [REQ_1, REQ_2], [SC_1], **on(day))
    return matrix


def publish(matrix: Ttm, version: str, day: date, baseline: str = "B1") -> None:
    matrix.publish_version(version, baseline, H1, [REQ_1, REQ_2], [SC_1], reason="update", **on(day))


def clauses(found: list[Finding]) -> list[str]:
    return [f.clause for f in found]


# -- production ------------------------------------------------------------------------------------
def test_a_ttm_is_produced_per_phase_with_its_capability_and_baseline() -> None:
    matrix = ttm()
    assert matrix.id == Ttm.create_id("SIT-MOC-EPCL-7")
    assert Ttm.create_id("SIT-IOC") != matrix.id
    assert (matrix.capability, matrix.initial_baseline) == (OperatingCapability.MOC, "B1")
    assert matrix.latest is None
    assert matrix.collect_events()[0].clauses == ["11.1", "12.5(c)"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", "moc", "B1"), "phase_id"),
        (("SIT-1", "soc", "B1"), "capability"),
        (("SIT-1", "ioc", " "), "requirements_baseline"),
    ],
)
def test_a_malformed_ttm_is_refused_naming_the_field(args: tuple[str, str, str], field: str) -> None:
    with pytest.raises(InvalidTtmEventError) as caught:
        Ttm.produce(*args, **on())
    assert caught.value.field == field


# -- versions --------------------------------------------------------------------------------------
def test_versions_are_published_in_increasing_order_and_later_ones_cite_11_2() -> None:
    matrix = published(version="1.9")
    matrix.publish_version("1.10", "B1", H2, [REQ_1.upper()], [SC_1], reason="scope", **on(JAN_20))
    assert list(matrix.versions) == ["1.9", "1.10"]
    latest = matrix.latest
    assert latest is not None
    assert (latest.requirement_ids, latest.published_on, latest.version_event) == ((REQ_1,), JAN_20, 3)
    first, second = matrix.collect_events()[1:]
    assert (first.clauses, second.clauses) == (["11.1"], ["11.1", "11.2"])
    assert json.loads(json.dumps(second.requirement_ids)) == [REQ_1]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"version": "v2"}, "version"),
        ({"version": "2..1"}, "version"),
        ({"version": "0.9"}, "version"),
        ({"version": "1"}, "version"),  # 1 and 1.0 are one version
        ({"requirements_baseline": ""}, "requirements_baseline"),
        ({"document_sha256": "ABC"}, "document_sha256"),
        ({"requirement_ids": []}, "requirement_ids"),
        ({"requirement_ids": ["REQ-1"]}, "requirement_ids"),
        ({"requirement_ids": [REQ_1, REQ_1]}, "requirement_ids"),
        ({"scenario_ids": []}, "scenario_ids"),
        ({"reason": " "}, "reason"),
    ],
)
def test_a_malformed_version_is_refused_naming_the_field_and_nothing_is_written(
    change: dict[str, Any], field: str
) -> None:
    matrix = published(version="1.0")
    args: dict[str, Any] = {"version": "2", "requirements_baseline": "B1", "document_sha256": H2,
                            "requirement_ids": [REQ_1], "scenario_ids": [SC_1], **change}
    with pytest.raises(InvalidTtmEventError) as caught:
        matrix.publish_version(**args, **on())
    assert caught.value.field == field
    assert (matrix.version, list(matrix.versions)) == (2, ["1.0"])


# -- assurance -------------------------------------------------------------------------------------
def test_a_published_version_is_assured_once() -> None:
    matrix = published(version="1")
    matrix.assure("1.0", JAN_20, H2, **on(JAN_20))
    assert (matrix.versions["1"].assured_on, matrix.versions["1"].assured_event) == (JAN_20, 3)
    assert matrix.collect_events()[-1].clauses == ["11.1", "11.2"]
    with pytest.raises(InvalidTtmEventError, match="assured already") as caught:
        matrix.assure("1", JAN_20, H2, **on(JAN_20))
    assert caught.value.field == "version"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("2.0", JAN_20, H2), "version"),  # never published: refused, not flagged
        (("1.0", date(2026, 1, 4), H2), "assured_on"),
        (("1.0", datetime(2026, 1, 20, tzinfo=UTC), H2), "assured_on"),
        (("1.0", JAN_20, "not-a-hash"), "report_sha256"),
    ],
)
def test_an_assurance_that_cannot_be_is_refused_naming_the_field(args: tuple[Any, ...], field: str) -> None:
    matrix = published()
    with pytest.raises(InvalidTtmEventError) as caught:
        matrix.assure(*args, **on(JAN_20))
    assert caught.value.field == field
    assert matrix.versions["1.0"].assured_event is None


# -- SIT commencement and baseline changes --------------------------------------------------------
def test_sit_commences_once() -> None:
    matrix = published()
    matrix.record_sit_commenced(FEB_2, **on(FEB_2))
    assert (matrix.sit_commenced_on, matrix.sit_commenced_event) == (FEB_2, 3)
    with pytest.raises(InvalidTtmEventError, match="2026-02-02") as caught:
        matrix.record_sit_commenced(MAR_2, **on(MAR_2))
    assert caught.value.field == "status"
    with pytest.raises(InvalidTtmEventError) as caught:
        ttm().record_sit_commenced("2026-02-02", **on())  # type: ignore[arg-type]
    assert caught.value.field == "commenced_on"


def test_a_change_to_sections_f_to_p_is_recorded_with_its_new_baseline() -> None:
    matrix = ttm()
    matrix.record_baseline_change("B2", ["F", "H"], FEB_2, **on(FEB_2))
    change = matrix.baseline_changes[0]
    assert (change.requirements_baseline, change.changed_sections) == ("B2", ("F", "H"))
    assert (change.effective_on, change.version) == (FEB_2, 2)
    assert matrix.collect_events()[-1].clauses == ["11.2"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", ["F"], FEB_2), "requirements_baseline"),
        (("B1", ["F"], FEB_2), "requirements_baseline"),  # the baseline it was produced with
        (("B2", [], FEB_2), "changed_sections"),
        (("B2", ["F", "F"], FEB_2), "changed_sections"),
        (("B2", ["X"], FEB_2), "changed_sections"),
        (("B2", ["F"], "2026-02-02"), "effective_on"),
    ],
)
def test_a_malformed_baseline_change_is_refused_naming_the_field(args: tuple[Any, ...], field: str) -> None:
    matrix = ttm()
    with pytest.raises(InvalidTtmEventError) as caught:
        matrix.record_baseline_change(*args, **on())
    assert caught.value.field == field
    assert matrix.baseline_changes == []


# -- use in reports (§11.3) ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("report", "cited"),
    [("sit_progress", ["11.3"]), ("interim_opinion", ["19.5"]), ("sit_audit_report", ["11.3", "19.4(a)"]),
     (TtmReport.COMPLETION_REPORT, ["11.3", "19.6(a)"])],
)
def test_a_version_is_used_in_a_report_citing_its_clauses(report: str, cited: list[str]) -> None:
    matrix = published()
    matrix.record_use_in_report("1.0", report, H3, **on(FEB_2))
    assert matrix.report_uses[0].report is TtmReport(report)
    assert matrix.collect_events()[-1].clauses == cited


@pytest.mark.parametrize(
    ("args", "field"),
    [(("3", "sit_progress", H3), "version"), (("1.0", "weekly", H3), "report"),
     (("1.0", "sit_progress", ""), "report_sha256")],
)
def test_a_use_that_cannot_be_is_refused_naming_the_field(args: tuple[str, str, str], field: str) -> None:
    matrix = published()
    with pytest.raises(InvalidTtmEventError) as caught:
        matrix.record_use_in_report(*args, **on(FEB_2))
    assert caught.value.field == field
    assert matrix.report_uses == []


# -- findings: §11.2 assurance before SIT ----------------------------------------------------------
@pytest.mark.parametrize("capability", ["moc", "foc"])
def test_moc_foc_sit_commenced_with_no_ttm_version_is_flagged(capability: str) -> None:
    matrix = ttm(capability)
    matrix.record_sit_commenced(FEB_2, **on(FEB_2))
    found = list(sit_commenced_without_assured_ttm(matrix))
    assert clauses(found) == ["11.2"]
    assert found[0].event_ids == (matrix.event_id(2),)


@pytest.mark.parametrize(
    ("assured_on", "flagged"), [(None, True), (MAR_2, True), (FEB_2, False), (JAN_20, False)]
)
def test_moc_sit_commenced_before_the_ttm_in_use_was_assured_is_flagged(
    assured_on: date | None, flagged: bool
) -> None:
    matrix = published()
    matrix.record_sit_commenced(FEB_2, **on(FEB_2))
    if assured_on is not None:
        matrix.assure("1.0", assured_on, H2, **on(assured_on))
    found = list(sit_commenced_without_assured_ttm(matrix))
    assert clauses(found) == (["11.2"] if flagged else [])
    if flagged:
        assert matrix.event_id(3) in found[0].event_ids


def test_an_earlier_assured_version_does_not_stand_for_the_unassured_one_in_use() -> None:
    matrix = published()
    matrix.assure("1.0", JAN_5, H2, **on())
    publish(matrix, "1.1", JAN_20)
    matrix.record_sit_commenced(FEB_2, **on(FEB_2))
    found = list(sit_commenced_without_assured_ttm(matrix))
    assert "'1.1', assured never" in found[0].what


def test_ioc_sit_may_commence_before_the_ttm_is_assured_but_it_is_then_flagged_until_assured() -> None:
    matrix = published("ioc")
    matrix.record_sit_commenced(FEB_2, **on(FEB_2))
    assert list(sit_commenced_without_assured_ttm(matrix)) == []
    assert clauses(list(unassured_versions_during_sit(matrix))) == ["11.2"]
    matrix.assure("1.0", MAR_2, H2, **on(MAR_2))
    assert list(unassured_versions_during_sit(matrix)) == []


def test_an_update_published_during_sit_and_never_assured_is_flagged() -> None:
    matrix = published()
    matrix.assure("1.0", JAN_20, H2, **on(JAN_20))
    assert list(unassured_versions_during_sit(matrix)) == []  # SIT not commenced
    matrix.record_sit_commenced(FEB_2, **on(FEB_2))
    publish(matrix, "2.0", MAR_2)
    found = list(unassured_versions_during_sit(matrix))
    assert (clauses(found), found[0].event_ids) == (["11.1"], (matrix.event_id(5),))
    matrix.assure("2.0", MAR_2, H2, **on(MAR_2))
    assert list(unassured_versions_during_sit(matrix)) == []


# -- findings: baselines (§11.1, §11.2) ------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "baseline", "flagged"),
    [(JAN_20, "B1", False), (MAR_2, "B1", True), (MAR_2, "B2", False), (JAN_20, "B2", True)],
)
def test_a_version_on_a_baseline_not_in_force_when_published_is_flagged(
    day: date, baseline: str, flagged: bool
) -> None:
    matrix = published()
    matrix.record_baseline_change("B2", ["G"], FEB_2, **on(FEB_2))
    publish(matrix, "2.0", day, baseline)
    found = list(versions_off_baseline(matrix))
    assert clauses(found) == (["11.1"] if flagged else [])


def test_sections_changed_during_sit_without_an_updated_version_are_flagged() -> None:
    matrix = published()
    matrix.record_baseline_change("B2", ["F"], JAN_20, **on(JAN_20))  # before SIT: not this check's
    matrix.record_sit_commenced(FEB_2, **on(FEB_2))
    matrix.record_baseline_change("B3", ["N", "P"], MAR_2, **on(MAR_2))
    found = list(baseline_changes_not_reflected(matrix))
    assert clauses(found) == ["11.2"]
    assert "Sections N, P" in found[0].what
    assert found[0].event_ids == (matrix.event_id(5),)
    publish(matrix, "2.0", MAR_2, "B3")
    assert list(baseline_changes_not_reflected(matrix)) == []


# -- findings: reports (§11.3, §19.4(a), §19.5, §19.6(a)) ------------------------------------------
def test_a_report_on_a_superseded_or_unassured_version_is_flagged() -> None:
    matrix = published("ioc")
    matrix.record_use_in_report("1.0", "sit_progress", H3, **on(JAN_20))  # latest; assurance not needed
    publish(matrix, "1.1", FEB_2)
    matrix.record_use_in_report("1.0", "interim_opinion", H3, **on(FEB_2))
    matrix.record_use_in_report("1.1", "sit_audit_report", H3, **on(FEB_2))
    matrix.assure("1.1", MAR_2, H2, **on(MAR_2))
    matrix.record_use_in_report("1.1", "completion_report", H3, **on(MAR_2))
    found = list(reports_on_unfit_versions(matrix))
    assert clauses(found) == ["19.5", "11.1"]
    assert found[0].event_ids == (matrix.event_id(2), matrix.event_id(5))
    assert "superseded by version '1.1'" in found[0].what


def test_a_completion_report_on_a_version_assured_only_afterwards_is_flagged() -> None:
    matrix = published()
    matrix.record_use_in_report("1.0", "completion_report", H3, **on(JAN_20))
    matrix.assure("1.0", FEB_2, H2, **on(FEB_2))
    assert clauses(list(reports_on_unfit_versions(matrix))) == ["19.6(a)"]


# -- findings: traceability (§11.1) ----------------------------------------------------------------
def test_requirements_no_listed_scenario_traces_to_are_flagged() -> None:
    scenario = TestScenario.identify("SC-1", [REQ_1], **on())
    matrix = published()
    found = list(requirements_without_scenario(matrix, [scenario]))
    assert (clauses(found), REQ_2 in found[0].what, REQ_1 in found[0].what) == (["11.1"], True, False)
    covering = TestScenario.identify("SC-1", [REQ_1, REQ_2], **on())
    assert list(requirements_without_scenario(matrix, [covering])) == []


def test_requirements_recorded_at_another_baseline_are_flagged() -> None:
    same = Requirement.record("F", "2.1", "B1", **on())
    other = Requirement.record("H", "14.37", "B0", **on())
    matrix = ttm()
    matrix.publish_version("1", "B1", H1, [str(same.id), str(other.id)], [SC_1], **on())
    found = list(requirements_of_another_baseline(matrix, [same, other]))
    assert clauses(found) == ["11.1"]
    assert str(other.id) in found[0].what
    assert list(requirements_of_another_baseline(matrix, [same])) == []


def test_a_ttm_kept_as_the_clauses_say_has_no_findings() -> None:
    b1 = [Requirement.record("F", "2.1", "B1", **on()), Requirement.record("H", "14.37", "B1", **on())]
    b2 = [Requirement.record("F", "2.1", "B2", **on())]
    sc1 = TestScenario.identify("SC-1", [str(r.id) for r in b1], **on())
    sc2 = TestScenario.identify("SC-2", [str(r.id) for r in b2], **on())
    matrix = ttm("foc")
    matrix.publish_version("1", "B1", H1, [str(r.id) for r in b1], [str(sc1.id)], **on())
    matrix.assure("1", JAN_20, H2, **on(JAN_20))
    matrix.record_sit_commenced(FEB_2, **on(FEB_2))
    matrix.record_use_in_report("1", "sit_progress", H3, **on(FEB_2))
    matrix.record_baseline_change("B2", ["F"], FEB_2, **on(FEB_2))
    matrix.publish_version("2", "B2", H1, [str(r.id) for r in b2], [str(sc2.id)], **on(MAR_2))
    matrix.assure("2", MAR_2, H2, **on(MAR_2))
    matrix.record_use_in_report("2", "completion_report", H3, **on(MAR_2))
    assert ttm_findings(matrix, [*b1, *b2], [sc1, sc2]) == []
    assert clauses(ttm_findings(matrix, b1, [sc1])) == ["11.1"]  # SC-2 unknown: B2 traces to nothing
