"""The permission matrix: every role x every command, and the special rules of issue 3 item 5."""

from __future__ import annotations

import importlib
import inspect

import pytest

from ledger.errors import PermissionDeniedError
from ledger.rules.permissions import DECIDING_BODIES, PERMISSIONS, authorise
from ledger.rules.roles import Role

H = "ab" * 32
MODULES = {
    "Principal": "ledger.principals", "Note": "ledger.notes",
    "CapabilityRelease": "ledger.capability_releases", "TestPhase": "ledger.phases",
    "TestingIssue": "ledger.testing_issues", "Matter": "ledger.matters",
    "Document": "ledger.documents", "Notice": "ledger.notices",
    "Requirement": "ledger.requirements", "TestScenario": "ledger.test_scenarios",
    "PlannedTest": "ledger.planned_tests", "WorkOffPlan": "ledger.work_off_plans",
    "DmcSelection": "ledger.dmc_selection", "Ttm": "ledger.ttm",
    "CycleRuns": "ledger.cycle_runs", "DmctSchedule": "ledger.dmct.schedule",
    "DmctTestPack": "ledger.dmct.test_packs", "DmctDmc": "ledger.dmct.dmc", "DmctEntry": "ledger.dmct.entry",
    "DmctEnvironmentConsent": "ledger.dmct.test_packs",
}
NOT_COMMANDS = {"create_id", "label", "event_id", "as_json", "row", "acts_of", "exclusion",
                "is_excluded", "counts_for", "blocks_exit_of", "latest_execution", "run_id",
                "publication", "agreed_as_of"}
DECISIONS = sorted(c for c, row in PERMISSIONS.items() if row.on_behalf_of and row.roles <= DECIDING_BODIES)


def allowed(role: Role, command: str, **kwargs: str) -> bool:
    try:
        authorise(role, command, **kwargs)
    except PermissionDeniedError as exc:
        denied = exc
    else:
        return True
    assert denied.role == role.value
    assert denied.command == command
    return False


@pytest.mark.parametrize("command", sorted(PERMISSIONS))
@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_issue_exactly_the_commands_its_row_names(role: Role, command: str) -> None:
    # The SIT Auditor's Document rows need the document type (its own reports only, §19).
    expected = command == "Note.record" if role is Role.SIT_AUDITOR else role in PERMISSIONS[command].roles
    assert allowed(role, command) is expected


@pytest.mark.parametrize("command", sorted(PERMISSIONS))
def test_every_row_cites_a_clause_or_says_why_not(command: str) -> None:
    row = PERMISSIONS[command]
    assert row.clauses or row.note


@pytest.mark.parametrize("command", sorted(PERMISSIONS))
def test_every_command_is_a_method_of_its_aggregate(command: str) -> None:
    aggregate, method = command.split(".")
    cls = getattr(importlib.import_module(MODULES[aggregate]), aggregate)
    assert callable(getattr(cls, method, None)) or (command == "Note.record")


@pytest.mark.parametrize("aggregate", sorted(MODULES))
def test_every_public_command_of_an_aggregate_is_in_the_table(aggregate: str) -> None:
    cls = getattr(importlib.import_module(MODULES[aggregate]), aggregate)
    methods = {n for n, v in vars(cls).items() if not n.startswith("_") and n not in NOT_COMMANDS
               and (inspect.isfunction(v) or isinstance(v, classmethod))}
    missing = {f"{aggregate}.{m}" for m in methods} - set(PERMISSIONS)
    assert not missing


def test_the_sit_auditor_records_only_notes_and_its_own_reports() -> None:
    auditor = Role.SIT_AUDITOR
    assert [c for c in PERMISSIONS if allowed(auditor, c)] == ["Note.record"]
    assert allowed(auditor, "Document.record", document_type="sit_auditor_report")
    assert allowed(auditor, "Document.record", document_type="sit_auditor_interim_opinion")
    assert not allowed(auditor, "Document.record", document_type="dcc_assurance_report")
    assert not allowed(auditor, "Notice.give", document_type="sit_auditor_identity")


def test_admin_manages_principals_and_records_nothing_but_notes() -> None:
    assert {c for c in PERMISSIONS if allowed(Role.ADMIN, c)} == {
        "Principal.add", "Principal.disable", "Principal.change_role", "Note.record",
        "Principal.issue_token", "Principal.revoke_token"}
    assert not any(allowed(r, "Principal.add") for r in Role if r is not Role.ADMIN)


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.DCC_SERVICE_PROVIDER])
def test_testing_participants_raise_issues_and_refer_severity_disputes(role: Role) -> None:
    assert allowed(role, "TestingIssue.raise_issue")
    assert allowed(role, "TestingIssue.refer_severity_dispute")  # §14.2
    assert not allowed(role, "TestingIssue.determine_severity")
    assert not allowed(role, "TestingIssue.record_tag_severity_determination")


def test_suppliers_raise_the_referrals_their_routes_give_them() -> None:
    assert allowed(Role.SUPPLIER, "Matter.raise_matter")  # e.g. R36, §20.37
    assert not allowed(Role.AUTHORITY, "Matter.raise_matter")


@pytest.mark.parametrize("command", DECISIONS)
def test_the_dcc_records_a_bodys_decision_only_on_its_behalf_with_evidence(command: str) -> None:
    body = sorted(PERMISSIONS[command].on_behalf_of)[0]
    assert not allowed(Role.DCC, command)
    assert allowed(Role.DCC, command, on_behalf_of=body, evidence_sha256=H)
    assert not allowed(Role.DCC, command, on_behalf_of=body)
    assert not allowed(Role.DCC, command, on_behalf_of=body, evidence_sha256="not-a-hash")
    others = DECIDING_BODIES - PERMISSIONS[command].on_behalf_of
    assert not any(allowed(Role.DCC, command, on_behalf_of=o, evidence_sha256=H) for o in others)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.DCC])
def test_nobody_but_the_dcc_records_on_another_bodys_behalf(role: Role) -> None:
    body = Role.TAG if role is not Role.TAG else Role.SOS
    command = ("TestingIssue.record_tag_severity_determination" if body is Role.TAG
               else "TestingIssue.record_sos_exclusion_determination")
    assert not allowed(role, command, on_behalf_of=body, evidence_sha256=H)


def test_a_body_recording_its_own_decision_needs_no_evidence_hash() -> None:
    assert allowed(Role.TAG, "TestingIssue.record_tag_severity_determination", on_behalf_of=Role.TAG)


def test_an_unknown_command_or_role_is_denied_by_name() -> None:
    with pytest.raises(PermissionDeniedError, match=r"dcc may not TestingIssue\.explode"):
        authorise(Role.DCC, "TestingIssue.explode")
    with pytest.raises(PermissionDeniedError, match="'ofcom' is not a role"):
        authorise("ofcom", "Note.record")
    with pytest.raises(PermissionDeniedError, match="'dmct' is not a document or notice type"):
        authorise(Role.DCC, "Document.record", document_type="dmct")
