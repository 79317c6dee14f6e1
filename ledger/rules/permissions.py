"""Who may issue which command: the permission table (issue 3 item 5), one row per command.

A row names the roles that may issue the command in their own right and the bodies on whose
behalf the DCC may record it. The DCC may record a TAG, TAB, Panel or SoS decision only on that
body's behalf and only with the SHA-256 of the evidence document (the body's own minutes or
letter). Testing Participants (Suppliers and DCC Service Providers, §2.3) raise Testing Issues
(§13.28(a)) and refer severity disputes to the TAG (§14.2). Matter rows are derived from the route
table (``ledger.rules.routes``): who may raise, refer or decide what each route says, so a
Supplier raises exactly the referrals its routes give it. Document and notice rows are derived
from ``ledger.rules.document_types``: whoever a type names as producer. The SIT Auditor produces
only its reports (§19.4, §19.5, §19.7), so it may record those and notes and nothing else. The
``admin`` role manages principals and records nothing of testing but notes.

Commands are ``Aggregate.method`` names of the aggregates in ``ledger/``. ``authorise`` applies
the table; it is pure and raises ``PermissionDeniedError`` naming the role and the command.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

from ledger.errors import PermissionDeniedError
from ledger.rules.document_types import DOCUMENT_TYPES, NOTICE_TYPES, TypeRow
from ledger.rules.roles import Role
from ledger.rules.routes import ROUTES

DCC, SP, TAG, TAB = Role.DCC, Role.DCC_SERVICE_PROVIDER, Role.TAG, Role.TAB
PANEL, SOS, AUTHORITY, SUPPLIER = Role.PANEL, Role.SOS, Role.AUTHORITY, Role.SUPPLIER
AUDITOR, TP, ADMIN = Role.SIT_AUDITOR, Role.TESTING_PARTICIPANT, Role.ADMIN

#: The bodies whose decisions the DCC may record on their behalf, with evidence.
DECIDING_BODIES = frozenset({TAG, TAB, PANEL, SOS})
#: Who records a decision on another body's behalf.
BEHALF_RECORDER = DCC
#: A Testing Participant is a Supplier or a DCC Service Provider (§2.3, SEC X11.8).
TESTING_PARTICIPANTS = frozenset({TP, SUPPLIER, SP})
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Permission:
    """May ``roles`` issue ``command``; may the DCC record it for a body in ``on_behalf_of``."""

    command: str
    roles: frozenset[Role]
    clauses: tuple[str, ...]
    on_behalf_of: frozenset[Role] = frozenset()
    note: str = ""


def _row(
    command: str, roles: Iterable[Role], clauses: tuple[str, ...], *, behalf: bool = False,
    note: str = "",
) -> Permission:
    named = frozenset(_expand(tuple(roles)))
    return Permission(command, named, clauses, named & DECIDING_BODIES if behalf else frozenset(), note)


def _expand(roles: Iterable[Role]) -> set[Role]:
    """A route or type naming Testing Participants names Suppliers and DCC Service Providers."""
    found = set(roles)
    return found | TESTING_PARTICIPANTS if found & TESTING_PARTICIPANTS else found


def _union(rows: Iterable[Iterable[object]]) -> set[Role]:
    return {r for r in chain.from_iterable(rows) if isinstance(r, Role)}


_ROUTE_CLAUSES = tuple(sorted({c for r in ROUTES for c in r.clauses}))
_RAISERS = _union(r.raised_by for r in ROUTES)
_REFERRERS = _union(r.referred_by for r in ROUTES)
_DECIDERS = _union(r.decided_by for r in ROUTES)
_PRODUCERS = _union(t.produced_by for t in DOCUMENT_TYPES.values())
_GIVERS = _union(t.produced_by for t in NOTICE_TYPES.values())
_EVERYONE = frozenset(Role)

_ROWS: tuple[Permission, ...] = (
    _row("Principal.add", {ADMIN}, (), note="ledger administration, not an Appendix AK body"),
    _row("Principal.disable", {ADMIN}, (), note="ledger administration"),
    _row("Principal.change_role", {ADMIN}, (), note="ledger administration"),
    _row("Principal.issue_token", {ADMIN}, (), note="ledger administration: API bearer tokens, by SHA-256"),
    _row("Principal.revoke_token", {ADMIN}, (), note="ledger administration"),
    _row("Note.record", _EVERYONE, (), note="free text, any party to testing or the ledger's admin"),
    _row("CapabilityRelease.record", {DCC}, ("5.5", "7.2", "8.6")),
    _row("CapabilityRelease.direct_interface_testing_repeat", {SOS}, ("7.3",), behalf=True),
    _row("TestPhase.plan", {DCC}, ("5.5", "7.2", "9.1")),
    _row("TestPhase.record_entry_criterion", {DCC}, ("12.5",)),
    _row("TestPhase.enter", {DCC}, ("12.5",)),
    _row("TestPhase.enter_stage", {DCC}, ("8.1(h)", "12.5")),
    _row("TestPhase.exit_stage", {DCC}, ("8.1(h)", "12.9")),
    _row("TestPhase.propose_exit", {DCC}, ("9.4", "9.7", "13.18")),
    _row("TestPhase.review_evidence_with_tag", {DCC}, ("13.18(c)",)),
    _row("TestPhase.issue_tcc", {DCC}, ("Table 1.1", "12.9(i)")),
    _row("TestPhase.revoke_tcc", {TAB}, ("15.2",), behalf=True),
    _row("TestPhase.reinstate_tcc", {TAB}, ("15.2",), behalf=True),
    _row("TestPhase.determine_completion", {PANEL, TAB}, ("13.18", "20.14", "Table 1.1"), behalf=True,
         note="Panel for SIT (13.18); TAB for the MT phase (20.14) and PIT (Table 1.1 TCC)"),
    _row("TestPhase.direct_continuation", {PANEL}, ("13.19",), behalf=True),
    _row("TestingIssue.raise_issue", {DCC, *TESTING_PARTICIPANTS}, ("9.2", "13.28(a)")),
    _row("TestingIssue.determine_severity", {DCC}, ("13.22",), note="SEC H14.39(a)"),
    _row("TestingIssue.refer_severity_dispute", TESTING_PARTICIPANTS, ("14.2",)),
    _row("TestingIssue.withdraw_severity_dispute", TESTING_PARTICIPANTS, ("14.2",)),
    _row("TestingIssue.record_tag_severity_determination", {TAG}, ("14.2", "14.4"), behalf=True),
    _row("TestingIssue.propose_exclusion", {DCC}, ("13.25", "20.29", "Table 13.1 #2A")),
    _row("TestingIssue.record_tag_exclusion_decision", {TAG}, ("13.25", "Table 13.1 #2A"), behalf=True),
    _row("TestingIssue.refer_exclusion_to_sos", {DCC}, ("13.26",)),
    _row("TestingIssue.record_sos_exclusion_determination", {SOS}, ("13.26",), behalf=True),
    _row("TestingIssue.present_for_interface_testing", {DCC}, ("13.28",)),
    _row("TestingIssue.record_tag_counting_decision", {TAG}, ("13.27", "13.28(d)", "13.28(e)"), behalf=True),
    _row("TestingIssue.refer_counting_to_sos", {DCC}, ("13.29",)),
    _row("TestingIssue.record_sos_counting_determination", {SOS}, ("13.29",), behalf=True),
    _row("TestingIssue.close", {DCC}, ("8.1(l)",)),
    _row("TestingIssue.reopen", {DCC}, ("8.1(l)",)),
    _row("Ttm.produce", {DCC}, ("11.1", "12.5(c)")),
    _row("Ttm.publish_version", {DCC}, ("11.1", "11.2")),
    _row("Ttm.assure", {DCC}, ("11.1", "11.2")),
    _row("Ttm.record_sit_commenced", {DCC}, ("11.2",)),
    _row("Ttm.record_baseline_change", {DCC}, ("11.2",)),
    _row("Ttm.record_use_in_report", {DCC}, ("11.3", "19.4(a)", "19.5", "19.6(a)")),
    _row("CycleRuns.open", {DCC}, ("7.4(c)", "7.4(d)", "5.6")),
    _row("CycleRuns.start_end_of_cycle_run", {DCC}, ("7.4(c)", "5.6", "Table 13.1 #2A")),
    _row("CycleRuns.start_regression_run", {DCC, SP}, ("7.4(b)", "7.4(d)", "7.6", "Table 13.1 #2B"),
         note="SPs run PIT regression"),
    _row("CycleRuns.end_run", {DCC, SP}, ("Table 13.1 #2A", "Table 13.1 #2B"), note="SPs run PIT regression"),
    _row("Requirement.record", {DCC}, ("11.1", "11.2")),
    _row("Requirement.supersede", {DCC}, ("11.2",)),
    _row("TestScenario.identify", {DCC}, ("8.1(c)", "11.1")),
    _row("PlannedTest.plan", {DCC}, ("12.7", "13.13")),
    _row("PlannedTest.record_execution", {DCC, SP}, ("8.1(i)", "9.4(b)"), note="SPs perform PIT"),
    _row("PlannedTest.witness", {DCC}, ("13.14", "13.15")),
    _row("PlannedTest.propose_descope", {DCC}, ("12.9(a)",)),
    _row("PlannedTest.decide_descope_by_tab", {TAB}, ("12.9(a)",), behalf=True),
    _row("PlannedTest.decide_descope_by_sos", {SOS}, ("12.9(a)",), behalf=True),
    _row("PlannedTest.apply_descope", {DCC}, ("12.9(a)",)),
    _row("WorkOffPlan.produce", {DCC}, ("12.9(g)", "15.1")),
    _row("WorkOffPlan.anchor_to_tcc", {DCC}, ("15.1",)),
    _row("WorkOffPlan.set_tab_due_date", {TAB}, ("15.1",), behalf=True),
    _row("WorkOffPlan.approve", {TAB}, ("15.1",), behalf=True),
    _row("WorkOffPlan.report_progress", {DCC}, ("15.2",)),
    _row("WorkOffPlan.identify_deadline_at_risk", {DCC}, ("15.2",)),
    _row("WorkOffPlan.present_correction_plan", {DCC}, ("15.2",)),
    _row("WorkOffPlan.decide_correction_plan", {TAB}, ("15.2",), behalf=True),
    _row("WorkOffPlan.resolve_item", {DCC}, ("12.9(h)", "15.2")),
    _row("WorkOffPlan.complete", {DCC}, ("12.9(h)",)),
    _row("DmcSelection.open", {DCC}, ("13.3",)),
    _row("DmcSelection.request_device_information", {DCC}, ("13.1",)),
    _row("DmcSelection.provide_device_information", {SUPPLIER, DCC}, ("13.1",),
         note="the Supplier, or the DCC recording what it received"),
    _row("DmcSelection.discuss_proposal", {DCC}, ("13.3",)),
    _row("DmcSelection.select", {DCC}, ("13.3", "13.4")),
    _row("DmcSelection.consult_tag_on_deselection", {DCC}, ("13.5",)),
    _row("DmcSelection.deselect", {DCC}, ("13.5", "13.6")),
    _row("DmcSelection.record_sos_instruction", {SOS}, ("13.7",), behalf=True),
    _row("DmcSelection.record_sos_determination", {SOS}, ("13.7", "13.8"), behalf=True),
    _row("DmcSelection.recommend_alternative", {DCC}, ("13.9",)),
    _row("DmcSelection.choose_device_models", {DCC}, ("13.10", "13.11", "13.12")),
    _row("DmctDmc.receive_submission", {SUPPLIER, DCC}, ("20.2", "20.3"),
         note="the Supplier, or the DCC recording what it received"),
    _row("DmctDmc.record_submission", {SUPPLIER, DCC}, ("20.2", "20.3", "20.25(b)", "20.25(c)")),
    _row("DmctDmc.seek_data", {DCC}, ("20.4",)),
    _row("DmctDmc.record_data_sourced", {DCC}, ("20.4",)),
    _row("DmctDmc.exclude_data_unavailable", {DCC}, ("20.5",)),
    _row("DmctDmc.begin_assessment", {DCC}, ("20.6",)),
    _row("DmctDmc.record_assessment", {DCC}, ("20.6",)),
    _row("DmctDmc.seek_non_economic_views", {DCC}, ("20.7",)),
    _row("DmctDmc.propose_non_economic", {DCC}, ("20.6(f)", "20.7")),
    _row("DmctDmc.record_sos_non_economic_decision", {SOS}, ("20.7",), behalf=True),
    _row("DmctDmc.notify_exclusion", {DCC}, ("20.11",)),
    _row("DmctDmc.record_supplier_disagreement", {SUPPLIER, DCC}, ("20.12",)),
    _row("DmctDmc.refer_timescale_dispute", {DCC}, ("20.12(b)",)),
    _row("DmctDmc.record_sos_timescale_decision", {SOS}, ("20.12(b)",), behalf=True),
    _row("DmctDmc.schedule_entries", {DCC}, ("20.9", "20.12(a)")),
    _row("DmctDmc.refer_forced_inclusion", {DCC}, ("20.12A",)),
    _row("DmctDmc.record_sos_forced_inclusion_decision", {SOS}, ("20.12A",), behalf=True),
    _row("DmctDmc.record_device_change_exclusion", {DCC}, ("20.25",)),
    _row("DmctDmc.relieve_insufficient_devices", {DCC}, ("20.19",)),
    _row("DmctEntry.schedule", {DCC}, ("20.9", "20.10")),
    _row("DmctEntry.plan_on_equivalence", {DCC}, ("20.6(d)", "20.41")),
    _row("DmctEntry.reschedule", {DCC}, ("20.9",)),
    _row("DmctEntry.revise_dates", {DCC}, ("20.9", "20.22")),
    _row("DmctEntry.remove_from_schedule", {DCC}, ("20.12A", "20.41")),
    _row("DmctEntry.record_dormant_suffices", {DCC}, ("20.9",)),
    _row("DmctEntry.notify_mtad_route", {DCC}, ("20.14",)),
    _row("DmctEntry.record_tab_mt_completion", {TAB}, ("20.14",), behalf=True),
    _row("DmctEntry.record_panel_mt_determination", {PANEL}, ("20.32(c)", "20.33(a)(iv)"), behalf=True),
    _row("DmctEntry.start_testing", {DCC}, ("20.13", "20.14", "20.18")),
    _row("DmctEntry.record_execution", {DCC}, ("20.13", "20.15")),
    _row("DmctEntry.pause", {DCC}, ("20.21",)),
    _row("DmctEntry.recommence", {DCC}, ("20.21",)),
    _row("DmctEntry.record_insufficient_devices", {DCC}, ("20.19",)),
    _row("DmctEntry.record_testing_issue", {DCC}, ("20.20",)),
    _row("DmctEntry.recommend_option", {DCC}, ("20.20",)),
    _row("DmctEntry.announce_option_a_path", {DCC}, ("20.22",)),
    _row("DmctEntry.record_sos_direction_otherwise", {SOS}, ("20.22(b)",), behalf=True),
    _row("DmctEntry.record_internal_change_progressed", {DCC}, ("20.22",)),
    _row("DmctEntry.record_sos_consultation_opinion", {SOS}, ("20.23",), behalf=True),
    _row("DmctEntry.record_option_b_approach", {TAG, SOS}, ("20.23", "20.24"), behalf=True),
    _row("DmctEntry.record_sos_option_c_decision", {SOS}, ("20.25", "20.26"), behalf=True),
    _row("DmctEntry.record_sos_option_d_indication", {SOS}, ("20.27",), behalf=True),
    _row("DmctEntry.record_code_change_progressed", {DCC}, ("20.20(d)",)),
    _row("DmctEntry.record_sos_blocking_defect_agreement", {SOS}, ("20.33(b)",), behalf=True),
    _row("DmctEntry.complete_testing", {DCC}, ("20.31", "20.32", "20.33")),
    _row("DmctEntry.produce_draft_report", {DCC}, ("20.34", "20.35")),
    _row("DmctEntry.submit_issues_to_tag", {DCC}, ("20.29(b)", "20.30")),
    _row("DmctEntry.provide_draft_report", {DCC}, ("20.36",)),
    _row("DmctEntry.record_supplier_no_referral", {SUPPLIER, DCC}, ("20.39(a)",)),
    _row("DmctEntry.record_supplier_referral", {SUPPLIER, DCC}, ("20.37",)),
    _row("DmctEntry.record_tag_different_determination", {TAG}, ("20.38",), behalf=True),
    _row("DmctEntry.record_tag_review_concluded", {TAG}, ("20.38", "20.39"), behalf=True),
    _row("DmctEntry.elect_continue_testing", {DCC}, ("20.38(c)",)),
    _row("DmctEntry.refer_report_to_sos", {DCC}, ("20.38(d)",)),
    _row("DmctEntry.deem_final", {DCC}, ("20.39",)),
    _row("DmctEntry.record_sos_report_determination", {SOS}, ("20.40",), behalf=True),
    _row("DmctEntry.await_relied_report", {DCC}, ("20.41",)),
    _row("DmctEntry.produce_epcl_report", {DCC}, ("20.41", "20.42")),
    _row("DmctEntry.publish_epcl_report", {DCC}, ("20.43",)),
    _row("DmctSchedule.open", {DCC}, ("20.9",)),
    _row("DmctSchedule.publish", {DCC}, ("20.9", "20.10", "20.12", "20.12A", "20.22")),
    _row("DmctSchedule.record_distribution", {DCC}, ("20.10",)),
    _row("DmctTestPack.propose", {DCC}, ("20.15", "20.16", "20.17")),
    _row("DmctTestPack.revise", {DCC}, ("20.16", "20.17")),
    _row("DmctTestPack.record_tag_decision", {TAG}, ("20.16", "20.17"), behalf=True),
    _row("DmctTestPack.refer_to_sos", {DCC}, ("20.16", "20.17")),
    _row("DmctTestPack.record_sos_determination", {SOS}, ("20.16", "20.17"), behalf=True),
    _row("DmctEnvironmentConsent.propose", {DCC}, ("20.18",)),
    _row("DmctEnvironmentConsent.record_tag_decision", {TAG}, ("20.18",), behalf=True),
    _row("Matter.raise_matter", _RAISERS, _ROUTE_CLAUSES, note="per route: raised_by"),
    _row("Matter.refer", _REFERRERS, _ROUTE_CLAUSES, note="per route: referred_by"),
    _row("Matter.determine", _DECIDERS, _ROUTE_CLAUSES, behalf=True, note="per route: decided_by"),
    _row("Matter.withdraw", _RAISERS, _ROUTE_CLAUSES, note="the raiser withdraws (20.39(a))"),
    _row("Document.record", _PRODUCERS, ("9.1", "9.4", "9.5", "9.7", "19.4", "19.5"), behalf=True,
         note="per document type: produced_by"),
    _row("Document.revise", _PRODUCERS, ("9.7", "20.40"), behalf=True, note="per type: produced_by"),
    _row("Document.record_redaction", {DCC, PANEL}, ("13.18(b)", "13.20"), behalf=True),
    _row("Document.publish", {DCC}, ("9.8", "13.20", "20.10", "20.43")),
    _row("Notice.give", _GIVERS, ("4.3", "13.6", "13.18", "20.11"), behalf=True,
         note="per notice type: produced_by"),
)

PERMISSIONS: dict[str, Permission] = {row.command: row for row in _ROWS}
_TYPED_COMMANDS: dict[str, dict[str, TypeRow]] = {
    "Document.record": {k.value: v for k, v in DOCUMENT_TYPES.items()},
    "Document.revise": {k.value: v for k, v in DOCUMENT_TYPES.items()},
    "Notice.give": {k.value: v for k, v in NOTICE_TYPES.items()},
}
_OWN_REPORTS_ONLY = frozenset({AUDITOR})  # may record documents only of types naming it (§19)


def _deny(role: str, command: str, reason: str, field: str = "principal") -> PermissionDeniedError:
    return PermissionDeniedError(role, command, reason, field=field)


def _role(value: Role | str, role: str, command: str, field: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise _deny(role, command, f"{field} {value!r} is not a role", field) from None


def authorise(
    role: Role | str, command: str, on_behalf_of: Role | str | None = None,
    evidence_sha256: str | None = None, *, document_type: str | None = None,
) -> None:
    """Return if ``role`` may issue ``command`` (recording for ``on_behalf_of``, with
    ``evidence_sha256``); ``document_type`` names the document or notice type of ``Document.*``
    and ``Notice.give``. Raises ``PermissionDeniedError`` naming the role, the command and why:
    unknown command or role; role not in the row; a decision on another body's behalf not
    recorded by the DCC, for a body the row does not name, or without a SHA-256."""
    who = _role(role, str(role), command, "role")
    row = PERMISSIONS.get(command)
    if row is None:
        raise _deny(who.value, command, "no such command in the permission table")
    acting = who
    if on_behalf_of is not None and on_behalf_of != who:
        acting = _authorise_behalf(who, row, on_behalf_of, evidence_sha256)
    elif who not in row.roles:
        allowed = ", ".join(sorted(r.value for r in row.roles)) or "nobody"
        raise _deny(who.value, command, f"only {allowed} ({', '.join(row.clauses) or row.note})")
    _authorise_type(who, acting, row, document_type)


def _authorise_behalf(who: Role, row: Permission, body: Role | str, sha256: str | None) -> Role:
    on_behalf = _role(body, who.value, row.command, "on_behalf_of")
    if who is not BEHALF_RECORDER:
        raise _deny(who.value, row.command, f"only the DCC records on {on_behalf.value}'s behalf")
    if on_behalf not in row.on_behalf_of:
        named = ", ".join(sorted(r.value for r in row.on_behalf_of)) or "no body"
        raise _deny(who.value, row.command, f"may be recorded on behalf of {named}, not {on_behalf.value}",
                    "on_behalf_of")
    if sha256 is None or not _SHA256_HEX.match(sha256):
        raise _deny(who.value, row.command,
                    f"a decision of the {on_behalf.value} needs the evidence document's SHA-256",
                    "evidence_sha256")
    return on_behalf


def _authorise_type(who: Role, acting: Role, row: Permission, document_type: str | None) -> None:
    types = _TYPED_COMMANDS.get(row.command)
    if types is None:
        return
    if document_type is None:
        if who in _OWN_REPORTS_ONLY:
            raise _deny(who.value, row.command, "records only its own reports: name the document type")
        return
    type_row = types.get(document_type)
    if type_row is None:
        raise _deny(who.value, row.command, f"{document_type!r} is not a document or notice type")
    producers = _expand(tuple(r for r in type_row.produced_by if isinstance(r, Role)))
    if acting not in producers:
        named = ", ".join(sorted(r.value for r in producers)) or "nobody named"
        raise _deny(who.value, row.command, f"{document_type} is produced by {named}")
