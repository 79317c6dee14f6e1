"""Proof latency from the stored tree, and the peak memory of ``verify``.

Inclusion and consistency proofs come from ``ledger.log.reader.LogReader`` on one
connection, for random leaf indices and tree sizes. An in-memory
``signing.merkle.inclusion_proof`` over all leaf hashes is O(n) per proof and far too slow
at 10^6 to serve as a baseline; the baseline is instead the raw cost of one indexed
primary-key read (``log_leaves`` by ``idx``) on the same connection: a proof is O(log n)
such reads' worth of work, and the ratio says how many it costs.

Peak RSS: ``verify`` runs in a fresh subprocess (``bench.rss_child``) so that the building
and integrating done here do not count; its ``ru_maxrss`` after opening the ledger is the
baseline, and after ``verify`` the figure. Linux carries ``ru_maxrss`` across ``exec``
(a child spawned straight from this big process would report this process's peak), so the
child is started by a forked ``sh``, whose small address space is all it inherits; the child
also reports ``VmHWM`` (per address space) as a cross-check.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import bindparam, select

from bench.common import Row, median, percentile, say
from ledger.application import AKLedger
from ledger.log.reader import LogReader
from ledger.log.tables import log_leaves
from signing import merkle

TARGET_MEDIAN_MS = 5.0
TARGET_RSS_MB = 300.0
WARMUP = 20
REPO = Path(__file__).resolve().parent.parent


def _latencies(call: Callable[[], object], samples: int) -> list[float]:
    for _ in range(WARMUP):
        call()
    out = []
    for _ in range(samples):
        began = time.perf_counter()
        call()
        out.append((time.perf_counter() - began) * 1000)
    return out


def _check_some(reader: LogReader, size: int, rng: random.Random) -> None:
    """Proofs that do not verify would make the timings meaningless: check a few."""
    root = reader.root(size)
    for _ in range(5):
        index = rng.randrange(size)
        _, proof = reader.inclusion_proof(index, size)
        merkle.verify_inclusion(reader.entry(index).leaf_hash, index, size, proof, root)
        first = rng.randrange(1, size + 1)
        proof = reader.consistency_proof(first, size)
        merkle.verify_consistency(first, size, proof, reader.root(first), root)


def run(backend: str, lg: AKLedger, samples: int, seed: int = 1) -> list[Row]:
    rng = random.Random(seed)
    with lg.connect() as conn:
        reader = LogReader(conn, lg.events_table)
        size = reader.tree_size()
        _check_some(reader, size, rng)
        pk = select(log_leaves.c.leaf_hash).where(log_leaves.c.idx == bindparam("i"))

        def pk_read() -> object:
            return conn.execute(pk, {"i": rng.randrange(size)}).scalar_one()

        def inclusion() -> object:
            return reader.inclusion_proof(rng.randrange(size), size)

        def consistency() -> object:
            second = rng.randrange(2, size + 1)
            return reader.consistency_proof(rng.randrange(1, second), second)

        base = _latencies(pk_read, samples)
        timings = {"inclusion": _latencies(inclusion, samples),
                   "consistency": _latencies(consistency, samples)}
    base_median, base_p95 = median(base), percentile(base, 95)
    rows = []
    for kind, values in timings.items():
        mid, p95 = median(values), percentile(values, 95)
        say(f"  {kind} proof at {size:,}: median {mid:.2f} ms, p95 {p95:.2f} ms "
            f"(PK read median {base_median:.3f} ms)")
        rows.append(Row(
            backend, f"{kind} proof", size, mid, "ms",
            f"one PK read: median {base_median:.3f} ms, p95 {base_p95:.3f} ms",
            base_median, mid / base_median, f"median < {TARGET_MEDIAN_MS:g} ms",
            mid < TARGET_MEDIAN_MS, shown=f"median {mid:.2f} ms, p95 {p95:.2f} ms",
            extra={"p95_ms": p95, "samples": samples, "baseline_p95_ms": base_p95},
        ))
    return rows


def rss(backend: str, lg: AKLedger, read_rate: float) -> Row:
    """Peak RSS of ``verify`` in a subprocess of its own."""
    settings = lg.settings
    # `&` makes sh fork before exec, so the child does not inherit our ru_maxrss.
    args = ["/bin/sh", "-c", '"$@" & wait $!', "sh", sys.executable, "-m", "bench.rss_child",
            settings.database_url, str(settings.home), settings.log_origin]
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.rss_child failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    peak, opened = result["peak_mb"], result["opened_mb"]
    rate = result["events"] / result["seconds"]
    say(f"  verify peak RSS at {result['events']:,}: {peak:.0f} MB (after open {opened:.0f} MB)"
        f", {rate:,.0f} ev/s")
    return Row(
        backend, "verify peak RSS (subprocess)", result["events"], peak, "MB",
        f"RSS after imports + open: {opened:.0f} MB (VmHWM {result['vm_hwm_mb']:.0f} MB)",
        opened, None,
        f"< {TARGET_RSS_MB:g} MB", peak < TARGET_RSS_MB,
        shown=f"{peak:.0f} MB peak (verify {rate:,.0f} ev/s vs read {read_rate:,.0f} ev/s)",
        extra={**result, "rate": rate, "read_rate": read_rate},
    )
