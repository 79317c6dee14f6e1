"""Principals and the principal directory, in memory: invariants accepted and rejected."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ledger.actors import Actor
from ledger.context import RecordingContext
from ledger.errors import InvalidPrincipalEventError
from ledger.principal_directory import DIRECTORY_ID, PrincipalDirectory
from ledger.principals import PRINCIPAL_ROLES, Principal, principal_id
from ledger.rules.roles import Role


def ctx() -> dict[str, Any]:
    return RecordingContext(Actor("admin-1", "admin", "DCC"), datetime.now(UTC)).fields()


def acme(role: Role | str = Role.SUPPLIER) -> Principal:
    return Principal.add("acme-ops", role, "Acme Energy", display_name="Acme operations", **ctx())


def test_the_principal_roles_are_the_ten_of_issue_3() -> None:
    assert [r.value for r in PRINCIPAL_ROLES] == [
        "dcc", "dcc_service_provider", "tag", "tab", "panel", "sos", "authority", "supplier",
        "sit_auditor", "admin"]


def test_an_added_principal_is_named_by_its_handle_and_records_its_role_and_organisation() -> None:
    p = acme("supplier")
    assert p.id == principal_id("acme-ops")
    assert (p.role, p.organisation, p.display_name, p.disabled) == (
        Role.SUPPLIER, "Acme Energy", "Acme operations", False)
    assert p.pending_events[0].__class__.__name__ == "PrincipalAdded"


@pytest.mark.parametrize(("field", "kwargs"), [
    ("name", {"name": "Acme Ops"}),
    ("name", {"name": ""}),
    ("role", {"role": "testing_participant"}),
    ("role", {"role": "ofgem"}),
    ("organisation", {"organisation": "  "}),
    ("display_name", {"display_name": ""}),
])
def test_a_malformed_principal_is_refused_naming_the_field(field: str, kwargs: dict[str, str]) -> None:
    args: dict[str, Any] = {"name": "acme-ops", "role": "supplier", "organisation": "Acme", **kwargs}
    with pytest.raises(InvalidPrincipalEventError) as caught:
        Principal.add(args.pop("name"), args.pop("role"), args.pop("organisation"), **args, **ctx())
    assert caught.value.field == field


def test_disabling_records_the_reason_and_disabling_twice_is_refused() -> None:
    p = acme()
    p.disable("left the programme", **ctx())
    assert (p.disabled, p.disabled_reason) == (True, "left the programme")
    with pytest.raises(InvalidPrincipalEventError, match="status: cannot disable principal 'acme-ops'"):
        p.disable("again", **ctx())
    assert len(p.pending_events) == 2


def test_disabling_needs_a_reason() -> None:
    with pytest.raises(InvalidPrincipalEventError, match="reason"):
        acme().disable(" ", **ctx())


def test_a_role_change_is_recorded_and_must_change_the_role_of_an_enabled_principal() -> None:
    p = acme()
    p.change_role(Role.DCC_SERVICE_PROVIDER, **ctx())
    assert p.role is Role.DCC_SERVICE_PROVIDER
    with pytest.raises(InvalidPrincipalEventError, match="already is dcc_service_provider"):
        p.change_role("dcc_service_provider", **ctx())
    p.disable("gone", **ctx())
    with pytest.raises(InvalidPrincipalEventError, match="status"):
        p.change_role("supplier", **ctx())


def test_the_directory_lists_principals_in_order_and_refuses_a_duplicate_add() -> None:
    directory = PrincipalDirectory.open(**ctx())
    assert directory.id == DIRECTORY_ID
    directory.enlist("acme-ops", str(principal_id("acme-ops")), **ctx())
    directory.enlist("tag-sec", str(principal_id("tag-sec")), **ctx())
    with pytest.raises(InvalidPrincipalEventError, match="name: principal 'acme-ops' already exists"):
        directory.enlist("acme-ops", str(principal_id("acme-ops")), **ctx())
    assert list(directory.principals) == ["acme-ops", "tag-sec"]
