"""The ledger's application recorder (``ledger.recorder``): eventsourcing-sqlalchemy's, with rows
inserted by one Core ``INSERT ... RETURNING id`` per save and the events table's lock and the
notification taken once per transaction. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.notes import Note
from ledger.recorder import LedgerRecorder


def note(actor: Actor, i: int) -> Note:
    return Note(text=f"note {i}", occurred_at="2026-11-26T09:00:00+00:00", actor=actor.as_json())


@contextmanager
def counted(lg: AKLedger, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Counts of the table locks taken (statements sent) and notifications sent meanwhile."""
    counts = {"lock": 0, "notify": 0}
    recorder = lg.recorder
    assert isinstance(recorder, LedgerRecorder)
    notify = recorder._notify_channel

    def notified(session: Any) -> None:
        counts["notify"] += 1
        notify(session)

    def sent(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        counts["lock"] += statement.startswith("LOCK TABLE")

    monkeypatch.setattr(recorder, "_notify_channel", notified)
    event.listen(lg.engine, "before_cursor_execute", sent)
    try:
        yield counts
    finally:
        event.remove(lg.engine, "before_cursor_execute", sent)


def stored_positions(lg: AKLedger) -> dict[Any, int]:
    """Aggregate id -> the notification id of its first event."""
    events = lg.events_table
    with lg.connect() as conn:
        first = select(events.c.originator_id, events.c.id).where(events.c.originator_version == 1)
        return {originator: position for originator, position in conn.execute(first)}


def test_the_ledger_records_through_its_own_recorder(ledger: AKLedger) -> None:
    assert type(ledger.recorder) is LedgerRecorder


def test_a_save_of_several_events_gets_their_positions_in_order(ledger: AKLedger, actor: Actor) -> None:
    notes = [note(actor, i) for i in range(5)]
    appended = ledger.append(*notes)
    positions = [a.position for a in appended]
    assert positions == sorted(set(positions))
    assert len(positions) == 5
    stored = stored_positions(ledger)
    assert [stored[n.id] for n in notes] == positions  # each id is its own event's


def test_saves_sharing_a_transaction_lock_and_notify_once(
    ledger: AKLedger, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = [note(actor, i) for i in range(3)]
    recorder: Any = ledger.recorder
    with counted(ledger, monkeypatch) as counts, recorder.transaction(commit=True) as session:
        appended = [ledger.append(n, session=session)[0] for n in notes]
    postgres = ledger.engine.dialect.name == "postgresql"
    assert counts == {"lock": 1 if postgres else 0, "notify": 1}
    stored = stored_positions(ledger)
    assert [stored[n.id] for n in notes] == [a.position for a in appended]


def save_then_fail(recorder: Any, lg: AKLedger, aggregate: Note) -> None:
    with recorder.transaction(commit=True) as session:
        lg.append(aggregate, session=session)
        raise RuntimeError("rolled back")


def test_each_transaction_takes_the_lock_again_even_after_one_rolled_back(
    ledger: AKLedger, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder: Any = ledger.recorder
    with counted(ledger, monkeypatch) as counts:
        with pytest.raises(RuntimeError):
            save_then_fail(recorder, ledger, note(actor, 1))
        kept = note(actor, 2)
        ledger.append(kept)
    postgres = ledger.engine.dialect.name == "postgresql"
    assert counts == {"lock": 2 if postgres else 0, "notify": 2}
    assert kept.id in stored_positions(ledger)
    assert len([n for n in stored_positions(ledger) if n != kept.id]) == 1  # the genesis event only
