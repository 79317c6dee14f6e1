"""Capability Releases and Test Phases (``ledger.phases``) and their findings
(``ledger.findings.phases``): the lifecycle, every structural rejection, and every compliance
finding, in memory."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ledger.actors import Actor
from ledger.capability_releases import CapabilityRelease
from ledger.context import RecordingContext
from ledger.document_values import Party
from ledger.documents import Document
from ledger.errors import InvalidPhaseEventError
from ledger.findings.phases import phase_findings
from ledger.matter_values import Subject, SubjectKind
from ledger.notices import Notice
from ledger.phases import TestPhase, allowed_next
from ledger.rules.document_types import DocumentType, NoticeType
from ledger.rules.phase_kinds import (
    ENTRY_CRITERIA,
    PHASE_KINDS,
    EntryCriterion,
    OperatingCapability,
    PhaseKind,
)
from ledger.rules.phase_transitions import TRANSITIONS, PhaseCommand, PhaseStatus
from ledger.rules.roles import Role
from tests.unit.seed_text import check_ref

DCC = Actor("alice", "dcc", "DCC")
START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
H1, H2, H3 = "a1" * 32, "b2" * 32, "c3" * 32


class Clock:
    """Successive recording contexts, an hour apart, so the events' order is their time order."""

    def __init__(self) -> None:
        self.at = START

    def __call__(self, *clauses: str, **kwargs: Any) -> dict[str, Any]:
        self.at += timedelta(hours=1)
        return RecordingContext(DCC, self.at, clauses, **kwargs).fields()


@pytest.fixture
def ctx() -> Clock:
    return Clock()


def sit_moc(ctx: Clock) -> TestPhase:
    return TestPhase.plan(OperatingCapability.MOC, PhaseKind.SIT, epcl_entry="E1", **ctx())


def meet_all(phase: TestPhase, ctx: Clock) -> None:
    for criterion in EntryCriterion:
        if criterion is not EntryCriterion.E or phase.kind is PhaseKind.SIT:
            phase.record_entry_criterion(criterion, True, document_sha256=H1, **ctx())


def to_exit_proposed(phase: TestPhase, ctx: Clock) -> TestPhase:
    meet_all(phase, ctx)
    phase.enter(**ctx())
    phase.propose_exit(**ctx())
    return phase


def names(phase: TestPhase) -> list[str]:
    return [type(e).__name__ for e in phase.collect_events()]


# -- the tables -----------------------------------------------------------------------------------


def test_the_tables_cite_clauses_in_force() -> None:
    refs = [
        *(ref for row in PHASE_KINDS.values() for ref in row.clauses),
        *(ref for row in TRANSITIONS.values() for ref in (*row.clauses, *row.sit_clauses)),
        *(c.value for c in ENTRY_CRITERIA),
    ]
    assert [problem for ref in refs if (problem := check_ref(ref))] == []
    RecordingContext(DCC, START, tuple(refs))


def test_every_command_and_kind_has_a_row() -> None:
    assert set(TRANSITIONS) == set(PhaseCommand)
    assert set(PHASE_KINDS) == set(PhaseKind)
    assert set(ENTRY_CRITERIA) == set(EntryCriterion)


def test_nothing_is_allowed_after_completion_but_certificates_and_criteria() -> None:
    assert set(allowed_next(PhaseStatus.COMPLETED)) == {
        PhaseCommand.RECORD_ENTRY_CRITERION, PhaseCommand.ISSUE_TCC, PhaseCommand.REVOKE_TCC,
        PhaseCommand.REINSTATE_TCC,
    }


