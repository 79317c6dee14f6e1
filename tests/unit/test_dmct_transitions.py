"""The DMCT transition table (``ledger.rules.dmct_statuses``) as a checklist: every row is accepted
from each of its from-statuses and leads where it says, citing its clauses; every command is
refused from a status no row allows it from, naming the status and the commands allowed next."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from ledger.context import RecordingContext
from ledger.dmct.dmc import DmctDmc
from ledger.dmct.entry import DmctEntry
from ledger.dmct.errors import InvalidDmctEventError
from ledger.rules.dmct_statuses import (
    DMC_STATUSES,
    ENTRY_STATUSES,
    STATUS_ROWS,
    TRANSITIONS,
    DmctCommand,
    DmctLevel,
    DmctStatus,
    Transition,
    allowed_next,
    rows_for,
    transition,
)
from tests.unit.seed_text import check_ref
from tests.unit.test_dmct_support import (
    ALL_NOTIFIED,
    DCC,
    H1,
    H2,
    START,
    Clock,
    dmc_in,
    draft,
    entry_in,
)

C, S = DmctCommand, DmctStatus
Agg = Any  # DmctDmc or DmctEntry: each invocation knows which
Act = Callable[[Agg, Clock], object]


def _flip(e: Agg, c: Clock) -> None:
    e.record_tag_different_determination(["severity"], ["I9"], True, **c(behalf="tag"))


def _assess(result: str) -> Act:
    return lambda d, c: d.record_assessment(result, rationale="why", **c())


def _device_change(kind: str) -> Act:
    return lambda d, c: d.record_device_change_exclusion(
        kind, "E1", new_firmware_dmc_id="DMC-1b" if kind == "both" else None, **c())


def _sos_outcome(outcome: str) -> Act:
    return lambda e, c: e.record_sos_report_determination(outcome, **c(behalf="sos"))


def _recommend(option: str, change: str | None = None, issue: str = "I1") -> Act:
    return lambda e, c: e.recommend_option(issue, option, ["Acme"], ALL_NOTIFIED, device_change=change, **c())


_SECOND_ISSUE: list[Act] = [lambda e, c: e.record_testing_issue("I7", **c()), _recommend("d", issue="I7")]

#: (command, case) -> (preparation, the command itself). Preparation runs only where a row allows
#: the command, and keeps the status it starts from.
INVOKE: dict[tuple[DmctCommand, str | None], tuple[list[Act], Act]] = {
    (C.RECORD_SUBMISSION, None): ([], lambda d, c: d.record_submission("Carr", "SUB-3", "2026-03", **c())),
    (C.RECORD_SUBMISSION, "plain"): ([], lambda d, c: d.record_submission("Carr", "SUB-3", "2026-03", **c())),
    (C.RECORD_SUBMISSION, "config_evidence"): ([], lambda d, c: d.record_submission(
        "Carr", "SUB-3", "2026-03", config_evidence_sha256=H1, **c())),
    (C.SEEK_DATA, None): ([], lambda d, c: d.seek_data("smso", "SMSO-A", ["dormant volumes"], **c())),
    (C.RECORD_DATA_SOURCED, None): ([], lambda d, c: d.record_data_sourced(
        "smso", "SMSO-A", ["dormant volumes"], dormant_meter_data=True, **c())),
    (C.EXCLUDE_DATA_UNAVAILABLE, None): (
        [], lambda d, c: d.exclude_data_unavailable(["model"], ["Acme"], **c())),
    (C.BEGIN_ASSESSMENT, None): ([], lambda d, c: d.begin_assessment(**c())),
    **{(C.RECORD_ASSESSMENT, r): ([], _assess(r))
       for r in ("a", "b", "c", "e", "f", "none", "dates_uncertain")},
    (C.RECORD_ASSESSMENT, "d"): ([], lambda d, c: d.record_assessment(
        "d", equivalence_basis="d_ii", equivalent_to="DMC-3", **c())),
    (C.SEEK_NON_ECONOMIC_VIEWS, None): ([], lambda d, c: d.seek_non_economic_views(["Acme"], "cost", **c())),
    (C.PROPOSE_NON_ECONOMIC, None): ([lambda d, c: d.record_assessment("f", **c())],
                                     lambda d, c: d.propose_non_economic([], **c())),
    (C.RECORD_SOS_NON_ECONOMIC_DECISION, "agrees"): (
        [], lambda d, c: d.record_sos_non_economic_decision(True, **c(behalf="sos"))),
    (C.RECORD_SOS_NON_ECONOMIC_DECISION, "disagrees"): (
        [], lambda d, c: d.record_sos_non_economic_decision(False, **c(behalf="sos"))),
    (C.NOTIFY_EXCLUSION, None): (
        [], lambda d, c: d.notify_exclusion(["Bolt"], c.today, rationale="r", **c())),
    (C.RECORD_SUPPLIER_DISAGREEMENT, "equivalence"): ([], lambda d, c: d.record_supplier_disagreement(
        "Bolt", "equivalence", "not equivalent", **c())),
    (C.RECORD_SUPPLIER_DISAGREEMENT, "timescale"): ([], lambda d, c: d.record_supplier_disagreement(
        "Bolt", "timescale", "dates are firm", **c())),
    (C.REFER_TIMESCALE_DISPUTE, None): (
        [lambda d, c: d.record_supplier_disagreement("Bolt", "timescale", "dates are firm", **c())],
        lambda d, c: d.refer_timescale_dispute(matter_id="M-1", **c())),
    (C.RECORD_SOS_TIMESCALE_DECISION, "schedule"): (
        [], lambda d, c: d.record_sos_timescale_decision(True, **c(behalf="sos"))),
    (C.RECORD_SOS_TIMESCALE_DECISION, "not_schedule"): (
        [], lambda d, c: d.record_sos_timescale_decision(False, **c(behalf="sos"))),
    (C.SCHEDULE_ENTRIES, None): ([], lambda d, c: d.schedule_entries(["E9"], **c())),
    (C.REFER_FORCED_INCLUSION, None): ([], lambda d, c: d.refer_forced_inclusion(
        "equivalent", ["Acme", "Bolt"], **c())),
    (C.RECORD_SOS_FORCED_INCLUSION_DECISION, "remove"): (
        [], lambda d, c: d.record_sos_forced_inclusion_decision(True, **c(behalf="sos"))),
    (C.RECORD_SOS_FORCED_INCLUSION_DECISION, "retain"): (
        [], lambda d, c: d.record_sos_forced_inclusion_decision(False, **c(behalf="sos"))),
    **{(C.RECORD_DEVICE_CHANGE_EXCLUSION, k): ([], _device_change(k))
       for k in ("firmware", "configuration", "both")},
    (C.RELIEVE_INSUFFICIENT_DEVICES, None): ([], lambda d, c: d.relieve_insufficient_devices(
        ["E1"], ["supplier", "panel", "authority", "sos"], **c())),
    # -- entries
    (C.RESCHEDULE, None): ([], lambda e, c: e.reschedule(
        date(2026, 6, 1), date(2026, 7, 1), test_pack_id="P2", **c())),
    (C.REVISE_DATES, None): ([], lambda e, c: e.revise_dates(date(2026, 2, 9), date(2026, 3, 16), **c())),
    (C.REMOVE_FROM_SCHEDULE, None): ([], lambda e, c: e.remove_from_schedule(
        "d_i", "EPCL-9", schedule_version=4, **c())),
    (C.RECORD_DORMANT_SUFFICES, None): ([], lambda e, c: e.record_dormant_suffices("E0", "covered", **c())),
    (C.NOTIFY_MTAD_ROUTE, None): ([], lambda e, c: e.notify_mtad_route("MTAD", **c())),
    (C.RECORD_TAB_MT_COMPLETION, None): ([], lambda e, c: e.record_tab_mt_completion(
        mt_phase_id="MT-1", **c(behalf="tab"))),
    (C.RECORD_PANEL_MT_DETERMINATION, None): ([], lambda e, c: e.record_panel_mt_determination(
        True, **c(behalf="panel"))),
    (C.START_TESTING, None): ([], lambda e, c: e.start_testing("SIT-A", "R4.3", **c())),
    (C.RECORD_EXECUTION, None): ([], lambda e, c: e.record_execution(
        "T5", 1 + sum(x.test_id == "T5" for x in e.executions), "fail", H1, **c())),
    (C.PAUSE, None): ([], lambda e, c: e.pause(weekly_report_ref="WR-2", **c())),
    (C.RECOMMENCE, "settled"): ([lambda e, c: e.record_internal_change_progressed("I1", **c())],
                                lambda e, c: e.recommence(weekly_report_ref="WR-3", **c())),
    (C.RECOMMENCE, "pending"): ([], lambda e, c: e.recommence(weekly_report_ref="WR-3", **c())),
    (C.RECORD_INSUFFICIENT_DEVICES, None): ([], lambda e, c: e.record_insufficient_devices(**c())),
    (C.RECORD_TESTING_ISSUE, None): ([], lambda e, c: e.record_testing_issue("I7", **c())),
    (C.RECOMMEND_OPTION, None): (
        [lambda e, c: e.record_testing_issue("I7", **c())], _recommend("b", issue="I7")),
    (C.ANNOUNCE_OPTION_A_PATH, None): ([], lambda e, c: e.announce_option_a_path(
        "I1", True, ["parties", "panel", "authority", "sos"], **c())),
    (C.RECORD_SOS_DIRECTION_OTHERWISE, None): ([], lambda e, c: e.record_sos_direction_otherwise(
        "I1", "defer the change", **c(behalf="sos"))),
    (C.RECORD_SOS_CONSULTATION_OPINION, None): (
        [_recommend("b")], lambda e, c: e.record_sos_consultation_opinion("I1", True, **c(behalf="sos"))),
    **{(C.RECORD_SOS_OPTION_C_DECISION, k): (
        [_recommend("c", k)], lambda e, c: e.record_sos_option_c_decision("I1", True, **c(behalf="sos")))
       for k in ("firmware", "configuration", "both")},
    (C.RECORD_SOS_OPTION_C_DECISION, "disagrees"): ([_recommend("c", "firmware")], lambda e, c: (
        e.record_sos_option_c_decision("I1", False, **c(behalf="sos")))),
    (C.RECORD_SOS_OPTION_D_INDICATION, None): (
        [_recommend("d")], lambda e, c: e.record_sos_option_d_indication("I1", **c(behalf="sos"))),
    (C.RECORD_SOS_BLOCKING_DEFECT_AGREEMENT, None): (
        [lambda e, c: e.record_testing_issue("I7", **c())],
        lambda e, c: e.record_sos_blocking_defect_agreement("I7", **c(behalf="sos"))),
    (C.COMPLETE_TESTING, "successful"): ([], lambda e, c: e.complete_testing(True, False, **c())),
    (C.COMPLETE_TESTING, "unsuccessful"): ([], lambda e, c: e.complete_testing(
        False, False, not_possible="mt_not_completable" if e.status is S.AWAITING_MT_UNDER_MTAD
        else "tests_not_executable", **c())),
    (C.PRODUCE_DRAFT_REPORT, None): ([], draft),
    (C.SUBMIT_ISSUES_TO_TAG, None): ([], lambda e, c: e.submit_issues_to_tag(["I9"], ["I8"], False, **c())),
    (C.PROVIDE_DRAFT_REPORT, None): ([lambda e, c: e.current_draft or draft(e, c)],
                                     lambda e, c: e.provide_draft_report(["Carr"], c.today, **c())),
    (C.RECORD_SUPPLIER_NO_REFERRAL, None): ([], lambda e, c: e.record_supplier_no_referral("Bolt", **c())),
    (C.RECORD_SUPPLIER_REFERRAL, None): ([], lambda e, c: e.record_supplier_referral(
        "Bolt" if e.current_referrals else "Acme", ["exclusion", "severity"], "I8 counts", **c())),
    (C.RECORD_TAG_DIFFERENT_DETERMINATION, None): ([], lambda e, c: e.record_tag_different_determination(
        ["exclusion"], ["I8"], False, **c(behalf="tag"))),
    (C.RECORD_TAG_REVIEW_CONCLUDED, None): (
        [], lambda e, c: e.record_tag_review_concluded(**c(behalf="tag"))),
    (C.ELECT_CONTINUE_TESTING, None): (
        [_flip], lambda e, c: e.elect_continue_testing(["Acme", "Bolt"], **c())),
    (C.REFER_REPORT_TO_SOS, None): ([_flip], lambda e, c: e.refer_report_to_sos(matter_id="M-37", **c())),
    **{(C.DEEM_FINAL, k): ([lambda e, c: e.record_supplier_no_referral("Acme", **c()),
                            lambda e, c: e.record_supplier_no_referral("Bolt", **c())],
                           lambda e, c: e.deem_final(final_report_sha256=H2, **c()))
       for k in ("successful", "unsuccessful")},
    **{(C.RECORD_SOS_REPORT_DETERMINATION, k): ([], _sos_outcome("a" if k.startswith("a_") else k))
       for k in ("a_successful", "a_unsuccessful", "b", "c_i", "c_ii")},
    (C.AWAIT_RELIED_REPORT, None): ([], lambda e, c: e.await_relied_report("E5", **c())),
    (C.PRODUCE_EPCL_REPORT, None): ([], lambda e, c: e.produce_epcl_report(
        "EPCL-2", ["E1"], H2, relied_reports=["DTR-E5"], **c())),
    (C.PUBLISH_EPCL_REPORT, None): ([], lambda e, c: e.publish_epcl_report(
        date(2026, 4, 1), True, ["panel", "sos", "authority", "parties"], **c())),
}
#: The steps that end an issue's resolution: "last" (back to S17), "others" (another issue still
#: under resolution: S19 stays), or while paused (any case).
_RESOLVING: list[tuple[DmctCommand, list[Act], Act]] = [
    (C.RECORD_INTERNAL_CHANGE_PROGRESSED, [], lambda e, c: e.record_internal_change_progressed(
        "I1", revised_completion=date(2026, 4, 1), **c())),
    (C.RECORD_CODE_CHANGE_PROGRESSED, [_recommend("d")], lambda e, c: e.record_code_change_progressed(
        "I1", **c())),
    (C.RECORD_OPTION_B_APPROACH,
     [_recommend("b"), lambda e, c: e.record_sos_consultation_opinion("I1", True, **c(behalf="sos"))],
     lambda e, c: e.record_option_b_approach("I1", "tag", H1, False, **c(behalf="tag"))),
]
for _command, _prep, _progress in _RESOLVING:
    INVOKE[(_command, "last")] = (_prep, _progress)
    INVOKE[(_command, "others")] = ([*_prep, *_SECOND_ISSUE], _progress)
    INVOKE[(_command, None)] = (_prep, _progress)

#: Which variant of a from-status a (command, case) needs (``entry_in`` keywords).
VARIANT: dict[tuple[DmctCommand, str | None], dict[str, bool]] = {
    (C.RECORD_PANEL_MT_DETERMINATION, None): {"mtad": True},
    (C.DEEM_FINAL, "unsuccessful"): {"unsuccessful": True},
    (C.RECORD_SOS_REPORT_DETERMINATION, "a_unsuccessful"): {"unsuccessful": True},
    (C.RECORD_SOS_REPORT_DETERMINATION, "b"): {"unsuccessful": True},
}

ROWS = [(t, s) for t in TRANSITIONS for s in t.allowed_from]
CREATING = [t for t in TRANSITIONS if not t.allowed_from]
COMMANDS = sorted({(t.unit, t.command) for t in TRANSITIONS if t.allowed_from}, key=lambda uc: uc[1].value)


@pytest.fixture
def ctx() -> Clock:
    return Clock()


def _id(row: Transition, status: DmctStatus | None = None) -> str:
    return f"{row.command.value}[{row.case or '*'}]-{status.value if status else 'new'}"


def build(unit: DmctLevel, status: DmctStatus, ctx: Clock, **variant: bool) -> Agg:
    return dmc_in(status, ctx) if unit is DmctLevel.DMC else entry_in(status, ctx, **variant)


# -- the table itself -------------------------------------------------------------------------------
def test_every_row_cites_clauses_in_force() -> None:
    refs = {c for t in TRANSITIONS for c in t.clauses} | {c for r in STATUS_ROWS.values() for c in r.clauses}
    assert [problem for ref in sorted(refs) if (problem := check_ref(ref))] == []
    RecordingContext(DCC, START, tuple(sorted(refs)))  # and each is a clause reference the ledger accepts


def test_every_status_has_a_row_and_every_command_a_method() -> None:
    assert set(STATUS_ROWS) == set(DmctStatus)
    assert set(DMC_STATUSES) | set(ENTRY_STATUSES) == set(DmctStatus)
    for t in TRANSITIONS:
        cls = DmctDmc if t.unit is DmctLevel.DMC else DmctEntry
        assert callable(getattr(cls, t.command.value)), t
        assert set(t.allowed_from) <= set(DMC_STATUSES if t.unit is DmctLevel.DMC else ENTRY_STATUSES), t
        assert t.to is None or t.to in (DMC_STATUSES if t.unit is DmctLevel.DMC else ENTRY_STATUSES), t
    assert {t.command for t in TRANSITIONS} == set(DmctCommand)


def test_at_most_one_row_applies_to_each_command_case_and_status() -> None:
    for unit, command in COMMANDS:
        rows = rows_for(unit, command)
        for status in {s for t in rows for s in t.allowed_from}:
            here = [t for t in rows if status in t.allowed_from]
            cases = [t.case for t in here]
            assert len(cases) == len(set(cases)), (command, status, cases)
            assert None not in cases or len(cases) == 1, (command, status, cases)


def test_no_row_changes_a_terminal_status() -> None:
    leaving = {s for t in TRANSITIONS if t.to is not None for s in t.allowed_from}
    assert sorted(s.value for s in DmctStatus if s.terminal and s in leaving) == []
    assert {s for s in DmctStatus if s.terminal} == {
        S.NOT_SCHEDULED_ON_OR_PROPOSED_FOR_EPCL, S.NOT_SCHEDULED_IN_CAPABILITY_RELEASE_OR_PPCT,
        S.EXCLUDED_NON_ECONOMIC, S.NOT_TESTED_DORMANT_ENTRY_SUFFICES, S.EXCLUDED_FIRMWARE_UPGRADE_REQUIRED,
        S.FINAL_UNSUCCESSFUL, S.EPCL_REPORT_PUBLISHED}


def test_catalogue_rows_change_status_but_where_the_catalogue_says_s19_stays() -> None:
    unchanged = {(t.command, t.case) for t in TRANSITIONS if not t.derived and t.to is None}
    assert unchanged == {(C.RECORD_SOS_OPTION_C_DECISION, "disagrees"),
                         (C.RECORD_SOS_OPTION_D_INDICATION, None)}


def test_every_status_is_entered_by_some_row() -> None:
    entered = {t.to for t in TRANSITIONS if t.to is not None}
    assert set(DmctStatus) - entered == set()


def test_every_row_has_an_invocation() -> None:
    missing = {(t.command, t.case) for t in TRANSITIONS if t.allowed_from} - set(INVOKE)
    assert missing == set()


# -- each row, from each of its statuses --------------------------------------------------------------
@pytest.mark.parametrize("row", CREATING, ids=_id)
def test_a_creating_row_starts_the_aggregate_in_its_status(row: Transition, ctx: Clock) -> None:
    made = dmc_in(S.SUBMITTED, ctx) if row.unit is DmctLevel.DMC else entry_in(row.to or S.SCHEDULED, ctx)
    first = made.collect_events()[0]
    assert made.status is row.to
    assert first.clauses
    assert set(first.clauses) <= set(row.clauses)
    assert made.status_clauses == tuple(first.clauses)


@pytest.mark.parametrize(("row", "status"), ROWS, ids=[_id(r, s) for r, s in ROWS])
def test_a_row_is_accepted_from_each_of_its_statuses(row: Transition, status: DmctStatus, ctx: Clock) -> None:
    agg = build(row.unit, status, ctx, **VARIANT.get((row.command, row.case), {}))
    assert agg.status is status
    prep, act = INVOKE[(row.command, row.case)]
    for step in prep:
        step(agg, ctx)
    assert agg.status is status, "the preparation keeps the status"
    assert transition(row.unit, row.command, status, row.case) is row
    act(agg, ctx)
    last = agg.collect_events()[-1]
    assert agg.status is (row.to or status)
    assert last.clauses == list(row.clauses)
    assert last.status_to == (None if row.to is None else row.to.value)
    if row.to is not None:
        assert agg.status_clauses == row.clauses
        assert agg.status_version == agg.version


def refused_from(row: Transition) -> DmctStatus | None:
    """A representative status no row of the row's command allows: the first in table order."""
    allowed = {s for t in rows_for(row.unit, row.command) for s in t.allowed_from}
    statuses = DMC_STATUSES if row.unit is DmctLevel.DMC else ENTRY_STATUSES
    return next((s for s in statuses if s not in allowed), None)


