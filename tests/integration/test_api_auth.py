"""Bearer tokens and the permission table over HTTP (issue 6 items 1 and 6), on both databases.

Without a valid token a command is 401 with a Bearer challenge; a role the permission table
does not name is 403; an allowed role gets past both; and nothing is written on a 401 or 403.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from api.cli_tokens import revoke_token, token
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import bootstrap_admin
from ledger.context import RecordingContext
from ledger.errors import InvalidFieldError, PermissionDeniedError
from ledger.principals import PRINCIPAL_ROLES
from ledger.rules.permissions import authorise
from ledger.rules.roles import Role
from tests.integration import test_api_support as support
from tests.integration.test_api_support import EARLIER, Staff, as_admin, note, raise_issue, who

H = "ab" * 32


@pytest.fixture
def staff(ledger: AKLedger, actor: Actor) -> Staff:
    return support.staff(ledger, actor)


def assert_problem(response: httpx.Response, status: int, field: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["detail"].startswith(f"{field}: ") or field in body["detail"], body
    return body


def test_a_command_without_a_valid_token_is_401_with_a_bearer_challenge_and_writes_nothing(
    staff: Staff,
) -> None:
    client, before = staff.client(), staff.stored()
    good = staff.tokens["dcc"]
    forged = good.token[:-4] + ("AAAA" if not good.token.endswith("AAAA") else "BBBB")
    unknown = good.token.replace("akl_dcc_", "akl_nobody_", 1)
    refused = {
        "no header": {},
        "another scheme": {"Authorization": f"Basic {good.token}"},
        "not a token": {"Authorization": "Bearer hunter2"},
        "a forged secret": {"Authorization": f"Bearer {forged}"},
        "an unknown principal": {"Authorization": f"Bearer {unknown}"},
    }
    for case, headers in refused.items():
        response = client.post("/commands/Note.record", json=note(case), headers=headers)
        assert_problem(response, 401, "Authorization")
        assert response.headers["www-authenticate"].startswith("Bearer"), case
        assert good.token not in response.text
    assert staff.stored() == before


def test_a_revoked_token_is_401_and_the_principals_other_tokens_still_work(staff: Staff) -> None:
    client = staff.client()
    second = support.issue_token(staff.ledger, "dcc")
    first = staff.tokens["dcc"]
    as_admin(staff.ledger, "Principal.revoke_token", {"target": {"name": "dcc"}, "token_id": first.token_id})
    revoked = client.post("/commands/Note.record", json=note(),
                          headers={"Authorization": f"Bearer {first.token}"})
    assert_problem(revoked, 401, "Authorization")
    assert 'error="invalid_token"' in revoked.headers["www-authenticate"]
    kept = client.post("/commands/Note.record", json=note(),
                       headers={"Authorization": f"Bearer {second.token}"})
    assert kept.status_code == 201, kept.text


def test_a_disabled_principals_token_is_403_and_writes_nothing(staff: Staff) -> None:
    as_admin(staff.ledger, "Principal.disable",
             {"target": {"name": "supplier"}, "reason": "left the programme"})
    before = staff.stored()
    response = staff.client().post("/commands/Note.record", json=note(), headers=staff.bearer(Role.SUPPLIER))
    assert "disabled" in assert_problem(response, 403, "principal")["detail"]
    assert staff.stored() == before


def test_the_command_is_recorded_as_the_tokens_principal_whatever_the_body_says(staff: Staff) -> None:
    body = {**note("recorded by the supplier"), "principal": "admin"}
    response = staff.client().post("/commands/Note.record", json=body, headers=staff.bearer(Role.SUPPLIER))
    assert response.status_code == 201, response.text
    assert response.json()["principal"] == "supplier"
    recorded: Any = staff.ledger.repository.get(response.json()["aggregate_id"])
    assert (recorded.actor["principal"], recorded.actor["role"]) == ("supplier", "supplier")


def test_the_ledger_holds_only_each_tokens_sha256(staff: Staff) -> None:
    with staff.ledger.connect() as conn:
        states = b"".join(bytes(s) for s in conn.execute(select(staff.ledger.events_table.c.state)).scalars())
    for issued in staff.tokens.values():
        assert issued.token.encode() not in states
        assert issued.token[-43:].encode() not in states  # the secret
        assert issued.sha256.encode() in states


def test_a_token_id_is_issued_once_only_as_a_sha256_and_never_to_a_disabled_principal(staff: Staff) -> None:
    issued = staff.tokens["dcc"]
    refused = [
        ({"token_id": issued.token_id, "token_sha256": H}, "data.token_id"),  # issued already
        ({"token_id": "Not-Hex", "token_sha256": H}, "data.token_id"),
        ({"token_id": "0123456789abcdef", "token_sha256": issued.token}, "data.token_sha256"),
    ]
    before = staff.stored()
    for data, field in refused:
        with pytest.raises(InvalidFieldError) as caught:
            as_admin(staff.ledger, "Principal.issue_token", {"target": {"name": "dcc"}, **data})
        assert caught.value.field == field
    as_admin(staff.ledger, "Principal.revoke_token", {"target": {"name": "dcc"}, "token_id": issued.token_id})
    with pytest.raises(InvalidFieldError, match="issued already"):  # a revoked id is not reissued
        as_admin(staff.ledger, "Principal.issue_token",
                 {"target": {"name": "dcc"}, "token_id": issued.token_id, "token_sha256": H})
    as_admin(staff.ledger, "Principal.disable", {"target": {"name": "tag"}, "reason": "replaced"})
    with pytest.raises(InvalidFieldError) as disabled:
        support.issue_token(staff.ledger, "tag")
    assert disabled.value.field == "status"
    assert staff.stored() == before + 2


# (command, body) x every role: the roles the permission table names get past authentication and
# authorisation (201, or 404/422 on data a role's turn does not make sense for); the others, 403.
def _samples() -> dict[str, dict[str, Any]]:
    target = {"reference": "TI-404"}
    return {
        "Note.record": note(),
        "Principal.add": {"occurred_at": EARLIER, "data": {"name": "newcomer", "role": "tag",
                                                            "organisation": "TAG"}},
        "CapabilityRelease.record": {"occurred_at": EARLIER, "data": {"capability": "moc"}},
        "TestingIssue.raise_issue": raise_issue("TI-{who}", "{who}"),
        "TestingIssue.determine_severity": {
            "occurred_at": EARLIER, "data": {"target": target, "severity": 2}},
        "TestingIssue.record_tag_severity_determination": {
            "occurred_at": EARLIER, "data": {"target": target, "severity": 3}},
        "TestPhase.revoke_tcc": {"occurred_at": EARLIER, "data": {
            "target": {"id": "00000000-0000-4000-8000-000000000000"}, "certificate_id": "TCC-1",
            "revoked_by": "tab"}},
    }


def _allowed(role: Role, command: str) -> bool:
    try:
        authorise(role, command)
    except PermissionDeniedError:
        return False
    return True


def test_each_sampled_command_is_refused_to_every_role_the_permission_table_does_not_name(
    staff: Staff,
) -> None:
    client, wrong = staff.client(), []
    for command, template in _samples().items():
        for role in PRINCIPAL_ROLES:
            body = json.loads(json.dumps(template).replace("{who}", who(role)))
            if command == "Principal.add":
                body["data"]["name"] = f"new-{who(role)}"
            before = staff.stored()
            response = client.post(f"/commands/{command}", json=body, headers=staff.bearer(role))
            status, after = response.status_code, staff.stored()
            if _allowed(role, command):
                ok = status in {201, 404} and (status == 201) == (after > before)
            else:
                ok = status == 403 and response.json()["detail"].startswith("principal: ") and after == before
            if not ok:
                wrong.append((command, role.value, status, response.text[:200]))
            unauthenticated = client.post(f"/commands/{command}", json=body)
            if unauthenticated.status_code != 401 or staff.stored() != after:
                wrong.append((command, role.value, "no token", unauthenticated.status_code))
    assert wrong == []


def test_akledger_principals_token_prints_a_token_the_api_accepts_until_revoked(
    ledger: AKLedger, actor: Actor, env: dict[str, str]
) -> None:
    operator = env["AKLEDGER_ACTOR"]
    bootstrap_admin(ledger, operator, "ledger operator", RecordingContext(actor, datetime.now(UTC)))
    cli = typer.Typer()
    cli.command("token")(token)
    cli.command("revoke-token")(revoke_token)
    runner = CliRunner()
    issued = runner.invoke(cli, ["token", operator], env=env)
    assert issued.exit_code == 0, issued.output
    printed = issued.stdout.strip()
    assert printed.startswith(f"akl_{operator}_")
    client = Staff(ledger).client()
    headers = {"Authorization": f"Bearer {printed}"}
    assert client.post("/commands/Note.record", json=note(), headers=headers).status_code == 201

    token_id = printed.split("_")[2]
    revoked = runner.invoke(cli, ["revoke-token", operator, token_id], env=env)
    assert revoked.exit_code == 0, revoked.output
    assert json.loads(revoked.stdout)["revoked"] == token_id
    assert client.post("/commands/Note.record", json=note(), headers=headers).status_code == 401
    again = runner.invoke(cli, ["revoke-token", operator, token_id], env=env)
    assert again.exit_code == 1
    assert "revoked already" in again.output
    assert runner.invoke(cli, ["token", "nobody"], env=env).exit_code == 2