# -- planning -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capability", "kind", "provider", "entry"),
    [
        ("ioc", "pit", "CGI", None), ("moc", "pit", "Telefonica", None), ("ioc", "sit", None, None),
        ("moc", "sit", None, "E1"), ("foc", "sit", None, "E9"), ("ioc", "uts", None, None),
        ("ioc", "active_mmt", None, "E2"), ("moc", "dormant_mmt", None, "E3"),
        ("foc", "mixed_mmt", None, "E4"),
        ("foc", "sct", None, None),
    ],
)
def test_a_phase_is_keyed_as_its_kind_requires(
    ctx: Clock, capability: str, kind: str, provider: str | None, entry: str | None
) -> None:
    phase = TestPhase.plan(capability, kind, service_provider=provider, epcl_entry=entry, **ctx())
    assert (phase.capability.value, phase.kind.value, phase.status) == (capability, kind, PhaseStatus.PLANNED)
    assert phase.id == TestPhase.create_id(capability, kind, provider, entry)


@pytest.mark.parametrize(
    ("capability", "kind", "provider", "entry", "field"),
    [
        ("soc", "sit", None, None, "capability"), ("ioc", "dmct", None, None, "kind"),
        ("ioc", "pit", None, None, "service_provider"), ("ioc", "pit", " ", None, "service_provider"),
        ("ioc", "sit", "CGI", None, "service_provider"), ("ioc", "sit", None, "E1", "epcl_entry"),
        ("moc", "sit", None, None, "epcl_entry"), ("ioc", "dormant_mmt", None, None, "epcl_entry"),
        ("foc", "sct", None, "E1", "epcl_entry"), ("moc", "pit", "CGI", "E1", "epcl_entry"),
    ],
)
def test_a_phase_keyed_against_its_kind_is_refused(
    ctx: Clock, capability: str, kind: str, provider: str | None, entry: str | None, field: str
) -> None:
    with pytest.raises(InvalidPhaseEventError, match=f"^{field}: ") as caught:
        TestPhase.plan(capability, kind, service_provider=provider, epcl_entry=entry, **ctx())
    assert caught.value.field == field


def test_one_sit_phase_per_planned_epcl_entry(ctx: Clock) -> None:
    first, again = sit_moc(ctx), sit_moc(ctx)
    other = TestPhase.plan("moc", "sit", epcl_entry="E2", **ctx())
    assert first.id == again.id != other.id


# -- the lifecycle --------------------------------------------------------------------------------


def test_a_sit_phase_runs_from_planned_to_completion_determined_by_the_panel(ctx: Clock) -> None:
    phase = sit_moc(ctx)
    meet_all(phase, ctx)
    phase.enter(**ctx())
    phase.enter_stage("ST1", "Solution Test", "solution_test", **ctx())
    phase.exit_stage("ST1", **ctx())
    phase.propose_exit(**ctx())
    phase.review_evidence_with_tag(**ctx())
    phase.issue_tcc("TCC-1", "CGI", tab_approval_sha256=H2, certificate_sha256=H3, **ctx())
    phase.determine_completion(Role.PANEL, **ctx(on_behalf_of="panel", evidence_sha256=H2))
    assert phase.status is PhaseStatus.COMPLETED
    assert names(phase) == [
        "TestPhasePlanned", *["EntryCriterionRecorded"] * 6, "TestPhaseEntered", "TestStageEntered",
        "TestStageExited", "TestPhaseExitProposed", "ExitEvidenceReviewedWithTag",
        "TestCompletionCertificateIssued", "TestPhaseCompletionDetermined",
    ]
    assert phase_findings(phase) == []


def test_the_events_carry_default_clauses_and_json_payloads(ctx: Clock) -> None:
    phase = to_exit_proposed(sit_moc(ctx), ctx)
    phase.direct_continuation("panel", ["re-run regression pack 4"], **ctx())
    events = phase.collect_events()
    skip = {"originator_id", "originator_version", "timestamp", "originator_topic"}
    for e in events:
        payload = {k: v for k, v in vars(e).items() if k not in skip}
        assert json.loads(json.dumps(payload)) == payload
    clauses = [vars(e)["clauses"] for e in events]
    assert clauses[-3:] == [["12.1", "12.5"], ["9.4", "9.7", "13.18", "13.19"], ["13.19"]]
    assert clauses[0] == list(PHASE_KINDS[PhaseKind.SIT].clauses)


