"""A bounded, thread-safe least-recently-used store of query answers (issue 6: query latency).

Why answers can be kept: the ledger's history is immutable, so a query's answer as of a ledger
position never changes; it is a pure function of the query, its parameters, the position and the
day date-dependent rules are judged on (``api.routes_queries`` builds the key from exactly these).
A new event moves the read model to a new position, so a request for the latest answer then asks
for a key not yet held: nothing is ever invalidated, entries only age out.

Bounded twice: at most ``max_entries`` answers and ``max_bytes`` bytes (each entry's value plus
``ENTRY_OVERHEAD`` for its key and bookkeeping); an answer over ``max_entry_bytes`` is not kept,
so one huge answer cannot flush every other. Least recently used first out. One lock guards the
store: the server answers queries from a thread pool. ``computing`` makes the threads that want
the same missing answer at once (every client polling the latest after an event) wait for one of
them to compute it rather than each computing it.

The same key tells a client when its copy is still good (RFC 9111, RFC 9110 §13): ``strong_etag``
of what determines the body, ``none_match`` for ``If-None-Match``, and the two ``Cache-Control``
policies: ``IMMUTABLE`` for an answer as of a fixed position, ``REVALIDATE`` for one that moves
with the ledger. Nothing here knows the ledger.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

#: Bytes counted per entry beyond its value: its key (``sys.getsizeof`` of a typical
#: ``query_service.AnswerKey`` and its members: ~640 bytes), the ordered dict's node and the bytes
#: object's header.
ENTRY_OVERHEAD = 768
MAX_ENTRIES = 1024
MAX_BYTES = 64 * 1024 * 1024
#: An answer that will never change: a year (RFC 9111 §5.2.2.1 advises no more), not revalidated
#: while fresh (RFC 8246); private, since only an authenticated principal may read it.
IMMUTABLE = "private, max-age=31536000, immutable"
#: An answer that moves with the ledger: a cache may keep it but must ask first (RFC 9111 §5.2.2.4).
REVALIDATE = "private, no-cache"
_ENTITY_TAG = re.compile(r'(?:W/)?("[^"]*")')


@dataclass(frozen=True)
class CacheStats:
    """What the cache holds now and has done since it was made."""

    entries: int
    bytes: int
    hits: int
    misses: int
    evictions: int
    refused: int  # answers too large to keep


class AnswerCache:
    """``key -> bytes``, least recently used evicted first, within ``max_entries`` entries and
    ``max_bytes`` bytes. Thread-safe.

    Preconditions: ``max_entries >= 1``; ``max_bytes >= ENTRY_OVERHEAD``. Raises ``ValueError``
    otherwise. ``max_entry_bytes`` defaults to an eighth of ``max_bytes``.
    """

    def __init__(
        self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES, max_entry_bytes: int | None = None,
    ) -> None:
        if max_entries < 1 or max_bytes < ENTRY_OVERHEAD:
            raise ValueError(f"an answer cache needs room for one entry (max_entries {max_entries}, "
                             f"max_bytes {max_bytes} >= {ENTRY_OVERHEAD})")
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.max_entry_bytes = max_bytes // 8 if max_entry_bytes is None else min(max_entry_bytes, max_bytes)
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, _Flight] = {}
        self._bytes = self._hits = self._misses = self._evictions = self._refused = 0

    def get(self, key: Hashable) -> bytes | None:
        """The value kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return found

    def put(self, key: Hashable, value: bytes) -> bool:
        """Keep ``value`` for ``key``, evicting the least recently used entries until both bounds
        hold; False (and nothing kept or evicted) when ``value`` is over ``max_entry_bytes``."""
        size = len(value) + ENTRY_OVERHEAD
        if len(value) > self.max_entry_bytes or size > self.max_bytes:
            with self._lock:
                self._refused += 1
            return False
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous) + ENTRY_OVERHEAD
            while self._entries and (len(self._entries) >= self.max_entries
                                     or self._bytes + size > self.max_bytes):
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted) + ENTRY_OVERHEAD
                self._evictions += 1
            self._entries[key] = value
            self._bytes += size
        return True

    @contextmanager
    def computing(self, key: Hashable) -> Iterator[None]:
        """Held by one thread at a time per ``key``, while it looks ``key`` up and, missing, computes
        and keeps it: the others wanting ``key`` meanwhile wait, then find it kept."""
        with self._lock:
            flight = self._flights.setdefault(key, _Flight())
            flight.waiting += 1
        try:
            with flight.lock:
                yield
        finally:
            with self._lock:
                flight.waiting -= 1
                if not flight.waiting:
                    del self._flights[key]

    def clear(self) -> None:
        """Forget every entry (the counts stay)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(len(self._entries), self._bytes, self._hits, self._misses, self._evictions,
                              self._refused)


class _Flight:
    """One key's computation: its lock and how many threads hold or wait for it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting = 0


def strong_etag(*parts: object) -> str:
    """A strong entity tag (RFC 9110 §8.8.3) for a body that ``parts`` (by their ``repr``)
    determine byte for byte: 128 bits of BLAKE2b, quoted."""
    return '"' + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest() + '"'


def none_match(header: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` field value names ``tag`` (RFC 9110 §13.1.2: ``*`` names any
    current representation; entity tags compare weakly, so ``W/"x"`` names ``"x"``)."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return tag in _ENTITY_TAG.findall(header)


__all__ = [
    "ENTRY_OVERHEAD",
    "IMMUTABLE",
    "MAX_BYTES",
    "MAX_ENTRIES",
    "REVALIDATE",
    "AnswerCache",
    "CacheStats",
    "none_match",
    "strong_etag",
]
