"""Work Off Plans (``ledger.work_off_plans``) and their findings (``ledger.findings.work_off_plans``):
the plan's life, every structural rejection, and every compliance finding, in memory."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ledger.actors import Actor
from ledger.calendar import CONVENTION
from ledger.context import RecordingContext
from ledger.errors import InvalidEventError, InvalidWorkOffPlanEventError
from ledger.findings.work_off_plans import work_off_plan_findings
from ledger.work_off_plans import WorkOffPlan

DCC = Actor("alice", "dcc", "DCC")
TAB = Actor("tom", "tab", "TAB")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H1, H2 = "a1" * 32, "b2" * 32
TCC_ON = date(2026, 3, 2)


class Clock:
    """Successive recording contexts, an hour apart."""

    def __init__(self) -> None:
        self.at = START

    def __call__(self, actor: Actor = DCC, **kwargs: Any) -> dict[str, Any]:
        self.at += timedelta(hours=1)
        return RecordingContext(actor, self.at, **kwargs).fields()

    def tab(self) -> dict[str, Any]:
        """The DCC recording a TAB decision on the TAB's behalf, with evidence."""
        return self(on_behalf_of="tab", evidence_sha256=H2)

    def on(self, day: date) -> dict[str, Any]:
        return RecordingContext(DCC, datetime(day.year, day.month, day.day, 12, tzinfo=UTC)).fields()


@pytest.fixture
def ctx() -> Clock:
    return Clock()


def plan(ctx: Clock, items: list[tuple[str, int]] | None = None) -> WorkOffPlan:
    return WorkOffPlan.produce("phase-1", "WOP-1", "CGI delivery lead",
                               items if items is not None else [("TI-3", 3), ("TI-4", 4), ("TI-5", 5)],
                               **ctx())


def field_of(exc: pytest.ExceptionInfo[InvalidWorkOffPlanEventError]) -> str:
    return exc.value.field


# -- production and due dates -------------------------------------------------------------------
def test_a_plan_is_produced_with_its_items_owner_and_default_clauses(ctx: Clock) -> None:
    wop = plan(ctx)
    assert (wop.phase_id, wop.owner) == ("phase-1", "CGI delivery lead")
    assert list(wop.items) == ["TI-3", "TI-4", "TI-5"]
    assert all(item.due is None for item in wop.items.values())
    event = wop.collect_events()[0]
    assert event.clauses == ["15.1", "12.9(g)"]
    assert json.loads(json.dumps(event.items)) == event.items


def test_anchoring_to_the_tcc_computes_20_40_60_working_day_due_dates_with_convention(ctx: Clock) -> None:
    wop = plan(ctx, [("TI-3", 3), ("TI-4", 4), ("TI-5", 5), ("TI-2", 2)])
    wop.anchor_to_tcc("TCC-1", date(2025, 12, 18), **ctx())
    due = {i: (item.due.due if item.due else None) for i, item in wop.items.items()}
    # 20 WD after Thu 18 Dec 2025 skip Christmas Day, Boxing Day and New Year's Day.
    assert due == {
        "TI-3": date(2026, 1, 20), "TI-4": date(2026, 2, 17), "TI-5": date(2026, 3, 17), "TI-2": None}
    assert wop.items["TI-3"].due is not None
    assert wop.items["TI-3"].due.convention == CONVENTION
    stored = wop.collect_events()[-1].dues["TI-3"]
    assert (stored["working_days"], stored["trigger"]) == (20, "2025-12-18")


