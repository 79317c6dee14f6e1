"""The `akledger` command line as a user runs it: one process per command, on both databases.

What the CLI prints is checked offline with `signing/` alone: the checkpoint against the vkey,
the entries against the checkpoint's root, the proofs against both. Commands that only read
run concurrently to keep the wall time down (each process costs about a second).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ledger.config import Settings
from ledger.log.append_only import drop_triggers
from ledger.log.tables import APPEND_ONLY_TABLES, EVENTS_TABLE
from signing import merkle, note
from signing.checkpoint import open_checkpoint
from signing.entry import EVENT_SIGNATURE_CONTEXT, verify_message_signature

AKLEDGER = shutil.which("akledger", path=str(Path(sys.executable).parent)) or "akledger"
NOTE_TOPIC = "ledger.notes:Note.NoteRecorded"

UNINHERITED = {"COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"}

Command = tuple[dict[str, str], Sequence[str]]


def run_all(*commands: Command) -> list[subprocess.CompletedProcess[str]]:
    """Run the commands concurrently; their results in the same order.

    As from a pipe or a CI log: output is not a terminal, and no terminal width or forced
    colour is inherited.
    """
    procs = [
        (args, subprocess.Popen(
            [AKLEDGER, *args], env={k: v for k, v in env.items() if k not in UNINHERITED},
            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        ))
        for env, args in commands
    ]
    done = []
    for args, proc in procs:
        out, err = proc.communicate(timeout=120)
        done.append(subprocess.CompletedProcess([AKLEDGER, *args], proc.returncode, out, err))
    return done


def run(env: dict[str, str], *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    (result,) = run_all((env, args))
    assert_exit(result, code)
    return result


def assert_exit(result: subprocess.CompletedProcess[str], code: int) -> None:
    assert result.returncode == code, (
        f"{result.args[1:]} exited {result.returncode}, expected {code}\n"
        f"stdout: {result.stdout}\nstderr: {result.stderr}"
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    message = result.stderr.strip()
    assert message.startswith("error: "), result.stderr
    assert "\n" not in message, f"not one line: {result.stderr!r}"
    return message


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(result.stdout)


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def test_a_session_whose_output_verifies_offline_and_whose_tampering_is_named(
    env: dict[str, str], settings: Settings
) -> None:
    run(env, "init")  # LedgerInitialised, then the operator as first admin (3 events, one save)
    rotation = as_json(run(env, "keys", "rotate"))  # also integrates: a checkpoint of size 5
    after = as_json(run(env, "note", "recorded under the new key"))
    assert "tree size 6" in run(env, "log", "integrate").stdout

    results = run_all(
        (env, ["log", "checkpoint"]),
        (env, ["keys", "vkey"]),
        (env, ["log", "entries", "--json"]),
        (env, ["log", "inclusion", "4", "--json"]),
        (env, ["log", "consistency", "5", "6", "--json"]),
        (env, ["keys", "list", "--json"]),
        (env, ["verify", "--full", "--json"]),
    )
    for result in results:
        assert_exit(result, 0)
    checkpoint_out, vkey_out, entries_out, inclusion_out, consistency_out, keys_out, verify_out = (
        results
    )

    # The checkpoint is a signed note by the key in force (the rotated-in one).
    verifier = note.parse_vkey(vkey_out.stdout.strip())
    checkpoint, _, _ = open_checkpoint(checkpoint_out.stdout, [verifier], settings.log_origin)
    assert checkpoint.size == 6

    # The entries are the leaves of that checkpoint's tree.
    listed = as_json(entries_out)
    assert listed["tree_size"] == 6
    assert [e["index"] for e in listed["entries"]] == [0, 1, 2, 3, 4, 5]
    entries = [b64(e["entry"]) for e in listed["entries"]]
    leaf_hashes = [merkle.leaf_hash(entry) for entry in entries]
    assert [b64(e["leaf_hash"]) for e in listed["entries"]] == leaf_hashes
    assert merkle.root(leaf_hashes) == checkpoint.root_hash
    doc = json.loads(entries[5])
    assert (doc["originator_id"], doc["topic"]) == (after["originator_id"], NOTE_TOPIC)
    # The signature `note` printed is the new key's signature over the entry served (a save
    # of one event is signed alone: no batch path).
    assert after["batch"] is None
    verify_message_signature(
        EVENT_SIGNATURE_CONTEXT + entries[5], b64(after["signature"]), verifier.public_key
    )

    inclusion = as_json(inclusion_out)
    assert (inclusion["index"], inclusion["tree_size"]) == (4, 6)
    assert b64(inclusion["leaf_hash"]) == leaf_hashes[4]
    merkle.verify_inclusion(
        leaf_hashes[4], 4, 6, [b64(h) for h in inclusion["proof"]], checkpoint.root_hash
    )
    consistency = as_json(consistency_out)
    merkle.verify_consistency(
        5, 6, [b64(h) for h in consistency["proof"]],
        merkle.root(leaf_hashes[:5]), checkpoint.root_hash,
    )

    keys = as_json(keys_out)["keys"]
    assert [k["status"] for k in keys] == ["retired (valid for its history)", "in force"]
    retired, in_force = keys
    assert rotation["key_id"] == retired["key_id"]  # a key signs its own retirement
    assert (in_force["key_id"], in_force["introduced_by"]) == (after["key_id"], rotation["position"])
    assert in_force["vkey"] == vkey_out.stdout.strip()

    report = as_json(verify_out)
    assert report["ok"] is True, report
    assert (report["events"], report["tree_size"], report["signatures_verified"]) == (6, 6, 6)

    # A second init refuses and leaves the ledger as it was.
    assert "already exists" in one_line_error(run(env, "init", code=1))
    assert len(list(settings.keys_dir.iterdir())) == 2

    tamper_with_the_note(settings.database_url, after["position"], checkpoint_rows=3)
    failed = as_json(run(env, "verify", "--json", code=1))
    assert failed["ok"] is False
    fault = failed["fault"]
    assert (fault["kind"], fault["index"], fault["notification_id"]) == (
        "changed", 5, after["position"]
    )
    assert f"notification {after['position']}" in fault["message"]


def tamper_with_the_note(url: str, position: int, checkpoint_rows: int) -> None:
    """The attacker: drop the triggers and change one character of the note's text.

    Checks first that the refused second ``init`` left every row in place.
    """
    events = sa.table(EVENTS_TABLE, sa.column("id", sa.BigInteger), sa.column("state", sa.LargeBinary))
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            counts = [
                conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in (EVENTS_TABLE, "ledger_keys", "log_checkpoints")
            ]
            assert counts == [position, 2, checkpoint_rows]
            drop_triggers(conn, APPEND_ONLY_TABLES)
            state = conn.execute(sa.select(events.c.state).where(events.c.id == position)).scalar_one()
            forged = bytes(state).replace(b'"recorded under', b'"Recorded under')
            assert forged != bytes(state)
            conn.execute(sa.update(events).where(events.c.id == position).values(state=forged))
    finally:
        engine.dispose()


def test_commands_before_init_fail_clearly(env: dict[str, str], settings: Settings) -> None:
    (result,) = run_all((env, ["note", "too early"]))
    assert result.returncode != 0, result
    assert "akledger init" in one_line_error(result)
    assert result.stdout == ""
    # Nothing was created.
    if settings.is_sqlite:
        assert not Path(settings.database_url.removeprefix("sqlite:///")).exists()
        return
    engine = sa.create_engine(settings.database_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_bad_input_exits_2_naming_what_is_wrong(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "AKLEDGER_HOME": str(home)}
    env.pop("AKLEDGER_DATABASE_URL", None)
    env.pop("AKLEDGER_LOG_ORIGIN", None)
    bad_url, bad_origin, blank_note = run_all(
        ({**env, "AKLEDGER_DATABASE_URL": "mysql://x"}, ["init"]),
        ({**env, "AKLEDGER_LOG_ORIGIN": "has space"}, ["init"]),
        (env, ["note", ""]),
    )
    for result, names in (
        (bad_url, "AKLEDGER_DATABASE_URL"), (bad_origin, "AKLEDGER_LOG_ORIGIN"), (blank_note, "TEXT"),
    ):
        assert_exit(result, 2)
        assert names in one_line_error(result)
        assert result.stdout == ""
    assert not home.exists()  # nothing was created
