"""Streaming query results page by page, with a one-row look-ahead."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy.engine import Connection
from sqlalchemy.sql import Executable

PAGE = 5_000


class PageCursor:
    """A one-row look-ahead over paged query results."""

    def __init__(self, pages: Iterator[Sequence[object]]) -> None:
        self._pages = pages
        self._rows: Sequence[object] = ()
        self._pos = 0

    def peek(self) -> object | None:
        while self._pos >= len(self._rows):
            nxt = next(self._pages, None)
            if nxt is None:
                return None
            self._rows, self._pos = nxt, 0
        return self._rows[self._pos]

    def advance(self) -> None:
        self._pos += 1


def pages(conn: Connection, query: Executable, page: int = PAGE) -> PageCursor:
    return PageCursor(keyset(conn, query, page))


def keyset(conn: Connection, query: Executable, page: int) -> Iterator[Sequence[object]]:
    result = conn.execution_options(yield_per=page).execute(query)
    yield from result.partitions(page)