REFUSABLE = [t for t in TRANSITIONS if t.allowed_from and refused_from(t) is not None]


def test_only_a_supplier_submission_is_allowed_from_every_status() -> None:
    everywhere = {t.command for t in TRANSITIONS if t.allowed_from and refused_from(t) is None}
    assert everywhere == {C.RECORD_SUBMISSION}  # any Supplier Party may include the DMC at any time


@pytest.mark.parametrize("row", REFUSABLE, ids=[_id(r, refused_from(r)) for r in REFUSABLE])
def test_a_row_is_refused_from_a_status_no_row_of_its_command_allows(row: Transition, ctx: Clock) -> None:
    status = refused_from(row)
    assert status is not None
    agg = build(row.unit, status, ctx)
    before = agg.version
    _, act = INVOKE[(row.command, row.case)]
    with pytest.raises(InvalidDmctEventError) as raised:
        act(agg, ctx)
    assert raised.value.field == "status"
    assert f"is {status.value} {status.name}; {row.command.value} needs " in raised.value.reason
    nexts = ", ".join(c.value for c in allowed_next(row.unit, status)) or "nothing"
    assert raised.value.reason.endswith(f"allowed next: {nexts}")
    assert agg.version == before


ALL_COMMANDS = sorted({(t.unit, t.command) for t in TRANSITIONS}, key=lambda uc: uc[1].value)


@pytest.mark.parametrize(("unit", "command"), ALL_COMMANDS, ids=[c.value for _, c in ALL_COMMANDS])
def test_the_command_catalogue_can_derive_a_strict_input_model(unit: DmctLevel, command: DmctCommand) -> None:
    from pydantic import ConfigDict, create_model

    from ledger.commands.catalogue import _fields

    cls = DmctDmc if unit is DmctLevel.DMC else DmctEntry
    function = getattr(cls, command.value)
    creates = isinstance(inspect.getattr_static(cls, command.value), classmethod)
    fields = _fields(function, skip=0 if creates else 1)
    assert not set(fields) & {"occurred_at", "actor", "clauses", "on_behalf_of", "evidence_sha256"}
    model = create_model(f"{cls.__name__}_{command.value}", __config__=ConfigDict(extra="forbid",
                                                                                  strict=True),
                         **fields)
    assert model.model_json_schema()["type"] == "object"
    params = inspect.signature(function).parameters
    assert params[next(reversed(params))].kind is inspect.Parameter.VAR_KEYWORD
