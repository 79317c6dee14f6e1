"""Many rows in one statement through the DBAPI cursor of a SQLAlchemy connection (its transaction).

A projection replaying the log writes hundreds of thousands of rows: SQLAlchemy's executemany
spends more time binding each row's parameters than the database spends storing it. Here the rows
are tuples in the table's column order, each value put through the column type's own bind
processor (so a time is stored exactly as SQLAlchemy stores it), and sent as one
``executemany`` on SQLite (in-process, prepared once) or as multi-row ``INSERT ... VALUES`` pages
on PostgreSQL (``psycopg2.extras.execute_values``: psycopg2's executemany is a round trip per row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from psycopg2.extras import execute_values
from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect

PAGE_SIZE = 1_000  # rows of one PostgreSQL INSERT

Processor = Callable[[Any], Any] | None


def insert_rows(
    connection: Connection, table: Table, rows: Sequence[Sequence[Any]], *, stored: Sequence[str] = ()
) -> None:
    """Insert ``rows`` (one value per column of ``table``, in its order) in ``connection``'s
    transaction; the values of the ``stored`` columns are already as stored (a JSON column's
    canonical text), not put through their type."""
    if not rows:
        return
    dialect = connection.dialect
    processors = _processors(table, dialect, tuple(stored))
    if any(p is not None for p in processors):
        rows = [tuple(v if p is None or v is None else p(v) for p, v in zip(processors, row, strict=True))
                for row in rows]
    names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in table.columns)
    # identifiers from the table's metadata, quoted by the dialect; the values go as parameters
    statement = f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({names}) VALUES "  # noqa: S608
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if dialect.name == "postgresql":
            execute_values(cursor, statement + "%s", rows, page_size=PAGE_SIZE)
        else:
            marks = ", ".join("?" for _ in table.columns)
            cursor.executemany(f"{statement}({marks})", rows)
    finally:
        cursor.close()


_PROCESSORS: dict[tuple[str, str, tuple[str, ...]], list[Processor]] = {}


def _processors(table: Table, dialect: Dialect, stored: tuple[str, ...]) -> list[Processor]:
    key = (table.name, dialect.name, stored)
    if key not in _PROCESSORS:
        _PROCESSORS[key] = [None if c.name in stored else c.type.dialect_impl(dialect).bind_processor(dialect)
                            for c in table.columns]
    return _PROCESSORS[key]


__all__ = ["PAGE_SIZE", "insert_rows"]
