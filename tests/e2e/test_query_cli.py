"""`akledger query` as a user runs it, on the demo ledger, on both databases: every report answers
in JSON of the documented shape, in CSV under a header, and drawn by default; as of a position or a
time it stands where the ledger stood; bad input exits 2 with one line naming the option."""

from __future__ import annotations

import base64
import csv
import io
import json
import subprocess
from datetime import UTC, datetime
from typing import Any

from api.query_views import STATUS_FAMILIES
from ledger.demo import IOC_SIT
from ledger.rules.dmct_statuses import DmctStatus
from tests.e2e.test_cli import as_json, assert_exit, one_line_error, run, run_all
from tests.integration.test_demo_dmct import DMC_STATUSES, ENTRY_STATUSES

ON = "2026-11-25"  # the day the demo's last window (§20.37 for EPCL-207, to 30 November) is open
QUERIES: dict[str, list[str]] = {
    "thresholds": ["thresholds", "--phase", IOC_SIT],
    "exit-criteria": ["exit-criteria", "--phase", IOC_SIT],
    "ttm": ["ttm", "--phase", IOC_SIT],
    "heatmap": ["heatmap"],
    "work-off": ["work-off", "--on", ON],
    "matters": ["matters", "--on", ON],
    "findings": ["findings", "--on", ON],
    "dmct-status": ["dmct-status", "--on", ON],
    "dmct-schedule": ["dmct-schedule"],
    "dmct-thresholds": ["dmct-thresholds", "--entry", "EPCL-206"],
    "dmct-completion": ["dmct-completion"],
}
SHAPES = {
    "thresholds": {"as_of", "phase_id", "context", "counts", "verdict"},
    "exit-criteria": {"as_of", "phase_id", "phase_kind", "evaluation"},
    "ttm": {"as_of", "phase_id", "ttm_version", "requirements_baseline", "assured", "rows",
            "uncovered_requirements", "untraced_tests"},
    "heatmap": {"as_of", "phase_id", "rows", "total"},
    "work-off": {"as_of", "items"},
    "matters": {"as_of", "matters", "open", "lapsed", "determined", "withdrawn"},
    "findings": {"as_of", "findings", "not_checked"},
    "dmct-status": {"as_of", "dmc", "clocks_at", "rows", "open_clocks"},
    "dmct-schedule": {"as_of", "dmc", "publication", "previous_version", "published_versions",
                      "missing_recipients"},
    "dmct-thresholds": {"as_of", "entry_id", "dmc_id", "context", "counts", "verdict", "recorded_issue_ids",
                        "uncounted_issue_ids"},
    "dmct-completion": {"as_of", "entry", "results", "tally", "disagreeing"},
}
DRAWN = ("thresholds", "heatmap", "dmct-status", "dmct-schedule")  # pictures rather than tables
HEADERS = {
    "thresholds": "unit,table,column,severity,limit,counted,verdict,count_verdict,counted_issues,"
                  "pending_issues",
    "heatmap": "functional_group,dmc,planned,executed,passed,failed,not_run,witnessed,descoped,"
               "coverage_percent",
    "findings": "source,subject,clause,what,event_ids",
    "dmct-status": "level,dmc_id,entry_id,code,name,clauses,since,event_id,open_clocks,entry_ids,"
                   "planned_start,planned_completion",
    "dmct-schedule": "schedule_version,entry_id,dmc,installation_type,capability_release,planned_start,"
                     "planned_completion,test_pack_id,non_standard_rationale,test_packs,change,trigger,"
                     "reference",
    "dmct-completion": "entry_id,dmc_id,status,20.32(a),20.32(b),20.32(c),20.32(d),20.33(b),evaluation,basis,"
                       "recorded_outcome,recorded_event,final_outcome,agrees_with_record",
}