def test_a_direction_to_continue_loops_back_to_another_exit_proposal(ctx: Clock) -> None:
    phase = to_exit_proposed(sit_moc(ctx), ctx)
    phase.direct_continuation(Role.PANEL, ["address TI-4"], **ctx())
    assert phase.status is PhaseStatus.CONTINUING
    phase.enter_stage("EOC2", "second end-of-cycle run", "end_of_cycle", **ctx())
    phase.propose_exit(**ctx())
    phase.determine_completion(Role.PANEL, **ctx())
    assert [d.completed for d in phase.determinations] == [False, True]
    assert phase.determinations[0].outstanding_matters == ("address TI-4",)


def test_entry_is_recorded_even_with_no_criterion_recorded(ctx: Clock) -> None:
    phase = sit_moc(ctx)
    phase.enter(overlap_basis="Panel agreed overlap (5.6)", **ctx())
    assert phase.status is PhaseStatus.ENTERED
    assert phase.entry is not None


def planned(phase: TestPhase, ctx: Clock) -> None:
    pass


def entered(phase: TestPhase, ctx: Clock) -> None:
    phase.enter(**ctx())


def completed(phase: TestPhase, ctx: Clock) -> None:
    to_exit_proposed(phase, ctx)
    phase.determine_completion("panel", **ctx())


Step = Callable[[TestPhase, Clock], object]
TRANSITION_CASES: list[tuple[str, Step, Step, str, str]] = [
    ("completion before exit proposed", entered, lambda p, c: p.determine_completion("panel", **c()),
     "entered", "record_entry_criterion, enter_stage, exit_stage, propose_exit"),
    ("entered twice", entered, lambda p, c: p.enter(**c()), "entered", "propose_exit"),
    ("exit proposed before entry", planned, lambda p, c: p.propose_exit(**c()), "planned",
     "record_entry_criterion, enter"),
    ("stage before entry", planned, lambda p, c: p.enter_stage("S1", "stage", "other", **c()), "planned",
     "enter"),
    ("certificate before exit proposed", entered, lambda p, c: p.issue_tcc("T", "CGI", **c()),
     "entered", "propose_exit"),
    ("TAG review before exit proposed", entered, lambda p, c: p.review_evidence_with_tag(**c()),
     "entered", "propose_exit"),
    ("continuation after completion", completed, lambda p, c: p.direct_continuation("panel", ["x"], **c()),
     "completed", "record_entry_criterion, issue_tcc, revoke_tcc, reinstate_tcc"),
    ("completion determined twice", completed, lambda p, c: p.determine_completion("panel", **c()),
     "completed", "issue_tcc"),
    ("stage while exit proposed", to_exit_proposed, lambda p, c: p.enter_stage("S", "s", "other", **c()),
     "exit_proposed", "determine_completion, direct_continuation"),
]


@pytest.mark.parametrize(("setup", "command", "status", "allowed"), [c[1:] for c in TRANSITION_CASES],
                         ids=[c[0] for c in TRANSITION_CASES])
def test_an_impossible_transition_names_the_status_and_what_may_come_next(
    ctx: Clock, setup: Step, command: Step, status: str, allowed: str
) -> None:
    phase = sit_moc(ctx)
    setup(phase, ctx)
    phase.collect_events()
    with pytest.raises(InvalidPhaseEventError, match=f"^status: .* is {status}; ") as caught:
        command(phase, ctx)
    assert phase.label in str(caught.value)
    assert allowed in str(caught.value)
    assert phase.collect_events() == []
    assert phase.status.value == status


# -- entry criteria -------------------------------------------------------------------------------


