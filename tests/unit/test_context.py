"""The recording context every event carries is validated field by field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ledger.actors import Actor
from ledger.context import RecordingContext
from ledger.errors import InvalidEventError

DCC = Actor("alice", "dcc", "DCC")
NOW = datetime.now(UTC)
HASH = "ab" * 32


def test_fields_are_json_for_the_event() -> None:
    context = RecordingContext(DCC, NOW - timedelta(days=3), ("13.25", "Table 13.1 #2A"), "tag", HASH)
    fields = context.fields()
    assert fields["clauses"] == ["13.25", "Table 13.1 #2A"]
    assert fields["actor"] == {"principal": "alice", "role": "dcc", "organisation": "DCC"}
    assert datetime.fromisoformat(fields["occurred_at"]) == context.occurred_at
    assert (fields["on_behalf_of"], fields["evidence_sha256"]) == ("tag", HASH)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"occurred_at": NOW + timedelta(hours=1)}, "occurred_at"),  # NOW is import time
        ({"occurred_at": datetime(2026, 1, 1)}, "occurred_at"),
        ({"clauses": ("thirteen",)}, "clauses"),
        ({"on_behalf_of": "tag"}, "evidence_sha256"),
        ({"on_behalf_of": "tag", "evidence_sha256": "AB" * 32}, "evidence_sha256"),
        ({"evidence_sha256": "abc"}, "evidence_sha256"),
    ],
)
def test_a_bad_field_is_named(kwargs: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"actor": DCC, "occurred_at": NOW, **kwargs}
    with pytest.raises(InvalidEventError, match=f"^{field}:"):
        RecordingContext(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("clause", ["13.25", "20.6(d)", "14.2", "20.12A", "Table 13.1 #2A", "12.9(a)(i)"])
def test_clause_references_are_accepted(clause: str) -> None:
    RecordingContext(DCC, NOW, (clause,))


def test_a_little_clock_skew_into_the_future_is_accepted() -> None:
    RecordingContext(DCC, NOW + timedelta(minutes=4))
