"""Shared setup: databases, ledgers, the raw eventsourcing baseline, timing, RSS, progress.

Every benchmark runs against databases of its own, created here and removed at the end of
the run: a SQLite file in a temporary directory, or a PostgreSQL database named
``akledger_bench_<pid>_<tag>`` on the server at ``AKLEDGER_BENCH_PG_ADMIN_URL`` (default:
the local trust-auth server). Ledgers are built through the public application API
(``create_ledger``, ``AKLedger.save``), as the tests build theirs.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.config import Settings
from ledger.notes import Note
from ledger.store import create_ledger

PG_ADMIN_URL = os.environ.get(
    "AKLEDGER_BENCH_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
DB_PREFIX = "akledger_bench_"
ORIGIN = "bench.example/akledger"
ACTOR = Actor(principal="bench", role="dcc-test-manager", organisation="DCC")
OCCURRED_AT = "2024-11-25T10:00:00+00:00"
# The persistence module the project uses, and so the one every baseline goes through.
PERSISTENCE_MODULE = "eventsourcing_sqlalchemy"
BUILD_PER_SAVE = 500  # events per save when building big ledgers

console = Console(stderr=True, soft_wrap=True)


# -- the raw baseline: plain eventsourcing, nothing signed ---------------------------------
class RawNote(Aggregate):
    """The same fields as ``ledger.notes.Note``, stored by eventsourcing's own mapper."""

    @event("NoteRecorded")
    def __init__(self, text: str, occurred_at: str, actor: dict[str, str]) -> None:
        self.text = text
        self.occurred_at = occurred_at
        self.actor = actor


class RawNotes(Application[UUID]):
    """A plain eventsourcing application: default mapper and JSON transcoder, no signing."""

    name = "RawNotes"


def note_text(i: int) -> str:
    return f"Bench note {i:08d}: test execution report received, no deviation recorded"


def make_notes(cls: type[Note] | type[RawNote], start: int, count: int) -> list[Any]:
    actor = ACTOR.as_json()
    return [cls(text=note_text(i), occurred_at=OCCURRED_AT, actor=actor)
            for i in range(start, start + count)]


# -- databases ------------------------------------------------------------------------------
class Databases:
    """The run's databases for one backend; ``close()`` removes them all."""

    def __init__(self, backend: str, keep: bool = False) -> None:
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"unknown backend {backend!r}")
        self.backend = backend
        self.keep = keep
        self.workdir = Path(tempfile.mkdtemp(prefix=f"akledger_bench_{backend}_"))
        self._pg_names: list[str] = []
        self._apps: list[Application[UUID]] = []

    def create(self, tag: str) -> str:
        """A new, empty database; its SQLAlchemy URL."""
        if self.backend == "sqlite":
            return f"sqlite:///{self.workdir / f'{tag}.sqlite3'}"
        name = f"{DB_PREFIX}{os.getpid()}_{tag}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            admin.dispose()
        self._pg_names.append(name)
        url = sa.engine.make_url(PG_ADMIN_URL).set(database=name)
        return url.render_as_string(hide_password=False)

    def ledger(self, tag: str) -> AKLedger:
        """A new ledger (genesis recorded, signer loaded) in a database of its own."""
        settings = Settings(
            home=self.workdir / tag,
            database_url=self.create(tag),
            log_origin=ORIGIN,
            actor=ACTOR.principal,
            key_passphrase=None,
        )
        lg, _ = create_ledger(settings, ACTOR)
        lg.load_signer()
        self._apps.append(lg)
        return lg

    def raw_app(self, tag: str) -> RawNotes:
        """The unsigned baseline application in a database of its own."""
        app = RawNotes(env={
            "PERSISTENCE_MODULE": PERSISTENCE_MODULE,
            "SQLALCHEMY_URL": self.create(tag),
            "CREATE_TABLE": "y",
        })
        self._apps.append(app)
        return app

    def close(self) -> None:
        for app in self._apps:
            app.close()
            app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
        self._apps.clear()
        if self.keep:
            console.print(f"[dim]kept {self.workdir} {' '.join(self._pg_names)}[/dim]")
            return
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self._pg_names:
            admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for name in self._pg_names:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
            self._pg_names.clear()


def pg_available() -> str | None:
    """None if the PostgreSQL server answers, else the reason."""
    engine = sa.create_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        return str(exc.orig).strip()
    finally:
        engine.dispose()
    return None


# -- building ledgers -----------------------------------------------------------------------
def build(lg: AKLedger, count: int, label: str, per_save: int = BUILD_PER_SAVE) -> float:
    """Append ``count`` signed notes, ``per_save`` per save; returns the seconds it took."""
    started = time.perf_counter()
    with progress(label, count) as advance:
        done = 0
        while done < count:
            batch = min(per_save, count - done)
            lg.save(*make_notes(Note, done, batch))
            done += batch
            advance(batch)
    return time.perf_counter() - started


def read_notifications(app: Application[UUID], limit: int = 10_000) -> int:
    """Page through the whole notification log with ``recorder.select_notifications``."""
    start, count = 1, 0
    while True:
        page = app.recorder.select_notifications(start, limit)
        if not page:
            return count
        count += len(page)
        start = page[-1].id + 1


# -- measuring ------------------------------------------------------------------------------
@contextmanager
def timed() -> Iterator[list[float]]:
    """``with timed() as t: ...`` then ``t[0]`` is the elapsed seconds."""
    box: list[float] = []
    started = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - started)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile, ``0 < q <= 100``."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal, a line per ~10% otherwise (nohup logs); yields advance."""
    if console.is_terminal:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(label, total=total)
            yield lambda n: bar.advance(task, n)
        return
    started, state = time.perf_counter(), {"done": 0, "next": total // 10}

    def advance(n: int) -> None:
        state["done"] += n
        if state["done"] >= state["next"] and state["done"] < total:
            rate = state["done"] / max(time.perf_counter() - started, 1e-9)
            console.print(f"  {label}: {state['done']:,}/{total:,} ({rate:,.0f}/s)")
            state["next"] += max(total // 10, 1)

    yield advance


# -- results --------------------------------------------------------------------------------
@dataclass
class Row:
    """One line of the results table: a figure, its baseline and its target."""

    backend: str
    benchmark: str
    n: int
    value: float
    unit: str
    baseline: str
    baseline_value: float | None
    ratio: float | None
    target: str
    met: bool | None
    shown: str = ""  # the figure as the table shows it (default: value and unit)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.shown:
            self.shown = f"{self.value:,.0f} {self.unit}"


def ratio_row(
    backend: str, benchmark: str, n: int, value: float, unit: str, baseline: str,
    baseline_value: float, minimum: float, **extra: Any,
) -> Row:
    """A row whose target is ``value / baseline_value >= minimum``."""
    ratio = value / baseline_value if baseline_value else None
    met = None if ratio is None else ratio >= minimum
    return Row(backend, benchmark, n, value, unit, f"{baseline}: {baseline_value:,.0f} {unit}",
               baseline_value, ratio, f">= {minimum:g}x", met, extra=dict(extra))


def say(message: str) -> None:
    console.print(message)
