"""A Matter saved through AKLedger (SQLite and PostgreSQL) reads back the same: its payloads,
the stored deadline with its convention included, are signable JSON."""

from __future__ import annotations

from datetime import date, datetime

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.calendar import CONVENTION, LONDON
from ledger.context import RecordingContext
from ledger.findings.matters import matter_findings
from ledger.matter_values import MatterStatus, Subject, SubjectKind
from ledger.matters import Matter
from ledger.rules.roles import Role

HASH = "ef" * 32


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def test_a_referred_and_determined_matter_round_trips(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    matter = Matter.raise_matter(
        "R15", [Subject(SubjectKind.TESTING_ISSUE, "TI-7")], Role.DCC, trigger_on=date(2025, 12, 19),
        **RecordingContext(actor, _at(date(2025, 12, 22), 10), ("13.26",)).fields(),
    )
    matter.refer(Role.SOS, Role.DCC, **RecordingContext(actor, _at(date(2025, 12, 31), 9)).fields())
    matter.determine(
        Role.SOS, "exclusion upheld", "upheld",
        **RecordingContext(actor, _at(date(2026, 1, 20), 12), ("13.26",), "sos", HASH).fields(),
    )
    ledger.save(matter)

    loaded = ledger.repository.get(matter.id)
    assert isinstance(loaded, Matter)
    assert (loaded.version, loaded.status) == (3, MatterStatus.DETERMINED)
    assert loaded.window == matter.window
    assert loaded.window is not None
    assert loaded.window["convention"] == CONVENTION
    assert loaded.window["due"] == "2025-12-30"
    assert loaded.referrals == matter.referrals
    assert loaded.determinations == matter.determinations
    assert loaded.determinations[0].final_and_binding
    assert matter_findings(loaded, date(2026, 2, 2)) == matter_findings(matter, date(2026, 2, 2))
    (late,) = matter_findings(loaded, date(2026, 2, 2))
    assert (late.clause, late.event_ids) == ("13.26", (f"{matter.id}:2",))


def test_a_withdrawn_per_supplier_matter_round_trips(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    context = RecordingContext(actor, _at(date(2026, 1, 6), 15)).fields()
    matter = Matter.raise_matter(
        "R36", [Subject(SubjectKind.DOCUMENT, "draft-DMCT-report-12")], Role.SUPPLIER,
        trigger_on=date(2025, 12, 19), trigger_party="supplier-org-3", **context,
    )
    matter.withdraw(Role.SUPPLIER, "confirmed no referral (20.39(a))", **context)
    ledger.save(matter)

    loaded = ledger.repository.get(matter.id)
    assert isinstance(loaded, Matter)
    assert loaded.status is MatterStatus.WITHDRAWN
    assert loaded.withdrawal == matter.withdrawal
    assert (loaded.trigger_party, loaded.trigger_on) == ("supplier-org-3", date(2025, 12, 19))
    assert loaded.subjects == (Subject(SubjectKind.DOCUMENT, "draft-DMCT-report-12"),)
    assert matter_findings(loaded, date(2026, 2, 2)) == ()