def test_criteria_are_facts_and_the_latest_one_counts(ctx: Clock) -> None:
    phase = sit_moc(ctx)
    phase.record_entry_criterion("12.5(d)", False, basis="lab 2 not secured", **ctx())
    phase.record_entry_criterion(EntryCriterion.D, True, document_sha256=H1, **ctx())
    assert [f.met for f in phase.criteria_history] == [False, True]
    assert phase.criteria[EntryCriterion.D].document_sha256 == H1


@pytest.mark.parametrize(
    ("plan", "criterion", "met", "evidence", "field"),
    [
        (("moc", "sit", None, "E1"), "12.5(g)", True, H1, "criterion"),
        (("moc", "sit", None, "E1"), "12.5(a)", True, None, "document_sha256"),
        (("moc", "sit", None, "E1"), "12.5(a)", True, H1.upper(), "document_sha256"),
        (("ioc", "pit", "CGI", None), "12.5(e)", True, H1, "criterion"),
        (("ioc", "sit", None, None), "12.5(e)", False, None, "criterion"),
        (("moc", "dormant_mmt", None, "E1"), "12.5(e)", True, H1, "criterion"),
    ],
)
def test_a_malformed_or_inapplicable_criterion_is_refused(
    ctx: Clock, plan: tuple[str, str, str | None, str | None], criterion: str, met: bool,
    evidence: str | None, field: str,
) -> None:
    capability, kind, provider, entry = plan
    phase = TestPhase.plan(capability, kind, service_provider=provider, epcl_entry=entry, **ctx())
    with pytest.raises(InvalidPhaseEventError, match=f"^{field}: "):
        phase.record_entry_criterion(criterion, met, document_sha256=evidence, **ctx())
    assert phase.criteria_history == []


def test_an_unmet_criterion_needs_no_evidence_and_12_5_e_applies_to_foc_sit(ctx: Clock) -> None:
    phase = TestPhase.plan("foc", "sit", epcl_entry="E5", **ctx())
    phase.record_entry_criterion("12.5(e)", False, **ctx())
    assert phase.criteria[EntryCriterion.E].met is False


# -- stages and certificates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "field"),
    [
        (lambda p, c: p.enter_stage("ST1", "again", "other", **c()), "stage_id"),
        (lambda p, c: p.enter_stage("", "unnamed", "other", **c()), "stage_id"),
        (lambda p, c: p.enter_stage("ST2", " ", "other", **c()), "name"),
        (lambda p, c: p.enter_stage("ST2", "x", "smoke_test", **c()), "kind"),
        (lambda p, c: p.exit_stage("ST9", **c()), "stage_id"),
        (lambda p, c: (p.exit_stage("ST1", **c()), p.exit_stage("ST1", **c())), "stage_id"),
    ],
)
def test_malformed_stages_are_refused(ctx: Clock, action: Any, field: str) -> None:
    phase = sit_moc(ctx)
    phase.enter(**ctx())
    phase.enter_stage("ST1", "Solution Test", "solution_test", **ctx())
    with pytest.raises(InvalidPhaseEventError, match=f"^{field}: "):
        action(phase, ctx)


