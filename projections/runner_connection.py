"""The runner's own connection: which projections it may run, and when to look for new events.

PostgreSQL: a dedicated connection (autocommit, so it never idles in a transaction) holds a
session-level advisory lock per projection for as long as the runner runs, so exactly one
runner applies a projection at a time; a second one gets ``False`` from :meth:`try_lock`
and does not run it. The key is derived from the schema and the projection name: advisory
locks are per database, and two ledgers in two schemas must not lock each other out. The
same connection LISTENs on the events channel (``projections.schema.CHANNEL``); LISTEN is
issued before the runner first reads the log, so an event committed after that read wakes
it, and one committed before is found by the read itself.

SQLite has no such lock and no NOTIFY: every batch holds the database's single write lock
from its start (``BEGIN IMMEDIATE``), which serialises runners, and the runner polls.
"""

from __future__ import annotations

import hashlib
import select
import time
from types import TracebackType
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from projections.schema import CHANNEL


def lock_key(schema: str, projection: str) -> int:
    """A signed 64-bit advisory lock key for ``projection`` in ``schema``."""
    digest = hashlib.sha256(f"akledger.projection:{schema}:{projection}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class RunnerConnection:
    """Locks and wake-ups for one runner. Use as a context manager; it releases everything."""

    def __init__(self, engine: Engine) -> None:
        self._conn: Connection | None = None
        self._raw: Any = None
        self._held: set[str] = set()
        self._schema = ""
        if engine.dialect.name == "postgresql":
            conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._conn = conn
            self._schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())

    def __enter__(self) -> RunnerConnection:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def held(self) -> frozenset[str]:
        return frozenset(self._held)

    def try_lock(self, projection: str) -> bool:
        """Whether this runner now holds ``projection`` (always, on SQLite). Never waits."""
        if self._conn is None or projection in self._held:
            self._held.add(projection)
            return True
        key = lock_key(self._schema, projection)
        if not self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar_one():
            return False
        self._held.add(projection)
        return True

    def listen(self) -> None:
        """Start listening for appends (PostgreSQL with psycopg2; otherwise the runner polls)."""
        if self._conn is None or self._conn.dialect.driver != "psycopg2":
            return
        self._conn.execute(text(f"LISTEN {CHANNEL}"))
        self._raw = self._conn.connection.dbapi_connection

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for an append; whether one was notified.

        Without LISTEN this just sleeps: the caller polls.
        """
        raw = self._raw
        if raw is None:
            time.sleep(timeout)
            return False
        if not raw.notifies:
            select.select([raw], [], [], timeout)
            raw.poll()
        notified = bool(raw.notifies)
        raw.notifies.clear()
        return notified

    def close(self) -> None:
        conn, self._conn = self._conn, None
        self._held.clear()
        if conn is None:
            return
        try:
            # The connection goes back to the pool: leave no lock or LISTEN behind on it.
            conn.execute(text("SELECT pg_advisory_unlock_all()"))
            conn.execute(text("UNLISTEN *"))
        except Exception:
            conn.invalidate()  # the session (and its locks) ends with the discarded connection
            raise
        finally:
            self._raw = None
            conn.close()
