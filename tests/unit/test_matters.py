"""Matters (routes R1-R44): structural rules refuse and write nothing; compliance is flagged.

Oracles: the route table rows (raisers, referral bodies, deciders, windows) and hand-counted
Working Day deadlines over Christmas 2025 (25 and 26 December and 1 January are bank holidays in
England and Wales), independent of ``ledger.calendar``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from ledger.actors import Actor
from ledger.calendar import CONVENTION, LONDON, deadline
from ledger.context import RecordingContext
from ledger.errors import InvalidEventError, InvalidMatterEventError
from ledger.findings.matters import (
    acts_after_window,
    determinations_by_other_bodies,
    matter_findings,
    pending_past_window,
)
from ledger.matter_values import (
    MatterStatus,
    Subject,
    SubjectKind,
    WindowedAct,
    has_per_party_clock,
    windowed_act,
)
from ledger.matters import Matter
from ledger.rules.roles import Role
from ledger.rules.route_types import Route
from ledger.rules.routes import ROUTES, route, routes_with_window

HASH = "cd" * 32
ISSUE = Subject(SubjectKind.TESTING_ISSUE, "TI-0042")
DMC = Subject(SubjectKind.DMC, "DMC-7")
TRIGGER = date(2025, 12, 19)  # a Friday: every window from it spans Christmas and New Year
DUE = {5: date(2025, 12, 30), 10: date(2026, 1, 7), 20: date(2026, 1, 21)}  # counted by hand
ONE_DAY_LATE = {5: date(2025, 12, 31), 10: date(2026, 1, 8), 20: date(2026, 1, 22)}
REFERRAL_WINDOWS = [
    r for r in routes_with_window() if r.window and windowed_act(r.window) is WindowedAct.REFERRAL
]
RAISED_EARLY = datetime(2025, 12, 22, 10, tzinfo=LONDON)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def ctx(when: datetime = datetime(2026, 2, 2, 9, tzinfo=UTC), **kwargs: Any) -> dict[str, Any]:
    return RecordingContext(Actor("alice", "dcc", "DCC"), when, **kwargs).fields()


def raise_on(row: Route, when: datetime = RAISED_EARLY, raiser: Role | None = None) -> Matter:
    """A matter on ``row`` raised by its first named raiser, with the trigger its window needs."""
    per_party = row.window is not None and has_per_party_clock(row.window)
    return Matter.raise_matter(
        row.id, [DMC], raiser or row.raised_by[0], trigger_on=TRIGGER,
        trigger_party="supplier-org-3" if per_party else None, **ctx(when),
    )


def referrer(row: Route) -> Role:
    return row.referred_by[0] if row.referred_by else row.raised_by[0]


def rejected(field: str) -> Any:
    return pytest.raises(InvalidMatterEventError, match=f"^{field}: ")


# --- raising ---------------------------------------------------------------------------------


def test_raising_records_the_route_subjects_raiser_and_trigger() -> None:
    matter = Matter.raise_matter(
        "R18", [ISSUE], Role.SUPPLIER, trigger_on=date(2026, 1, 5), **ctx(clauses=("14.2",))
    )
    (raised,) = matter.collect_events()
    assert type(raised).__name__ == "MatterRaised"
    assert raised.route_id == "R18"  # type: ignore[attr-defined]
    assert raised.subjects == [{"kind": "testing_issue", "id": "TI-0042"}]  # type: ignore[attr-defined]
    assert (raised.raised_by, raised.trigger_on) == ("supplier", "2026-01-05")  # type: ignore[attr-defined]
    assert raised.clauses == ["14.2"]  # type: ignore[attr-defined]
    assert matter.status is MatterStatus.RAISED
    assert matter.is_pending
    assert matter.window is None
    assert matter.window_deadline is None


def test_a_pending_matter_exposes_what_holds_while_pending_and_a_closed_one_does_not() -> None:
    matter = Matter.raise_matter("R18", [ISSUE], Role.SUPPLIER, **ctx())
    assert matter.while_pending is not None
    assert matter.while_pending.startswith("The DCC's severity stands")
    on_behalf = ctx(on_behalf_of="tag", evidence_sha256=HASH)
    matter.determine(Role.TAG, "severity 3 confirmed", "upheld", **on_behalf)
    assert matter.while_pending is None


@pytest.mark.parametrize("route_id", ["R45", "R0", "r9", ""])
def test_an_unknown_route_is_refused(route_id: str) -> None:
    with rejected("route_id"):
        Matter.raise_matter(route_id, [ISSUE], Role.DCC, **ctx())


@pytest.mark.parametrize(
    ("route_id", "role"),
    [("R18", Role.DCC), ("R18", Role.TAG), ("R9", Role.DCC), ("R15", Role.SUPPLIER), ("R5", Role.DCC),
     ("R36", Role.DCC), ("R1", "admin"), ("R1", "DCC")],
)
def test_a_role_the_route_does_not_name_cannot_raise_it(route_id: str, role: Role | str) -> None:
    with rejected("raised_by"):
        Matter.raise_matter(route_id, [DMC], role, trigger_on=TRIGGER, trigger_party="s", **ctx())


@pytest.mark.parametrize(
    ("row", "role"),
    [pytest.param(row, role, id=f"{row.id}-{role.value}") for row in ROUTES for role in row.raised_by],
)
def test_every_route_can_be_raised_by_each_role_it_names(row: Route, role: Role) -> None:
    matter = raise_on(row, raiser=role)
    assert (matter.route_id, matter.raised_by) == (row.id, role.value)


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.DCC_SERVICE_PROVIDER, Role.TESTING_PARTICIPANT])
def test_any_testing_participant_may_raise_a_severity_dispute(role: Role) -> None:
    assert Matter.raise_matter("R18", [ISSUE], role, **ctx()).raised_by == role.value


@pytest.mark.parametrize(
    "subjects", [[], [Subject(SubjectKind.DMC, " ")], [Subject("dmc", "DMC-1")]]  # type: ignore[arg-type]
)
def test_a_matter_must_concern_something_named(subjects: list[Subject]) -> None:
    with rejected("subjects"):
        Matter.raise_matter("R1", subjects, Role.DCC, **ctx())


@pytest.mark.parametrize("row", routes_with_window(), ids=lambda r: r.id)
def test_a_route_with_a_window_needs_its_trigger_date(row: Route) -> None:
    with rejected("trigger_on"):
        Matter.raise_matter(row.id, [DMC], row.raised_by[0], trigger_party="s", **ctx())


@pytest.mark.parametrize("route_id", ["R24", "R25", "R36"])
def test_a_per_supplier_clock_needs_the_supplier_it_runs_for(route_id: str) -> None:
    for party in (None, "  "):
        with rejected("trigger_party"):
            Matter.raise_matter(
                route_id, [DMC], Role.SUPPLIER, trigger_on=TRIGGER, trigger_party=party, **ctx()
            )


def test_a_trigger_after_the_day_the_matter_is_raised_is_refused() -> None:
    with rejected("trigger_on"):
        Matter.raise_matter("R9", [DMC], Role.SUPPLIER, trigger_on=date(2025, 12, 23), **ctx(RAISED_EARLY))
    same_day = Matter.raise_matter("R9", [DMC], Role.SUPPLIER, trigger_on=TRIGGER, **ctx(at(TRIGGER, 23, 30)))
    assert same_day.trigger_on == TRIGGER


def test_a_trigger_must_be_a_date_not_an_instant() -> None:
    with rejected("trigger_on"):
        Matter.raise_matter("R9", [DMC], Role.SUPPLIER, trigger_on=at(TRIGGER), **ctx())


def test_the_computed_deadline_and_its_convention_are_stored_as_json() -> None:
    matter = raise_on(route("R15"))
    (raised,) = matter.collect_events()
    assert raised.window == {  # type: ignore[attr-defined]
        "trigger": "2025-12-19", "working_days": 5, "due": "2025-12-30",
        "ends_at": "2025-12-30T23:59:59.999999+00:00", "convention": CONVENTION,
        "clause": "13.26", "act": "referral",
    }
    assert matter.window_deadline == deadline(TRIGGER, 5)


def test_the_table_rows_are_read_as_intended_for_act_and_clock() -> None:
    """Pins what ``windowed_act`` and ``has_per_party_clock`` read from the rows' text (the rows have
    no structured field for either): a change to the table's wording must show up here."""
    read = {r.id: (windowed_act(r.window), has_per_party_clock(r.window)) for r in ROUTES if r.window}
    referral, notice = WindowedAct.REFERRAL, WindowedAct.RAISE
    assert read == {
        "R9": (referral, False), "R10": (referral, False), "R15": (referral, False),
        "R24": (notice, True), "R25": (notice, True), "R36": (referral, True),
    }