def test_a_solution_test_is_a_stage_of_sit_only(ctx: Clock) -> None:
    phase = TestPhase.plan("ioc", "pit", service_provider="CGI", **ctx())
    phase.enter(**ctx())
    with pytest.raises(InvalidPhaseEventError, match=r"^kind: .*within SIT"):
        phase.enter_stage("ST1", "Solution Test", "solution_test", **ctx())


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda p, c: p.revoke_tcc("TCC-9", "tab", **c()), "has no TCC 'TCC-9' \\(issued: TCC-1\\)"),
        (lambda p, c: p.reinstate_tcc("TCC-1", "tab", **c()), "TCC 'TCC-1' is not revoked"),
        (lambda p, c: (p.revoke_tcc("TCC-1", "tab", **c()), p.revoke_tcc("TCC-1", "tab", **c())),
         "TCC 'TCC-1' is already revoked"),
        (lambda p, c: p.issue_tcc("TCC-1", "CGI", **c()), "already has TCC 'TCC-1'"),
        (lambda p, c: p.issue_tcc("TCC-2", "CGI", tab_approval_sha256="ab", **c()), "^tab_approval_sha256: "),
        (lambda p, c: p.issue_tcc("TCC-2", "CGI", certificate_sha256="ab", **c()), "^certificate_sha256: "),
        (lambda p, c: p.issue_tcc("TCC-2", "", **c()), "^service_provider: "),
        (lambda p, c: p.revoke_tcc("TCC-1", "ofgem", **c()), "^revoked_by: .*'ofgem' is not a role"),
    ],
)
def test_malformed_certificate_acts_are_refused(ctx: Clock, action: Any, message: str) -> None:
    phase = to_exit_proposed(sit_moc(ctx), ctx)
    phase.issue_tcc("TCC-1", "CGI", tab_approval_sha256=H2, **ctx())
    with pytest.raises(InvalidPhaseEventError, match=message):
        action(phase, ctx)


def test_revoking_a_tcc_when_none_was_issued_is_refused(ctx: Clock) -> None:
    phase = to_exit_proposed(sit_moc(ctx), ctx)
    with pytest.raises(InvalidPhaseEventError, match=r"^certificate_id: .*has no TCC 'T1' \(issued: none\)"):
        phase.revoke_tcc("T1", Role.TAB, **ctx())


def test_a_pit_certificate_goes_to_its_own_service_provider(ctx: Clock) -> None:
    phase = to_exit_proposed(TestPhase.plan("ioc", "pit", service_provider="CGI", **ctx()), ctx)
    with pytest.raises(InvalidPhaseEventError, match=r"^service_provider: .*certifies CGI not Telefonica"):
        phase.issue_tcc("T1", "Telefonica", **ctx())
    phase.issue_tcc("T1", "CGI", tab_approval_sha256=H2, **ctx())
    assert list(phase.certificates) == ["T1"]


def test_a_revoked_tcc_can_be_reinstated_and_is_in_force_again(ctx: Clock) -> None:
    phase = to_exit_proposed(sit_moc(ctx), ctx)
    phase.issue_tcc("T1", "CGI", tab_approval_sha256=H2, **ctx())
    phase.revoke_tcc("T1", Role.TAB, **ctx("15.2", on_behalf_of="tab", evidence_sha256=H3))
    assert phase.certificates["T1"].revoked
    phase.reinstate_tcc("T1", "tab", **ctx())
    assert not phase.certificates["T1"].revoked
    assert names(phase)[-2:] == ["TestCompletionCertificateRevoked", "TestCompletionCertificateReinstated"]


def test_a_decision_on_one_bodys_behalf_must_name_that_body(ctx: Clock) -> None:
    phase = to_exit_proposed(sit_moc(ctx), ctx)
    with pytest.raises(InvalidPhaseEventError, match=r"^determined_by: .*panel decided, .* behalf of tab"):
        phase.determine_completion(Role.PANEL, **ctx(on_behalf_of="tab", evidence_sha256=H1))
    with pytest.raises(InvalidPhaseEventError, match=r"^outstanding_matters: "):
        phase.direct_continuation(Role.PANEL, [], **ctx())
    assert phase.status is PhaseStatus.EXIT_PROPOSED


# -- capability releases --------------------------------------------------------------------------


def test_a_capability_release_is_one_per_capability(ctx: Clock) -> None:
    release = CapabilityRelease.record("moc", delivery_plan_reference="LC13 plan v7", **ctx())
    assert release.id == CapabilityRelease.create_id("moc") != CapabilityRelease.create_id("foc")
    assert not release.interface_testing_applies
    release.direct_interface_testing_repeat(**ctx(on_behalf_of="sos", evidence_sha256=H1))
    assert release.interface_testing_applies
    assert [vars(e)["clauses"] for e in release.collect_events()] == [["5.5", "7.2"], ["7.3"]]


