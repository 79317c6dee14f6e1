"""`akledger report` as a user runs it on the demo ledger (SQLite; the reports' figures are checked
on both databases in tests/integration/test_reports.py): each report is written as HTML and JSON
stating its position and checkpoint; bad input exits 2 with one line naming the option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger.demo import IOC_SIT
from tests.e2e.test_cli import one_line_error, run, run_all


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_reports_are_written_and_bad_options_are_named(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "demo", "--no-serve")
    out = tmp_path / "out"
    written = run_all(
        (env, ["report", "sit-completion", "--phase", IOC_SIT, "--out", str(out)]),
        (env, ["report", "sit-auditor-checklist", "--phase", IOC_SIT, "--out", str(out)]),
        (env, ["report", "weekly", "--week-ending", "2026-03-08", "--out", str(out)]),
        (env, ["report", "dmct-draft", "--entry", "EPCL-207", "--out", str(out)]),
    )
    assert [r.returncode for r in written] == [0, 0, 0, 0], [r.stderr for r in written]
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"sit-completion-{IOC_SIT}.html", f"sit-completion-{IOC_SIT}.json",
                            f"sit-auditor-checklist-{IOC_SIT}.html", f"sit-auditor-checklist-{IOC_SIT}.json",
                            "weekly-2026-03-08.html", "weekly-2026-03-08.json",
                            "dmct-draft-EPCL-207.html", "dmct-draft-EPCL-207.json"])
    pack = json.loads((out / f"sit-completion-{IOC_SIT}.json").read_text())
    assert pack["checkpoint"]["size"] >= pack["checkpoint"]["leaves"] > 0
    assert pack["as_of"]["position"] > 0
    assert "checkpoint of tree size" in (out / f"sit-completion-{IOC_SIT}.html").read_text()

    bad = run_all(
        (env, ["report", "sit-completion", "--out", str(out)]),
        (env, ["report", "sit-completion", "--phase", "no-such-phase", "--out", str(out)]),
        (env, ["report", "weekly", "--week-ending", "last sunday", "--out", str(out)]),
        (env, ["report", "weekly", "--week-ending", "2026-03-08", "--as-of-position", "-1"]),
        (env, ["report", "dmct-draft", "--entry", "EPCL-999", "--out", str(out)]),
    )
    assert [r.returncode for r in bad] == [2, 2, 2, 2, 2], [r.stderr for r in bad]
    messages = [one_line_error(r) for r in bad]
    assert messages[0].startswith("error: --phase")
    assert messages[1].startswith("error: --phase")
    assert messages[2].startswith("error: --week-ending")
    assert messages[3].startswith("error: --as-of-position")
    assert messages[4].startswith("error: --entry")