# --- referring -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route_id", "to"), [("R9", Role.TAG), ("R15", Role.PANEL), ("R3", Role.PANEL), ("R18", Role.SOS)]
)
def test_a_referral_to_a_body_the_route_does_not_refer_to_is_refused(route_id: str, to: Role) -> None:
    matter = raise_on(route(route_id))
    with rejected("to"):
        matter.refer(to, referrer(route(route_id)), **ctx())
    assert matter.referrals == []
    assert len(matter.pending_events) == 1


def test_a_referral_by_another_than_the_stated_referrer_is_refused() -> None:
    matter = raise_on(route("R15"))
    with rejected("referred_by"):
        matter.refer(Role.SOS, Role.TAG, **ctx())


@pytest.mark.parametrize(
    ("route_id", "by"), [("R6", Role.TAG), ("R6", Role.DCC), ("R9", Role.DCC), ("R32", Role.TAG)]
)
def test_where_the_text_does_not_say_who_refers_any_referrer_is_recorded(route_id: str, by: Role) -> None:
    matter = raise_on(route(route_id))
    matter.refer(Role.SOS, by, **ctx())
    assert matter.status is MatterStatus.REFERRED
    assert (matter.referrals[0].to, matter.referrals[0].referred_by) == ("sos", by.value)


def test_a_referral_names_a_role() -> None:
    matter = raise_on(route("R15"))
    with rejected("to"):
        matter.refer("secretary", Role.DCC, **ctx())


