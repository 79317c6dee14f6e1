"""Rebuild every projection of a generated ledger, beside a raw read of its notification log.

``python -m bench.rebuild --events 100000 --backend both``: for each backend, a ledger of N events
from ``bench.generate`` (cached by N and seed under ``--cache``; PostgreSQL gets a database of its
own, ``akledger_bench_rebuild_<pid>``, filled with the cached SQLite ledger's stored events and key
rows, byte for byte, and dropped at the end unless ``--keep``), then, each step in a child process
(``bench.rebuild_child``: its own peak RSS):

- the baseline: page through the notification log with ``recorder.select_notifications`` as the
  runner reads it; and the same read decoding every event with the application's mapper;
- ``projections.runner.rebuild`` of each projection (``projections.registry.projections_for``):
  events of the log per second, peak RSS; and all of them together;
- as-of queries at ``--queries`` random positions: the thresholds and exit criteria of a SIT phase
  planned by then (``projections.queries``), the heatmap over every phase's planned tests, and the
  DMCT Status List (``dmct_queries.dmct_status``).

Targets (issue 5 item 7): rebuild >= 25,000 events/s on SQLite, >= 10,000 on PostgreSQL, peak
RSS < 500 MB; as-of queries < 1 s. Prints a table (markdown with ``--markdown``) and writes JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.table import Table

from bench.common import DB_PREFIX, ORIGIN, PG_ADMIN_URL, Row, console, median, percentile, pg_available, say
from bench.generate import generate, settings_for
from ledger.application import AKLedger
from ledger.config import Settings
from ledger.log.tables import ledger_keys
from ledger.store import migrate, open_ledger
from projections import dmct_queries, queries
from projections.fact_kinds import FactKind
from projections.registry import projections_for
from projections.runner import REBUILD_BATCH_SIZE

DEFAULT_CACHE = Path(os.environ.get("AKLEDGER_BENCH_CACHE", "/tmp/akledger_bench_cache"))
TARGETS = {"sqlite": 25_000, "postgresql": 10_000}
RSS_LIMIT_MB = 500
QUERY_LIMIT_S = 1.0


# -- the ledgers ------------------------------------------------------------------------------------
def cached_sqlite(cache: Path, events: int, seed: int) -> Settings:
    """The generated SQLite ledger of ``events`` events (generated on first use)."""
    home = cache / f"sqlite_{events}_{seed}"
    settings = settings_for(home, None)
    done = home / "generated.json"
    if not done.exists():
        if home.exists():
            raise SystemExit(f"{home} holds an unfinished ledger: remove it")
        say(f"[bold]generating[/bold] {events:,} events into {home}")
        report = generate(settings, events, seed)
        done.write_text(json.dumps(report))
    return settings


def pg_copy(source: Settings, name: str) -> Settings:
    """A new PostgreSQL database ``name`` holding ``source``'s stored events and keys (COPY)."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    target = Settings(
        home=source.home, database_url=url, log_origin=ORIGIN, actor="bench", key_passphrase=None
    )
    app = AKLedger(target, create_table=True)
    migrate(app)
    src = open_ledger(source)
    try:
        _copy_rows(src, app)
    finally:
        src.close()
        src.engine.dispose()
        app.close()
        app.engine.dispose()
    return target


def _copy_rows(src: AKLedger, dst: AKLedger, page: int = 50_000) -> None:
    events = src.events_table
    columns = [c.name for c in events.columns]
    with src.connect() as read, dst.engine.begin() as write:
        keys = [dict(r._mapping) for r in read.execute(sa.select(ledger_keys))]
        write.execute(sa.insert(ledger_keys), keys)
        cursor = write.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        last = 0
        while True:
            rows = read.execute(
                sa.select(events).where(events.c.id > last).order_by(events.c.id).limit(page)
            ).all()
            if not rows:
                break
            cursor.copy_expert(f"COPY {events.name} ({', '.join(columns)}) FROM STDIN", _copy_text(rows))
            last = rows[-1].id
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{events.name}', 'id'), {last})")
        cursor.close()


def _copy_text(rows: list[Any]) -> io.StringIO:
    out = io.StringIO()
    for row in rows:
        out.write("\t".join(_copy_value(v) for v in row))
        out.write("\n")
    out.seek(0)
    return out


