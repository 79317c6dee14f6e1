"""`akledger import commands`, `akledger commands` and `akledger demo` as a user runs them, on both
databases: good lines recorded, each bad line named (line, field) and nothing written for it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ledger.demo import demo_commands
from tests.e2e.test_cli import as_json, assert_exit, b64, one_line_error, run, run_all

OPERATOR = "tester"  # AKLEDGER_ACTOR in the env fixture: `init` makes it the first admin
DCC, SUPPLIER = "dcc-ops", "acme-ops"
EVIDENCE = "ab" * 32
INIT_EVENTS = 4  # LedgerInitialised, then the operator as first admin (directory, enlisted, added)


class Lines:
    """A JSON Lines file being written: each line dated a minute after the last, in the past."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.when = datetime.now(UTC) - timedelta(days=1)

    def add(self, command: str, principal: str, data: dict[str, Any], **envelope: Any) -> int:
        """Append a command line; its line number."""
        self.when += timedelta(minutes=1)
        line = {"command": command, "principal": principal, "occurred_at": self.when.isoformat(),
                "data": data, **envelope}
        return self.raw(json.dumps(line))

    def raw(self, text: str) -> int:
        self.lines.append(text)
        return len(self.lines)

    def write(self, path: Path) -> Path:
        path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")
        return path


def issue(reference: str, **overrides: Any) -> dict[str, Any]:
    return {
        "reference": reference, "summary": "Tariff update rejected", "phase_id": "SIT-IOC",
        "dmc_ids": ["DMC-SEC-01"], "epcl_entry_ids": [], "service_providers": ["S1SP"],
        "cause": "dcc_total_system", "environment": "test", "raised_by": DCC,
        "security_impact": False, **overrides,
    }


def severity(reference: str, value: Any = 3, **extra: Any) -> dict[str, Any]:
    return {"target": {"reference": reference}, "severity": value, **extra}