def demo(env: dict[str, str]) -> int:
    """The demo ledger, and the facts projection caught up by a first query: the ledger's head."""
    run(env, "demo", "--no-serve")
    answer = as_json(run(env, "query", "matters", "--json"))
    (facts,) = [p for p in as_json(run(env, "projections", "status", "--json")) if p["name"] == "facts"]
    assert (facts["lag"], facts["position"]) == (0, answer["as_of"]["position"])
    position: int = facts["position"]
    return position


def queries(env: dict[str, str], *extra: str) -> dict[str, subprocess.CompletedProcess[str]]:
    results = run_all(*((env, ["query", *args, *extra]) for args in QUERIES.values()))
    for result in results:
        assert_exit(result, 0)
    return dict(zip(QUERIES, results, strict=True))


def test_every_query_answers_in_json_of_its_shape_as_of_the_latest_position(env: dict[str, str]) -> None:
    head = demo(env)
    answers: dict[str, Any] = {name: as_json(result) for name, result in queries(env, "--json").items()}
    for name, answer in answers.items():
        assert set(answer) == SHAPES[name], name
        assert answer["as_of"]["position"] == head, name

    status = answers["dmct-status"]["rows"]
    assert {r["dmc_id"]: r["code"] for r in status if r["entry_id"] is None} == DMC_STATUSES
    assert {(r["dmc_id"], r["entry_id"]): r["code"] for r in status if r["entry_id"]} == ENTRY_STATUSES
    assert [(r["entry_id"], c["clause"], c["deadline"]["due"]) for r in status for c in r["clocks"]] == [
        ("EPCL-207", "20.37", "2026-11-30")]
    schedule = answers["dmct-schedule"]
    assert (schedule["publication"]["schedule_version"], schedule["previous_version"]) == (5, 4)
    assert [c["entry_id"] for c in schedule["publication"]["changes"]] == ["EPCL-210"]  # §20.12A removal
    assert answers["dmct-thresholds"]["uncounted_issue_ids"] == []  # TI-DMCT-002 names EPCL-206 (A58)
    assert answers["dmct-thresholds"]["counts"][0]["rows"][2]["counted"][0]["reference"] == "TI-DMCT-002"
    completion = {r["entry_id"]: r["evaluation"] for r in answers["dmct-completion"]["results"]}
    assert (completion["EPCL-206"], completion["EPCL-208"], completion["EPCL-210"]) == (
        "successful", "not_completed", "not_required")
    counts = answers["thresholds"]["counts"]
    assert counts
    assert all([r["severity"] for r in c["rows"]] == [1, 2, 3, 4, 5] for c in counts)
    assert answers["thresholds"]["verdict"] == "fail"  # severity 2 issues open against a limit of 0
    assert answers["exit-criteria"]["evaluation"]["threshold_counts"] == counts
    assert answers["matters"]["determined"] == 1
    assert answers["heatmap"]["total"]["planned"] > 0


def test_every_query_prints_csv_under_a_header_and_draws_its_answer_by_default(env: dict[str, str]) -> None:
    demo(env)
    for name, result in queries(env, "--csv").items():
        lines = list(csv.reader(io.StringIO(result.stdout)))
        assert lines, name
        header, *rows = lines
        if name in HEADERS:
            assert ",".join(header) == HEADERS[name], name
        assert all(len(row) == len(header) for row in rows), name
        if name == "dmct-status":
            assert len(rows) == len(DMC_STATUSES) + len(ENTRY_STATUSES)
            assert [r[header.index("open_clocks")] for r in rows if r[2] == "EPCL-207"] == [
                "20.37 northwind-energy until 2026-11-30"]

    drawn = dict(zip(DRAWN, run_all(*((env, ["query", *QUERIES[name]]) for name in DRAWN)), strict=True))
    for name, result in drawn.items():
        assert_exit(result, 0)
        assert "as of position" in result.stdout, name
    assert "┃" in drawn["thresholds"].stdout  # the limit on each severity's bar
    assert "FAIL" in drawn["thresholds"].stdout
    assert "functional group" in drawn["heatmap"].stdout
    assert "DMC-SEC-01" in drawn["heatmap"].stdout
    assert "EPCL-207" in drawn["dmct-status"].stdout
    assert "2026-11-30" in drawn["dmct-status"].stdout  # its open clock's last day
    assert "Change log against v4" in drawn["dmct-schedule"].stdout


