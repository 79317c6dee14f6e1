"""Subprocess of ``bench.rebuild``: one measured step on an existing ledger, its peak RSS, as JSON.

Usage: ``python -m bench.rebuild_child DATABASE_URL HOME STEP [BATCH [PARTS]]`` where STEP is ``read`` (page
through the notification log with ``recorder.select_notifications``, as a projection runner reads
it, and decode each event with the application's mapper: the baseline) or ``rebuild:NAME``
(``projections.runner.rebuild`` of that projection; PARTS, ``auto`` or a number, is its ``parts``).
Each step runs in a process of its own so that its peak RSS (``VmHWM``) is its own. Reports wall and
CPU seconds (this process's and its children's, the parts of a rebuild in parts: on a shared machine
the CPU rate says what the code costs, the wall rate what it got), and the peak RSS of this process
and of the largest part. Prints one JSON line.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from bench.common import ORIGIN
from bench.rss_child import vm_hwm_mb
from ledger.config import Settings
from ledger.store import open_ledger
from projections.registry import projection_named
from projections.runner import BATCH_SIZE, rebuild


def read_log(url: str, home: str, batch: int) -> dict[str, float]:
    lg = open_ledger(
        Settings(home=Path(home), database_url=url, log_origin=ORIGIN, actor="bench", key_passphrase=None)
    )
    began, cpu = time.perf_counter(), time.process_time()
    start, count = 0, 0
    while True:
        page = lg.recorder.select_notifications(start, batch, inclusive_of_start=False)
        if not page:
            break
        count += len(page)
        start = page[-1].id
    read_seconds, read_cpu = time.perf_counter() - began, time.process_time() - cpu
    began, cpu = time.perf_counter(), time.process_time()
    start = 0
    while True:  # again, decoding each event as the runner does (signed entry parsed, fields restored)
        page = lg.recorder.select_notifications(start, batch, inclusive_of_start=False)
        if not page:
            break
        for notification in page:
            lg.mapper.to_domain_event(notification)
        start = page[-1].id
    decode_seconds, decode_cpu = time.perf_counter() - began, time.process_time() - cpu
    lg.close()
    return {
        "events": count,
        "seconds": read_seconds,
        "decode_seconds": decode_seconds,
        "cpu_seconds": read_cpu,
        "decode_cpu_seconds": decode_cpu,
    }


def rebuild_one(url: str, home: str, name: str, batch: int, parts: int | None) -> dict[str, float]:
    lg = open_ledger(
        Settings(home=Path(home), database_url=url, log_origin=ORIGIN, actor="bench", key_passphrase=None)
    )
    projection = projection_named(name, lg)
    head = lg.recorder.max_notification_id() or 0
    began, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    applied = rebuild(lg, projection, batch_size=batch, parts=parts)
    seconds = time.perf_counter() - began
    cpu, children = time.process_time() - cpu, _children_cpu() - children
    lg.close()
    part_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux
    return {"events": head, "applied": applied, "seconds": seconds, "cpu_seconds": cpu + children,
            "parts_cpu_seconds": children, "part_peak_mb": part_mb}


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main(argv: list[str]) -> int:
    url, home, step = argv[:3]
    batch = int(argv[3]) if len(argv) > 3 else BATCH_SIZE
    parts = None if len(argv) < 5 or argv[4] == "auto" else int(argv[4])
    if step == "read":
        result = read_log(url, home, batch)
    elif step.startswith("rebuild:"):
        result = rebuild_one(url, home, step.removeprefix("rebuild:"), batch, parts)
    else:
        print(f"unknown step {step!r}", file=sys.stderr)
        return 2
    print(json.dumps({**result, "peak_mb": vm_hwm_mb()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
