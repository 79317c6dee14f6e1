"""``akledger verify`` rates against what they are bound by, measured in the same run.

- ``verify`` (entries, commitments, leaves, tree nodes, checkpoints, key chain) against the
  raw notification-log read rate of the same ledger (from ``bench.integrate``);
- ``verify(full=True)`` (also every event signature, in worker processes) against one
  core's Ed25519 verify rate: ``Ed25519PublicKey.verify`` in a loop over the same stored
  signatures, as ``signing.entry.verify_entry_signature`` checks them.
"""

from __future__ import annotations

import os
import resource
import time

from sqlalchemy import select

from api import log_service
from bench.common import Row, progress, ratio_row, say
from ledger.application import AKLedger
from ledger.log.tables import ledger_keys
from signing import keys as key_bytes
from signing.entry import SealedEvent

TARGET_TREE = 0.5  # x the raw notification read rate
TARGET_FULL = 1.5  # x one core's Ed25519 verify rate


def _cpu() -> tuple[float, float]:
    """CPU seconds so far of this process and of its waited-for children (pool workers)."""
    own, kids = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                     resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def timed_verify(lg: AKLedger, full: bool, events: int) -> tuple[float, dict[str, float]]:
    """(wall seconds, CPU seconds of this process and of the workers) for one verify.

    The CPU split shows whether the main process or the signature workers bound the
    wall time, and whether other load on the machine took cores away (wall > CPU / cores).
    Raises RuntimeError if the ledger does not verify.
    """
    label = "verify --full" if full else "verify"
    with progress(f"{label} {events:,}", events) as advance:
        seen = [0]

        def on_page(done: int, _total: int) -> None:
            advance(done - seen[0])
            seen[0] = done

        cpu_before, began = _cpu(), time.perf_counter()
        report = log_service.verify(lg, full=full, progress=on_page)
        seconds = time.perf_counter() - began
        cpu_after = _cpu()
    if not report.ok or report.events != events:
        raise RuntimeError(f"{label}: {report.fault} ({report.events} events, want {events})")
    if full and report.signatures != events:
        raise RuntimeError(f"{label}: {report.signatures} signatures checked, want {events}")
    cpu = {"cpu_main_s": cpu_after[0] - cpu_before[0],
           "cpu_workers_s": cpu_after[1] - cpu_before[1]}
    say(f"  {label}: wall {seconds:.1f} s, CPU main {cpu['cpu_main_s']:.1f} s, "
        f"workers {cpu['cpu_workers_s']:.1f} s")
    return seconds, cpu


def ed25519_rate(lg: AKLedger) -> tuple[float, int]:
    """One core: ``Ed25519PublicKey.verify`` over every stored event signature."""
    with lg.connect() as conn:
        public = conn.execute(select(ledger_keys.c.public_key)).scalars().all()
    if len(public) != 1:
        raise RuntimeError("the baseline assumes one signing key (no rotation)")
    key = key_bytes.public_key_from_bytes(bytes(public[0]))
    pairs: list[tuple[bytes, bytes]] = []
    start = 1
    while page := lg.recorder.select_notifications(start, 10_000):
        for n in page:
            sealed = SealedEvent.from_state(n.state)
            pairs.append((sealed.signature, sealed.signed_message()))
        start = page[-1].id + 1
    began = time.perf_counter()
    for signature, message in pairs:
        key.verify(signature, message)
    return len(pairs) / (time.perf_counter() - began), len(pairs)


def run(backend: str, lg: AKLedger, read_rate: float, events: int) -> list[Row]:
    seconds, cpu = timed_verify(lg, False, events)
    tree_rate = events / seconds
    full_seconds, full_cpu = timed_verify(lg, True, events)
    full_rate = events / full_seconds
    core_rate, signatures = ed25519_rate(lg)
    if signatures != events:
        raise RuntimeError(f"read {signatures} signatures, expected {events}")
    say(f"  verify {events:,}: {tree_rate:,.0f} ev/s (read {read_rate:,.0f}); --full "
        f"{full_rate:,.0f} ev/s (Ed25519 one core {core_rate:,.0f}/s, {os.cpu_count()} cores)")
    return [
        ratio_row(backend, "verify (tree + checkpoints)", events, tree_rate, "ev/s",
                  "select_notifications read", read_rate, TARGET_TREE, seconds=seconds, **cpu),
        ratio_row(backend, "verify --full (+ every signature)", events, full_rate, "ev/s",
                  "Ed25519 verify, 1 core", core_rate, TARGET_FULL, seconds=full_seconds,
                  cores=os.cpu_count(), **full_cpu),
    ]
