"""The crash tests' victim: a log integrator process that integrates batch after batch.

Usage: ``python -m tests.integration.killable_integrator LIMIT [HOLD_AT_BATCH]`` with the
AKLEDGER_* environment of the ledger. Prints ``started``, then ``committed <tree size>``
after each batch, then ``caught-up``. With HOLD_AT_BATCH=n, batch n stops inside its
transaction (its leaves and nodes written, its checkpoint not yet signed), prints
``holding`` and waits to be killed; if nobody kills it within HOLD_SECONDS it exits 3 and
the batch rolls back.
"""

from __future__ import annotations

import sys
import threading

from ledger.config import load_settings
from ledger.log.integrator import Integrator
from ledger.mapper import Signer
from ledger.store import open_ledger

HOLD_SECONDS = 60.0


def main(argv: list[str]) -> int:
    limit = int(argv[0])
    hold_at = int(argv[1]) if len(argv) > 1 else None
    lg = open_ledger(load_settings())
    batches = 0

    def signer_for(key_id: str) -> Signer:
        # Called by the integrator inside each batch's transaction, just before signing.
        nonlocal batches
        batches += 1
        if batches == hold_at:
            print("holding", flush=True)
            if not threading.Event().wait(HOLD_SECONDS):
                raise SystemExit(3)
        return lg.signer_for(key_id)

    integrator = Integrator(lg.connect, lg.events_table, lg.settings.log_origin, signer_for)
    print("started", flush=True)
    while (result := integrator.integrate_batch(limit)).integrated:
        print(f"committed {result.tree_size}", flush=True)
    print("caught-up", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