def test_severity_1_and_2_items_are_recorded_because_15_1_documents_all_open_issues(ctx: Clock) -> None:
    wop = plan(ctx, [("TI-1", 1), ("TI-2", 2)])
    wop.anchor_to_tcc("TCC-1", TCC_ON, **ctx())
    assert [item.due for item in wop.items.values()] == [None, None]
    found = work_off_plan_findings(wop, as_of=date(2026, 6, 1))
    assert [f.clause for f in found if "A31" in f.what] == ["15.1", "15.1"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"phase_id": " "}, "phase_id"),
        ({"reference": ""}, "reference"),
        ({"owner": ""}, "owner"),
        ({"items": []}, "items"),
        ({"items": [("TI-3", 3), ("TI-3", 4)]}, "items"),
        ({"items": [("TI-3", 6)]}, "items"),
        ({"items": [("TI-3", 0)]}, "items"),
        ({"items": [("", 3)]}, "items"),
    ],
)
def test_a_malformed_plan_is_rejected_naming_the_field(
    ctx: Clock, kwargs: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = {"phase_id": "phase-1", "reference": "WOP-1", "owner": "lead",
                            "items": [("TI-3", 3)], **kwargs}
    with pytest.raises(InvalidWorkOffPlanEventError) as exc:
        WorkOffPlan.produce(**args, **ctx())
    assert exc.value.field == field


def test_a_plan_is_anchored_to_one_tcc_only(ctx: Clock) -> None:
    wop = plan(ctx)
    wop.anchor_to_tcc("TCC-1", TCC_ON, **ctx())
    with pytest.raises(InvalidWorkOffPlanEventError, match="TCC-1") as exc:
        wop.anchor_to_tcc("TCC-2", TCC_ON, **ctx())
    assert field_of(exc) == "certificate_id"
    assert wop.version == 2


# -- TAB acts --------------------------------------------------------------------------------------
def test_the_tab_approves_once_by_itself_or_through_the_dcc_with_evidence(ctx: Clock) -> None:
    wop = plan(ctx)
    wop.approve(**ctx(TAB))
    with pytest.raises(InvalidWorkOffPlanEventError, match="approved by the TAB already") as exc:
        wop.approve(**ctx.tab())
    assert field_of(exc) == "status"
    other = plan(ctx)
    other.approve(**ctx.tab())
    assert other.approved_version == 2


def test_an_approval_not_the_tabs_is_rejected(ctx: Clock) -> None:
    wop = plan(ctx)
    with pytest.raises(InvalidWorkOffPlanEventError, match="on_behalf_of='tab'"):
        wop.approve(**ctx())
    with pytest.raises(InvalidWorkOffPlanEventError, match="not panel's"):
        wop.approve(**ctx(on_behalf_of="panel", evidence_sha256=H1))
    with pytest.raises(InvalidEventError, match="evidence_sha256"):
        wop.approve(**ctx(on_behalf_of="tab"))
    assert wop.approved_version is None
    assert wop.version == 1


def test_the_tab_sets_a_date_only_for_a_severity_1_or_2_item(ctx: Clock) -> None:
    wop = plan(ctx, [("TI-2", 2), ("TI-3", 3)])
    wop.set_tab_due_date("TI-2", date(2026, 5, 1), **ctx.tab())
    assert wop.items["TI-2"].tab_due == date(2026, 5, 1)
    with pytest.raises(InvalidWorkOffPlanEventError, match="severity 3") as exc:
        wop.set_tab_due_date("TI-3", date(2026, 5, 1), **ctx.tab())
    assert field_of(exc) == "issue_id"
    with pytest.raises(InvalidWorkOffPlanEventError) as exc:
        wop.set_tab_due_date("TI-2", date(2026, 5, 1), **ctx())
    assert field_of(exc) == "actor"
    assert not any("A31" in f.what for f in work_off_plan_findings(wop, date(2026, 4, 1)))


# -- discharge -------------------------------------------------------------------------------------
def test_items_are_resolved_with_their_retests_and_the_plan_completed(ctx: Clock) -> None:
    wop = plan(ctx, [("TI-3", 3), ("TI-4", 4)])
    wop.report_progress("TI-3 fix in test", report_sha256=H1, **ctx())
    wop.resolve_item("TI-3", ["EX-9", "EX-10"], **ctx())
    with pytest.raises(InvalidWorkOffPlanEventError, match="TI-4") as exc:
        wop.complete(**ctx())
    assert field_of(exc) == "status"
    wop.resolve_item("TI-4", ["EX-11"], **ctx())
    wop.complete(**ctx())
    assert wop.items["TI-3"].retest_execution_ids == ("EX-9", "EX-10")
    assert wop.completed_version == 5
    assert wop.progress_reports == [2]
    with pytest.raises(InvalidWorkOffPlanEventError, match="completed") as exc:
        wop.report_progress("again", **ctx())
    with pytest.raises(InvalidWorkOffPlanEventError, match="completed"):
        wop.complete(**ctx())


def test_resolving_an_unknown_or_resolved_item_is_rejected(ctx: Clock) -> None:
    wop = plan(ctx)
    with pytest.raises(InvalidWorkOffPlanEventError, match="'TI-9'") as exc:
        wop.resolve_item("TI-9", ["EX-1"], **ctx())
    assert field_of(exc) == "issue_id"
    wop.resolve_item("TI-3", ["EX-1"], **ctx())
    with pytest.raises(InvalidWorkOffPlanEventError, match="resolved already"):
        wop.resolve_item("TI-3", ["EX-2"], **ctx())
    with pytest.raises(InvalidWorkOffPlanEventError) as exc:
        wop.resolve_item("TI-4", ["EX-2", "EX-2"], **ctx())
    assert field_of(exc) == "retest_execution_ids"


def test_a_correction_plan_is_presented_and_decided_by_the_tab_referencing_a_revoked_tcc(ctx: Clock) -> None:
    wop = plan(ctx)
    with pytest.raises(InvalidWorkOffPlanEventError, match="no correction plan") as exc:
        wop.decide_correction_plan(True, **ctx.tab())
    assert field_of(exc) == "status"
    wop.identify_deadline_at_risk(["TI-3"], date(2026, 3, 20), **ctx())
    wop.present_correction_plan(["TI-3"], H1, **ctx())
    with pytest.raises(InvalidWorkOffPlanEventError) as exc:
        wop.decide_correction_plan(False, **ctx())
    assert field_of(exc) == "actor"
    wop.decide_correction_plan(False, revoked_certificate_id="TCC-1", **ctx.tab())
    decided = wop.correction_plans[-1]
    assert (decided.approved, decided.revoked_certificate_id, decided.decided_version) == (False, "TCC-1", 4)
    assert wop.at_risk[0].aware_on == date(2026, 3, 20)
    with pytest.raises(InvalidWorkOffPlanEventError, match="no correction plan"):
        wop.decide_correction_plan(True, **ctx.tab())


@pytest.mark.parametrize("issue_ids", [[], ["TI-3", "TI-3"], ["TI-9"]])
def test_at_risk_and_correction_plans_name_each_open_item_once(ctx: Clock, issue_ids: list[str]) -> None:
    wop = plan(ctx)
    with pytest.raises(InvalidWorkOffPlanEventError) as exc:
        wop.identify_deadline_at_risk(issue_ids, date(2026, 3, 20), **ctx())
    assert field_of(exc) == "issue_ids"
    with pytest.raises(InvalidWorkOffPlanEventError) as exc:
        wop.present_correction_plan(issue_ids, H1, **ctx())
    assert field_of(exc) == "issue_ids"
    with pytest.raises(InvalidWorkOffPlanEventError) as exc:
        wop.present_correction_plan(["TI-3"], "not-a-hash", **ctx())
    assert field_of(exc) == "document_sha256"


# -- findings --------------------------------------------------------------------------------------
def test_an_unapproved_plan_is_flagged_and_an_approved_one_is_not(ctx: Clock) -> None:
    wop = plan(ctx)
    assert [f.clause for f in work_off_plan_findings(wop, date(2026, 3, 3))] == ["15.1"]
    wop.approve(**ctx.tab())
    assert work_off_plan_findings(wop, date(2026, 3, 3)) == []


def test_an_item_is_overdue_only_after_the_last_day_of_its_window(ctx: Clock) -> None:
    wop = plan(ctx, [("TI-3", 3)])
    wop.approve(**ctx.tab())
    wop.anchor_to_tcc("TCC-1", date(2025, 12, 18), **ctx())
    assert work_off_plan_findings(wop, date(2026, 1, 20)) == []
    [late] = work_off_plan_findings(wop, date(2026, 1, 21))
    assert (late.clause, late.event_ids) == ("15.1(a)", (wop.event_id(1),))
    assert "no correction plan" in late.what
    assert "'TI-3'" in late.what


def test_an_item_resolved_after_its_due_date_is_flagged_as_late(ctx: Clock) -> None:
    wop = plan(ctx, [("TI-4", 4), ("TI-5", 5)])
    wop.approve(**ctx.tab())
    wop.anchor_to_tcc("TCC-1", date(2025, 12, 18), **ctx())
    wop.resolve_item("TI-4", ["EX-1"], **ctx.on(date(2026, 2, 18)))
    wop.resolve_item("TI-5", ["EX-2"], **ctx.on(date(2026, 3, 17)))
    [late] = work_off_plan_findings(wop, date(2026, 6, 1))
    assert (late.clause, late.event_ids) == ("15.1(b)", (wop.event_id(1), wop.event_id(4)))


def test_a_deadline_at_risk_without_a_later_correction_plan_is_flagged(ctx: Clock) -> None:
    wop = plan(ctx)
    wop.approve(**ctx.tab())
    wop.present_correction_plan(["TI-3"], H1, **ctx())  # before the risk: does not answer it
    wop.identify_deadline_at_risk(["TI-3", "TI-4"], date(2026, 3, 20), **ctx())
    wop.present_correction_plan(["TI-4"], H1, **ctx())
    [finding] = work_off_plan_findings(wop, date(2026, 3, 21))
    assert (finding.clause, finding.event_ids) == ("15.2", (wop.event_id(4),))
    assert "TI-3" in finding.what
    assert "TI-4" not in finding.what
    wop.present_correction_plan(["TI-3"], H1, **ctx())
    assert work_off_plan_findings(wop, date(2026, 3, 21)) == []


def test_an_item_resolved_without_a_retest_is_recorded_and_flagged(ctx: Clock) -> None:
    wop = plan(ctx, [("TI-3", 3)])
    wop.approve(**ctx.tab())
    wop.resolve_item("TI-3", [], **ctx())
    [finding] = work_off_plan_findings(wop, date(2026, 3, 3))
    assert (finding.clause, finding.event_ids) == ("12.9(h)", (wop.event_id(3),))
