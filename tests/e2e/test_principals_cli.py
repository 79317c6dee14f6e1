"""`akledger principals` as a user runs it, on both databases: add, list, disable, and refusals."""

from __future__ import annotations

from tests.e2e.test_cli import as_json, one_line_error, run


def test_principals_are_added_listed_and_disabled_in_the_signed_ledger(env: dict[str, str]) -> None:
    assert "admin principal: tester" in run(env, "init").stdout  # the operator is the first admin
    added = as_json(run(env, "principals", "add", "acme-ops", "--role", "supplier", "--org",
                        "Acme Energy", "--display-name", "Acme operations"))
    assert added["principal"]["role"] == "supplier"
    assert [a["topic"].rsplit(".", 1)[1] for a in added["appended"]] == [  # one save
        "PrincipalEnlisted", "PrincipalAdded"]
    run(env, "principals", "add", "tag-secretariat", "--role", "tag", "--org", "SECAS")
    run(env, "principals", "disable", "acme-ops", "--reason", "left the programme")
    listed = as_json(run(env, "principals", "list", "--json"))["principals"]
    fields = ("name", "role", "organisation", "disabled", "disabled_reason")
    assert [tuple(p[f] for f in fields) for p in listed] == [
        ("tester", "admin", "ledger operator", False, None),
        ("acme-ops", "supplier", "Acme Energy", True, "left the programme"),
        ("tag-secretariat", "tag", "SECAS", False, None),
    ]
    assert "tag-secretariat" in run(env, "principals", "list").stdout
    run(env, "verify", "--full")


def test_bad_input_and_domain_refusals_exit_with_a_one_line_error(env: dict[str, str]) -> None:
    run(env, "init")
    bad_role = run(env, "principals", "add", "x", "--role", "ofgem", "--org", "O", code=2)
    assert "--role" in one_line_error(bad_role)
    assert "sit_auditor" in bad_role.stderr
    run(env, "principals", "add", "acme-ops", "--role", "supplier", "--org", "Acme")
    duplicate = run(env, "principals", "add", "acme-ops", "--role", "dcc", "--org", "DCC", code=1)
    assert "acme-ops" in one_line_error(duplicate)
    run(env, "principals", "disable", "acme-ops", "--reason", "left")
    twice = run(env, "principals", "disable", "acme-ops", "--reason", "left", code=1)
    assert "status" in one_line_error(twice)
    unknown = run(env, "principals", "disable", "nobody", "--reason", "x", code=2)
    assert "nobody" in one_line_error(unknown)
    listed = as_json(run(env, "principals", "list", "--json"))["principals"]
    assert [p["role"] for p in listed] == ["admin", "supplier"]


def test_only_an_admin_adds_or_disables_principals(env: dict[str, str]) -> None:
    run(env, "init")
    run(env, "principals", "add", "acme-ops", "--role", "supplier", "--org", "Acme")
    as_supplier = {**env, "AKLEDGER_ACTOR": "acme-ops"}
    denied = run(as_supplier, "principals", "add", "sneaky", "--role", "admin", "--org", "Acme", code=1)
    assert "supplier may not Principal.add" in one_line_error(denied)
    denied = run(as_supplier, "principals", "disable", "tester", "--reason", "coup", code=1)
    assert "supplier may not Principal.disable" in one_line_error(denied)
    stranger = run({**env, "AKLEDGER_ACTOR": "stranger"}, "note", "hello", code=2)
    assert "no principal named 'stranger'" in one_line_error(stranger)
    listed = as_json(run(env, "principals", "list", "--json"))["principals"]
    assert [(p["name"], p["disabled"]) for p in listed] == [("tester", False), ("acme-ops", False)]