def test_every_dmct_status_is_coloured_by_exactly_one_family() -> None:
    families = [statuses for _, _, statuses in STATUS_FAMILIES]
    assert sorted(s for statuses in families for s in statuses) == sorted(DmctStatus)


def test_answers_stand_where_the_ledger_stood_at_a_position_or_a_time(env: dict[str, str]) -> None:
    head = demo(env)
    entries = as_json(run(env, "log", "entries", "--json"))["entries"]
    published = [(e["notification_id"], json.loads(base64.b64decode(e["entry"]))) for e in entries
                 if json.loads(base64.b64decode(e["entry"]))["topic"].endswith("DmctSchedulePublished")]
    (second, doc), (third, _) = published[1], published[2]
    results = run_all(
        (env, ["query", "dmct-schedule", "--json", "--as-of-position", str(second)]),
        (env, ["query", "dmct-schedule", "--json", "--as-of-position", str(second - 1)]),
        (env, ["query", "dmct-schedule", "--json", "--as-of", doc["recorded_at"]]),
        (env, ["query", "dmct-schedule", "--json", "--as-of-position", "0"]),
        (env, ["query", "dmct-status", "--json", "--as-of", "2000-01-01T00:00:00+00:00"]),
        (env, ["query", "dmct-status", "--json", "--as-of", datetime.now(UTC).isoformat()]),
        (env, ["query", "dmct-status", "--json", "--dmc", "DMC-SAG-07", "--as-of-position", str(third)]),
    )
    for result in results:
        assert_exit(result, 0)
    at_second, before, by_time, at_zero, long_ago, now, sag = (as_json(r) for r in results)
    assert at_second["publication"]["schedule_version"] == 2
    assert at_second["publication"]["changes"]
    assert at_second["previous_version"] == 1
    assert before["publication"]["schedule_version"] == 1
    assert by_time["publication"]["schedule_version"] == 2
    assert (at_zero["publication"], at_zero["published_versions"]) == (None, [])
    assert (long_ago["as_of"]["position"], long_ago["rows"]) == (0, [])
    assert now["as_of"]["position"] == head
    assert [(r["entry_id"], r["code"]) for r in sag["rows"]] == [(None, "S13"), ("EPCL-208", "S14")]


def test_bad_input_exits_2_with_one_line_naming_the_option(env: dict[str, str]) -> None:
    demo(env)
    cases = {
        ("dmct-status", "--as-of", "2026-07-01T12:00:00"): "--as-of",  # no offset
        ("matters", "--as-of", "yesterday"): "--as-of",
        ("heatmap", "--as-of-position", "-1"): "--as-of-position",
        ("findings", "--as-of-position", "3", "--as-of", "2026-07-01T12:00:00+01:00"): "--as-of-position",
        ("work-off", "--on", "31/12/2026"): "--on",
        ("thresholds",): "--phase",
        ("exit-criteria", "--phase", "no-such-phase"): "--phase",
        ("heatmap", "--dmc", "DMC-NONE"): "--dmc",
        ("dmct-status", "--dmc", "DMC-NONE"): "--dmc",
        ("dmct-schedule", "--version", "9"): "--version",
        ("dmct-thresholds", "--entry", "EPCL-999"): "--entry",
        ("dmct-completion", "--entry", "EPCL-999"): "--entry",
        ("dmct-completion", "--as-of-position", "-1"): "--as-of-position",
        ("ttm", "--phase", IOC_SIT, "--json", "--csv"): "--json",
    }
    results = run_all(*((env, ["query", *args]) for args in cases))
    for (args, option), result in zip(cases.items(), results, strict=True):
        assert_exit(result, 2)
        assert one_line_error(result).startswith(f"error: {option}"), (args, result.stderr)
        assert result.stdout == "", args