def test_interface_testing_is_never_directed_for_ioc_and_unknown_releases_are_refused(ctx: Clock) -> None:
    ioc = CapabilityRelease.record("ioc", **ctx())
    assert ioc.interface_testing_applies
    with pytest.raises(InvalidPhaseEventError, match=r"^capability: .*conducted for IOC"):
        ioc.direct_interface_testing_repeat(**ctx())
    with pytest.raises(InvalidPhaseEventError, match=r"^capability: "):
        CapabilityRelease.record("eoc", **ctx())


# -- findings -------------------------------------------------------------------------------------


def clauses_found(phase: TestPhase, **kwargs: Any) -> list[str]:
    return [f.clause for f in phase_findings(phase, **kwargs)]


def test_entry_with_a_criterion_unmet_or_unrecorded_is_flagged_with_its_facts(ctx: Clock) -> None:
    phase = sit_moc(ctx)
    meet_all(phase, ctx)
    phase.record_entry_criterion("12.5(d)", False, basis="stubs not ready", **ctx())
    phase.enter(**ctx())
    phase.record_entry_criterion("12.5(d)", True, document_sha256=H1, **ctx())  # too late
    (finding,) = phase_findings(phase)
    assert finding.clause == "12.5"
    assert "12.5(d)" in finding.what
    assert "not met" in finding.what
    assert finding.event_ids == (phase.event_id(9), phase.event_id(8))

    bare = TestPhase.plan("ioc", "pit", service_provider="CGI", **ctx())
    bare.enter(**ctx())
    (finding,) = phase_findings(bare)
    assert "12.5(a)" in finding.what
    assert "not recorded" in finding.what
    assert "12.5(e)" not in finding.what


def test_ioc_sit_needs_neither_a_ttm_nor_a_depth_and_breadth_discussion(ctx: Clock) -> None:
    phase = TestPhase.plan("ioc", "sit", **ctx())
    for criterion in ("12.5(a)", "12.5(b)", "12.5(d)", "12.5(f)"):
        phase.record_entry_criterion(criterion, True, document_sha256=H1, **ctx())
    phase.enter(**ctx())
    assert phase_findings(phase) == []


def test_sit_completion_by_another_body_without_tcc_or_tag_review_is_flagged(ctx: Clock) -> None:
    phase = to_exit_proposed(sit_moc(ctx), ctx)
    phase.direct_continuation(Role.TAG, ["x"], **ctx())
    phase.propose_exit(**ctx())
    phase.determine_completion(Role.TAB, **ctx())
    found = phase_findings(phase)
    assert [f.clause for f in found] == ["13.19", "13.18", "12.9(i)", "13.18(c)"]
    assert found[1].event_ids == (phase.event_id(phase.version),)


def test_a_tag_review_before_the_last_exit_proposal_does_not_count(ctx: Clock) -> None:
    phase = to_exit_proposed(sit_moc(ctx), ctx)
    phase.review_evidence_with_tag(**ctx())
    phase.direct_continuation(Role.PANEL, ["x"], **ctx())
    phase.propose_exit(**ctx())
    phase.issue_tcc("T1", "CGI", tab_approval_sha256=H2, **ctx())
    phase.determine_completion(Role.PANEL, **ctx())
    assert clauses_found(phase) == ["13.18(c)"]


def test_pit_completion_by_the_dcc_is_not_flagged(ctx: Clock) -> None:
    phase = to_exit_proposed(TestPhase.plan("ioc", "pit", service_provider="CGI", **ctx()), ctx)
    phase.issue_tcc("T1", "CGI", tab_approval_sha256=H2, **ctx())
    phase.determine_completion(Role.DCC, **ctx())
    assert phase_findings(phase) == []


