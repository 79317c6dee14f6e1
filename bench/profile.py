"""Where the time goes: cProfile of the slow paths, one section each.

Usage: ``.venv/bin/python -m bench.profile [--backend sqlite|postgresql] [--n 20000]
[--top 25] [--section append1,append100,integrate,verify,full]``. Prints the top functions
by own time and by cumulative time per section, and writes ``bench/results/<section>.prof``
(open with ``python -m pstats`` or snakeviz).

``full`` profiles the main process of ``verify(full=True)`` and, separately and in-process,
the worker function ``ledger.log.signature_workers.verify_page`` over the same batches, since
cProfile does not follow the pool's processes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from collections.abc import Callable
from pathlib import Path

from api import log_service
from bench.common import Databases, RawNote, build, make_notes, say
from ledger.application import AKLedger
from ledger.log.pages import PAGE
from ledger.log.signature_workers import verify_page
from ledger.notes import Note
from signing.entry import SealedEvent

RESULTS = Path(__file__).resolve().parent / "results"
SECTIONS = ("append1", "append100", "integrate", "verify", "full")


def profiled(name: str, call: Callable[[], object], top: int) -> None:
    profile = cProfile.Profile()
    profile.enable()
    call()
    profile.disable()
    RESULTS.mkdir(exist_ok=True)
    profile.dump_stats(RESULTS / f"{name}.prof")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(top)
        body = out.getvalue()
        total = next(line for line in body.splitlines() if "function calls" in line)
        print(f"\n===== {name}: top {top} by {order} ({total.strip()}) =====")
        print(body[body.find("   ncalls"):].rstrip())


def worker_batches(lg: AKLedger) -> list[list[tuple[bytes, bytes, bytes, int]]]:
    """What verify --full sends to its workers: (entry, signature, public key, nid)."""
    from sqlalchemy import select

    from ledger.log.tables import ledger_keys

    with lg.connect() as conn:
        public = bytes(conn.execute(select(ledger_keys.c.public_key)).scalar_one())
    batches, start = [], 1
    while page := lg.recorder.select_notifications(start, PAGE):
        batch = []
        for n in page:
            sealed = SealedEvent.from_state(n.state)
            batch.append((sealed, public, n.id))
        batches.append(batch)
        start = page[-1].id + 1
    return batches


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--n", type=int, default=20_000, help="events for the log sections")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--section", default=",".join(SECTIONS))
    args = parser.parse_args(argv)
    wanted = set(args.section.split(","))
    dbs = Databases(args.backend)
    try:
        if "append1" in wanted or "append100" in wanted:
            lg, raw = dbs.ledger("prof_append"), dbs.raw_app("prof_append_raw")
            for per_save, count in ((1, 2_000), (100, 20_000)):
                if f"append{per_save}" not in wanted:
                    continue
                for app, cls, tag in ((lg, Note, "signed"), (raw, RawNote, "raw")):
                    batches = [make_notes(cls, i, per_save) for i in range(0, count, per_save)]
                    profiled(f"append{per_save}-{tag}-{args.backend}",
                             lambda a=app, b=batches: [a.save(*x) for x in b], args.top)
        lg = dbs.ledger("prof_log")
        say(f"building {args.n:,} events")
        build(lg, args.n, "build")
        if "integrate" in wanted:
            profiled(f"integrate-{args.backend}", lambda: log_service.integrate(lg), args.top)
        else:
            log_service.integrate(lg)
        if "verify" in wanted:
            profiled(f"verify-{args.backend}", lambda: log_service.verify(lg), args.top)
        if "full" in wanted:
            profiled(f"verify-full-main-{args.backend}",
                     lambda: log_service.verify(lg, full=True), args.top)
            batches = worker_batches(lg)
            profiled("verify-full-worker",
                     lambda: [verify_page(b) for b in batches], args.top)
    finally:
        dbs.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