def _copy_value(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return "\\\\x" + bytes(value).hex()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def drop_pg(name: str) -> None:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


# -- measuring --------------------------------------------------------------------------------------
def child(settings: Settings, step: str, batch: int, parts: str = "auto") -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.rebuild_child",
        settings.database_url,
        str(settings.home),
        step,
        str(batch),
        parts,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def as_of_latencies(settings: Settings, count: int, seed: int) -> dict[str, list[float]]:
    """Thresholds of a phase planned by then, and the DMCT Status List, at ``count`` random positions."""
    lg = open_ledger(settings)
    rng = random.Random(seed)
    timings: dict[str, list[float]] = {name: [] for name in ("thresholds", "exit-criteria", "heatmap",
                                                              "dmct-status")}
    try:
        head = queries.position_as_of(lg.engine)
        for _ in range(count):
            position = rng.randint(head // 10, head)
            sit = [p for p in queries.facts_at(lg.engine, FactKind.PHASE, position) if p.kind.value == "sit"]
            if sit:
                phase = rng.choice(sit)
                for name, query in (("thresholds", queries.thresholds),
                                    ("exit-criteria", queries.exit_criteria)):
                    began = time.perf_counter()
                    query(lg.engine, phase.phase_id, as_of_position=position)
                    timings[name].append(time.perf_counter() - began)
            began = time.perf_counter()
            queries.heatmap(lg.engine, as_of_position=position)  # every phase's planned tests
            timings["heatmap"].append(time.perf_counter() - began)
            began = time.perf_counter()
            dmct_queries.dmct_status(lg.engine, as_of_position=position)
            timings["dmct-status"].append(time.perf_counter() - began)
    finally:
        lg.close()
        lg.engine.dispose()
    return timings


def measure(
    backend: str, settings: Settings, events: int, batch: int, query_count: int, seed: int,
    parts: list[str] | None = None,
) -> list[Row]:
    """The baseline read, each projection's rebuild (``facts`` once per value of ``parts``: the
    last one counts towards "all projections"), and the as-of queries."""
    rows: list[Row] = []
    read = child(settings, "read", batch)
    read_rate = read["events"] / read["seconds"]
    decoded_rate = read["events"] / read["decode_seconds"]
    read_cpu_rate = read["events"] / max(read["cpu_seconds"], 1e-9)
    decoded_cpu_rate = read["events"] / max(read["decode_cpu_seconds"], 1e-9)
    say(f"  [{backend}] raw read {read_rate:,.0f} ev/s; with decoding {decoded_rate:,.0f} ev/s")
    baseline = (
        f"select_notifications read: {read_rate:,.0f} ev/s wall, {read_cpu_rate:,.0f}/CPU s "
        f"(+ mapper decode: {decoded_rate:,.0f} wall, {decoded_cpu_rate:,.0f}/CPU s)"
    )
    total_seconds, total_cpu, peak = 0.0, 0.0, 0.0
    lg = open_ledger(settings)
    names = [p.name for p in projections_for(lg)]
    lg.close()
    lg.engine.dispose()
    target = TARGETS[backend]
    runs = [(name, p) for name in names for p in ((parts or ["auto"]) if name == "facts" else ["auto"])]
    for k, (name, chosen) in enumerate(runs):
        result = child(settings, f"rebuild:{name}", batch, chosen)
        rate = result["events"] / result["seconds"]
        label = name if name != "facts" or not parts else f"{name} (parts: {chosen})"
        last = all(n != name for n, _ in runs[k + 1:])
        if last:
            total_seconds += result["seconds"]
            total_cpu += result["cpu_seconds"]
        peak_mb = max(result["peak_mb"], result.get("part_peak_mb", 0.0))
        peak = max(peak, peak_mb)
        cpu_rate = result["events"] / max(result["cpu_seconds"], 1e-9)
        say(
            f"  [{backend}] rebuild {label}: {rate:,.0f} ev/s wall, {cpu_rate:,.0f} ev/s per CPU second "
            f"({result['applied']:,} applied), peak {result['peak_mb']:.0f} MB "
            f"(largest part {result.get('part_peak_mb', 0.0):.0f} MB)"
        )
        rows.append(
            Row(
                backend,
                f"rebuild {label}",
                read["events"],
                rate,
                "ev/s",
                baseline,
                read_rate,
                rate / read_rate,
                f">= {target:,}/s (all)",
                None,
                shown=f"{rate:,.0f} ev/s wall, {cpu_rate:,.0f}/CPU s",
                extra={
                    "cpu_seconds": result["cpu_seconds"],
                    "seconds": result["seconds"],
                    "peak_mb": result["peak_mb"],
                    "part_peak_mb": result.get("part_peak_mb"),
                    "parts_cpu_seconds": result.get("parts_cpu_seconds"),
                    "applied": result["applied"],
                },
            )
        )
        rows.append(
            Row(
                backend,
                f"rebuild {label} peak RSS (one process)",
                read["events"],
                peak_mb,
                "MB",
                "-",
                None,
                None,
                f"< {RSS_LIMIT_MB} MB",
                peak_mb < RSS_LIMIT_MB,
            )
        )
    rate = read["events"] / total_seconds
    rows.append(
        Row(
            backend,
            "rebuild all projections",
            read["events"],
            rate,
            "ev/s",
            baseline,
            read_rate,
            rate / read_rate,
            f">= {target:,}/s",
            rate >= target,
            shown=f"{rate:,.0f} ev/s wall, {read['events'] / total_cpu:,.0f}/CPU s, peak {peak:.0f} MB",
            extra={"seconds": total_seconds, "cpu_seconds": total_cpu, "peak_mb": peak},
        )
    )
    for name, values in as_of_latencies(settings, query_count, seed).items():
        if not values:
            continue
        worst = max(values)
        rows.append(
            Row(
                backend,
                f"as-of {name}",
                read["events"],
                median(values) * 1000,
                "ms",
                "-",
                None,
                None,
                f"< {QUERY_LIMIT_S:g} s",
                worst < QUERY_LIMIT_S,
                shown=f"median {median(values) * 1000:.0f} ms, p95 {percentile(values, 95) * 1000:.0f} ms, "
                f"max {worst * 1000:.0f} ms ({len(values)} positions)",
                extra={"seconds": values},
            )
        )
    return rows


# -- output -----------------------------------------------------------------------------------------
def _ratio(row: Row) -> str:
    return "-" if row.ratio is None else f"{row.ratio:.2f}x"


def _met(row: Row) -> str:
    return "-" if row.met is None else ("yes" if row.met else "**no**")


def print_table(rows: list[Row], markdown: bool) -> None:
    if markdown:
        print("| Backend | Benchmark | N | AK Ledger | Baseline (same run) | Ratio | Target | Met |")
        print("|---|---|---:|---|---|---:|---|---|")
        for r in rows:
            print(
                f"| {r.backend} | {r.benchmark} | {r.n:,} | {r.shown} | {r.baseline} | {_ratio(r)} | "
                f"{r.target} | {_met(r)} |"
            )
        return
    table = Table("backend", "benchmark", "N", "figure", "baseline", "ratio", "target", "met")
    for r in rows:
        table.add_row(r.backend, r.benchmark, f"{r.n:,}", r.shown, r.baseline, _ratio(r), r.target, _met(r))
    console.print(table)


def environment() -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in load],
        "sqlite": __import__("sqlite3").sqlite_version,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rebuild", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[10_000])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help="where generated SQLite ledgers are kept"
    )
    parser.add_argument(
        "--batch", type=int, default=REBUILD_BATCH_SIZE, help="events per rebuild batch (and read page)"
    )
    parser.add_argument(
        "--parts", nargs="+", default=None,
        help="rebuild facts once per value: processes (1: in one) or 'auto' (the default's choice)",
    )
    parser.add_argument("--queries", type=int, default=10, help="random positions for the as-of queries")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases")
    parser.add_argument("--json", type=Path, default=Path("bench-rebuild.json"))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and (reason := pg_available()) is not None:
        raise SystemExit(f"--backend: PostgreSQL at {PG_ADMIN_URL} does not answer: {reason}")
    rows: list[Row] = []
    env = environment()
    for events in args.events:
        source = cached_sqlite(args.cache, events, args.seed)
        for backend in backends:
            name = f"{DB_PREFIX}rebuild_{os.getpid()}_{events}"
            settings = source if backend == "sqlite" else pg_copy(source, name)
            try:
                say(f"[bold]{backend}[/bold], {events:,} events")
                rows += measure(backend, settings, events, args.batch, args.queries, args.seed, args.parts)
            finally:
                if backend == "postgresql" and not args.keep:
                    drop_pg(name)
    env["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print_table(rows, args.markdown)
    args.json.write_text(
        json.dumps({"environment": env, "rows": [r.__dict__ for r in rows]}, indent=2, default=str)
    )
    say(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