def test_certificates_without_tab_approval_or_revoked_by_others_are_flagged(ctx: Clock) -> None:
    phase = to_exit_proposed(sit_moc(ctx), ctx)
    phase.review_evidence_with_tag(**ctx())
    phase.issue_tcc("T1", "CGI", **ctx())
    phase.issue_tcc("T2", "Telefonica", tab_approval_sha256=H2, **ctx())
    phase.revoke_tcc("T2", Role.DCC, **ctx())
    phase.determine_completion(Role.PANEL, **ctx())
    found = phase_findings(phase)
    assert [(f.clause, f.what.split(" in ")[0]) for f in found] == [
        ("Table 1.1", "TCC T1 to CGI"), ("15.2", "TCC T2"),
    ]


def test_a_revocation_after_completion_is_flagged_and_the_determination_stands(ctx: Clock) -> None:
    phase = to_exit_proposed(sit_moc(ctx), ctx)
    phase.review_evidence_with_tag(**ctx())
    phase.issue_tcc("T1", "CGI", tab_approval_sha256=H2, **ctx())
    phase.determine_completion(Role.PANEL, **ctx())
    phase.revoke_tcc("T1", Role.TAB, **ctx())
    (finding,) = phase_findings(phase)
    assert finding.clause == "15.2"
    assert "A32" in finding.what
    assert finding.event_ids == (phase.event_id(phase.version - 1), phase.event_id(phase.version))
    assert phase.status is PhaseStatus.COMPLETED


def test_completion_with_every_certificate_revoked_is_flagged(ctx: Clock) -> None:
    phase = to_exit_proposed(sit_moc(ctx), ctx)
    phase.review_evidence_with_tag(**ctx())
    phase.issue_tcc("T1", "CGI", tab_approval_sha256=H2, **ctx())
    phase.revoke_tcc("T1", Role.TAB, **ctx())
    phase.determine_completion(Role.PANEL, **ctx())
    assert clauses_found(phase) == ["12.9(i)"]


def test_interface_testing_for_moc_needs_the_secretary_of_states_direction(ctx: Clock) -> None:
    release = CapabilityRelease.record("moc", **ctx())
    uts = TestPhase.plan("moc", "uts", **ctx())
    (finding,) = phase_findings(uts, release=release)
    assert (finding.clause, finding.event_ids) == ("7.3", (uts.event_id(1),))
    release.direct_interface_testing_repeat(**ctx())
    assert phase_findings(uts, release=release) == []
    ioc_uts = TestPhase.plan("ioc", "uts", **ctx())
    assert phase_findings(ioc_uts, release=CapabilityRelease.record("ioc", **ctx())) == []


def test_migration_testing_entered_before_its_mtad_was_approved_is_flagged(ctx: Clock) -> None:
    mtad = Document.record(
        DocumentType.MTAD, "MTAD", "3.0", H1, Party(Role.DCC), [Party(Role.SOS)], "public", **ctx()
    )
    phase = TestPhase.plan("moc", "dormant_mmt", epcl_entry="E3", **ctx())
    meet_all(phase, ctx)
    early = Notice.give(
        NoticeType.TAD_APPROVED, Party(Role.SOS), [Party(Role.DCC)],
        subjects=[Subject(SubjectKind.DOCUMENT, "some-other-document")], **ctx(),
    )
    phase.enter(**ctx())
    approval = Notice.give(
        NoticeType.TAD_APPROVED, Party(Role.SOS), [Party(Role.DCC)],
        subjects=[Subject(SubjectKind.DOCUMENT, str(mtad.id))], **ctx(),
    )
    (finding,) = phase_findings(phase, documents=[mtad], notices=[early, approval])
    assert finding.clause == "12.3"
    assert "MTAD" in finding.what
    assert phase_findings(phase) == []  # the check needs the documents and notices

    approved_first = TestPhase.plan("moc", "active_mmt", epcl_entry="E3", **ctx())
    meet_all(approved_first, ctx)
    approved_first.enter(**ctx())
    assert phase_findings(approved_first, documents=[mtad], notices=[approval]) == []