def test_a_withdrawn_matter_cannot_be_referred() -> None:
    matter = raise_on(route("R15"))
    matter.withdraw(Role.DCC, "TAG reconsidered", **ctx())
    with rejected("status"):
        matter.refer(Role.SOS, Role.DCC, **ctx())


def test_after_a_first_decision_the_matter_may_be_referred_on_and_decided_again() -> None:
    matter = raise_on(route("R13"))
    matter.determine(Role.TAG, "exclusion not approved", "refused", **ctx())
    assert not matter.is_pending
    assert not matter.determinations[0].final_and_binding
    matter.refer(Role.SOS, Role.DCC, **ctx())
    assert matter.is_pending
    matter.determine(Role.SOS, "exclusion approved", "upheld", **ctx())
    assert matter.status is MatterStatus.DETERMINED
    assert matter.determinations[1].final_and_binding


def test_a_final_and_binding_determination_ends_the_matter() -> None:
    matter = raise_on(route("R9"))
    matter.refer(Role.SOS, Role.SUPPLIER, **ctx())
    matter.determine(Role.SOS, "DMC stays selected", **ctx())
    with rejected("status"):
        matter.refer(Role.SOS, Role.SUPPLIER, **ctx())


# --- determining and withdrawing -------------------------------------------------------------


