"""The answer cache's store and validators (``api.answer_cache``, issue 6: query latency): at most
so many entries and bytes, least recently used out first, an answer too large to keep refused,
the bounds held under concurrent use; entity tags that differ when what they name differs, and
``If-None-Match`` read as RFC 9110 §13.1.2 reads it."""

from __future__ import annotations

import threading

import pytest

from api.answer_cache import ENTRY_OVERHEAD, AnswerCache, none_match, strong_etag


def test_a_kept_answer_is_given_back_and_an_unknown_key_is_a_miss() -> None:
    cache = AnswerCache()
    assert cache.put(("thresholds", 7), b'{"as_of":7}')
    assert cache.get(("thresholds", 7)) == b'{"as_of":7}'
    assert cache.get(("thresholds", 8)) is None
    stats = cache.stats()
    assert (stats.entries, stats.hits, stats.misses, stats.bytes) == (1, 1, 1, 11 + ENTRY_OVERHEAD)


def test_beyond_its_entries_the_least_recently_used_goes_first() -> None:
    cache = AnswerCache(max_entries=3)
    for position in (1, 2, 3):
        cache.put(position, b"x")
    assert cache.get(1) == b"x"  # 1 is now the most recently used: 2 is the oldest
    cache.put(4, b"x")
    assert [p for p in (1, 2, 3, 4) if cache.get(p) is not None] == [1, 3, 4]
    assert (cache.stats().entries, cache.stats().evictions) == (3, 1)


def test_beyond_its_bytes_entries_go_until_the_new_one_fits() -> None:
    size = 1000
    cache = AnswerCache(max_entries=100, max_bytes=3 * (size + ENTRY_OVERHEAD), max_entry_bytes=size * 2)
    for position in range(5):
        cache.put(position, bytes(size))
    stats = cache.stats()
    assert (stats.entries, stats.evictions) == (3, 2)
    assert stats.bytes == 3 * (size + ENTRY_OVERHEAD) <= cache.max_bytes
    cache.put(9, bytes(2 * size))  # takes two entries' room
    assert [p for p in (2, 3, 4, 9) if cache.get(p) is not None] == [4, 9]
    assert cache.stats().bytes <= cache.max_bytes


def test_an_answer_over_the_entry_bound_is_not_kept_and_evicts_nothing() -> None:
    cache = AnswerCache(max_entries=10, max_bytes=64 * 1024)  # at most 8 KiB an entry
    cache.put("small", b"x")
    assert not cache.put("huge", bytes(8 * 1024 + 1))
    assert cache.get("huge") is None
    assert cache.get("small") == b"x"
    assert (cache.stats().refused, cache.stats().evictions) == (1, 0)


def test_the_same_key_kept_again_replaces_its_value_and_its_size() -> None:
    cache = AnswerCache()
    cache.put("k", bytes(100))
    cache.put("k", bytes(10))
    assert cache.get("k") == bytes(10)
    assert (cache.stats().entries, cache.stats().bytes) == (1, 10 + ENTRY_OVERHEAD)


def test_a_cache_with_no_room_for_one_entry_is_refused() -> None:
    with pytest.raises(ValueError, match="max_entries 0"):
        AnswerCache(max_entries=0)
    with pytest.raises(ValueError, match="max_bytes 10"):
        AnswerCache(max_bytes=10)


def test_threads_putting_and_getting_at_once_leave_the_bounds_and_the_byte_count_true() -> None:
    cache = AnswerCache(max_entries=16, max_bytes=16 * (ENTRY_OVERHEAD + 64))
    start = threading.Barrier(8)

    def work(seed: int) -> None:
        start.wait()
        for i in range(2000):
            key = (seed * 7 + i) % 40
            if cache.get(key) is None:
                cache.put(key, bytes(key % 64 + 1))

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = cache.stats()
    kept = [cache.get(key) for key in range(40)]
    assert stats.entries <= 16
    assert stats.bytes <= cache.max_bytes
    assert stats.bytes == sum(len(v) + ENTRY_OVERHEAD for v in kept if v is not None)
    assert all(v is None or len(v) == key % 64 + 1 for key, v in enumerate(kept))
    assert stats.hits + stats.misses == 8 * 2000


def test_an_entity_tag_is_strong_and_differs_when_what_it_names_differs() -> None:
    tag = strong_etag("0.1.0", "thresholds", 333)
    assert tag.startswith('"')
    assert tag.endswith('"')
    assert tag == strong_etag("0.1.0", "thresholds", 333)
    assert len({tag, strong_etag("0.1.0", "thresholds", 334), strong_etag("0.1.1", "thresholds", 333)}) == 3


@pytest.mark.parametrize(("header", "matched"), [
    (None, False),
    ('"abc"', True),
    ('W/"abc"', True),  # weak comparison (RFC 9110 §13.1.2)
    ('"x", "abc"', True),
    ('"x",W/"abc" , "y"', True),
    ("*", True),
    (" * ", True),
    ('"abcd"', False),
    ('"ab"', False),
    ("abc", False),  # not an entity tag: unquoted
    ("", False),
    ('"x,"abc"', False),  # the first tag is "x,": no tag "abc" follows it
])
def test_if_none_match_names_a_tag_only_as_a_whole_entity_tag(header: str | None, matched: bool) -> None:
    assert none_match(header, '"abc"') is matched


def test_threads_wanting_the_same_missing_answer_compute_it_once() -> None:
    cache = AnswerCache()
    arrived, release = threading.Semaphore(0), threading.Event()
    computed: list[int] = []
    answers: list[bytes] = []

    def want(number: int) -> None:
        arrived.release()
        with cache.computing("latest"):
            found = cache.get("latest")
            if found is None:
                release.wait()  # the first holds the computation until every thread has asked
                computed.append(number)
                found = b"answer"
                cache.put("latest", found)
        answers.append(found)

    threads = [threading.Thread(target=want, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for _ in threads:
        arrived.acquire()
    release.set()
    for thread in threads:
        thread.join()
    assert len(computed) == 1
    assert answers == [b"answer"] * 8
    with cache.computing("latest"):  # nobody holds it now
        assert cache.get("latest") == b"answer"
