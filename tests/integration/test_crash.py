"""An integrator killed with SIGKILL mid-batch: whole batches or nothing, and a restart finishes.

The victim is a real process (``tests/integration/killable_integrator.py``) on the test's
ledger; the test kills it, then integrates in its own process and verifies.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import func, select

from api import log_service
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.log.tables import log_checkpoints, log_leaves
from ledger.notes import Note

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 250  # events per batch: every committed tree size is a multiple of it
TIMEOUT = 60.0  # seconds; bounds every wait on the victim


class Victim:
    """The integrator process, with its stdout read line by line on a thread."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self._stderr_path = log
        self._stderr = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.killable_integrator", *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=self._stderr,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        assert self.proc.stdout is not None
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        for raw in stream:
            self.lines.put(raw.decode().strip())

    def expect(self, prefix: str) -> str:
        """The next line starting with ``prefix``; fails after TIMEOUT or if the victim exits."""
        deadline = time.monotonic() + TIMEOUT
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            if line.startswith(prefix):
                return line
        pytest.fail(f"the integrator never printed {prefix!r}; stderr:\n{self.stderr()}")

    def stderr(self) -> str:
        return self._stderr_path.read_text(errors="replace")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        returncode = self.proc.wait(timeout=TIMEOUT)
        assert returncode == -signal.SIGKILL, f"it had already exited:\n{self.stderr()}"

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=TIMEOUT)
        self._stderr.close()


@pytest.fixture
def start_victim(env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Victim]]:
    """Start victims on this test's ledger; whatever is still running is killed afterwards."""
    path = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    started: list[Victim] = []

    def start(*args: str) -> Victim:
        log = tmp_path / f"victim{len(started)}.stderr"
        started.append(Victim({**env, "PYTHONPATH": path}, log, *args))
        return started[-1]

    yield start
    for victim in started:
        victim.close()


def save_notes(lg: AKLedger, actor: Actor, count: int, chunk: int = 500) -> None:
    """Append ``count`` notes quickly, ``chunk`` aggregates per transaction."""
    lg.load_signer()
    for start in range(0, count, chunk):
        lg.save(*(
            Note(text=f"note {i}", occurred_at="2026-01-05T09:00:00+00:00", actor=actor.as_json())
            for i in range(start, min(start + chunk, count))
        ))


def leaf_count(lg: AKLedger) -> int:
    with lg.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(log_leaves)).scalar_one())


def checkpoint_sizes(lg: AKLedger) -> list[int]:
    with lg.connect() as conn:
        rows = conn.execute(select(log_checkpoints.c.size).order_by(log_checkpoints.c.size))
        return [int(size) for size, in rows]


def assert_restart_completes_the_tree(lg: AKLedger, integrated_before: int, total: int) -> None:
    """Integrate in this process: exactly the rest, each event once, and it all verifies."""
    assert log_service.integrate(lg) == total - integrated_before
    with lg.connect() as conn:
        nids = [int(n) for n, in conn.execute(select(log_leaves.c.notification_id))]
        events = int(conn.execute(select(func.count()).select_from(lg.events_table)).scalar_one())
    assert len(nids) == events == total
    assert len(set(nids)) == total
    report = log_service.verify(lg)
    assert report.ok, report.fault
    assert (report.tree_size, report.pending) == (total, 0)
    assert report.checkpoints == len(checkpoint_sizes(lg))


@pytest.mark.slow
def test_an_integrator_killed_at_a_random_moment_leaves_whole_batches_and_restarts_cleanly(
    ledger: AKLedger, actor: Actor, start_victim: Callable[..., Victim]
) -> None:
    total = 10_001  # + LedgerInitialised
    save_notes(ledger, actor, total - 1)
    rng = random.Random()  # chooses the kill point; not a secret
    victim = start_victim(str(LIMIT))
    victim.expect("started")
    for _ in range(rng.randint(1, 20)):  # a random number of committed batches...
        victim.expect("committed")
    time.sleep(rng.uniform(0.0, 0.02))  # ...then jitter within the next batch (not a wait)
    victim.kill()

    integrated = leaf_count(ledger)
    assert integrated < total, "the integrator finished before it was killed"
    assert integrated % LIMIT == 0, f"a partial batch of {integrated % LIMIT} leaves survived"
    sizes = checkpoint_sizes(ledger)
    assert sizes == list(range(LIMIT, integrated + 1, LIMIT)), "a checkpoint without its batch"
    report = log_service.verify(ledger)
    assert report.ok, report.fault
    assert (report.tree_size, report.pending) == (integrated, total - integrated)

    assert_restart_completes_the_tree(ledger, integrated, total)


@pytest.mark.slow
def test_an_integrator_killed_inside_a_batch_transaction_loses_that_whole_batch(
    ledger: AKLedger, actor: Actor, start_victim: Callable[..., Victim]
) -> None:
    total = 2_001
    save_notes(ledger, actor, total - 1)
    victim = start_victim(str(LIMIT), "3")
    victim.expect("holding")  # batch 3's leaves and nodes are written, not committed
    assert leaf_count(ledger) == 2 * LIMIT
    victim.kill()

    assert leaf_count(ledger) == 2 * LIMIT
    assert checkpoint_sizes(ledger) == [LIMIT, 2 * LIMIT]
    assert_restart_completes_the_tree(ledger, 2 * LIMIT, total)