@pytest.mark.parametrize(
    ("route_id", "by", "final"),
    [("R18", Role.TAG, True), ("R9", Role.SOS, True), ("R10", Role.SOS, False), ("R14", Role.PANEL, False),
     ("R13", Role.TAG, False), ("R18", Role.DCC, False)],
)
def test_final_and_binding_is_derived_from_the_route(route_id: str, by: Role, final: bool) -> None:
    matter = raise_on(route(route_id))
    matter.determine(by, "decided", **ctx())
    assert matter.determinations[0].final_and_binding is final
    assert matter.collect_events()[-1].final_and_binding is final  # type: ignore[attr-defined]


def test_a_determined_matter_cannot_be_determined_again() -> None:
    matter = raise_on(route("R18"))
    matter.determine(Role.TAG, "severity 2", **ctx())
    with rejected("status"):
        matter.determine(Role.TAG, "severity 3", **ctx())
    assert len(matter.determinations) == 1


def test_a_withdrawn_matter_cannot_be_determined_or_withdrawn_again() -> None:
    matter = raise_on(route("R18"))
    matter.withdraw(Role.SUPPLIER, "agreed with the DCC", **ctx())
    assert matter.status is MatterStatus.WITHDRAWN
    assert matter.while_pending is None
    with rejected("status"):
        matter.determine(Role.TAG, "severity 2", **ctx())
    with rejected("status"):
        matter.withdraw(Role.SUPPLIER, "again", **ctx())


def test_a_determined_matter_cannot_be_withdrawn() -> None:
    matter = raise_on(route("R18"))
    matter.determine(Role.TAG, "severity 2", **ctx())
    with rejected("status"):
        matter.withdraw(Role.SUPPLIER, "too late", **ctx())


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"determined_by": "ofgem"}, "determined_by"), ({"outcome": " "}, "outcome"),
     ({"outcome_code": ""}, "outcome_code")],
)
def test_a_determination_names_who_and_what(kwargs: dict[str, Any], field: str) -> None:
    matter = raise_on(route("R18"))
    arguments: dict[str, Any] = {"determined_by": Role.TAG, "outcome": "severity 2", **kwargs}
    with rejected(field):
        matter.determine(**arguments, **ctx())
    assert matter.status is MatterStatus.RAISED
    assert len(matter.pending_events) == 1


def test_a_withdrawal_says_why() -> None:
    with rejected("reason"):
        raise_on(route("R18")).withdraw(Role.SUPPLIER, "", **ctx())


def test_rejections_are_invalid_event_errors() -> None:
    with pytest.raises(InvalidEventError, match="R45"):
        Matter.raise_matter("R45", [ISSUE], Role.DCC, **ctx())


# --- compliance: windows (every route with one, across Christmas 2025) -----------------------


def _act(row: Route, when: datetime) -> Matter:
    """Do the act ``row``'s window limits at ``when``: raise the matter, or refer it."""
    assert row.window is not None
    if windowed_act(row.window) is WindowedAct.RAISE:
        return raise_on(row, when)
    matter = raise_on(row)
    matter.refer(row.referred_to[0], referrer(row), **ctx(when))
    return matter


@pytest.mark.parametrize("row", routes_with_window(), ids=lambda r: r.id)
def test_an_act_on_the_last_day_of_its_window_is_not_flagged(row: Route) -> None:
    assert row.window is not None
    matter = _act(row, at(DUE[row.window.working_days], 23, 59))
    assert matter.window_deadline is not None
    assert matter.window_deadline.due == DUE[row.window.working_days]
    assert acts_after_window(matter) == ()


@pytest.mark.parametrize("row", routes_with_window(), ids=lambda r: r.id)
def test_an_act_one_working_day_late_is_recorded_and_flagged(row: Route) -> None:
    assert row.window is not None
    matter = _act(row, at(ONE_DAY_LATE[row.window.working_days], 9))
    (finding,) = acts_after_window(matter)
    version = 1 if windowed_act(row.window) is WindowedAct.RAISE else 2
    assert finding.clause == row.window.clause
    assert finding.event_ids == (f"{matter.id}:{version}",)
    assert [e.originator_version for e in matter.collect_events()][-1] == version
    assert str(matter.id) in finding.what
    assert row.id in finding.what


