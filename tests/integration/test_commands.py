"""Every write goes through one path: principal, permission table, schema, acting role, context,
aggregate, one signed save; and when any step refuses, nothing is written (issue 3 items 5, 9, 10).
On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.catalogue import catalogue, json_schema
from ledger.commands.execute import bootstrap_admin, execute, execute_json
from ledger.context import RecordingContext
from ledger.errors import (
    CommandInputError,
    InvalidFieldError,
    LedgerError,
    PermissionDeniedError,
    UnknownPrincipalError,
    VersionConflictError,
)
from ledger.principals import PRINCIPAL_ROLES
from ledger.rules.permissions import PERMISSIONS, authorise
from ledger.rules.roles import Role
from ledger.testing_issues import TestingIssue

NOW = datetime.now(UTC) - timedelta(minutes=1)
H = "ab" * 32


def line(command: str, principal: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"command": command, "principal": principal, "occurred_at": NOW.isoformat(), "data": data, **extra}


def stored(ledger: AKLedger) -> int:
    with ledger.connect() as conn:
        count = conn.execute(select(func.count()).select_from(ledger.events_table)).scalar_one()
    assert isinstance(count, int)
    return count


@pytest.fixture
def staffed(ledger: AKLedger, actor: Actor) -> AKLedger:
    """A ledger with an admin and one principal per role, named after the role."""
    bootstrap_admin(ledger, "admin", "ledger operator", RecordingContext(actor, NOW))
    for role in PRINCIPAL_ROLES:
        if role is not Role.ADMIN:
            execute(ledger, line("Principal.add", "admin", {"name": role.value.replace("_", "-"),
                                                           "role": role.value, "organisation": role.value}))
    return ledger


def who(role: Role) -> str:
    return "admin" if role is Role.ADMIN else role.value.replace("_", "-")


def raise_issue(ledger: AKLedger, reference: str = "TI-1", principal: str = "dcc") -> None:
    execute(ledger, line("TestingIssue.raise_issue", principal, {
        "reference": reference, "summary": "alert not delivered", "phase_id": "SIT-IOC",
        "dmc_ids": ["DMC-1"], "epcl_entry_ids": [], "service_providers": ["S1SP"],
        "cause": "dcc_total_system", "environment": "test", "raised_by": principal,
        "security_impact": False}))


def test_the_catalogue_has_a_command_for_every_permission_row_and_a_schema_for_each() -> None:
    specs = catalogue()
    assert list(specs) == list(PERMISSIONS)
    assert all(spec.summary for spec in specs.values())
    schema = json_schema()
    refs = [one["$ref"] for one in schema["oneOf"]]
    assert len(refs) == len(specs)
    for ref in refs:
        definition = schema["$defs"][ref.removeprefix("#/$defs/")]
        assert definition["additionalProperties"] is False
        assert definition["properties"]["command"]["const"] in specs


def test_every_role_may_issue_exactly_the_commands_the_table_gives_it_through_execute(
    staffed: AKLedger,
) -> None:
    """The permission matrix enforced on the write path: each principal role x each command. An
    allowed command gets past authorisation to the schema (where empty data is refused, unless the
    command takes none); a denied one writes nothing."""
    before = stored(staffed)
    wrong, recorded = [], 0
    for role in PRINCIPAL_ROLES:
        for command in PERMISSIONS:
            try:
                authorise(role, command)
            except PermissionDeniedError:
                expected: type[LedgerError] = PermissionDeniedError
            else:
                expected = CommandInputError
            try:
                done = execute(staffed, line(command, who(role), {}))
            except LedgerError as exc:
                if type(exc) is not expected:
                    wrong.append((role.value, command, type(exc).__name__, str(exc)))
            else:  # a command with no data (DmctSchedule.open) is recorded: it was allowed
                if expected is PermissionDeniedError:
                    wrong.append((role.value, command, "recorded", ""))
                recorded += len(done.appended)
    assert wrong == []
    assert stored(staffed) == before + recorded


@pytest.mark.parametrize("body", ["tag", "tab", "panel", "sos"])
def test_only_the_dcc_records_a_body_decision_and_only_with_the_evidence_hash(
    staffed: AKLedger, body: str
) -> None:
    raise_issue(staffed)
    issue = {"target": {"reference": "TI-1"}}
    execute(staffed, line("TestingIssue.determine_severity", "dcc", {**issue, "severity": 3}))
    execute(staffed, line("TestingIssue.refer_severity_dispute", "supplier", {
        **issue, "disputed_by": "supplier", "proposed_severity": 2, "could_affect_exit_of": []}))
    before = stored(staffed)
    decision = {**issue, "severity": 2}
    command = "TestingIssue.record_tag_severity_determination"
    with pytest.raises(PermissionDeniedError, match="only the DCC records"):
        execute(staffed, line(command, "supplier", decision, on_behalf_of=body, evidence_sha256=H))
    with pytest.raises(PermissionDeniedError, match="needs the evidence" if body == "tag" else f"not {body}"):
        execute(staffed, line(command, "dcc", decision, on_behalf_of=body))
    if body != "tag":
        with pytest.raises(PermissionDeniedError, match=f"not {body}"):
            execute(staffed, line(command, "dcc", decision, on_behalf_of=body, evidence_sha256=H))
    assert stored(staffed) == before
    if body == "tag":
        execute(staffed, line(command, "dcc", decision, on_behalf_of="tag", evidence_sha256=H))
        found: object = staffed.repository.get(TestingIssue.create_id("TI-1"))
        assert isinstance(found, TestingIssue)
        assert found.effective_severity == 2


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"command": "TestingIssue.close_all"}, CommandInputError, "command"),
        ({"principal": "nobody"}, UnknownPrincipalError, "principal"),
        ({"occurred_at": (NOW + timedelta(hours=1)).isoformat()}, InvalidFieldError, "occurred_at"),
        ({"occurred_at": "2026-01-01T09:00:00"}, CommandInputError, "occurred_at"),
        ({"clauses": ["thirteen"]}, InvalidFieldError, "clauses"),
        ({"data": {"target": {"reference": "TI-1"}, "severity": "2"}}, CommandInputError, "data.severity"),
        ({"data": {"target": {"reference": "TI-1"}, "severity": 9}}, InvalidFieldError, "data.severity"),
        ({"data": {"target": {"reference": "TI-1"}}}, CommandInputError, "data.severity"),
        ({"data": {"target": {"reference": "TI-1"}, "severity": 2, "sev": 3}}, CommandInputError, "data.sev"),
        ({"data": {"target": {"reference": "TI-404"}, "severity": 2}}, InvalidFieldError, "data.target"),
        ({"data": {"target": {"ref": "TI-1"}, "severity": 2}}, CommandInputError, "data.target.reference"),
        ({"principal": "supplier"}, PermissionDeniedError, None),
    ],
)
def test_a_refused_command_names_the_field_and_writes_nothing(
    staffed: AKLedger, change: dict[str, Any], error: type[LedgerError], field: str | None
) -> None:
    raise_issue(staffed)
    before = stored(staffed)
    command = line("TestingIssue.determine_severity", "dcc", {"target": {"reference": "TI-1"}, "severity": 2})
    with pytest.raises(error) as refused:
        execute(staffed, {**command, **change})
    if field is not None:
        assert getattr(refused.value, "field", None) == field, refused.value
        assert str(refused.value).startswith(field)
    assert stored(staffed) == before
    execute(staffed, command)  # and the same command, sound, is recorded
    assert stored(staffed) == before + 1


def test_a_disabled_principal_records_nothing(staffed: AKLedger) -> None:
    execute(staffed, line("Principal.disable", "admin", {"target": {"name": "dcc"}, "reason": "left"}))
    before = stored(staffed)
    with pytest.raises(PermissionDeniedError, match="disabled"):
        raise_issue(staffed)
    assert stored(staffed) == before


def test_the_data_names_the_role_the_command_is_recorded_as(staffed: AKLedger) -> None:
    matter = {"reference": "R9-1", "route_id": "R9", "raised_by": "supplier",
              "trigger_on": NOW.date().isoformat(), "subjects": [{"kind": "dmc", "id": "DMC-9"}]}
    with pytest.raises(PermissionDeniedError, match=r"data\.raised_by is supplier"):
        execute(staffed, line("Matter.raise_matter", "dcc", matter))
    execute(staffed, line("Matter.raise_matter", "supplier", matter))
    with pytest.raises(InvalidFieldError) as duplicate:
        execute(staffed, line("Matter.raise_matter", "supplier", matter))
    assert duplicate.value.field == "data.reference"
    referral = {"target": {"reference": "R9-1"}, "to": "sos", "referred_by": "supplier"}
    execute(staffed, line("Matter.refer", "supplier", referral))
    determination = {"target": {"reference": "R9-1"}, "determined_by": "sos", "outcome": "selection stands"}
    with pytest.raises(PermissionDeniedError, match="records as dcc"):
        execute(staffed, line("Matter.determine", "dcc", determination))
    execute(staffed, line("Matter.determine", "dcc", determination, on_behalf_of="sos", evidence_sha256=H))


def test_an_imported_command_records_its_principal_and_the_operator_it_came_through(
    staffed: AKLedger,
) -> None:
    done = execute(staffed, line("Note.record", "sit-auditor", {"text": "heatmap reviewed"}), via="admin")
    (appended,) = done.appended
    event = staffed.events.get(appended.originator_id)
    (note,) = list(event)
    assert note.actor == {  # type: ignore[attr-defined]
        "principal": "sit-auditor", "role": "sit_auditor", "organisation": "sit_auditor", "via": "admin"}


def test_a_revision_saves_both_documents_in_one_command(staffed: AKLedger) -> None:
    record = {"reference": "SIT-CR", "document_type": "sit_completion_report",
              "title": "SIT Completion Report", "document_version": "1.0", "sha256": "01" * 32,
              "issued_by": {"role": "dcc"}, "recipients": [{"role": "panel"}],
              "confidentiality": "restricted"}
    execute(staffed, line("Document.record", "dcc", record))
    revised = execute(staffed, line("Document.revise", "dcc", {
        "target": {"reference": "SIT-CR"}, "document_version": "1.1", "sha256": "02" * 32}))
    assert len(revised.aggregate_ids) == 2
    assert [a.topic.rsplit(".", 1)[1] for a in revised.appended] == ["DocumentSuperseded", "DocumentRecorded"]
    with pytest.raises(PermissionDeniedError, match="sit_completion_report is produced by dcc"):
        execute(staffed, line("Document.record", "sit-auditor", {**record, "reference": "X"}))


def test_if_match_refuses_a_stale_version_and_alongside_commits_with_the_events(staffed: AKLedger) -> None:
    raise_issue(staffed)
    before = stored(staffed)
    severity = line("TestingIssue.determine_severity", "dcc",
                    {"target": {"reference": "TI-1"}, "severity": 2})
    with pytest.raises(VersionConflictError) as stale:
        execute_json(staffed, json.dumps(severity), expected_version=7)
    assert (stale.value.field, stale.value.actual) == ("If-Match", 1)
    assert stored(staffed) == before

    def fails(session: object, done: object) -> None:
        raise RuntimeError("the idempotency record could not be written")

    with pytest.raises(RuntimeError):
        execute_json(staffed, json.dumps(severity), expected_version=1, alongside=fails)
    assert stored(staffed) == before  # the events rolled back with it
    seen: list[int] = []
    done = execute_json(staffed, json.dumps(severity), expected_version=1,
                        alongside=lambda session, done: seen.append(len(done.appended)))
    assert seen == [1]
    assert stored(staffed) == before + len(done.appended)


@pytest.mark.parametrize("text", ["{", "[]", "[" * 100_000, '"a"', "\ud800"])
def test_a_line_that_is_not_a_json_object_is_refused_naming_the_line(staffed: AKLedger, text: str) -> None:
    before = stored(staffed)
    with pytest.raises(CommandInputError) as refused:
        execute_json(staffed, text)
    assert refused.value.field == "(line)"
    assert stored(staffed) == before