def test_good_lines_are_recorded_and_each_rejected_line_is_named_with_nothing_written_for_it(
    env: dict[str, str], tmp_path: Path
) -> None:
    f = Lines()
    good: list[tuple[int, list[tuple[str, str]]]] = []  # line -> (event topic, actor) recorded
    bad: dict[int, str] = {}  # line -> the field named

    def ok(events: list[str], command: str, principal: str, data: dict[str, Any], **kw: Any) -> None:
        good.append((f.add(command, principal, data, **kw), [(e, principal) for e in events]))

    ok(["PrincipalEnlisted", "PrincipalAdded"], "Principal.add", OPERATOR,
       {"name": DCC, "role": "dcc", "organisation": "DCC"})
    ok(["PrincipalEnlisted", "PrincipalAdded"], "Principal.add", OPERATOR,
       {"name": SUPPLIER, "role": "supplier", "organisation": "Acme Energy"})
    ok(["TestingIssueRaised"], "TestingIssue.raise_issue", DCC, issue("TI-1"))
    bad[f.raw('{"command": "TestingIssue.raise_issue", ')] = "(line)"
    bad[f.add("TestingIssue.pounce", DCC, {"target": {"reference": "TI-1"}})] = "command"
    bad[f.add("TestingIssue.determine_severity", DCC, {"target": {"reference": "TI-1"}})] = (
        "data.severity")
    bad[f.add("TestingIssue.determine_severity", DCC, severity("TI-1", "3"))] = "data.severity"
    bad[f.add("TestingIssue.determine_severity", DCC, severity("TI-1", extra=1))] = "data.extra"
    future = f.add("TestingIssue.determine_severity", DCC, severity("TI-1"))
    f.lines[-1] = f.lines[-1].replace(
        f.when.isoformat(), (datetime.now(UTC) + timedelta(hours=1)).isoformat())
    bad[future] = "occurred_at"
    bad[f.add("TestingIssue.determine_severity", "nobody", severity("TI-1"))] = "principal"
    bad[f.add("TestingIssue.determine_severity", SUPPLIER, severity("TI-1"))] = "principal"
    blank = f.raw("")
    ok(["SeverityDetermined"], "TestingIssue.determine_severity", DCC, severity("TI-1"))
    ok(["SeverityDisputeReferredToTag"], "TestingIssue.refer_severity_dispute", SUPPLIER,
       {"target": {"reference": "TI-1"}, "disputed_by": SUPPLIER, "proposed_severity": 2,
        "could_affect_exit_of": []})
    bad[f.add("TestingIssue.record_tag_severity_determination", DCC, severity("TI-1", 2),
              on_behalf_of="tag")] = "evidence_sha256"
    ok(["TagSeverityDetermined"], "TestingIssue.record_tag_severity_determination", DCC,
       severity("TI-1", 2), on_behalf_of="tag", evidence_sha256=EVIDENCE)
    bad[f.add("TestingIssue.close", DCC, {"target": {"reference": "TI-404"}, "resolution": "fixed",
                                          "retest_execution_ids": []})] = "data.target"
    # A raise rejected, then a line acting on that issue: rejected in turn, not recorded elsewhere.
    bad[f.add("TestingIssue.raise_issue", DCC, issue("TI-2", security_impact="no"))] = (
        "data.security_impact")
    bad[f.add("TestingIssue.determine_severity", DCC, severity("TI-2"))] = "data.target"
    ok(["SeverityDetermined"], "TestingIssue.determine_severity", DCC, severity("TI-1", 4))
    path = f.write(tmp_path / "commands.jsonl")

    run(env, "init")
    report = as_json(run(env, "import", "commands", str(path), "--json", code=1))
    rejected = {r["line"]: r for r in report["rejected"]}
    assert {n: r["field"] for n, r in rejected.items()} == bad, report
    assert blank not in rejected
    assert rejected[next(iter(bad))]["command"] is None  # not JSON: no command to name
    assert rejected[future]["command"] == "TestingIssue.determine_severity"
    assert "5 minutes in the future" in rejected[future]["reason"]
    expected = [event for _, events in good for event in events]
    assert (report["lines"], report["recorded"], report["events"]) == (
        len(f.lines), len(good), len(expected))

    # What the log holds after the import: the init's events, then exactly the good lines'.
    assert f"tree size {INIT_EVENTS + len(expected)}" in run(env, "log", "integrate").stdout
    entries_out, verify_out = run_all((env, ["log", "entries", "--json"]),
                                      (env, ["verify", "--full", "--json"]))
    assert_exit(entries_out, 0)
    assert_exit(verify_out, 0)
    entries = [json.loads(b64(e["entry"])) for e in as_json(entries_out)["entries"]]
    imported = entries[INIT_EVENTS:]
    assert [(e["topic"].rsplit(".", 1)[-1].rsplit(":", 1)[-1], e["actor"]["principal"])
            for e in imported] == expected
    # Each event names the line's principal as actor, and the operator who entered it as via.
    roles = {OPERATOR: "admin", DCC: "dcc", SUPPLIER: "supplier"}
    for entry in imported:
        actor = entry["actor"]
        assert (actor["role"], actor["via"]) == (roles[actor["principal"]], OPERATOR), entry
    verified = as_json(verify_out)
    assert verified["ok"] is True, verified
    assert verified["events"] == verified["tree_size"] == INIT_EVENTS + len(expected)