@pytest.mark.parametrize("row", REFERRAL_WINDOWS, ids=lambda r: r.id)
def test_a_matter_with_no_referral_is_flagged_only_once_its_window_has_passed(row: Route) -> None:
    assert row.window is not None
    matter = raise_on(row)
    assert pending_past_window(matter, DUE[row.window.working_days]) == ()
    (finding,) = pending_past_window(matter, ONE_DAY_LATE[row.window.working_days])
    assert (finding.clause, finding.event_ids) == (row.window.clause, (f"{matter.id}:1",))


@pytest.mark.parametrize("close", ["refer", "withdraw", "determine"])
def test_a_matter_referred_withdrawn_or_determined_in_time_is_not_pending(close: str) -> None:
    row = route("R10")
    matter = raise_on(row)
    when = ctx(at(date(2026, 1, 6)))
    {"refer": lambda: matter.refer(Role.SOS, Role.SUPPLIER, **when),
     "withdraw": lambda: matter.withdraw(Role.SUPPLIER, "DCC reversed", **when),
     "determine": lambda: matter.determine(Role.DCC, "DMC kept", **when)}[close]()
    assert pending_past_window(matter, date(2026, 2, 2)) == ()


def test_pending_is_judged_as_of_the_date_given() -> None:
    matter = raise_on(route("R10"))
    matter.refer(Role.SOS, Role.SUPPLIER, **ctx(at(date(2026, 1, 12))))  # late
    assert len(pending_past_window(matter, date(2026, 1, 9))) == 1  # not yet referred then
    assert pending_past_window(matter, date(2026, 1, 12)) == ()
    assert pending_past_window(raise_on(route("R10"), at(date(2026, 1, 12))), date(2026, 1, 9)) == ()


def test_routes_whose_window_limits_the_raise_are_never_pending_past_it() -> None:
    assert pending_past_window(raise_on(route("R25")), date(2026, 6, 1)) == ()


# --- compliance: who decides -----------------------------------------------------------------


def test_a_determination_by_a_body_the_route_does_not_name_is_recorded_and_flagged() -> None:
    matter = raise_on(route("R18"))
    matter.determine(Role.DCC, "severity 3 stands", **ctx())
    (finding,) = determinations_by_other_bodies(matter)
    assert finding.clause == "14.2, 14.4, 14.5"
    assert finding.event_ids == (f"{matter.id}:2",)
    assert "determined by dcc" in finding.what
    assert "decided by tag" in finding.what


@pytest.mark.parametrize(("route_id", "by"), [("R18", Role.TAG), ("R15", Role.TAG), ("R15", Role.SOS)])
def test_a_determination_by_a_deciding_body_is_not_flagged(route_id: str, by: Role) -> None:
    matter = raise_on(route(route_id))
    matter.determine(by, "decided", **ctx())
    assert determinations_by_other_bodies(matter) == ()


def test_a_route_naming_no_decider_is_not_checked_for_one() -> None:
    matter = raise_on(route("R20"), raiser=Role.SUPPLIER)
    matter.determine(Role.DCC, "resolved under H14.37", **ctx())
    assert determinations_by_other_bodies(matter) == ()


def test_all_findings_of_a_matter_together() -> None:
    matter = raise_on(route("R15"))
    matter.refer(Role.SOS, Role.DCC, **ctx(at(date(2026, 1, 5))))  # late: window ended 30 December
    matter.determine(Role.TAG, "exclusion refused", **ctx())
    clauses = [f.clause for f in matter_findings(matter, date(2026, 2, 2))]
    assert clauses == ["13.26"]
    matter2 = raise_on(route("R15"))
    matter2.determine(Role.PANEL, "noted", **ctx())
    assert [f.clause for f in matter_findings(matter2, date(2026, 2, 2))] == ["13.25, 13.26"]
