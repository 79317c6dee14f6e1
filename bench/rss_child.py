"""Subprocess of ``bench.proofs.rss``: open a ledger, run ``verify``, report peak RSS as JSON.

Usage: ``python -m bench.rss_child DATABASE_URL HOME ORIGIN``. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from api import log_service
from bench.common import peak_rss_mb
from ledger.config import Settings
from ledger.store import open_ledger


def vm_hwm_mb() -> float:
    """Peak RSS of this address space (since exec), from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str]) -> int:
    url, home, origin = argv
    at_start = peak_rss_mb()
    settings = Settings(home=Path(home), database_url=url, log_origin=origin, actor="bench",
                        key_passphrase=None)
    lg = open_ledger(settings)
    opened = peak_rss_mb()
    began = time.perf_counter()
    report = log_service.verify(lg)
    seconds = time.perf_counter() - began
    if not report.ok:
        print(f"verify failed: {report.fault}", file=sys.stderr)
        return 1
    print(json.dumps({"events": report.events, "seconds": seconds, "opened_mb": opened,
                      "peak_mb": peak_rss_mb(), "vm_hwm_mb": vm_hwm_mb(), "start_mb": at_start,
                      "checkpoints": report.checkpoints}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
