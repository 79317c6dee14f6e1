"""HTTP load on loopback: `akledger serve` in its own process, driven by concurrent httpx clients.

``.venv/bin/python -m bench.http_load [--backend sqlite|postgresql|both] [--quick] [--cold N]``

What is measured, per backend (2 worker processes on PostgreSQL, 1 on SQLite, where several are
refused; the integrator and the projections run in the server as `akledger serve` runs them):

- append: ``POST /commands/Note.record`` from ``--clients`` concurrent clients (coroutines on one
  event loop, a keep-alive connection each), requests/s over the whole run and p50/p95 latency. Baseline, in
  the same run on the same database: the same command run in this process through
  ``ledger.commands.execute`` (no HTTP, no server), one after another.
- queries: each ``--query`` path (default the Table 13.2 threshold counts of the demo's IOC SIT
  phase and the DMCT Status List; add ``/health``, ``/log/checkpoint`` or any GET) from the same
  clients, p50/p95 latency, once the read side has caught up with the appends. Baseline: the same
  request to the same app in this process (ASGI, no socket, no concurrency), one after another.
  A repeated query is answered from the worker's answer cache (``api.answer_cache``): these are
  warm figures, after a warm-up of 4 requests per client that is not counted (the first requests
  of a run all wait for the one computing the answer); each row counts its cache hits (the
  ``AKLedger-Answer-Cache`` header). With
  ``--cold N``, each ``/queries/`` path is also asked N times, each request as of a different
  position (the one before the latest, the one before that, ...), so every request computes its
  answer: the cold figures, beside the same app in process asked the first tenth of them.

The ledger is a fresh one per backend holding the demo's history (``ledger.demo``, as `akledger
demo` records it), or, with ``--database-url``/``--home``, an existing ledger (such as one made by
``bench.generate``); the run then adds a principal ``bench-http`` (role dcc), its token, and the
appended notes to it, and the operator (``AKLEDGER_ACTOR``) must be an admin. Clients run in this
process and share the machine with the server: on a 2-core box they take a core's share, so the
figures are a floor for the server alone. Each figure also gives the CPU the server's processes
(``/proc``, parent and workers) and the clients spent per request, which a busy machine does not
inflate the way it inflates latency. ``--no-integrator`` serves without the integrator and the
projections, to tell the write path's cost from the read side's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.common import Databases, Row, console, median, percentile, say
from bench.run import RESULTS, environment, markdown, show
from ledger.actors import Actor
from ledger.commands.execute import bootstrap_admin, execute, find_principal
from ledger.config import Settings, load_settings
from ledger.context import RecordingContext
from ledger.store import open_ledger

AKLEDGER = shutil.which("akledger", path=str(Path(sys.executable).parent)) or "akledger"
WORKERS = {"postgresql": 2, "sqlite": 1}
APPEND_TARGET = 400.0  # requests/s
QUERY_P95_TARGET_MS = 50.0
BENCH_PRINCIPAL = "bench-http"
STARTUP_TIMEOUT = 300.0  # seconds; spawned workers import the app (slow on a loaded machine)
CATCH_UP_TIMEOUT = 600.0  # seconds for the integrator and projections to apply the appends
CACHE_HEADER = "AKLedger-Answer-Cache"  # api.routes_queries: hit or miss


def default_queries() -> list[str]:
    from ledger.demo import IOC_SIT

    return [f"/queries/thresholds?phase={IOC_SIT}", "/queries/dmct-status"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.http_load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--database-url", help="an existing ledger instead of a fresh demo one "
                        "(AKLEDGER_DATABASE_URL); the backend follows from it")
    parser.add_argument("--home", help="an existing ledger's AKLEDGER_HOME (its keys; its SQLite file "
                        "unless --database-url names the database)")
    parser.add_argument("--workers", type=int, help="server worker processes (default: 2 on "
                        "PostgreSQL, 1 on SQLite)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--appends", type=int, default=4000, help="append requests (default 4000)")
    parser.add_argument("--queries", type=int, default=800, help="requests per query path (default 800)")
    parser.add_argument("--query", action="append", dest="paths", metavar="PATH",
                        help="a GET path with its query string, repeatable (default: "
                        "/queries/thresholds?phase=<IOC SIT> and /queries/dmct-status)")
    parser.add_argument("--cold", type=int, default=0, metavar="N", help="also N requests per /queries/ "
                        "path, each as of a different position: every one computed, none from the cache")
    parser.add_argument("--no-integrator", action="store_true", help="serve --no-integrator: the write "
                        "path alone, no log integrator or projections in the server (queries then catch up)")
    parser.add_argument("--quick", action="store_true", help="1000 appends, 200 requests per query")
    parser.add_argument("--keep", action="store_true", help="keep the fresh databases afterwards")
    args = parser.parse_args(argv)
    if args.quick:
        args.appends, args.queries = 1000, 200
    args.paths = args.paths or default_queries()
    return args


# -- the ledger and its server ---------------------------------------------------------------------
def fresh_settings(dbs: Databases) -> Settings:
    """A new ledger in ``dbs`` holding the demo's history, integrated and projected."""
    from api import log_service
    from ledger.commands.importer import import_lines
    from ledger.demo import demo_commands
    from projections.registry import projections_for
    from projections.runner import run_once

    lg = dbs.ledger("http")
    operator = Actor(principal=lg.settings.actor)  # as `akledger init` makes it the first admin
    bootstrap_admin(lg, operator.principal, "bench operator", RecordingContext(operator, datetime.now(UTC)))
    lines = [json.dumps(c) for c in demo_commands(lg.settings.actor)]
    report = import_lines(lg, lines, via=lg.settings.actor)
    if report.rejected:
        raise RuntimeError(f"the demo's history did not import: {report.rejected[0]}")
    log_service.integrate(lg)
    for projection in projections_for(lg):
        run_once(lg, projection)
    return lg.settings