def test_only_an_enabled_admin_imports_and_an_unreadable_file_is_named(
    env: dict[str, str], tmp_path: Path
) -> None:
    f = Lines()
    f.add("Note.record", OPERATOR, {"text": "entered by the operator"})
    path = f.write(tmp_path / "note.jsonl")
    rejected = Lines()
    rejected.add("Note.record", OPERATOR, {"text": ""})
    rejected_path = rejected.write(tmp_path / "rejected.jsonl")
    missing = tmp_path / "missing.jsonl"
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe not utf-8\n")

    run(env, "init")
    run(env, "principals", "add", SUPPLIER, "--role", "supplier", "--org", "Acme Energy")
    as_supplier = {**env, "AKLEDGER_ACTOR": SUPPLIER}
    as_stranger = {**env, "AKLEDGER_ACTOR": "stranger"}
    results = run_all(
        (as_supplier, ["import", "commands", str(path)]),
        (as_stranger, ["import", "commands", str(path)]),
        (env, ["import", "commands", str(missing)]),
        (env, ["import", "commands", str(binary)]),
        (env, ["import", "commands", str(rejected_path)]),
    )
    supplier, stranger, *unreadable, table = results
    for result in (supplier, stranger, *unreadable):
        assert_exit(result, 2)
        assert result.stdout == ""
    assert "'acme-ops' is supplier, not admin" in one_line_error(supplier)
    assert "AKLEDGER_ACTOR: no principal named 'stranger'" in one_line_error(stranger)
    for result, name in zip(unreadable, (missing, binary), strict=True):
        assert f"FILE: cannot read {name}" in one_line_error(result)
    # The report without --json: a summary on stdout, the rejected lines as a table on stderr.
    assert_exit(table, 1)
    assert "1 lines, 0 commands recorded (0 events), 1 rejected" in table.stdout
    assert "rejected lines" in table.stderr
    assert "data.text" in table.stderr

    # The file was sound: its admin operator records it. None of the refused imports wrote
    # anything: only the supplier's two events and the note's are pending.
    recorded = as_json(run(env, "import", "commands", str(path), "--json"))
    assert recorded == {"lines": 1, "recorded": 1, "events": 1, "rejected": []}
    assert "integrated 3 entries; tree size 7" in run(env, "log", "integrate").stdout


def test_the_schema_has_one_closed_definition_per_command(env: dict[str, str]) -> None:
    listed, everything, one, unknown = run_all(
        (env, ["commands", "list", "--json"]),
        (env, ["commands", "schema"]),
        (env, ["commands", "schema", "TestingIssue.raise_issue"]),
        (env, ["commands", "schema", "TestingIssue.raise_issue", "TestingIssue.pounce"]),
    )
    for result in (listed, everything, one):
        assert_exit(result, 0)
    names = [c["command"] for c in as_json(listed)]
    assert len(names) == len(set(names)) > 1
    assert "TestingIssue.raise_issue" in names

    schema = as_json(everything)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    defs = schema["$defs"]
    refs = [branch["$ref"] for branch in schema["oneOf"]]
    assert len(refs) == len(names)
    commands = [resolve(defs, ref) for ref in refs]
    assert [c["title"] for c in commands] == names
    for definition in commands:
        assert definition["additionalProperties"] is False, definition["title"]
        assert {"command", "principal", "occurred_at", "data"} <= set(definition["required"])
        assert definition["properties"]["command"]["const"] == definition["title"]
        data = definition["properties"]["data"]
        if "$ref" in data:
            data = resolve(defs, data["$ref"])
        assert data["additionalProperties"] is False, definition["title"]
    for text in json.dumps(schema).split('"$ref": "')[1:]:  # every $ref anywhere resolves
        resolve(defs, text.split('"', 1)[0])

    single = as_json(one)
    (ref,) = [branch["$ref"] for branch in single["oneOf"]]
    raise_issue = resolve(single["$defs"], ref)
    assert raise_issue["title"] == "TestingIssue.raise_issue"
    assert "security_impact" in resolve(single["$defs"], raise_issue["properties"]["data"]["$ref"])[
        "properties"]

    assert_exit(unknown, 2)
    assert unknown.stdout == ""
    assert "'TestingIssue.pounce' is not a command" in one_line_error(unknown)


def resolve(defs: dict[str, Any], ref: str) -> dict[str, Any]:
    prefix = "#/$defs/"
    assert ref.startswith(prefix), ref
    found = defs[ref.removeprefix(prefix)]
    assert isinstance(found, dict)
    return found


def test_the_demo_is_imported_once_with_no_line_rejected(env: dict[str, str]) -> None:
    first = run(env, "demo", "--no-serve")
    assert f"demo history: {len(demo_commands(OPERATOR))} commands" in first.stdout
    assert "rejected" not in first.stdout + first.stderr
    assert "intact" in first.stdout
    assert "NOT INTACT" not in first.stdout
    size = tree_size(first.stdout)

    second = run(env, "demo", "--no-serve")
    assert "demo history" not in second.stdout  # the demo's principals exist: nothing imported
    assert tree_size(second.stdout) == size
    assert "intact" in second.stdout


def tree_size(stdout: str) -> int:
    (line,) = [line for line in stdout.splitlines() if "tree size" in line]
    return int(line.split("tree size ", 1)[1].split(",", 1)[0])
