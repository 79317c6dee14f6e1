"""Signed append through ``AKLedger`` against raw unsigned eventsourcing, same database kind.

Both sides save notes with the same fields (text, occurred_at, actor): the ledger's
``ledger.notes.Note`` through the signing mapper, and ``bench.common.RawNote`` through a plain
``eventsourcing.application.Application`` on eventsourcing-sqlalchemy. Each side writes to a
fresh database of its own. The work is split into rounds that alternate which side goes
first, so drift (page cache, autovacuum, CPU frequency) falls on both alike.

Also measured: ``AKLedger.append`` (``save`` plus the receipt the caller gets: position,
key id, signature), which is what ``record_note`` and the HTTP routes use.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bench.common import Databases, RawNote, Row, make_notes, ratio_row, say
from ledger.notes import Note

TARGETS = {1: 0.8, 100: 0.5}  # minimum signed/raw ratio per batch size
ROUNDS = 4


def sizes(quick: bool) -> dict[int, int]:
    """Events per batch size: {per_save: total events per side}."""
    return {1: 1_000, 100: 10_000} if quick else {1: 3_000, 100: 30_000}


def run(dbs: Databases, quick: bool) -> list[Row]:
    lg = dbs.ledger("append")
    raw = dbs.raw_app("append_raw")
    sides: dict[str, tuple[Callable[..., Any], type[Any]]] = {
        "raw": (raw.save, RawNote), "save": (lg.save, Note), "append": (lg.append, Note),
    }
    rows: list[Row] = []
    for per_save, total in sizes(quick).items():
        done, elapsed = _measure(sides, per_save, total)
        rates = {name: done / seconds for name, seconds in elapsed.items()}
        say(f"  append {per_save}/save: raw {rates['raw']:,.0f} ev/s, signed save "
            f"{rates['save']:,.0f} ev/s, signed append {rates['append']:,.0f} ev/s")
        baseline = "raw eventsourcing, unsigned"
        for name in ("save", "append"):
            rows.append(ratio_row(
                dbs.backend, f"append {per_save}/save (AKLedger.{name})", done, rates[name],
                "ev/s", baseline, rates["raw"], TARGETS[per_save], per_save=per_save,
                seconds=elapsed[name], baseline_seconds=elapsed["raw"],
            ))
    return rows


def _measure(
    sides: dict[str, tuple[Callable[..., Any], type[Any]]], per_save: int, total: int
) -> tuple[int, dict[str, float]]:
    """(events per side, seconds per side), in rounds that alternate the order."""
    start = per_save * 1_000_000  # text numbers stay distinct across batch sizes
    for save, cls in sides.values():  # warm up: connections, statement caches, WAL mode
        _save(save, cls, start, per_save * 5, per_save)
    start += per_save * 5
    elapsed = dict.fromkeys(sides, 0.0)
    chunk = total // ROUNDS
    for round_no in range(ROUNDS):
        order = list(sides) if round_no % 2 == 0 else list(reversed(sides))
        for name in order:
            save, cls = sides[name]
            began = time.perf_counter()
            _save(save, cls, start, chunk, per_save)
            elapsed[name] += time.perf_counter() - began
            start += chunk
    return chunk * ROUNDS, elapsed


def _save(save: Callable[..., Any], cls: type[Any], start: int, count: int, per_save: int) -> None:
    for offset in range(0, count, per_save):
        save(*make_notes(cls, start + offset, min(per_save, count - offset)))
