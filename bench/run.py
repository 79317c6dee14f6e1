"""Run the benchmarks: ``.venv/bin/python -m bench.run [--backend ...] [--quick]``.

Prints progress to stderr, a Markdown table to stdout (paste it into README.md), and
writes ``bench/results/latest.json`` (plus a timestamped copy).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.table import Table

from bench import append, integrate, proofs, verify
from bench.common import PG_ADMIN_URL, Databases, Row, build, console, pg_available, say

RESULTS = Path(__file__).resolve().parent / "results"
MILLION = 1_000_000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true",
                        help="small N (10^4 for proofs); about 2 minutes for both backends")
    parser.add_argument("--million", choices=["auto", "yes", "no"], default="auto",
                        help="10^6-entry proofs and RSS (full run only). auto: always on "
                        "SQLite, on PostgreSQL if the estimate fits in --budget-min")
    parser.add_argument("--budget-min", type=float, default=15.0,
                        help="time budget for the whole run, in minutes (default 15)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    return parser.parse_args(argv)


def log_suite(dbs: Databases, size: int, quick: bool, with_verify: bool) -> tuple[list[Row], float]:
    """Build a ledger of ``size`` entries, integrate it, verify it, time proofs and RSS.

    Returns the rows and the seconds per entry of the steps a bigger run repeats (build,
    integrate, its read baselines, proofs, RSS; not verify --full and its baseline).
    """
    began, verifying = time.perf_counter(), 0.0
    lg = dbs.ledger(f"log_{size}")
    seconds = build(lg, size - 1, f"build {size:,} (500/save)")  # + genesis = size entries
    say(f"  built {size:,} entries at {(size - 1) / seconds:,.0f} ev/s (500/save)")
    rows, read_rate = integrate.run(dbs.backend, lg, label=f"@ {size:,}")
    rows[0].extra["build_rate"] = (size - 1) / seconds
    if with_verify:
        verify_began = time.perf_counter()
        rows += verify.run(dbs.backend, lg, read_rate, size)
        verifying = time.perf_counter() - verify_began
    rows += proofs.run(dbs.backend, lg, samples=200 if quick else 500)
    rows.append(proofs.rss(dbs.backend, lg, read_rate))
    return rows, (time.perf_counter() - began - verifying) / size


def run_backend(backend: str, args: argparse.Namespace, deadline: float) -> list[Row]:
    say(f"[bold]{backend}[/bold]")
    dbs = Databases(backend, keep=args.keep)
    try:
        say(" append")
        rows = append.run(dbs, args.quick)
        size = 10_000 if args.quick else 100_000
        say(f" log @ {size:,}")
        suite, per_entry = log_suite(dbs, size, args.quick, with_verify=True)
        rows += suite
        if args.quick or args.million == "no":
            return rows
        estimate = per_entry * MILLION * 1.15  # bigger indexes and files: a little slower
        left = deadline - time.monotonic()
        if args.million == "auto" and backend == "postgresql" and estimate > left:
            say(f" [yellow]skipping 10^6 on {backend}: needs ~{estimate / 60:.0f} min, "
                f"{left / 60:.0f} min left[/yellow]")
            return rows
        say(f" log @ {MILLION:,} (estimated {estimate / 60:.1f} min)")
        rows += log_suite(dbs, MILLION, args.quick, with_verify=False)[0]
        return rows
    finally:
        dbs.close()


def environment() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "sqlite": sqlite3.sqlite_version,
        "loadavg_at_start": os.getloadavg(),
    }
    for package in ("eventsourcing", "eventsourcing-sqlalchemy", "sqlalchemy", "cryptography"):
        info[package] = metadata.version(package)
    if pg_available() is None:
        engine = sa.create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            info["postgresql"] = conn.exec_driver_sql("SHOW server_version").scalar()
        engine.dispose()
    return info


def _ratio(row: Row) -> str:
    return "-" if row.ratio is None else f"{row.ratio:.2f}x"


def _met(row: Row) -> str:
    return "-" if row.met is None else ("yes" if row.met else "**no**")


def markdown(rows: list[Row], command: str, env: dict[str, Any]) -> str:
    pg = f", PostgreSQL {env['postgresql']}" if "postgresql" in env else ""
    lines = [
        f"`{command}` on {datetime.now(UTC):%Y-%m-%d}: {env['cpus']} cores, Python "
        f"{env['python']}, SQLite {env['sqlite']}{pg}, eventsourcing {env['eventsourcing']}, "
        f"eventsourcing-sqlalchemy {env['eventsourcing-sqlalchemy']}. Baselines are measured "
        "in the same run on the same kind of database, through eventsourcing-sqlalchemy.",
        "",
        "| Backend | Benchmark | N | AK Ledger | Baseline (same run) | Ratio | Target | Met |",
        "|---|---|---:|---|---|---:|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r.backend} | {r.benchmark} | {r.n:,} | {r.shown} | {r.baseline} | "
                     f"{_ratio(r)} | {r.target} | {_met(r)} |")
    return "\n".join(lines)


def show(rows: list[Row]) -> None:
    table = Table(title="AK Ledger benchmarks")
    for column in ("backend", "benchmark", "N", "AK Ledger", "baseline", "ratio", "target",
                   "met"):
        table.add_column(column)
    for r in rows:
        met = "-" if r.met is None else ("[green]yes[/green]" if r.met else "[red]no[/red]")
        table.add_row(r.backend, r.benchmark, f"{r.n:,}", r.shown, r.baseline, _ratio(r),
                      r.target, met)
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv)
    started, deadline = datetime.now(UTC), time.monotonic() + args.budget_min * 60
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and (reason := pg_available()) is not None:
        if args.backend == "postgresql":
            console.print(f"[red]no PostgreSQL at {PG_ADMIN_URL}: {reason}[/red]")
            return 2
        say(f"[yellow]PostgreSQL skipped: {reason}[/yellow]")
        backends.remove("postgresql")
    env = environment()
    rows: list[Row] = []
    for backend in backends:
        rows += run_backend(backend, args, deadline)
    elapsed = (datetime.now(UTC) - started).total_seconds()
    env["loadavg_at_end"] = os.getloadavg()  # other work on the box makes figures noisy
    doc = {"started": started.isoformat(), "seconds": elapsed, "command": command,
           "quick": args.quick, "environment": env, "rows": [asdict(r) for r in rows]}
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(doc, indent=2)
    (RESULTS / "latest.json").write_text(text)
    mode = "quick" if args.quick else "full"
    (RESULTS / f"{started:%Y%m%dT%H%M%S}-{mode}-{args.backend}.json").write_text(text)
    if console.is_terminal:
        show(rows)
    say(f"done in {elapsed / 60:.1f} min; wrote {RESULTS / 'latest.json'}")
    print(markdown(rows, command, env), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
