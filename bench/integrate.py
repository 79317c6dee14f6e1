"""Log integration rate against the raw notification-log read rate on the same database.

``api.log_service.integrate`` turns every stored event into a Merkle leaf, stores the
complete nodes and signs a checkpoint per batch. Its floor is reading the events at all:
the baseline pages through the same ledger's notification log with
``recorder.select_notifications(start, limit)``, once before and once after integrating
(the better of the two is reported, so the baseline is never flattered by a cold cache).
"""

from __future__ import annotations

import time

from api import log_service
from bench.common import Row, progress, read_notifications, say
from ledger.application import AKLedger
from ledger.log.integrator import BatchResult

TARGETS = {"sqlite": 50_000.0, "postgresql": 20_000.0}  # entries/s, absolute
READ_PAGE = 10_000  # the integrator's own batch size


def read_rate(lg: AKLedger) -> tuple[float, int]:
    """(events/s, events) for one pass over the notification log."""
    began = time.perf_counter()
    count = read_notifications(lg, READ_PAGE)
    return count / (time.perf_counter() - began), count


def run(backend: str, lg: AKLedger, label: str = "") -> tuple[list[Row], float]:
    """Integrate everything pending; returns the rows and the best raw read rate."""
    first, count = read_rate(lg)
    with progress(f"integrate {count:,}", count) as advance:

        def on_batch(result: BatchResult) -> None:
            advance(result.integrated)

        began = time.perf_counter()
        integrated = log_service.integrate(lg, progress=on_batch)
        seconds = time.perf_counter() - began
    second, _ = read_rate(lg)
    if integrated != count:
        raise RuntimeError(f"integrated {integrated} events, expected {count}")
    rate, baseline = integrated / seconds, max(first, second)
    say(f"  integrate {integrated:,}: {rate:,.0f} entries/s (notification read "
        f"{baseline:,.0f} ev/s)")
    target = TARGETS[backend]
    row = Row(
        backend, f"integrate {label}".strip(), integrated, rate, "entries/s",
        f"select_notifications read: {baseline:,.0f} ev/s", baseline, rate / baseline,
        f">= {target:,.0f}/s", rate >= target,
        extra={"seconds": seconds, "read_rates": [first, second]},
    )
    return [row], baseline
