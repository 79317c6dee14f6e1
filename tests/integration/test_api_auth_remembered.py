"""Remembered tokens (issue 6 item 9): a token that authenticated is not replayed again while its
principal is unchanged, and any change of the principal (a token revoked, the principal
disabled), made through this app or through another instance on the same database (another
worker process), takes effect on the very next request. On both databases.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from api import auth
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import find_principal
from ledger.config import Settings
from ledger.rules.roles import Role
from ledger.store import open_ledger
from tests.integration import test_api_support as support
from tests.integration.test_api_support import Staff, as_admin, note


@pytest.fixture
def staff(ledger: AKLedger, actor: Actor) -> Staff:
    return support.staff(ledger, actor)


@pytest.fixture
def other(settings: Settings) -> Iterator[AKLedger]:
    """A second instance on the test's database, as another worker process has."""
    lg = open_ledger(settings)
    try:
        yield lg
    finally:
        lg.close()
        lg.engine.dispose()


def post(client: TestClient, headers: dict[str, str]) -> httpx.Response:
    response: httpx.Response = client.post("/commands/Note.record", json=note(), headers=headers)
    return response


def test_an_unchanged_principal_is_not_replayed_for_a_token_it_authenticated(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = staff.client()
    assert post(client, staff.bearer(Role.DCC)).status_code == 201
    replayed: list[str] = []

    def counted(lg: AKLedger, name: str) -> object:
        replayed.append(name)
        return find_principal(lg, name)

    monkeypatch.setattr(auth, "find_principal", counted)
    again = client.post("/commands/Note.record", json=note(), headers=staff.bearer(Role.DCC))
    assert again.status_code == 201, again.text
    assert replayed == []
    as_admin(staff.ledger, "Principal.revoke_token",
             {"target": {"name": "dcc"}, "token_id": staff.tokens["dcc"].token_id})
    assert post(client, staff.bearer(Role.DCC)).status_code == 401
    assert replayed == ["dcc"]  # the principal changed: replayed afresh


def test_a_token_revoked_by_another_instance_after_use_is_401_at_once(staff: Staff, other: AKLedger) -> None:
    client = staff.client()
    assert post(client, staff.bearer(Role.DCC)).status_code == 201
    as_admin(other, "Principal.revoke_token",
             {"target": {"name": "dcc"}, "token_id": staff.tokens["dcc"].token_id})
    before = staff.stored()
    refused = client.post("/commands/Note.record", json=note(), headers=staff.bearer(Role.DCC))
    assert refused.status_code == 401, refused.text
    assert staff.stored() == before


def test_a_principal_disabled_after_use_is_403_at_once_and_records_nothing(
    staff: Staff, other: AKLedger
) -> None:
    client = staff.client()
    headers = staff.bearer(Role.SUPPLIER)
    assert client.post("/commands/Note.record", json=note(), headers=headers).status_code == 201
    as_admin(other, "Principal.disable", {"target": {"name": "supplier"}, "reason": "left the programme"})
    before = staff.stored()
    refused = client.post("/commands/Note.record", json=note(), headers=headers)
    assert refused.status_code == 403, refused.text
    assert "disabled" in refused.json()["detail"]
    assert staff.stored() == before


def test_a_wrong_secret_for_a_remembered_token_id_is_401(staff: Staff) -> None:
    client = staff.client()
    good = staff.tokens["dcc"].token
    assert client.post("/commands/Note.record", json=note(),
                       headers={"Authorization": f"Bearer {good}"}).status_code == 201
    forged = good[:-1] + ("A" if good[-1] != "A" else "B")
    refused = client.post("/commands/Note.record", json=note(), headers={"Authorization": f"Bearer {forged}"})
    assert refused.status_code == 401, refused.text