def bench_token(settings: Settings) -> str:
    """A bearer token of ``bench-http`` (role dcc), added by the operator if it is not there."""
    from api.auth import new_token

    lg = open_ledger(settings)
    try:
        def run(command: str, data: dict[str, Any]) -> None:
            execute(lg, {"command": command, "principal": settings.actor,
                         "occurred_at": datetime.now(UTC).isoformat(), "data": data})

        if find_principal(lg, BENCH_PRINCIPAL) is None:  # else added by an earlier run on this ledger
            run("Principal.add", {"name": BENCH_PRINCIPAL, "role": "dcc", "organisation": "DCC"})
        issued = new_token(BENCH_PRINCIPAL)
        run("Principal.issue_token", {"target": {"name": BENCH_PRINCIPAL}, "token_id": issued.token_id,
                                      "token_sha256": issued.sha256})
        return issued.token
    finally:
        lg.close()
        lg.engine.dispose()


def environ_for(settings: Settings) -> dict[str, str]:
    return {**os.environ, "AKLEDGER_HOME": str(settings.home), "AKLEDGER_DATABASE_URL": settings.database_url,
            "AKLEDGER_LOG_ORIGIN": settings.log_origin, "AKLEDGER_ACTOR": settings.actor}


@contextmanager
def serving(settings: Settings, workers: int, log: Path, *options: str) -> Iterator[tuple[str, int]]:
    """`akledger serve --workers N` on a free loopback port until the block ends; its base URL and
    pid."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    with log.open("wb") as out:
        proc = subprocess.Popen([AKLEDGER, "serve", "--port", str(port), "--workers", str(workers), *options],
                                env=environ_for(settings), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _answers(base, proc, log):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /health within {STARTUP_TIMEOUT:.0f} s")
            time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _answers(base: str, proc: subprocess.Popen[bytes], log: Path) -> bool:
    if proc.poll() is not None:
        raise RuntimeError(f"the server exited with {proc.returncode}:\n{log.read_text()}")
    try:
        return httpx.get(f"{base}/health", timeout=5.0).status_code == 200
    except httpx.TransportError:
        return False


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its live descendants (Linux
    /proc): the server's own cost, whatever else the machine is doing."""
    pids, seen = [pid], 0
    while seen < len(pids):
        for children in Path(f"/proc/{pids[seen]}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                pids += [int(c) for c in children.read_text().split()]
        seen += 1
    ticks = 0
    for each in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


# -- load ------------------------------------------------------------------------------------------
@dataclass
class Load:
    """What ``clients`` concurrent clients saw sending ``total`` requests."""

    total: int
    seconds: float
    latencies: list[float]  # seconds, one per request
    statuses: dict[int, int]
    outcomes: dict[str, int]  # answer cache: hit, miss (or "-": not a cached route)
    server_cpu: float = 0.0  # CPU seconds the server's processes used meanwhile
    client_cpu: float = 0.0  # CPU seconds this process (the clients) used meanwhile

    def cpu_ms(self) -> str:
        return (f"server CPU {self.server_cpu / self.total * 1000:.1f} ms/req, "
                f"clients {self.client_cpu / self.total * 1000:.1f} ms/req")

    @property
    def rate(self) -> float:
        return self.total / self.seconds

    def ms(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000


#: One request: method, path with its query, JSON body (or None).
Request = tuple[str, str, bytes | None]


def load(base: str, server_pid: int, headers: dict[str, str], clients: int, total: int,
         request: Callable[[int], Request]) -> Load:
    """``total`` requests ``request(i)`` spread over ``clients`` concurrent clients, each with its own
    keep-alive connection, connected before the clock starts.

    The clients are coroutines speaking HTTP/1.1 on asyncio streams (``_client``), not a client
    library's threads: on a 2-core machine they share the server's cores, and httpx in 16 threads
    cost 0.7-1.3 ms of CPU a request (and its threads queued behind one another for the GIL),
    which this costs a tenth of. Every answer must carry ``Content-Length`` (uvicorn's do)."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    fixed = "".join(f"{name}: {value}\r\n" for name, value in {"Host": f"{host}:{port}", **headers}.items())
    numbers = itertools.count()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    outcomes: dict[str, int] = {}

    async def client(connected: asyncio.Barrier) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            await _exchange(reader, writer, ("GET", "/health", None), fixed)
            await connected.wait()
            while (i := next(numbers)) < total:
                began = time.perf_counter()
                status, outcome = await _exchange(reader, writer, request(i), fixed)
                latencies.append(time.perf_counter() - began)
                statuses[status] = statuses.get(status, 0) + 1
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
        finally:
            writer.close()

    async def run() -> tuple[float, float, float]:
        connected = asyncio.Barrier(clients + 1)
        tasks = [asyncio.create_task(client(connected)) for _ in range(clients)]
        await connected.wait()
        began, server_cpu, client_cpu = time.perf_counter(), tree_cpu_seconds(server_pid), time.process_time()
        await asyncio.gather(*tasks)
        return began, server_cpu, client_cpu

    began, server_cpu, client_cpu = asyncio.run(run())
    return Load(total, time.perf_counter() - began, latencies, statuses, outcomes,
                tree_cpu_seconds(server_pid) - server_cpu, time.process_time() - client_cpu)


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: Request, fixed: str
) -> tuple[int, str]:
    """Send ``request`` and read its answer: the status and the answer cache's header ("-" if none)."""
    method, path, body = request
    head = f"{method} {path} HTTP/1.1\r\n{fixed}"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    writer.write(head.encode() + b"\r\n" + (body or b""))
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status, length, outcome = int(lines[0].split(" ", 2)[1]), 0, "-"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.lower()
        if name == "content-length":
            length = int(value)
        elif name == CACHE_HEADER.lower():
            outcome = value.strip()
        elif name == "transfer-encoding":
            raise RuntimeError(f"{method} {path}: a {value.strip()} answer; only Content-Length is read")
    await reader.readexactly(length)
    return status, outcome


def note_body(i: int) -> dict[str, Any]:
    return {"occurred_at": datetime.now(UTC).isoformat(),
            "data": {"text": f"HTTP bench note {i:08d}: test execution report received"}}


def in_process_appends(settings: Settings, count: int) -> tuple[float, float]:
    """Commands per second of ``Note.record`` through ``ledger.commands.execute`` here, one by one,
    and the CPU milliseconds this process spent on each."""
    lg = open_ledger(settings)
    try:
        lg.load_signer()
        commands = [{"command": "Note.record", "principal": BENCH_PRINCIPAL, **note_body(i)}
                    for i in range(count)]
        execute(lg, commands[0])  # warm up: connection, signer, statement cache
        began, cpu = time.perf_counter(), time.process_time()
        for command in commands[1:]:
            execute(lg, command)
        return (count - 1) / (time.perf_counter() - began), (time.process_time() - cpu) / (count - 1) * 1000
    finally:
        lg.close()
        lg.engine.dispose()


def in_process_query(settings: Settings, token: str, path: str, paths: list[str]) -> list[float]:
    """Latencies (s) of each of ``paths`` asked of the app in this process (ASGI, no socket), one by
    one, after ``path`` once (untimed: the connection, the app's first request)."""
    import asyncio

    from api.http import create_app

    lg = open_ledger(settings)

    async def ask() -> list[float]:
        transport = httpx.ASGITransport(app=create_app(lg))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                     headers={"Authorization": f"Bearer {token}"}) as http:
            first = await http.get(path)
            if first.status_code != 200:
                raise RuntimeError(f"GET {path} in process: {first.status_code} {first.text[:300]}")
            took = []
            for each in paths:
                began = time.perf_counter()
                await http.get(each)
                took.append(time.perf_counter() - began)
            return took

    try:
        return asyncio.run(ask())
    finally:
        lg.close()
        lg.engine.dispose()


# -- rows ------------------------------------------------------------------------------------------
def append_row(backend: str, workers: int, clients: int, http: Load, baseline: float, cpu_ms: float) -> Row:
    met = http.statuses == {201: http.total} and http.rate >= APPEND_TARGET
    return Row(
        backend, f"append over HTTP (Note.record, {workers} worker{'s' * (workers > 1)}, {clients} clients)",
        http.total, http.rate, "req/s",
        f"execute() in process, no HTTP, 1 thread: {baseline:,.0f} cmd/s (CPU {cpu_ms:.1f} ms/cmd)",
        baseline, http.rate / baseline,
        f">= {APPEND_TARGET:.0f} req/s", met,
        shown=f"{http.rate:,.0f} req/s (p50 {http.ms(50):.1f} ms, p95 {http.ms(95):.1f} ms; {http.cpu_ms()})",
        extra={"statuses": http.statuses, "seconds": http.seconds, "server_cpu": http.server_cpu,
               "client_cpu": http.client_cpu, "baseline_cpu_ms": cpu_ms},
    )


def query_row(
    backend: str, workers: int, clients: int, path: str, http: Load, baseline: list[float],
    cold: bool = False,
) -> Row:
    base_p50, base_p95 = median(baseline) * 1000, percentile(baseline, 95) * 1000
    met = http.statuses == {200: http.total} and http.ms(95) < QUERY_P95_TARGET_MS
    how = "cold: each request as of another position" if cold else "warm"
    hits = http.outcomes.get("hit", 0)
    cached = f"; cache hits {hits}/{http.total}" if http.outcomes.keys() & {"hit", "miss"} else ""
    return Row(
        backend, f"GET {path} ({how}; {workers} worker{'s' * (workers > 1)}, {clients} clients)", http.total,
        http.ms(95), "ms p95",
        f"same app in process (ASGI), 1 at a time{', as cold' if cold else ''}: p50 {base_p50:.1f} ms, "
        f"p95 {base_p95:.1f} ms", base_p95, http.ms(95) / base_p95, f"p95 < {QUERY_P95_TARGET_MS:.0f} ms",
        met,
        shown=f"p50 {http.ms(50):.1f} ms, p95 {http.ms(95):.1f} ms ({http.rate:,.0f} req/s; {http.cpu_ms()}"
              f"{cached})",
        extra={"statuses": http.statuses, "outcomes": http.outcomes, "seconds": http.seconds,
               "server_cpu": http.server_cpu, "client_cpu": http.client_cpu, "cold": cold},
    )


def getter(path: str) -> Callable[[int], Request]:
    return lambda _: ("GET", path, None)


def as_of(path: str, position: int) -> str:
    return f"{path}{'&' if '?' in path else '?'}as_of_position={position}"


def caught_up(base: str, headers: dict[str, str]) -> None:
    """Wait until the server's integrator and projections have applied everything appended, so the
    query loads ask of a ledger that stands still. Raises ``RuntimeError`` after CATCH_UP_TIMEOUT."""
    deadline = time.monotonic() + CATCH_UP_TIMEOUT
    while True:
        health = httpx.get(f"{base}/health", headers=headers, timeout=60.0).json()
        lags = [health["integrator_lag"], *(v["lag"] for v in health["projections"]["views"])]
        if not any(lags):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the read side did not catch up within {CATCH_UP_TIMEOUT:.0f} s: {health}")
        time.sleep(0.5)


def cold_paths(base: str, headers: dict[str, str], path: str, count: int) -> list[str]:
    """``count`` requests of ``path``, each as of a different position down from the one before
    the latest (the latest's answer is cached by now)."""
    latest = httpx.get(f"{base}{path}", headers=headers, timeout=60.0).json()["read_model"]["position"]
    if latest <= count:
        raise RuntimeError(f"--cold {count}: the ledger has only {latest} positions")
    return [as_of(path, latest - i) for i in range(1, count + 1)]


def run_backend(backend: str, settings: Settings, args: argparse.Namespace, workdir: Path) -> list[Row]:
    workers = args.workers or WORKERS[backend]
    token = bench_token(settings)
    headers = {"Authorization": f"Bearer {token}"}
    rows = []
    baseline_appends, cpu_ms = in_process_appends(settings, max(args.appends // 4, 100))
    say(f"  {backend}: in-process execute {baseline_appends:,.0f} cmd/s, CPU {cpu_ms:.1f} ms/cmd")
    options = ["--no-integrator"] if args.no_integrator else []
    with serving(settings, workers, workdir / f"serve-{backend}.log", *options) as (base, pid):
        appended = load(base, pid, headers, args.clients, args.appends,
                        lambda i: ("POST", "/commands/Note.record", json.dumps(note_body(i)).encode()))
        rows.append(append_row(backend, workers, args.clients, appended, baseline_appends, cpu_ms))
        say(f"  {backend}: {rows[-1].shown} {appended.statuses}")
        caught_up(base, headers)
        for path in args.paths:
            load(base, pid, headers, args.clients, args.clients * 4, getter(path))  # warm-up, not counted
            asked = load(base, pid, headers, args.clients, args.queries, getter(path))
            baseline = in_process_query(settings, token, path, [path] * max(args.queries // 4, 50))
            rows.append(query_row(backend, workers, args.clients, path, asked, baseline))
            say(f"  {backend}: GET {path}: {rows[-1].shown} {asked.statuses}")
            if args.cold and path.startswith("/queries/"):
                rows.append(cold_row(backend, settings, token, (base, pid), headers, path, args))
    return rows


def cold_row(backend: str, settings: Settings, token: str, server: tuple[str, int], headers: dict[str, str],
             path: str, args: argparse.Namespace) -> Row:
    """``path`` asked ``args.cold`` times, each as of another position (none answered from the
    cache), and the same app in process asked the first tenth of them, one by one."""
    (base, pid), workers = server, args.workers or WORKERS[backend]
    paths = cold_paths(base, headers, path, args.cold)
    asked = load(base, pid, headers, args.clients, len(paths), lambda i: ("GET", paths[i], None))
    baseline = in_process_query(settings, token, path, paths[: max(len(paths) // 10, 5)])
    row = query_row(backend, workers, args.clients, path, asked, baseline, cold=True)
    say(f"  {backend}: GET {path} cold: {row.shown} {asked.statuses}")
    return row


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = "python -m bench.http_load " + " ".join(sys.argv[1:] if argv is None else argv)
    env = environment()
    rows: list[Row] = []
    if args.database_url or args.home:  # an existing ledger, as AKLEDGER_* would name it
        named = {"AKLEDGER_DATABASE_URL": args.database_url, "AKLEDGER_HOME": args.home}
        environ = {**os.environ, **{k: v for k, v in named.items() if v}}
        settings = load_settings(environ)
        backend = "sqlite" if settings.is_sqlite else "postgresql"
        workdir = Path(settings.home)
        rows += run_backend(backend, settings, args, workdir)
    else:
        backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
        for backend in backends:
            dbs = Databases(backend, keep=args.keep)
            try:
                say(f"[bold]{backend}[/bold]: a fresh ledger with the demo's history")
                rows += run_backend(backend, fresh_settings(dbs), args, dbs.workdir)
            finally:
                dbs.close()
    show(rows)
    load_now = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    load_then = ", ".join(f"{x:.1f}" for x in env["loadavg_at_start"])
    print(markdown(rows, command, env))
    print(f"\nLoad average (1, 5, 15 min) at the start: {load_then}; at the end: {load_now}.")
    RESULTS.mkdir(exist_ok=True)
    doc = {"command": command, "environment": env, "rows": [asdict(r) for r in rows]}
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in ("http_load_latest.json", f"http_load_{stamp}.json"):
        (RESULTS / name).write_text(json.dumps(doc, indent=2, default=str))
    console.print(f"wrote {RESULTS / 'http_load_latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
