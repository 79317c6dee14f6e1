"""DMC selection and de-selection (``ledger.dmc_selection``) and its findings
(``ledger.findings.dmc_selection``), §13.1-13.12: accepted, rejected and flagged, in memory."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ledger.actors import Actor
from ledger.context import RecordingContext
from ledger.dmc_selection import DeselectionCase, DmcSelection
from ledger.errors import InvalidDmcSelectionEventError
from ledger.findings.dmc_selection import dmc_selection_findings

DCC = Actor("alice", "dcc", "DCC")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H1, H2 = "a1" * 32, "b2" * 32
A, B = DeselectionCase.TESTING_ISSUE_ACTION, DeselectionCase.UNOBTAINABLE


class Clock:
    def __init__(self) -> None:
        self.at = START

    def __call__(self, **kwargs: Any) -> dict[str, Any]:
        self.at += timedelta(hours=1)
        return RecordingContext(DCC, self.at, **kwargs).fields()

    def sos(self) -> dict[str, Any]:
        return self(on_behalf_of="sos", evidence_sha256=H2)


@pytest.fixture
def ctx() -> Clock:
    return Clock()


def selected(ctx: Clock, capability: str = "moc") -> DmcSelection:
    selection = DmcSelection.open(capability, "phase-1", **ctx())
    selection.select(["D1", "D2"], date(2025, 12, 18), "covers most installed meters", **ctx())
    return selection


def test_device_information_is_requested_and_provided_by_clause_13_1_items(ctx: Clock) -> None:
    selection = DmcSelection.open("ioc", "phase-1", **ctx())
    selection.request_device_information("Acme Energy", ["a", "c", "f"], **ctx())
    selection.provide_device_information("Acme Energy", ["a", "c"], H1, **ctx())
    assert [step[:3] for step in selection.information] == [
        ("requested", "Acme Energy", ("a", "c", "f")), ("provided", "Acme Energy", ("a", "c"))]
    for items in (["g"], [], ["a", "a"]):
        with pytest.raises(InvalidDmcSelectionEventError) as exc:
            selection.request_device_information("Acme Energy", items, **ctx())
        assert exc.value.field == "items"
    with pytest.raises(InvalidDmcSelectionEventError) as exc:
        selection.provide_device_information("Acme Energy", ["a"], "nope", **ctx())
    assert exc.value.field == "document_sha256"
    with pytest.raises(InvalidDmcSelectionEventError) as exc:
        selection.request_device_information(" ", ["a"], **ctx())
    assert exc.value.field == "supplier"


def test_selection_records_the_decision_date_and_the_10_working_day_referral_window(ctx: Clock) -> None:
    selection = selected(ctx)
    event = selection.collect_events()[-1]
    assert (event.decided_on, event.referral_deadline["working_days"]) == ("2025-12-18", 10)
    # Day 0 is 18 Dec 2025; Christmas, Boxing Day and New Year's Day are not Working Days.
    assert event.referral_deadline["due"] == "2026-01-06"
    assert event.clauses == ["13.3", "13.4"]
    assert list(selection.selected) == ["D1", "D2"]


@pytest.mark.parametrize("dmcs", [[], ["D3", "D3"], ["D1"], [""]])
def test_a_selection_names_new_dmcs_each_once(ctx: Clock, dmcs: list[str]) -> None:
    selection = selected(ctx)
    with pytest.raises(InvalidDmcSelectionEventError) as exc:
        selection.select(dmcs, date(2026, 1, 5), "r", **ctx())
    assert exc.value.field == "dmcs"
    assert selection.version == 2


def test_deselection_after_tag_consultation_is_not_flagged(ctx: Clock) -> None:
    selection = selected(ctx)
    selection.consult_tag_on_deselection("D1", A, testing_issue_id="TI-7", **ctx())
    selection.deselect("D1", A, date(2026, 2, 2), testing_issue_id="TI-7", **ctx())
    assert list(selection.selected) == ["D2"]
    assert dmc_selection_findings(selection) == []


def test_deselection_without_tag_consultation_is_recorded_and_flagged(ctx: Clock) -> None:
    selection = selected(ctx)
    selection.consult_tag_on_deselection("D2", B, **ctx())  # another DMC: does not count for D1
    selection.deselect("D1", B, date(2026, 2, 2), **ctx())
    [finding] = dmc_selection_findings(selection)
    assert (finding.clause, finding.event_ids) == ("13.5", (selection.event_id(4),))
    assert "'D1'" in finding.what


@pytest.mark.parametrize(
    ("dmc", "case", "issue", "field"),
    [("D9", A, "TI-1", "dmc"), ("D1", "13.5(c)", None, "case"), ("D1", A, None, "testing_issue_id")],
)
def test_a_malformed_deselection_is_rejected(
    ctx: Clock, dmc: str, case: str, issue: str | None, field: str
) -> None:
    selection = selected(ctx)
    with pytest.raises(InvalidDmcSelectionEventError) as exc:
        selection.deselect(dmc, case, date(2026, 2, 2), testing_issue_id=issue, **ctx())
    assert exc.value.field == field
    with pytest.raises(InvalidDmcSelectionEventError) as exc:
        selection.consult_tag_on_deselection(dmc, case, testing_issue_id=issue, **ctx())
    assert exc.value.field == field


def test_the_sos_instructs_and_determines_a_referred_deselection_on_its_own_behalf(ctx: Clock) -> None:
    selection = selected(ctx)
    with pytest.raises(InvalidDmcSelectionEventError, match="not been de-selected") as exc:
        selection.record_sos_instruction("D1", True, "M-1", **ctx.sos())
    assert exc.value.field == "dmc"
    selection.consult_tag_on_deselection("D1", B, **ctx())
    selection.deselect("D1", B, date(2026, 2, 2), **ctx())
    with pytest.raises(InvalidDmcSelectionEventError) as exc:
        selection.record_sos_instruction("D1", True, "M-1", **ctx())
    assert exc.value.field == "actor"
    with pytest.raises(InvalidDmcSelectionEventError) as exc:
        selection.record_sos_determination("D1", False, " ", **ctx.sos())
    assert exc.value.field == "matter_id"
    selection.record_sos_instruction("D1", True, "M-1", **ctx.sos())
    selection.record_sos_determination("D1", True, "M-1", **ctx.sos())
    assert [(a.kind, a.detail, a.matter_id) for a in selection.acts[-2:]] == [
        ("SosContinueTestingInstructed", "continue", "M-1"), ("SosDeselectionDetermined", "omit", "M-1")]
    assert dmc_selection_findings(selection) == []


def test_a_dmc_left_deselected_against_an_sos_determination_is_flagged_until_reselected(ctx: Clock) -> None:
    selection = selected(ctx)
    selection.consult_tag_on_deselection("D1", B, **ctx())
    selection.deselect("D1", B, date(2026, 2, 2), **ctx())
    selection.record_sos_determination("D1", False, "M-1", **ctx.sos())
    [finding] = dmc_selection_findings(selection)
    assert (finding.clause, finding.event_ids) == ("13.8", (selection.event_id(5),))
    selection.select(["D1"], date(2026, 2, 20), "SoS determination M-1", **ctx())
    assert dmc_selection_findings(selection) == []
    selection.consult_tag_on_deselection("D1", B, **ctx())
    selection.deselect("D1", B, date(2026, 3, 2), **ctx())
    [again] = dmc_selection_findings(selection)
    assert (again.clause, again.event_ids) == ("13.8", (selection.event_id(5), selection.event_id(8)))


def test_an_alternative_is_recommended_only_for_an_unobtainable_dmc(ctx: Clock) -> None:
    selection = selected(ctx)
    selection.consult_tag_on_deselection("D2", A, testing_issue_id="TI-1", **ctx())
    with pytest.raises(InvalidDmcSelectionEventError, match=r"13\.5\(b\)") as exc:
        selection.recommend_alternative("D2", "use D3", H1, **ctx())
    assert exc.value.field == "dmc"
    selection.consult_tag_on_deselection("D1", B, **ctx())
    selection.recommend_alternative("D1", "test with D3 instead", H1, **ctx())
    assert selection.acts[-1].kind == "AlternativeCourseRecommendedToSos"


def test_device_models_are_chosen_for_the_component_of_their_release_only(ctx: Clock) -> None:
    foc = selected(ctx, "foc")
    foc.choose_device_models("foc_esme", ["ESME-X1"], "interoperates", weekly_report_sha256=H1, **ctx())
    foc.choose_device_models("foc_esme", ["ESME-X2"], "X1 unavailable", **ctx())
    assert foc.device_models == {"foc_esme": ("ESME-X2",)}
    with pytest.raises(InvalidDmcSelectionEventError, match="only for moc") as exc:
        foc.choose_device_models("moc_secure_meters", ["S1"], "r", **ctx())
    assert exc.value.field == "component"
    moc = selected(ctx, "moc")
    moc.choose_device_models("moc_secure_meters", ["S1"], "r", **ctx())
    with pytest.raises(InvalidDmcSelectionEventError) as exc:
        moc.choose_device_models("moc_secure_meters", [], "r", **ctx())
    assert exc.value.field == "models"


def test_opening_names_a_release_and_a_phase(ctx: Clock) -> None:
    with pytest.raises(InvalidDmcSelectionEventError) as exc:
        DmcSelection.open("xoc", "phase-1", **ctx())
    assert exc.value.field == "capability"
    with pytest.raises(InvalidDmcSelectionEventError) as exc:
        DmcSelection.open("ioc", "", **ctx())
    assert exc.value.field == "phase_id"
