"""Triggers that refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) on the ledger's tables.

They stop mistakes and casual edits; they do not stop an attacker who can drop them. That
is what the signatures, the Merkle tree and ``akledger verify`` are for.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION akledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'akledger: % on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def create_triggers(conn: Connection, tables: Iterable[str]) -> None:
    """Install the triggers on each existing table of ``tables``."""
    existing = set(inspect(conn).get_table_names())
    pg = conn.dialect.name == "postgresql"
    if pg:
        conn.execute(text(PG_FUNCTION))
    for table in tables:
        if table not in existing:
            continue
        if pg:
            _run(conn, f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                 "FOR EACH ROW EXECUTE FUNCTION akledger_append_only()")
            _run(conn, f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                 "FOR EACH STATEMENT EXECUTE FUNCTION akledger_append_only()")
        else:
            for op in ("UPDATE", "DELETE"):
                _run(conn, f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} "
                     f"ON {table} BEGIN SELECT RAISE(ABORT, 'akledger: {op} on {table} "
                     "refused: the table is append-only'); END")


def drop_triggers(conn: Connection, tables: Iterable[str]) -> None:
    """Remove the triggers (downgrade, and the tamper tests' attacker)."""
    pg = conn.dialect.name == "postgresql"
    existing = set(inspect(conn).get_table_names())
    for table in tables:
        if table not in existing:
            continue
        if pg:
            _run(conn, f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            _run(conn, f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            for op in ("update", "delete"):
                _run(conn, f"DROP TRIGGER IF EXISTS {table}_no_{op}")


def _run(conn: Connection, statement: str) -> None:
    # text(): SQLAlchemy escapes the '%' that psycopg2 would otherwise read as a parameter.
    conn.execute(text(statement))
