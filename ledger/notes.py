"""Free-text notes: the first event type, so a ledger is usable before the domain lands."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event


class Note(Aggregate):
    """A note somebody wanted on the record."""

    @event("NoteRecorded")
    def __init__(self, text: str, occurred_at: str, actor: dict[str, str]) -> None:
        self.text = text
        self.occurred_at = occurred_at
        self.actor = actor


NoteRecorded = Note.NoteRecorded  # type: ignore[attr-defined]
