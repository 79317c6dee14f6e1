"""The ledger's happy path on both databases."""

from __future__ import annotations

from api import log_service
from ledger.actors import Actor
from ledger.application import AKLedger


def test_notes_are_integrated_and_verify(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    appended = [ledger.record_note(f"note {i}", actor) for i in range(5)]
    assert [a.position for a in appended] == sorted(a.position for a in appended)
    assert log_service.integrate(ledger) == 6
    report = log_service.verify(ledger, full=True)
    assert report.ok, report.fault
    assert report.tree_size == 6
    assert report.signatures == 6
