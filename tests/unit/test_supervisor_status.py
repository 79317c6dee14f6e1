"""What a worker process reports about the integrator its supervisor runs (``api.integrator_worker``:
``StatusBoard`` publishes, ``ReportedWorker`` reads)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from api.integrator_worker import ReportedWorker, StatusBoard, WorkerHealth


class Fixed:
    def __init__(self, name: str, health: WorkerHealth) -> None:
        self.name = name
        self.health = health


def test_a_worker_sees_each_supervised_thread_as_last_published(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    board = StatusBoard(path, [Fixed("integrator", WorkerHealth("running", None)),
                               Fixed("projections", WorkerHealth("stopped", "KeyError: 'x'"))])
    board.publish()
    assert ReportedWorker(path, "integrator").health == WorkerHealth("running", None)
    assert ReportedWorker(path, "projections").health == WorkerHealth("stopped", "KeyError: 'x'")
    assert json.loads(path.read_text())["supervisor_pid"] == os.getpid()
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]  # no temporary file left over


def test_no_report_or_an_old_one_means_stopped_never_running(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    missing = ReportedWorker(path, "integrator").health
    assert missing.state == "stopped"
    assert missing.error is not None
    assert "no report from the supervisor" in missing.error
    StatusBoard(path, [Fixed("integrator", WorkerHealth("running", None))]).publish()
    report = json.loads(path.read_text())
    report["written_at"] = time.time() - 60
    path.write_text(json.dumps(report))
    stale = ReportedWorker(path, "integrator", stale_after=15).health
    assert stale.state == "stopped"
    assert stale.error is not None
    assert "for 60 s" in stale.error
    path.write_text("{")
    assert ReportedWorker(path, "integrator").health.state == "stopped"
